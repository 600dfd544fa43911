"""Outcome types beyond the binary initiation: a continuous outcome (the proportion of the
follow-up window's days covered by supply), a count (refills) and a time to event (days
from the index date to initiation, censored by loss to follow-up and at the window's end).

All three are read from the same potential outcomes as the binary one: under arm a a unit
initiates when y_a, on its spontaneous day or, when the engagement causes the initiation,
on its caused day (the draws `_dates` reads), and then refills monthly up to its own draw;
so each has both potential outcomes per unit and an exact truth (the ATE on the mean; for
the time to event the survival difference at SURVIVAL_HORIZONS and the restricted mean
survival time difference up to the window's end). Loss to follow-up is independent of
everything else (its own stream), so the time to event is non-informatively censored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from e2i_synth.catalog import FOLLOW_UP_DAYS, OUTCOME_COLUMN, REFILL_INTERVAL_DAYS, DgpSpec
from e2i_synth.world.mechanisms.base import (
    CausalMechanism,
    Column,
    Draft,
    Exclusion,
    Knob,
    Trap,
    group_totals,
    observed_arm,
    param_on,
    set_param,
)

KNOB = "outcome_types"
WINDOW_DAYS = FOLLOW_UP_DAYS + 1
"""Days of the follow-up window (index day 0 through FOLLOW_UP_DAYS)."""
NO_EVENT = WINDOW_DAYS
"""A potential time to initiation of a unit that does not initiate in the window."""
SURVIVAL_HORIZONS = (30, 90)
"""Days after the index date at which the truth states the survival difference."""
RMST_HORIZON = FOLLOW_UP_DAYS
"""The restricted mean survival time is taken over days [0, RMST_HORIZON]."""
LOSS_TO_FOLLOW_UP = 0.3
"""Share of patients lost to follow-up, on a day uniform over the window."""
TIME_COLUMN = "days_to_initiation"
EVENT_COLUMN = "initiation_event"
COUNT_COLUMN = "refill_count"
CONTINUOUS_COLUMN = "days_covered_share"


def potential_times(unit: dict[str, np.ndarray], y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """Days from the index date to initiation under each arm (2, n), NO_EVENT where the
    unit does not initiate: untreated on its spontaneous day; treated on its caused day
    where the engagement causes the initiation, else on its spontaneous day (as `_dates`)."""
    spontaneous, caused = unit["spontaneous_day"], unit["caused_day"]
    t1 = np.where(y1 & ~y0, caused, spontaneous)
    return np.stack([np.where(y0, spontaneous, NO_EVENT), np.where(y1, t1, NO_EVENT)])


def potential_refills(unit: dict[str, np.ndarray], times: np.ndarray) -> np.ndarray:
    """Refills under each arm: the unit's own draw, up to the monthly refills that fit
    between initiation and the end of the window (as draw._persistence); 0 uninitiated."""
    room = WINDOW_DAYS - times
    fits = np.floor((room - 1) / REFILL_INTERVAL_DAYS).astype(np.int64).clip(0)
    return np.where(times < NO_EVENT, np.minimum(unit["refills"], fits), 0)


def potential_days_covered(times: np.ndarray, refills: np.ndarray) -> np.ndarray:
    """Days of the window covered by supply under each arm: a month per fill (the first and
    each refill) from initiation on, up to the window's end; 0 uninitiated."""
    room = WINDOW_DAYS - times
    return np.where(times < NO_EVENT, np.minimum((refills + 1) * REFILL_INTERVAL_DAYS, room), 0)


def _record(draft: Draft) -> None:
    """Both potential outcomes of each type, and the observed ones: the time to initiation
    censored by loss to follow-up (its own uniform) and at the window's end."""
    times = potential_times(draft.unit, draft.y0, draft.y1)
    refills = potential_refills(draft.unit, times)
    covered = potential_days_covered(times, refills)
    lost = draft.latent("outcome_censoring")
    censored_on = np.where(
        lost < LOSS_TO_FOLLOW_UP,
        np.floor(lost / LOSS_TO_FOLLOW_UP * WINDOW_DAYS).astype(np.int64),
        FOLLOW_UP_DAYS,
    )
    own = observed_arm(times, draft.engaged)
    draft.parts["time_if"] = times
    draft.parts["refills_if"] = refills
    draft.parts["covered_if"] = covered
    draft.parts["time_observed"] = np.minimum(own, censored_on)
    draft.parts["event_observed"] = own <= censored_on
    draft.parts["refills_observed"] = observed_arm(refills, draft.engaged)
    draft.parts["covered_share"] = observed_arm(covered, draft.engaged) / WINDOW_DAYS


def _per_arm(groups: list[np.ndarray], values: np.ndarray) -> np.ndarray:
    """Per group, the sum of each arm's values (groups x 2)."""
    return np.stack([group_totals(groups, values[arm]) for arm in (0, 1)], axis=1)


