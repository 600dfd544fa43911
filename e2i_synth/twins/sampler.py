"""New twin feature vectors from the training population's joint distribution.

A smoothed bootstrap, i.e. a draw from a kernel density estimate: pick a donor entity at
random, keep its categorical features and strata together (so every combination and the
decile -> tier rule stay as observed), and move its other numeric features by Gaussian
noise with scipy's `gaussian_kde` kernel covariance: the data covariance x Scott's factor
n^(-1/(d+4))^2, so correlations between the moved features are kept. Values are clipped
to the observed range and integers rounded, so a twin is plausible but (almost never) a
copy of a training entity; `exact_copy_rate` measures it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from e2i_synth.twins.features import TwinType


def smoothed_bootstrap(
    donors: pd.DataFrame, twin_type: TwinType, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """n twins' features drawn from the kernel density estimate of `donors`."""
    picked = donors.iloc[rng.integers(0, len(donors), n)].reset_index(drop=True)
    jittered = [c for c in twin_type.numeric if c not in twin_type.strata]
    values = donors[jittered].to_numpy(float)
    kernel = stats.gaussian_kde(values.T, bw_method="scott").covariance
    noise = rng.multivariate_normal(np.zeros(len(jittered)), kernel, size=n, method="cholesky")
    moved = picked[jittered].to_numpy(float) + noise
    moved = np.clip(moved, values.min(axis=0), values.max(axis=0))
    out = picked[list(twin_type.features)].copy()
    out[jittered] = moved
    for column in twin_type.integer:
        if column in jittered:
            out[column] = np.round(out[column]).astype(int)
    for column, bound in twin_type.bounded_by:
        out[column] = np.minimum(out[column], out[bound])
    return out


def exact_copy_rate(twins: pd.DataFrame, donors: pd.DataFrame, columns: list[str]) -> float:
    """Share of twins whose every feature equals some training entity's."""
    if len(twins) == 0:
        return 0.0
    known = donors[columns].drop_duplicates()
    hits = twins[columns].merge(known, on=columns, how="left", indicator=True)["_merge"]
    return float((hits == "both").mean())
