"""One small-scale scenario with its twins, in the frames the twin asset stores (built once
per test session: training the twin model takes seconds)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.world import draw_world

if TYPE_CHECKING:
    from e2i_synth.twins.pipeline import ScenarioTwins

SCENARIO = Scenario("kisqali", "confounded")
N = 3_000
"""The small scale: 300 HCPs, 240 of them donors (train and validation), 60 unseen."""
SEED = 42


@cache
def scenario_twins() -> tuple[dict[str, pd.DataFrame], ScenarioTwins]:
    """(core tables, twin run) of the scenario."""
    from e2i_synth.twins.pipeline import run_scenario

    world = draw_world(SCENARIO, N, SEED)
    core = build_tables(world)
    return core, run_scenario(world, core["hcp_profiles"])


def stored_frames() -> dict[str, pd.DataFrame]:
    """Every core and twin table of the scenario, as stored (fresh dict, shared frames)."""
    from e2i_synth.twins.pipeline import scenario_tables

    core, run = scenario_twins()
    return {**core, **scenario_tables(run)}
