"""A suite partition materialized by Dagster holds the same tasks the server builds from
the same stored scenario and seed, keys included, written whole."""

from __future__ import annotations

from dagster import AssetKey, DagsterInstance, materialize

from e2i_synth.agent.suites import build_tasks
from e2i_synth.agent.tasks import Task
from e2i_synth.defs.agent.assets import SUITE_ASSETS, TASKS_FOLDER
from e2i_synth.defs.resources import GenerationResource, WarehouseResource
from e2i_synth.settings import Scenario
from e2i_synth.warehouse import open_warehouse
from e2i_synth_tests.conftest import frames_of

SCENARIO = Scenario("kisqali", "heterogeneous")


def test_each_suite_partition_stores_the_tasks_the_server_builds(tmp_path):
    frames = frames_of(SCENARIO.brand, SCENARIO.dgp)
    open_warehouse(tmp_path).replace_scenario(SCENARIO, frames)
    result = materialize(
        SUITE_ASSETS,
        partition_key=SCENARIO.partition_key,
        instance=DagsterInstance.ephemeral(),
        resources={
            "generation": GenerationResource(seed=11),
            "warehouse": WarehouseResource(home=str(tmp_path)),
        },
    )
    assert result.success
    events = {e.asset_key: e for e in result.get_asset_materialization_events()}
    assert set(events) == {
        AssetKey(f"agent_tasks_{s}") for s in ("data", "gap", "drift", "causal", "targeting")
    }
    expected = build_tasks(SCENARIO, frames, 11)
    stored = []
    for suite in ("data", "gap", "drift", "causal", "targeting"):
        path = tmp_path.joinpath(*TASKS_FOLDER, suite, "kisqali__heterogeneous.jsonl")
        stored += [Task.from_json(line) for line in path.read_text().splitlines()]
        assert not path.with_suffix(".jsonl.partial").exists()
    assert [t.to_json() for t in stored] == [t.to_json() for t in expected]
    causal = events[AssetKey("agent_tasks_causal")].materialization.metadata
    assert causal["tasks"].value == 3


def test_suite_assets_follow_the_tables_they_are_built_from():
    deps = {a.key.path[-1]: {d.path[-1] for d in a.asset_deps[a.key]} for a in SUITE_ASSETS}
    assert deps["agent_tasks_causal"] == {"patient_journeys", "causal_ground_truth"}
    assert "unit_truth" in deps["agent_tasks_targeting"]
    assert all(a.partitions_def is not None for a in SUITE_ASSETS)
