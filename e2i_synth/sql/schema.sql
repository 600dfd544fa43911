-- e2i_synth warehouse schema (PostgreSQL). Generated from the table specs:
-- python -m e2i_synth.warehouse.ddl > e2i_synth/sql/schema.sql

CREATE TABLE hcp_profiles (
    hcp_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    hcp_name text NOT NULL,
    specialty text NOT NULL,
    practice_type text NOT NULL,
    practice_size text NOT NULL,
    region text NOT NULL,
    state text NOT NULL,
    decile integer NOT NULL,
    priority_tier integer NOT NULL,
    years_experience integer NOT NULL,
    academic_hcp boolean NOT NULL,
    total_patient_volume integer NOT NULL,
    target_patient_volume integer NOT NULL,
    digital_engagement_score double precision NOT NULL,
    preferred_channel text NOT NULL,
    last_interaction_days integer NOT NULL,
    interaction_frequency double precision NOT NULL,
    adoption_stage text NOT NULL,
    peer_influence_score double precision NOT NULL,
    CONSTRAINT hcp_profiles_pkey PRIMARY KEY (hcp_id),
    CONSTRAINT hcp_profiles_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT hcp_profiles_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT hcp_profiles_specialty_check CHECK (specialty IN ('allergy_immunology', 'dermatology', 'hematology', 'nephrology', 'medical_oncology', 'breast_oncology')),
    CONSTRAINT hcp_profiles_practice_type_check CHECK (practice_type IN ('academic_medical_center', 'community_hospital', 'private_practice', 'group_practice')),
    CONSTRAINT hcp_profiles_practice_size_check CHECK (practice_size IN ('small', 'medium', 'large')),
    CONSTRAINT hcp_profiles_region_check CHECK (region IN ('northeast', 'midwest', 'south', 'west')),
    CONSTRAINT hcp_profiles_state_check CHECK (state IN ('NY', 'PA', 'MA', 'NJ', 'CT', 'IL', 'OH', 'MI', 'MN', 'WI', 'TX', 'FL', 'GA', 'NC', 'TN', 'CA', 'WA', 'AZ', 'CO', 'OR')),
    CONSTRAINT hcp_profiles_preferred_channel_check CHECK (preferred_channel IN ('in_person', 'email', 'phone', 'web', 'conference')),
    CONSTRAINT hcp_profiles_adoption_stage_check CHECK (adoption_stage IN ('innovator', 'early_adopter', 'early_majority', 'late_majority', 'laggard'))
);
CREATE INDEX hcp_profiles_scenario_idx ON hcp_profiles (brand, dgp_type);

