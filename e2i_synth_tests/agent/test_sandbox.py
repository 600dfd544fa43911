import time

import duckdb
import pandas as pd
import pytest

from e2i_synth.agent.guard import AgentSqlError
from e2i_synth.agent.sandbox import Sandbox


@pytest.fixture
def sandbox():
    frame = pd.DataFrame(
        {
            "hcp_id": [f"H{i}" for i in range(2_000)],
            "decile": [i % 10 + 1 for i in range(2_000)],
            "seen": pd.to_datetime("2024-01-01") + pd.to_timedelta(range(2_000), "D"),
        }
    )
    return Sandbox({"hcp_profiles": frame}, row_cap=100, timeout=0.5)


def test_rows_beyond_the_cap_are_counted_not_sent(sandbox):
    result = sandbox.query("SELECT hcp_id, seen FROM hcp_profiles ORDER BY hcp_id")
    assert len(result.rows) == 100 and result.truncated
    assert result.rows[0] == ["H0", "2024-01-01T00:00:00"]
    small = sandbox.query("SELECT count(*) AS n FROM hcp_profiles WHERE decile = 3")
    assert small.rows == [[200]] and not small.truncated


def test_a_long_statement_is_stopped_at_the_timeout(sandbox):
    started = time.perf_counter()
    with pytest.raises(AgentSqlError, match="statement timeout"):
        sandbox.query(
            "SELECT count(*) FROM hcp_profiles a, hcp_profiles b, hcp_profiles c, hcp_profiles d "
            "WHERE a.decile + b.decile + c.decile + d.decile = 7"
        )
    assert time.perf_counter() - started < 10
    assert sandbox.query("SELECT count(*) FROM hcp_profiles").rows == [[2_000]]


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH '/tmp/any.duckdb' AS other",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "COPY hcp_profiles TO '/tmp/out.csv'",
        "INSTALL httpfs",
    ],
)
def test_the_connection_itself_is_sealed(sandbox, statement):
    """Past the guard (straight on the connection), files, settings and extensions stay
    out of reach: external access is off and the configuration locked."""
    with pytest.raises(duckdb.Error):
        sandbox.con.execute(statement)


def test_answer_key_tables_cannot_be_served():
    with pytest.raises(ValueError, match="unit_truth"):
        Sandbox({"unit_truth": pd.DataFrame({"patient_id": ["P1"]})})
