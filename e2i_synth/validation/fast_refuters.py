"""DoWhy's three refuters as batched numpy refits of the estimator of record.

DoWhy refits its estimator once per simulation through pandas, statsmodels and sklearn,
which costs seconds per estimand. The refits here are the same estimators on the same
design, solved for all k simulations at once:

- linear regression (with treatment x modifier interactions): batched weighted normal
  equations, the effect being the treatment coefficient plus the interactions averaged
  over the (sub)sample, as DoWhy's `_do(1) - _do(0)` is;
- propensity-score weighting: a batched unpenalised logistic fit (Newton-Raphson, the MLE
  sklearn's `LogisticRegression(C=inf)` approximates), clipped propensities and the Hajek
  contrast.

Placebo (permuted treatment), random common cause (a standard normal column added to the
adjustment set) and 80% subsets (exactly round(0.8 n) rows without replacement, as
`DataFrame.sample` takes) are drawn as DoWhy draws them, and DoWhy's own
`test_significance` decides each refutation. Before refuting, the same code fits the
unaltered data and must reproduce DoWhy's estimate, so the refits cannot drift from the
estimator of record.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from e2i_synth.catalog import TREATMENT_COLUMN
from e2i_synth.seeds import stream
from e2i_synth.validation.causal import PROPENSITY_CLIP, PROPENSITY_WEIGHTING, Fitted

NEWTON_TOLERANCE = 1e-10
NEWTON_MAX_STEPS = 50
ESTIMATE_TOLERANCE_SE = 0.01
"""How closely, in standard errors of the estimate, the batched fit must reproduce
DoWhy's estimate on the unaltered data: sklearn's lbfgs stops near, not at, the logistic
MLE (about 5e-4 SE apart), while a wrong design is whole standard errors off."""


@dataclass(frozen=True)
class Design:
    """One DoWhy fit as arrays: outcome, treatment, adjustment set (standardised: an
    affine change of the regressors leaves the treatment terms unchanged) and modifiers."""

    y: np.ndarray  # (n,)
    t: np.ndarray  # (n,) 0/1
    w: np.ndarray  # (n, p)
    modifiers: np.ndarray  # (n, m)
    propensity: bool

    @property
    def n(self) -> int:
        return len(self.y)


def design(fitted: Fitted) -> Design:
    data = fitted.data
    adjustment = list(fitted.identified.get_backdoor_variables())
    w = data[adjustment].to_numpy(dtype=float)
    scale = w.std(axis=0)
    w = (w - w.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    return Design(
        y=data[fitted.target.outcome].to_numpy(dtype=float),
        t=data[TREATMENT_COLUMN].to_numpy(dtype=float),
        w=w,
        modifiers=data[fitted.target.modifiers].to_numpy(dtype=float),
        propensity=fitted.results[0].method == PROPENSITY_WEIGHTING.removeprefix("backdoor."),
    )


def solve_weighted(x: np.ndarray, weights: np.ndarray, z: np.ndarray) -> np.ndarray:
    """k systems (x' W x) b = x' z at once: x (k, n, q), weights and z (k, n) -> (k, q)."""
    xt = x.transpose(0, 2, 1)
    return np.linalg.solve((xt * weights[:, None, :]) @ x, (xt @ z[..., None]))[..., 0]


def stack(k: int, n: int, *blocks: np.ndarray) -> np.ndarray:
    """A (k, n, q) design from blocks shaped (n, j) (shared) or (k, n, j) (per simulation)."""
    return np.concatenate(
        [np.broadcast_to(b, (k, n, b.shape[-1])) for b in (np.ones((n, 1)), *blocks)], axis=2
    )


def regression_effects(d: Design, t: np.ndarray, extra: np.ndarray, weights: np.ndarray):
    """Linear-regression effects for k treatments t (k, n), extra adjustment columns
    (k, n, j) and row weights (k, n): treatment coefficient plus interactions averaged
    over the weighted rows, DoWhy's design [1, t, w, extra, t x modifiers]."""
    k, n = t.shape
    x = stack(k, n, t[..., None], d.w, extra, t[..., None] * d.modifiers)
    beta = solve_weighted(x, weights, weights * d.y)
    m = d.modifiers.shape[1]
    if not m:
        return beta[:, 1]
    mix = (weights @ d.modifiers) / weights.sum(axis=1, keepdims=True)
    return beta[:, 1] + (beta[:, -m:] * mix).sum(axis=1)


def logistic_propensity(x: np.ndarray, t: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """k unpenalised logistic regressions of t (k, n) on x (k, n, q) by Newton-Raphson;
    the fitted probabilities (k, n)."""
    beta = np.zeros(x.shape[::2])
    for _ in range(NEWTON_MAX_STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ beta[..., None])[..., 0]))
        step = solve_weighted(x, weights * p * (1 - p), weights * (t - p))
        beta += step
        if np.abs(step).max() < NEWTON_TOLERANCE:
            return 1.0 / (1.0 + np.exp(-(x @ beta[..., None])[..., 0]))
    raise RuntimeError("the batched propensity fit did not converge")


