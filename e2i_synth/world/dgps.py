"""The one mechanism that turns a DGP spec (catalog.DgpSpec) and the covariates into the
treatment propensity, the baseline initiation probability p0 and the unit effects.

Every DGP keeps the planted effect on the outcome's own scale: p0 = 0.05 + 0.5 * (a
weighted mean of features on [0, 1]) stays inside [0.05, 0.55]; p1 = p0 + tau (a risk
difference, never a shift inside a logit, clipped to [0, 1] where a unit's effect would
leave it); treatment comes from a logistic propensity. The draw then uses one uniform per
unit for both arms (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from e2i_synth.catalog import (
    ACTIVITY_NOISE,
    ACTIVITY_OUTCOME,
    DOSE_CUT_SPACING,
    DOSE_EC50,
    FEATURE_SCALES,
    FEEDBACK_ACTIVITY_DROP,
    HIDDEN_LOGIT_SPAN,
    INSTRUMENT_ASSIGNED_SHARE,
    MEDIATOR_BASE,
    REENGAGE_LOGIT,
    REGIONS,
    SELECTION_ENGAGED_SHARE,
    SELECTION_OUTCOME_SHARE,
    DgpSpec,
    Term,
)


@dataclass(frozen=True)
class Covariates:
    disease_severity: np.ndarray  # 0-10, one decimal
    comorbidity_count: np.ndarray  # 0-6
    academic_hcp: np.ndarray  # bool
    age_at_diagnosis: np.ndarray  # 18-90
    region_code: np.ndarray  # index into catalog.REGIONS


@dataclass(frozen=True)
class Mechanism:
    """`propensity_if`: with an instrument, each unit's propensity with the instrument off
    and on (shape (2, n)); `propensity` is the one of the unit's own assignment. With a
    mediator, `mediator_if` is whether it is on for the unit untreated and treated and
    `outcome_if` the outcome probability then (both (2, n)); `p0` and `tau` are the
    expectations over the mediator's draw. With a dose, `dose_if` is the unit's dose if
    engaged (1..K) and `outcome_if` the outcome probability at each dose 0..K ((K+1, n));
    `tau` is the expectation over the dose's draw."""

    propensity: np.ndarray
    p0: np.ndarray
    tau: np.ndarray
    propensity_if: np.ndarray | None = None
    outcome_if: np.ndarray | None = None
    mediator_if: np.ndarray | None = None
    dose_if: np.ndarray | None = None


Features = Mapping[str, np.ndarray]
Latent = Callable[[str], np.ndarray]
"""Draws a uniform part of every unit by name ("noise", "hidden", "instrument"), each from
its own stream, so a part a spec does not use is never drawn and changes no other draw."""


