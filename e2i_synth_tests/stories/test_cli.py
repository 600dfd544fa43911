"""`e2i-synth story validate|build|export`: a real run, and one clear line for bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest
from click.testing import CliRunner

from e2i_synth.cli import cli
from e2i_synth.errors import E2IError
from e2i_synth.stories import example_files

SMALL = """\
title: Small story
audience: internal
as_of: 2026-03-31
scenario: {brand: fabhalta, dgp: confounded, scale: 400, seed: 2}
queries:
  - sequence: 1
    complexity: simple
    question: Patients indexed last quarter, by region?
    expected_sql: |
      SELECT region, COUNT(*) AS n FROM patient_journeys
      WHERE index_date >= date_trunc('quarter', CURRENT_DATE) - INTERVAL '3 months'
        AND index_date < date_trunc('quarter', CURRENT_DATE)
      GROUP BY region ORDER BY n DESC
    expect:
      - above: {column: n, value: 1, rows: all}
"""


def story_cli(*args: str, home) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "E2I_DATABASE_URL")}
    env["E2I_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "e2i_synth.cli", "story", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def in_process(*args: str, home) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["story", *args], env={"E2I_HOME": str(home)})
    return result.exit_code, result.output, result.exception


def test_validate_a_shipped_story(tmp_path):
    [qbr] = [f for f in example_files() if f.name == "kisqali_qbr.yaml"]
    code, output, _ = in_process("validate", str(qbr), home=tmp_path)
    assert code == 0, output
    assert "business_metrics.metric_date [2026-07-01, 2026-10-01)" in output
    assert "returns: region VARCHAR, achievement DOUBLE" in output  # as DuckDB binds it
    assert "kisqali_qbr.yaml: valid, 8 golden queries" in output


def test_export_builds_checks_and_writes_files(tmp_path):
    story = tmp_path / "small.yaml"
    story.write_text(SMALL)
    code, output, _ = in_process(
        "export", str(story), "--out", str(tmp_path / "out"), home=tmp_path
    )
    assert code == 0, output
    assert "attempt 1" in output and "read back against their schemas" in output
    path = tmp_path / "out" / "patient_journeys.parquet"
    rows = duckdb.connect().execute(f"SELECT COUNT(*) FROM read_parquet('{path}')").fetchone()[0]
    assert rows == 400
    assert (tmp_path / "out" / "patient_journeys.schema.json").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("complexity: simple", "complexity: easy"), "s.yaml line 7, queries[0].complexity"),
        (("SELECT region,", "SELECT regoin,"), "unknown column(s): regoin (did you mean region?)"),
        (("COUNT(*) AS n", "COUNT(* AS n"), "does not parse"),
        (
            ("SELECT region,", "WITH d AS (DELETE FROM hcp_profiles RETURNING *) SELECT region,"),
            "a golden query only reads, and its WITH d holds DELETE",
        ),
    ],
)
def test_bad_story_files_are_one_error(tmp_path, change, message):
    (tmp_path / "s.yaml").write_text(SMALL.replace(*change))
    code, _, error = in_process("validate", str(tmp_path / "s.yaml"), home=tmp_path)
    assert code == 1 and isinstance(error, E2IError)
    assert message in str(error)


def test_a_failing_story_exits_1_with_one_error_naming_the_query_and_answer(tmp_path):
    story = tmp_path / "dull.yaml"
    story.write_text(SMALL.replace("value: 1, rows: all", "value: 100000, rows: all"))
    result = story_cli("build", str(story), home=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert "is not above 100000" in result.stderr and "answer (4 rows)" in result.stderr


def test_build_at_a_scale_given_on_the_command_line(tmp_path):
    [qbr] = [f for f in example_files() if f.name == "kisqali_qbr.yaml"]
    code, output, _ = in_process("build", str(qbr), "--scale", "3000", home=tmp_path)
    assert code == 0, output
    assert "scale: 3,000 patients (--scale; the file states 20,000)" in output
    assert "kisqali_qbr.yaml: all 8 golden queries pass at 3,000 patients" in output
