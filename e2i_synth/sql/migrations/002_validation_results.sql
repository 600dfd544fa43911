-- 002: check results of every run (validation_results).

CREATE TABLE validation_results (
    result_id text NOT NULL,
    run_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    table_name text NOT NULL,
    check_name text NOT NULL,
    passed boolean NOT NULL,
    message text NOT NULL,
    figures text NOT NULL,
    checked_at timestamp without time zone NOT NULL,
    CONSTRAINT validation_results_pkey PRIMARY KEY (result_id),
    CONSTRAINT validation_results_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT validation_results_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias'))
);
CREATE INDEX validation_results_scenario_idx ON validation_results (brand, dgp_type);
