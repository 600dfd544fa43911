"""The `e2i-synth` command: a real run, and one clear error for each kind of bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from e2i_synth.settings import Scenario
from e2i_synth.warehouse import DuckDBWarehouse


def run_cli(*args: str, home) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["E2I_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "e2i_synth.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_materialize_prints_progress_and_summary(tmp_path):
    result = run_cli(
        "materialize",
        "--scale",
        "200",
        "--brand",
        "kisqali",
        "--dgp",
        "heterogeneous",
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "[ 1/1] kisqali|heterogeneous" in result.stdout
    assert "true_ate" in result.stdout and "patient_journeys" in result.stdout
    counts = DuckDBWarehouse(tmp_path / "warehouse.duckdb").row_counts(
        Scenario("kisqali", "heterogeneous")
    )
    assert counts["patient_journeys"] == 200 and counts["causal_ground_truth"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--brand", "cosentyx"], "unknown brand 'cosentyx'; choose one of: remibrutinib"),
        (["--dgp", "instrumental"], "unknown dgp 'instrumental'; choose one of: simple_linear"),
        (["--scale", "huge"], "unknown scale 'huge'; use small or full"),
        (["--scale", "-5"], "scale -5 is too small"),
        (["--seed", "abc"], "seed 'abc' is not an integer"),
    ],
)
def test_bad_input_gives_one_clear_error_and_writes_nothing(tmp_path, args, message):
    result = run_cli("materialize", *args, home=tmp_path / "home")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {result.stderr.strip()[7:]}"]
    assert message in result.stderr
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()


def test_non_writable_home_is_reported(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("materialize", "--scale", "200", home=blocker / "home")
    assert result.returncode == 1
    assert "is not writable" in result.stderr and "E2I_HOME" in result.stderr
