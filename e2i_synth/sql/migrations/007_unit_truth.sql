-- 007: the answer key apart from the analysis tables. Both potential outcomes and the
-- true propensity move from patient_journeys to unit_truth (one row per patient, with the
-- unit's effect y1 - y0 and its CATE); causal_ground_truth states the ATT and ATC beside
-- the ATE and names the columns that descend from the treatment or the outcome (`traps`,
-- also added to `graph_dot`). Rows already stored are moved, not lost: a migrated unit's
-- CATE is the expected ATE of its truth row (its region's where the effect differs by
-- region), and its propensity keeps the 6 decimals patient_journeys stored.

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
    CONSTRAINT unit_truth_pkey PRIMARY KEY (patient_id),
    CONSTRAINT unit_truth_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patient_journeys (patient_id),
    CONSTRAINT unit_truth_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT unit_truth_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT unit_truth_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX unit_truth_scenario_idx ON unit_truth (brand, dgp_type);
CREATE INDEX unit_truth_patient_id_idx ON unit_truth (patient_id);

INSERT INTO unit_truth
    (patient_id, brand, dgp_type, y0, y1, true_propensity, individual_effect, cate, data_split)
SELECT p.patient_id, p.brand, p.dgp_type,
       p.potential_outcome_untreated, p.potential_outcome_treated, p.propensity_score,
       p.potential_outcome_treated::integer - p.potential_outcome_untreated::integer,
       COALESCE(segment.expected_ate, overall.expected_ate),
       p.data_split
FROM patient_journeys p
LEFT JOIN causal_ground_truth overall
    ON overall.brand = p.brand AND overall.dgp_type = p.dgp_type
    AND overall.segment_column IS NULL
LEFT JOIN causal_ground_truth segment
    ON segment.brand = p.brand AND segment.dgp_type = p.dgp_type
    AND segment.segment_column = 'region' AND segment.segment_value = p.region;

ALTER TABLE causal_ground_truth ADD COLUMN true_att double precision;
ALTER TABLE causal_ground_truth ADD COLUMN true_atc double precision;
ALTER TABLE causal_ground_truth ADD COLUMN traps text;
UPDATE causal_ground_truth g SET
    true_att = (
        SELECT avg(u.individual_effect)::double precision
        FROM unit_truth u JOIN patient_journeys p USING (patient_id)
        WHERE p.brand = g.brand AND p.dgp_type = g.dgp_type AND p.engaged
          AND (g.segment_column IS NULL OR p.region = g.segment_value)
    ),
    true_atc = (
        SELECT avg(u.individual_effect)::double precision
        FROM unit_truth u JOIN patient_journeys p USING (patient_id)
        WHERE p.brand = g.brand AND p.dgp_type = g.dgp_type AND NOT p.engaged
          AND (g.segment_column IS NULL OR p.region = g.segment_value)
    ),
    traps = '[{"column": "engagement_score", "role": "treatment_proxy", "why": "a deterministic proxy of the treatment: >= 5 exactly when engaged, plus noise; adjusting for it removes the variation of the treatment itself"}, {"column": "journey_stage", "role": "outcome_descendant", "why": "a function of the outcome: treatment_naive exactly when not treatment_initiated, otherwise the course of therapy after initiation"}, {"column": "days_to_treatment", "role": "outcome_descendant", "why": "the timing of the outcome: NULL exactly when not treatment_initiated"}]',
    graph_dot = left(graph_dot, -1) || ' engaged -> engagement_score; '
        || 'treatment_initiated -> journey_stage; treatment_initiated -> days_to_treatment;}';
ALTER TABLE causal_ground_truth ALTER COLUMN traps SET NOT NULL;

ALTER TABLE patient_journeys
    DROP COLUMN propensity_score,
    DROP COLUMN potential_outcome_untreated,
    DROP COLUMN potential_outcome_treated;
