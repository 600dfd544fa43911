"""ml_predictions: an initiation-propensity score per patient, made before engagement.

The score is a fitted model's (`model_scores.initiation_score`: a logistic regression of
recorded initiation on the observed covariates, fitted on the train split of the
scenario's pilot), never the world's own probabilities: it carries nothing of a hidden
confounder or an outcome draw that the covariates do not, so adjusting for it (or for the
triggers it raises) removes no confounding the covariates leave.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import PREDICTION_MODEL_VERSION, PREDICTION_MODELS
from e2i_synth.seeds import unit_draws
from e2i_synth.tables.model_scores import initiation_score
from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    hcp_keys,
    patient_keys,
    scenario_columns,
    scenario_keys,
    split_names,
)
from e2i_synth.world import World

SPEC = TableSpec(
    name="ml_predictions",
    columns={
        "prediction_id": "VARCHAR",
        "patient_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "model_name": "VARCHAR",
        "model_version": "VARCHAR",
        "prediction_date": "TIMESTAMP",
        "predicted_probability": "DOUBLE",
        "predicted_label": "BOOLEAN",
        "data_split": "VARCHAR",
    },
    primary_key="prediction_id",
    foreign_keys={"patient_id": "patient_journeys", "hcp_id": "hcp_profiles"},
    descriptions={
        "prediction_id": "The prediction's key: M and the patient's index.",
        "patient_id": "The patient scored (one prediction per patient).",
        "hcp_id": "The patient's HCP.",
        "model_name": "Always initiation_propensity.",
        "model_version": "The scoring model's version (v2.0).",
        "prediction_date": (
            "When the patient was scored: a uniform moment between journey start and the index "
            "date, so predictions can drive engagement."
        ),
        "predicted_probability": (
            "0 to 1 (four decimals): a logistic regression of recorded initiation on the observed"
            " covariates (severity, comorbidities, academic HCP, age, region), fitted on the "
            "train split of the scenario's first 20,000 patients. Not the world's own "
            "probability: it holds nothing of a hidden confounder the covariates do not."
        ),
        "predicted_label": "predicted_probability >= 0.5.",
        "data_split": "The patient's split.",
    },
)

SECONDS_PER_DAY = 86_400


def draw_times(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
    """When in its pre-index window each patient is scored."""
    return {"when": rng.random(len(units))}


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    names = ("ml_predictions", world.scenario.brand, world.scenario.dgp)
    d = unit_draws(world.seed, names, world.first_unit, world.units_stop, draw_times)
    patient = np.arange(world.n_patients)
    # Scored between diagnosis and the index date, so predictions can drive engagement.
    window = (world.index_date - world.journey_start).astype(int) * SECONDS_PER_DAY
    scored_at = world.journey_start.astype("datetime64[s]") + np.floor(d["when"] * window).astype(
        "timedelta64[s]"
    )
    probability = np.round(initiation_score(world), 4)
    return pd.DataFrame(
        {
            "prediction_id": scenario_keys(world, "M", world.units),
            "patient_id": patient_keys(world, world.units),
            "hcp_id": hcp_keys(world, world.patient_hcp),
            **scenario_columns(world),
            "model_name": PREDICTION_MODELS[0],
            "model_version": PREDICTION_MODEL_VERSION,
            "prediction_date": scored_at,
            "predicted_probability": probability,
            "predicted_label": probability >= 0.5,
            "data_split": split_names(world, patient),
        }
    )
