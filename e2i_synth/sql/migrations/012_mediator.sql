-- 012: a mediator. patient_journeys holds `support_program_enrolled`, through which alone
-- the treatment acts on the outcome in variants that have one (a front-door route, named
-- in causal_ground_truth.identification); NULL elsewhere and in rows stored before.

ALTER TABLE patient_journeys ADD COLUMN support_program_enrolled boolean;
