-- 011: an instrument. patient_journeys holds `territory_rep_assigned` (a randomized rep
-- territory assignment that moves engagement only) in variants that have one; unit_truth
-- holds each unit's treatment with it off and on; causal_ground_truth states the
-- compliers' exact mean effect (`true_late`, the estimand an IV estimator identifies) and
-- their count. All NULL elsewhere, and in rows stored before this migration (they come
-- from DGPs without an instrument).

ALTER TABLE patient_journeys ADD COLUMN territory_rep_assigned boolean;
ALTER TABLE unit_truth ADD COLUMN engaged_if_unassigned boolean;
ALTER TABLE unit_truth ADD COLUMN engaged_if_assigned boolean;
ALTER TABLE causal_ground_truth ADD COLUMN true_late double precision;
ALTER TABLE causal_ground_truth ADD COLUMN n_compliers integer;
