"""The `e2i-synth` command: a real run, and one clear error for each kind of bad input.

One run goes through a fresh interpreter (`python -m e2i_synth.cli`, as the installed
script runs it); the others call the same `main` in this process (click's runner)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from e2i_synth.settings import Scenario
from e2i_synth.twins.stored_checks import STORED_CHECKS
from e2i_synth.validation.suite import CHECKS
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth_tests.conftest import ESTIMATION_UNITS, CliResult, frames_of, invoke_cli


def run_cli(*args: str, home, database_url: str | None = None) -> CliResult:
    env = {"E2I_HOME": str(home), "DAGSTER_HOME": None, "E2I_DATABASE_URL": database_url}
    return invoke_cli(*args, env=env)


@pytest.mark.e2e
def test_materialize_prints_progress_and_summary(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "E2I_DATABASE_URL")}
    env["E2I_HOME"] = str(tmp_path)
    command = [
        sys.executable,
        "-m",
        "e2i_synth.cli",
        "materialize",
        "--scale",
        "200",
        "--brand",
        "kisqali",
        "--dgp",
        "heterogeneous",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "[ 1/1] kisqali|heterogeneous" in result.stdout
    assert f"checks {len(CHECKS)}/{len(CHECKS)} ok" in result.stdout
    assert "true_ate" in result.stdout and "patient_journeys" in result.stdout
    counts = DuckDBWarehouse(tmp_path / "warehouse.duckdb").row_counts(
        Scenario("kisqali", "heterogeneous")
    )
    assert counts["patient_journeys"] == 200 and counts["causal_ground_truth"] == 5
    report = (tmp_path / "reports" / "latest.html").read_text()
    assert "validation report: PASSED" in report and "kisqali|heterogeneous" in report
    assert "<svg" in report and "cate region=west" in report


@pytest.mark.e2e
def test_validate_rechecks_stored_scenarios_and_fails_on_a_shifted_truth(tmp_path):
    # Stored as `materialize` stores it, at 10,000 units (a 0.1 shift is over five SE).
    scenario = Scenario("fabhalta", "confounded")
    frames = frames_of(scenario.brand, scenario.dgp, ESTIMATION_UNITS)
    DuckDBWarehouse(tmp_path / "warehouse.duckdb").replace_scenario(scenario, frames)
    ok = run_cli("validate", "--brand", "fabhalta", "--dgp", "confounded", home=tmp_path)
    assert ok.returncode == 0, ok.stderr
    stored = len(STORED_CHECKS)  # the twin tables' checks pass: no twins were stored
    assert re.search(rf"fabhalta\|confounded +checks {stored}/{stored} ok", ok.stdout)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("UPDATE causal_ground_truth SET true_ate = true_ate + 0.1")
    bad = run_cli("validate", "--dgp", "confounded", "--brand", "fabhalta", home=tmp_path)
    assert bad.returncode == 1
    assert "fabhalta|confounded: causal_ground_truth.causal_recovery failed" in bad.stderr
    assert "vs truth" in bad.stderr
    report = (tmp_path / "reports" / "latest.html").read_text()
    assert "FAILED (1 checks)" in report


def test_validate_without_stored_scenarios_says_what_to_run(tmp_path):
    result = run_cli("validate", home=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: no scenarios stored")
    assert "e2i-synth materialize" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--brand", "cosentyx"], "unknown brand 'cosentyx'; choose one of: remibrutinib"),
        (["--dgp", "instrumental"], "unknown dgp 'instrumental'; choose one of: simple_linear"),
        (["--scale", "huge"], "unknown scale 'huge'; use small or full"),
        (["--scale", "-5"], "scale -5 is too small"),
        (["--seed", "abc"], "seed 'abc' is not an integer"),
        (["--seed", "123456789012345678901234567890"], "out of range; give an integer from 0"),
        (["--seed", "-1"], "seed -1 is out of range"),
        (["--dgp", "confounded", "--knob", "overlapp=0.1"], "unknown knob 'overlapp'; choose"),
        (["--dgp", "confounded", "--knob", "overlap=2"], "overlap takes a number in [0.001, 0.45]"),
        (["--dgp", "confounded", "--knob", "nonlinear=maybe"], "nonlinear takes true or false"),
        (["--knob", "nonlinear=true"], "--knob makes a variant of one DGP: give --dgp too"),
    ],
)
def test_bad_input_gives_one_clear_error_and_writes_nothing(tmp_path, args, message):
    result = run_cli("materialize", *args, home=tmp_path / "home")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {result.stderr.strip()[7:]}"]
    assert message in result.stderr
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()


SEEDED = [
    ["materialize"],
    ["chunked", "--scale", "500", "--brand", "kisqali", "--dgp", "confounded"],
    ["benchmark"],
    ["twins", "train", "--brand", "kisqali"],
    ["twins", "generate", "--brand", "kisqali"],
    ["twins", "simulate", "--brand", "kisqali", "--intervention", "email_campaign"],
    ["twins", "fidelity", "--brand", "kisqali"],
    ["privacy", "score", "patient_journeys", "--brand", "kisqali"],
]


@pytest.mark.parametrize("command", SEEDED, ids=lambda c: " ".join(c[:2]))
def test_every_seed_option_refuses_the_same_seeds_before_any_work(tmp_path, command):
    """One shared --seed: each command's own declaration accepted a seed some step after the
    world's draw could not use."""
    result = run_cli(*command, "--seed", str(2**32), home=tmp_path / "home")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: seed {2**32} is out of range; give an integer from 0 to {2**32 - 1} (2**32 - 1, "
        "the largest seed scikit-learn's models take), e.g. --seed 42"
    ]
    assert not (tmp_path / "home").exists()


