-- 014: selection (outcomes missing not at random). In variants with the selection knob a
-- patient lost to follow-up has NULL treatment_initiated, journey_stage (and
-- days_to_treatment) in patient_journeys and NULL outcome_value in business_outcomes;
-- elsewhere they stay filled. unit_truth holds whether each unit's outcome would be
-- recorded unengaged and engaged; causal_ground_truth states the effect for the observed
-- population (`true_ate_observed`) beside `true_ate`, and how many outcomes are recorded.
-- All NULL elsewhere, and in rows stored before this migration.

ALTER TABLE patient_journeys ALTER COLUMN treatment_initiated DROP NOT NULL;
ALTER TABLE patient_journeys ALTER COLUMN journey_stage DROP NOT NULL;
ALTER TABLE business_outcomes ALTER COLUMN outcome_value DROP NOT NULL;
ALTER TABLE unit_truth ADD COLUMN observed_if_unengaged boolean;
ALTER TABLE unit_truth ADD COLUMN observed_if_engaged boolean;
ALTER TABLE causal_ground_truth ADD COLUMN true_ate_observed double precision;
ALTER TABLE causal_ground_truth ADD COLUMN n_observed integer;
