"""causal_ground_truth: the planted effect of each scenario, readable without this code.

One overall row per scenario, plus one per segment where the effect is heterogeneous.
`true_ate` is exact for the sample: the mean of the stored potential outcomes
Y(1) - Y(0) over the rows it covers; `expected_ate` is the mean of the per-unit risk
differences p1 - p0 the world was drawn from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    DGPS,
    GENERATOR_VERSION,
    OUTCOME_COLUMN,
    REGIONS,
    TREATMENT_COLUMN,
    TREATMENT_TABLE,
)
from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec, scenario_columns, scenario_keys
from e2i_synth.world import World

SPEC = TableSpec(
    name="causal_ground_truth",
    columns={
        "truth_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "segment_column": "VARCHAR",
        "segment_value": "VARCHAR",
        "true_ate": "DOUBLE",
        "expected_ate": "DOUBLE",
        "effect_scale": "VARCHAR",
        "treatment_table": "VARCHAR",
        "treatment_column": "VARCHAR",
        "outcome_column": "VARCHAR",
        "adjustment_columns": "VARCHAR[]",
        "lag_days": "INTEGER",
        "n_units": "INTEGER",
        "n_treated": "INTEGER",
        "seed": "BIGINT",
        "graph_dot": "VARCHAR",
        "description": "VARCHAR",
        "generator_version": "VARCHAR",
    },
    primary_key="truth_id",
    nullable=frozenset({"segment_column", "segment_value"}),
)


def graph_dot(dgp: str) -> str:
    """The DAG the world was drawn from, with nodes named as patient_journeys columns."""
    spec = DGPS[dgp]
    edges = [f"{c} -> {TREATMENT_COLUMN};" for c in spec.treatment_causes]
    outcome_causes = dict.fromkeys([*spec.adjustment_columns, spec.segment_column])
    edges += [f"{c} -> {OUTCOME_COLUMN};" for c in outcome_causes if c]
    edges.append(f"{TREATMENT_COLUMN} -> {OUTCOME_COLUMN};")
    return "digraph {" + " ".join(edges) + "}"


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    spec = DGPS[world.scenario.dgp]
    effect = world.y1.astype(np.int8) - world.y0.astype(np.int8)
    groups: list[tuple[str | None, str | None, np.ndarray]] = [
        (None, None, np.ones(world.n_patients, dtype=bool))
    ]
    if spec.segment_column == "region":
        groups += [("region", r, world.covariates.region_code == i) for i, r in enumerate(REGIONS)]
    groups = [g for g in groups if g[2].any()]
    labels = ["overall" if col is None else f"{col}={val}" for col, val, _ in groups]
    return pd.DataFrame(
        {
            "truth_id": scenario_keys(world, "TRUTH-", np.arange(len(groups))),
            **scenario_columns(world),
            "segment_column": pd.Series([g[0] for g in groups], dtype="str"),
            "segment_value": pd.Series([g[1] for g in groups], dtype="str"),
            "true_ate": [float(effect[mask].mean()) for _, _, mask in groups],
            "expected_ate": [float(world.tau[mask].mean()) for _, _, mask in groups],
            "effect_scale": "risk_difference",
            "treatment_table": TREATMENT_TABLE,
            "treatment_column": TREATMENT_COLUMN,
            "outcome_column": OUTCOME_COLUMN,
            "adjustment_columns": [list(spec.adjustment_columns)] * len(groups),
            "lag_days": spec.lag_days,
            "n_units": [int(mask.sum()) for _, _, mask in groups],
            "n_treated": [int(world.engaged[mask].sum()) for _, _, mask in groups],
            "seed": world.seed,
            "graph_dot": graph_dot(world.scenario.dgp),
            "description": [
                spec.description + ("" if lab == "overall" else f" ({lab})") for lab in labels
            ],
            "generator_version": GENERATOR_VERSION,
        }
    )
