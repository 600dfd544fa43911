"""Twin types and their training frames, cut from observable warehouse tables only.

Each twin type states its entity key, its features (SPEC §6 defaults, mapped onto the
columns this warehouse has), its treatment inputs and its target. The training frame has
one row per observation: the entity's features, what was delivered, and what followed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    ADOPTION_STAGES,
    ALL_SPECIALTIES,
    CHANNELS,
    GENDERS,
    INSURANCE_TYPES,
    INTERVENTION_TYPES,
    PRACTICE_SIZES,
    PRACTICE_TYPES,
    REGIONS,
)

NO_INTERVENTION = "none"
AGE_GROUPS: tuple[str, ...] = ("18-39", "40-54", "55-64", "65+")
AGE_EDGES = (40, 55, 65)


@dataclass(frozen=True)
class TwinType:
    """`categories` gives the fixed vocabulary of every categorical column, so every model
    (and every cross-validation fold) encodes the same columns in the same order.
    `treatment` columns are the intervention inputs; `strata` are kept together when a
    twin is sampled (e.g. decile and the tier derived from it)."""

    name: str
    key: str
    target: str
    categories: dict[str, tuple]
    numeric: tuple[str, ...]
    treatment_categories: dict[str, tuple]
    treatment_numeric: tuple[str, ...]
    integer: tuple[str, ...] = ()
    strata: tuple[str, ...] = ()
    has_untreated_arm: bool = True
    bounded_by: tuple[tuple[str, str], ...] = ()  # (column, never above this column)

    @property
    def untreated(self) -> dict[str, object]:
        """Treatment inputs of 'nothing delivered': the first category, zero dose."""
        return {
            **{c: v[0] for c, v in self.treatment_categories.items()},
            **dict.fromkeys(self.treatment_numeric, 0.0),
        }

    def is_treated(self, frame: pd.DataFrame) -> np.ndarray:
        untreated = self.untreated
        return ~np.logical_and.reduce([frame[c].to_numpy() == v for c, v in untreated.items()])

    @property
    def features(self) -> tuple[str, ...]:
        """Entity features: what a twin is made of."""
        return (*self.categories, *self.numeric)

    @property
    def inputs(self) -> tuple[str, ...]:
        """Model inputs: entity features plus the treatment."""
        return (*self.features, *self.treatment_categories, *self.treatment_numeric)


HCP = TwinType(
    name="hcp",
    key="hcp_id",
    target="prescribing_change",
    categories={
        "specialty": ALL_SPECIALTIES,
        "practice_type": PRACTICE_TYPES,
        "practice_size": PRACTICE_SIZES,
        "region": REGIONS,
        "preferred_channel": CHANNELS,
        "adoption_stage": ADOPTION_STAGES,
        "priority_tier": (1, 2, 3, 4),
    },
    numeric=(
        "decile",
        "years_experience",
        "total_patient_volume",
        "target_patient_volume",
        "digital_engagement_score",
        "last_interaction_days",
        "interaction_frequency",
        "peer_influence_score",
    ),
    treatment_categories={"intervention_type": (NO_INTERVENTION, *INTERVENTION_TYPES)},
    treatment_numeric=("intensity", "duration_weeks"),
    integer=(
        "decile",
        "years_experience",
        "total_patient_volume",
        "target_patient_volume",
        "last_interaction_days",
    ),
    strata=("decile", "priority_tier"),
    bounded_by=(("target_patient_volume", "total_patient_volume"),),
)
"""SPEC §6 HCP twin: all fifteen default features; the intervention, its intensity and
duration as inputs (0 when nothing was delivered)."""

PATIENT = TwinType(
    name="patient",
    key="patient_id",
    target="journey_progression_days",
    categories={
        "age_group": AGE_GROUPS,
        "gender": GENDERS,
        "geographic_region": REGIONS,
        "insurance_type": INSURANCE_TYPES,
        "insurance_coverage_flag": (False, True),
        "academic_hcp": (False, True),
    },
    numeric=("comorbidity_count", "risk_score"),
    treatment_categories={"engaged": (False, True)},
    treatment_numeric=(),
    integer=("comorbidity_count",),
)
"""SPEC §6 patient twin on the columns patient_journeys has: risk_score is the disease
severity; the coverage flag is 'insured'; the target is days from journey start to
initiation (initiated patients only). Socioeconomic index, diagnosis code and complexity
score do not exist in this warehouse; journey stage and duration are outcomes, not inputs."""

TERRITORY = TwinType(
    name="territory",
    key="territory_id",
    target="market_share_change",
    categories={"region": REGIONS},
    numeric=("total_hcps", "total_patient_volume", "market_share", "average_hcp_decile"),
    treatment_categories={},
    treatment_numeric=("coverage_rate",),
    integer=("total_hcps", "total_patient_volume"),
    has_untreated_arm=False,
)
"""SPEC §6 territory twin: a territory is one state's HCPs of one specialty, observed per
quarter; the input is its coverage rate (share of its HCPs delivered any intervention);
market_share is the territory's share of the scenario's TRx; the target is its TRx-weighted
relative TRx change (the share change under a flat market). Competitor presence,
urban/rural mix and density do not exist in this warehouse."""

TWIN_TYPES: dict[str, TwinType] = {t.name: t for t in (HCP, PATIENT, TERRITORY)}


def hcp_training_frame(history: pd.DataFrame, hcp_profiles: pd.DataFrame) -> pd.DataFrame:
    """One row per HCP and period: the HCP's profile, the delivery and the outcome."""
    rows = history[
        [
            "hcp_id",
            "intervention_type",
            "intensity",
            "duration_weeks",
            "prescribing_change",
            "data_split",
            "brand",
            "dgp_type",
        ]
    ]
    frame = rows.merge(hcp_profiles[["hcp_id", *HCP.features]], on="hcp_id", validate="m:1")
    return frame.assign(
        intervention_type=frame["intervention_type"].fillna(NO_INTERVENTION),
        intensity=frame["intensity"].fillna(0.0),
    )


