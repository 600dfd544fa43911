"""triggers: field alerts raised from high-scoring predictions, always after them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import TRIGGER_STATUSES, TRIGGER_TYPES
from e2i_synth.seeds import unit_draws
from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec, scenario_columns, scenario_keys
from e2i_synth.world import World

SPEC = TableSpec(
    name="triggers",
    columns={
        "trigger_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        "patient_id": "VARCHAR",
        "prediction_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "trigger_type": "VARCHAR",
        "priority": "VARCHAR",
        "status": "VARCHAR",
        "created_at": "TIMESTAMP",
        "data_split": "VARCHAR",
    },
    primary_key="trigger_id",
    foreign_keys={
        "hcp_id": "hcp_profiles",
        "patient_id": "patient_journeys",
        "prediction_id": "ml_predictions",
    },
    descriptions={
        "trigger_id": "The trigger's key: G and the patient's index.",
        "hcp_id": "The HCP alerted (the prediction's).",
        "patient_id": "The patient the alert is about.",
        "prediction_id": "The prediction that raised it (at or above 0.45).",
        "trigger_type": "initiation_opportunity, engagement_gap or next_best_action, uniformly.",
        "priority": "high from a predicted probability of 0.7, medium from 0.55, else low.",
        "status": "pending 30%, delivered 30%, accepted 25%, dismissed 15%; causes nothing.",
        "created_at": "1 minute to 7 days (uniform) after the prediction.",
        "data_split": "The patient's split.",
    },
)

TRIGGER_THRESHOLD = 0.45
MAX_DELAY_SECONDS = 7 * 86_400


def draw_trigger(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
    """Every patient's trigger draws, used where its prediction fires."""
    n = len(units)
    return {
        "delay": rng.integers(60, MAX_DELAY_SECONDS, n),
        "type": rng.integers(0, len(TRIGGER_TYPES), n),
        "status": rng.choice(len(TRIGGER_STATUSES), n, p=[0.3, 0.3, 0.25, 0.15]),
    }


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One trigger per prediction at or above the threshold, 1 minute to 7 days later,
    keyed by its patient's index."""
    names = ("triggers", world.scenario.brand, world.scenario.dgp)
    d = unit_draws(world.seed, names, world.first_unit, world.units_stop, draw_trigger)
    predictions = upstream["ml_predictions"]
    fires = (predictions["predicted_probability"] >= TRIGGER_THRESHOLD).to_numpy()
    fired = predictions[fires]
    probability = fired["predicted_probability"].to_numpy()
    delay = d["delay"][fires].astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "trigger_id": scenario_keys(world, "G", world.units[fires]),
            "hcp_id": fired["hcp_id"].to_numpy(),
            "patient_id": fired["patient_id"].to_numpy(),
            "prediction_id": fired["prediction_id"].to_numpy(),
            **scenario_columns(world),
            "trigger_type": np.array(TRIGGER_TYPES)[d["type"][fires]],
            "priority": np.select(
                [probability >= 0.7, probability >= 0.55], ["high", "medium"], "low"
            ),
            "status": np.array(TRIGGER_STATUSES)[d["status"][fires]],
            "created_at": fired["prediction_date"].to_numpy().astype("datetime64[s]") + delay,
            "data_split": fired["data_split"].to_numpy(),
        }
    )
