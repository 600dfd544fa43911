"""The five data-generating processes, each a small function of the covariates.

Every DGP follows one construction that keeps the planted effect on the outcome's own
scale: the baseline initiation probability p0 is *linear* in stored covariates and stays
inside [0.05, 0.55]; p1 = p0 + tau (a risk difference, never a shift inside a logit);
treatment comes from a logistic propensity in the DGP's treatment causes. The draw then
uses one uniform per unit for both arms (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from e2i_synth.catalog import DGPS, REGIONS


@dataclass(frozen=True)
class Covariates:
    disease_severity: np.ndarray  # 0-10, one decimal
    comorbidity_count: np.ndarray  # 0-6
    academic_hcp: np.ndarray  # bool
    age_at_diagnosis: np.ndarray  # 18-90
    region_code: np.ndarray  # index into catalog.REGIONS


@dataclass(frozen=True)
class Mechanism:
    propensity: np.ndarray
    p0: np.ndarray
    tau: np.ndarray


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _baseline(*terms: tuple[float, np.ndarray]) -> np.ndarray:
    """0.05 + 0.5 * (weighted mean of terms in [0, 1]); weights must sum to 1."""
    weights = sum(w for w, _ in terms)
    assert abs(weights - 1.0) < 1e-12
    return 0.05 + 0.5 * sum(w * t for w, t in terms)


def _constant(value: float, n: int) -> np.ndarray:
    return np.full(n, value, dtype=float)


def simple_linear(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    p0 = _baseline((0.6, c.disease_severity / 10), (0.4, c.comorbidity_count / 6))
    return Mechanism(_constant(0.5, n), p0, _constant(DGPS["simple_linear"].true_ate, n))


def confounded(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    logit = -4.4 + 0.7 * c.disease_severity + 1.5 * c.academic_hcp + 0.3 * c.comorbidity_count
    p0 = _baseline(
        (0.6, c.disease_severity / 10),
        (0.25, c.academic_hcp.astype(float)),
        (0.15, c.comorbidity_count / 6),
    )
    propensity = np.clip(_sigmoid(logit), 0.05, 0.95)
    return Mechanism(propensity, p0, _constant(DGPS["confounded"].true_ate, n))


def heterogeneous(c: Covariates) -> Mechanism:
    effects = DGPS["heterogeneous"].segment_effects
    assert effects is not None
    tau_by_region = np.array([effects[r] for r in REGIONS])
    p0 = _baseline((0.6, c.disease_severity / 10), (0.4, c.comorbidity_count / 6))
    propensity = np.clip(_sigmoid(-1.0 + 0.2 * c.disease_severity), 0.05, 0.95)
    return Mechanism(propensity, p0, tau_by_region[c.region_code])


def time_series(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    p0 = _baseline((0.6, c.disease_severity / 10), (0.4, c.comorbidity_count / 6))
    propensity = np.clip(_sigmoid(-1.0 + 0.2 * c.disease_severity), 0.05, 0.95)
    return Mechanism(propensity, p0, _constant(DGPS["time_series"].true_ate, n))


def selection_bias(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    youth = (90 - c.age_at_diagnosis) / 72
    logit = -3.0 + 0.35 * c.disease_severity + 2.5 * youth + 1.5 * c.academic_hcp
    p0 = _baseline(
        (0.35, youth),
        (0.45, c.disease_severity / 10),
        (0.2, c.academic_hcp.astype(float)),
    )
    propensity = np.clip(_sigmoid(logit), 0.02, 0.98)
    return Mechanism(propensity, p0, _constant(DGPS["selection_bias"].true_ate, n))


MECHANISMS: dict[str, Callable[[Covariates], Mechanism]] = {
    "simple_linear": simple_linear,
    "confounded": confounded,
    "heterogeneous": heterogeneous,
    "time_series": time_series,
    "selection_bias": selection_bias,
}
