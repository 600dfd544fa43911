"""The doubly robust (AIPW) one-step correction of a simulated effect, from the history.

A forest's effect model is biased: it shrinks the five interventions' effects towards their
common mean (min_samples_leaf pools rows of different types) and its baseline extrapolates
into the rarely untreated corner. That bias does not shrink with more twins, and no
resampling of the model sees it (measured on all 15 small scenarios: simulated-minus-true in
SE units had mean +0.39 and sd 1.58; 6 of 75 CIs missed). The history does see it: the
cross-fitted residuals of the rows that received arm j, weighted by 1 / P(arm j | x), average
to the model's bias on the whole population (the AIPW estimator's correction term). The
history delivered arm j at many doses, the simulation asks for one, d*: the bias is carried
as a share of the model's effect (relative bias = weighted residual / weighted effect at
the delivered doses), so a residual at a low dose is not amplified row by row:

  correction = beta x m*  -  b,
  beta = sum_{T=j} w r / sum_{T=j} w e,   m* = sum_{T=j} w e* / sum_{T=j} w,
  b = sum_{T=0} w r / sum_{T=0} w,
  w = stabilized weight P(arm) / P(arm | x),  r = y - out-of-fold prediction,
  e, e* = the row's out-of-fold effect at the delivered dose and at d*.

Its variance: the influence function (delta method) summed per entity (an entity's quarters
are correlated), squared, summed, over N². With no history rows of arm j among the reference
entities there is nothing to correct with: the correction is 0 and `rows` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_STABILIZED_WEIGHT = 10.0
"""Weights are P(arm) / P(arm | x), truncated at 10: the usual cap; beyond it a handful of
rarely treated rows would set the whole interval's width."""


@dataclass
class CrossFit:
    """What the correction needs of the training rows: their entity, features and delivered
    treatment, fold, out-of-fold residual and effect, and P(arm received | features)."""

    frame: pd.DataFrame  # key, features, treatment inputs
    arm_column: str
    fold: np.ndarray
    residual: np.ndarray
    effect: np.ndarray  # out-of-fold effect of what was delivered (0 when untreated)
    propensity: np.ndarray


@dataclass(frozen=True)
class Correction:
    value: float
    variance: float
    rows: int  # history rows of the simulated arm among the reference entities


def stabilized_weights(arms: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """P(arm) / P(arm | x) per row, truncated at MAX_STABILIZED_WEIGHT."""
    _, codes = np.unique(arms, return_inverse=True)
    share = np.bincount(codes) / len(codes)
    return np.minimum(share[codes] / propensity, MAX_STABILIZED_WEIGHT)


def one_step(
    cross_fit: CrossFit,
    rows: np.ndarray,
    arm: object,
    untreated_arm: object,
    simulated_effect: np.ndarray,
    key: str,
) -> Correction:
    """The correction over the history rows selected by the boolean mask `rows`;
    `simulated_effect` is each row's out-of-fold effect of the simulated treatment (read
    where the row received `arm`)."""
    arms = cross_fit.frame[cross_fit.arm_column].to_numpy()[rows]
    treated = arms == arm
    control = arms == untreated_arm
    if not treated.any() or not control.any():
        return Correction(0.0, 0.0, int(treated.sum()))
    weight = stabilized_weights(arms, cross_fit.propensity[rows])
    residual = cross_fit.residual[rows]
    w1, w0 = weight * treated, weight * control
    delivered, simulated = cross_fit.effect[rows], simulated_effect[rows]
    mean_w1, mean_delivered = w1.mean(), np.mean(w1 * delivered)
    relative = np.mean(w1 * residual) / mean_delivered
    at_dose = np.mean(w1 * simulated) / mean_w1
    b = float(np.sum(w0 * residual) / w0.sum())
    influence = (
        w1
        * (
            at_dose / mean_delivered * (residual - relative * delivered)
            + relative / mean_w1 * (simulated - at_dose)
        )
        - w0 * (residual - b) / w0.mean()
    )
    entities = cross_fit.frame[key].to_numpy()[rows]
    per_entity = pd.Series(influence).groupby(entities).sum().to_numpy()
    n, h = len(influence), len(per_entity)
    variance = float(np.sum(per_entity**2) / n**2 * h / max(h - 1, 1))
    return Correction(float(relative * at_dose) - b, variance, int(treated.sum()))
