"""patient_journeys: one row per patient, carrying the scenario's causal columns.

`engaged` is the treatment, `treatment_initiated` the outcome. The answer key (both
potential outcomes, the true propensity, the unit's effects) is in unit_truth, not here.
`territory_rep_assigned` is the instrument of variants that have one, and
`support_program_enrolled` the mediator of those that have one, and `engagement_dose`
the dose of those that have one (0 exactly when not engaged; NULL elsewhere). In a
variant with selection, a patient lost to follow-up has NULL `treatment_initiated`,
`days_to_treatment` and `journey_stage` (nothing after the index date is known of it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import GENDERS, INSURANCE_TYPES, JOURNEY_STAGES, REGIONS, SPLITS
from e2i_synth.seeds import unit_draws
from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    hcp_keys,
    mechanism_columns,
    mechanism_values,
    nullable_days,
    patient_keys,
    scenario_columns,
)
from e2i_synth.world import World

SPEC = TableSpec(
    name="patient_journeys",
    columns={
        "patient_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "age_at_diagnosis": "INTEGER",
        "gender": "VARCHAR",
        "region": "VARCHAR",
        "insurance_type": "VARCHAR",
        "disease_severity": "DOUBLE",
        "comorbidity_count": "INTEGER",
        "academic_hcp": "BOOLEAN",
        "engagement_score": "DOUBLE",
        "engaged": "BOOLEAN",
        "treatment_initiated": "BOOLEAN",
        "days_to_treatment": "INTEGER",
        "journey_stage": "VARCHAR",
        "journey_start_date": "DATE",
        "index_date": "DATE",
        "data_split": "VARCHAR",
        # the mechanisms' (world.mechanisms): an instrument, a mediator, a dose, ...
        **mechanism_columns("patient_journeys"),
    },
    primary_key="patient_id",
    foreign_keys={"hcp_id": "hcp_profiles"},
    # treatment_initiated and journey_stage: NULL only where the outcome went unrecorded
    nullable=frozenset(
        {
            "days_to_treatment",
            *mechanism_columns("patient_journeys"),
            "treatment_initiated",
            "journey_stage",
        }
    ),
)

FEMALE_SHARE = {"kisqali": 0.99, "fabhalta": 0.55, "remibrutinib": 0.68}


def draw_patient(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
    """One block of patients' own draws: gender and insurance (Medicare dominates from 65;
    commercial below)."""
    n = len(units)
    return {
        "gender": rng.random(n),
        "young": rng.choice(len(INSURANCE_TYPES), size=n, p=[0.66, 0.04, 0.22, 0.08]),
        "old": rng.choice(len(INSURANCE_TYPES), size=n, p=[0.15, 0.78, 0.05, 0.02]),
    }


def journey_stage(world: World) -> np.ndarray:
    """Where the journey stands on the outcome date, from the world's treatment history."""
    naive, initiated, maintenance, discontinued = JOURNEY_STAGES
    return np.select(
        [~world.outcome, world.stopped, world.refills > 0],
        [naive, discontinued, maintenance],
        initiated,
    )


def recorded(world: World, values, missing_value=None):
    """A column of outcome facts as the analysis tables hold it: as is, or (in a variant
    with selection) NULL where the unit's outcome went unrecorded."""
    if world.parts.observed is None:
        return values
    series = pd.Series(values)
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("boolean")
    return series.where(world.parts.observed, missing_value)


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    names = ("patient_journeys", world.scenario.brand, world.scenario.dgp)
    d = unit_draws(world.seed, names, world.first_unit, world.units_stop, draw_patient)
    c = world.covariates
    female = d["gender"] < FEMALE_SHARE[world.scenario.brand]
    insurance = np.where(c.age_at_diagnosis >= 65, d["old"], d["young"])
    days = (world.initiation_date - world.journey_start).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "patient_id": patient_keys(world, world.units),
            "hcp_id": hcp_keys(world, world.patient_hcp),
            **scenario_columns(world),
            "age_at_diagnosis": c.age_at_diagnosis,
            "gender": np.where(female, GENDERS[0], GENDERS[1]),
            "region": np.array(REGIONS)[c.region_code],
            "insurance_type": np.array(INSURANCE_TYPES)[insurance],
            "disease_severity": c.disease_severity,
            "comorbidity_count": c.comorbidity_count,
            "academic_hcp": c.academic_hcp,
            "engagement_score": world.engagement_score,
            "engaged": world.engaged,
            "treatment_initiated": recorded(world, world.outcome, pd.NA),
            "days_to_treatment": recorded(world, nullable_days(days), pd.NA),
            "journey_stage": recorded(world, journey_stage(world)),
            "journey_start_date": world.journey_start,
            "index_date": world.index_date,
            "data_split": np.array(SPLITS)[world.split],
            **mechanism_values(world, "patient_journeys"),
        }
    )
