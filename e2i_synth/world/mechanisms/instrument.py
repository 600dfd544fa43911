"""An instrument: a randomized rep-territory assignment that raises the log-odds of
engagement and is excluded from the outcome, so an IV estimator identifies the compliers'
effect (the LATE) without an adjustment set (catalog.DgpSpec, `instrument`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from e2i_synth.catalog import INSTRUMENT_ASSIGNED_SHARE, INSTRUMENT_COLUMN, DgpSpec
from e2i_synth.world.dgps import Latent, Mechanism, sigmoid
from e2i_synth.world.mechanisms.base import (
    CausalMechanism,
    Column,
    Draft,
    Knob,
    group_totals,
    knob_on,
    route_columns,
)


def instrument_assigned(latent: Latent) -> np.ndarray:
    """Which units the instrument is on for: a fair coin per unit."""
    return latent("instrument") < INSTRUMENT_ASSIGNED_SHARE


def _model(spec: DgpSpec, model: Mechanism, logit: np.ndarray, latent: Latent) -> Mechanism:
    """Each unit's propensity with the instrument off and on, and under its assignment."""
    assigned = np.clip(sigmoid(logit + spec.instrument), *spec.propensity_clip)
    return replace(
        model,
        propensity=np.where(instrument_assigned(latent), assigned, model.propensity),
        propensity_if=np.stack([model.propensity, assigned]),
    )


def _record(draft: Draft) -> None:
    """The assignment, and the treatment off and on (one uniform decides both)."""
    draft.parts["instrument"] = instrument_assigned(draft.latent)
    draft.parts["engaged_if"] = draft.treatment_u < draft.model.propensity_if


def _sums(world: Any, groups: list[np.ndarray], effect: np.ndarray) -> dict[str, np.ndarray]:
    """The compliers (engaged if assigned and not otherwise) and their summed effects."""
    both = world.parts.engaged_if
    compliers = np.zeros_like(world.engaged) if both is None else both[1] & ~both[0]
    return {
        "compliers": group_totals(groups, compliers),
        "effect_compliers": group_totals(groups, effect, compliers),
    }


def _truth(world: Any, sums: Any, rows: list[int]) -> dict[str, Any]:
    """The compliers' mean effect (units engaged only if assigned) and their count."""
    compliers = sums.of_mechanisms["compliers"][rows]
    effect_compliers = sums.of_mechanisms["effect_compliers"][rows]
    counted = MECHANISM.active(world.spec)
    return {
        "true_late": np.where(compliers > 0, effect_compliers / np.maximum(compliers, 1), np.nan),
        "n_compliers": pd.array([int(c) if counted else None for c in compliers], dtype="Int64"),
    }


MECHANISM = CausalMechanism(
    name="instrument",
    summary="a randomized instrument of engagement (IV: the compliers' effect)",
    knobs=(
        Knob(
            "instrument",
            f"log-odds of engagement added where {INSTRUMENT_COLUMN} (a randomized rep "
            "territory assignment, stored in patient_journeys) is true; excluded from "
            "the outcome",
            lambda s, v: replace(s, instrument=float(v)),
            0.0,
            5.0,
        ),
    ),
    active=knob_on("instrument"),
    streams={"instrument": "world-iv"},
    model=_model,
    steps={"record": _record},
    parts=("instrument", "engaged_if"),
    columns=(
        Column(
            "patient_journeys",
            INSTRUMENT_COLUMN,
            "BOOLEAN",
            11,
            part="instrument",
            description=(
                "The instrument of variants with the instrument knob: a fair coin per patient (its "
                "own stream) that raises the engagement logit by the knob's value and never touches"
                " the outcome. NULL in other scenarios."
            ),
        ),
        Column(
            "unit_truth",
            "engaged_if_unassigned",
            "BOOLEAN",
            11,
            part="engaged_if",
            arm=0,
            description=(
                "Variants with an instrument: whether the patient would be engaged with "
                "territory_rep_assigned off (the same uniform decides both). NULL elsewhere."
            ),
        ),
        Column(
            "unit_truth",
            "engaged_if_assigned",
            "BOOLEAN",
            11,
            part="engaged_if",
            arm=1,
            description=(
                "Variants with an instrument: whether the patient would be engaged with "
                "territory_rep_assigned on; compliers are engaged only if assigned. NULL elsewhere."
            ),
        ),
        Column(
            "causal_ground_truth",
            "true_late",
            "DOUBLE",
            11,
            description=(
                "Variants with an instrument: the compliers' exact mean effect, what an IV "
                "estimator identifies. NULL elsewhere."
            ),
        ),
        Column(
            "causal_ground_truth",
            "n_compliers",
            "INTEGER",
            11,
            description=(
                "Variants with an instrument: patients engaged if assigned and not otherwise. NULL "
                "elsewhere."
            ),
        ),
    ),
    sums=_sums,
    truth=_truth,
    routes=lambda spec: [
        {"route": "instrument", "columns": [INSTRUMENT_COLUMN], "estimand": "late"}
    ],
    estimands=lambda row: {"late": float(row["true_late"])} if pd.notna(row["true_late"]) else {},
    estimators={"dowhy_iv": "instruments"},
    public={"instruments": lambda stated: route_columns(stated, "instrument")},
)