def _sums(world: Any, groups: list[np.ndarray], effect: np.ndarray) -> dict[str, np.ndarray]:
    """Per group and arm, exact integer sums: refills, days covered, units still without
    initiation at each horizon, and days without initiation up to RMST_HORIZON."""
    times = world.parts.time_if
    if times is None:
        zeros = np.zeros((len(groups), 2), np.int64)
        sums = {"refills": zeros, "covered": zeros, "rmst": zeros}
        return sums | {f"surviving_{h}": zeros for h in SURVIVAL_HORIZONS}
    sums = {
        "refills": _per_arm(groups, world.parts.refills_if),
        "covered": _per_arm(groups, world.parts.covered_if),
        "rmst": _per_arm(groups, np.minimum(times, RMST_HORIZON)),
    }
    return sums | {f"surviving_{h}": _per_arm(groups, times > h) for h in SURVIVAL_HORIZONS}


def _truth(world: Any, sums: Any, rows: list[int]) -> dict[str, Any]:
    """Each outcome type's exact effect on its mean (treated arm minus untreated) over the
    group's units; NULL without the knob."""
    units = np.maximum(sums.units[rows], 1)
    own = sums.of_mechanisms
    drawn = MECHANISM.active(world.spec)

    def contrast(name: str, scale: float = 1.0) -> np.ndarray:
        per_arm = own[name][rows]
        value = (per_arm[:, 1] - per_arm[:, 0]) / (units * scale)
        return value if drawn else np.full(len(rows), np.nan)

    return {
        "true_ate_days_covered_share": contrast("covered", WINDOW_DAYS),
        "true_ate_refill_count": contrast("refills"),
        **{f"true_survival_diff_{h}": contrast(f"surviving_{h}") for h in SURVIVAL_HORIZONS},
        "true_rmst_diff": contrast("rmst"),
    }


ESTIMANDS = {
    "ate_days_covered_share": "true_ate_days_covered_share",
    "ate_refill_count": "true_ate_refill_count",
    **{f"survival_diff_{h}": f"true_survival_diff_{h}" for h in SURVIVAL_HORIZONS},
    "rmst_diff": "true_rmst_diff",
}
"""The estimands this mechanism states, and the truth column stating each."""


def _estimands(row: Any) -> dict[str, float]:
    if pd.isna(row.get("true_rmst_diff")):
        return {}
    return {name: float(row[column]) for name, column in ESTIMANDS.items()}


def _identification(spec: DgpSpec, cut: np.datetime64 | None) -> tuple[str, dict] | None:
    """The outcome columns and the estimand of each, identified wherever the binary ATE is
    (the same treatment, adjustment set and potential outcomes; censoring independent)."""
    if not MECHANISM.active(spec):
        return None
    return (
        KNOB,
        {
            "continuous": {"column": CONTINUOUS_COLUMN, "estimand": "ate_days_covered_share"},
            "count": {"column": COUNT_COLUMN, "estimand": "ate_refill_count"},
            "time_to_event": {
                "time": TIME_COLUMN,
                "event": EVENT_COLUMN,
                "censoring": "loss to follow-up independent of everything else, and the "
                f"window's end (day {FOLLOW_UP_DAYS})",
                "estimands": [*(f"survival_diff_{h}" for h in SURVIVAL_HORIZONS), "rmst_diff"],
                "rmst_horizon_days": RMST_HORIZON,
            },
            "estimands": list(ESTIMANDS),
        },
    )


def _outcome_columns(stated: dict) -> tuple[str, ...]:
    """The outcome columns (continuous, count, time, event), read from the identification."""
    entry = stated.get(KNOB)
    if entry is None:
        return ()
    survival = entry["time_to_event"]
    return (
        entry["continuous"]["column"],
        entry["count"]["column"],
        survival["time"],
        survival["event"],
    )


def _trap(column: str, what: str) -> Trap:
    return Trap(
        column,
        "another_outcome",
        OUTCOME_COLUMN,
        f"{what}: an outcome of the engagement like {OUTCOME_COLUMN} (it follows initiation),"
        " never a covariate; adjusting for it blocks the effect",
    )


def _unit_truth(name: str, part: str, arm: int, sql_type: str, what: str) -> Column:
    side = ("unengaged", "engaged")[arm]
    return Column(
        "unit_truth",
        f"{name}_if_{side}",
        sql_type,
        19,
        part=part,
        arm=arm,
        description=f"Variants with {KNOB}: {what} if {side}. NULL elsewhere.",
    )


def _truth_column(name: str, what: str) -> Column:
    return Column(
        "causal_ground_truth",
        name,
        "DOUBLE",
        19,
        description=f"Variants with {KNOB}: {what}, exact over the row's units. NULL elsewhere.",
    )


