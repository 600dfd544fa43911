-- 018: the privacy ledger is written only through two functions of its owner (SECURITY
-- DEFINER), so the secure sampler works for e2i_reader and e2i_loader while no caller can
-- write, change or delete the ledger directly. Each audit row takes its identity from the
-- database session (session_user: the role that authenticated, which SET ROLE does not
-- change), never from the caller. An ε in the log is always ε taken from the budget: the
-- one function that logs a release also spends it, in the caller's transaction (the budget
-- row's lock is held until that transaction ends). Queries that fail in the database are
-- logged too (outcome 'failed'). `e2i-synth db init` grants EXECUTE to both roles.

ALTER TABLE privacy_audit_log DROP CONSTRAINT IF EXISTS privacy_audit_log_outcome_check;
ALTER TABLE privacy_audit_log ADD CONSTRAINT privacy_audit_log_outcome_check
    CHECK (outcome IN ('released', 'refused', 'failed'));
ALTER TABLE privacy_audit_log ALTER COLUMN requested_by SET DEFAULT session_user;
REVOKE ALL ON privacy_budget, privacy_audit_log FROM PUBLIC;

-- A release: spend p_epsilon (0 for rows) from the dataset's budget and log it. Raises
-- SQLSTATE E2I01 (the sampler's refusal) when the dataset has no budget or too little left.
CREATE OR REPLACE FUNCTION privacy_release(
    p_dataset text, p_kind text, p_shape jsonb, p_epsilon double precision, p_rows integer
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    total double precision;
    spent double precision;
BEGIN
    IF p_epsilon IS NULL OR NOT (p_epsilon >= 0 AND p_epsilon < 'Infinity') THEN
        RAISE EXCEPTION 'epsilon % must be a finite non-negative number', p_epsilon
            USING ERRCODE = 'E2I01';
    END IF;
    IF p_epsilon > 0 THEN
        SELECT epsilon_total, epsilon_spent INTO total, spent
            FROM privacy_budget WHERE dataset = p_dataset FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'dataset % has no epsilon budget; the data owner sets one with '
                '`e2i-synth privacy budget`', quote_literal(p_dataset) USING ERRCODE = 'E2I01';
        END IF;
        IF spent + p_epsilon > total + 1e-12 THEN
            RAISE EXCEPTION 'epsilon % would overspend dataset %: % of % left',
                p_epsilon, quote_literal(p_dataset), total - spent, total
                USING ERRCODE = 'E2I01';
        END IF;
        UPDATE privacy_budget SET epsilon_spent = epsilon_spent + p_epsilon, updated_at = now()
            WHERE dataset = p_dataset;
    END IF;
    INSERT INTO privacy_audit_log (requested_by, db_user, at, dataset, kind, query_shape,
                                   epsilon_spent, rows_returned, outcome)
    VALUES (session_user, session_user, clock_timestamp(), p_dataset, p_kind, p_shape,
            p_epsilon, p_rows, 'released');
END $$;

-- A query that released nothing: refused by the sampler's rules, or failed in the database.
CREATE OR REPLACE FUNCTION privacy_refusal(
    p_dataset text, p_kind text, p_shape jsonb, p_outcome text, p_reason text
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF p_outcome NOT IN ('refused', 'failed') THEN
        RAISE EXCEPTION 'outcome % is not refused or failed', p_outcome USING ERRCODE = 'E2I01';
    END IF;
    INSERT INTO privacy_audit_log (requested_by, db_user, at, dataset, kind, query_shape,
                                   epsilon_spent, rows_returned, outcome, reason)
    VALUES (session_user, session_user, clock_timestamp(), p_dataset, p_kind, p_shape,
            0, 0, p_outcome, p_reason);
END $$;

REVOKE EXECUTE ON FUNCTION privacy_release(text, text, jsonb, double precision, integer),
    privacy_refusal(text, text, jsonb, text, text) FROM PUBLIC;