def patient_training_frame(patient_journeys: pd.DataFrame) -> pd.DataFrame:
    """Initiated patients, with SPEC §6 patient features (never the potential outcomes)."""
    done = patient_journeys[patient_journeys["treatment_initiated"]]
    age_group = np.array(AGE_GROUPS)[np.digitize(done["age_at_diagnosis"], AGE_EDGES)]
    return pd.DataFrame(
        {
            "patient_id": done["patient_id"],
            "age_group": age_group,
            "gender": done["gender"],
            "geographic_region": done["region"],
            "insurance_type": done["insurance_type"],
            "insurance_coverage_flag": done["insurance_type"] != "uninsured",
            "academic_hcp": done["academic_hcp"],
            "comorbidity_count": done["comorbidity_count"],
            "risk_score": done["disease_severity"],
            "engaged": done["engaged"],
            "journey_progression_days": done["days_to_treatment"].astype(float),
            "data_split": done["data_split"],
            "brand": done["brand"],
            "dgp_type": done["dgp_type"],
        }
    ).reset_index(drop=True)


def territory_training_frame(history: pd.DataFrame, hcp_profiles: pd.DataFrame) -> pd.DataFrame:
    """One row per territory (state x specialty) and quarter, aggregated from the history."""
    rows = history.merge(
        hcp_profiles[["hcp_id", "state", "specialty", "region", "decile", "total_patient_volume"]],
        on="hcp_id",
    )
    rows = rows.assign(
        territory_id=rows["brand"]
        + "|"
        + rows["dgp_type"]
        + "|"
        + rows["state"]
        + "|"
        + rows["specialty"],
        trx_change=rows["trx_after"] - rows["trx_before"],
    )
    grouped = rows.groupby(["territory_id", "period_index"], sort=True)
    frame = grouped.agg(
        brand=("brand", "first"),
        dgp_type=("dgp_type", "first"),
        region=("region", "first"),
        total_hcps=("hcp_id", "size"),
        covered_hcps=("treated", "sum"),
        trx_before=("trx_before", "sum"),
        trx_change=("trx_change", "sum"),
        average_hcp_decile=("decile", "mean"),
        total_patient_volume=("total_patient_volume", "sum"),
    ).reset_index()
    scenario_trx = frame.groupby(["brand", "dgp_type", "period_index"])["trx_before"].transform(
        "sum"
    )
    return frame.assign(
        coverage_rate=frame["covered_hcps"] / frame["total_hcps"],
        market_share=frame["trx_before"] / scenario_trx,
        market_share_change=frame["trx_change"] / frame["trx_before"],
    )
