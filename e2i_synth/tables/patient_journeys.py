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
    descriptions={
        "patient_id": (
            "The patient's key, e.g. KIS-CF-P0000042: the scenario's code and the patient's index"
            " (the unit of every causal figure)."
        ),
        "hcp_id": (
            "The patient's HCP: the patient's own uniform read through the panel's cumulative "
            "volume."
        ),
        "age_at_diagnosis": (
            "Years, Normal(the brand's mean age, 13) rounded and clipped to 18-90 (means 42 "
            "remibrutinib, 45 fabhalta, 58 kisqali); a confounder in selection_bias."
        ),
        "gender": (
            "female or male; the female share is the brand's (kisqali 99%, remibrutinib 68%, "
            "fabhalta 55%); causes nothing."
        ),
        "region": (
            "The HCP's census region (northeast, midwest, south, west); the effect modifier of "
            "heterogeneous (CATE 0.10 / 0.20 / 0.30 / 0.40)."
        ),
        "insurance_type": (
            "commercial, medicare, medicaid or uninsured: from 65 on Medicare 78%, commercial "
            "15%, Medicaid 5%, uninsured 2%; below 65 commercial 66%, Medicaid 22%, uninsured 8%,"
            " Medicare 4%. Causes nothing."
        ),
        "disease_severity": (
            "0 to 10 (one decimal): 10 x Beta of the brand's shape (means 4.3 remibrutinib, 6.0 "
            "fabhalta, 5.4 kisqali); the main confounder of engagement and initiation."
        ),
        "comorbidity_count": (
            "0 to 6: Binomial(6, the brand's rate: 0.18 remibrutinib, 0.35 fabhalta, 0.40 "
            "kisqali); a cause of initiation, and a confounder in confounded."
        ),
        "academic_hcp": (
            "Whether the patient's HCP practises at an academic medical center "
            "(hcp_profiles.academic_hcp); a confounder in confounded and selection_bias."
        ),
        "engagement_score": (
            "0 to 10 (two decimals): 5 x engaged + 4.99 x Beta(2, 2), so it is at least 5 exactly"
            " when engaged. A trap: the treatment's deterministic proxy; adjusting for it blocks "
            "the effect."
        ),
        "engaged": (
            "The treatment: whether the patient's HCP received a patient-linked engagement on the"
            " index date. Drawn as a uniform below the patient's propensity "
            "(unit_truth.true_propensity), a logistic model of the DGP's covariates; with a dose,"
            " dose > 0."
        ),
        "treatment_initiated": (
            "The outcome: whether the patient initiated therapy within 120 days of the index date"
            " (one uniform below the outcome probability of the patient's arm, shared by both "
            "arms). NULL where the outcome went unrecorded (selection) or the window was still "
            "open at the data cut without an initiation (censor, stories)."
        ),
        "days_to_treatment": (
            "Days from journey_start_date to the initiation; NULL when the patient did not "
            "initiate or the outcome is unknown. A trap: a function of the outcome."
        ),
        "journey_stage": (
            "Where the journey stands on the outcome date: treatment_naive (no initiation), "
            "initiated, maintenance (refilled) or discontinued (stopped); NULL where the outcome "
            "is unknown. A trap: a function of the outcome."
        ),
        "journey_start_date": (
            "Diagnosis date: uniform over 2024-01-01 to 2025-06-30, or from the brand's launch on"
            " with a linearly rising density (remibrutinib); never before the launch."
        ),
        "index_date": (
            "The date engagement is decided (and recorded, for engaged patients): "
            "journey_start_date plus 7 to 45 days, uniformly. Follow-up runs 120 days from it."
        ),
        "data_split": (
            "The patient's split: train, validation, test or holdout, exactly 12/4/3/1 in every "
            "block of 20 consecutive patients (60/20/15/5); every row of the patient in every "
            "table carries it."
        ),
    },
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
