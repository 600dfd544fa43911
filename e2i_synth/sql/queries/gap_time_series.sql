-- A KPI series against its target for a gap analyzer: one row per scenario and month.
-- Parameters: brand, region, metric, start, end (dates, inclusive). Portable SQL.
SELECT
    brand,
    dgp_type,
    region,
    metric_name,
    metric_date,
    value,
    target,
    value - target AS gap,
    achievement_rate,
    mom_change,
    yoy_change,
    statistical_significance,
    confidence_interval_lower,
    confidence_interval_upper
FROM business_metrics
WHERE brand = %(brand)s
  AND region = %(region)s
  AND metric_name = %(metric)s
  AND metric_date BETWEEN %(start)s AND %(end)s
ORDER BY dgp_type, metric_date
