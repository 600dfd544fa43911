from datetime import date

import pytest

from e2i_synth.stories.analyzer import QueryError, analyze
from e2i_synth.stories.windows import Window

AS_OF = date(2026, 11, 25)

RICH = """
WITH engaged AS (
    SELECT p.region, h.specialty, p.treatment_initiated
    FROM patient_journeys p
    JOIN hcp_profiles h ON p.hcp_id = h.hcp_id
    WHERE p.engaged AND p.index_date >= CURRENT_DATE - INTERVAL '90 days'
      AND h.specialty IN ('breast_oncology')
)
SELECT region, COUNT(*) AS patients, AVG(CAST(treatment_initiated AS INT)) AS rate
FROM engaged GROUP BY region ORDER BY patients DESC LIMIT 2
"""


def test_reads_structure_literals_and_windows():
    a = analyze(RICH, AS_OF)
    assert a.tables == ("patient_journeys", "hcp_profiles")
    assert len(a.joins) == 1 and "hcp_id" in a.joins[0]
    assert ("hcp_profiles", "specialty") in a.columns
    assert a.aggregations == ("COUNT", "AVG")
    assert a.limit == 2 and a.order_by and a.group_by
    assert a.entity_literals == (("specialty", "breast_oncology"),)
    assert a.windows() == {("patient_journeys", "index_date"): Window(date(2026, 8, 27), None)}


def test_bigquery_input_is_transpiled_and_resolves_like_duckdb():
    bigquery = (
        "SELECT region, SUM(value) AS trx FROM business_metrics "
        "WHERE metric_date >= DATE_SUB(CURRENT_DATE(), INTERVAL 90 DAY) "
        "AND DATE_TRUNC(metric_date, MONTH) < DATE_TRUNC(CURRENT_DATE(), MONTH) GROUP BY region"
    )
    duck = (
        "SELECT region, SUM(value) AS trx FROM business_metrics "
        "WHERE metric_date >= CURRENT_DATE - INTERVAL '90 days' "
        "AND date_trunc('month', metric_date) < date_trunc('month', CURRENT_DATE) GROUP BY region"
    )
    a, b = analyze(bigquery, AS_OF, "bigquery"), analyze(duck, AS_OF)
    assert (
        a.windows()
        == b.windows()
        == {("business_metrics", "metric_date"): Window(date(2026, 8, 27), date(2026, 11, 1))}
    )
    assert "DATE_SUB" not in a.duckdb_sql.upper()


def test_postgres_dialect_reads_absolute_dates():
    sql = (
        "SELECT COUNT(*) FROM treatment_events WHERE event_date BETWEEN '2026-01-01'::date "
        "AND '2026-03-31'::date"
    )
    a = analyze(sql, AS_OF, "postgres")
    assert a.windows()[("treatment_events", "event_date")] == Window(
        date(2026, 1, 1), date(2026, 4, 1)
    )


def test_unknown_column_names_the_nearest_known_ones():
    with pytest.raises(QueryError) as info:
        analyze(
            "SELECT p.regon, h.specialtyy FROM patient_journeys p JOIN hcp_profiles h "
            "USING (hcp_id)",
            AS_OF,
        )
    message = str(info.value)
    assert "patient_journeys.regon (did you mean region?)" in message
    assert "hcp_profiles.specialtyy (did you mean specialty" in message


def test_unknown_table_names_the_nearest():
    with pytest.raises(QueryError, match=r"patient_journey \(did you mean patient_journeys\?\)"):
        analyze("SELECT 1 FROM patient_journey", AS_OF)


def test_sql_that_does_not_parse_is_one_error_with_its_position():
    with pytest.raises(QueryError, match="does not parse at line 1"):
        analyze("SELECT region FROM WHERE", AS_OF)


def test_a_literal_no_row_can_hold_is_rejected_before_running():
    with pytest.raises(QueryError, match=r"region = 'westt' \(did you mean west"):
        analyze("SELECT COUNT(*) FROM hcp_profiles WHERE region = 'westt'", AS_OF)


def test_only_one_statement_is_a_golden_query():
    with pytest.raises(QueryError, match="exactly one SELECT"):
        analyze("SELECT 1; SELECT 2", AS_OF)


def test_subqueries_resolve_their_own_and_their_outer_columns():
    sql = (
        "SELECT COUNT(*) FROM patient_journeys p WHERE EXISTS (SELECT 1 FROM hcp_profiles h "
        "WHERE h.hcp_id = p.hcp_id AND decile = 10) AND CAST(p.index_date AS DATE) >= "
        "CURRENT_DATE - 7"
    )
    a = analyze(sql, AS_OF)
    assert ("hcp_profiles", "decile") in a.columns
    assert a.windows() == {("patient_journeys", "index_date"): Window(date(2026, 11, 18), None)}
    with pytest.raises(QueryError, match=r"decil \(did you mean decile"):
        analyze(sql.replace("decile", "decil"), AS_OF)


@pytest.mark.parametrize(
    "write",
    [
        "DELETE FROM patient_journeys RETURNING *",
        "UPDATE patient_journeys SET region = 'west' RETURNING *",
        "INSERT INTO patient_journeys SELECT * FROM patient_journeys RETURNING *",
    ],
)
@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_a_write_inside_with_is_refused_by_name(write, dialect):
    """It parses as a SELECT: the scope walk raised KeyError on its name, or (an INSERT)
    passed as a golden query."""
    verb = write.split()[0]
    with pytest.raises(QueryError, match=rf"only reads, and its WITH d holds {verb}: make"):
        analyze(f"WITH d AS ({write}) SELECT COUNT(*) FROM d", AS_OF, dialect)
