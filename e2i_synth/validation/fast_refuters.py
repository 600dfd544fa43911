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
`DataFrame.sample` takes) are drawn from DoWhy's distributions (from the project's named
seed streams rather than DoWhy's RandomState), and DoWhy's own
`test_significance` decides each refutation. Before refuting, the same code fits the
unaltered data and must reproduce DoWhy's estimate, so the refits cannot drift from the
estimator of record.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

import numpy as np

from e2i_synth.catalog import TREATMENT_COLUMN
from e2i_synth.seeds import stream
from e2i_synth.validation.causal import PROPENSITY_CLIP, PROPENSITY_WEIGHTING, Fitted

NEWTON_TOLERANCE = 1e-9
"""Largest Newton step (on standardised regressors) at which the fit stops: the next step
would be ~1e-18, far below the 1e-4 SE at which estimates are reported."""
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
    # A constant column is the intercept again: dropped, as a pseudo-inverse ignores it.
    w = ((w - w.mean(axis=0)) / np.where(scale > 0, scale, 1.0))[:, scale > 0]
    return Design(
        y=data[fitted.target.outcome].to_numpy(dtype=float),
        t=data[TREATMENT_COLUMN].to_numpy(dtype=float),
        w=w,
        modifiers=data[fitted.target.modifiers].to_numpy(dtype=float),
        propensity=fitted.results[0].method == PROPENSITY_WEIGHTING.removeprefix("backdoor."),
    )