CREATE TABLE patient_journeys (
    patient_id text NOT NULL,
    hcp_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    age_at_diagnosis integer NOT NULL,
    gender text NOT NULL,
    region text NOT NULL,
    insurance_type text NOT NULL,
    disease_severity double precision NOT NULL,
    comorbidity_count integer NOT NULL,
    academic_hcp boolean NOT NULL,
    engagement_score double precision NOT NULL,
    engaged boolean NOT NULL,
    treatment_initiated boolean,
    days_to_treatment integer,
    journey_stage text,
    journey_start_date date NOT NULL,
    index_date date NOT NULL,
    data_split text NOT NULL,
    territory_rep_assigned boolean,
    support_program_enrolled boolean,
    engagement_dose integer,
    engaged_day30 boolean,
    disease_activity_day30 double precision,
    CONSTRAINT patient_journeys_pkey PRIMARY KEY (patient_id),
    CONSTRAINT patient_journeys_hcp_id_fkey FOREIGN KEY (hcp_id) REFERENCES hcp_profiles (hcp_id),
    CONSTRAINT patient_journeys_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT patient_journeys_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT patient_journeys_gender_check CHECK (gender IN ('female', 'male')),
    CONSTRAINT patient_journeys_region_check CHECK (region IN ('northeast', 'midwest', 'south', 'west')),
    CONSTRAINT patient_journeys_insurance_type_check CHECK (insurance_type IN ('commercial', 'medicare', 'medicaid', 'uninsured')),
    CONSTRAINT patient_journeys_journey_stage_check CHECK (journey_stage IN ('treatment_naive', 'initiated', 'maintenance', 'discontinued')),
    CONSTRAINT patient_journeys_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX patient_journeys_scenario_idx ON patient_journeys (brand, dgp_type);
CREATE INDEX patient_journeys_hcp_id_idx ON patient_journeys (hcp_id);

CREATE TABLE treatment_events (
    event_id text NOT NULL,
    patient_id text NOT NULL,
    hcp_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    event_date date NOT NULL,
    event_type text NOT NULL,
    line_of_therapy integer NOT NULL,
    data_split text NOT NULL,
    product text,
    CONSTRAINT treatment_events_pkey PRIMARY KEY (event_id),
    CONSTRAINT treatment_events_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT treatment_events_hcp_id_fkey FOREIGN KEY (hcp_id) REFERENCES hcp_profiles (hcp_id),
    CONSTRAINT treatment_events_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT treatment_events_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT treatment_events_event_type_check CHECK (event_type IN ('diagnosis', 'prescription', 'refill', 'switch', 'discontinuation')),
    CONSTRAINT treatment_events_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout')),
    CONSTRAINT treatment_events_product_check CHECK (product IN ('Remibrutinib 25 mg', 'Fabhalta 200 mg', 'Kisqali 600 mg', 'Kisqali 400 mg', 'Kisqali 200 mg', 'Kisqali Femara Co-Pack'))
);
CREATE INDEX treatment_events_scenario_idx ON treatment_events (brand, dgp_type);
CREATE INDEX treatment_events_patient_id_idx ON treatment_events (patient_id);
CREATE INDEX treatment_events_hcp_id_idx ON treatment_events (hcp_id);

CREATE TABLE engagement_events (
    engagement_id text NOT NULL,
    hcp_id text NOT NULL,
    patient_id text,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    intervention_type text NOT NULL,
    channel text NOT NULL,
    engagement_date date NOT NULL,
    data_split text,
    CONSTRAINT engagement_events_pkey PRIMARY KEY (engagement_id),
    CONSTRAINT engagement_events_hcp_id_fkey FOREIGN KEY (hcp_id) REFERENCES hcp_profiles (hcp_id),
    CONSTRAINT engagement_events_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT engagement_events_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT engagement_events_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT engagement_events_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral')),
    CONSTRAINT engagement_events_channel_check CHECK (channel IN ('in_person', 'email', 'phone', 'web', 'conference')),
    CONSTRAINT engagement_events_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX engagement_events_scenario_idx ON engagement_events (brand, dgp_type);
CREATE INDEX engagement_events_hcp_id_idx ON engagement_events (hcp_id);
CREATE INDEX engagement_events_patient_id_idx ON engagement_events (patient_id);

CREATE TABLE business_outcomes (
    outcome_id text NOT NULL,
    patient_id text NOT NULL,
    hcp_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    outcome_date date NOT NULL,
    outcome_type text NOT NULL,
    outcome_value double precision,
    data_split text NOT NULL,
    CONSTRAINT business_outcomes_pkey PRIMARY KEY (outcome_id),
    CONSTRAINT business_outcomes_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT business_outcomes_hcp_id_fkey FOREIGN KEY (hcp_id) REFERENCES hcp_profiles (hcp_id),
    CONSTRAINT business_outcomes_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT business_outcomes_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT business_outcomes_outcome_type_check CHECK (outcome_type IN ('treatment_initiation')),
    CONSTRAINT business_outcomes_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX business_outcomes_scenario_idx ON business_outcomes (brand, dgp_type);
CREATE INDEX business_outcomes_patient_id_idx ON business_outcomes (patient_id);
CREATE INDEX business_outcomes_hcp_id_idx ON business_outcomes (hcp_id);

CREATE TABLE ml_predictions (
    prediction_id text NOT NULL,
    patient_id text NOT NULL,
    hcp_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    model_name text NOT NULL,
    model_version text NOT NULL,
    prediction_date timestamp without time zone NOT NULL,
    predicted_probability double precision NOT NULL,
    predicted_label boolean NOT NULL,
    data_split text NOT NULL,
    CONSTRAINT ml_predictions_pkey PRIMARY KEY (prediction_id),
    CONSTRAINT ml_predictions_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT ml_predictions_hcp_id_fkey FOREIGN KEY (hcp_id) REFERENCES hcp_profiles (hcp_id),
    CONSTRAINT ml_predictions_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT ml_predictions_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT ml_predictions_model_name_check CHECK (model_name IN ('initiation_propensity')),
    CONSTRAINT ml_predictions_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX ml_predictions_scenario_idx ON ml_predictions (brand, dgp_type);
CREATE INDEX ml_predictions_patient_id_idx ON ml_predictions (patient_id);
CREATE INDEX ml_predictions_hcp_id_idx ON ml_predictions (hcp_id);

CREATE TABLE triggers (
    trigger_id text NOT NULL,
    hcp_id text NOT NULL,
    patient_id text NOT NULL,
    prediction_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    trigger_type text NOT NULL,
    priority text NOT NULL,
    status text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    data_split text NOT NULL,
    CONSTRAINT triggers_pkey PRIMARY KEY (trigger_id),
    CONSTRAINT triggers_hcp_id_fkey FOREIGN KEY (hcp_id) REFERENCES hcp_profiles (hcp_id),
    CONSTRAINT triggers_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT triggers_prediction_id_fkey FOREIGN KEY (prediction_id) REFERENCES ml_predictions (prediction_id),
    CONSTRAINT triggers_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT triggers_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT triggers_trigger_type_check CHECK (trigger_type IN ('initiation_opportunity', 'engagement_gap', 'next_best_action')),
    CONSTRAINT triggers_priority_check CHECK (priority IN ('high', 'medium', 'low')),
    CONSTRAINT triggers_status_check CHECK (status IN ('pending', 'delivered', 'accepted', 'dismissed')),
    CONSTRAINT triggers_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX triggers_scenario_idx ON triggers (brand, dgp_type);
CREATE INDEX triggers_hcp_id_idx ON triggers (hcp_id);
CREATE INDEX triggers_patient_id_idx ON triggers (patient_id);
CREATE INDEX triggers_prediction_id_idx ON triggers (prediction_id);

CREATE TABLE business_metrics (
    metric_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    region text NOT NULL,
    metric_name text NOT NULL,
    metric_type text NOT NULL,
    metric_date date NOT NULL,
    value double precision NOT NULL,
    target double precision NOT NULL,
    achievement_rate double precision NOT NULL,
    yoy_change double precision,
    mom_change double precision,
    roi double precision,
    statistical_significance double precision NOT NULL,
    confidence_interval_lower double precision NOT NULL,
    confidence_interval_upper double precision NOT NULL,
    sample_size integer NOT NULL,
    data_split text NOT NULL,
    CONSTRAINT business_metrics_pkey PRIMARY KEY (metric_id),
    CONSTRAINT business_metrics_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT business_metrics_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT business_metrics_region_check CHECK (region IN ('northeast', 'midwest', 'south', 'west')),
    CONSTRAINT business_metrics_metric_name_check CHECK (metric_name IN ('trx', 'nrx', 'market_share', 'conversion_rate', 'hcp_engagement_score')),
    CONSTRAINT business_metrics_metric_type_check CHECK (metric_type IN ('rate', 'score', 'share', 'volume')),
    CONSTRAINT business_metrics_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX business_metrics_scenario_idx ON business_metrics (brand, dgp_type);

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

CREATE TABLE unit_truth (
    patient_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    y0 boolean NOT NULL,
    y1 boolean NOT NULL,
    true_propensity double precision NOT NULL,
    individual_effect integer NOT NULL,
    cate double precision NOT NULL,
    data_split text NOT NULL,
    hidden_confounder double precision,
    engaged_if_unassigned boolean,
    engaged_if_assigned boolean,
    dose_if_engaged integer,
    dose_outcomes text,
    observed_if_unengaged boolean,
    observed_if_engaged boolean,
    enrolled_if_unengaged boolean,
    enrolled_if_engaged boolean,
    CONSTRAINT unit_truth_pkey PRIMARY KEY (patient_id),
    CONSTRAINT unit_truth_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT unit_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT unit_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT unit_truth_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX unit_truth_scenario_idx ON unit_truth (brand, dgp_type);
CREATE INDEX unit_truth_patient_id_idx ON unit_truth (patient_id);

CREATE TABLE causal_ground_truth (
    truth_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    segment_column text,
    segment_value text,
    true_ate double precision NOT NULL,
    expected_ate double precision NOT NULL,
    effect_scale text NOT NULL,
    treatment_table text NOT NULL,
    treatment_column text NOT NULL,
    outcome_column text NOT NULL,
    adjustment_columns text[] NOT NULL,
    lag_days integer NOT NULL,
    n_units integer NOT NULL,
    n_treated integer NOT NULL,
    seed bigint NOT NULL,
    graph_dot text NOT NULL,
    description text NOT NULL,
    generator_version text NOT NULL,
    true_att double precision,
    true_atc double precision,
    traps text NOT NULL,
    valid_adjustment_sets text,
    identification text,
    true_late double precision,
    n_compliers integer,
    dose_response text,
    true_ate_observed double precision,
    n_observed integer,
    data_cut_date date,
    true_ate_followed double precision,
    n_followed integer,
    CONSTRAINT causal_ground_truth_pkey PRIMARY KEY (truth_id),
    CONSTRAINT causal_ground_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT causal_ground_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX causal_ground_truth_scenario_idx ON causal_ground_truth (brand, dgp_type);

CREATE TABLE scenario_signals (
    signal_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    signal_type text NOT NULL,
    table_name text NOT NULL,
    subject text NOT NULL,
    region text,
    start_date date,
    magnitude double precision NOT NULL,
    description text NOT NULL,
    CONSTRAINT scenario_signals_pkey PRIMARY KEY (signal_id),
    CONSTRAINT scenario_signals_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT scenario_signals_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT scenario_signals_signal_type_check CHECK (signal_type IN ('underperformer', 'seasonality', 'drift')),
    CONSTRAINT scenario_signals_region_check CHECK (region IN ('northeast', 'midwest', 'south', 'west'))
);
CREATE INDEX scenario_signals_scenario_idx ON scenario_signals (brand, dgp_type);

CREATE TABLE hcp_intervention_history (
    history_id text NOT NULL,
    hcp_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    period_index integer NOT NULL,
    period_start date NOT NULL,
    treated boolean NOT NULL,
    intervention_type text,
    channel text,
    frequency text,
    intensity double precision,
    duration_weeks integer NOT NULL,
    trx_before double precision NOT NULL,
    trx_after double precision NOT NULL,
    prescribing_change double precision NOT NULL,
    data_split text NOT NULL,
    CONSTRAINT hcp_intervention_history_pkey PRIMARY KEY (history_id),
    CONSTRAINT hcp_intervention_history_natural_key UNIQUE (hcp_id, period_index),
    CONSTRAINT hcp_intervention_history_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT hcp_intervention_history_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT hcp_intervention_history_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral')),
    CONSTRAINT hcp_intervention_history_channel_check CHECK (channel IN ('in_person', 'email', 'phone', 'web', 'conference')),
    CONSTRAINT hcp_intervention_history_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX hcp_intervention_history_scenario_idx ON hcp_intervention_history (brand, dgp_type);

CREATE TABLE intervention_ground_truth (
    truth_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    intervention_type text NOT NULL,
    subgroup_column text NOT NULL,
    subgroup_value text NOT NULL,
    n_hcps integer NOT NULL,
    intensity double precision NOT NULL,
    duration_weeks integer NOT NULL,
    true_ate double precision NOT NULL,
    mean_y0 double precision NOT NULL,
    mean_y1 double precision NOT NULL,
    naive_contrast double precision,
    treatment_column text NOT NULL,
    outcome_column text NOT NULL,
    adjustment_columns text NOT NULL,
    effect_modifiers text NOT NULL,
    dose_response text NOT NULL,
    seed integer NOT NULL,
    generator_version text NOT NULL,
    truth_statement text,
    identification text,
    CONSTRAINT intervention_ground_truth_pkey PRIMARY KEY (truth_id),
    CONSTRAINT intervention_ground_truth_natural_key UNIQUE (brand, dgp_type, intervention_type, subgroup_column, subgroup_value),
    CONSTRAINT intervention_ground_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT intervention_ground_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT intervention_ground_truth_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'))
);
CREATE INDEX intervention_ground_truth_scenario_idx ON intervention_ground_truth (brand, dgp_type);

CREATE TABLE intervention_unit_truth (
    unit_truth_id text NOT NULL,
    hcp_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    intervention_type text NOT NULL,
    individual_effect double precision NOT NULL,
    reference_intensity double precision NOT NULL,
    reference_duration_weeks integer NOT NULL,
    intensity_exponent double precision NOT NULL,
    duration_scale_weeks double precision NOT NULL,
    data_split text NOT NULL,
    seed integer NOT NULL,
    generator_version text NOT NULL,
    CONSTRAINT intervention_unit_truth_pkey PRIMARY KEY (unit_truth_id),
    CONSTRAINT intervention_unit_truth_natural_key UNIQUE (brand, dgp_type, hcp_id, intervention_type),
    CONSTRAINT intervention_unit_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT intervention_unit_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT intervention_unit_truth_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral')),
    CONSTRAINT intervention_unit_truth_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX intervention_unit_truth_scenario_idx ON intervention_unit_truth (brand, dgp_type);

CREATE TABLE digital_twin_models (
    model_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    twin_type text NOT NULL,
    model_type text NOT NULL,
    learner text NOT NULL,
    training_samples integer NOT NULL,
    training_entities integer NOT NULL,
    target_variable text NOT NULL,
    features text NOT NULL,
    hyperparameters text NOT NULL,
    metrics text NOT NULL,
    cv_r2 double precision NOT NULL,
    registered_model_name text NOT NULL,
    mlflow_run_id text,
    model_version text,
    trained_at timestamp without time zone NOT NULL,
    deprecated_at timestamp without time zone,
    CONSTRAINT digital_twin_models_pkey PRIMARY KEY (model_id),
    CONSTRAINT digital_twin_models_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT digital_twin_models_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX digital_twin_models_scenario_idx ON digital_twin_models (brand, dgp_type);

CREATE TABLE digital_twins (
    twin_id text NOT NULL,
    model_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    twin_type text NOT NULL,
    features text NOT NULL,
    baseline_behavior double precision NOT NULL,
    metadata text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    CONSTRAINT digital_twins_pkey PRIMARY KEY (twin_id),
    CONSTRAINT digital_twins_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT digital_twins_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT digital_twins_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX digital_twins_scenario_idx ON digital_twins (brand, dgp_type);
CREATE INDEX digital_twins_model_id_idx ON digital_twins (model_id);

CREATE TABLE twin_populations (
    population_id text NOT NULL,
    model_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    twin_count integer NOT NULL,
    filters_applied text NOT NULL,
    reference_count integer NOT NULL,
    exact_copy_rate double precision NOT NULL,
    created_at timestamp without time zone NOT NULL,
    expires_at timestamp without time zone,
    CONSTRAINT twin_populations_pkey PRIMARY KEY (population_id),
    CONSTRAINT twin_populations_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT twin_populations_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT twin_populations_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX twin_populations_scenario_idx ON twin_populations (brand, dgp_type);
CREATE INDEX twin_populations_model_id_idx ON twin_populations (model_id);

CREATE TABLE twin_population_members (
    member_id text NOT NULL,
    population_id text NOT NULL,
    twin_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    CONSTRAINT twin_population_members_pkey PRIMARY KEY (member_id),
    CONSTRAINT twin_population_members_natural_key UNIQUE (population_id, twin_id),
    CONSTRAINT twin_population_members_population_id_fkey FOREIGN KEY (population_id) REFERENCES twin_populations (population_id),
    CONSTRAINT twin_population_members_twin_id_fkey FOREIGN KEY (twin_id) REFERENCES digital_twins (twin_id),
    CONSTRAINT twin_population_members_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT twin_population_members_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX twin_population_members_scenario_idx ON twin_population_members (brand, dgp_type);
CREATE INDEX twin_population_members_population_id_idx ON twin_population_members (population_id);
CREATE INDEX twin_population_members_twin_id_idx ON twin_population_members (twin_id);

CREATE TABLE simulation_runs (
    simulation_id text NOT NULL,
    population_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    intervention_type text NOT NULL,
    intervention_config text NOT NULL,
    filters text NOT NULL,
    run_status text NOT NULL,
    n_twins integer NOT NULL,
    simulated_ate double precision NOT NULL,
    ci_lower double precision NOT NULL,
    ci_upper double precision NOT NULL,
    true_ate double precision,
    abs_error double precision,
    ci_covers_truth boolean,
    n_real_hcps integer NOT NULL,
    results text NOT NULL,
    recommendation text NOT NULL,
    recommendation_reason text NOT NULL,
    started_at timestamp without time zone NOT NULL,
    completed_at timestamp without time zone NOT NULL,
    error_message text,
    plugin_ate double precision,
    correction double precision,
    extrapolated boolean,
    support_note text,
    CONSTRAINT simulation_runs_pkey PRIMARY KEY (simulation_id),
    CONSTRAINT simulation_runs_population_id_fkey FOREIGN KEY (population_id) REFERENCES twin_populations (population_id),
    CONSTRAINT simulation_runs_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT simulation_runs_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT simulation_runs_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'))
);
CREATE INDEX simulation_runs_scenario_idx ON simulation_runs (brand, dgp_type);
CREATE INDEX simulation_runs_population_id_idx ON simulation_runs (population_id);

CREATE TABLE fidelity_tracking (
    tracking_id text NOT NULL,
    model_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    hcp_id text NOT NULL,
    source text NOT NULL,
    intervention_type text,
    assigned boolean NOT NULL,
    predicted_value double precision NOT NULL,
    actual_value double precision NOT NULL,
    error double precision NOT NULL,
    metric text NOT NULL,
    tracked_at timestamp without time zone NOT NULL,
    CONSTRAINT fidelity_tracking_pkey PRIMARY KEY (tracking_id),
    CONSTRAINT fidelity_tracking_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT fidelity_tracking_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT fidelity_tracking_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT fidelity_tracking_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'))
);
CREATE INDEX fidelity_tracking_scenario_idx ON fidelity_tracking (brand, dgp_type);
CREATE INDEX fidelity_tracking_model_id_idx ON fidelity_tracking (model_id);

CREATE TABLE fidelity_snapshots (
    snapshot_id text NOT NULL,
    model_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    population_id text,
    source text NOT NULL,
    mae double precision NOT NULL,
    rmse double precision NOT NULL,
    correlation double precision NOT NULL,
    coverage_95pct double precision NOT NULL,
    sample_size integer NOT NULL,
    retrain boolean NOT NULL,
    warn boolean NOT NULL,
    investigate boolean NOT NULL,
    drift_reasons text NOT NULL,
    snapshot_date date NOT NULL,
    intervention_type text,
    CONSTRAINT fidelity_snapshots_pkey PRIMARY KEY (snapshot_id),
    CONSTRAINT fidelity_snapshots_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT fidelity_snapshots_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT fidelity_snapshots_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT fidelity_snapshots_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'))
);
CREATE INDEX fidelity_snapshots_scenario_idx ON fidelity_snapshots (brand, dgp_type);
CREATE INDEX fidelity_snapshots_model_id_idx ON fidelity_snapshots (model_id);

CREATE TABLE policy_evaluations (
    evaluation_id text NOT NULL,
    model_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    intervention_type text NOT NULL,
    intervention_config text NOT NULL,
    filters text NOT NULL,
    n_hcps integer NOT NULL,
    budget integer NOT NULL,
    policy_value double precision NOT NULL,
    oracle_value double precision NOT NULL,
    random_value double precision NOT NULL,
    naive_value double precision NOT NULL,
    regret double precision NOT NULL,
    qini double precision,
    uplift_curve text NOT NULL,
    evaluated_at timestamp without time zone NOT NULL,
    CONSTRAINT policy_evaluations_pkey PRIMARY KEY (evaluation_id),
    CONSTRAINT policy_evaluations_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT policy_evaluations_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT policy_evaluations_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT policy_evaluations_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'))
);
CREATE INDEX policy_evaluations_scenario_idx ON policy_evaluations (brand, dgp_type);
CREATE INDEX policy_evaluations_model_id_idx ON policy_evaluations (model_id);

CREATE TABLE validation_results (
    result_id text NOT NULL,
    run_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    table_name text NOT NULL,
    check_name text NOT NULL,
    passed boolean NOT NULL,
    message text NOT NULL,
    figures text NOT NULL,
    checked_at timestamp without time zone NOT NULL,
    CONSTRAINT validation_results_pkey PRIMARY KEY (result_id),
    CONSTRAINT validation_results_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT validation_results_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX validation_results_scenario_idx ON validation_results (brand, dgp_type);
