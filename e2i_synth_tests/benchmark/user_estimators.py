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