@dataclass(frozen=True)
class Batch:
    """k designs X_k = [shared, varying_k] without materialising them: the normal
    equations are assembled block by block as (k, n) x (n, .) matrix products."""

    shared: np.ndarray  # (n, s)
    varying: np.ndarray  # (k, n, v)

    @cached_property
    def shared_outer(self) -> np.ndarray:
        """Row-wise outer products of the shared columns, (n, s * s)."""
        n, s = self.shared.shape
        return (self.shared[:, :, None] * self.shared[:, None, :]).reshape(n, s * s)

    @cached_property
    def columns(self) -> np.ndarray:
        """The varying columns one by one, contiguous (v, k, n): numpy's stacked matmul of
        strided (k, n, v) slices falls back to slow loops."""
        return np.ascontiguousarray(np.moveaxis(self.varying, 2, 0))

    def solve(self, weights: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Solves (X_k' W_k X_k) b = X_k' z_k for every k: weights, z (k, n) -> (k, s + v)."""
        k = len(weights)
        s, v = self.shared.shape[1], len(self.columns)
        gram = np.empty((k, s + v, s + v))
        gram[:, :s, :s] = (weights @ self.shared_outer).reshape(k, s, s)
        moment = np.empty((k, s + v))
        moment[:, :s] = z @ self.shared
        for i, column in enumerate(self.columns):
            weighted = weights * column
            gram[:, :s, s + i] = gram[:, s + i, :s] = weighted @ self.shared
            for j in range(i, v):
                gram[:, s + i, s + j] = gram[:, s + j, s + i] = row_dot(weighted, self.columns[j])
            moment[:, s + i] = row_dot(z, column)
        return np.linalg.solve(gram, moment[..., None])[..., 0]


def row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("kn,kn->k", a, b)


def regression_effects(
    d: Design, treated: np.ndarray | None, extra: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Linear-regression effects refitted k times, on the design [1, w, t, t x modifiers,
    extra] (DoWhy's columns, reordered): `treated` (k, n) replaces the treatment (None
    keeps it), `extra` (k, n, j) joins the adjustment set, weights (k, n) select rows.
    The effect is the treatment coefficient plus the interactions averaged over the
    weighted rows, as DoWhy's `_do(1) - _do(0)` is."""
    base = np.column_stack([np.ones(d.n), d.w])
    if treated is None:
        terms = np.column_stack([d.t, d.t[:, None] * d.modifiers])
        batch = Batch(np.column_stack([base, terms]), extra)
    else:
        placebo = np.concatenate([treated[..., None], treated[..., None] * d.modifiers], 2)
        batch = Batch(base, np.concatenate([placebo, extra], 2))
    beta = batch.solve(weights, weights * d.y)
    first, m = base.shape[1], d.modifiers.shape[1]
    mix = (weights @ d.modifiers) / weights.sum(axis=1, keepdims=True)
    return beta[:, first] + (beta[:, first + 1 : first + 1 + m] * mix).sum(axis=1)


def logistic_propensity(batch: Batch, t: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """k unpenalised logistic regressions of t (k, n) on the batch's designs (first shared
    column the intercept) by Newton-Raphson; the fitted probabilities (k, n)."""
    from scipy.special import expit, logit  # with a fit, not with the check registry

    beta = np.zeros((len(t), batch.shared.shape[1] + batch.varying.shape[2]))
    beta[:, 0] = logit((weights * t).sum(axis=1) / weights.sum(axis=1))  # intercept-only MLE
    for _ in range(NEWTON_MAX_STEPS):
        p = expit(linear_predictor(batch, beta))
        step = batch.solve(weights * p * (1 - p), weights * (t - p))
        beta += step
        if np.abs(step).max() < NEWTON_TOLERANCE:
            return expit(linear_predictor(batch, beta))
    raise RuntimeError("the batched propensity fit did not converge")


def linear_predictor(batch: Batch, beta: np.ndarray) -> np.ndarray:
    s = batch.shared.shape[1]
    return beta[:, :s] @ batch.shared.T + np.einsum("jkn,kj->kn", batch.columns, beta[:, s:])


def hajek_effects(d: Design, t: np.ndarray, e: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Hajek contrasts for k treatments with propensities e (k, n), clipped as DoWhy's
    estimator clips them, over weighted rows."""
    e = np.clip(e, *PROPENSITY_CLIP)
    w1, w0 = weights * t / e, weights * (1 - t) / (1 - e)
    return (w1 @ d.y) / w1.sum(axis=1) - (w0 @ d.y) / w0.sum(axis=1)


def effects(
    d: Design, treated: np.ndarray | None, extra: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """The estimator of record refitted k times (see `regression_effects`)."""
    if not d.propensity:
        return regression_effects(d, treated, extra, weights)
    t = np.broadcast_to(d.t, weights.shape) if treated is None else treated
    batch = Batch(np.column_stack([np.ones(d.n), d.w]), extra)
    return hajek_effects(d, t, logistic_propensity(batch, t, weights), weights)


def significance(reference: float, simulated: np.ndarray) -> float:
    """DoWhy's own refuter test (normal below 100 simulations, bootstrap from 100); it
    reads only the `value` of the estimate it is given."""
    from dowhy.causal_refuter import test_significance

    return float(test_significance(SimpleNamespace(value=reference), simulated)["p_value"])


def no_columns(k: int, n: int) -> np.ndarray:
    return np.empty((k, n, 0))


def placebo_treatment(d: Design, k: int, rng: np.random.Generator) -> np.ndarray:
    treated = rng.permuted(np.tile(d.t, (k, 1)), axis=1)
    return effects(d, treated, no_columns(k, d.n), np.ones((k, d.n)))


def random_common_cause(d: Design, k: int, rng: np.random.Generator) -> np.ndarray:
    extra = rng.standard_normal((k, d.n, 1))
    return effects(d, None, extra, np.ones((k, d.n)))


def data_subset(d: Design, k: int, rng: np.random.Generator, fraction: float) -> np.ndarray:
    chosen = np.arange(d.n) < round(fraction * d.n)  # DataFrame.sample's subset size
    weights = rng.permuted(np.tile(chosen.astype(float), (k, 1)), axis=1)
    return effects(d, None, no_columns(k, d.n), weights)


def reproduces_estimate(d: Design, fitted: Fitted) -> None:
    """The batched estimator on the unaltered data must give DoWhy's estimate."""
    value = effects(d, None, no_columns(1, d.n), np.ones((1, d.n)))[0]
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
