"""Estimators a user might write, good and broken, loaded by dotted path in the tests."""

from __future__ import annotations

import numpy as np


def difference_in_means(tables, truth):
    frame = tables[truth.treatment_table]
    treated = frame[truth.treatment].to_numpy(bool)
    y = frame[truth.outcome].to_numpy(float)
    return {"estimate": y[treated].mean() - y[~treated].mean(), "std_error": 0.01}


def raises(tables, truth):
    raise RuntimeError("my model did not converge")


def returns_nan(tables, truth):
    return np.nan, 0.1


def no_effect_anywhere(tables, truth):
    n = len(tables[truth.treatment_table])
    return {"estimate": 0.0, "std_error": 0.01, "cate": np.zeros(n)}


def dose_response(tables, truth):
    """Every dose's effect vs 0: OLS on dose indicators and the adjustment columns (the
    dose's causes are among them), HC1 SEs; one estimate per dose."""
    import statsmodels.api as sm

    from e2i_synth.benchmark.estimators import Estimate

    frame = tables[truth.treatment_table]
    dose = frame["engagement_dose"].to_numpy(dtype=int)
    levels = np.arange(1, dose.max() + 1)
    x = frame[list(truth.adjustment_columns)].astype(float).to_numpy()
    design = np.hstack([(dose[:, None] == levels).astype(float), x])
    fit = sm.OLS(frame[truth.outcome].to_numpy(float), sm.add_constant(design)).fit(cov_type="HC1")
    return [
        Estimate(float(fit.params[k]), float(fit.bse[k]), estimand=f"dose_effect_{k}")
        for k in levels
    ]


def unknown_estimand(tables, truth):
    return {"estimate": 0.1, "std_error": 0.01, "estimand": "dose_effect_9"}


def followed_ols(tables, truth):
    """The followed patients' effect under censoring: OLS on the treatment and the
    adjustment columns over the patients whose window closed by the data cut, HC1 SE."""
    import pandas as pd
    import statsmodels.api as sm

    frame = tables[truth.treatment_table]
    closes = pd.to_datetime(frame["index_date"]) + pd.Timedelta(days=121)
    followed = frame[closes <= pd.Timestamp(truth.data_cut)]
    x = pd.get_dummies(followed[list(truth.adjustment_columns)], drop_first=True, dtype=float)
    treated = followed[truth.treatment].to_numpy(float)
    design = sm.add_constant(np.column_stack([treated, x.to_numpy(float)]))
    outcome = followed[truth.outcome].to_numpy(dtype=float)
    fit = sm.OLS(outcome, design).fit(cov_type="HC1")
    return {"estimate": fit.params[1], "std_error": fit.bse[1], "estimand": "ate_followed"}
