-- One row per stored scenario: size, engagement and initiation rates, the naive contrast
-- an analyst would see, and the planted truth beside it. Portable: DuckDB and PostgreSQL.
SELECT
    j.brand,
    j.dgp_type,
    count(*) AS patients,
    avg(CASE WHEN j.engaged THEN 1.0 ELSE 0.0 END) AS engaged_share,
    avg(CASE WHEN j.treatment_initiated THEN 1.0 ELSE 0.0 END) AS initiation_rate,
    avg(CASE WHEN j.engaged THEN CASE WHEN j.treatment_initiated THEN 1.0 ELSE 0.0 END END)
        - avg(CASE WHEN NOT j.engaged THEN CASE WHEN j.treatment_initiated THEN 1.0 ELSE 0.0 END END)
        AS naive_difference,
    t.true_ate,
    t.adjustment_columns
FROM patient_journeys AS j
JOIN causal_ground_truth AS t
    ON t.brand = j.brand AND t.dgp_type = j.dgp_type AND t.segment_column IS NULL
GROUP BY j.brand, j.dgp_type, t.true_ate, t.adjustment_columns
ORDER BY j.brand, j.dgp_type
