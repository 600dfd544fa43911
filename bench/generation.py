"""Generation only: the world draw and each table's projection, timed step by step.

Shared by the in-process throughput table and the fresh-process full run, so both time
exactly the same work: what `build_tables` does, without storage.
"""

from __future__ import annotations

from time import perf_counter

import pandas as pd

from e2i_synth.settings import Scenario, select_scenarios
from e2i_synth.tables import REGISTRY
from e2i_synth.world import draw_world

WORLD_STEP = "world draw"
STEPS: tuple[str, ...] = (WORLD_STEP, *(t.name for t in REGISTRY))
"""Timed steps in execution order: the draw, then the tables parents first."""

StepTimes = dict[str, tuple[int, float]]
"""Step name -> (rows, seconds); for the world draw, rows counts the patients drawn."""


def time_scenario(scenario: Scenario, n_patients: int, seed: int) -> StepTimes:
    """One scenario, built the way `build_tables` builds it.

    A function of its own so the scenario's world and frames are freed on return: at most
    one scenario is ever held in memory.
    """
    started = perf_counter()
    world = draw_world(scenario, n_patients, seed)
    times: StepTimes = {WORLD_STEP: (world.n_patients, perf_counter() - started)}
    frames: dict[str, pd.DataFrame] = {}
    for table in REGISTRY:
        started = perf_counter()
        frame = table.build(world, {name: frames[name] for name in table.reads})
        frames[table.name] = frame[list(table.spec.columns)]
        times[table.name] = (len(frame), perf_counter() - started)
    return times


def time_all_scenarios(n_patients: int, seed: int) -> StepTimes:
    """Rows and seconds per step, summed over all 15 scenarios."""
    totals: StepTimes = dict.fromkeys(STEPS, (0, 0.0))
    for scenario in select_scenarios():
        for step, (rows, seconds) in time_scenario(scenario, n_patients, seed).items():
            total_rows, total_seconds = totals[step]
            totals[step] = (total_rows + rows, total_seconds + seconds)
    return totals
