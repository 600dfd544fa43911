"""features: the fifteen features of the store, each in one group, per scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import FEATURE_GROUPS, FEATURES
from e2i_synth.tables.feature_groups import group_keys
from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec, scenario_columns, scenario_keys
from e2i_synth.world import World

SPEC = TableSpec(
    name="features",
    columns={
        "feature_id": "VARCHAR",
        "group_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "feature_name": "VARCHAR",
        "value_type": "VARCHAR",
        "entity_type": "VARCHAR",
        "description": "VARCHAR",
    },
    primary_key="feature_id",
    foreign_keys={"group_id": "feature_groups"},
    descriptions={
        "feature_id": "The feature's key within the scenario.",
        "group_id": "The feature's group.",
        "feature_name": (
            "One of the catalog's 15 features (e.g. disease_severity, patient_volume_monthly, "
            "trx_30d, outcome_probability)."
        ),
        "value_type": "How to parse feature_values.value: float, int, category or bool.",
        "entity_type": "hcp, patient or brand_region: the keys feature_values.entity_values holds.",
        "description": "What the feature measures, from the catalog.",
    },
)


def feature_keys(world: World) -> dict[str, str]:
    keys = scenario_keys(world, "F", np.arange(len(FEATURES)))
    return dict(zip((f.name for f in FEATURES), keys.tolist(), strict=True))


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    groups = group_keys(world)
    return pd.DataFrame(
        {
            "feature_id": list(feature_keys(world).values()),
            "group_id": [groups[f.group] for f in FEATURES],
            **scenario_columns(world),
            "feature_name": [f.name for f in FEATURES],
            "value_type": [f.value_type for f in FEATURES],
            "entity_type": [FEATURE_GROUPS[f.group][0] for f in FEATURES],
            "description": [f.description for f in FEATURES],
        }
    )
