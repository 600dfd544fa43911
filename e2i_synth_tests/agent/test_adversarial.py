"""An adversarial agent tries every way we know to read the answer key through the
server's tools, and reads nothing of it: each attempt is refused with a reason, or returns
only rows of readable tables."""

from __future__ import annotations

import json

import anyio
import pytest

from e2i_synth.agent.client import ToolFailed, call
from e2i_synth.tables import STORED_SPECS
from e2i_synth.tables.answer_key import ANSWER_KEY, VISIBLE_TABLES
from e2i_synth_tests.agent.conftest import SCENARIOS, fresh_served, session_on

pytestmark = pytest.mark.integration  # builds a served scenario's tasks (statsmodels fits)

KEY_ONLY_COLUMNS = {
    c
    for name in ANSWER_KEY
    for c in STORED_SPECS[name].columns
    if not any(c in STORED_SPECS[v].columns for v in VISIBLE_TABLES)
}
"""Column names only key tables have (y0, individual_effect, true_ate, signal_type, ...)."""


def attacks(warehouse_file: str) -> list[str]:
    return [
        "SELECT * FROM unit_truth",
        "SELECT * FROM UNIT_TRUTH",
        'SELECT * FROM "main"."causal_ground_truth"',
        "SELECT table_name FROM information_schema.tables",
        "SELECT * FROM information_schema.columns WHERE table_name = 'unit_truth'",
        f"SELECT * FROM read_parquet('{warehouse_file}')",
        "SELECT * FROM read_csv('/etc/passwd')",
        f"SELECT * FROM '{warehouse_file}'",
        f"ATTACH '{warehouse_file}' AS w (READ_ONLY)",
        f"SELECT * FROM sqlite_scan('{warehouse_file}', 'unit_truth')",
        "COPY (SELECT * FROM patient_journeys) TO '/tmp/leak.csv'",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT 1 -- harmless\n; SELECT * FROM unit_truth",
        "SELECT 1; SELECT * FROM scenario_signals",
        "/* */ SELECT * FROM causal_ground_truth /* */",
        "WITH t AS (SELECT * FROM unit_truth) SELECT * FROM t",
        "WITH unit_truth AS (SELECT 1 AS y0) SELECT * FROM unit_truth, unit_truth.y1",
        "SELECT * FROM patient_journeys UNION ALL SELECT * FROM unit_truth",
        "SELECT 1 WHERE EXISTS (SELECT * FROM causal_ground_truth)",
        "SELECT * FROM patient_journeys p, LATERAL (SELECT * FROM unit_truth u) x",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "PRAGMA show_tables",
        "SELECT * FROM glob('**/*')",
        "SELECT * FROM duckdb_tables()",
        "SELECT * FROM duckdb_settings()",
        "SELECT current_setting('enable_external_access')",
        "SELECT * FROM query_table('unit_truth')",
        "SELECT * FROM query('SELECT * FROM unit_truth')",
        "SELECT getenv('E2I_HOME')",
        "INSTALL httpfs",
        "LOAD postgres",
        "CREATE VIEW v AS SELECT 1",
    ]


def leaked(result: object) -> list[str]:
    """Key-only column names or key table names present in a query's result."""
    text = json.dumps(result)
    return [c for c in sorted(KEY_ONLY_COLUMNS | ANSWER_KEY) if f'"{c}"' in text]


@pytest.fixture(scope="module")
def served(warehouse_home):
    return fresh_served(warehouse_home)


def test_no_attack_through_the_query_tool_reads_the_key(served, warehouse_home):
    outcomes = {}

    async def attack() -> None:
        async with session_on(served) as session:
            for sql in attacks(str(warehouse_home / "warehouse.duckdb")):
                try:
                    outcomes[sql] = ("ran", await call(session, "query", sql=sql))
                except ToolFailed as refused:
                    outcomes[sql] = ("refused", str(refused))

    anyio.run(attack)
    assert len(outcomes) >= 15
    for sql, (how, result) in outcomes.items():
        if how == "ran":
            assert not leaked(result), (sql, result)
        else:
            assert "Error executing tool query" in result and len(result) < 600, (sql, result)
    ran = [sql for sql, (how, _) in outcomes.items() if how == "ran"]
    assert ran == [], ran  # every attack here is refused outright


def test_the_catalog_tools_and_resources_know_no_key_table(served):
    async def probe() -> dict:
        found = {}
        async with session_on(served) as session:
            found["tables"] = {t["name"] for t in await call(session, "list_tables")}
            for name in ("unit_truth", "scenario_signals", "../unit_truth"):
                with pytest.raises(ToolFailed, match="not a table you can read"):
                    await call(session, "describe_table", name=name)
            resource = await session.read_resource("table://patient_journeys")
            found["doc"] = resource.contents[0].text
            with pytest.raises(Exception, match=r"unit_truth|not a table"):
                await session.read_resource("table://unit_truth")
        return found

    found = anyio.run(probe)
    assert found["tables"] and not found["tables"] & ANSWER_KEY
    assert found["tables"] <= set(VISIBLE_TABLES)
    assert "| engaged |" in found["doc"]


PLANTED_WORDS = ("trap", "confounder", "drift", "under-performer", "80%", "cate", "true_")
"""How the generator documents what it planted: never in what an agent reads."""


def test_the_table_docs_an_agent_reads_give_away_nothing_planted(served):
    async def read_docs() -> list[str]:
        async with session_on(served) as session:
            described = [
                json.dumps(await call(session, "describe_table", name=name))
                for name in served.sandbox.tables
            ]
            listed = json.dumps(await call(session, "list_tables"))
        return [*described, listed]

    for text in anyio.run(read_docs):
        found = [w for w in PLANTED_WORDS if w in text.lower()]
        assert not found, (found, text[:300])


def test_the_sandbox_holds_no_key_table_under_any_name(served):
    names = {
        r[0]
        for r in served.sandbox.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }
    databases = {
        r[0]
        for r in served.sandbox.con.execute(
            "SELECT database_name FROM duckdb_databases()"
        ).fetchall()
    }
    assert names and not names & ANSWER_KEY
    assert databases <= {"memory", "system", "temp"}


def test_the_key_is_shown_only_once_every_task_is_answered(warehouse_home):
    """One task's explanation would answer another (the ATE task's true ATE is the trap
    task's key): explanations wait until the last task is answered, and an answered task
    takes no second answer."""
    served = fresh_served(warehouse_home, scenarios=SCENARIOS[:1], suites=("causal",))

    async def probe() -> tuple[list, list, dict]:
        async with session_on(served) as session:
            ate, trap = await call(session, "list_tasks")
            assert "true_ate" not in json.dumps(ate) and "explanation" not in ate
            answer = {"ate": 0, "adjusted_for": []}
            first = await call(session, "submit_answer", task_id=ate["task_id"], answer=answer)
            midway = await call(session, "results")
            with pytest.raises(ToolFailed, match="answered already"):
                await call(session, "submit_answer", task_id=ate["task_id"], answer=answer)
            await call(session, "submit_answer", task_id=trap["task_id"], agent_error="gave up")
            return [first, *midway], await call(session, "results"), first

    early, final, first = anyio.run(probe)
    assert first["passed"] is False
    assert all("explanation" not in r for r in early)
    assert not any("0.2" in json.dumps(r) for r in early)  # not even the error's size
    assert all("true ATE" in r["explanation"] for r in final)
