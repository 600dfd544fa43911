"""A time-varying engagement with treatment-confounder feedback: a second decision at day
30 after the disease activity is measured again, which the first engagement lowers, so
only the g-formula (or weighting both decisions) identifies the effect of engaging at both
times vs neither (catalog.DgpSpec, `feedback`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from e2i_synth.catalog import (
    ACTIVITY_NOISE,
    ACTIVITY_OUTCOME,
    FEATURE_SCALES,
    FEEDBACK_ACTIVITY_DROP,
    FOLLOWUP_ACTIVITY_COLUMN,
    FOLLOWUP_DAY,
    FOLLOWUP_TREATMENT_COLUMN,
    OUTCOME_COLUMN,
    REENGAGE_LOGIT,
    TREATMENT_COLUMN,
    DgpSpec,
)
from e2i_synth.world.dgps import Covariates, Latent, sigmoid
from e2i_synth.world.mechanisms.base import (
    CausalMechanism,
    Column,
    Draft,
    Engagement,
    Knob,
    knob_on,
)


@dataclass(frozen=True)
class Followup:
    """The day-30 disease activity (on [0, 1], one decimal on the stored 0-10 scale) with
    the index engagement off and on ((2, n)) and under the unit's own; its engagement at
    day 30; and its outcome probability engaged at neither time, at both, and under its
    own history."""

    activity_if: np.ndarray
    activity: np.ndarray
    engaged_again: np.ndarray
    p_never: np.ndarray
    p_always: np.ndarray
    p_own: np.ndarray


def followup(
    spec: DgpSpec,
    c: Covariates,
    p0: np.ndarray,
    tau: np.ndarray,
    engaged: np.ndarray,
    latent: Latent,
) -> Followup:
    """The second engagement decision and the activity that feeds back between the two:
    engagement lowers the activity, reps return where it stays high, and the activity
    moves the outcome (catalog.ACTIVITY_OUTCOME); each engagement carries half the unit's
    effect. One activity drift and one re-engagement uniform per unit, from their own
    streams, serve every history (common random numbers)."""
    scale = FEATURE_SCALES["disease_severity"]
    severity = c.disease_severity / scale
    drift = ACTIVITY_NOISE * (2 * latent("activity") - 1)
    drop = spec.feedback * FEEDBACK_ACTIVITY_DROP * np.array([[0.0], [1.0]])
    activity_if = np.round(np.clip(severity + drift - drop, 0, 1) * scale, 1) / scale
    activity = np.where(engaged, activity_if[1], activity_if[0])
    intercept, slope, returning = REENGAGE_LOGIT
    again = latent("reengage") < sigmoid(intercept + slope * (activity - 0.5) + returning * engaged)

    def outcome(share: np.ndarray | float, level: np.ndarray) -> np.ndarray:
        return np.clip(p0 + tau * share + ACTIVITY_OUTCOME * (level - severity), 0, 1)

    return Followup(
        activity_if,
        activity,
        again,
        outcome(0.0, activity_if[0]),
        outcome(1.0, activity_if[1]),
        outcome((engaged.astype(float) + again) / 2, activity),
    )


def _history(draft: Draft) -> None:
    """y0, y1 become the never / always regimes and the outcome the unit's own history's;
    what only the day-30 engagement causes comes after it."""
    d, engaged = draft.unit, draft.engaged
    later = followup(
        draft.spec, draft.covariates, draft.model.p0, draft.model.tau, engaged, draft.latent
    )
    draft.y0, draft.y1 = d["outcome"] < later.p_never, d["outcome"] < later.p_always
    draft.observed = d["outcome"] < later.p_own
    draft.tau = later.p_always - later.p_never
    draft.ever_engaged = engaged | later.engaged_again
    after = np.maximum(d["caused_day"], FOLLOWUP_DAY + 1)
    draft.unit = {**d, "caused_day": np.where(engaged, d["caused_day"], after)}
    draft.parts["engaged_again"] = later.engaged_again
    draft.parts["activity"] = np.round(later.activity * 10, 1)
    draft.parts["outcome"] = draft.observed


def _time_varying(stated: dict) -> tuple[str, ...]:
    """The later engagement and the confounder before it, from a stored identification."""
    entry = stated.get("time_varying")
    return (entry["treatments"][-1], *entry["confounders"]) if entry else ()


def _identification(spec: DgpSpec, cut: np.datetime64 | None) -> tuple[str, dict] | None:
    if not spec.feedback:
        return None
    return (
        "time_varying",
        {
            "treatments": [TREATMENT_COLUMN, FOLLOWUP_TREATMENT_COLUMN],
            "confounders": [FOLLOWUP_ACTIVITY_COLUMN],
            "days_after_index": [0, FOLLOWUP_DAY],
            "contrast": "engaged at both times vs at neither (y1, y0)",
        },
    )


MECHANISM = CausalMechanism(
    name="feedback",
    summary="a time-varying engagement with treatment-confounder feedback (g-formula)",
    knobs=(
        Knob(
            "feedback",
            f"engagement becomes time-varying: a second decision at day {FOLLOWUP_DAY} "
            f"({FOLLOWUP_TREATMENT_COLUMN}) after the disease activity is measured again "
            f"({FOLLOWUP_ACTIVITY_COLUMN}), which the first engagement lowers by v x "
            f"{FEEDBACK_ACTIVITY_DROP:g} (treatment-confounder feedback); the truth is the "
            "effect of engaging at both times vs neither, which needs the g-formula",
            lambda s, v: replace(s, feedback=float(v)),
            0.0,
            1.0,
        ),
    ),
    active=knob_on("feedback"),
    decisions=2,
    streams={"activity": "world-activity", "reengage": "world-reengage"},
    steps={"history": _history},
    parts=("engaged_again", "activity", "outcome"),
    engagements=(Engagement("engaged_again", FOLLOWUP_DAY, "F", "followup_intervention"),),
    columns=(
        Column(
            "patient_journeys",
            FOLLOWUP_TREATMENT_COLUMN,
            "BOOLEAN",
            17,
            part="engaged_again",
            description=(
                "The second engagement decision of variants with the feedback knob, 30 days after "
                "the index date: logit -1 + 8 (activity/10 - 1/2) + engaged. NULL in other "
                "scenarios."
            ),
        ),
        Column(
            "patient_journeys",
            FOLLOWUP_ACTIVITY_COLUMN,
            "DOUBLE",
            17,
            part="activity",
            description=(
                "0 to 10: the disease activity measured again at day 30 in variants with the "
                "feedback knob (severity plus a drift of up to +/-3, lowered by 3 x the knob where "
                "engaged); it confounds the second engagement and carries part of the first one's "
                "effect. NULL in other scenarios."
            ),
        ),
    ),
    path=lambda spec: [
        f"{TREATMENT_COLUMN} -> {OUTCOME_COLUMN};",
        f"{TREATMENT_COLUMN} -> {FOLLOWUP_ACTIVITY_COLUMN};",
        f"disease_severity -> {FOLLOWUP_ACTIVITY_COLUMN};",
        f"{FOLLOWUP_ACTIVITY_COLUMN} -> {FOLLOWUP_TREATMENT_COLUMN};",
        f"{TREATMENT_COLUMN} -> {FOLLOWUP_TREATMENT_COLUMN};",
        f"{FOLLOWUP_ACTIVITY_COLUMN} -> {OUTCOME_COLUMN};",
        f"{FOLLOWUP_TREATMENT_COLUMN} -> {OUTCOME_COLUMN};",
    ],
    routes=lambda spec: (
        []
        if spec.hidden
        else [
            {
                "route": "g_formula",
                "treatments": [TREATMENT_COLUMN, FOLLOWUP_TREATMENT_COLUMN],
                "columns": [*spec.adjustment_columns, FOLLOWUP_ACTIVITY_COLUMN],
                "estimand": "ate",
            }
        ]
    ),
    identification=_identification,
    ranges={FOLLOWUP_ACTIVITY_COLUMN: (0, 10)},
    estimators={"g_formula": "time_varying"},
    public={"time_varying": _time_varying},
)
