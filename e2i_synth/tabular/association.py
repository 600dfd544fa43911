"""Pairwise dependence between the columns of a mixed table, one measure per pair of kinds.

The privacy scorecard's correlation delta compares it on real and synthetic rows; the twins'
sampler keeps strongly associated features together. Both read it here, from one formula.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats.contingency import association

from e2i_synth.tabular.encoding import Columns


def correlation_ratio(values: np.ndarray, codes: np.ndarray) -> float:
    """eta = sqrt(sum_g n_g (mean_g - mean)^2 / sum_i (x_i - mean)^2): the share of a
    numeric column's variance explained by a categorical one (= R^2 of x on its one-hot);
    rows with a null x are left out; 0 for a constant x."""
    keep = ~np.isnan(values)
    x, g = values[keep], codes[keep]
    total = np.sum((x - x.mean()) ** 2)
    if total == 0 or len(x) == 0:
        return 0.0
    n_g = np.bincount(g)
    mean_g = np.bincount(g, weights=x) / np.maximum(n_g, 1)
    return float(np.sqrt(np.sum(n_g * (mean_g - x.mean()) ** 2) / total))


def cramers_v(a: np.ndarray, b: np.ndarray) -> float:
    """V = sqrt(chi2 / (n * (min(r, c) - 1))) of the a x b contingency table (scipy's
    `association`, no bias correction); 0 when either column has a single category."""
    table = np.bincount(a * (b.max() + 1) + b, minlength=(a.max() + 1) * (b.max() + 1))
    table = table.reshape(a.max() + 1, b.max() + 1)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 0.0
    return float(association(table, method="cramer", correction=False))


def association_matrix(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """Pairwise dependence for mixed types: Pearson r (numeric-numeric, signed, nulls
    pairwise-dropped), correlation ratio eta (numeric-categorical) and Cramer's V
    (categorical-categorical); eta and V lie in [0, 1], r in [-1, 1]."""
    names = list(columns.all)
    index = {c: i for i, c in enumerate(names)}
    a = np.eye(len(names))
    k = len(columns.numeric)
    if k:
        a[:k, :k] = frame[list(columns.numeric)].corr().fillna(0.0).to_numpy()
        np.fill_diagonal(a, 1.0)
    codes = {c: pd.factorize(frame[c])[0] for c in columns.categorical}
    for i, c in enumerate(columns.categorical):
        for n in columns.numeric:
            a[index[c], index[n]] = a[index[n], index[c]] = correlation_ratio(
                frame[n].to_numpy(), codes[c]
            )
        for d in columns.categorical[i + 1 :]:
            a[index[c], index[d]] = a[index[d], index[c]] = cramers_v(codes[c], codes[d])
    return pd.DataFrame(a, index=names, columns=names)
