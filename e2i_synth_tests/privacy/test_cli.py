"""`e2i-synth privacy score|sample|budget`: scorecard and failure classes printed, the
verdict as the exit code, bad input as one line."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from e2i_synth.cli import cli, main
from e2i_synth.settings import WAREHOUSE_FILE, Scenario
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth_tests.conftest import frames_of, invoke_cli


@pytest.fixture
def stored(isolated_home, monkeypatch):
    """One stored scenario in a fresh DuckDB home."""
    monkeypatch.delenv("E2I_DATABASE_URL", raising=False)
    isolated_home.mkdir(parents=True)
    DuckDBWarehouse(isolated_home / WAREHOUSE_FILE).replace_scenario(
        Scenario("kisqali", "confounded"), dict(frames_of("kisqali", "confounded"))
    )
    return isolated_home


def test_score_prints_the_scorecard_and_passes_when_green(stored):
    result = CliRunner().invoke(cli, ["privacy", "score", "patient_journeys", "--brand", "kisqali"])
    assert result.exit_code == 0, result.output
    assert "mia_auc" in result.output and "all green" in result.output


def test_score_with_a_failing_start_names_the_failure_class(stored):
    result = CliRunner().invoke(
        cli, ["privacy", "score", "treatment_events", "--brand", "kisqali"], standalone_mode=False
    )
    assert isinstance(result.exception, Exception)
    assert "HIGH_DUP_RATE" in result.output and "row space is too small" in result.output
    assert "HIGH_DUP_RATE" in str(result.exception)


def test_bad_input_is_one_line_and_exit_one(stored, monkeypatch, capsys):
    monkeypatch.setattr(
        sys, "argv", ["e2i-synth", "privacy", "score", "nope", "--brand", "kisqali"]
    )
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown table 'nope'") and len(err.splitlines()) == 1


def test_sample_needs_a_database_url(stored, monkeypatch):
    result = CliRunner().invoke(
        cli, ["privacy", "sample", "patient_journeys", "--columns", "region"], standalone_mode=False
    )
    assert "E2I_DATABASE_URL" in str(result.exception)


@pytest.mark.postgres
def test_budget_then_sample_on_postgres(postgres_database, monkeypatch, isolated_home):
    from e2i_synth.warehouse.postgres import PostgresWarehouse

    frames = frames_of("kisqali", "confounded")
    PostgresWarehouse(postgres_database).replace_scenario(
        Scenario("kisqali", "confounded"),
        {t: frames[t] for t in ("hcp_profiles", "patient_journeys")},
    )
    monkeypatch.setenv("E2I_DATABASE_URL", postgres_database)
    runner = CliRunner()
    budget = runner.invoke(cli, ["privacy", "budget", "patient_journeys", "1.0"])
    assert budget.exit_code == 0, budget.output
    assert "1 left" in budget.output
    rows = runner.invoke(
        cli,
        [
            "privacy",
            "sample",
            "patient_journeys",
            "--columns",
            "region,gender",
            "--where",
            "region=west",
            "--limit",
            "7",
        ],
    )
    assert rows.exit_code == 0, rows.output
    assert "7 rows" in rows.output
    count = runner.invoke(
        cli, ["privacy", "sample", "patient_journeys", "--aggregate", "count", "--epsilon", "0.4"]
    )
    assert count.exit_code == 0, count.output
    assert "count = " in count.output
    again = runner.invoke(cli, ["privacy", "budget", "patient_journeys", "1.0"])
    assert "0.6 left" in again.output


@pytest.mark.parametrize("epsilon", ["0", "-1"])
def test_a_non_positive_epsilon_is_refused_before_the_data_is_read(tmp_path, epsilon):
    args = ["privacy", "score", "patient_journeys", "--brand", "kisqali", "--synthesizer", "mst"]
    result = invoke_cli(*args, "--epsilon", epsilon, env={"E2I_HOME": str(tmp_path / "home")})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: --epsilon {epsilon} must be positive, e.g. --epsilon 1.0"
    ]
