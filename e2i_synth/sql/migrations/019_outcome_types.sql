-- 019: outcome types beside the binary initiation, in variants with the outcome_types knob.
-- patient_journeys holds a continuous outcome (days_covered_share), a count (refill_count)
-- and a censored time to initiation (days_to_initiation, initiation_event); unit_truth
-- holds both potential outcomes of each; causal_ground_truth states the exact effect on each
-- mean, the survival difference at 30 and 90 days and the RMST difference up to day 120.
-- All NULL elsewhere, and in rows stored before this migration.

ALTER TABLE patient_journeys ADD COLUMN days_covered_share double precision;
ALTER TABLE patient_journeys ADD COLUMN refill_count integer;
ALTER TABLE patient_journeys ADD COLUMN days_to_initiation integer;
ALTER TABLE patient_journeys ADD COLUMN initiation_event boolean;
ALTER TABLE unit_truth ADD COLUMN days_to_initiation_if_unengaged integer;
ALTER TABLE unit_truth ADD COLUMN days_to_initiation_if_engaged integer;
ALTER TABLE unit_truth ADD COLUMN refill_count_if_unengaged integer;
ALTER TABLE unit_truth ADD COLUMN refill_count_if_engaged integer;
ALTER TABLE unit_truth ADD COLUMN days_covered_if_unengaged integer;
ALTER TABLE unit_truth ADD COLUMN days_covered_if_engaged integer;
ALTER TABLE causal_ground_truth ADD COLUMN true_ate_days_covered_share double precision;
ALTER TABLE causal_ground_truth ADD COLUMN true_ate_refill_count double precision;
ALTER TABLE causal_ground_truth ADD COLUMN true_survival_diff_30 double precision;
ALTER TABLE causal_ground_truth ADD COLUMN true_survival_diff_90 double precision;
ALTER TABLE causal_ground_truth ADD COLUMN true_rmst_diff double precision;
