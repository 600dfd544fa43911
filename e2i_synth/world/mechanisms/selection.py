"""Selection on the outcome: outcomes missing not at random (lost to follow-up more often
without initiation and without engagement), so complete cases condition on a common
effect of the treatment and the outcome (catalog.DgpSpec, `selection`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    OUTCOME_COLUMN,
    OUTCOME_OBSERVED,
    SELECTION_ENGAGED_SHARE,
    SELECTION_OUTCOME_SHARE,
    TREATMENT_COLUMN,
    DgpSpec,
)
from e2i_synth.world.mechanisms.base import (
    CausalMechanism,
    Column,
    Draft,
    Knob,
    Trap,
    group_totals,
    knob_on,
    observed_arm,
)


def missing_probability(spec: DgpSpec, engaged: float, outcome: np.ndarray) -> np.ndarray:
    """The probability that a unit's outcome goes unrecorded given its engagement (0 or 1)
    and its outcome: missing not at random (catalog.SELECTION_OUTCOME_SHARE)."""
    return (
        spec.selection
        * (1 - SELECTION_OUTCOME_SHARE * outcome)
        * (1 - SELECTION_ENGAGED_SHARE * engaged)
    )


def _record(draft: Draft) -> None:
    """Whether the outcome would be recorded under either arm: one uniform decides both
    (and what another mechanism already left unknown stays unknown)."""
    kept = draft.latent("selection")
    observed_if = np.stack(
        [
            kept >= missing_probability(draft.spec, arm, y)
            for arm, y in enumerate((draft.y0, draft.y1))
        ]
    )
    known = draft.parts.get("observed_if")
    draft.parts["observed_if"] = observed_if if known is None else observed_if & known


def observed_contrast(outcome_ones: np.ndarray, recorded: np.ndarray) -> float:
    """The observed population's contrast: the mean outcome engaged over the units recorded
    if engaged, minus the mean outcome unengaged over those recorded if not (NaN where an
    arm would record nobody)."""
    if recorded.min() == 0:
        return float("nan")
    return int(outcome_ones[1]) / int(recorded[1]) - int(outcome_ones[0]) / int(recorded[0])


def _sums(world: Any, groups: list[np.ndarray], effect: np.ndarray) -> dict[str, np.ndarray]:
    """The units whose outcome is recorded and, per arm (unengaged, engaged; groups x 2),
    those whose outcome would be recorded under it and how many of those have outcome 1
    under it (zeros where every outcome is recorded)."""
    kept = world.parts.observed_if
    if kept is None:
        kept = np.zeros((2, world.n_patients), dtype=bool)
    by_arm = (world.y0, world.y1)
    return {
        "observed": group_totals(groups, observed_arm(kept, world.engaged)),
        "observed_if": np.stack([group_totals(groups, kept[arm]) for arm in (0, 1)], axis=1),
        "outcome_observed_if": np.stack(
            [group_totals(groups, by_arm[arm], kept[arm]) for arm in (0, 1)], axis=1
        ),
    }


def _truth(world: Any, sums: Any, rows: list[int]) -> dict[str, Any]:
    """The observed population's effect and size, wherever some outcome goes unrecorded
    (by selection, or by a data cut that censors it)."""
    partly = world.parts.observed_if is not None
    own = sums.of_mechanisms
    return {
        "true_ate_observed": [
            observed_contrast(own["outcome_observed_if"][g], own["observed_if"][g])
            if partly
            else np.nan
            for g in rows
        ],
        "n_observed": pd.array(
            [int(own["observed"][g]) if partly else None for g in rows], dtype="Int64"
        ),
    }


SELECTION_TRAP = Trap(
    OUTCOME_OBSERVED,
    "selection_on_outcome",
    OUTCOME_COLUMN,
    f"whether {OUTCOME_COLUMN} is recorded (NOT NULL): patients who do not initiate and "
    f"patients not {TREATMENT_COLUMN} are lost to follow-up more often, so it is a common "
    "effect of the treatment and the outcome; a complete-case analysis conditions on it "
    "and misses true_ate (with randomized engagement it estimates true_ate_observed)",
)
"""The trap of variants with selection (outcomes missing not at random)."""


def _identification(spec: DgpSpec, cut: np.datetime64 | None) -> tuple[str, dict] | None:
    if not spec.selection:
        return None
    return (
        "selection",
        {
            "column": OUTCOME_COLUMN,
            "indicator": OUTCOME_OBSERVED,
            "depends_on": [TREATMENT_COLUMN, OUTCOME_COLUMN],
            "missing_at_random": False,
            "complete_case_estimand": "ate_observed",
        },
    )


MECHANISM = CausalMechanism(
    name="selection",
    summary="outcomes missing not at random (selection on the outcome)",
    knobs=(
        Knob(
            "selection",
            f"outcomes missing not at random: {OUTCOME_COLUMN} is NULL (lost to "
            f"follow-up) with probability v * (1 - {SELECTION_OUTCOME_SHARE:g} * initiated)"
            f" * (1 - {SELECTION_ENGAGED_SHARE:g} * engaged); the truth states the ATE "
            "for everyone and for the observed population",
            lambda s, v: replace(s, selection=float(v)),
            0.0,
            0.9,
        ),
    ),
    active=knob_on("selection"),
    single_decision=True,
    streams={"selection": "world-selection"},
    steps={"record": _record},
    parts=("observed_if",),
    columns=(
        Column(
            "unit_truth",
            "observed_if_unengaged",
            "BOOLEAN",
            14,
            part="observed_if",
            arm=0,
            description=(
                "Variants with selection or censoring: whether the outcome would be recorded if "
                "unengaged. NULL elsewhere."
            ),
        ),
        Column(
            "unit_truth",
            "observed_if_engaged",
            "BOOLEAN",
            14,
            part="observed_if",
            arm=1,
            description=(
                "Variants with selection or censoring: whether the outcome would be recorded if "
                "engaged (one uniform decides both). NULL elsewhere."
            ),
        ),
        Column(
            "causal_ground_truth",
            "true_ate_observed",
            "DOUBLE",
            14,
            description=(
                "Variants with selection or censoring: the observed population's effect, what a "
                "complete-case contrast estimates under randomized engagement. NULL elsewhere."
            ),
        ),
        Column(
            "causal_ground_truth",
            "n_observed",
            "INTEGER",
            14,
            description=(
                "Variants with selection or censoring: patients whose outcome is recorded. NULL "
                "elsewhere."
            ),
        ),
    ),
    sums=_sums,
    truth=_truth,
    estimands=lambda row: (
        {"ate_observed": float(row["true_ate_observed"])}
        if pd.notna(row["true_ate_observed"])
        else {}
    ),
    traps=(SELECTION_TRAP,),
    edges=(f"{TREATMENT_COLUMN} -> {OUTCOME_OBSERVED};",),
    identification=_identification,
)