def hajek_effects(d: Design, t: np.ndarray, e: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Hajek contrasts for k treatments with propensities e (k, n), clipped as DoWhy's
    estimator clips them, over weighted rows."""
    e = np.clip(e, *PROPENSITY_CLIP)
    w1, w0 = weights * t / e, weights * (1 - t) / (1 - e)
    return (w1 @ d.y) / w1.sum(axis=1) - (w0 @ d.y) / w0.sum(axis=1)


def effects(d: Design, t: np.ndarray, extra: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The estimator of record refitted k times."""
    if not d.propensity:
        return regression_effects(d, t, extra, weights)
    k, n = t.shape
    e = logistic_propensity(stack(k, n, d.w, extra), t, weights)
    return hajek_effects(d, t, e, weights)


def significance(reference: float, simulated: np.ndarray) -> float:
    """DoWhy's own refuter test (normal below 100 simulations, bootstrap from 100)."""
    from dowhy.causal_refuter import test_significance

    return float(test_significance(SimpleNamespace(value=reference), simulated)["p_value"])


def placebo_treatment(d: Design, k: int, rng: np.random.Generator) -> np.ndarray:
    t = rng.permuted(np.tile(d.t, (k, 1)), axis=1)
    return effects(d, t, np.empty((d.n, 0)), np.ones((k, d.n)))


def random_common_cause(d: Design, k: int, rng: np.random.Generator) -> np.ndarray:
    extra = rng.standard_normal((k, d.n, 1))
    return effects(d, np.tile(d.t, (k, 1)), extra, np.ones((k, d.n)))


def data_subset(d: Design, k: int, rng: np.random.Generator, fraction: float) -> np.ndarray:
    chosen = np.arange(d.n) < round(fraction * d.n)  # DataFrame.sample's subset size
    weights = rng.permuted(np.tile(chosen.astype(float), (k, 1)), axis=1)
    return effects(d, np.tile(d.t, (k, 1)), np.empty((d.n, 0)), weights)


def reproduces_estimate(d: Design, fitted: Fitted) -> None:
    """The batched estimator on the unaltered data must give DoWhy's estimate."""
    value = effects(d, d.t[None], np.empty((d.n, 0)), np.ones((1, d.n)))[0]
    expected = float(fitted.estimate.value)
    if abs(value - expected) > ESTIMATE_TOLERANCE_SE * fitted.results[0].std_error:
        raise RuntimeError(
            f"the batched refit gives {value:.6f} on the unaltered data, DoWhy {expected:.6f}"
        )


def simulate(
    d: Design, fitted: Fitted, refuter: str, k: int, seed: int, fraction: float
) -> np.ndarray:
    """k simulated effects of one refuter, from a stream named by refuter and estimand."""
    rng = stream(seed, "refutation", refuter, fitted.results[0].estimand)
    if refuter == "placebo_treatment":
        return placebo_treatment(d, k, rng)
    if refuter == "random_common_cause":
        return random_common_cause(d, k, rng)
    if refuter == "data_subset":
        return data_subset(d, k, rng, fraction)
    raise ValueError(f"unknown refuter {refuter!r}")
