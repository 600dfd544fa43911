-- A feature's values in a baseline window and a current window, for a drift monitor.
-- Parameters: feature, baseline_start, baseline_end, current_start, current_end
-- (timestamps, inclusive). `value` is JSON text. Portable SQL.
SELECT
    v.brand,
    v.dgp_type,
    f.feature_name,
    CASE WHEN v.event_timestamp BETWEEN %(baseline_start)s AND %(baseline_end)s
         THEN 'baseline' ELSE 'current' END AS window_name,
    v.entity_values,
    v.event_timestamp,
    v.value
FROM feature_values AS v
JOIN features AS f ON f.feature_id = v.feature_id
WHERE f.feature_name = %(feature)s
  AND (v.event_timestamp BETWEEN %(baseline_start)s AND %(baseline_end)s
       OR v.event_timestamp BETWEEN %(current_start)s AND %(current_end)s)
ORDER BY v.brand, v.dgp_type, window_name, v.event_timestamp, v.entity_values
