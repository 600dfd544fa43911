"""Small mixed tables with known structure, shared by the privacy tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits


def mixed_table(n: int, seed: int) -> pd.DataFrame:
    """Two correlated numerics, an integer, a dependent category, a bool and a date."""
    rng = np.random.default_rng(seed)
    x = rng.normal(50, 10, n)
    region = rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])
    shift = pd.Series(region).map({"north": 0.0, "south": 1.0, "east": 2.0, "west": 3.0})
    return pd.DataFrame(
        {
            "x": x.round(3),
            "y": (0.8 * x + rng.normal(0, 6, n) + 5 * shift.to_numpy()).round(3),
            "count": rng.poisson(2 + shift.to_numpy()),
            "region": region,
            "flag": rng.random(n) < 0.3 + 0.1 * shift.to_numpy(),
            "start": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        }
    )


def model_pair():
    """A real frame and a perturbed synthetic one, both in model form, and their columns."""
    from e2i_synth.tabular.encoding import as_model_frame, column_kinds

    real = mixed_table(600, seed=1)
    synthetic = mixed_table(500, seed=2).assign(x=lambda f: f["x"] + 3.0)
    columns = column_kinds(real)
    return as_model_frame(real, columns), as_model_frame(synthetic, columns), columns


@pytest.fixture(scope="session")
def real_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout) of one mixed table: 1,200 and 400 rows."""
    rows = mixed_table(1_600, seed=11)
    return rows.iloc[:1_200].reset_index(drop=True), rows.iloc[1_200:].reset_index(drop=True)


@pytest.fixture(autouse=True)
def one_thread():
    """Metrics called directly run on one BLAS/OpenMP thread, as `score` runs them."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def small_journeys():
    """(train, holdout) of the journey view at the small scale (1,800 and 150 rows), the
    causal design of its DGP, and a fresh draw of the same world's distribution (a
    synthesizer that learned the distribution perfectly and saw no row)."""
    from e2i_synth.catalog import SCALES
    from e2i_synth.privacy.views import causal_design, modeled_frame, split_real
    from e2i_synth.settings import Scenario
    from e2i_synth.tables import build_tables
    from e2i_synth.world import draw_world

    scenario = Scenario("kisqali", "confounded")

    def view(seed: int):
        world = draw_world(scenario, SCALES["small"], seed)
        return split_real(modeled_frame("patient_journeys", build_tables(world)))

    train, holdout = view(42)
    fresh, _ = view(7)
    return train, holdout, causal_design("patient_journeys", scenario.dgp), fresh
