"""The Dagster layer: one Definitions object, real in-process runs, atomic scenarios."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from e2i_synth.settings import Scenario, Settings
from e2i_synth.tables import SPECS, TABLE_NAMES, build_tables
from e2i_synth.twins.stored_checks import STORED_CHECKS
from e2i_synth.validation.suite import CHECKS
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth.world import draw_world

REPO_ROOT = Path(__file__).resolve().parents[2]
CORE_GROUPS = {"world", "events", "ml", "metrics", "feature_store", "truth"}
SCENARIO = Scenario("kisqali", "confounded")
N = 300


def digests(path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t: hashlib.sha256(
                con.sql(f"SELECT * FROM {t} ORDER BY ALL").df().to_csv().encode()
            ).hexdigest()
            for t in TABLE_NAMES
        }


def test_definitions_resolve_graph_partitions_and_job():
    from dagster import AssetKey

    from e2i_synth.defs.core import assets as core
    from e2i_synth.defs.core.checks import CHECK_SPECS
    from e2i_synth.defs.definitions import GENERATE_JOB, VALIDATE_JOB, defs
    from e2i_synth.defs.partitions import SCENARIO_PARTITIONS

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    core_keys = {k for k in keys if graph.get(AssetKey(k)).group_name in CORE_GROUPS}
    assert core_keys == set(TABLE_NAMES)
    groups = {graph.get(AssetKey(k)).group_name for k in keys}
    assert groups == {*CORE_GROUPS, "twins", "privacy", "stories", "benchmark", "agent"}
    parents = {p.to_user_string() for p in graph.get(core.CORE_SPECS[6].key).parent_keys}
    assert parents == {"hcp_profiles", "patient_journeys", "ml_predictions"}
    assert defs.resolve_job_def(GENERATE_JOB).partitions_def == SCENARIO_PARTITIONS
    check_keys = {f"{k.asset_key.to_user_string()}.{k.name}" for k in graph.asset_check_keys}
    assert {c.name for c in CHECKS} <= check_keys
    core_checks = {c for c in check_keys if c.split(".")[0] in TABLE_NAMES}
    assert core_checks == {c.name for c in CHECKS}
    assert all(spec.blocking and spec.partitions_def == SCENARIO_PARTITIONS for spec in CHECK_SPECS)
    validate_nodes = {n.name for n in defs.resolve_job_def(VALIDATE_JOB).graph.node_defs}
    assert validate_nodes == {"scenario_checks", "twin_table_checks"}
    assert len(SCENARIO_PARTITIONS.get_partition_keys()) == 15
    assert SCENARIO.partition_key in SCENARIO_PARTITIONS.get_partition_keys()
    assert defs.resolve_job_def(VALIDATE_JOB).partitions_def == SCENARIO_PARTITIONS


def test_the_column_schema_of_every_table_asset_shows_each_column_description():
    """What the UI's column schema says of a column is its spec's description, then its part
    in the keys."""
    from dagster import AssetKey

    from e2i_synth.defs.definitions import defs
    from e2i_synth.tables import STORED_SPECS

    graph = defs.resolve_asset_graph()
    for name, spec in STORED_SPECS.items():  # the core tables and the twins' tables
        schema = graph.get(AssetKey(name)).metadata["dagster/column_schema"]
        assert [column.name for column in schema.columns] == list(spec.columns)
        for column in schema.columns:
            assert column.description.startswith(spec.describe(column.name)), (name, column.name)


@pytest.fixture(scope="module")
def materialized(tmp_path_factory):
    """One in-process run of SCENARIO in its own home, shared by the tests that only read
    what it stored (or re-check it without writing the tables)."""
    from e2i_synth.defs.runner import run_scenarios

    with pytest.MonkeyPatch.context() as patch:  # as `isolated_home`, for the module
        patch.setenv("E2I_HOME", str(tmp_path_factory.mktemp("e2i")))
        patch.delenv("DAGSTER_HOME", raising=False)
        settings = Settings.from_env(scale=N, seed=3)
        [run] = run_scenarios(settings, [SCENARIO])
        yield settings, run


def test_in_process_materialization_stores_the_scenario_and_checks_it(materialized):
    from e2i_synth.defs.instance import dagster_instance

    settings, run = materialized
    expected = build_tables(draw_world(SCENARIO, N, 3))
    assert run.success and run.rows == {t: len(f) for t, f in expected.items()}
    assert (run.checks_passed, run.checks_failed) == (len(CHECKS), 0)
    store = DuckDBWarehouse(settings.warehouse_path)
    assert store.row_counts(SCENARIO) == run.rows
    results = store.read_results([run.run_id])
    assert len(results) == len(CHECKS) and results["passed"].all()
    record = dagster_instance(settings).get_run_by_id(run.run_id)
    assert record.is_success and record.tags["dagster/partition"] == SCENARIO.partition_key


def test_validate_job_rechecks_stored_data_without_regenerating(materialized):
    from e2i_synth.defs.instance import dagster_instance
    from e2i_synth.defs.runner import run_scenarios

    settings, made = materialized
    before = digests(settings.warehouse_path)
    [checked] = run_scenarios(settings, [SCENARIO], generate=False)
    assert checked.success and checked.rows == {} and checked.run_id != made.run_id
    assert checked.checks_passed == len(STORED_CHECKS)  # the twin tables' pass: none built
    assert digests(settings.warehouse_path) == before
    record = dagster_instance(settings).get_run_by_id(checked.run_id)
    assert record.is_success and record.tags["dagster/partition"] == SCENARIO.partition_key


def test_validating_a_scenario_that_is_not_stored_names_it(materialized):
    from e2i_synth.defs.runner import run_scenarios

    settings, _ = materialized
    [run] = run_scenarios(settings, [Scenario("fabhalta", "time_series")], generate=False)
    assert not run.success
    assert "fabhalta|time_series is not in the warehouse" in run.failures[0]


@pytest.mark.e2e
def test_same_seed_gives_byte_identical_warehouses_serial_or_in_workers(tmp_path, monkeypatch):
    from e2i_synth.defs.runner import run_scenarios

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    paths = []
    for run, workers in (("serial", 1), ("workers", 2)):
        settings = Settings.from_env(home=tmp_path / run, scale=N, seed=11)
        runs = run_scenarios(
            settings, [SCENARIO, Scenario("fabhalta", "time_series")], workers=workers
        )
        assert [r.scenario for r in runs] == [SCENARIO, Scenario("fabhalta", "time_series")]
        assert all(r.success for r in runs)
        paths.append(settings.warehouse_path)
    assert digests(paths[0]) == digests(paths[1])


def test_structural_failure_blocks_the_load_and_keeps_previous_contents(isolated_home, monkeypatch):
    from e2i_synth.defs.core import assets as core
    from e2i_synth.defs.runner import run_scenarios

    settings = Settings.from_env(scale=N, seed=5)
    run_scenarios(settings, [SCENARIO])
    before = digests(settings.warehouse_path)

    def corrupted(world):
        frames = build_tables(world)
        frames["hcp_profiles"].loc[1, "hcp_id"] = frames["hcp_profiles"].loc[0, "hcp_id"]
        return frames

    monkeypatch.setattr(core, "build_tables", corrupted)
    [run] = run_scenarios(Settings.from_env(scale=N, seed=6), [SCENARIO])
    assert not run.success and run.rows == {}
    assert "kisqali|confounded" in run.failures[0]
    assert any(
        "hcp_profiles.keys failed: hcp_profiles.hcp_id: 1 duplicated" in f for f in run.failures
    )
    assert digests(settings.warehouse_path) == before
    gate = DuckDBWarehouse(settings.warehouse_path).read_results([run.run_id])
    # The duplicated id also orphans that HCP's feature values: every guard says so.
    assert set(gate["check_name"]) == {"schema", "keys", "entities"}
    assert not gate["passed"].any()


def test_causal_failure_blocks_the_load_and_keeps_previous_contents(isolated_home, monkeypatch):
    """A scenario whose stored truth its data do not recover is not written either: readers
    keep the version that passed, and the run fails naming the check and figure."""
    from e2i_synth.defs.core import assets as core
    from e2i_synth.defs.runner import run_scenarios

    settings = Settings.from_env(scale=N, seed=5)
    run_scenarios(settings, [SCENARIO])
    before = digests(settings.warehouse_path)

    def shifted(world):
        frames = build_tables(world)
        frames["causal_ground_truth"]["true_ate"] += 0.5  # over 7 SE at 300 patients
        return frames

    monkeypatch.setattr(core, "build_tables", shifted)
    [run] = run_scenarios(Settings.from_env(scale=N, seed=6), [SCENARIO])
    assert not run.success and run.rows == {}
    [failure] = run.failures
    assert failure.startswith("kisqali|confounded: causal_ground_truth.causal_recovery failed")
    assert "vs truth" in failure
    assert digests(settings.warehouse_path) == before


@pytest.mark.integration
def test_shifted_truth_fails_the_causal_check_naming_scenario_and_figure(
    isolated_home, monkeypatch
):
    """Structurally sound, but the blocking causal check fails: not loaded, the run fails."""

    from e2i_synth.defs.core import assets as core
    from e2i_synth.defs.instance import dagster_instance
    from e2i_synth.defs.runner import run_scenarios

    def shifted(world):
        frames = build_tables(world)
        frames["causal_ground_truth"]["true_ate"] += 0.1
        return frames

    monkeypatch.setattr(core, "build_tables", shifted)
    settings = Settings.from_env(scale=10_000, seed=5)
    [run] = run_scenarios(settings, [SCENARIO])
    assert not run.success and run.checks_failed == 1 and run.rows == {}
    [failure] = run.failures
    assert failure.startswith("kisqali|confounded: causal_ground_truth.causal_recovery failed")
    assert "vs truth" in failure and re.search(r"error -0\.(0[89]|1[0-2])", failure)
    assert not dagster_instance(settings).get_run_by_id(run.run_id).is_success


@pytest.mark.e2e
def test_dagster_cli_materializes_one_partition(tmp_path):
    env = {
        **os.environ,
        "E2I_HOME": str(tmp_path / "e2i"),
        "E2I_SCALE": str(N),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    (tmp_path / "dagster").mkdir()
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    result = subprocess.run(
        [
            dagster,
            "asset",
            "materialize",
            "-m",
            "e2i_synth.defs.definitions",
            "--select",
            ",".join(TABLE_NAMES),  # the twins need a larger scale than this test's
            "--partition",
            SCENARIO.partition_key,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    counts = DuckDBWarehouse(tmp_path / "e2i" / "warehouse.duckdb").row_counts(SCENARIO)
    assert counts["patient_journeys"] == N


@pytest.mark.e2e
def test_workspace_file_loads_the_code_location(tmp_path):
    """What `dagster dev -w workspace.yaml` loads, validated by Dagster's own command."""
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    result = subprocess.run(
        [dagster, "definitions", "validate", "-w", str(REPO_ROOT / "workspace.yaml")],
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Validation successful for code location e2i_synth" in result.stderr + result.stdout


class RecordingFrames(dict):
    """All frames, remembering which ones a builder reads."""

    def __init__(self, frames):
        super().__init__(frames)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def test_lineage_is_foreign_keys_and_the_reads_the_builders_actually_make():
    from dagster import AssetKey

    from e2i_synth.defs.definitions import defs
    from e2i_synth.tables import REGISTRY

    world = draw_world(SCENARIO, N, 3)
    frames = build_tables(world)
    graph = defs.resolve_asset_graph()
    for table in REGISTRY:
        upstream = RecordingFrames({k: v for k, v in frames.items() if k != table.name})
        table.build(world, upstream)
        assert upstream.read == set(table.reads), table.name
        parents = {k.to_user_string() for k in graph.get(AssetKey(table.name)).parent_keys}
        expected = set(table.spec.foreign_keys.values()) | upstream.read | set(table.describes)
        assert parents == expected, table.name
        assert graph.get(AssetKey(table.name)).group_name == table.group
    # engagement spend per region: the engagements, placed by their HCP's panel region
    assert "engagement_events" in {
        k.to_user_string() for k in graph.get(AssetKey("business_metrics")).parent_keys
    }


def test_runs_from_the_command_line_carry_the_code_location_of_ui_runs(materialized):
    from e2i_synth.defs.instance import dagster_instance
    from e2i_synth.defs.runner import RUN_TAGS

    settings, run = materialized
    tags = dagster_instance(settings).get_run_by_id(run.run_id).tags
    assert (
        tags[".dagster/repository"] == "__repository__@e2i_synth" == RUN_TAGS[".dagster/repository"]
    )
    workspace = (REPO_ROOT / "workspace.yaml").read_text()
    assert "location_name: e2i_synth" in workspace


def test_checks_without_a_partition_stop_with_one_sentence(isolated_home):
    from e2i_synth.defs.definitions import VALIDATE_JOB, defs
    from e2i_synth.defs.instance import dagster_instance

    result = defs.resolve_job_def(VALIDATE_JOB).execute_in_process(
        instance=dagster_instance(Settings.from_env(scale=N, seed=3)), raise_on_error=False
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert len(failures) == 2  # the core tables' checks and the twin tables'
    assert all(
        "choose a partition (brand|dgp" in f.step_failure_data.error.message for f in failures
    )
    evaluations = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert evaluations == []


def test_a_run_launched_outside_the_command_writes_and_links_its_own_report(materialized):
    from e2i_synth.defs.definitions import VALIDATE_JOB, defs
    from e2i_synth.defs.instance import dagster_instance

    settings, _ = materialized
    result = defs.resolve_job_def(VALIDATE_JOB).execute_in_process(
        run_config={"resources": {"warehouse": {"config": {"home": str(settings.home)}}}},
        instance=dagster_instance(settings),
        partition_key=SCENARIO.partition_key,
    )
    reports = {e.metadata["report"].value for e in result.get_asset_check_evaluations()}
    assert reports == {str(settings.home / "reports" / f"{result.run_id}.html")}
    page = Path(reports.pop()).read_text()
    assert "validation report: PASSED" in page and f"<p>{len(STORED_CHECKS)} checks over 1" in page


def test_materialization_metadata_is_what_dagster_users_expect(materialized):
    from dagster import AssetKey

    from e2i_synth.defs.definitions import defs
    from e2i_synth.defs.instance import dagster_instance

    settings, run = materialized
    instance = dagster_instance(settings)
    record = instance.fetch_materializations(AssetKey("patient_journeys"), limit=1).records[0]
    metadata = record.asset_materialization.metadata
    assert metadata["dagster/row_count"].value == N
    columns = [c.name for c in metadata["dagster/column_schema"].schema.columns]
    assert columns == list(SPECS["patient_journeys"].columns)
    assert len(metadata["preview"].records) == 5
    assert metadata["n_patients"].value == N and metadata["seed"].value == 3
    assert abs(metadata["true_ate"].value - run.true_ate) < 1e-9
    assert metadata["naive_estimate"].value != metadata["true_ate"].value
    # The command writes one report over all its runs, none per run (nor links one).
    assert "validation_report" not in metadata
    assert not (settings.home / "reports" / f"{run.run_id}.html").exists()
    node = defs.resolve_asset_graph().get(AssetKey("patient_journeys"))
    assert node.code_version and node.owners == ["team:e2i-synth"] and "duckdb" in node.kinds
    assert node.freshness_policy is not None
