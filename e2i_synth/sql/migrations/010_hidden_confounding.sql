-- 010: hidden confounding. unit_truth holds each unit's hidden confounder where the
-- variant draws one (NULL elsewhere); causal_ground_truth states how the effect is
-- identified (`identification`, JSON: {unobserved, backdoor_valid, routes}). Rows stored
-- before this migration keep NULL in both: they come from DGPs without unobserved parts,
-- and materializing the scenario again states their identification.

ALTER TABLE unit_truth ADD COLUMN hidden_confounder double precision;
ALTER TABLE causal_ground_truth ADD COLUMN identification text;
