-- 013: a dose. patient_journeys holds `engagement_dose` (the intensity of engagement, 0 when
-- not engaged) in variants that have one; unit_truth holds each unit's dose if engaged and
-- its potential outcome at every dose (JSON list); causal_ground_truth states the mean
-- outcome at every dose and its difference from dose 0 (`dose_response`, JSON). All NULL
-- elsewhere, and in rows stored before this migration (they come from DGPs without a dose).

ALTER TABLE patient_journeys ADD COLUMN engagement_dose integer;
ALTER TABLE unit_truth ADD COLUMN dose_if_engaged integer;
ALTER TABLE unit_truth ADD COLUMN dose_outcomes text;
ALTER TABLE causal_ground_truth ADD COLUMN dose_response text;
