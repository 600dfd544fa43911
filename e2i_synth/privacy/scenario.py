"""Scorecards of one scenario's privacy views: what the Dagster check and reports run.

`treatment_events` alone is left out of the gate: its three low-cardinality columns make
unseen real rows repeat training rows (about 90% here), so exact duplicates cannot tell
memorization from chance; its events are scored inside the `journey` view instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from e2i_synth.privacy.optimizer import Optimization, optimize
from e2i_synth.privacy.synthesizer import Family
from e2i_synth.privacy.views import VIEWS, modeled_frame, split_real

GATED_VIEWS = ("patient_journeys", "journey")


def score_scenario(
    frames: Mapping[str, pd.DataFrame],
    family: Family,
    retries: int = 0,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
) -> dict[str, Optimization]:
    """One optimization per gated view, each fitted on the view's train split."""
    runs = {}
    for name in GATED_VIEWS:
        train, holdout = split_real(modeled_frame(name, dict(frames)))
        runs[name] = optimize(
            family, name, train, holdout, VIEWS[name].target, seed, params, max_retries=retries
        )
    return runs
