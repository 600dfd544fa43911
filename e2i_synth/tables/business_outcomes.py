"""business_outcomes: the scenario's causal outcome per patient, dated after its cause
(NULL where it went unrecorded, in a variant with selection)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.tables.patient_journeys import recorded
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
    name="business_outcomes",
    columns={
        "outcome_id": "VARCHAR",
        "patient_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "outcome_date": "DATE",
        "outcome_type": "VARCHAR",
        "outcome_value": "DOUBLE",
        "data_split": "VARCHAR",
    },
    primary_key="outcome_id",
    foreign_keys={"patient_id": "patient_journeys", "hcp_id": "hcp_profiles"},
    nullable=frozenset({"outcome_value"}),  # only where the outcome went unrecorded
    descriptions={
        "outcome_id": "The outcome's key: O and the patient's index.",
        "patient_id": "The patient whose outcome it is (one row per patient).",
        "hcp_id": "The patient's HCP.",
        "outcome_date": (
            "When the outcome is assessed: index date + 121 days, or the data cut when that comes"
            " first."
        ),
        "outcome_type": "Always treatment_initiation.",
        "outcome_value": (
            "1.0 if the patient initiated within the window, else 0.0: "
            "patient_journeys.treatment_initiated as a number; NULL where the outcome is unknown "
            "(selection, censoring)."
        ),
        "data_split": "The patient's split.",
    },
)


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    patient = np.arange(world.n_patients)
    return pd.DataFrame(
        {
            "outcome_id": scenario_keys(world, "O", world.units),
            "patient_id": patient_keys(world, world.units),
            "hcp_id": hcp_keys(world, world.patient_hcp),
            **scenario_columns(world),
            "outcome_date": world.outcome_date,
            "outcome_type": "treatment_initiation",
            "outcome_value": recorded(world, world.outcome.astype(float), np.nan),
            "data_split": split_names(world, patient),
        }
    )
