-- 017: a time-varying engagement. In variants with the feedback knob patient_journeys
-- holds the second engagement decision, at day 30 (`engaged_day30`), and the disease
-- activity measured before it (`disease_activity_day30`, 0-10), which the first
-- engagement lowers and which drives the second: treatment-confounder feedback. NULL
-- elsewhere, and in rows stored before this migration.

ALTER TABLE patient_journeys ADD COLUMN engaged_day30 boolean;
ALTER TABLE patient_journeys ADD COLUMN disease_activity_day30 double precision;
