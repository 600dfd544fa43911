"""Suite variants as dynamic partitions: the sensor adds one per variant of every named
suite, and materializing a partition stores that variant with its own truth."""

from __future__ import annotations

import duckdb
import pytest

from e2i_synth.benchmark.suite import load_suite
from e2i_synth.errors import ConfigError


def test_keys_round_trip_every_variant_of_the_standard_suite():
    from e2i_synth.defs.benchmark.partitions import variant_from_key, variant_key

    for scenario in load_suite("standard").variants:
        key = variant_key(scenario)
        assert "," not in key and variant_from_key(key) == scenario
    with pytest.raises(ConfigError, match=r"is not 'brand\|dgp~knob=value"):
        variant_from_key("confounded~overlap=0.1")


def test_sensor_adds_each_suite_variant_once():
    from dagster import AddDynamicPartitionsRequest, DagsterInstance, build_sensor_context

    from e2i_synth.defs.benchmark.partitions import VARIANT_PARTITIONS
    from e2i_synth.defs.benchmark.sensors import benchmark_suite_partitions

    instance = DagsterInstance.ephemeral()
    result = benchmark_suite_partitions(build_sensor_context(instance=instance))
    (request,) = result.dynamic_partitions_requests
    assert isinstance(request, AddDynamicPartitionsRequest)
    assert len(request.partition_keys) == len(set(request.partition_keys)) >= 128
    instance.add_dynamic_partitions(VARIANT_PARTITIONS.name, list(request.partition_keys))
    again = benchmark_suite_partitions(build_sensor_context(instance=instance))
    assert not again.dynamic_partitions_requests


def test_materializing_a_partition_stores_the_variant_and_its_truth(tmp_path):
    from dagster import DagsterInstance, materialize

    from e2i_synth.defs.benchmark.assets import benchmark_variant
    from e2i_synth.defs.benchmark.partitions import VARIANT_PARTITIONS, variant_key
    from e2i_synth.defs.resources import GenerationResource, WarehouseResource

    instance = DagsterInstance.ephemeral()
    scenario = load_suite("smoke").variants[-1]
    key = variant_key(scenario)
    instance.add_dynamic_partitions(VARIANT_PARTITIONS.name, [key])
    result = materialize(
        [benchmark_variant],
        partition_key=key,
        instance=instance,
        resources={
            "generation": GenerationResource(scale="300", seed=5),
            "warehouse": WarehouseResource(home=str(tmp_path)),
        },
    )
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["variant"].value == scenario.label
    path = tmp_path / "variants" / "confounded~nonlinear=true,overlap=0.01" / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        true_ate, units = con.execute(
            "SELECT (SELECT true_ate FROM causal_ground_truth), "
            "(SELECT avg(individual_effect) FROM unit_truth)"
        ).fetchone()
    assert metadata["true_ate"].value == pytest.approx(true_ate) == pytest.approx(units)
