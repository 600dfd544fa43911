"""Utility and privacy metrics: one formula each, on frames prepared by `as_model_frame`.

Each function states its formula; the scorecard composes them. "Real" means training rows
unless said otherwise; the holdout is real rows the synthesizer never saw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import balanced_accuracy_score, r2_score, roc_auc_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OrdinalEncoder

from e2i_synth.errors import E2IError
from e2i_synth.tabular.association import association_matrix
from e2i_synth.tabular.encoding import Columns


def ks_per_column(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str]) -> pd.Series:
    """KS_c = sup_x |F_real,c(x) - F_syn,c(x)| over non-null values (scipy ks_2samp);
    1.0 when either side has no values, because nothing of the marginal was reproduced."""
    values = {}
    for c in columns:
        r, s = real[c].dropna().to_numpy(), synthetic[c].dropna().to_numpy()
        with np.errstate(divide="ignore"):  # the unused p-value of tiny samples
            values[c] = stats.ks_2samp(r, s, method="asymp").statistic if len(r) and len(s) else 1.0
    return pd.Series(values, dtype="float64", name="ks")


def tv_per_column(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str]) -> pd.Series:
    """TV_c = 1/2 * sum_k |p_real,c(k) - p_syn,c(k)| over the union of categories k."""
    values = {}
    for c in columns:
        p = real[c].value_counts(normalize=True)
        q = synthetic[c].value_counts(normalize=True)
        values[c] = 0.5 * p.sub(q, fill_value=0.0).abs().sum()
    return pd.Series(values, dtype="float64", name="tv")


def association_deltas(real: pd.DataFrame, synthetic: pd.DataFrame, columns: Columns) -> pd.Series:
    """|A_real(i, j) - A_syn(i, j)| for every column pair i < j, largest first, A the
    mixed-type `association_matrix`; the scorecard's corr delta is their mean."""
    delta = (association_matrix(real, columns) - association_matrix(synthetic, columns)).abs()
    upper = np.triu(np.ones(delta.shape, dtype=bool), k=1)
    return delta.where(upper).stack().sort_values(ascending=False).rename("delta")


def exact_duplicate_rate(rows: pd.DataFrame, training: pd.DataFrame) -> float:
    """share of `rows` equal, in every modeled column, to at least one training row
    (rows hashed with pandas' `hash_pandas_object`; both frames from `as_model_frame`)."""
    if len(rows) == 0:
        return 0.0
    mine = pd.util.hash_pandas_object(rows, index=False).to_numpy()
    theirs = pd.util.hash_pandas_object(training[list(rows.columns)], index=False).to_numpy()
    return float(np.isin(mine, theirs).mean())


def closest_distances(
    reference: np.ndarray, queries: np.ndarray, metric: str = "euclidean"
) -> np.ndarray:
    """DCR_i = min_j d(q_i, r_j): distance from each query row to its closest reference row
    (sklearn NearestNeighbors, brute force: trees degrade on one-hot rows; euclidean in
    float32 -- sklearn accumulates each chunk in float64 -- for speed; "manhattan" gives
    SDMetrics' Gower distance times the number of columns on the `encode_rows` encoding)."""
    dtype = np.float32 if metric == "euclidean" else np.float64
    finder = NearestNeighbors(n_neighbors=1, metric=metric, algorithm="brute")
    finder.fit(reference.astype(dtype))
    return finder.kneighbors(queries.astype(dtype), return_distance=True)[0][:, 0]


def dcr_share(
    synthetic_to_train: np.ndarray, holdout_to_train: np.ndarray, quantile: float = 0.05
) -> float:
    """share of synthetic rows with DCR(train) < q-quantile of the holdout's DCR(train):
    a synthesizer that generalizes puts about q of its rows there, a copier nearly all."""
    return float(np.mean(synthetic_to_train < np.quantile(holdout_to_train, quantile)))


def mia_auc(members_to_synthetic: np.ndarray, nonmembers_to_synthetic: np.ndarray) -> float:
    """ROC AUC of the distance attacker "the closer a real row is to the synthetic data, the
    likelier it was trained on": score = -DCR(synthetic), label 1 = training member,
    0 = holdout row; 0.5 = no leak, 1.0 = every member identified."""
    labels = np.r_[np.ones(len(members_to_synthetic)), np.zeros(len(nonmembers_to_synthetic))]
    scores = -np.r_[members_to_synthetic, nonmembers_to_synthetic]
    return float(roc_auc_score(labels, scores))


