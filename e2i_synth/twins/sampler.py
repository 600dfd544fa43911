"""New twin feature vectors from the training population's joint distribution.

A smoothed bootstrap over neighbourhoods: pick a donor entity at random; take each of its
categorical features, its strata (decile and the tier derived from it, kept together) and
its vector of other numeric features from a random one of the donor's 25 nearest donors
(each part from its own draw, each neighbour weighted by 1 / the number of neighbourhoods
it is in, so crowded donors are not over-drawn); move those numbers by Gaussian noise with scipy's
`gaussian_kde` kernel covariance (the data covariance x Scott's factor n^(-1/(d+4))^2), so
correlations between them are kept. Values are clipped to the observed range and integers
rounded, so a twin is plausible but (almost never) a copy of a training entity
(`exact_copy_rate` measures it).

Why neighbourhoods: a twin that kept its donor's categories matched that donor on every
category, so a distance attack told donors from unseen HCPs almost perfectly (measured at
the small scale, kisqali|confounded and fabhalta|heterogeneous: attack AUC 0.99 and 1.00).
Mixing within 25 neighbours: 0.62 and 0.64, while KS stays 0.07 and TV 0.01-0.02, the
correlation delta rises from 0.02 to 0.05, and simulated effects stay calibrated
(seed 42, 15 scenarios x 5 interventions: 93% of 95% CIs cover the truth; simulated-minus-
true in SE units has sd 1.03, at most 2.85). All 15 small scenarios: attack AUC
0.54-0.66.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from e2i_synth.twins.features import TwinType

NEIGHBOURS = 25
"""Donors a twin's parts are drawn from (unweighted draws measured: at 10, attack AUC
0.70-0.72; at 50, no lower than at 25 with a larger correlation delta, 0.06)."""


def nearest_donors(donors: pd.DataFrame, twin_type: TwinType, k: int) -> np.ndarray:
    """(n_donors, k) indices of each donor's k nearest donors (itself included) on its
    one-hot categories and standardized numbers."""
    from sklearn.neighbors import NearestNeighbors

    numbers = donors[list(twin_type.numeric)].to_numpy(float)
    spread = numbers.std(axis=0)
    space = np.hstack(
        [
            pd.get_dummies(donors[list(twin_type.categories)].astype(str)).to_numpy(float),
            (numbers - numbers.mean(axis=0)) / np.where(spread > 0, spread, 1.0),
        ]
    )
    k = min(k, len(donors))
    return NearestNeighbors(n_neighbors=k).fit(space).kneighbors(space, return_distance=False)


def smoothed_bootstrap(
    donors: pd.DataFrame, twin_type: TwinType, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """n twins' features drawn from the kernel density estimate of `donors`."""
    donor = rng.integers(0, len(donors), n)
    picked = donors.iloc[donor].reset_index(drop=True)
    jittered = [c for c in twin_type.numeric if c not in twin_type.strata]
    mixed = [c for c in twin_type.categories if c not in twin_type.strata]
    neighbours = nearest_donors(donors, twin_type, NEIGHBOURS)
    # A donor in many neighbourhoods would be drawn more often than its share: each
    # neighbour is drawn with weight 1 / (neighbourhoods it is in), keeping the marginals.
    weight = 1.0 / np.bincount(neighbours.ravel(), minlength=len(donors))[neighbours]
    cumulative = np.cumsum(weight / weight.sum(axis=1, keepdims=True), axis=1)[donor]
    for columns in [[c] for c in mixed] + [jittered, list(twin_type.strata)]:
        slot = (cumulative < rng.random((n, 1))).sum(axis=1).clip(max=neighbours.shape[1] - 1)
        picked[columns] = donors[columns].to_numpy()[neighbours[donor, slot]]
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
