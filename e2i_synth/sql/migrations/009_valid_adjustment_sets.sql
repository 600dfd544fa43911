-- 009: causal_ground_truth names every valid adjustment set worth naming beside the
-- efficient one (`valid_adjustment_sets`, JSON: [{"name": ..., "columns": [...]}], empty
-- where no set of observed columns is valid). Rows stored before this migration keep
-- NULL there: the sets follow from the DGP's graph, which SQL cannot derive; materializing
-- the scenario again states them.

ALTER TABLE causal_ground_truth ADD COLUMN valid_adjustment_sets text;
