"""The analyzer reads SQL the way the warehouse would: stars through CTEs and subqueries,
derived column lists, table functions, lateral aliases, any case; and refuses what the
warehouse would refuse (ambiguity, foreign datasets), naming the fix."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth.stories.analyzer import analyze
from e2i_synth.stories.names import QueryError, is_numeric, output_columns
from e2i_synth.stories.windows import Window
from e2i_synth.tables import SPECS

AS_OF = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("dialect", "sql", "outputs"),
    [
        (
            "duckdb",
            "WITH a AS (SELECT * FROM patient_journeys) "
            "SELECT region, COUNT(*) AS n FROM a GROUP BY region",
            [("region", "VARCHAR"), ("n", "BIGINT")],
        ),
        (
            "duckdb",
            "SELECT s.region FROM (SELECT * FROM patient_journeys) s JOIN "
            "(SELECT * FROM hcp_profiles) h USING (hcp_id)",
            [("region", "VARCHAR")],
        ),
        (
            "duckdb",
            "SELECT x.a, x.b FROM (SELECT region, COUNT(*) FROM patient_journeys GROUP BY 1) "
            "AS x(a, b)",
            [("a", "VARCHAR"), ("b", "BIGINT")],
        ),
        (
            "duckdb",
            "SELECT d.day, COUNT(p.patient_id) AS n FROM generate_series(DATE '2026-01-01', "
            "DATE '2026-02-01', INTERVAL 1 DAY) AS d(day) LEFT JOIN patient_journeys p "
            "ON p.index_date = d.day GROUP BY 1",
            [("day", "TIMESTAMP"), ("n", "BIGINT")],
        ),
        (
            "duckdb",
            "SELECT r.range AS d FROM range(DATE '2026-01-01', DATE '2026-02-01', "
            "INTERVAL 1 DAY) r",
            [("d", "TIMESTAMP")],
        ),
        ("duckdb", "SELECT u FROM unnest([1, 2]) AS t(u)", [("u", "INTEGER")]),
        (
            "postgres",
            "SELECT d::date AS day, COUNT(p.patient_id) AS n FROM generate_series(DATE "
            "'2026-01-01', DATE '2026-02-01', INTERVAL '1 day') AS d LEFT JOIN "
            "patient_journeys p ON p.index_date = d GROUP BY 1",
            [("day", "DATE"), ("n", "BIGINT")],
        ),
        (
            "duckdb",
            "SELECT disease_severity * 2 AS sev2, sev2 + 1 AS sev3 FROM patient_journeys",
            [("sev2", "DOUBLE"), ("sev3", "DOUBLE")],
        ),
        (
            "duckdb",
            "SELECT p.region, x.n FROM patient_journeys p, LATERAL (SELECT COUNT(*) AS n "
            "FROM treatment_events t WHERE t.patient_id = p.patient_id) x",
            [("region", "VARCHAR"), ("n", "BIGINT")],
        ),
        (
            "postgres",
            "SELECT DISTINCT ON (region) region, index_date, NTILE(4) OVER (ORDER BY "
            "index_date) AS q, COUNT(*) FILTER (WHERE engaged) AS e FROM patient_journeys "
            "GROUP BY region, index_date ORDER BY region, index_date DESC",
            [("region", "VARCHAR"), ("index_date", "DATE"), ("q", "BIGINT"), ("e", "BIGINT")],
        ),
        (
            "duckdb",
            "SELECT h.region, h.hcp_id, COUNT(*) AS n, RANK() OVER (PARTITION BY h.region "
            "ORDER BY COUNT(*) DESC) AS rk, COUNT(*) - LAG(COUNT(*)) OVER (PARTITION BY "
            "h.region ORDER BY h.hcp_id) AS change FROM patient_journeys p JOIN hcp_profiles "
            "h ON p.hcp_id = h.hcp_id JOIN treatment_events t ON t.patient_id = p.patient_id "
            "JOIN engagement_events e ON e.hcp_id = h.hcp_id GROUP BY h.region, h.hcp_id",
            [
                ("region", "VARCHAR"),
                ("hcp_id", "VARCHAR"),
                ("n", "BIGINT"),
                ("rk", "BIGINT"),
                ("change", "BIGINT"),
            ],
        ),
    ],
)
def test_valid_sql_is_read_with_its_answer_columns_and_types(dialect, sql, outputs):
    assert list(analyze(sql, AS_OF, dialect).outputs) == outputs


def test_a_date_filter_on_a_cte_column_is_the_base_tables_window():
    sql = (
        "WITH recent AS (SELECT patient_id, index_date AS day FROM patient_journeys) "
        "SELECT COUNT(*) AS n FROM (SELECT * FROM recent) r "
        "WHERE r.day >= CURRENT_DATE - INTERVAL '30 days'"
    )
    windows = analyze(sql, AS_OF).windows()
    assert windows == {("patient_journeys", "index_date"): Window(date(2026, 2, 14), None)}


def test_an_ambiguous_column_is_refused_with_the_qualified_choices():
    sql = "SELECT hcp_id FROM patient_journeys p JOIN hcp_profiles h ON p.hcp_id = h.hcp_id"
    with pytest.raises(QueryError, match=r"ambiguous column\(s\): hcp_id \(write p.hcp_id or "):
        analyze(sql, AS_OF)


def test_unknown_and_ambiguous_columns_are_named_together():
    sql = "SELECT hcp_id, regon FROM patient_journeys p JOIN hcp_profiles h USING (decile)"
    with pytest.raises(QueryError) as info:
        analyze(sql.replace("USING (decile)", "ON p.hcp_id = h.hcp_id"), AS_OF)
    assert "unknown column(s): regon (did you mean region" in str(info.value)
    assert "ambiguous column(s): hcp_id" in str(info.value)


def test_an_unknown_column_of_a_starred_subquery_is_refused():
    sql = "SELECT COUNT(*) FROM (SELECT * FROM patient_journeys) s WHERE s.bogus = 1"
    with pytest.raises(QueryError, match="bogus"):
        analyze(sql, AS_OF)


@pytest.mark.parametrize("dialect", ["bigquery", "duckdb", "postgres"])
def test_a_dataset_qualified_table_is_the_storys_dataset_or_refused_with_the_fix(dialect):
    sql = "SELECT region, COUNT(*) AS n FROM demo.patient_journeys GROUP BY region"
    with pytest.raises(QueryError, match=r"demo.patient_journeys: .*`dataset: demo`"):
        analyze(sql, AS_OF, dialect)
    with pytest.raises(QueryError, match=r"live in dataset 'other': write other.<table>"):
        analyze(sql, AS_OF, dialect, dataset="other")
    resolved = analyze(sql, AS_OF, dialect, dataset="demo")
    assert resolved.tables == ("patient_journeys",)
    assert "demo" not in resolved.duckdb_sql and "demo" not in resolved.postgres_sql


def test_a_project_qualified_bigquery_table_needs_the_project_too():
    sql = "SELECT COUNT(*) AS n FROM `acme.demo.patient_journeys`"
    assert analyze(sql, AS_OF, "bigquery", dataset="acme.demo").tables == ("patient_journeys",)
    with pytest.raises(QueryError, match=r"acme\.demo\.patient_journeys"):
        analyze(sql, AS_OF, "bigquery", dataset="demo")


def test_what_duckdb_cannot_bind_is_refused_before_any_data_is_made():
    with pytest.raises(QueryError, match="DuckDB cannot run it"):
        analyze("SELECT region + 1 AS r FROM patient_journeys", AS_OF)


def test_output_columns_and_numeric_types():
    assert output_columns("SELECT 1.5::DECIMAL(9, 2) AS x, 'a' AS y") == (
        ("x", "DECIMAL(9,2)"),
        ("y", "VARCHAR"),
    )
    assert is_numeric("DECIMAL(9,2)") and is_numeric("bigint") and not is_numeric("VARCHAR")


def _recase(text: str, flips: list[bool]) -> str:
    padded = (flips + [False] * len(text))[: len(text)]
    return "".join(c.upper() if f else c for c, f in zip(text, padded, strict=True))


@settings(max_examples=40, deadline=None)
@given(
    dialect=st.sampled_from(["duckdb", "postgres", "bigquery"]),
    flips=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_table_and_column_names_are_read_in_any_case(dialect, flips):
    """The same query with its names in any mix of case reads the same tables, columns and
    windows, and its answer has the same columns."""
    template = (
        "SELECT {region}, COUNT(*) AS n FROM {journeys} p JOIN {hcps} h ON p.{hcp} = h.{hcp} "
        "WHERE p.{index} >= DATE '2026-01-01' GROUP BY {region}"
    )
    names = {
        "region": "h.region",
        "journeys": "patient_journeys",
        "hcps": "hcp_profiles",
        "hcp": "hcp_id",
        "index": "index_date",
    }
    plain = analyze(template.format(**names), AS_OF, dialect)
    mixed = {k: _recase(v, flips[i * 8 :]) for i, (k, v) in enumerate(names.items())}
    recased = analyze(template.format(**mixed), AS_OF, dialect)
    assert recased.tables == plain.tables and recased.columns == plain.columns
    assert recased.windows() == plain.windows()
    assert [n.lower() for n, _ in recased.outputs] == [n.lower() for n, _ in plain.outputs]


@pytest.mark.parametrize("table", sorted(SPECS))
def test_a_star_through_a_cte_and_a_subquery_returns_the_tables_columns(table):
    sql = f"WITH c AS (SELECT * FROM {table.upper()}) SELECT * FROM (SELECT * FROM c) AS s"
    assert [name for name, _ in analyze(sql, AS_OF).outputs] == list(SPECS[table].columns)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_chosen_columns_renamed_through_a_derived_list_come_out_in_order(data):
    """Any columns of a table, in any case, through a CTE and a derived column list `AS
    t(a, b, ...)`, come out under the new names and with the table's DuckDB types."""
    table = data.draw(st.sampled_from(sorted(SPECS)))
    columns = data.draw(
        st.lists(st.sampled_from(list(SPECS[table].columns)), min_size=1, max_size=6, unique=True)
    )
    upper = data.draw(st.lists(st.booleans(), min_size=len(columns), max_size=len(columns)))
    names = [c.upper() if u else c for c, u in zip(columns, upper, strict=True)]
    renamed = [f"c{i}" for i in range(len(columns))]
    sql = (
        f"WITH picked AS (SELECT {', '.join(names)} FROM {table}) "
        f"SELECT t.* FROM picked AS t({', '.join(renamed)})"
    )
    outputs = analyze(sql, AS_OF).outputs
    assert [name for name, _ in outputs] == renamed
    assert [t for _, t in outputs] == [
        output_columns(f"SELECT {c} FROM {table}")[0][1] for c in columns
    ]


def test_duckdb_binding_errors_carry_its_candidates():
    """A column of a table function without a column list is left to DuckDB to bind."""
    with pytest.raises(QueryError, match=r'"xx" not found .*\(Candidate bindings: "r"\)'):
        analyze("SELECT xx FROM range(3) r", AS_OF)
