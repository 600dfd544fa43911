-- 015: the front-door mediator's potential values. In variants with the mediator knob
-- unit_truth holds each unit's support-programme enrolment unengaged and engaged (one
-- uniform decides both; patient_journeys holds the one under the unit's own engagement).
-- NULL elsewhere, and in rows stored before this migration.

ALTER TABLE unit_truth ADD COLUMN enrolled_if_unengaged boolean;
ALTER TABLE unit_truth ADD COLUMN enrolled_if_engaged boolean;
