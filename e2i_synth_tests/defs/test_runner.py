"""A warehouse failure inside a Dagster run reaches the command line as the same one line,
with its fix, as outside a run: not "checks 0/0 FAILED" and the storage library's raw words."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from e2i_synth.warehouse import duckdb as duckdb_warehouse
from e2i_synth_tests.conftest import CliResult, invoke_cli

MATERIALIZE = (
    "materialize",
    "--scale",
    "200",
    "--brand",
    "kisqali",
    "--dgp",
    "confounded",
    "--no-twins",
    "--workers",
    "1",
)
HOLD_OPEN = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS notebook AS SELECT 1 AS x")
print("open", flush=True)
time.sleep(120)
"""


def materialize(home: Path) -> CliResult:
    return invoke_cli(*MATERIALIZE, env={"E2I_HOME": str(home), "DAGSTER_HOME": None})


@pytest.fixture
def held_open(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """The warehouse file held open for writing by another process, as a notebook's
    `duckdb.connect` holds it; the run gives up at once rather than after its retries."""
    monkeypatch.setattr(duckdb_warehouse, "CONFLICT_RETRIES", 0)
    notebook = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(tmp_path / "warehouse.duckdb")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert notebook.stdout.readline().strip() == "open"
        yield tmp_path
    finally:
        notebook.kill()
        notebook.wait()


def assert_one_line_error(result: CliResult, fix: str) -> None:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: replace kisqali|confounded failed on the warehouse ")
    assert fix in lines[0]
    assert "checks 0/0" not in result.stdout and "Traceback" not in result.stderr


def test_a_file_held_open_by_another_program_fails_the_run_with_the_fix(held_open):
    result = materialize(held_open)
    assert_one_line_error(result, "close that program's connection (e.g. a notebook's")
    assert "Conflicting lock" in result.stderr  # the cause, inside the sentence


def test_a_truncated_file_fails_the_run_as_damaged(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE filler AS SELECT range AS x, random() AS y FROM range(200000)")
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.truncate(size // 2)
    result = materialize(tmp_path)
    assert_one_line_error(result, "the file is damaged: restore it from a backup")
