"""The stories domain in Dagster: a sensor adds a partition per story file, the asset builds
it with the golden queries as blocking checks, and exports only what passes."""

from __future__ import annotations

import pytest

from e2i_synth.stories import EXPORTS_FOLDER, STORIES_FOLDER

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
      - above: {column: n, value: THRESHOLD, rows: all}
"""


@pytest.fixture
def home(tmp_path):
    (tmp_path / STORIES_FOLDER).mkdir()
    return tmp_path


def write_story(home, name: str, threshold: int) -> None:
    text = SMALL.replace("THRESHOLD", str(threshold))
    (home / STORIES_FOLDER / f"{name}.yaml").write_text(text)


def tick(instance, home, cursor=None):
    from dagster import (
        AddDynamicPartitionsRequest,
        DeleteDynamicPartitionsRequest,
        build_sensor_context,
    )

    from e2i_synth.defs.resources import WarehouseResource
    from e2i_synth.defs.stories.partitions import STORY_PARTITIONS
    from e2i_synth.defs.stories.sensors import story_files

    context = build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": WarehouseResource(home=str(home))}
    )
    result = story_files(context)
    for request in result.dynamic_partitions_requests:  # what the daemon would apply
        if isinstance(request, AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(STORY_PARTITIONS.name, list(request.partition_keys))
        elif isinstance(request, DeleteDynamicPartitionsRequest):
            for key in request.partition_keys:
                instance.delete_dynamic_partition(STORY_PARTITIONS.name, key)
    return result


def test_sensor_adds_builds_rebuilds_and_drops_story_partitions(home):
    from dagster import DagsterInstance

    from e2i_synth.defs.stories.partitions import STORY_PARTITIONS

    instance = DagsterInstance.ephemeral()
    write_story(home, "small", 1)
    first = tick(instance, home)
    assert instance.get_dynamic_partitions(STORY_PARTITIONS.name) == ["small"]
    assert [r.partition_key for r in first.run_requests] == ["small"]
    quiet = tick(instance, home, first.cursor)
    assert quiet.run_requests == []
    write_story(home, "small", 2)
    changed = tick(instance, home, quiet.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["small"]
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key
    (home / STORIES_FOLDER / "small.yaml").unlink()
    tick(instance, home, changed.cursor)
    assert instance.get_dynamic_partitions(STORY_PARTITIONS.name) == []


def run_story(home, name: str):
    from dagster import DagsterInstance, materialize

    from e2i_synth.defs.resources import WarehouseResource
    from e2i_synth.defs.stories.assets import story_dataset
    from e2i_synth.defs.stories.partitions import STORY_PARTITIONS

    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(STORY_PARTITIONS.name, [name])
    return materialize(
        [story_dataset],
        partition_key=name,
        instance=instance,
        resources={"warehouse": WarehouseResource(home=str(home))},
        raise_on_error=False,
    )


def test_a_passing_story_is_checked_and_exported(home, monkeypatch):
    monkeypatch.delenv("E2I_DATABASE_URL", raising=False)
    write_story(home, "small", 1)
    result = run_story(home, "small")
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"golden_queries": True, "structure": True}
    assert (home / EXPORTS_FOLDER / "small" / "patient_journeys.parquet").exists()


def test_a_dull_story_fails_its_blocking_check_and_exports_nothing(home, monkeypatch):
    monkeypatch.delenv("E2I_DATABASE_URL", raising=False)
    write_story(home, "dull", 100_000)
    result = run_story(home, "dull")
    assert not result.success  # a failed blocking check fails the step and the run
    [golden] = [e for e in result.get_asset_check_evaluations() if e.check_name == "golden_queries"]
    assert not golden.passed
    assert "is not above 100000" in golden.metadata["failures"].value
    assert not (home / EXPORTS_FOLDER / "dull").exists()


def test_merged_with_the_core_domain_the_graph_job_sensor_and_checks_resolve():
    from dagster import AssetKey, Definitions, in_process_executor

    from e2i_synth.defs.core import definitions as core
    from e2i_synth.defs.resources import GenerationResource, WarehouseResource
    from e2i_synth.defs.stories import definitions as stories
    from e2i_synth.defs.stories.partitions import STORY_PARTITIONS

    merged = Definitions.merge(
        core.defs,
        stories.defs,
        Definitions(
            resources={"generation": GenerationResource(), "warehouse": WarehouseResource()},
            executor=in_process_executor,
        ),
    )
    graph = merged.resolve_asset_graph()
    node = graph.get(AssetKey("story_dataset"))
    assert node.group_name == "stories" and node.parent_keys == set()
    checks = {k.name for k in graph.asset_check_keys if k.asset_key == AssetKey("story_dataset")}
    assert checks == {"golden_queries", "structure"}
    assert merged.resolve_job_def("build_stories").partitions_def == STORY_PARTITIONS
    assert merged.resolve_sensor_def("story_files").job_name == "build_stories"
