"""Built-in baseline estimators of the ATE, each with the estimator interface users
implement: `estimate(tables, truth) -> Estimate` where `tables` are the analysis tables
(no answer key) and `truth` the truth row's public fields.

Each baseline has a different weakness the suite's knobs expose: the naive contrast
ignores confounding; OLS assumes a linear outcome and one effect for everyone (it
estimates a variance-weighted effect when the effect varies); IPW needs a correct
propensity model and overlap; AIPW with cross-fitted gradient boosting needs neither
linearity nor a correct parametric model. All of them adjust for observed columns, so a
hidden confounder biases every one; DoWhy's IV estimator, run only where the variant has
an instrument, needs no adjustment set and estimates the compliers' effect (the LATE). The
front-door estimators, run only where the variant has a mediator, need no adjustment set
either: DoWhy's two-stage regression multiplies two linear stages (biased once the
mediator's effect varies between units), the front-door formula averages the mediator's
effect over the treatment's distribution without a model. With outcome types, OLS on the
mean of the continuous and the count outcome, and an unadjusted Kaplan-Meier contrast of
the censored time to initiation (survival differences and RMST difference: right under
randomized engagement, biased under confounding).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from e2i_synth.benchmark.builtins import built_in_names
from e2i_synth.world import mechanisms

Z_95 = 1.959963984540054
PROPENSITY_CLIP = (0.01, 0.99)


@dataclass(frozen=True)
class PublicTruth:
    """What a user may know of the truth row: where the treatment and the outcome are,
    the adjustment set, the graph, the instruments and the front-door mediators (columns
    of the treatment table), and the data cut (ISO date; a patient is followed when its
    index date + 121 days is on or before it); never the effect itself."""

    treatment_table: str
    treatment: str
    outcome: str
    adjustment_columns: tuple[str, ...]
    graph_dot: str
    instruments: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    data_cut: str | None = None
    time_varying: tuple[str, ...] = ()
    """With a time-varying engagement: the later engagement and the confounder measured
    before it (columns of the treatment table)."""
    outcome_types: tuple[str, ...] = ()
    """With outcome types: the continuous, the count, the time and the event columns of the
    treatment table (world.mechanisms.outcome)."""


@dataclass(frozen=True)
class Estimate:
    """The estimate and its SE; `estimand` what it estimates ("ate"; "late": the
    compliers' effect, scored against the truth's `true_late`; "ate_observed": the observed
    population's effect under selection or censoring, `true_ate_observed`; "ate_followed":
    the followed patients' effect under censoring, `true_ate_followed`; "dose_effect_k":
    dose k vs 0, the truth's `dose_response`; with outcome types "ate_days_covered_share",
    "ate_refill_count", "survival_diff_30", "survival_diff_90", "rmst_diff"); `cate`,
    optional, one estimated effect per row of the treatment table (in its order), scored by
    PEHE against the units' true CATEs."""

    value: float
    std_error: float
    cate: np.ndarray | None = field(default=None, compare=False, repr=False)
    estimand: str = "ate"


Tables = Mapping[str, pd.DataFrame]


def complete_cases(tables: Tables, truth: PublicTruth) -> pd.DataFrame:
    """The treatment table's rows whose outcome is recorded: all of them, except in a
    variant with selection, where the baselines analyse the complete cases (as most tools
    do by default) and so miss the full population's ATE they are scored against."""
    frame = tables[truth.treatment_table]
    recorded = frame[truth.outcome].notna()
    return frame if recorded.all() else frame[recorded]


