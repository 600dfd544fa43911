"""The sensor re-checks exactly the scenarios edited outside a run."""

from __future__ import annotations

import duckdb
import pytest

from e2i_synth.settings import Scenario, Settings

EDITED, UNTOUCHED = Scenario("kisqali", "confounded"), Scenario("fabhalta", "time_series")


def tick(instance, home, cursor):
    from dagster import build_sensor_context

    from e2i_synth.defs.core.sensors import recheck_changed_scenarios
    from e2i_synth.defs.resources import WarehouseResource

    context = build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"warehouse": WarehouseResource(home=str(home))},
    )
    result = recheck_changed_scenarios(context)
    return [r.partition_key for r in result.run_requests or []], result.cursor


@pytest.mark.integration
def test_an_edit_outside_a_run_requests_a_recheck_of_that_scenario_only(isolated_home):
    from e2i_synth.defs.instance import dagster_instance
    from e2i_synth.defs.runner import run_scenarios

    settings = Settings.from_env(scale=300, seed=2)
    run_scenarios(settings, [EDITED, UNTOUCHED])
    instance = dagster_instance(settings)
    requested, cursor = tick(instance, settings.home, None)
    assert requested == []  # the first look only learns the state
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "UPDATE patient_journeys SET disease_severity = disease_severity + 1 "
            "WHERE patient_id = (SELECT min(patient_id) FROM patient_journeys "
            "WHERE brand = 'kisqali' AND dgp_type = 'confounded')"
        )
    requested, cursor = tick(instance, settings.home, cursor)
    assert requested == [EDITED.partition_key]
    requested, cursor = tick(instance, settings.home, cursor)
    assert requested == []
    # A run that rewrites a scenario has checked it already: no extra request.
    run_scenarios(Settings.from_env(scale=300, seed=3), [UNTOUCHED])
    requested, _ = tick(instance, settings.home, cursor)
    assert requested == []