def test_benchmark_replicates_may_not_run_past_the_largest_seed(tmp_path):
    result = run_cli("benchmark", "--seed", str(2**32 - 2), "--replicates", "3", home=tmp_path)
    assert result.returncode == 1
    assert "--replicates 3 from seed 4294967294 run past the largest seed" in result.stderr
    assert "start at --seed 4294967293 or lower" in result.stderr


def test_a_hidden_competition_exports_then_scores_a_submission(tmp_path):
    home, out, key = tmp_path / "home", tmp_path / "out", tmp_path / "private" / "key.json"
    args = ["--hidden", "2", "--suite", "smoke", "--scale", "300", "--out", str(out)]
    exported = run_cli("benchmark", "export", *args, "--key", str(key), home=home)
    assert exported.returncode == 0, exported.stderr
    assert "2 hidden variant(s) of smoke, 300 patients each, 2 task(s)" in exported.stdout
    tasks = pd.read_csv(out / "tasks.csv").assign(estimate=0.0, std_error=0.05)
    tasks.to_csv(tmp_path / "zero.csv", index=False)
    scored = run_cli("benchmark", "score", str(tmp_path / "zero.csv"), "--key", str(key), home=home)
    assert scored.returncode == 0, scored.stderr
    assert re.search(r"^ate\s+zero\s+1\s+\d/\d\s+2\s+0\s", scored.stdout, re.MULTILINE)
    assert sorted(p.suffix for p in (home / "reports").glob("competition-smoke-*")) == [
        ".csv",
        ".html",
    ]
    wrong = run_cli("benchmark", "score", str(out / "tasks.csv"), "--key", str(key), home=home)
    assert wrong.returncode == 1
    assert (
        wrong.stderr.startswith("error: submission") and "lacks column(s) estimate" in wrong.stderr
    )


def test_materialize_a_variant_stores_it_apart_with_its_truth(tmp_path):
    home = tmp_path / "home"
    args = ["--scale", "200", "--brand", "kisqali", "--dgp", "confounded"]
    knobs = ["--knob", "overlap=0.1", "--knob", "nonlinear=true"]
    result = run_cli("materialize", *args, *knobs, home=home)
    assert result.returncode == 0, result.stderr
    label = "confounded~nonlinear=true,overlap=0.1"
    assert f"kisqali|{label}: " in result.stdout
    assert not (home / "warehouse.duckdb").exists()  # the default scenarios are untouched
    with duckdb.connect(str(home / "variants" / label / "warehouse.duckdb")) as con:
        truth = con.sql("SELECT dgp_type, description, true_ate FROM causal_ground_truth").df()
        unit_mean = con.execute("SELECT avg(individual_effect) FROM unit_truth").fetchone()[0]
    overall = truth.loc[~truth["description"].str.contains(r"\(")].iloc[0]
    assert overall["dgp_type"] == "confounded" and f"[variant {label}]" in overall["description"]
    assert overall["true_ate"] == pytest.approx(unit_mean, abs=1e-12)


