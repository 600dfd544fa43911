"""The base equations that turn a DGP spec (catalog.DgpSpec) and the covariates into the
treatment propensity, the baseline initiation probability p0 and the unit effects; the
causal mechanisms (world.mechanisms) reshape them, and world.draw.unit_model composes both.

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

from e2i_synth.catalog import FEATURE_SCALES, REGIONS, DgpSpec, Term


@dataclass(frozen=True)
class Covariates:
    disease_severity: np.ndarray  # 0-10, one decimal
    comorbidity_count: np.ndarray  # 0-6
    academic_hcp: np.ndarray  # bool
    age_at_diagnosis: np.ndarray  # 18-90
    region_code: np.ndarray  # index into catalog.REGIONS


@dataclass(frozen=True)
class Mechanism:
    """A unit model: every unit's propensity, p0 and tau, and what mechanisms add.
    `propensity_if`: with an instrument, each unit's propensity with the instrument off
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
"""Draws a uniform part of every unit by name ("noise", "hidden", "instrument", ...: the
mechanisms' `streams`), each from its own stream, so a part a spec does not use is never
drawn and changes no other draw."""


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


def sigmoid(x: np.ndarray) -> np.ndarray:
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


def propensity_logit(spec: DgpSpec, c: Covariates) -> np.ndarray:
    """The propensity's logit from the observed covariates (a mechanism may add to it)."""
    terms = spec.propensity_terms
    if spec.form == "nonlinear":
        terms = nonlinear_terms(terms, on_unit_scale=False)
    return _terms_sum(spec.propensity_intercept, terms, raw_features(c), spec.confounding)


def propensity(spec: DgpSpec, logit: np.ndarray, n: int) -> np.ndarray:
    """The logistic propensity, clipped to the spec's overlap."""
    return np.clip(sigmoid(logit + np.zeros(n)), *spec.propensity_clip)


def baseline_signal(spec: DgpSpec, c: Covariates) -> np.ndarray:
    """The baseline's weighted mean of features on [0, 1] (a mechanism may reshape it)."""
    terms = spec.baseline_terms
    assert abs(sum(t.weight for t in terms) - 1.0) < 1e-12, f"{spec.name}: weights sum to 1"
    if spec.form == "nonlinear":
        terms = nonlinear_terms(terms, on_unit_scale=True)
    return _terms_sum(0, terms, unit_features(c))


def baseline(spec: DgpSpec, signal: np.ndarray, latent: Latent) -> np.ndarray:
    """p0 = 0.05 + 0.5 * the signal, `noise` of it an unobserved unit draw."""
    if spec.noise:
        signal = (1 - spec.noise) * signal + spec.noise * latent("noise")
    return 0.05 + 0.5 * signal


def effect(spec: DgpSpec, c: Covariates, p0: np.ndarray) -> np.ndarray:
    """Each unit's effect (risk difference), cut where p0 + effect would leave [0, 1]."""
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
