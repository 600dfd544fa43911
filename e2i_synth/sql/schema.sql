-- e2i_synth warehouse schema (PostgreSQL). Generated from the table specs:
-- python -m e2i_synth.warehouse.ddl > e2i_synth/sql/schema.sql

CREATE TABLE hcp_profiles (
    -- The HCP's key, e.g. KIS-CF-H0000042: the scenario's code and the HCP's index in the panel, the same however the scenario is chunked.
    hcp_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- A fictional name, 'Dr. ' and a first and last name from Faker's en_US vocabulary (500 of each, indexed per HCP); identifies nobody.
    hcp_name text NOT NULL,
    -- The HCP's specialty, one of the brand's own specialties, drawn uniformly per HCP.
    specialty text NOT NULL,
    -- Where the HCP practises: academic_medical_center 25%, community_hospital 30%, private_practice 25%, group_practice 20%.
    practice_type text NOT NULL,
    -- small, medium or large, uniformly; academic medical centers are always large.
    practice_size text NOT NULL,
    -- The US census region of the practice, drawn with shares northeast 18%, midwest 21%, south 38%, west 23%; the HCP's patients share it.
    region text NOT NULL,
    -- A US state of the HCP's region (two-letter code), uniformly among the region's states.
    state text NOT NULL,
    -- 1 to 10: the decile of total_patient_volume over the whole panel (10 holds the highest-volume HCPs; ties broken by position).
    decile integer NOT NULL,
    -- 1 to 4 from the decile: 1 for deciles 9-10, 2 for 7-8, 3 for 4-6, 4 below.
    priority_tier integer NOT NULL,
    -- Years in practice, uniform on 1 to 40; causes nothing.
    years_experience integer NOT NULL,
    -- True where practice_type is academic_medical_center; a confounder of engagement and initiation through the patients' academic_hcp.
    academic_hcp boolean NOT NULL,
    -- Patients the HCP sees: the scenario's patients assigned to the HCP (target_patient_volume) plus a Poisson number outside the scenario with the brand's mean.
    total_patient_volume integer NOT NULL,
    -- The scenario's patients whose HCP this is: each patient picks an HCP with probability proportional to the HCP's lognormal volume (the brand's sigma), so patients concentrate on some HCPs.
    target_patient_volume integer NOT NULL,
    -- 0 to 10 (two decimals): 10 x Beta(2, 3); causes nothing.
    digital_engagement_score double precision NOT NULL,
    -- in_person 35%, email 30%, phone 15%, web 15%, conference 5%; causes nothing.
    preferred_channel text NOT NULL,
    -- Days since the last field interaction, uniform on 0 to 180; causes nothing.
    last_interaction_days integer NOT NULL,
    -- Field interactions per month, Gamma(2, 1.5) (two decimals); causes nothing.
    interaction_frequency double precision NOT NULL,
    -- innovator 3%, early_adopter 13%, early_majority 34%, late_majority 34%, laggard 16%; drives the twins' delivery history and effects.
    adoption_stage text NOT NULL,
    -- 0 to 10 (two decimals): 10 x Beta(2, 5); causes nothing.
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
    -- The patient's key, e.g. KIS-CF-P0000042: the scenario's code and the patient's index (the unit of every causal figure).
    patient_id text NOT NULL,
    -- The patient's HCP: the patient's own uniform read through the panel's cumulative volume.
    hcp_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- Years, Normal(the brand's mean age, 13) rounded and clipped to 18-90 (means 42 remibrutinib, 45 fabhalta, 58 kisqali); a confounder in selection_bias.
    age_at_diagnosis integer NOT NULL,
    -- female or male; the female share is the brand's (kisqali 99%, remibrutinib 68%, fabhalta 55%); causes nothing.
    gender text NOT NULL,
    -- The HCP's census region (northeast, midwest, south, west); the effect modifier of heterogeneous (CATE 0.10 / 0.20 / 0.30 / 0.40).
    region text NOT NULL,
    -- commercial, medicare, medicaid or uninsured: from 65 on Medicare 78%, commercial 15%, Medicaid 5%, uninsured 2%; below 65 commercial 66%, Medicaid 22%, uninsured 8%, Medicare 4%. Causes nothing.
    insurance_type text NOT NULL,
    -- 0 to 10 (one decimal): 10 x Beta of the brand's shape (means 4.3 remibrutinib, 6.0 fabhalta, 5.4 kisqali); the main confounder of engagement and initiation.
    disease_severity double precision NOT NULL,
    -- 0 to 6: Binomial(6, the brand's rate: 0.18 remibrutinib, 0.35 fabhalta, 0.40 kisqali); a cause of initiation, and a confounder in confounded.
    comorbidity_count integer NOT NULL,
    -- Whether the patient's HCP practises at an academic medical center (hcp_profiles.academic_hcp); a confounder in confounded and selection_bias.
    academic_hcp boolean NOT NULL,
    -- 0 to 10 (two decimals): 5 x engaged + 4.99 x Beta(2, 2), so it is at least 5 exactly when engaged. A trap: the treatment's deterministic proxy; adjusting for it blocks the effect.
    engagement_score double precision NOT NULL,
    -- The treatment: whether the patient's HCP received a patient-linked engagement on the index date. Drawn as a uniform below the patient's propensity (unit_truth.true_propensity), a logistic model of the DGP's covariates; with a dose, dose > 0.
    engaged boolean NOT NULL,
    -- The outcome: whether the patient initiated therapy within 120 days of the index date (one uniform below the outcome probability of the patient's arm, shared by both arms). NULL where the outcome went unrecorded (selection) or the window was still open at the data cut without an initiation (censor, stories).
    treatment_initiated boolean,
    -- Days from journey_start_date to the initiation; NULL when the patient did not initiate or the outcome is unknown. A trap: a function of the outcome.
    days_to_treatment integer,
    -- Where the journey stands on the outcome date: treatment_naive (no initiation), initiated, maintenance (refilled) or discontinued (stopped); NULL where the outcome is unknown. A trap: a function of the outcome.
    journey_stage text,
    -- Diagnosis date: uniform over 2024-01-01 to 2025-06-30, or from the brand's launch on with a linearly rising density (remibrutinib); never before the launch.
    journey_start_date date NOT NULL,
    -- The date engagement is decided (and recorded, for engaged patients): journey_start_date plus 7 to 45 days, uniformly. Follow-up runs 120 days from it.
    index_date date NOT NULL,
    -- The patient's split: train, validation, test or holdout, exactly 12/4/3/1 in every block of 20 consecutive patients (60/20/15/5); every row of the patient in every table carries it.
    data_split text NOT NULL,
    -- The instrument of variants with the instrument knob: a fair coin per patient (its own stream) that raises the engagement logit by the knob's value and never touches the outcome. NULL in other scenarios.
    territory_rep_assigned boolean,
    -- The front-door mediator of variants with the mediator knob: on with probability 0.1, plus the knob's value when engaged; the whole effect passes through it. NULL in other scenarios.
    support_program_enrolled boolean,
    -- The engagement's intensity in variants with the dose knob: 0 exactly when not engaged, else 1 to K, drawn by an ordered logit at the logit of the propensity (confounded like engagement). NULL in other scenarios.
    engagement_dose integer,
    -- The second engagement decision of variants with the feedback knob, 30 days after the index date: logit -1 + 8 (activity/10 - 1/2) + engaged. NULL in other scenarios.
    engaged_day30 boolean,
    -- 0 to 10: the disease activity measured again at day 30 in variants with the feedback knob (severity plus a drift of up to +/-3, lowered by 3 x the knob where engaged); it confounds the second engagement and carries part of the first one's effect. NULL in other scenarios.
    disease_activity_day30 double precision,
    -- Variants with outcome_types: the share of the 121-day follow-up window covered by supply (a month per fill from initiation; 0 without initiation), a continuous outcome. NULL elsewhere.
    days_covered_share double precision,
    -- Variants with outcome_types: refills in the follow-up window (0 without initiation), a count outcome. NULL elsewhere.
    refill_count integer,
    -- Variants with outcome_types: days from the index date to initiation, or to censoring (loss to follow-up, or day 120, the window's end) where initiation_event is false. NULL elsewhere.
    days_to_initiation integer,
    -- Variants with outcome_types: whether days_to_initiation ends in initiation (false: censored). NULL elsewhere.
    initiation_event boolean,
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
    -- The event's key: the patient's key with T and the event's rank in the journey, e.g. KIS-CF-T0000042-3.
    event_id text NOT NULL,
    -- The patient whose journey the event belongs to.
    patient_id text NOT NULL,
    -- The patient's HCP.
    hcp_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The diagnosis on journey_start_date; the prescription on the initiation date; refills every 30 days after it; a stop (switch or discontinuation) 30 days after the last refill. All before the outcome date and the data cut.
    event_date date NOT NULL,
    -- diagnosis (every patient, first), prescription (the initiation), refill (Geometric(0.35) - 1 of them, as many as fit before the outcome date), then with probability 0.25 a stop: switch (40%) or discontinuation.
    event_type text NOT NULL,
    -- 1, 2 or 3 (60/30/10%), one per patient; causes nothing.
    line_of_therapy integer NOT NULL,
    -- The patient's split.
    data_split text NOT NULL,
    -- The brand's presentation the patient is on, drawn per patient with the catalog's shares (kisqali has four, fabhalta and remibrutinib one each); NULL on the diagnosis.
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
    -- The engagement's key: E and the patient's index for the index engagement, F for the day-30 one (feedback), EH with the HCP's index and rank for field activity.
    engagement_id text NOT NULL,
    -- The HCP engaged.
    hcp_id text NOT NULL,
    -- The engaged patient, for the patient-linked engagements that are the treatment; NULL for HCP-level field activity, which causes nothing in the scenario.
    patient_id text,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- What was delivered, uniformly among the five interventions (email_campaign, call_frequency_increase, speaker_program_invitation, educational_content_share, peer_to_peer_referral); the type does not change the effect.
    intervention_type text NOT NULL,
    -- The intervention's channel: email for email_campaign, phone for call_frequency_increase, conference for speaker_program_invitation, web for educational_content_share, in_person for peer_to_peer_referral.
    channel text NOT NULL,
    -- The patient's index date (30 days later for the day-30 engagement); field activity about 20 dates per HCP (Poisson), uniform from the brand's launch to 2025-06-30.
    engagement_date date NOT NULL,
    -- The patient's split; NULL for field activity (HCPs are shared context, not units).
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
    -- The outcome's key: O and the patient's index.
    outcome_id text NOT NULL,
    -- The patient whose outcome it is (one row per patient).
    patient_id text NOT NULL,
    -- The patient's HCP.
    hcp_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- When the outcome is assessed: index date + 121 days, or the data cut when that comes first.
    outcome_date date NOT NULL,
    -- Always treatment_initiation.
    outcome_type text NOT NULL,
    -- 1.0 if the patient initiated within the window, else 0.0: patient_journeys.treatment_initiated as a number; NULL where the outcome is unknown (selection, censoring).
    outcome_value double precision,
    -- The patient's split.
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
    -- The prediction's key: M and the patient's index.
    prediction_id text NOT NULL,
    -- The patient scored (one prediction per patient).
    patient_id text NOT NULL,
    -- The patient's HCP.
    hcp_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- Always initiation_propensity.
    model_name text NOT NULL,
    -- The scoring model's version (v2.0).
    model_version text NOT NULL,
    -- When the patient was scored: a uniform moment between journey start and the index date, so predictions can drive engagement.
    prediction_date timestamp without time zone NOT NULL,
    -- 0 to 1 (four decimals): a logistic regression of recorded initiation on the observed covariates (severity, comorbidities, academic HCP, age, region), fitted on the train split of the scenario's first 20,000 patients. Not the world's own probability: it holds nothing of a hidden confounder the covariates do not.
    predicted_probability double precision NOT NULL,
    -- predicted_probability >= 0.5.
    predicted_label boolean NOT NULL,
    -- The patient's split.
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
    -- The trigger's key: G and the patient's index.
    trigger_id text NOT NULL,
    -- The HCP alerted (the prediction's).
    hcp_id text NOT NULL,
    -- The patient the alert is about.
    patient_id text NOT NULL,
    -- The prediction that raised it (at or above 0.45).
    prediction_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- initiation_opportunity, engagement_gap or next_best_action, uniformly.
    trigger_type text NOT NULL,
    -- high from a predicted probability of 0.7, medium from 0.55, else low.
    priority text NOT NULL,
    -- pending 30%, delivered 30%, accepted 25%, dismissed 15%; causes nothing.
    status text NOT NULL,
    -- 1 minute to 7 days (uniform) after the prediction.
    created_at timestamp without time zone NOT NULL,
    -- The patient's split.
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
    -- The series point's key: K and the row's number within the scenario.
    metric_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The census region the series covers.
    region text NOT NULL,
    -- trx, nrx (volumes), market_share (a share), conversion_rate (a rate) or hcp_engagement_score (a 0-10 score).
    metric_name text NOT NULL,
    -- The metric's kind: volume, share, rate or score.
    metric_type text NOT NULL,
    -- The month (its first day), from 2023-01 or the brand's launch month to 2025-06, consecutive.
    metric_date date NOT NULL,
    -- The month's figure: TRx is the plan times 3% noise (80% of plan in the named under-performer from its start month: scenario_signals); NRx all of TRx in the launch month, falling toward about 22% of TRx as patients refill; conversion_rate and hcp_engagement_score are the world's own where the series overlaps the journeys.
    value double precision NOT NULL,
    -- The plan: the brand's level, the region's share, 10% yearly growth, the seasonality 1 + 0.08 sin(2 pi (month - 1) / 12) and the launch uptake (Bass, catalog.Uptake).
    target double precision NOT NULL,
    -- value / target.
    achievement_rate double precision NOT NULL,
    -- Relative change against the same month a year before; NULL where there is none.
    yoy_change double precision,
    -- Relative change against the previous month; NULL for the first month.
    mom_change double precision,
    -- Volumes only: revenue of the gap to plan per dollar of the month's engagement spend, (value - target) x revenue per Rx / (engagements x 180 USD); NULL for other metrics.
    roi double precision,
    -- Two-sided p-value of value against target with the metric's standard error (Poisson for volumes, binomial for shares and rates, sd/sqrt(n) for scores).
    statistical_significance double precision NOT NULL,
    -- value - 1.96 SE (bounded by the metric's range).
    confidence_interval_lower double precision NOT NULL,
    -- value + 1.96 SE (bounded by the metric's range).
    confidence_interval_upper double precision NOT NULL,
    -- The count behind the figure (prescriptions, patients or HCPs).
    sample_size integer NOT NULL,
    -- Split by time within each series: the earliest 60% of months train, then validation, test and holdout, so no future month trains a model judged on the past.
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
    -- The group's key within the scenario.
    group_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- hcp_demographics, patient_features, brand_performance or causal_features.
    group_name text NOT NULL,
    -- What a value of the group describes: hcp, patient or brand_region.
    entity_type text NOT NULL,
    -- What the group holds, from the catalog.
    description text NOT NULL,
    CONSTRAINT feature_groups_pkey PRIMARY KEY (group_id),
    CONSTRAINT feature_groups_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT feature_groups_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT feature_groups_group_name_check CHECK (group_name IN ('hcp_demographics', 'patient_features', 'brand_performance', 'causal_features')),
    CONSTRAINT feature_groups_entity_type_check CHECK (entity_type IN ('hcp', 'patient', 'brand_region'))
);
CREATE INDEX feature_groups_scenario_idx ON feature_groups (brand, dgp_type);

CREATE TABLE features (
    -- The feature's key within the scenario.
    feature_id text NOT NULL,
    -- The feature's group.
    group_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- One of the catalog's 15 features (e.g. disease_severity, patient_volume_monthly, trx_30d, outcome_probability).
    feature_name text NOT NULL,
    -- How to parse feature_values.value: float, int, category or bool.
    value_type text NOT NULL,
    -- hcp, patient or brand_region: the keys feature_values.entity_values holds.
    entity_type text NOT NULL,
    -- What the feature measures, from the catalog.
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
    -- The value's key within the scenario.
    value_id text NOT NULL,
    -- The feature the value belongs to.
    feature_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The entity as JSON: {"patient_id": ...}, {"hcp_id": ...} or {"brand": ..., "region": ...}.
    entity_values text NOT NULL,
    -- The value as JSON text, typed by features.value_type. Patient values are the patient's own at the index date; treatment_propensity and outcome_probability are model scores fitted on the train split. outcome_probability is a trap: it has engaged among its inputs.
    value text NOT NULL,
    -- When the value was observed: the patient's index date, 2024-01-01 or the brand's launch month if later for static HCP features, each month from then to 2025-06 for patient_volume_monthly, the day after each month closes for brand KPIs.
    event_timestamp timestamp without time zone NOT NULL,
    -- fresh (within 30 days of 2025-07-01), stale (within 180) or expired.
    freshness_status text NOT NULL,
    -- The patient's split for patient features; NULL for HCP and brand features.
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
    -- The patient (one row per patient_journeys row).
    patient_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The potential outcome unengaged: the patient's outcome uniform below p0 (for feedback: engaged at neither time).
    y0 boolean NOT NULL,
    -- The potential outcome engaged, from the same uniform (common random numbers, so y1 >= y0); with a dose, the outcome at the patient's dose if engaged; for feedback, engaged at both times.
    y1 boolean NOT NULL,
    -- The probability of engagement the world drew from (0 to 1, clipped by the DGP): the logistic model of the DGP's covariates (and the hidden confounder or instrument where a variant has one).
    true_propensity double precision NOT NULL,
    -- y1 - y0: 0 or 1 (-1 never happens: common random numbers). Every true_ate is a mean of it.
    individual_effect integer NOT NULL,
    -- p1 - p0: the effect expected for the patient's covariates (expected_ate is its mean).
    cate double precision NOT NULL,
    -- The patient's split, to score on one split without a join.
    data_split text NOT NULL,
    -- The unobserved confounder U of variants with the hidden knob, uniform on [0, 1]: it moves both the propensity and the baseline. NULL elsewhere.
    hidden_confounder double precision,
    -- Variants with an instrument: whether the patient would be engaged with territory_rep_assigned off (the same uniform decides both). NULL elsewhere.
    engaged_if_unassigned boolean,
    -- Variants with an instrument: whether the patient would be engaged with territory_rep_assigned on; compliers are engaged only if assigned. NULL elsewhere.
    engaged_if_assigned boolean,
    -- Variants with a dose: the patient's dose if engaged, 1 to K. NULL elsewhere.
    dose_if_engaged integer,
    -- Variants with a dose: a JSON list of the potential outcomes Y(0), ..., Y(K) (0/1, one outcome uniform for every dose). NULL elsewhere.
    dose_outcomes text,
    -- Variants with selection or censoring: whether the outcome would be recorded if unengaged. NULL elsewhere.
    observed_if_unengaged boolean,
    -- Variants with selection or censoring: whether the outcome would be recorded if engaged (one uniform decides both). NULL elsewhere.
    observed_if_engaged boolean,
    -- Variants with a mediator: whether the patient would enrol in the support program unengaged. NULL elsewhere.
    enrolled_if_unengaged boolean,
    -- Variants with a mediator: whether the patient would enrol engaged (one uniform for both); the outcome moves only where the two differ. NULL elsewhere.
    enrolled_if_engaged boolean,
    -- Variants with outcome_types: days from the index date to initiation (121: none in the window) if unengaged. NULL elsewhere.
    days_to_initiation_if_unengaged integer,
    -- Variants with outcome_types: days from the index date to initiation (121: none in the window) if engaged. NULL elsewhere.
    days_to_initiation_if_engaged integer,
    -- Variants with outcome_types: refills in the window if unengaged. NULL elsewhere.
    refill_count_if_unengaged integer,
    -- Variants with outcome_types: refills in the window if engaged. NULL elsewhere.
    refill_count_if_engaged integer,
    -- Variants with outcome_types: days of the window covered if unengaged. NULL elsewhere.
    days_covered_if_unengaged integer,
    -- Variants with outcome_types: days of the window covered if engaged. NULL elsewhere.
    days_covered_if_engaged integer,
    CONSTRAINT unit_truth_pkey PRIMARY KEY (patient_id),
    CONSTRAINT unit_truth_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT unit_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT unit_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT unit_truth_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX unit_truth_scenario_idx ON unit_truth (brand, dgp_type);
CREATE INDEX unit_truth_patient_id_idx ON unit_truth (patient_id);

CREATE TABLE causal_ground_truth (
    -- The row's key: TRUTH- and the row's number within the scenario (0 is the overall row).
    truth_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- NULL on the overall row; region on the per-region rows of heterogeneous.
    segment_column text,
    -- NULL on the overall row; the region of a per-region row.
    segment_value text,
    -- The exact ATE of the sample (risk difference): the mean of unit_truth.individual_effect over the patients the row covers; for feedback the always-vs-never regime contrast.
    true_ate double precision NOT NULL,
    -- The mean of unit_truth.cate over the row's patients: the effect expected for their covariates.
    expected_ate double precision NOT NULL,
    -- Always risk_difference.
    effect_scale text NOT NULL,
    -- Where the treatment is: patient_journeys.
    treatment_table text NOT NULL,
    -- The treatment column: engaged.
    treatment_column text NOT NULL,
    -- The outcome column: treatment_initiated.
    outcome_column text NOT NULL,
    -- DoWhy's efficient backdoor adjustment set on graph_dot (with a hidden confounder: the observed causes of the outcome, which do not identify the effect).
    adjustment_columns text[] NOT NULL,
    -- Days after the index date before the effect starts (30 in time_series, else 0).
    lag_days integer NOT NULL,
    -- Patients the row covers.
    n_units integer NOT NULL,
    -- Engaged patients the row covers.
    n_treated integer NOT NULL,
    -- The root seed the scenario was drawn with.
    seed bigint NOT NULL,
    -- The causal graph as DOT text, traps and unobserved nodes included, so any tool can identify the effect without this code.
    graph_dot text NOT NULL,
    -- The DGP in words, the segment and the variant's label where there is one.
    description text NOT NULL,
    -- The generator version that drew the row; the same seed and version give the same bytes.
    generator_version text NOT NULL,
    -- The exact effect on the engaged patients of the row; NULL where it has none.
    true_att double precision,
    -- The exact effect on the unengaged patients of the row; NULL where it has none.
    true_atc double precision,
    -- JSON [{column, role, why, table?}]: columns that look like confounders but descend from the treatment or the outcome (engagement_score, journey_stage, days_to_treatment, the store's outcome_probability; outcome_observed under selection). Adjust for none of them.
    traps text NOT NULL,
    -- JSON [{name, columns}]: the efficient set with the other valid sets worth naming (minimal, treatment_causes); [] where no observed set is valid. NULL in rows stored before migration 009.
    valid_adjustment_sets text,
    -- JSON: how the estimands are identified: unobserved nodes, whether a backdoor set is valid, the routes (instrument, frontdoor, g_formula) and the selection or censoring entries.
    identification text,
    -- Variants with an instrument: the compliers' exact mean effect, what an IV estimator identifies. NULL elsewhere.
    true_late double precision,
    -- Variants with an instrument: patients engaged if assigned and not otherwise. NULL elsewhere.
    n_compliers integer,
    -- Variants with a dose: JSON [{dose, mean_outcome, effect_vs_0}] for every dose 0..K, exact means of unit_truth.dose_outcomes. NULL elsewhere.
    dose_response text,
    -- Variants with selection or censoring: the observed population's effect, what a complete-case contrast estimates under randomized engagement. NULL elsewhere.
    true_ate_observed double precision,
    -- Variants with selection or censoring: patients whose outcome is recorded. NULL elsewhere.
    n_observed integer,
    -- The data cut: no date or timestamp of any table is after it (the data_cut check). 2025-12-31, that many days earlier with censor, a story's own cut in stories; NULL in rows stored before migration 016.
    data_cut_date date,
    -- Variants with censoring and stories: the effect on the patients whose 120-day window closed by the cut (index_date + 121 days on or before data_cut_date). NULL elsewhere.
    true_ate_followed double precision,
    -- Variants with censoring and stories: patients whose window closed by the cut. NULL elsewhere.
    n_followed integer,
    -- Variants with outcome_types: the mean effect on days_covered_share, exact over the row's units. NULL elsewhere.
    true_ate_days_covered_share double precision,
    -- Variants with outcome_types: the mean effect on refill_count, exact over the row's units. NULL elsewhere.
    true_ate_refill_count double precision,
    -- Variants with outcome_types: the effect on the share not yet initiated 30 days after the index date (engaged minus unengaged survival), exact over the row's units. NULL elsewhere.
    true_survival_diff_30 double precision,
    -- Variants with outcome_types: the effect on the share not yet initiated 90 days after the index date (engaged minus unengaged survival), exact over the row's units. NULL elsewhere.
    true_survival_diff_90 double precision,
    -- Variants with outcome_types: the effect on the restricted mean time without initiation over days [0, 120] (engaged minus unengaged RMST, in days), exact over the row's units. NULL elsewhere.
    true_rmst_diff double precision,
    CONSTRAINT causal_ground_truth_pkey PRIMARY KEY (truth_id),
    CONSTRAINT causal_ground_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT causal_ground_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX causal_ground_truth_scenario_idx ON causal_ground_truth (brand, dgp_type);

CREATE TABLE scenario_signals (
    -- The signal's key within the scenario.
    signal_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- underperformer (a gap analyzer should find it), seasonality (stated) or drift (a drift monitor should flag it and nothing else).
    signal_type text NOT NULL,
    -- Where the signal is: business_metrics or feature_values.
    table_name text NOT NULL,
    -- The metric (trx) or the drifted feature (prior_treatment_count or patient_volume_monthly).
    subject text NOT NULL,
    -- The under-performing region; NULL for the others.
    region text,
    -- When the under-performance or drift starts (the under-performance between 2024-07 and 2025-01); NULL for seasonality.
    start_date date,
    -- The under-performer's share of plan (0.8), the seasonal amplitude (0.08) or the drift's ratio of means after to before.
    magnitude double precision NOT NULL,
    -- The signal in words.
    description text NOT NULL,
    CONSTRAINT scenario_signals_pkey PRIMARY KEY (signal_id),
    CONSTRAINT scenario_signals_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT scenario_signals_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT scenario_signals_signal_type_check CHECK (signal_type IN ('underperformer', 'seasonality', 'drift')),
    CONSTRAINT scenario_signals_region_check CHECK (region IN ('northeast', 'midwest', 'south', 'west'))
);
CREATE INDEX scenario_signals_scenario_idx ON scenario_signals (brand, dgp_type);

CREATE TABLE hcp_intervention_history (
    -- The row's key: the HCP and the period.
    history_id text NOT NULL,
    -- The HCP (an hcp_profiles key; no foreign key: the table is rebuilt downstream).
    hcp_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- 0 to 5: the quarterly delivery period.
    period_index integer NOT NULL,
    -- The period's first day: 2024-01-01 plus 91 days per period.
    period_start date NOT NULL,
    -- Whether an intervention was delivered; reps favoured high-decile, tier-1 and early-adopter HCPs, who also grow faster untreated (the naive contrast is biased upward).
    treated boolean NOT NULL,
    -- What was delivered, with the catalog's delivery shares; NULL when nothing was.
    intervention_type text,
    -- The intervention's channel; NULL when nothing was delivered.
    channel text,
    -- weekly, biweekly, monthly or quarterly, uniformly; NULL when nothing was delivered.
    frequency text,
    -- Delivery intensity, uniform on 0.5 to 1.5 (two decimals); NULL when nothing was delivered.
    intensity double precision,
    -- Weeks of delivery, 4 to 24; 0 when nothing was delivered.
    duration_weeks integer NOT NULL,
    -- Monthly TRx before the period: 0.5 per patient of total_patient_volume.
    trx_before double precision NOT NULL,
    -- trx_before x (1 + prescribing_change).
    trx_after double precision NOT NULL,
    -- The outcome: the relative change of monthly TRx over the 12 weeks after the period: the untreated draw plus the true effect at the delivered dose.
    prescribing_change double precision NOT NULL,
    -- The HCP's split (all of an HCP's rows share it): twins train on train and validation, fidelity scores on test.
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
    -- The row's key: scenario, intervention, subgroup column and value.
    truth_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The intervention the row states.
    intervention_type text NOT NULL,
    -- all for the overall row, or the effect modifier the row is cut by: specialty, priority_tier, region or adoption_stage.
    subgroup_column text NOT NULL,
    -- The modifier's value (all for the overall row).
    subgroup_value text NOT NULL,
    -- HCPs in the subgroup.
    n_hcps integer NOT NULL,
    -- The reference dose's intensity (1.0) the effect is stated at.
    intensity double precision NOT NULL,
    -- The reference dose's duration (12 weeks).
    duration_weeks integer NOT NULL,
    -- The exact mean effect on prescribing_change of the intervention at the reference dose over the subgroup's HCPs: base effect x modifiers.
    true_ate double precision NOT NULL,
    -- The subgroup's mean untreated outcome.
    mean_y0 double precision NOT NULL,
    -- mean_y0 + true_ate.
    mean_y1 double precision NOT NULL,
    -- Treated minus untreated mean outcome of the history, unadjusted: what a naive analysis reports; NULL where an arm is empty.
    naive_contrast double precision,
    -- The history's treatment column (intervention_type).
    treatment_column text NOT NULL,
    -- The history's outcome column (prescribing_change).
    outcome_column text NOT NULL,
    -- The delivery drivers to adjust for, comma-separated: decile, priority_tier, adoption_stage.
    adjustment_columns text NOT NULL,
    -- The effect modifiers, comma-separated.
    effect_modifiers text NOT NULL,
    -- The dose formula: intensity ** 0.7 x (1 - exp(-weeks / 8)) / (1 - exp(-12 / 8)).
    dose_response text NOT NULL,
    -- The root seed.
    seed integer NOT NULL,
    -- The generator version that drew the row.
    generator_version text NOT NULL,
    -- What the scenario's DGP makes the HCP world (targeting bias, effect modifiers, carry-over, panel attrition) and so what the truth is; NULL before migration 020.
    truth_statement text,
    -- How the effect is identified from the history under this DGP (which adjustment, which design); NULL in rows stored before migration 020.
    identification text,
    CONSTRAINT intervention_ground_truth_pkey PRIMARY KEY (truth_id),
    CONSTRAINT intervention_ground_truth_natural_key UNIQUE (brand, dgp_type, intervention_type, subgroup_column, subgroup_value),
    CONSTRAINT intervention_ground_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT intervention_ground_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT intervention_ground_truth_intervention_type_check CHECK (intervention_type IN ('email_campaign', 'call_frequency_increase', 'speaker_program_invitation', 'educational_content_share', 'peer_to_peer_referral'))
);
CREATE INDEX intervention_ground_truth_scenario_idx ON intervention_ground_truth (brand, dgp_type);

CREATE TABLE intervention_unit_truth (
    -- The row's key: scenario, HCP and intervention.
    unit_truth_id text NOT NULL,
    -- The HCP (an hcp_profiles row; no foreign key: the answer key stands apart).
    hcp_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The intervention the effect is of.
    intervention_type text NOT NULL,
    -- The HCP's exact effect on prescribing_change of the intervention at the reference dose: base effect x the HCP's effect modifiers.
    individual_effect double precision NOT NULL,
    -- The reference dose's intensity the effect is stated at (1.0).
    reference_intensity double precision NOT NULL,
    -- The reference dose's duration in weeks (12).
    reference_duration_weeks integer NOT NULL,
    -- The dose response's exponent: the effect scales with intensity ** intensity_exponent.
    intensity_exponent double precision NOT NULL,
    -- The dose response's time scale: the effect over w weeks grows as 1 - exp(-w / duration_scale_weeks), normalised at the reference duration.
    duration_scale_weeks double precision NOT NULL,
    -- The HCP's split of the twins' history (train or test).
    data_split text NOT NULL,
    -- The root seed.
    seed integer NOT NULL,
    -- The intervention layer's version that drew the row.
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
    -- The twin model's key.
    model_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- hcp (the twins built today), patient or territory.
    twin_type text NOT NULL,
    -- RandomForest, or GradientBoosting where the forest's grouped 5-fold CV R2 is below 0.75.
    model_type text NOT NULL,
    -- baseline_effect (a baseline model of the untreated outcome plus a weighted effect model) or s_learner.
    learner text NOT NULL,
    -- History rows trained on (train and validation HCPs; at least 1,000).
    training_samples integer NOT NULL,
    -- HCPs trained on.
    training_entities integer NOT NULL,
    -- What the model predicts (prescribing_change).
    target_variable text NOT NULL,
    -- JSON list of the model's input features.
    features text NOT NULL,
    -- JSON of the learner's hyperparameters.
    hyperparameters text NOT NULL,
    -- JSON of the cross-validation metrics.
    metrics text NOT NULL,
    -- Mean grouped 5-fold CV R2 (below 0.5 warns).
    cv_r2 double precision NOT NULL,
    -- The MLflow registered model: digital_twin_hcp_<brand>_<dgp>.
    registered_model_name text NOT NULL,
    -- The MLflow run that logged the model; NULL when not logged.
    mlflow_run_id text,
    -- The registered version; NULL when not registered.
    model_version text,
    -- When the model was trained (UTC).
    trained_at timestamp without time zone NOT NULL,
    -- When the model was retired; NULL while current.
    deprecated_at timestamp without time zone,
    CONSTRAINT digital_twin_models_pkey PRIMARY KEY (model_id),
    CONSTRAINT digital_twin_models_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT digital_twin_models_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX digital_twin_models_scenario_idx ON digital_twin_models (brand, dgp_type);

CREATE TABLE digital_twins (
    -- The twin's key.
    twin_id text NOT NULL,
    -- The model that generated it.
    model_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The kind of entity twinned (hcp).
    twin_type text NOT NULL,
    -- JSON of the twin's features, drawn by a smoothed bootstrap over neighbourhoods of training HCPs.
    features text NOT NULL,
    -- The twin's predicted untreated prescribing_change.
    baseline_behavior double precision NOT NULL,
    -- JSON; holds the twin's population_id.
    metadata text NOT NULL,
    -- When the twin was generated (UTC).
    created_at timestamp without time zone NOT NULL,
    CONSTRAINT digital_twins_pkey PRIMARY KEY (twin_id),
    CONSTRAINT digital_twins_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT digital_twins_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT digital_twins_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX digital_twins_scenario_idx ON digital_twins (brand, dgp_type);
CREATE INDEX digital_twins_model_id_idx ON digital_twins (model_id);

CREATE TABLE twin_populations (
    -- The population's key.
    population_id text NOT NULL,
    -- The model that generated it.
    model_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The population's name.
    name text NOT NULL,
    -- The population in words: its size, the training HCPs it was sampled from and the filters.
    description text NOT NULL,
    -- Twins in the population.
    twin_count integer NOT NULL,
    -- JSON of the filters the twins match (e.g. {"tier": [1, 2]}).
    filters_applied text NOT NULL,
    -- Training HCPs matching the filters (the donors).
    reference_count integer NOT NULL,
    -- Share of twins equal to a training HCP in every feature (privacy; 0 in the bench).
    exact_copy_rate double precision NOT NULL,
    -- When the population was generated (UTC).
    created_at timestamp without time zone NOT NULL,
    -- When it should no longer be used; NULL for none.
    expires_at timestamp without time zone,
    CONSTRAINT twin_populations_pkey PRIMARY KEY (population_id),
    CONSTRAINT twin_populations_model_id_fkey FOREIGN KEY (model_id) REFERENCES digital_twin_models (model_id),
    CONSTRAINT twin_populations_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT twin_populations_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX twin_populations_scenario_idx ON twin_populations (brand, dgp_type);
CREATE INDEX twin_populations_model_id_idx ON twin_populations (model_id);

CREATE TABLE twin_population_members (
    -- The membership's key: the population and the twin.
    member_id text NOT NULL,
    -- The population.
    population_id text NOT NULL,
    -- The twin in it.
    twin_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
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
    -- The simulation's key.
    simulation_id text NOT NULL,
    -- The twin population simulated on.
    population_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The intervention simulated.
    intervention_type text NOT NULL,
    -- JSON of the intervention, its intensity and duration.
    intervention_config text NOT NULL,
    -- JSON of the filters of the twins simulated.
    filters text NOT NULL,
    -- Always completed (a failed simulation is not stored).
    run_status text NOT NULL,
    -- Twins simulated.
    n_twins integer NOT NULL,
    -- The doubly robust simulated effect: the model's mean effect over the twins plus the AIPW one-step correction from the history.
    simulated_ate double precision NOT NULL,
    -- Lower end of its 95% CI (influence function, jackknife over the CV models and the twins' sampling, Welch-Satterthwaite degrees of freedom).
    ci_lower double precision NOT NULL,
    -- Upper end of its 95% CI.
    ci_upper double precision NOT NULL,
    -- The world's exact effect on the matching real HCPs; NULL when unscored.
    true_ate double precision,
    -- |simulated_ate - true_ate|; NULL when unscored.
    abs_error double precision,
    -- Whether the CI contains true_ate; NULL when unscored.
    ci_covers_truth boolean,
    -- Real HCPs matching the filters that true_ate is over (0 when unscored).
    n_real_hcps integer NOT NULL,
    -- JSON: ATE, SE, degrees of freedom, CI, reference count and per-subgroup effects.
    results text NOT NULL,
    -- deploy (the one-sided 90% lower bound at or above 0.05), do_not_deploy (the 90% upper bound below 0.05) or test_further.
    recommendation text NOT NULL,
    -- Why, in words.
    recommendation_reason text NOT NULL,
    -- When the simulation started (UTC).
    started_at timestamp without time zone NOT NULL,
    -- When it completed (UTC).
    completed_at timestamp without time zone NOT NULL,
    -- Always NULL in stored rows.
    error_message text,
    -- The twins' own estimate: the model's mean effect over the twins, before the history's correction; NULL in rows stored before migration 020.
    plugin_ate double precision,
    -- The AIPW one-step correction from the history's residuals: simulated_ate = plugin_ate + correction; NULL in rows stored before migration 020.
    correction double precision,
    -- Whether the dose or population lay outside the history's support and the run was asked for with --extrapolate (never recommended for deploy); NULL before migration 020.
    extrapolated boolean,
    -- What was off the history's support and the supported range; NULL when on support.
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
    -- The row's key: model, experiment and HCP.
    tracking_id text NOT NULL,
    -- The model scored.
    model_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The real HCP of the world's randomized experiment.
    hcp_id text NOT NULL,
    -- Where the actual value comes from: experiment (the world's randomized experiment).
    source text NOT NULL,
    -- The intervention of the experiment.
    intervention_type text,
    -- Whether the HCP was assigned the intervention in the experiment.
    assigned boolean NOT NULL,
    -- The model's predicted prescribing_change for the HCP.
    predicted_value double precision NOT NULL,
    -- The world's outcome for the HCP in the experiment (same common random numbers).
    actual_value double precision NOT NULL,
    -- predicted_value - actual_value.
    error double precision NOT NULL,
    -- The outcome scored (prescribing_change).
    metric text NOT NULL,
    -- When it was scored (UTC).
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
    -- The snapshot's key.
    snapshot_id text NOT NULL,
    -- The model scored.
    model_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The population the snapshot is about; NULL for the held-out baseline.
    population_id text,
    -- What was scored: held_out (the test HCPs' history, the baseline) or experiment (the world's randomized experiment).
    source text NOT NULL,
    -- Mean absolute error of predicted against actual prescribing_change.
    mae double precision NOT NULL,
    -- Root mean squared error.
    rmse double precision NOT NULL,
    -- Pearson correlation of predicted and actual.
    correlation double precision NOT NULL,
    -- Share of actual values inside the model's 95% prediction intervals.
    coverage_95pct double precision NOT NULL,
    -- HCPs scored.
    sample_size integer NOT NULL,
    -- Drift flag: MAE 20% above the baseline's.
    retrain boolean NOT NULL,
    -- Drift flag: correlation below 0.7.
    warn boolean NOT NULL,
    -- Drift flag: coverage below 90%.
    investigate boolean NOT NULL,
    -- The flags' reasons, '; '-separated (empty when none).
    drift_reasons text NOT NULL,
    -- The day of the snapshot.
    snapshot_date date NOT NULL,
    -- The arm of the world's multi-arm randomized experiment an experiment snapshot scores against the untreated arm; NULL for held_out snapshots and in rows stored before migration 020.
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
    -- The evaluation's key.
    evaluation_id text NOT NULL,
    -- The twin model whose predicted effects ranked the HCPs.
    model_id text NOT NULL,
    -- The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its code, so keys are unique across scenarios.
    brand text NOT NULL,
    -- The scenario's data-generating process: simple_linear, confounded, heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).
    dgp_type text NOT NULL,
    -- The intervention targeted.
    intervention_type text NOT NULL,
    -- JSON of the intervention, its intensity and duration.
    intervention_config text NOT NULL,
    -- JSON of the filters of the eligible HCPs.
    filters text NOT NULL,
    -- Eligible real HCPs.
    n_hcps integer NOT NULL,
    -- HCPs treated: the top of the twins' ranking.
    budget integer NOT NULL,
    -- Sum of the treated HCPs' exact individual effects (the twins' choice).
    policy_value double precision NOT NULL,
    -- The best possible: the sum of the budget largest exact effects.
    oracle_value double precision NOT NULL,
    -- The expected value of treating budget HCPs drawn at random.
    random_value double precision NOT NULL,
    -- The value of the naive rule: highest prescribing deciles first.
    naive_value double precision NOT NULL,
    -- oracle_value - policy_value (0: the twins chose as the oracle would).
    regret double precision NOT NULL,
    -- The twins' uplift-curve area above random over the oracle's (1: the oracle's ranking, 0: random); NULL where the oracle gains nothing over random.
    qini double precision,
    -- JSON: the cumulative true effect of the twins', the oracle's and random ranking at every 5% of the HCPs.
    uplift_curve text NOT NULL,
    -- When the evaluation ran (UTC).
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
    -- The result's key: run id, brand|dgp and table.check, '|'-separated.
    result_id text NOT NULL,
    -- The Dagster run (or command run) that checked.
    run_id text NOT NULL,
    -- The scenario's brand.
    brand text NOT NULL,
    -- The scenario's DGP (a variant's base DGP).
    dgp_type text NOT NULL,
    -- The table checked.
    table_name text NOT NULL,
    -- The check (schema, keys, time_order, causal_recovery, ...): see the checks reference.
    check_name text NOT NULL,
    -- Whether the check passed.
    passed boolean NOT NULL,
    -- The verdict in one line, naming the figure that failed.
    message text NOT NULL,
    -- JSON object of the check's figures (estimates, truths, SEs, counts, intervals).
    figures text NOT NULL,
    -- When the check ran (UTC).
    checked_at timestamp without time zone NOT NULL,
    CONSTRAINT validation_results_pkey PRIMARY KEY (result_id),
    CONSTRAINT validation_results_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT validation_results_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX validation_results_scenario_idx ON validation_results (brand, dgp_type);