def test_benchmark_scores_estimators_and_reports_a_broken_one(tmp_path):
    home = tmp_path / "home"
    user = "e2i_synth_tests.benchmark.user_estimators.raises"
    # --seeds: the older name of --replicates, still accepted
    args = ["--suite", "smoke", "--limit", "1", "--scale", "300", "--seeds", "2"]
    result = run_cli("benchmark", *args, "--estimator", "ols", "--estimator", user, home=home)
    assert result.returncode == 0, result.stderr
    assert "benchmark smoke: 1 variant(s) x 2 replicate(s), 300 patients" in result.stdout
    # by estimand: OLS ranked first on the ATE over 1/1 variants, 2 runs, none failed; the
    # broken estimator listed unranked with both runs failed
    assert re.search(r"^(ate)?\s+ols\s+1\s+1/1\s+2\s+0\s", result.stdout, re.MULTILINE)
    assert re.search(rf"^\s+{re.escape(user)}\s+<NA>\s+1/1\s+2\s+2\s", result.stdout, re.M)
    assert f"{user}: raised RuntimeError: my model did not converge" in result.stdout
    reports = sorted(p.suffix for p in (home / "reports").glob("benchmark-smoke-*"))
    assert reports == [".csv", ".html"]
    listed = run_cli("benchmark", "--list", home=home)
    assert re.search(r"^standard\s+128 variants", listed.stdout, re.MULTILINE)
    bad = run_cli("benchmark", "--estimator", "nope", home=home)
    assert bad.returncode == 1 and "unknown estimator 'nope'" in bad.stderr


