-- 004: the feature store (feature_groups, features, feature_values) with the natural
-- key (feature_id, entity_values, event_timestamp) enforced by a unique constraint.

CREATE TABLE feature_groups (
    group_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    group_name text NOT NULL,
    entity_type text NOT NULL,
    description text NOT NULL,
    CONSTRAINT feature_groups_pkey PRIMARY KEY (group_id),
    CONSTRAINT feature_groups_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT feature_groups_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT feature_groups_group_name_check CHECK (group_name IN ('hcp_demographics', 'patient_features', 'brand_performance', 'causal_features')),
    CONSTRAINT feature_groups_entity_type_check CHECK (entity_type IN ('hcp', 'patient', 'brand_region'))
);
CREATE INDEX feature_groups_scenario_idx ON feature_groups (brand, dgp_type);

CREATE TABLE features (
    feature_id text NOT NULL,
    group_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    feature_name text NOT NULL,
    value_type text NOT NULL,
    entity_type text NOT NULL,
    description text NOT NULL,
    CONSTRAINT features_pkey PRIMARY KEY (feature_id),
    CONSTRAINT features_group_id_fkey FOREIGN KEY (group_id) REFERENCES feature_groups (group_id),
    CONSTRAINT features_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT features_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT features_feature_name_check CHECK (feature_name IN ('specialty_encoded', 'years_experience', 'academic_flag', 'patient_volume_monthly', 'disease_severity', 'age_at_diagnosis', 'comorbidity_count', 'prior_treatment_count', 'insurance_tier', 'trx_30d', 'nrx_30d', 'conversion_rate', 'engagement_score', 'treatment_propensity', 'outcome_probability')),
    CONSTRAINT features_value_type_check CHECK (value_type IN ('float', 'int', 'category', 'bool')),
    CONSTRAINT features_entity_type_check CHECK (entity_type IN ('hcp', 'patient', 'brand_region'))
);
CREATE INDEX features_scenario_idx ON features (brand, dgp_type);
CREATE INDEX features_group_id_idx ON features (group_id);

CREATE TABLE feature_values (
    value_id text NOT NULL,
    feature_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    entity_values text NOT NULL,
    value text NOT NULL,
    event_timestamp timestamp without time zone NOT NULL,
    freshness_status text NOT NULL,
    data_split text,
    CONSTRAINT feature_values_pkey PRIMARY KEY (value_id),
    CONSTRAINT feature_values_natural_key UNIQUE (feature_id, entity_values, event_timestamp),
    CONSTRAINT feature_values_feature_id_fkey FOREIGN KEY (feature_id) REFERENCES features (feature_id),
    CONSTRAINT feature_values_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT feature_values_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT feature_values_freshness_status_check CHECK (freshness_status IN ('fresh', 'stale', 'expired')),
    CONSTRAINT feature_values_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX feature_values_scenario_idx ON feature_values (brand, dgp_type);
CREATE INDEX feature_values_feature_id_idx ON feature_values (feature_id);
