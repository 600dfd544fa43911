"""A variant's analysis tables and truth, drawn in memory (nothing stored): what a
benchmark run hands an estimator and what it scores the estimate against."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from e2i_synth.benchmark.estimators import PublicTruth
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLES
from e2i_synth.validation.causal import overall_truth
from e2i_synth.world import draw_world, mechanisms

ANALYSIS_TABLES = ("hcp_profiles", "patient_journeys")
"""The tables an estimator receives: the units, their covariates, treatment and outcome
(the answer key lives in unit_truth and causal_ground_truth, never handed over)."""


@dataclass(frozen=True)
class VariantData:
    scenario: Scenario
    seed: int
    tables: dict[str, pd.DataFrame]
    truth: PublicTruth
    true_ate: float  # the sample ATE: the mean of the unit effects
    true_late: float  # the compliers' mean effect (NaN without an instrument)
    true_cate: np.ndarray  # each unit's p1 - p0, in the treatment table's row order
    estimands: dict[str, float] = field(default_factory=dict)
    """Every estimand the variant's truth states, by name (`estimands`)."""
    identified: frozenset[str] = frozenset()
    """The stated estimands the analysis tables identify (`identified_estimands`)."""


def variant_data(scenario: Scenario, n_patients: int, seed: int) -> VariantData:
    world = draw_world(scenario, n_patients, seed)
    tables = {name: TABLES[name].build(world, {}) for name in ANALYSIS_TABLES}
    row = overall_truth(TABLES["causal_ground_truth"].build(world, {}))
    truth = PublicTruth(
        treatment_table=row["treatment_table"],
        treatment=row["treatment_column"],
        outcome=row["outcome_column"],
        adjustment_columns=tuple(row["adjustment_columns"]),
        graph_dot=row["graph_dot"],
        data_cut=str(pd.Timestamp(row["data_cut_date"]).date()),
        **public_routes(json.loads(row["identification"])),
    )
    stated = estimands(row)
    return VariantData(
        scenario,
        seed,
        tables,
        truth,
        float(row["true_ate"]),
        float(row["true_late"]),
        world.tau,
        stated,
        identified_estimands(row["identification"], stated),
    )


def estimands(row: pd.Series) -> dict[str, float]:
    """What an estimate may be scored against, from the overall truth row: "ate", then
        what each mechanism's truth states (world.mechanisms: "late" with an instrument;
        "ate_observed", the observed population's effect, with selection or censoring;
        "ate_followed", the followed patients' effect, with censoring; "dose_effect_k", the
        mean effect of dose k vs 0, for every dose k with a dose; with outcome types,
    "ate_days_covered_share", "ate_refill_count", "survival_diff_h" and "rmst_diff")."""
    stated = {"ate": float(row["true_ate"])}
    for m in mechanisms.REGISTRY:
        if m.estimands:
            stated.update(m.estimands(row))
    return stated


def identified_estimands(identification: str, stated: Iterable[str]) -> frozenset[str]:
    """Which stated estimands the observed columns identify, read from the truth's
        `identification`: each route's estimand ("ate" by the back door, the front door or the
        g-formula; "late" by an instrument; every "dose_effect_k" by the dose-response back
        door; with outcome types, each type's estimands wherever the binary ATE is).
    With selection the outcome is missing not at random, so the routes need the full
        data and identify nothing; the complete cases give the observed population's effect
        (`complete_case_estimand`). With censoring the routes identify the followed patients'
        effect ("ate_followed") rather than everyone's."""
    stated = set(stated)
    parsed = json.loads(identification)
    routed = {route["estimand"] for route in parsed["routes"]}
    if "ate" in routed and "outcome_types" in parsed:
        routed |= set(parsed["outcome_types"]["estimands"])
    if "dose_response" in routed:
        routed |= {name for name in stated if name.startswith("dose_effect_")}
    if "selection" in parsed:
        routed = {parsed["selection"]["complete_case_estimand"]}
    elif "censoring" in parsed:
        routed = {parsed["censoring"]["estimand"]} if "ate" in routed else set()
    return frozenset(routed & stated)


def public_routes(identification: dict) -> dict[str, tuple[str, ...]]:
    """The PublicTruth fields that name a route's columns (instruments, mediators, the
    time-varying engagement), each read from the stored identification by the mechanism
    declaring it (world.mechanisms)."""
    return {
        name: read(identification) for m in mechanisms.REGISTRY for name, read in m.public.items()
    }
