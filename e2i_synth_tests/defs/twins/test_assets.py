"""The twin tables as Dagster assets: lineage, checks, and one scenario materialized in
process into DuckDB after its core tables, with the model registered in MLflow."""

from __future__ import annotations

import pytest

from e2i_synth.settings import Scenario, Settings
from e2i_synth.tables.downstream import TWIN_SPECS
from e2i_synth.warehouse import DuckDBWarehouse

SCENARIO = Scenario("kisqali", "confounded")
N = 3_000  # 300 HCPs: 1,440 training rows


def test_twin_assets_sit_downstream_of_the_core_tables():
    from dagster import AssetKey, Definitions

    from e2i_synth.defs.core import definitions as core
    from e2i_synth.defs.resources import GenerationResource, WarehouseResource
    from e2i_synth.defs.twins import definitions as twins
    from e2i_synth.defs.twins.assets import CHECK_SPECS, DEPS, GROUP

    resources = {"generation": GenerationResource(), "warehouse": WarehouseResource()}
    defs = Definitions.merge(core.defs, twins.defs, Definitions(resources=resources))
    graph = defs.resolve_asset_graph()
    for name, deps in DEPS.items():
        node = graph.get(AssetKey(name))
        assert node.group_name == GROUP
        assert {k.to_user_string() for k in node.parent_keys} == set(deps)
    blocking = {(s.asset_key.to_user_string(), s.name) for s in CHECK_SPECS if s.blocking}
    assert ("simulation_runs", "deploy_within_ci_of_truth") in blocking
    assert ("fidelity_snapshots", "no_drift") not in blocking
    assert ("simulation_runs", "schema") in blocking
    assert defs.resolve_job_def("generate_twins").partitions_def is not None


@pytest.mark.integration
def test_one_scenario_materializes_into_the_warehouse(isolated_home, monkeypatch):
    from dagster import materialize

    from e2i_synth.defs.core.assets import core_tables
    from e2i_synth.defs.resources import GenerationResource, WarehouseResource
    from e2i_synth.defs.twins.assets import twin_tables

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    resources = {
        "generation": GenerationResource(scale=str(N), seed=5),
        "warehouse": WarehouseResource(),
    }
    result = materialize(
        [core_tables, twin_tables], resources=resources, partition_key=SCENARIO.partition_key
    )
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks if c.check_name != "no_drift")
    store = DuckDBWarehouse(Settings.from_env().warehouse_path)
    runs = store.read("simulation_runs", SCENARIO)
    assert len(runs) == 5 and runs["true_ate"].notna().all()
    models = store.read("digital_twin_models", SCENARIO)
    assert models["mlflow_run_id"].notna().all() and (models["model_version"] == "1").all()
    for spec in TWIN_SPECS:
        assert len(store.read(spec.name, SCENARIO)), spec.name
    assert (isolated_home / "mlflow.db").is_file()
    units = store.read("intervention_unit_truth", SCENARIO)
    assert len(units) == 5 * store.read("hcp_profiles", SCENARIO).shape[0]
    policies = store.read("policy_evaluations", SCENARIO)
    [materialized] = [
        m
        for m in result.asset_materializations_for_node("twin_tables")
        if m.asset_key.to_user_string() == "policy_evaluations"
    ]
    assert materialized.metadata["max_regret"].value == policies["regret"].max()
    assert "oracle_value" in materialized.metadata["targeting"].value


@pytest.mark.integration
def test_a_deploy_off_truth_blocks_the_twin_load(isolated_home, monkeypatch):
    """A deploy off truth by more than its family-wise band fails the run with one message
    naming the check and the intervention, and no twin table of the scenario is written."""
    from dagster import materialize

    from e2i_synth.defs.core.assets import core_tables
    from e2i_synth.defs.resources import GenerationResource, WarehouseResource
    from e2i_synth.defs.twins import assets
    from e2i_synth.defs.twins.assets import twin_tables
    from e2i_synth.twins.pipeline import scenario_tables

    def off_truth(run):
        frames = scenario_tables(run)
        runs = frames["simulation_runs"].copy()
        runs.loc[0, ["recommendation", "true_ate"]] = ["deploy", runs.loc[0, "ci_upper"] + 0.1]
        return {**frames, "simulation_runs": runs}

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setattr(assets, "scenario_tables", off_truth)
    resources = {
        "generation": GenerationResource(scale=str(N), seed=5),
        "warehouse": WarehouseResource(),
    }
    result = materialize(
        [core_tables, twin_tables],
        resources=resources,
        partition_key=SCENARIO.partition_key,
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [
        e.event_specific_data.error.to_string()
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    ]
    assert "deploy_within_ci_of_truth failed" in failure and "but true" in failure
    stored = DuckDBWarehouse(Settings.from_env().warehouse_path).tables()
    assert "patient_journeys" in stored and "simulation_runs" not in stored
