"""Shared fixtures: worlds and frames are pure functions of (scenario, size, seed): cached."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.world import World, draw_world

SMALL = 3_000
ESTIMATION_UNITS = 10_000


@cache
def world_of(brand: str, dgp: str, n: int = SMALL, seed: int = 7) -> World:
    return draw_world(Scenario(brand, dgp), n, seed)


@cache
def frames_of(brand: str, dgp: str, n: int = SMALL, seed: int = 7) -> dict[str, pd.DataFrame]:
    return build_tables(world_of(brand, dgp, n, seed))


def causal_scenario(dgp: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fresh copies of a kisqali scenario's journeys and truth at 10,000 units, where a 0.1
    shift in the effect is over five standard errors outside the recovery band."""
    frames = frames_of("kisqali", dgp, ESTIMATION_UNITS)
    return frames["patient_journeys"].copy(), frames["causal_ground_truth"].copy()


@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    """A fresh E2I_HOME and DAGSTER_HOME per test, so runs never see each other's rows."""
    home = tmp_path / "e2i"
    monkeypatch.setenv("E2I_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return home
