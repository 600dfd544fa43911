"""Standard estimators used to check that the planted effects are recoverable."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float


def design(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Numeric columns as they are; a categorical one (region) as indicators of all but its
    first level, so the design keeps full rank."""
    return pd.get_dummies(frame[columns], drop_first=True).astype(float).to_numpy()


def backdoor_ols(frame: pd.DataFrame, treatment: str, outcome: str, adjust: list[str]) -> Estimate:
    """Linear regression of the outcome on treatment plus the adjustment set (HC1 errors)."""
    import statsmodels.api as sm

    x = sm.add_constant(np.column_stack([frame[treatment].astype(float), design(frame, adjust)]))
    fit = sm.OLS(frame[outcome].astype(float).to_numpy(), x).fit(cov_type="HC1")
    return Estimate(float(fit.params[1]), float(fit.bse[1]))


def naive_contrast(frame: pd.DataFrame, treatment: str, outcome: str) -> float:
    treated = frame[treatment].astype(bool)
    y = frame[outcome].astype(float)
    return float(y[treated].mean() - y[~treated].mean())


def ipw(frame: pd.DataFrame, treatment: str, outcome: str, adjust: list[str]) -> float:
    """Hajek inverse-propensity weighting with a logistic propensity in the adjustment set."""
    import statsmodels.api as sm

    t = frame[treatment].astype(float).to_numpy()
    y = frame[outcome].astype(float).to_numpy()
    fit = sm.Logit(t, sm.add_constant(design(frame, adjust))).fit(disp=0)
    e = fit.predict()
    w1, w0 = t / e, (1 - t) / (1 - e)
    return float((w1 * y).sum() / w1.sum() - (w0 * y).sum() / w0.sum())
