"""The regression-adjusted effect a competent analyst would report, with its standard
error: what the causal tasks' tolerances are derived from. statsmodels' OLS with
heteroskedasticity-robust (HC1) errors, text columns as categories."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from e2i_synth.catalog import OUTCOME_COLUMN, TREATMENT_COLUMN


def analysis_frame(patients: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """The rows with a recorded outcome, outcome and treatment as 0/1, flags as 0/1."""
    frame = patients.dropna(subset=[OUTCOME_COLUMN, *covariates]).copy()
    for column in (OUTCOME_COLUMN, TREATMENT_COLUMN, *covariates):
        if frame[column].dtype == bool or str(frame[column].dtype) == "boolean":
            frame[column] = frame[column].astype(float)
    return frame


def regression_ate(patients: pd.DataFrame, covariates: Sequence[str]) -> tuple[float, float]:
    """The treatment's coefficient in OLS of the outcome on the treatment and `covariates`,
    and its HC1 standard error."""
    import statsmodels.formula.api as smf

    frame = analysis_frame(patients, covariates)
    terms = [
        f"C({c})" if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype) else c
        for c in covariates
    ]
    formula = f"{OUTCOME_COLUMN} ~ {' + '.join([TREATMENT_COLUMN, *terms])}"
    fit = smf.ols(formula, frame).fit(cov_type="HC1")
    return float(fit.params[TREATMENT_COLUMN]), float(fit.bse[TREATMENT_COLUMN])
