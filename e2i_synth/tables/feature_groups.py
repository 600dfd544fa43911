"""feature_groups: the four groups of the feature store, per scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import FEATURE_GROUPS
from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec, scenario_columns, scenario_keys
from e2i_synth.world import World

SPEC = TableSpec(
    name="feature_groups",
    columns={
        "group_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "group_name": "VARCHAR",
        "entity_type": "VARCHAR",
        "description": "VARCHAR",
    },
    primary_key="group_id",
    descriptions={
        "group_id": "The group's key within the scenario.",
        "group_name": "hcp_demographics, patient_features, brand_performance or causal_features.",
        "entity_type": "What a value of the group describes: hcp, patient or brand_region.",
        "description": "What the group holds, from the catalog.",
    },
)


def group_keys(world: World) -> dict[str, str]:
    keys = scenario_keys(world, "G", np.arange(len(FEATURE_GROUPS)))
    return dict(zip(FEATURE_GROUPS, keys.tolist(), strict=True))


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group_id": list(group_keys(world).values()),
            **scenario_columns(world),
            "group_name": list(FEATURE_GROUPS),
            "entity_type": [entity for entity, _ in FEATURE_GROUPS.values()],
            "description": [text for _, text in FEATURE_GROUPS.values()],
        }
    )
