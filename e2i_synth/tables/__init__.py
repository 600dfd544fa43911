"""The warehouse tables as pure projections of a scenario's world, in FK (load) order."""

from __future__ import annotations

from types import ModuleType

import pandas as pd

from e2i_synth.tables import (
    business_metrics,
    business_outcomes,
    causal_ground_truth,
    engagement_events,
    feature_groups,
    feature_values,
    features,
    hcp_profiles,
    ml_predictions,
    patient_journeys,
    scenario_signals,
    treatment_events,
    triggers,
)
from e2i_synth.tables.spec import TableSpec
from e2i_synth.world import World

CORE_TABLES: tuple[ModuleType, ...] = (
    hcp_profiles,
    patient_journeys,
    treatment_events,
    engagement_events,
    business_outcomes,
    ml_predictions,
    triggers,
    business_metrics,
    feature_groups,
    features,
    feature_values,
    causal_ground_truth,
    scenario_signals,
)
"""Every core table module, parents before children."""

SPECS: dict[str, TableSpec] = {m.SPEC.name: m.SPEC for m in CORE_TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(SPECS)


def build_tables(world: World) -> dict[str, pd.DataFrame]:
    """Project the world into every table, parents first (triggers read ml_predictions)."""
    frames: dict[str, pd.DataFrame] = {}
    for module in CORE_TABLES:
        frames[module.SPEC.name] = module.build(world, frames)[list(module.SPEC.columns)]
    return frames