MECHANISM = CausalMechanism(
    name="outcome",
    summary="continuous, count and time-to-event outcomes beside the binary initiation",
    knobs=(
        Knob(
            KNOB,
            f"add a continuous ({CONTINUOUS_COLUMN}), a count ({COUNT_COLUMN}) and a "
            f"censored time-to-event outcome ({TIME_COLUMN}, {EVENT_COLUMN}) to "
            "patient_journeys, with their exact truth",
            set_param(KNOB),
            neutral=lambda spec: False,
        ),
    ),
    active=param_on(KNOB),
    exclusions=tuple(
        Exclusion((KNOB, other), why)
        for other, why in (
            ("dose", "the outcome types are stated for a binary engagement"),
            ("feedback", "the outcome types are stated for one engagement decision"),
            ("selection", "their outcomes would go missing not at random too"),
            ("censor", "the data cut would censor their windows too"),
        )
    ),
    streams={"outcome_censoring": "world-outcome-censoring"},
    steps={"record": _record},
    parts=(
        "time_if",
        "refills_if",
        "covered_if",
        "time_observed",
        "event_observed",
        "refills_observed",
        "covered_share",
    ),
    columns=(
        Column(
            "patient_journeys",
            CONTINUOUS_COLUMN,
            "DOUBLE",
            19,
            part="covered_share",
            description=(
                f"Variants with {KNOB}: the share of the {WINDOW_DAYS}-day follow-up window "
                "covered by supply (a month per fill from initiation; 0 without initiation), "
                "a continuous outcome. NULL elsewhere."
            ),
        ),
        Column(
            "patient_journeys",
            COUNT_COLUMN,
            "INTEGER",
            19,
            part="refills_observed",
            description=(
                f"Variants with {KNOB}: refills in the follow-up window (0 without "
                "initiation), a count outcome. NULL elsewhere."
            ),
        ),
        Column(
            "patient_journeys",
            TIME_COLUMN,
            "INTEGER",
            19,
            part="time_observed",
            description=(
                f"Variants with {KNOB}: days from the index date to initiation, or to "
                f"censoring (loss to follow-up, or day {FOLLOW_UP_DAYS}, the window's end) "
                f"where {EVENT_COLUMN} is false. NULL elsewhere."
            ),
        ),
        Column(
            "patient_journeys",
            EVENT_COLUMN,
            "BOOLEAN",
            19,
            part="event_observed",
            description=(
                f"Variants with {KNOB}: whether {TIME_COLUMN} ends in initiation (false: "
                "censored). NULL elsewhere."
            ),
        ),
        _unit_truth(
            "days_to_initiation",
            "time_if",
            0,
            "INTEGER",
            f"days from the index date to initiation ({NO_EVENT}: none in the window)",
        ),
        _unit_truth(
            "days_to_initiation",
            "time_if",
            1,
            "INTEGER",
            f"days from the index date to initiation ({NO_EVENT}: none in the window)",
        ),
        _unit_truth("refill_count", "refills_if", 0, "INTEGER", "refills in the window"),
        _unit_truth("refill_count", "refills_if", 1, "INTEGER", "refills in the window"),
        _unit_truth("days_covered", "covered_if", 0, "INTEGER", "days of the window covered"),
        _unit_truth("days_covered", "covered_if", 1, "INTEGER", "days of the window covered"),
        _truth_column("true_ate_days_covered_share", f"the mean effect on {CONTINUOUS_COLUMN}"),
        _truth_column("true_ate_refill_count", f"the mean effect on {COUNT_COLUMN}"),
        *(
            _truth_column(
                f"true_survival_diff_{h}",
                f"the effect on the share not yet initiated {h} days after the index date "
                "(engaged minus unengaged survival)",
            )
            for h in SURVIVAL_HORIZONS
        ),
        _truth_column(
            "true_rmst_diff",
            f"the effect on the restricted mean time without initiation over days "
            f"[0, {RMST_HORIZON}] (engaged minus unengaged RMST, in days)",
        ),
    ),
    sums=_sums,
    truth=_truth,
    traps=(
        _trap(CONTINUOUS_COLUMN, "the share of days covered"),
        _trap(COUNT_COLUMN, "the refills"),
        _trap(TIME_COLUMN, "the time to initiation"),
        _trap(EVENT_COLUMN, "whether initiation was seen"),
    ),
    identification=_identification,
    ranges={
        CONTINUOUS_COLUMN: (0, 1),
        COUNT_COLUMN: (0, FOLLOW_UP_DAYS // REFILL_INTERVAL_DAYS),
        TIME_COLUMN: (0, FOLLOW_UP_DAYS),
        **{f"days_to_initiation_if_{arm}": (1, NO_EVENT) for arm in ("unengaged", "engaged")},
        **{f"days_covered_if_{arm}": (0, WINDOW_DAYS) for arm in ("unengaged", "engaged")},
        "true_ate_days_covered_share": (-1, 1),
        **{f"true_survival_diff_{h}": (-1, 1) for h in SURVIVAL_HORIZONS},
        "true_rmst_diff": (-RMST_HORIZON, RMST_HORIZON),
    },
    estimands=_estimands,
    estimators={name: KNOB for name in ("ols_days_covered", "ols_refills", "kaplan_meier")},
    public={"outcome_types": _outcome_columns},
)
