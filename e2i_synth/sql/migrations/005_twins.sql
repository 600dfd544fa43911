-- 005: the twin domain: the HCP intervention history and its exact truth
-- (hcp_intervention_history, intervention_ground_truth) and the source design's
-- digital twin tables, in FK order. Keys lead only between these tables.

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
    CONSTRAINT intervention_ground_truth_pkey PRIMARY KEY (truth_id),
    CONSTRAINT intervention_ground_truth_natural_key UNIQUE (brand, dgp_type, intervention_type, subgroup_column, subgroup_value),
    CONSTRAINT intervention_ground_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT intervention_ground_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT intervention_ground_truth_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'))
);
CREATE INDEX intervention_ground_truth_scenario_idx ON intervention_ground_truth (brand, dgp_type);

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
    CONSTRAINT fidelity_snapshots_pkey PRIMARY KEY (snapshot_id),
    CONSTRAINT fidelity_snapshots_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT fidelity_snapshots_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT fidelity_snapshots_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX fidelity_snapshots_scenario_idx ON fidelity_snapshots (brand, dgp_type);
CREATE INDEX fidelity_snapshots_model_id_idx ON fidelity_snapshots (model_id);
