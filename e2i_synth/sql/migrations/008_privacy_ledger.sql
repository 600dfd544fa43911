-- 008: the secure sampler's privacy ledger (e2i_synth/privacy/ledger.py): a per-dataset
-- epsilon budget and an audit log of every sampler query, refused ones included. The
-- audit log holds the query's shape, never filter values or credentials. No table spec
-- renders these (serial key, jsonb, defaults, CHECKs over two columns), so schema.sql
-- leaves them out. IF NOT EXISTS adopts a ledger installed by `e2i-synth privacy budget`
-- before this migration existed (same definition). The CHECK's slack (1e-12) is the
-- ledger's EPSILON_SLACK; `e2i-synth db init` grants e2i_reader SELECT on both.

CREATE TABLE IF NOT EXISTS privacy_budget (
    dataset text PRIMARY KEY,
    epsilon_total double precision NOT NULL CHECK (epsilon_total >= 0),
    epsilon_spent double precision NOT NULL DEFAULT 0 CHECK (epsilon_spent >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (epsilon_spent <= epsilon_total + 1e-12)
);
CREATE TABLE IF NOT EXISTS privacy_audit_log (
    audit_id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    db_user text NOT NULL DEFAULT session_user,
    requested_by text NOT NULL,
    dataset text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('rows', 'aggregate')),
    query_shape jsonb NOT NULL,
    epsilon_spent double precision NOT NULL DEFAULT 0,
    rows_returned integer NOT NULL DEFAULT 0,
    outcome text NOT NULL CHECK (outcome IN ('released', 'refused')),
    reason text
);
CREATE INDEX IF NOT EXISTS privacy_audit_log_dataset_at ON privacy_audit_log (dataset, at);