def _weighted_levels(weights: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """sum_k weights[k] * shares[k] unit by unit, level after level: a matrix product's
    BLAS kernel sums in an order that depends on the number of units, so a chunk's units
    would differ in the last bit from the same units drawn in one piece."""
    total = np.zeros(shares.shape[1])
    for weight, share in zip(weights, shares, strict=True):
        total += weight * share
    return total


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
    at_least = _sigmoid(location - cuts[:, None])  # P(dose > j) for j = 1..levels-1
    dose = 1 + (u < at_least).sum(axis=0)
    ones, zeros = np.ones((1, len(u))), np.zeros((1, len(u)))
    above = np.vstack([ones, at_least, zeros])
    return dose, above[:-1] - above[1:]


def missing_probability(spec: DgpSpec, engaged: float, outcome: np.ndarray) -> np.ndarray:
    """The probability that a unit's outcome goes unrecorded given its engagement (0 or 1)
    and its outcome: missing not at random (catalog.SELECTION_OUTCOME_SHARE)."""
    return (
        spec.selection
        * (1 - SELECTION_OUTCOME_SHARE * outcome)
        * (1 - SELECTION_ENGAGED_SHARE * engaged)
    )


def instrument_assigned(latent: Latent) -> np.ndarray:
    """Which units the instrument is on for: a fair coin per unit."""
    return latent("instrument") < INSTRUMENT_ASSIGNED_SHARE


def raw_features(c: Covariates) -> dict[str, np.ndarray]:
    """Every feature of catalog.FEATURE_COLUMNS on its stored scale."""
    return {
        "disease_severity": c.disease_severity,
        "comorbidity_count": c.comorbidity_count,
        "academic_hcp": c.academic_hcp,
        "youth": (90 - c.age_at_diagnosis) / 72,
    }


def unit_features(c: Covariates) -> dict[str, np.ndarray]:
    """Every feature on [0, 1] (divided by its catalog.FEATURE_SCALES)."""
    return {name: value / FEATURE_SCALES[name] for name, value in raw_features(c).items()}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def term_value(term: Term, features: Features) -> np.ndarray:
    value = features[term.feature]
    if term.kind == "linear":
        return value
    if term.kind == "step":
        return (value > term.at).astype(float)
    if term.kind == "product":
        assert term.other is not None
        return value * features[term.other]
    raise ValueError(f"unknown term kind {term.kind!r}; use linear, step or product")


def nonlinear_terms(terms: tuple[Term, ...], on_unit_scale: bool) -> tuple[Term, ...]:
    """Each linear term w * f becomes half linear (w/2 * f, propensity) or an interaction
    with the first feature (w/2 * f * f0, baseline), and half a threshold at the feature's
    midpoint (the step carries the jump w * range / 2, so the term's range is kept);
    other kinds stay as they are. Baseline weights still sum to 1."""
    lead = terms[0].feature if terms else None
    out: list[Term] = []
    for t in terms:
        if t.kind != "linear":
            out.append(t)
            continue
        if on_unit_scale:
            scale, smooth = 1.0, Term(t.weight / 2, t.feature, "product", lead)
        else:
            scale, smooth = float(FEATURE_SCALES[t.feature]), Term(t.weight / 2, t.feature)
        out += [smooth, Term(t.weight * scale / 2, t.feature, "step", at=scale / 2)]
    return tuple(out)


def _terms_sum(start: float, terms: tuple[Term, ...], features: Features, scale: float = 1.0):
    """start + scale * weight * value, term after term (left to right, so a spec adds in
    the order it states its terms)."""
    total = start
    for t in terms:
        total = total + scale * t.weight * term_value(t, features)
    return total


def _propensity(spec: DgpSpec, c: Covariates, latent: Latent) -> tuple[np.ndarray, ...]:
    terms = spec.propensity_terms
    if spec.form == "nonlinear":
        terms = nonlinear_terms(terms, on_unit_scale=False)
    logit = _terms_sum(spec.propensity_intercept, terms, raw_features(c), spec.confounding)
    if spec.hidden:
        logit = logit + spec.hidden * HIDDEN_LOGIT_SPAN * (latent("hidden") - 0.5)
    propensity = np.clip(_sigmoid(logit + np.zeros(len(c.disease_severity))), *spec.propensity_clip)
    if not spec.instrument:
        return (propensity,)
    assigned = np.clip(_sigmoid(logit + spec.instrument), *spec.propensity_clip)
    return np.where(instrument_assigned(latent), assigned, propensity), np.stack(
        [propensity, assigned]
    )


def _baseline(spec: DgpSpec, c: Covariates, latent: Latent) -> np.ndarray:
    terms = spec.baseline_terms
    assert abs(sum(t.weight for t in terms) - 1.0) < 1e-12, f"{spec.name}: weights sum to 1"
    if spec.form == "nonlinear":
        terms = nonlinear_terms(terms, on_unit_scale=True)
    signal = _terms_sum(0, terms, unit_features(c))
    for share, part in ((spec.hidden, "hidden"), (spec.noise, "noise")):
        if share:
            signal = (1 - share) * signal + share * latent(part)
    return 0.05 + 0.5 * signal


def _effect(spec: DgpSpec, c: Covariates, p0: np.ndarray) -> np.ndarray:
    n = len(c.disease_severity)
    if spec.segment_effects is not None:
        tau = np.array([spec.segment_effects[r] for r in REGIONS])[c.region_code]
    else:
        assert spec.true_ate is not None
        tau = np.full(n, spec.true_ate, dtype=float)
    features = unit_features(c)
    for m in spec.effect_modifiers:
        tau = tau + m.slope * (features[m.feature] - m.center)
    if spec.effect_scale != 1.0:
        tau = tau * spec.effect_scale
    p1 = p0 + tau
    outside = (p1 < 0) | (p1 > 1)
    return np.where(outside, np.clip(p1, 0, 1) - p0, tau) if outside.any() else tau


def mechanism(spec: DgpSpec, c: Covariates, latent: Latent | None = None) -> Mechanism:
    """Propensity, p0 and tau of every unit under `spec`. `latent(part)` draws an
    unobserved part, asked for only when the spec uses it: "noise" (uniform, a share of
    the baseline), "hidden" (the hidden confounder, uniform, in the baseline and the
    propensity), "instrument" (below one half: the instrument is on) and "mediator"
    (decides the mediator under both arms) and "dose" (decides the dose if engaged); the
    same part must give the same draw when asked again."""

    def no_latent(part: str) -> np.ndarray:
        raise ValueError(f"{spec.label} has an unobserved {part} part: give a latent draw")

    latent = latent or no_latent
    p0 = _baseline(spec, c, latent)
    propensity, *by_instrument = _propensity(spec, c, latent)
    tau = _effect(spec, c, p0)
    if spec.dose:
        if spec.mediator:
            raise ValueError(f"{spec.label}: a dose and a mediator do not combine")
        off = by_instrument[0][0] if by_instrument else propensity  # without the instrument
        dose_if, share = dose_levels(spec.dose, off, latent("dose"))
        g = dose_response(spec.dose)
        return Mechanism(
            propensity,
            p0,
            tau * _weighted_levels(g[1:], share),
            by_instrument[0] if by_instrument else None,
            p0 + tau * g[:, None],
            dose_if=dose_if,
        )
    if not spec.mediator:
        return Mechanism(propensity, p0, tau, *by_instrument)
    jump = np.clip(p0 + tau / spec.mediator, 0, 1) - p0  # the mediator's effect, unit by unit
    on_if = latent("mediator") < MEDIATOR_BASE + spec.mediator * np.array([[0.0], [1.0]])
    return Mechanism(
        propensity,
        p0 + MEDIATOR_BASE * jump,
        spec.mediator * jump,
        by_instrument[0] if by_instrument else None,
        p0 + jump * on_if,
        on_if,
    )


@dataclass(frozen=True)
class Followup:
    """A time-varying engagement (DgpSpec.feedback): the day-30 disease activity (on
    [0, 1], one decimal on the stored 0-10 scale) with the index engagement off and on
    ((2, n)) and under the unit's own; its engagement at day 30; and its outcome
    probability engaged at neither time, at both, and under its own history."""

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
    again = latent("reengage") < _sigmoid(
        intercept + slope * (activity - 0.5) + returning * engaged
    )

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
