"""The privacy Dagster layer: synthetic journeys behind their scorecard check, and the
optimizer job, run in process on a stored scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from e2i_synth.privacy.views import modeled_frame, split_real
from e2i_synth.settings import WAREHOUSE_FILE, Scenario
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth_tests.conftest import frames_of
from e2i_synth_tests.privacy.stored_twins import SCENARIO, scenario_twins, stored_frames

if TYPE_CHECKING:
    from dagster import Definitions

KEY = "kisqali|confounded"


def definitions(home) -> Definitions:
    from dagster import Definitions, in_process_executor

    from e2i_synth.defs.core import definitions as core
    from e2i_synth.defs.privacy import definitions as privacy
    from e2i_synth.defs.resources import GenerationResource, WarehouseResource

    home.mkdir(parents=True, exist_ok=True)
    DuckDBWarehouse(home / WAREHOUSE_FILE).replace_scenario(
        Scenario("kisqali", "confounded"), dict(frames_of("kisqali", "confounded"))
    )
    return Definitions.merge(
        core.defs,
        privacy.defs,
        Definitions(
            resources={
                "generation": GenerationResource(),
                "warehouse": WarehouseResource(home=str(home)),
            },
            executor=in_process_executor,
        ),
    )


def test_green_synthetic_journeys_are_published_with_their_check(isolated_home, monkeypatch):
    from e2i_synth.defs.privacy.assets import VIEW, published_path
    from e2i_synth.defs.privacy.jobs import PUBLISH_JOB
    from e2i_synth.privacy.results import JOURNEY_CHECK, JOURNEY_TABLE

    monkeypatch.delenv("E2I_DATABASE_URL", raising=False)
    job = definitions(isolated_home).resolve_job_def(PUBLISH_JOB)
    result = job.execute_in_process(partition_key=KEY)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == JOURNEY_CHECK and evaluation.passed
    assert evaluation.metadata["failures"].value == "none"
    assert evaluation.metadata["mia_auc"].value <= 0.6
    published = pd.read_parquet(published_path(isolated_home, Scenario("kisqali", "confounded")))
    train, _ = split_real(modeled_frame(VIEW, frames_of("kisqali", "confounded")))
    assert list(published.columns) == list(train.columns) and len(published) == len(train)
    # The scorecard is recorded with the run and drawn in the run's report.
    recorded = DuckDBWarehouse(isolated_home / WAREHOUSE_FILE).read_results([result.run_id])
    assert recorded[["table_name", "check_name", "passed"]].values.tolist() == [
        [JOURNEY_TABLE, JOURNEY_CHECK, True]
    ]
    (materialization,) = result.get_asset_materialization_events()
    report = materialization.step_materialization_data.materialization.metadata["report"]
    page = Path(report.value).read_text()
    assert f"<summary>{KEY} synthetic journeys: all green</summary>" in page
    assert 'id="marginal-journey_stage-synthetic-0"' in page and 'id="dcr-holdout-0"' in page


def test_optimizer_job_records_every_attempt(isolated_home, monkeypatch):
    from e2i_synth.defs.privacy.jobs import OPTIMIZE_JOB

    monkeypatch.delenv("E2I_DATABASE_URL", raising=False)
    config = {"brand": "kisqali", "view": "patient_journeys", "retries": 2}
    result = (
        definitions(isolated_home)
        .resolve_job_def(OPTIMIZE_JOB)
        .execute_in_process(run_config={"ops": {"optimize_view": {"config": config}}})
    )
    assert result.success
    assert result.output_for_node("optimize_view")["all_green"] is True
    (materialization,) = [e for e in result.all_node_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = materialization.event_specific_data.metadata
    assert "param.quantiles" in metadata["attempts"].value  # one markdown row per attempt
    assert metadata["best_attempt"].value == 1
    assert metadata["failures"].value == "none"


def run_twin_check(home: Path, twins: dict[str, pd.DataFrame]):
    """The twin scorecard check alone on a stored scenario with these twin tables."""
    from dagster import AssetSelection, Definitions, PartitionedConfig, define_asset_job

    from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
    from e2i_synth.defs.privacy import definitions as privacy
    from e2i_synth.defs.privacy.twin_checks import twin_privacy_scorecard
    from e2i_synth.defs.resources import WarehouseResource

    store = DuckDBWarehouse(home / WAREHOUSE_FILE)
    core, _ = scenario_twins()
    store.replace_scenario(SCENARIO, core)
    store.replace_scenario(SCENARIO, twins)
    job = define_asset_job(
        "twin_privacy",
        selection=AssetSelection.checks(twin_privacy_scorecard),
        config=PartitionedConfig(
            partitions_def=SCENARIO_PARTITIONS, run_config_for_partition_key_fn=lambda _: {}
        ),
    )
    result = (
        Definitions.merge(
            privacy.defs,
            Definitions(jobs=[job], resources={"warehouse": WarehouseResource(home=str(home))}),
        )
        .resolve_job_def("twin_privacy")
        .execute_in_process(partition_key=SCENARIO.partition_key, raise_on_error=False)
    )
    return store, result


def test_twin_scorecard_blocks_twin_populations_and_passes_the_stored_twins(
    isolated_home, monkeypatch
):
    """On a stored scenario with twins: a blocking check in the generate job, green, every
    figure of the scorecard (the attack AUC's SE and bound too) in its metadata, the result
    recorded with the run's checks and the run's report showing it."""
    from dagster import AssetCheckKey, AssetKey

    from e2i_synth.defs.definitions import GENERATE_JOB
    from e2i_synth.defs.definitions import defs as all_defs
    from e2i_synth.defs.privacy.twin_checks import twin_privacy_scorecard
    from e2i_synth.privacy.results import EVIDENCE, LIMITS
    from e2i_synth.privacy.twin_scorecard import CHECK, SOURCES, TABLE, twin_scorecard
    from e2i_synth.twins.pipeline import scenario_tables

    monkeypatch.delenv("E2I_DATABASE_URL", raising=False)
    isolated_home.mkdir(parents=True)
    frames = stored_frames()
    check = AssetCheckKey(AssetKey(TABLE), CHECK)
    assert check in all_defs.resolve_job_def(GENERATE_JOB).asset_layer.asset_graph.asset_check_keys
    (spec,) = twin_privacy_scorecard.check_specs
    assert spec.blocking and "attack AUC - 1.645 SE <= 0.6" in spec.description
    _, run = scenario_twins()
    store, result = run_twin_check(isolated_home, scenario_tables(run))
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == CHECK and evaluation.passed
    expected = twin_scorecard({name: frames[name] for name in SOURCES}).figures
    for metric in [*LIMITS, *EVIDENCE]:
        assert evaluation.metadata[metric].value == expected[metric], metric
    assert 0.0 < evaluation.metadata["mia_auc_se"].value < 0.1
    assert evaluation.metadata["limits"].value == LIMITS
    assert evaluation.metadata["diagnosis"].value == "none: all green"
    recorded = store.read_results([result.run_id])
    assert recorded[["table_name", "check_name", "passed"]].values.tolist() == [
        [TABLE, CHECK, True]
    ]
    page = Path(evaluation.metadata["report"].value).read_text()
    assert f"{expected['mia_auc']:.3f} ± {expected['mia_auc_se']:.3f} ✓" in page


def test_twins_that_copy_their_donors_fail_the_run(isolated_home, monkeypatch):
    """Twins replaced by copies of their donors: the check fails, and being blocking it
    fails the run; the failed result is recorded with its diagnosis."""
    from e2i_synth.privacy.twin_scorecard import CHECK
    from e2i_synth.twins.pipeline import scenario_tables

    monkeypatch.delenv("E2I_DATABASE_URL", raising=False)
    isolated_home.mkdir(parents=True)
    _, run = scenario_twins()
    twins = scenario_tables(run)
    donors = run.generator.donors[list(run.generator.twin_type.features)]
    copies = donors.sample(len(twins["digital_twins"]), replace=True, random_state=1)
    features = copies.to_json(orient="records", lines=True).splitlines()
    twins["digital_twins"] = twins["digital_twins"].assign(features=features)
    store, result = run_twin_check(isolated_home, twins)
    assert not result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["diagnosis"].value.startswith("HIGH_MIA: ")
    recorded = store.read_results([result.run_id])
    assert recorded[["check_name", "passed"]].values.tolist() == [[CHECK, False]]
