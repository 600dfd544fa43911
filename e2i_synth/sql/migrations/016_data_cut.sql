-- 016: the data cut. Every truth row states the day after which no table holds anything
-- (`data_cut_date`). In variants with the censor knob the cut comes earlier: outcome
-- windows still open at it are right-censored, and the truth states the effect for the
-- patients whose window closed by the cut (`true_ate_followed`, `n_followed`) beside
-- `true_ate`. NULL elsewhere, and in rows stored before this migration.

ALTER TABLE causal_ground_truth ADD COLUMN data_cut_date date;
ALTER TABLE causal_ground_truth ADD COLUMN true_ate_followed double precision;
ALTER TABLE causal_ground_truth ADD COLUMN n_followed integer;
