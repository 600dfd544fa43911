import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.agent.guard import AgentSqlError, check_sql

READABLE = ("patient_journeys", "hcp_profiles")

ACCEPTED = [
    "SELECT count(*) FROM patient_journeys",
    "select region, avg(engaged::INTEGER) from patient_journeys group by region",
    "WITH p AS (SELECT * FROM patient_journeys) SELECT h.specialty, count(*) FROM p "
    "JOIN hcp_profiles h USING (hcp_id) GROUP BY 1 ORDER BY 2 DESC LIMIT 3",
    "SELECT 1 UNION ALL SELECT 2",
    "SELECT strftime(journey_start_date, '%Y-%m') FROM patient_journeys -- a comment",
]
REFUSED = {
    "SELECT * FROM unit_truth": "not a table you can read",
    'SELECT * FROM "unit_truth"': "not a table you can read",
    "SELECT * FROM information_schema.tables": "without a schema",
    "SELECT * FROM memory.main.patient_journeys": "without a schema",
    "SELECT * FROM read_parquet('/tmp/x.parquet')": "is not a table",
    "SELECT * FROM 'warehouse.duckdb'": "not a table you can read",
    "SELECT * FROM glob('/tmp/*')": "is not a table",
    "SELECT * FROM duckdb_tables()": "is not a table",
    "SELECT pg_read_file('/etc/passwd')": "function pg_read_file",
    "SELECT getenv('HOME')": "function getenv",
    "SELECT current_setting('enable_external_access')": "function current_setting",
    "SELECT * FROM query_table('unit_truth')": "is not a table",
    "SELECT 1; SELECT * FROM unit_truth": "exactly one SELECT",
    "SELECT 1 /* */; DROP TABLE patient_journeys": "exactly one SELECT",
    "ATTACH '/tmp/warehouse.duckdb' AS w": "only SELECT",
    "COPY patient_journeys TO '/tmp/out.csv'": "only SELECT",
    "PRAGMA database_list": "only SELECT",
    "SET enable_external_access = true": "only SELECT",
    "INSTALL httpfs": "only SELECT",
    "LOAD httpfs": "only SELECT",
    "CREATE TABLE x AS SELECT 1": "only SELECT",
    "DELETE FROM patient_journeys": "only SELECT",
    "SELECT * INTO copy FROM patient_journeys": "only SELECT",
    "WITH unit_truth AS (SELECT 1) SELECT * FROM w.unit_truth": "without a schema",
    "SELEC * FROM patient_journeys": "does not parse",
    "": "exactly one SELECT",
}


@pytest.mark.parametrize("sql", ACCEPTED)
def test_one_select_over_readable_tables_passes(sql):
    assert check_sql(sql, READABLE) == sql


@pytest.mark.parametrize("sql", REFUSED)
def test_everything_else_is_refused_with_its_reason(sql):
    with pytest.raises(AgentSqlError, match=REFUSED[sql]):
        check_sql(sql, READABLE)


@given(st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True))
def test_any_other_table_name_is_refused(name):
    sql = f"SELECT * FROM {name}"
    if name in READABLE:
        assert check_sql(sql, READABLE) == sql
    else:
        with pytest.raises(AgentSqlError):
            check_sql(sql, READABLE)
