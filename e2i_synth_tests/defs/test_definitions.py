"""The Dagster layer: one Definitions object, real in-process runs, atomic scenarios."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from e2i_synth.defs import assets as assets_pkg
from e2i_synth.defs.assets import core
from e2i_synth.defs.definitions import GENERATE_JOB, defs
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.runner import dagster_instance, materialize_scenarios
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario, Settings
from e2i_synth.tables import TABLE_NAMES, build_tables
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth.world import draw_world

REPO_ROOT = Path(__file__).resolve().parents[2]
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
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == set(TABLE_NAMES)
    parents = {p.to_user_string() for p in graph.get(core.CORE_SPECS[6].key).parent_keys}
    assert parents == {"hcp_profiles", "patient_journeys", "ml_predictions"}
    assert defs.resolve_job_def(GENERATE_JOB).partitions_def == SCENARIO_PARTITIONS
    assert len(SCENARIO_PARTITIONS.get_partition_keys()) == 15
    assert SCENARIO.partition_key in SCENARIO_PARTITIONS.get_partition_keys()
    assert assets_pkg.__doc__


def test_in_process_materialization_stores_the_scenario(isolated_home):
    settings = Settings.from_env(scale=N, seed=3)
    [run] = materialize_scenarios(settings, [SCENARIO])
    expected = build_tables(draw_world(SCENARIO, N, 3))
    assert run.rows == {t: len(f) for t, f in expected.items()}
    assert DuckDBWarehouse(settings.warehouse_path).row_counts(SCENARIO) == run.rows
    record = dagster_instance(settings).get_run_by_id(run.run_id)
    assert record.is_success and record.tags["dagster/partition"] == SCENARIO.partition_key


def test_same_seed_gives_byte_identical_warehouses(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    paths = []
    for run in ("a", "b"):
        settings = Settings.from_env(home=tmp_path / run, scale=N, seed=11)
        materialize_scenarios(settings, [SCENARIO, Scenario("fabhalta", "time_series")])
        paths.append(settings.warehouse_path)
    assert digests(paths[0]) == digests(paths[1])


def test_failed_run_names_the_cause_and_keeps_previous_contents(isolated_home, monkeypatch):
    settings = Settings.from_env(scale=N, seed=5)
    materialize_scenarios(settings, [SCENARIO])
    before = digests(settings.warehouse_path)

    def corrupted(world):
        frames = build_tables(world)
        frames["hcp_profiles"].loc[1, "hcp_id"] = frames["hcp_profiles"].loc[0, "hcp_id"]
        return frames

    monkeypatch.setattr(core, "build_tables", corrupted)
    with pytest.raises(E2IError, match=r"kisqali\|confounded.*hcp_profiles.hcp_id: 1 duplicated"):
        materialize_scenarios(Settings.from_env(scale=N, seed=6), [SCENARIO])
    assert digests(settings.warehouse_path) == before


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
            "*",
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
