"""A dose: engagement has versions 1..K with a concave dose-response, the dose confounded as
engagement is (an ordered logit at the propensity's logit), so the same backdoor set
identifies the mean outcome at every dose (catalog.DgpSpec, `dose`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    DOSE_COLUMN,
    DOSE_CUT_SPACING,
    DOSE_EC50,
    MAX_DOSE,
    OUTCOME_COLUMN,
    TREATMENT_COLUMN,
    DgpSpec,
)
from e2i_synth.world.dgps import Latent, Mechanism, sigmoid
from e2i_synth.world.mechanisms.base import CausalMechanism, Column, Draft, Exclusion, Knob, knob_on


def dose_response(levels: int) -> np.ndarray:
    """g(k) for k = 0..levels: the share of a unit's full effect that dose k gives
    (catalog.DOSE_EC50's Emax curve)."""
    share = np.arange(levels + 1) / levels
    return share * (1 + DOSE_EC50) / (share + DOSE_EC50)


def dose_levels(levels: int, propensity: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each unit's dose if engaged (1..levels) from its uniform `u`, and the probability of
    each dose ((levels, n)): an ordered logit located at the logit of the propensity, with
    cut points DOSE_CUT_SPACING apart centred on 0 (a higher propensity, a higher dose)."""
    location = np.log(propensity) - np.log1p(-propensity)
    cuts = DOSE_CUT_SPACING * (np.arange(1, levels) - levels / 2)
    at_least = sigmoid(location - cuts[:, None])  # P(dose > j) for j = 1..levels-1
    dose = 1 + (u < at_least).sum(axis=0)
    ones, zeros = np.ones((1, len(u))), np.zeros((1, len(u)))
    above = np.vstack([ones, at_least, zeros])
    return dose, above[:-1] - above[1:]


def _weighted_levels(weights: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """sum_k weights[k] * shares[k] unit by unit, level after level: a matrix product's
    BLAS kernel sums in an order that depends on the number of units, so a chunk's units
    would differ in the last bit from the same units drawn in one piece."""
    total = np.zeros(shares.shape[1])
    for weight, share in zip(weights, shares, strict=True):
        total += weight * share
    return total


def _model(spec: DgpSpec, model: Mechanism, logit: np.ndarray, latent: Latent) -> Mechanism:
    """The dose if engaged (from the propensity without the instrument), the outcome
    probability at every dose 0..K, and tau the effect at the expected dose."""
    if spec.mediator:
        raise ValueError(f"{spec.label}: a dose and a mediator do not combine")
    off = model.propensity if model.propensity_if is None else model.propensity_if[0]
    dose_if, share = dose_levels(spec.dose, off, latent("dose"))
    g = dose_response(spec.dose)
    return replace(
        model,
        tau=model.tau * _weighted_levels(g[1:], share),
        outcome_if=model.p0 + model.tau * g[:, None],
        dose_if=dose_if,
    )


def _arms(draft: Draft) -> None:
    """The treated arm is the unit's dose if engaged; every dose's outcome is kept."""
    draft.parts["dose_outcomes"] = draft.unit["outcome"] < draft.model.outcome_if
    p_if = draft.p_if
    draft.p_if = (p_if[0], np.take_along_axis(p_if, draft.model.dose_if[None], 0)[0])


def _record(draft: Draft) -> None:
    draft.parts["dose"] = np.where(draft.engaged, draft.model.dose_if, 0)
    draft.parts["dose_if"] = draft.model.dose_if


def outcomes_text(outcomes: np.ndarray) -> np.ndarray:
    """Each unit's potential outcomes at doses 0..K ((K+1, n) booleans) as a JSON list of
    0/1, e.g. "[0,0,1,1,1]"."""
    digits = outcomes.astype(np.int8).astype(str)
    text = digits[0]
    for level in digits[1:]:
        text = np.strings.add(np.strings.add(text, ","), level)
    return np.strings.add(np.strings.add("[", text), "]")


def dose_response_json(outcomes: np.ndarray, units: int) -> str | None:
    """`dose_response` as stored: a JSON list of {dose, mean_outcome, effect_vs_0}, the
    mean of the units' potential outcomes at each dose and its difference from dose 0
    (exact means of unit_truth.dose_outcomes); None without a dose."""
    if not len(outcomes) or not units:
        return None
    return json.dumps(
        [
            {"dose": k, "mean_outcome": int(o) / units, "effect_vs_0": int(o - outcomes[0]) / units}
            for k, o in enumerate(outcomes)
        ]
    )


def _sums(world: Any, groups: list[np.ndarray], effect: np.ndarray) -> dict[str, np.ndarray]:
    """Per group and dose, the units whose potential outcome at that dose is 1 (no doses:
    no columns)."""
    outcomes = world.parts.dose_outcomes
    if outcomes is None:
        return {"dose_outcomes": np.zeros((len(groups), 0), np.int64)}
    totals = np.stack([outcomes[:, g].sum(axis=1) for g in groups]).astype(np.int64)
    return {"dose_outcomes": totals}


def _estimands(row: Mapping[str, Any]) -> dict[str, float]:
    """The mean effect of every dose k vs 0, "dose_effect_k"."""
    if pd.isna(row["dose_response"]):
        return {}
    doses = json.loads(row["dose_response"])[1:]
    return {f"dose_effect_{dose['dose']}": float(dose["effect_vs_0"]) for dose in doses}


def _truth(world: Any, sums: Any, rows: list[int]) -> dict[str, Any]:
    outcomes = sums.of_mechanisms["dose_outcomes"]
    stated = [dose_response_json(outcomes[g], int(sums.units[g])) for g in rows]
    return {"dose_response": pd.Series(stated, dtype=object)}


MECHANISM = CausalMechanism(
    name="dose",
    summary="engagement with doses 1..K and a concave dose-response",
    knobs=(
        Knob(
            "dose",
            f"engagement becomes a dose 0..v ({DOSE_COLUMN} in patient_journeys; 0: no "
            "dose) with a concave dose-response; the potential outcome at every dose is "
            "in unit_truth, the mean per dose in the truth",
            lambda s, v: replace(s, dose=int(v)),
            0,
            MAX_DOSE,
            integer=True,
        ),
    ),
    active=knob_on("dose"),
    exclusions=(
        Exclusion(
            ("dose", "mediator"),
            "the dose acts on the outcome directly, the mediator would carry the whole effect",
        ),
    ),
    single_decision=True,
    streams={"dose": "world-dose"},
    model=_model,
    steps={"arms": _arms, "record": _record},
    parts=("dose", "dose_if", "dose_outcomes"),
    columns=(
        Column(
            "patient_journeys",
            DOSE_COLUMN,
            "INTEGER",
            13,
            part="dose",
            description=(
                "The engagement's intensity in variants with the dose knob: 0 exactly when not "
                "engaged, else 1 to K, drawn by an ordered logit at the logit of the propensity "
                "(confounded like engagement). NULL in other scenarios."
            ),
        ),
        Column(
            "unit_truth",
            "dose_if_engaged",
            "INTEGER",
            13,
            part="dose_if",
            description=(
                "Variants with a dose: the patient's dose if engaged, 1 to K. NULL elsewhere."
            ),
        ),
        Column(
            "unit_truth",
            "dose_outcomes",
            "VARCHAR",
            13,
            part="dose_outcomes",
            text=outcomes_text,
            description=(
                "Variants with a dose: a JSON list of the potential outcomes Y(0), ..., Y(K) (0/1, "
                "one outcome uniform for every dose). NULL elsewhere."
            ),
        ),
        Column(
            "causal_ground_truth",
            "dose_response",
            "VARCHAR",
            13,
            description=(
                "Variants with a dose: JSON [{dose, mean_outcome, effect_vs_0}] for every dose "
                "0..K, exact means of unit_truth.dose_outcomes. NULL elsewhere."
            ),
        ),
    ),
    sums=_sums,
    truth=_truth,
    path=lambda spec: [
        *(f"{c} -> {DOSE_COLUMN};" for c in (TREATMENT_COLUMN, *spec.dose_causes)),
        f"{DOSE_COLUMN} -> {OUTCOME_COLUMN};",
    ],
    confounded=(DOSE_COLUMN,),
    estimands=_estimands,
    routes=lambda spec: (
        [
            {
                "route": "backdoor",
                "columns": list(spec.adjustment_columns),
                "estimand": "dose_response",
            }
        ]
        if spec.adjustment_sets
        else []
    ),
)
