"""What an operator meets in the first week: secrets, overlapping runs, Ctrl-C, bad
settings, partial selections, and re-validating a warehouse that holds some scenarios."""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from e2i_synth.cli import STOPPED
from e2i_synth.database_url import parse_database_url
from e2i_synth.settings import Scenario, Settings
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.validation.suite import structural_checks
from e2i_synth.warehouse import open_warehouse
from e2i_synth_tests.conftest import CliResult, frames_of, invoke_cli

MARKER = "Sekr3tMarkerPw9"
N = 300
FOUR = [
    Scenario("kisqali", "confounded"),
    Scenario("fabhalta", "simple_linear"),
    Scenario("remibrutinib", "time_series"),
    Scenario("kisqali", "selection_bias"),
]


def cli_env(home: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "E2I_DATABASE_URL")}
    env.update(E2I_HOME=str(home), **extra)
    if database_url:
        env["E2I_DATABASE_URL"] = database_url
    return env


def interruptible() -> None:
    """A user's shell starts a command with Ctrl-C's default action; a pytest-xdist worker
    ignores SIGINT, and an ignored signal stays ignored in the programs it starts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "e2i_synth.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "e2i_synth.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def in_process(*args: str, home: Path, **extra: str) -> CliResult:
    """The command in this process (click's runner), where its output, not its process, is
    what the test is about."""
    env = {"E2I_HOME": str(home), "DAGSTER_HOME": None, "E2I_DATABASE_URL": None}
    return invoke_cli(*args, env={**env, **extra})


def with_password(url: str) -> str:
    return make_conninfo(url, password=MARKER)


def assert_each_scenario_whole(store, scenarios) -> None:
    """Every scenario present exactly once and structurally sound."""
    for scenario in scenarios:
        frames = {t: store.read(t, scenario) for t in TABLE_NAMES}
        assert len(frames["patient_journeys"]) == N, scenario
        assert [r.message for r in structural_checks(frames) if not r.passed] == []


def marker_hits(paths: list[Path]) -> list[str]:
    hits = []
    for root in paths:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file() and MARKER.encode() in path.read_bytes():
                hits.append(str(path))
    return hits


@pytest.mark.e2e
@pytest.mark.postgres
def test_a_password_never_reaches_run_config_storage_logs_or_output(
    tmp_path, postgres_database, second_postgres_database
):
    url = with_password(postgres_database)
    home = tmp_path / "e2i"
    result = run_cli(
        "materialize",
        "--scale",
        str(N),
        "--brand",
        "fabhalta",
        "--dgp",
        "confounded",
        env=cli_env(home, url),
    )
    assert result.returncode == 0, result.stderr
    assert MARKER not in result.stdout + result.stderr
    assert marker_hits([home]) == []  # SQLite run and event storage, reports, everything
    # The same through the PostgreSQL-backed instance of the shared deployment.
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    repo = Path(__file__).resolve().parents[2]
    config = next(
        p for p in (repo / "docker" / "dagster.yaml", repo / "dagster.yaml") if p.exists()
    )
    (dagster_home / "dagster.yaml").write_text(config.read_text())
    info = conninfo_to_dict(second_postgres_database)
    instance_url = (
        f"postgresql+psycopg2://{info['user']}@{info['host']}:{info['port']}/{info['dbname']}"
    )
    env = cli_env(home, url, DAGSTER_HOME=str(dagster_home), DAGSTER_POSTGRES_URL=instance_url)
    again = run_cli("validate", env=env)
    assert again.returncode == 0, again.stderr
    with psycopg.connect(second_postgres_database) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        assert "runs" in tables and "event_logs" in tables
        for table in tables:
            hits = con.execute(
                f"SELECT count(*) FROM {table} t WHERE t::text LIKE %s", [f"%{MARKER}%"]
            ).fetchone()[0]
            assert hits == 0, table
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    with psycopg.connect(postgres_database) as con:
        stored = con.execute(
            "SELECT count(*) FROM validation_results v WHERE v::text LIKE %s", [f"%{MARKER}%"]
        ).fetchone()[0]
    assert stored == 0


def test_run_config_holds_no_database_url():
    from e2i_synth.defs.runner import run_config

    database = parse_database_url(f"postgresql://u:{MARKER}@h/d")
    settings = Settings(home=Path("/tmp/h"), n_patients=N, seed=1, database=database)
    config = repr(run_config(settings, True))
    assert MARKER not in config and "database" not in config and "'h'" not in config


@pytest.mark.e2e
def test_four_runs_at_once_on_a_fresh_home_all_land_in_one_duckdb_file(tmp_path):
    from e2i_synth.defs.instance import dagster_instance

    home = tmp_path / "e2i"
    env = cli_env(home)
    procs = [
        start_cli("materialize", "--scale", str(N), "--brand", s.brand, "--dgp", s.dgp, env=env)
        for s in FOUR
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [o[1][-500:] for o in outputs]
    store = open_warehouse(home)
    truth = store.read("causal_ground_truth")
    assert sorted(set(zip(truth["brand"], truth["dgp_type"], strict=True))) == sorted(
        (s.brand, s.dgp) for s in FOUR
    )
    assert_each_scenario_whole(store, FOUR)
    # The instance survived the concurrent first use: a later run works and all runs are there.
    instance = dagster_instance(Settings.from_env(home=home, scale=N, seed=42))
    assert len(instance.get_runs()) == 4


@pytest.mark.e2e
@pytest.mark.postgres
def test_four_runs_at_once_into_postgres_and_two_loads_of_one_scenario(tmp_path, postgres_database):
    env = cli_env(tmp_path / "e2i", postgres_database)
    assert run_cli("db", "migrate", env=env).returncode == 0
    scenarios = [*FOUR, FOUR[0]]  # the same scenario twice at once: both load, in turn
    procs = [
        start_cli("materialize", "--scale", str(N), "--brand", s.brand, "--dgp", s.dgp, env=env)
        for s in scenarios
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 5, [o[1][-500:] for o in outputs]
    assert_each_scenario_whole(open_warehouse(tmp_path, postgres_database), FOUR)


def test_a_bad_setting_is_one_line_before_any_run(tmp_path):
    result = in_process("materialize", home=tmp_path, E2I_SEED="abc")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: seed 'abc' is not an integer; give e.g. --seed 42"
    assert not (tmp_path / "dagster").exists()


def test_a_scale_beyond_memory_is_refused_with_what_fits(tmp_path):
    result = in_process("materialize", "--scale", "100000000", home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "GiB at its peak" in result.stderr and "largest scale that fits" in result.stderr


@pytest.mark.e2e
def test_validate_without_flags_checks_every_stored_scenario_and_says_which(tmp_path):
    store = open_warehouse(tmp_path)  # stored as `materialize` stores them
    for s in FOUR[:2]:
        store.replace_scenario(s, frames_of(s.brand, s.dgp, N))
    result = in_process("validate", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "validating 2 stored scenario(s)" in result.stdout
    assert all(s.partition_key in result.stdout for s in FOUR[:2])
    missing = in_process("validate", "--brand", "kisqali", home=tmp_path)
    assert missing.returncode == 1
    assert "kisqali|simple_linear" in missing.stderr and "fabhalta" not in missing.stderr


def interpreter_seconds(runs: int = 3) -> float:
    """The machine's noise: the median time an interpreter takes to start and exit here, now
    (a shared, loaded machine stretches every step of a stop alike)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sqlite3"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_records(home: Path) -> list:
    """Every Dagster run of the local instance at `<home>/dagster`."""
    from dagster import DagsterInstance

    instance = DagsterInstance.from_config(str(home / "dagster"))
    try:
        return list(instance.get_run_records())
    finally:
        instance.dispose()


def materialized_at(home: Path, run_id: str, asset: str) -> list[float]:
    """When the run reported `asset` written: its rows were committed just before."""
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.from_config(str(home / "dagster"))
    try:
        return [
            entry.timestamp
            for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
            if entry.asset_materialization is not None
            and entry.asset_materialization.asset_key.to_user_string() == asset
        ]
    finally:
        instance.dispose()


STOP_SECONDS = 2.0
"""How long a stop may take, on an idle machine, from the signal to the command's exit."""


@pytest.mark.parametrize(
    ("sig", "code", "workers", "group"),
    [
        pytest.param(signal.SIGINT, 130, 2, True, id="ctrl-c-workers"),
        pytest.param(signal.SIGTERM, 143, 2, False, id="sigterm-workers"),
        pytest.param(signal.SIGTERM, 143, 1, False, id="sigterm-serial"),
        pytest.param(signal.SIGINT, 130, 1, True, id="ctrl-c-serial"),
    ],
)
@pytest.mark.e2e
def test_ctrl_c_and_sigterm_stop_the_whole_command_and_leave_scenarios_whole(
    tmp_path, sig, code, workers, group
):
    """Ctrl-C reaches the whole process group (the terminal's), SIGTERM the command alone (a
    service manager's `kill`): either way the command stops within seconds with one line,
    starts no scenario after the signal, commits none after it, and leaves no run STARTED."""
    margin = interpreter_seconds()
    env = cli_env(tmp_path, E2I_SCALE=str(N))
    args = ("materialize", "--brand", "fabhalta", "--no-twins", "--workers", str(workers))
    proc = subprocess.Popen(
        [sys.executable, "-m", "e2i_synth.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    assert proc.stdout is not None
    first = ""
    while not first.startswith("[ 1/5]"):  # the header lines, then the first scenario
        first = proc.stdout.readline()
        assert first, "the command ended before finishing a scenario"
    time.sleep(0.5)
    signalled, started = time.time(), time.perf_counter()
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    seconds = time.perf_counter() - started
    assert proc.returncode == code, err[-1000:]
    assert seconds <= STOP_SECONDS + margin, f"{seconds:.1f} s to stop (noise {margin:.2f} s)"
    # click ends the terminal's "^C" with a newline; the one line follows it
    assert [line for line in err.splitlines() if line.strip()] == [STOPPED], err[-2000:]
    assert "[5/5]" not in out and "Traceback" not in out + err

    records = run_records(tmp_path)
    runners = {int(r.dagster_run.tags["e2i/pid"]) for r in records}
    assert runners - {proc.pid} == set() if workers == 1 else len(runners - {proc.pid}) == workers
    assert not [pid for pid in runners if Path(f"/proc/{pid}").exists()], "a worker outlived it"
    # the scenarios done before the signal, and at most one more in each worker's hands
    # (one it was taking as the signal came may have its run recorded, never written)
    done = [r for r in records if r.end_time and r.end_time < signalled]
    assert done and len(records) <= len(done) + workers, "a queued scenario started"
    statuses = {r.dagster_run.status.value for r in records}
    assert statuses <= {"SUCCESS", "FAILURE", "CANCELED"} and statuses != {"SUCCESS"}
    store = open_warehouse(tmp_path)
    truth = store.read("causal_ground_truth")
    stored = {Scenario(b, d) for b, d in zip(truth["brand"], truth["dgp_type"], strict=True)}
    assert 1 <= len(stored) < 5
    assert_each_scenario_whole(store, sorted(stored, key=str))
    for record in records:
        scenario = Scenario.from_partition_key(record.dagster_run.tags["dagster/partition"])
        committed = materialized_at(tmp_path, record.dagster_run.run_id, "causal_ground_truth")
        assert (scenario in stored) == bool(committed), scenario
        assert all(t < signalled for t in committed), f"{scenario} committed after the signal"


def test_only_unfinished_runs_whose_process_is_gone_are_failed():
    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.storage.dagster_run import DagsterRun

    from e2i_synth.defs.instance import fail_orphaned_runs, process_tags

    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    gone = {"e2i/pid": ended.stdout.strip(), "e2i/process_start": "1"}
    here = process_tags()
    started, success = DagsterRunStatus.STARTED, DagsterRunStatus.SUCCESS
    cases = {
        "killed": (started, {**here, **gone}),
        "its pid now another process's": (started, {**here, "e2i/process_start": "1"}),
        "running": (started, here),
        "on another host": (started, {**here, **gone, "e2i/host": "elsewhere"}),
        "finished": (success, {**here, **gone}),
        "not from a command": (started, {}),
    }
    instance = DagsterInstance.ephemeral()
    ids = {}
    for name, (status, tags) in cases.items():
        ids[name] = instance.add_run(DagsterRun("generate", status=status, tags=tags)).run_id
    failed = fail_orphaned_runs(instance)
    assert sorted(failed) == sorted([ids["killed"], ids["its pid now another process's"]])
    after = {name: instance.get_run_by_id(run_id).status for name, run_id in ids.items()}
    assert after == {
        name: DagsterRunStatus.FAILURE if ids[name] in failed else status
        for name, (status, _) in cases.items()
    }
    assert fail_orphaned_runs(instance) == []


def unfinished_runs(home: Path) -> list:
    return [r for r in run_records(home) if r.dagster_run.status.value in ("STARTING", "STARTED")]


@pytest.mark.e2e
def test_a_run_left_started_by_kill_9_is_failed_by_the_next_command(tmp_path):
    env = cli_env(tmp_path, E2I_SCALE=str(N))
    args = ("materialize", "--brand", "kisqali", "--no-twins", "--workers", "1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "e2i_synth.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    assert proc.stdout is not None
    first = ""
    while not first.startswith("[ 1/5]"):
        first = proc.stdout.readline()
        assert first, "the command ended before finishing a scenario"
    deadline = time.monotonic() + 120
    while not unfinished_runs(tmp_path):  # the second scenario's run, under way
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    [orphan] = unfinished_runs(tmp_path)
    assert orphan.dagster_run.tags["e2i/pid"] == str(proc.pid)

    stored = first.split()[2]  # "[ 1/5] kisqali|<dgp> ..."
    brand, dgp = stored.split("|")
    assert in_process("validate", "--brand", brand, "--dgp", dgp, home=tmp_path).returncode == 0

    status = {r.dagster_run.run_id: r.dagster_run.status.value for r in run_records(tmp_path)}
    assert status[orphan.dagster_run.run_id] == "FAILURE"
    assert list(status.values()).count("SUCCESS") == 2  # the first scenario's and validate's
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.from_config(str(tmp_path / "dagster"))
    [failure] = instance.all_logs(orphan.dagster_run.run_id, of_type=DagsterEventType.RUN_FAILURE)
    instance.dispose()
    assert f"pid {proc.pid}" in (failure.message or "") and "killed" in (failure.message or "")


@pytest.mark.parametrize(
    "name", ["dagster.yaml", "dagster-docker-runs.yaml", "dagster-k8s-runs.yaml"]
)
def test_the_shipped_instances_fail_runs_whose_worker_is_gone(name):
    """The deployment's daemon ends runs that no process will end: Dagster's run monitoring,
    on, with a bound on the runtime (the default launcher cannot see a dead run worker)."""
    import yaml
    from dagster._config import Shape, validate_config
    from dagster._core.instance.config import dagster_instance_config_schema

    config = yaml.safe_load((Path(__file__).parents[2] / "docker" / name).read_text())
    assert validate_config(Shape(dagster_instance_config_schema()), config).success
    monitoring = config["run_monitoring"]
    assert monitoring["enabled"] is True and 0 < monitoring["max_runtime_seconds"] <= 86400
    assert monitoring.get("max_resume_run_attempts", 0) == 0


def subset_run(settings: Settings, scenario: Scenario, *tables: str):
    from dagster import AssetKey

    from e2i_synth.defs.definitions import GENERATE_JOB, defs
    from e2i_synth.defs.instance import dagster_instance
    from e2i_synth.defs.runner import RUN_TAGS, run_config

    return defs.resolve_job_def(GENERATE_JOB).execute_in_process(
        run_config=run_config(settings, True),
        instance=dagster_instance(settings),
        partition_key=scenario.partition_key,
        asset_selection=[AssetKey(t) for t in tables],
        tags=RUN_TAGS,
    )


def check_subset_keeps_keys(tmp_path, monkeypatch, database_url: str | None) -> None:
    if database_url:
        monkeypatch.setenv("E2I_DATABASE_URL", database_url)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    scenario = FOUR[0]
    assert subset_run(
        Settings.from_env(home=tmp_path, scale=N, seed=1), scenario, *TABLE_NAMES
    ).success
    result = subset_run(Settings.from_env(home=tmp_path, scale=N, seed=2), scenario, "hcp_profiles")
    assert result.success
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert "patient_journeys" in metadata["also_replaced"].value
    assert_each_scenario_whole(open_warehouse(tmp_path, database_url), [scenario])


def test_a_parent_selected_alone_keeps_every_key_valid_in_duckdb(tmp_path, monkeypatch):
    check_subset_keeps_keys(tmp_path, monkeypatch, None)


@pytest.mark.e2e
@pytest.mark.postgres
def test_a_parent_selected_alone_keeps_every_key_valid_in_postgres(
    tmp_path, monkeypatch, postgres_database
):
    check_subset_keeps_keys(tmp_path, monkeypatch, postgres_database)


def test_a_broken_instance_is_one_sentence_with_the_fix(tmp_path):
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("run_storage: [this is not a storage\n")
    result = in_process(
        "materialize", "--scale", str(N), "--brand", "kisqali", "--dgp", "confounded", home=tmp_path
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"the Dagster instance in {dagster_home} cannot be opened" in line
    assert "dagster instance migrate" in line


def output_mirrors(pid: int) -> list[int]:
    """The helpers Dagster starts, in the command's process, to mirror a running step's
    output (`watch_orphans.py` beside a `tail`)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = []
    for child in children:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            if b"watch_orphans" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


@pytest.mark.e2e
def test_ctrl_c_during_a_step_of_a_single_scenario_prints_one_line_and_no_traceback(tmp_path):
    """Ctrl-C reaches the terminal's whole process group, the helpers mirroring a step's
    output included, while the one scenario runs in the command's own process: one line,
    no traceback (each helper printed one), exit 130, the scenario as it was."""
    margin = interpreter_seconds()
    args = ("materialize", "--brand", "kisqali", "--dgp", "confounded", "--no-twins")
    proc = subprocess.Popen(
        [sys.executable, "-m", "e2i_synth.cli", *args, "--scale", "2000"],
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    deadline = time.monotonic() + 300
    while not output_mirrors(proc.pid):
        assert proc.poll() is None and time.monotonic() < deadline, "no step ever ran"
        time.sleep(0.05)
    started = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    seconds = time.perf_counter() - started
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]
    assert [line for line in err.splitlines() if line.strip()] == [STOPPED], err[-2000:]
    assert seconds <= STOP_SECONDS + margin, f"{seconds:.1f} s to stop (noise {margin:.2f} s)"
    assert "[1/1]" not in out and not (tmp_path / "reports").exists()
    store = open_warehouse(tmp_path, None)
    if "causal_ground_truth" in store.tables():
        assert store.read("causal_ground_truth").empty  # nothing of the scenario half-stored


SIGNAL_AFTER_THE_RUNS = """
import os, signal, sys
import e2i_synth.cli.materialize as materialize
shown = materialize.summary_text
def interrupted_while_summing_up(loaded):
    os.kill(os.getpid(), signal.SIGINT)  # the scenario is stored; the report is not written
    return shown(loaded)
materialize.summary_text = interrupted_while_summing_up
sys.argv = ["e2i-synth", *sys.argv[1:]]
from e2i_synth.cli import main
main()
"""


def test_ctrl_c_once_the_scenarios_are_stored_still_writes_their_report(tmp_path):
    """Ctrl-C after the last scenario was replaced, while the command sums up: the report of
    the stored scenario is written, and the command then stops with its one line."""
    args = ("materialize", "--brand", "kisqali", "--dgp", "confounded", "--no-twins")
    proc = subprocess.run(
        [sys.executable, "-c", SIGNAL_AFTER_THE_RUNS, *args],
        env=cli_env(tmp_path, E2I_SCALE=str(N)),
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=interruptible,
    )
    assert proc.returncode == 130, proc.stderr[-2000:]
    assert [line for line in proc.stderr.splitlines() if line.strip()] == [STOPPED]
    assert "validation report:" in proc.stdout
    assert len(list((tmp_path / "reports").glob("materialize-*.html"))) == 1
    store = open_warehouse(tmp_path, None)
    assert_each_scenario_whole(store, [Scenario("kisqali", "confounded")])
