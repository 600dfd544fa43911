"""One small scenario's intervention layer and one trained HCP generator, shared by the
twin tests (training is the slow step: done once per session)."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from e2i_synth.twins.features import hcp_training_frame
from e2i_synth.twins.generator import TwinGenerator
from e2i_synth.world.interventions import InterventionWorld, draw_interventions, history_table
from e2i_synth_tests.conftest import frames_of, world_of

BRAND, DGP, SEED = "kisqali", "confounded", 7


@cache
def layer(brand: str = BRAND, dgp: str = DGP) -> InterventionWorld:
    return draw_interventions(world_of(brand, dgp), frames_of(brand, dgp)["hcp_profiles"])


@cache
def hcp_frame(brand: str = BRAND, dgp: str = DGP) -> pd.DataFrame:
    iw = layer(brand, dgp)
    return hcp_training_frame(history_table(iw), iw.hcps)


@pytest.fixture(scope="session")
def iw() -> InterventionWorld:
    return layer()


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return hcp_frame().copy()


@pytest.fixture(scope="session")
def generator() -> TwinGenerator:
    return TwinGenerator.train(hcp_frame(), "hcp", BRAND, f"{BRAND}|{DGP}", SEED)