def arrays(tables: Tables, truth: PublicTruth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adjustment matrix X (booleans as 0/1, categories as indicators without the first
    level), treatment t and outcome y, as floats, of the complete cases."""
    frame = complete_cases(tables, truth)
    x = pd.get_dummies(frame[list(truth.adjustment_columns)], drop_first=True, dtype=float)
    return (
        x.astype(float).to_numpy(),
        frame[truth.treatment].to_numpy(dtype=float),
        frame[truth.outcome].to_numpy(dtype=float),
    )


def naive(tables: Tables, truth: PublicTruth) -> Estimate:
    """Difference in outcome means, engaged minus not engaged."""
    _, t, y = arrays(tables, truth)
    y1, y0 = y[t == 1], y[t == 0]
    return Estimate(
        float(y1.mean() - y0.mean()), float(np.sqrt(y1.var() / len(y1) + y0.var() / len(y0)))
    )


def ols(tables: Tables, truth: PublicTruth, estimand: str = "ate") -> Estimate:
    """Linear regression of the outcome on treatment and the adjustment set; HC1 SE."""
    import statsmodels.api as sm

    x, t, y = arrays(tables, truth)
    fit = sm.OLS(y, np.column_stack([np.ones_like(t), t, x])).fit(cov_type="HC1")
    # one coefficient: the model's CATE is the same for every unit
    cate = np.full(len(t), fit.params[1]) if estimand == "ate" else None
    return Estimate(float(fit.params[1]), float(fit.bse[1]), cate, estimand)


def _influence_estimate(influence: np.ndarray, cate: np.ndarray | None = None) -> Estimate:
    return Estimate(
        float(influence.mean()), float(influence.std(ddof=1) / np.sqrt(len(influence))), cate
    )


def ipw(tables: Tables, truth: PublicTruth) -> Estimate:
    """Hajek-weighted contrast with a logistic propensity linear in the adjustment set;
    SE from the influence function (propensity taken as known)."""
    from sklearn.linear_model import LogisticRegression

    x, t, y = arrays(tables, truth)
    if x.shape[1]:
        model = LogisticRegression(C=np.inf, max_iter=2000).fit(x, t)
        e = np.clip(model.predict_proba(x)[:, 1], *PROPENSITY_CLIP)
    else:
        e = np.full_like(t, t.mean())
    w1, w0 = t / e, (1 - t) / (1 - e)
    mu1, mu0 = (w1 * y).sum() / w1.sum(), (w0 * y).sum() / w0.sum()
    influence = w1 * (y - mu1) / w1.mean() - w0 * (y - mu0) / w0.mean()
    return Estimate(float(mu1 - mu0), float(np.sqrt(np.mean(influence**2) / len(y))))


def aipw(tables: Tables, truth: PublicTruth, folds: int = 3, seed: int = 0) -> Estimate:
    """Augmented IPW with cross-fitted gradient boosting: the propensity and the outcome
    (given treatment and covariates) are fitted on the other folds; the estimate is the
    mean of the efficient influence function's scores, its SE their standard deviation /
    sqrt(n); the CATEs are the outcome model's contrasts mu1 - mu0."""
    from threadpoolctl import threadpool_limits

    x, t, y = arrays(tables, truth)
    # One thread: boosting small folds gains nothing from more and loses under load.
    with threadpool_limits(1):
        e, mu0, mu1 = _cross_fit(x, t, y, folds, seed)
    e = np.clip(e, *PROPENSITY_CLIP)
    scores = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
    return _influence_estimate(scores, cate=mu1 - mu0)


def _cross_fit(x: np.ndarray, t: np.ndarray, y: np.ndarray, folds: int, seed: int):
    """Out-of-fold propensity and both arms' outcome probabilities."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    xt = np.column_stack([x, t])
    e, mu0, mu1 = np.empty_like(y), np.empty_like(y), np.empty_like(y)
    kwargs = dict(
        max_iter=100, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=40, random_state=seed
    )
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(xt, t):
        propensity = HistGradientBoostingClassifier(**kwargs).fit(xt[train, :-1], t[train])
        e[test] = propensity.predict_proba(xt[test, :-1])[:, 1]
        outcome = HistGradientBoostingClassifier(**kwargs).fit(xt[train], y[train])
        for arm, mu in ((0.0, mu0), (1.0, mu1)):
            as_if = np.column_stack([x[test], np.full(len(test), arm)])
            mu[test] = outcome.predict_proba(as_if)[:, 1]
    return e, mu0, mu1


def dowhy_linear(tables: Tables, truth: PublicTruth) -> Estimate:
    """DoWhy's backdoor.linear_regression identified on the stored graph; HC1 SE."""
    from dowhy import CausalModel

    from e2i_synth.validation.causal import parse_graph, quiet, regression_std_error

    x, t, y = arrays(tables, truth)
    columns = [f"x{i}" for i in range(x.shape[1])]
    data = pd.DataFrame(x, columns=columns)
    data[truth.treatment] = t.astype(bool)
    data[truth.outcome] = y
    graph = parse_graph(truth.graph_dot).subgraph([truth.treatment, truth.outcome]).copy()
    graph.add_edges_from((c, node) for c in columns for node in (truth.treatment, truth.outcome))
    graph.add_edge(truth.treatment, truth.outcome)
    with quiet():
        model = CausalModel(
            data=data, treatment=truth.treatment, outcome=truth.outcome, graph=graph
        )
        identified = model.identify_effect(method_name="efficient-adjustment")
        estimate = model.estimate_effect(
            identified, method_name="backdoor.linear_regression", test_significance=False
        )
    return Estimate(float(estimate.value), regression_std_error(estimate))


def _dowhy_on_stored_graph(
    data: pd.DataFrame, truth: PublicTruth, method: str, params: dict | None = None
) -> float:
    """DoWhy's estimate by `method`, identified on the truth's graph (its nodes absent from
    `data` unobserved, so a hidden confounder leaves only the instrument or front door)."""
    from dowhy import CausalModel

    from e2i_synth.validation.causal import parse_graph, quiet

    with quiet():
        model = CausalModel(
            data=data,
            treatment=truth.treatment,
            outcome=truth.outcome,
            graph=parse_graph(truth.graph_dot),
        )
        identified = model.identify_effect(proceed_when_unidentifiable=True)
        estimate = model.estimate_effect(
            identified, method_name=method, method_params=params, test_significance=False
        )
    return float(estimate.value)


def dowhy_iv(tables: Tables, truth: PublicTruth) -> Estimate:
    """DoWhy's iv.instrumental_variable identified on the stored graph (its unobserved
    nodes absent from the data): for one binary instrument the Wald ratio, the compliers'
    effect under monotonicity; SE from the ratio's influence function."""
    if len(truth.instruments) != 1:
        raise ValueError(f"needs one instrument, the variant has {len(truth.instruments)}")
    frame = complete_cases(tables, truth)
    [instrument] = truth.instruments
    z = frame[instrument].to_numpy(dtype=float)
    _, t, y = arrays(tables, truth)
    data = pd.DataFrame({instrument: z, truth.treatment: t.astype(bool), truth.outcome: y})
    value = _dowhy_on_stored_graph(
        data, truth, "iv.instrumental_variable", {"iv_instrument_name": instrument}
    )
    scores = (z - z.mean()) * (y - y.mean() - value * (t - t.mean()))
    std_error = float(np.sqrt(np.mean(scores**2) / len(y)) / np.mean((z - z.mean()) * t))
    return Estimate(value, abs(std_error), estimand="late")


def _front_door_data(
    tables: Tables, truth: PublicTruth
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """The mediator's name, then treatment t, mediator m and outcome y of the complete cases."""
    if len(truth.mediators) != 1:
        raise ValueError(f"needs one mediator, the variant has {len(truth.mediators)}")
    [mediator] = truth.mediators
    frame = complete_cases(tables, truth)
    t, m, y = (frame[c].to_numpy(dtype=float) for c in (truth.treatment, mediator, truth.outcome))
    return mediator, t, m, y


def dowhy_frontdoor(tables: Tables, truth: PublicTruth) -> Estimate:
    """DoWhy's frontdoor.two_stage_regression identified on the stored graph: the
    treatment's linear effect on the mediator times the mediator's on the outcome given the
    treatment; SE by the delta method from both stages' influence functions."""
    mediator, t, m, y = _front_door_data(tables, truth)
    data = pd.DataFrame({truth.treatment: t.astype(bool), mediator: m.astype(bool)})
    data[truth.outcome] = y
    value = _dowhy_on_stored_graph(data, truth, "frontdoor.two_stage_regression")
    first = np.cov(t, m, bias=True)[0, 1] / t.var()
    second_x = np.column_stack([np.ones_like(t), m, t])
    beta, *_ = np.linalg.lstsq(second_x, y, rcond=None)
    first_if = (t - t.mean()) * (m - m.mean() - first * (t - t.mean())) / t.var()
    second_if = (
        second_x * (y - second_x @ beta)[:, None] @ np.linalg.inv(second_x.T @ second_x / len(y))[1]
    )
    influence = beta[1] * first_if + first * second_if
    return Estimate(value, float(np.sqrt(np.mean(influence**2) / len(y))))


def frontdoor(tables: Tables, truth: PublicTruth) -> Estimate:
    """Pearl's front-door formula for a binary treatment and mediator, from cell means:
    (P(m=1|t=1) - P(m=1|t=0)) * sum over t' of P(t') (E[y|m=1,t'] - E[y|m=0,t']); SE
    from its influence function."""
    _, t, m, y = _front_door_data(tables, truth)
    shares = {1: t.mean(), 0: 1 - t.mean()}
    on = {arm: m[t == arm].mean() for arm in (0, 1)}
    lift = on[1] - on[0]
    lift_if = t * (m - on[1]) / shares[1] - (1 - t) * (m - on[0]) / shares[0]
    effect, effect_if = 0.0, np.zeros_like(y)
    for arm, share in shares.items():
        cells = {}
        for level in (0, 1):
            cell = (m == level) & (t == arm)
            mean = y[cell].mean()
            cells[level] = (mean, cell * (y - mean) / cell.mean())
        contrast = cells[1][0] - cells[0][0]
        effect += share * contrast
        effect_if += ((t == arm) - share) * contrast + share * (cells[1][1] - cells[0][1])
    influence = effect * lift_if + lift * effect_if
    return Estimate(float(lift * effect), float(np.sqrt(np.mean(influence**2) / len(y))))


def g_formula(tables: Tables, truth: PublicTruth, replicates: int = 200) -> Estimate:
    """The effect of engaging at both times vs at neither by the iterated conditional
    expectation g-formula with linear models, fitted within each regime: among the units
    that followed it at both times, the outcome on the covariates and the time-varying
    confounder, predicted for those that followed it at the first; that prediction on the
    covariates, predicted for everyone; the contrast of the regimes' means. Adjusting for
    the confounder in one regression instead would block the first engagement's effect
    through it. SE: nonparametric bootstrap (fixed seed)."""
    later, confounder = truth.time_varying
    frame = complete_cases(tables, truth)
    x = pd.get_dummies(frame[list(truth.adjustment_columns)], drop_first=True, dtype=float)
    x = np.column_stack([np.ones(len(frame)), x.to_numpy(dtype=float)])
    first, second = (frame[c].to_numpy(dtype=float) for c in (truth.treatment, later))
    level, y = (frame[c].to_numpy(dtype=float) for c in (confounder, truth.outcome))

    def fitted(rows: np.ndarray, design: np.ndarray, target: np.ndarray) -> np.ndarray:
        beta, *_ = np.linalg.lstsq(design[rows], target[rows], rcond=None)
        return design @ beta

    def contrast(sample: np.ndarray) -> float:
        xs, a1, a2, ls, ys = x[sample], first[sample], second[sample], level[sample], y[sample]
        means = []
        for regime in (1.0, 0.0):
            followed = (a1 == regime) & (a2 == regime)
            inner = fitted(followed, np.column_stack([xs, ls]), ys)
            means.append(fitted(a1 == regime, xs, inner).mean())
        return means[0] - means[1]

    rng = np.random.default_rng(0)
    n = len(y)
    spread = [contrast(rng.integers(0, n, n)) for _ in range(replicates)]
    return Estimate(contrast(np.arange(n)), float(np.std(spread, ddof=1)))


def _ols_on(tables: Tables, truth: PublicTruth, column: str, estimand: str) -> Estimate:
    """OLS of another outcome column on the treatment and the adjustment set; HC1 SE."""
    return ols(tables, replace(truth, outcome=column), estimand)


def ols_days_covered(tables: Tables, truth: PublicTruth) -> Estimate:
    """OLS on the mean of the continuous outcome (the share of days covered)."""
    return _ols_on(tables, truth, truth.outcome_types[0], "ate_days_covered_share")


def ols_refills(tables: Tables, truth: PublicTruth) -> Estimate:
    """OLS on the mean of the count outcome (refills)."""
    return _ols_on(tables, truth, truth.outcome_types[1], "ate_refill_count")


def kaplan_meier(tables: Tables, truth: PublicTruth) -> list[Estimate]:
    """Kaplan-Meier curves by arm (statsmodels' SurvfuncRight), unadjusted (valid under
    randomized engagement): the survival difference at each stated horizon (Greenwood SEs)
    and the RMST difference up to the stated horizon (SE from the KM RMST variance)."""
    from e2i_synth.world.mechanisms.outcome import RMST_HORIZON, SURVIVAL_HORIZONS

    frame = tables[truth.treatment_table]
    time, event = truth.outcome_types[2:4]
    fits = [
        km_fit(arm[time].to_numpy(float), arm[event].to_numpy(bool))
        for _, arm in frame.groupby(frame[truth.treatment].astype(bool))
    ]
    estimates = []
    for horizon in SURVIVAL_HORIZONS:
        (s0, se0), (s1, se1) = (survival_at(fit, horizon) for fit in fits)
        estimates.append(
            Estimate(s1 - s0, float(np.hypot(se0, se1)), estimand=f"survival_diff_{horizon}")
        )
    (r0, v0), (r1, v1) = (rmst(fit, RMST_HORIZON) for fit in fits)
    estimates.append(Estimate(r1 - r0, float(np.sqrt(v0 + v1)), estimand="rmst_diff"))
    return estimates


def km_fit(time: np.ndarray, event: np.ndarray):
    """statsmodels' Kaplan-Meier fit of right-censored times."""
    from statsmodels.duration.survfunc import SurvfuncRight

    return SurvfuncRight(time, event.astype(int))


def survival_at(fit, horizon: float) -> tuple[float, float]:
    """The KM survival just after `horizon` (P(T > horizon)) and its Greenwood SE."""
    before = np.searchsorted(fit.surv_times, horizon, side="right")
    if before == 0:
        return 1.0, 0.0
    return float(fit.surv_prob[before - 1]), float(fit.surv_prob_se[before - 1])


def rmst(fit, horizon: float) -> tuple[float, float]:
    """The restricted mean survival time over [0, horizon] (the area under the KM step
    curve) and its variance, sum over event times t_j <= horizon of
    A_j^2 d_j / (Y_j (Y_j - d_j)), A_j the area from t_j to the horizon."""
    keep = fit.surv_times <= horizon
    grid = np.r_[0.0, fit.surv_times[keep], horizon]
    level = np.r_[1.0, fit.surv_prob[keep]]
    segments = level * np.diff(grid)
    after = np.cumsum(segments[::-1])[::-1][1:]  # area after each event time
    at_risk, events = fit.n_risk[keep], fit.n_events[keep]
    usable = at_risk > events
    variance = np.sum(
        after[usable] ** 2 * events[usable] / (at_risk[usable] * (at_risk[usable] - events[usable]))
    )
    return float(segments.sum()), float(variance)


def applies(estimator: object, truth: PublicTruth) -> bool:
    """Whether to run `estimator` on a variant: a route's estimator only where the variant
    has the route; every other estimator everywhere."""
    route = route_needed().get(estimator)
    return route is None or bool(getattr(truth, route))


def econml_forest(tables: Tables, truth: PublicTruth) -> Estimate:
    """EconML's CausalForestDML ATE with its own interval (only when econml is installed)."""
    from econml.dml import CausalForestDML

    x, t, y = arrays(tables, truth)
    model = CausalForestDML(discrete_treatment=True, random_state=0).fit(y, t, X=x)
    low, high = model.ate_interval(x, alpha=0.05)
    return Estimate(float(model.ate(x)), float((high - low) / (2 * Z_95)))


BASELINES = {name: globals()[name] for name in built_in_names()}
"""Built-in estimators by short name, each function of this module named in the registry
(`builtins`: the EconML forest only where econml is installed; the IV estimator only on
variants with an instrument, the front-door ones only with a mediator, the g-formula only
with a time-varying engagement)."""


def route_needed() -> dict[object, str]:
    """Estimators that need an identification route, and the public field that names its
    columns, as the mechanisms enabling them declare (world.mechanisms): they run only on
    variants that have it."""
    return {
        BASELINES[name]: field
        for m in mechanisms.REGISTRY
        for name, field in m.estimators.items()
        if name in BASELINES
    }