def mia_auc_se(members_to_synthetic: np.ndarray, nonmembers_to_synthetic: np.ndarray) -> float:
    """DeLong's standard error of `mia_auc`: with V10_i the share of non-members a member i
    outscores (ties count 1/2) and V01_j the share of members outscoring non-member j,
    SE = sqrt(var(V10) / m + var(V01) / n) for m members and n non-members (DeLong, DeLong
    & Clarke-Pearson 1988; midranks give both in O((m + n) log(m + n)))."""
    m, n = len(members_to_synthetic), len(nonmembers_to_synthetic)
    if m < 2 or n < 2:
        return float("nan")
    scores = -np.r_[members_to_synthetic, nonmembers_to_synthetic]
    ranks = stats.rankdata(scores)
    v10 = (ranks[:m] - stats.rankdata(scores[:m])) / n
    v01 = 1.0 - (ranks[m:] - stats.rankdata(scores[m:])) / m
    return float(np.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / n))


def tstr_score(
    fit_rows: pd.DataFrame, test_rows: pd.DataFrame, target: str, columns: Columns
) -> float:
    """Train on `fit_rows`, score on `test_rows` (train-synthetic/test-real when fit_rows are
    synthetic): ROC AUC for a two-class target, balanced accuracy for more classes, R^2 for
    a numeric target; gradient-boosted trees (sklearn HistGradientBoosting, fixed seed)."""
    if target not in columns.all:
        raise E2IError(f"target {target!r} is not a modeled column; choose one of {columns.all}")
    features = [c for c in columns.all if c != target]
    categorical = [c for c in columns.categorical if c != target]
    encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    encoder.fit(pd.concat([fit_rows[categorical], test_rows[categorical]]))

    def design(rows: pd.DataFrame) -> pd.DataFrame:
        x = rows[features].copy()
        x[categorical] = encoder.transform(rows[categorical]) if categorical else x[categorical]
        return x

    is_category = [c in categorical for c in features]
    if target in columns.numeric:
        fit = fit_rows[target].notna()
        test = test_rows[target].notna()
        model = HistGradientBoostingRegressor(
            max_iter=50, categorical_features=is_category, random_state=0
        ).fit(design(fit_rows[fit]), fit_rows.loc[fit, target])
        return float(r2_score(test_rows.loc[test, target], model.predict(design(test_rows[test]))))
    model = HistGradientBoostingClassifier(
        max_iter=50, categorical_features=is_category, random_state=0
    ).fit(design(fit_rows), fit_rows[target])
    y = test_rows[target]
    if y.nunique() == 2 and len(model.classes_) == 2:
        positive = model.predict_proba(design(test_rows))[:, 1]
        return float(roc_auc_score(y == model.classes_[1], positive))
    return float(balanced_accuracy_score(y, model.predict(design(test_rows))))


def treatment_effect(
    rows: pd.DataFrame, treatment: str, outcome: str, adjust_for: tuple[str, ...] = ()
) -> tuple[float, float]:
    """(estimate, SE) of the effect of a binary treatment on a binary outcome: the treatment's
    coefficient in the linear-probability OLS of the outcome on the treatment and
    `adjust_for` (categoricals one-hot, first level dropped; none: the difference in means),
    with heteroskedasticity-robust HC2 standard errors (statsmodels). Rows with an
    unrecorded outcome or covariate are left out (a complete-case estimate on both sides)."""
    import statsmodels.api as sm

    kept = rows[[treatment, outcome, *adjust_for]].dropna()
    if kept[treatment].nunique() < 2:
        return float("nan"), float("nan")
    covariates = kept[list(adjust_for)]
    categorical = [c for c in adjust_for if not pd.api.types.is_numeric_dtype(covariates[c])]
    design = (
        covariates.astype(float)
        if not categorical
        else pd.get_dummies(
            covariates.astype(dict.fromkeys(categorical, object)), drop_first=True, dtype=float
        )
    )
    x = sm.add_constant(
        pd.concat([kept[[treatment]].astype(float), design], axis=1), has_constant="add"
    )
    fit = sm.OLS(kept[outcome].astype(float).to_numpy(), x.to_numpy(float)).fit(cov_type="HC2")
    return float(fit.params[1]), float(fit.bse[1])


def exposed_share(members_to_synthetic: np.ndarray, nonmembers_to_synthetic: np.ndarray) -> float:
    """share of members closer to the synthetic data than every non-member is: the attack's
    true-positive rate at a false-positive rate of zero. With nothing leaked members and
    non-members are exchangeable, so the expected share is 1 / (n + 1) for n non-members
    (`chance_exposure`); a synthesizer that copies a share c of its rows exposes about c more."""
    return float(np.mean(members_to_synthetic < np.min(nonmembers_to_synthetic)))


def chance_exposure(nonmembers: int) -> float:
    return 1.0 / (nonmembers + 1)


def exposure_se(share: float, members: int, nonmembers: int) -> float:
    """SE of `exposed_share`: binomial over the members, plus the spread of the threshold
    (the least of n non-member distances: the share it admits is Beta(1, n), SD about
    1 / (n + 1))."""
    return float(np.sqrt(share * (1 - share) / members + chance_exposure(nonmembers) ** 2))
