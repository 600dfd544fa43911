-- 020: twins that earn their name. simulation_runs stores a simulation's doubly robust
-- estimate in its parts (simulated_ate = plugin_ate + correction: the twins' mean model
-- effect and the history's correction) and whether it was extrapolated beyond the
-- history's support (dose or target population), with why. The world's experiment is one
-- multi-arm randomized experiment (each HCP in one arm): fidelity_snapshots names the arm
-- an experiment snapshot scores. intervention_unit_truth is the per-HCP answer key, apart
-- from every table an analysis reads. policy_evaluations scores twin targeting against
-- truth; intervention_ground_truth states each DGP's truth and identification. New columns
-- are NULL in rows stored before.

ALTER TABLE simulation_runs ADD COLUMN plugin_ate double precision;
ALTER TABLE simulation_runs ADD COLUMN correction double precision;
ALTER TABLE simulation_runs ADD COLUMN extrapolated boolean;
ALTER TABLE simulation_runs ADD COLUMN support_note text;

ALTER TABLE fidelity_snapshots ADD COLUMN intervention_type text;
ALTER TABLE fidelity_snapshots ADD CONSTRAINT fidelity_snapshots_intervention_type_check
    CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'));

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

-- Targeting scored against truth (e2i_synth.twins.policy).
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


-- The HCP layer differs by DGP: its truth states what the DGP makes the effect and what
-- identifies it.
ALTER TABLE intervention_ground_truth ADD COLUMN truth_statement text;
ALTER TABLE intervention_ground_truth ADD COLUMN identification text;
