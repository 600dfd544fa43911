-- 003: monthly KPI series (business_metrics) and the planted non-causal truths
-- (scenario_signals).

CREATE TABLE business_metrics (
    metric_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    region text NOT NULL,
    metric_name text NOT NULL,
    metric_type text NOT NULL,
    metric_date date NOT NULL,
    value double precision NOT NULL,
    target double precision NOT NULL,
    achievement_rate double precision NOT NULL,
    yoy_change double precision,
    mom_change double precision,
    roi double precision,
    statistical_significance double precision NOT NULL,
    confidence_interval_lower double precision NOT NULL,
    confidence_interval_upper double precision NOT NULL,
    sample_size integer NOT NULL,
    data_split text NOT NULL,
    CONSTRAINT business_metrics_pkey PRIMARY KEY (metric_id),
    CONSTRAINT business_metrics_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT business_metrics_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT business_metrics_region_check CHECK (region IN ('northeast', 'midwest', 'south', 'west')),
    CONSTRAINT business_metrics_metric_name_check CHECK (metric_name IN ('trx', 'nrx', 'market_share', 'conversion_rate', 'hcp_engagement_score')),
    CONSTRAINT business_metrics_metric_type_check CHECK (metric_type IN ('rate', 'score', 'share', 'volume')),
    CONSTRAINT business_metrics_data_split_check CHECK (data_split IN ('train', 'validation', 'test', 'holdout'))
);
CREATE INDEX business_metrics_scenario_idx ON business_metrics (brand, dgp_type);

CREATE TABLE scenario_signals (
    signal_id text NOT NULL,
    brand text NOT NULL,
    dgp_type text NOT NULL,
    signal_type text NOT NULL,
    table_name text NOT NULL,
    subject text NOT NULL,
    region text,
    start_date date,
    magnitude double precision NOT NULL,
    description text NOT NULL,
    CONSTRAINT scenario_signals_pkey PRIMARY KEY (signal_id),
    CONSTRAINT scenario_signals_brand_check CHECK (brand IN ('remibrutinib', 'fabhalta', 'kisqali')),
    CONSTRAINT scenario_signals_dgp_type_check CHECK (dgp_type IN ('simple_linear', 'confounded', 'heterogeneous', 'time_series', 'selection_bias')),
    CONSTRAINT scenario_signals_signal_type_check CHECK (signal_type IN ('underperformer', 'seasonality', 'drift')),
    CONSTRAINT scenario_signals_region_check CHECK (region IN ('northeast', 'midwest', 'south', 'west'))
);
CREATE INDEX scenario_signals_scenario_idx ON scenario_signals (brand, dgp_type);