def test_non_writable_home_is_reported(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("materialize", "--scale", "200", home=blocker / "home")
    assert result.returncode == 1
    assert "is not writable" in result.stderr and "E2I_HOME" in result.stderr


@pytest.mark.e2e
@pytest.mark.postgres
def test_materialize_and_validate_into_postgres(tmp_path, postgres_database):
    scenario = ["--brand", "fabhalta", "--dgp", "selection_bias"]
    made = run_cli(
        "materialize", "--scale", "500", *scenario, home=tmp_path, database_url=postgres_database
    )
    assert made.returncode == 0, made.stderr
    assert "-> PostgreSQL database 'e2i_test_" in made.stdout
    assert f"checks {len(CHECKS)}/{len(CHECKS)} ok" in made.stdout
    assert not (tmp_path / "warehouse.duckdb").exists()
    brand_only = run_cli("validate", *scenario[:2], home=tmp_path, database_url=postgres_database)
    assert brand_only.returncode == 1  # only selection_bias is stored
    assert "not in the warehouse: fabhalta|simple_linear" in brand_only.stderr
    stored = run_cli("validate", *scenario, home=tmp_path, database_url=postgres_database)
    assert stored.returncode == 0, stored.stderr


def test_unreachable_database_stops_before_any_run(tmp_path):
    url = "postgresql://loader:s3cret@127.0.0.1:1/warehouse"
    result = run_cli("materialize", "--dgp", "confounded", home=tmp_path, database_url=url)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot connect to PostgreSQL database 'warehouse'")
    assert "s3cret" not in result.stderr + result.stdout
    assert not (tmp_path / "dagster").exists()


def test_dry_run_checks_everything_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    result = run_cli("materialize", "--dry-run", "--brand", "kisqali", "--scale", "1000", home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(f"checks {len(CHECKS)}/{len(CHECKS)} ok") == 5
    assert "nothing was written" in result.stdout
    assert not home.exists()


def test_no_twins_builds_and_checks_the_warehouse_tables_only(tmp_path):
    """At the small scale, where the twins would train: --no-twins leaves them out, and
    the scenario is stored and checked as usual."""
    result = run_cli(
        "materialize", "--brand", "kisqali", "--dgp", "time_series", "--no-twins", home=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert f"checks {len(CHECKS)}/{len(CHECKS)} ok" in result.stdout
    assert "digital twins skipped" not in result.stdout  # not a scale problem: asked for
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        tables = {
            name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    assert "patient_journeys" in tables and "digital_twin_models" not in tables
    counts = DuckDBWarehouse(tmp_path / "warehouse.duckdb").row_counts(
        Scenario("kisqali", "time_series")
    )
    assert counts["patient_journeys"] == 3_000


def test_db_commands_need_a_database_url(tmp_path):
    result = run_cli("db", "status", home=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().startswith(
        "error: db commands manage PostgreSQL: set E2I_DATABASE_URL"
    )


@pytest.mark.postgres
def test_db_migrate_init_and_status_are_idempotent(tmp_path, postgres_database):
    first = run_cli("db", "migrate", home=tmp_path, database_url=postgres_database)
    assert first.returncode == 0, first.stderr
    assert "applied 001_core_tables, 002_validation_results" in first.stdout
    again = run_cli("db", "migrate", home=tmp_path, database_url=postgres_database)
    assert "is up to date" in again.stdout
    for _ in range(2):
        init = run_cli("db", "init", home=tmp_path, database_url=postgres_database)
        assert init.returncode == 0, init.stderr
        assert "0 migration(s) applied" in init.stdout and "row-level security on" in init.stdout
    status = run_cli("db", "status", home=tmp_path, database_url=postgres_database)
    assert "pending: none" in status.stdout and "patient_journeys" in status.stdout


def test_progress_line_counts_the_tables_the_summary_adds_up(capsys):
    """A scenario's line gives the warehouse tables' rows (the summary's total sums the
    same tables) and the twin tables' rows apart, so the two figures agree."""
    from e2i_synth.cli.runs import progress_line
    from e2i_synth.defs.runner import ScenarioRun
    from e2i_synth.tables import TABLE_NAMES

    core = {name: 10 + i for i, name in enumerate(TABLE_NAMES)}
    twins = {"digital_twins": 500, "twin_simulations": 7}
    run = ScenarioRun(Scenario("kisqali", "confounded"), "run", 1.0, {**core, **twins}, 0.25)
    progress_line(1)(0, run)
    line = capsys.readouterr().out
    assert f" {sum(core.values()):,} rows  + 507 twin rows  true ATE 0.2500" in line
    progress_line(1)(0, ScenarioRun(run.scenario, "run", 1.0, core, 0.25))
    assert "twin" not in capsys.readouterr().out


def test_db_status_lines_up_the_counts_of_long_table_names():
    from e2i_synth.cli.db import row_count_lines
    from e2i_synth.warehouse.postgres import ALL_SPECS

    names = [spec.name for spec in ALL_SPECS]  # what `db status` counts
    lines = row_count_lines({name: 10 ** (i % 9) for i, name in enumerate(names)})
    assert max(map(len, names)) > 22  # longer than the old fixed width
    assert len({line.index(" rows") for line in lines}) == 1
    assert [line.split()[0] for line in lines] == names


def test_the_plan_says_how_many_at_a_time_only_for_several_scenarios(tmp_path):
    from e2i_synth.cli.materialize import plan_line
    from e2i_synth.settings import Settings, select_scenarios

    settings = Settings.from_env(home=tmp_path, scale="200", seed=5)
    one = plan_line(settings, select_scenarios("kisqali", "confounded"), workers=2)
    assert one == f"materializing 1 scenario(s), 200 patients each, seed 5 -> {settings.target}"
    assert ", 2 at a time" in plan_line(settings, select_scenarios("kisqali"), workers=2)
    assert ", 3 at a time" in plan_line(settings, select_scenarios(dgp="confounded"), workers=8)


def test_the_summary_of_every_scenario_fits_a_terminal():
    """One row of all 14 tables was about 270 characters wide."""
    from e2i_synth.cli.materialize import TERMINAL_COLUMNS, summary_text
    from e2i_synth.defs.runner import ScenarioRun
    from e2i_synth.settings import select_scenarios
    from e2i_synth.tables import TABLE_NAMES

    rows = {name: 1_234_567 + i for i, name in enumerate(TABLE_NAMES)}
    runs = [ScenarioRun(s, "run", 1.0, rows, 0.25) for s in select_scenarios()]
    text = summary_text(runs)
    assert max(map(len, text.splitlines())) <= TERMINAL_COLUMNS == 100
    assert all(name in text for name in (*TABLE_NAMES, "true_ate"))
    assert text.count("remibrutinib|selection_bias") > 1  # every block names its rows
    assert str(1_234_567 + len(TABLE_NAMES) - 1) in text
