"""Causal recovery: DoWhy estimates from the stored tables, compared with the stored truth.

The model is built from the scenario's own `graph_dot`, the effect is identified by
backdoor adjustment with DoWhy's efficient (variance-optimal) adjustment set, which must
equal the stored `adjustment_columns`, and estimated with the estimator that fits the DGP:

- simple_linear, confounded: backdoor linear regression (the outcome is linear in the
  adjustment set by construction), heteroskedasticity-robust (HC1) standard errors;
- selection_bias: propensity-score weighting (Hajek weights, logistic propensity), with
  the influence-function standard error, which ignores the propensity fit and so errs
  wide (DoWhy 0.14's doubly robust estimator cannot be refuted: its copies keep the
  original treatment in their inner models);
- heterogeneous: one linear regression with treatment x segment interactions (the segment
  as DoWhy effect modifiers): the CATE of each segment and the ATE as linear combinations
  of its coefficients, with HC1 standard errors;
- time_series: linear regression on initiation on or after index + lag, which carries the
  whole effect, and on initiation before the lag, whose true effect is zero by design.

Each estimate reports the per-estimand criteria |estimate - truth| <= max(0.02, 2 SE) and
"the 95% CI covers the truth", and the naive difference in means beside it. The verdict
fails a scenario when the truth lies outside max(0.02, z SE) of any of its estimates, with
z set so that a run of all 15 scenarios on correct data fails at most 1% of the time
(RUN_FALSE_ALARM): each scenario is a separate draw, so each may fail with probability
1 - 0.99^(1/15) = 1/1,493 (Šidák), split evenly over its estimands (Bonferroni): z = 3.40
for one estimand, 3.59 for time_series' two, 3.82 for heterogeneous' five. Measured at
3,000 patients over 2,000 seeds (`calibration.recovery_draws`): 0.30% of runs failed
(95% CI 0.11-0.65%), against 2.1% for the former 3.14 SE on every estimand.

The SEs are the estimators' own (HC1, influence function), not a fixed tolerance. Their
z-scores are normal, tails included, and unbiased on every brand; their spread is 0.79-0.97
rather than 1 because the stored truth is the sample's, whose own spread moves with the
outcomes (one uniform for both arms), so against it the SEs err wide. What the band
resolves is set by the data: at 3,000 patients a truth off by 0.02 fails a scenario in
under 0.5% of draws, one off by 0.12 in over 90%; no estimator does much better (AIPW with
the true nuisance functions has SE 0.025 on confounded, the regression 0.021).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from statistics import NormalDist

import networkx as nx
import numpy as np
import pandas as pd
import pydot
import pyparsing

from e2i_synth.catalog import BRANDS, DGPS, OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.validation.result import CheckResult

Z_95 = NormalDist().inv_cdf(0.975)
TOLERANCE_FLOOR = 0.02
RUN_FALSE_ALARM = 0.01
"""The share of nightly runs of every default scenario, on correct data, that the recovery
check may fail."""
LINEAR_REGRESSION = "backdoor.linear_regression"
PROPENSITY_WEIGHTING = "backdoor.propensity_score_weighting"
ESTIMATORS = {
    "simple_linear": LINEAR_REGRESSION,
    "confounded": LINEAR_REGRESSION,
    "heterogeneous": LINEAR_REGRESSION,
    "time_series": LINEAR_REGRESSION,
    "selection_bias": PROPENSITY_WEIGHTING,
}


def estimands_per_scenario(dgp: str) -> int:
    spec = DGPS[dgp]
    if spec.segment_effects:
        return 1 + len(spec.segment_effects)
    return 2 if spec.lag_days else 1


SCENARIOS_PER_RUN = len(BRANDS) * len(DGPS)
SCENARIO_FALSE_ALARM = 1 - (1 - RUN_FALSE_ALARM) ** (1 / SCENARIOS_PER_RUN)
"""Šidák: the scenarios of a run are independent draws."""


def critical_value(dgp: str) -> float:
    """z of the band of each estimand of a `dgp` scenario: the scenario's false-alarm share
    split evenly over its estimands (Bonferroni: they come from one fit, so they are
    correlated and the split errs safe)."""
    share = SCENARIO_FALSE_ALARM / estimands_per_scenario(dgp)
    return NormalDist().inv_cdf(1 - share / 2)


# Propensities are clipped where the DGP's own treatment probabilities are clipped.
PROPENSITY_CLIP = (0.02, 0.98)
AFTER_LAG = "initiated_after_lag"
BEFORE_LAG = "initiated_before_lag"


@dataclass(frozen=True)
class EffectEstimate:
    """One estimand of a scenario: the estimate, its standard error and the truth."""

    estimand: str
    method: str
    value: float
    std_error: float
    truth: float
    naive: float
    n_units: int
    n_treated: int
    adjustment_set: tuple[str, ...]
    critical: float  # z of the verdict's band (`critical_value`)

    @property
    def ci_low(self) -> float:
        return self.value - Z_95 * self.std_error

    @property
    def ci_high(self) -> float:
        return self.value + Z_95 * self.std_error

    @property
    def error(self) -> float:
        return self.value - self.truth

    @property
    def tolerance(self) -> float:
        return max(TOLERANCE_FLOOR, 2 * self.std_error)

    @property
    def within_tolerance(self) -> bool:
        return abs(self.error) <= self.tolerance

    @property
    def covers(self) -> bool:
        return self.ci_low <= self.truth <= self.ci_high

    @property
    def band(self) -> float:
        """Half-width of the verdict's acceptance band (`critical_value`)."""
        return max(TOLERANCE_FLOOR, self.critical * self.std_error)

    @property
    def passed(self) -> bool:
        return abs(self.error) <= self.band

    def summary(self) -> str:
        return (
            f"{self.estimand}: estimate {self.value:.3f} (95% CI {self.ci_low:.3f} to "
            f"{self.ci_high:.3f}) vs truth {self.truth:.3f}: error {self.error:+.3f}, "
            f"allowed ±{self.band:.3f}; naive {self.naive:.3f}"
        )

    def figures(self) -> dict[str, object]:
        return {
            "estimand": self.estimand,
            "method": self.method,
            "estimate": round(self.value, 6),
            "std_error": round(self.std_error, 6),
            "ci_low": round(self.ci_low, 6),
            "ci_high": round(self.ci_high, 6),
            "truth": round(self.truth, 6),
            "naive": round(self.naive, 6),
            "error": round(self.error, 6),
            "tolerance": round(self.tolerance, 6),
            "within_tolerance": self.within_tolerance,
            "ci95_covers": self.covers,
            "band": round(self.band, 6),
            "critical_z": round(self.critical, 4),
            "passed": self.passed,
            "n_units": self.n_units,
            "n_treated": self.n_treated,
            "adjustment_set": list(self.adjustment_set),
        }


@dataclass(frozen=True)
class Target:
    """What to estimate: an outcome column on a subset of patients, and its true effect."""

    estimand: str
    rows: np.ndarray  # boolean mask over patient_journeys
    outcome: str
    truth: float
    segment_column: str | None = None
    segments: tuple[tuple[str, float], ...] = ()  # (value, true CATE), first is the baseline

    @property
    def modifiers(self) -> list[str]:
        """Indicator columns of the non-baseline segments: the DoWhy effect modifiers."""
        return [segment_indicator(self.segment_column, v) for v, _ in self.segments[1:]]


@dataclass(frozen=True)
class Fitted:
    """A DoWhy estimate with what its refuters need; `results` has the overall first."""

    target: Target
    data: pd.DataFrame
    identified: object  # dowhy IdentifiedEstimand
    estimate: object  # dowhy CausalEstimate
    results: list[EffectEstimate]


def segment_indicator(column: str | None, value: str) -> str:
    return f"{column}_{value}"


@contextmanager
def quiet() -> Iterator[None]:
    """DoWhy logs and warns on every call (normality assumption, pandas futures)."""
    logger = logging.getLogger("dowhy")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def parse_graph(graph_dot: str) -> nx.DiGraph:
    """The stored DOT graph. pydot parses with pyparsing, whose memo cache (switched on for
    the whole process by matplotlib) keeps the parse's failed alternatives, and with them
    every caller's frame up to the check's, holding the scenario's tables: 250 MiB at full
    scale kept after each check run until the next parse. The cache is emptied after use."""
    try:
        parsed = pydot.graph_from_dot_data(graph_dot)
    finally:
        pyparsing.ParserElement.reset_cache()
    if not parsed:
        raise ValueError(f"graph_dot is not a DOT digraph: {graph_dot[:80]!r}")
    return nx.DiGraph(nx.nx_pydot.from_pydot(parsed[0]))


def overall_truth(truth: pd.DataFrame) -> pd.Series:
    return truth.loc[truth["segment_column"].isna()].iloc[0]


def analysis_frame(
    journeys: pd.DataFrame, adjustment: list[str], lag_days: int, segment_column: str | None
) -> pd.DataFrame:
    """Treatment, outcomes, numeric adjustment columns and segment indicators only: the
    estimator must not see the stored true propensity or potential outcomes. Every
    outcome must be recorded: a variant with selection leaves some NULL, not at random."""
    missing = int(journeys[OUTCOME_COLUMN].isna().sum())
    if missing:
        raise ValueError(
            f"{OUTCOME_COLUMN} is NULL for {missing} of {len(journeys)} patients (a variant "
            "with outcomes missing not at random): complete cases do not recover true_ate; "
            "the truth states true_ate_observed for the observed population"
        )
    frame = journeys[[c for c in adjustment if c != segment_column]].astype(float)
    if segment_column:
        values = journeys[segment_column].to_numpy()
        for value in np.unique(values):
            frame[segment_indicator(segment_column, value)] = (values == value).astype(float)
    frame[TREATMENT_COLUMN] = journeys[TREATMENT_COLUMN].astype(bool).to_numpy()
    initiated = journeys[OUTCOME_COLUMN].astype(bool).to_numpy()
    frame[OUTCOME_COLUMN] = initiated.astype(float)
    if lag_days:
        initiation = pd.to_datetime(journeys["journey_start_date"]) + pd.to_timedelta(
            journeys["days_to_treatment"].astype("Float64").fillna(0).to_numpy(), unit="D"
        )
        days_after_index = (initiation - pd.to_datetime(journeys["index_date"])).dt.days
        late = initiated & (days_after_index.to_numpy() >= lag_days)
        frame[AFTER_LAG] = late.astype(float)
        frame[BEFORE_LAG] = (initiated & ~late).astype(float)
    return frame.reset_index(drop=True)


def targets(dgp: str, journeys: pd.DataFrame, truth: pd.DataFrame) -> list[Target]:
    spec = DGPS[dgp]
    everyone = np.ones(len(journeys), dtype=bool)
    overall = float(overall_truth(truth)["true_ate"])
    if spec.segment_column:
        rows = truth.loc[truth["segment_column"] == spec.segment_column]
        segments = tuple(zip(rows["segment_value"], rows["true_ate"].astype(float), strict=True))
        return [Target("ate", everyone, OUTCOME_COLUMN, overall, spec.segment_column, segments)]
    if spec.lag_days:
        return [
            Target(f"ate on initiation from day {spec.lag_days}", everyone, AFTER_LAG, overall),
            Target(f"ate on initiation before day {spec.lag_days}", everyone, BEFORE_LAG, 0.0),
        ]
    return [Target("ate", everyone, OUTCOME_COLUMN, overall)]


def target_graph(graph: nx.DiGraph, target: Target) -> nx.DiGraph:
    """The stored graph with the target's outcome, and a segment column split into the
    indicators the regression uses (each a parent of the outcome, as the column was)."""
    g = nx.relabel_nodes(graph, {OUTCOME_COLUMN: target.outcome}, copy=True)
    if target.segment_column:
        g.remove_node(target.segment_column)
        g.add_edges_from((m, target.outcome) for m in target.modifiers)
    return g


def naive_difference(data: pd.DataFrame, outcome: str) -> float:
    treated = data[TREATMENT_COLUMN].to_numpy()
    y = data[outcome].to_numpy()
    return float(y[treated].mean() - y[~treated].mean())


def regression_std_error(estimate) -> float:
    """HC1 standard error of the treatment coefficient of DoWhy's statsmodels fit."""
    fit = estimate.estimator.model
    gradient = np.zeros(len(fit.params))
    gradient[1] = 1.0
    value, std_error = contrast(fit, gradient)
    if not np.isclose(value, estimate.value):
        raise RuntimeError("DoWhy's regression did not put the treatment first")
    return std_error


def hajek_std_error(data: pd.DataFrame, outcome: str, estimate) -> float:
    """Influence-function standard error of the Hajek contrast, from DoWhy's propensities."""
    model = estimate.estimator.propensity_score_model
    value, std_error = hajek(
        data[outcome].to_numpy(dtype=float),
        data[TREATMENT_COLUMN].to_numpy(dtype=float),
        model.predict_proba(data[list(model.feature_names_in_)])[:, 1],
    )
    if not np.isclose(value, estimate.value):
        raise RuntimeError("the Hajek weights do not reproduce DoWhy's estimate")
    return float(std_error)


def hajek(y: np.ndarray, t: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Hajek contrast of outcome y on treatment t (0/1) with propensities e (clipped as
    the estimator clips them), and its influence-function standard error, over the last
    axis: leading axes are separate samples (`calibration` stacks its draws there)."""
    e = np.clip(e, *PROPENSITY_CLIP)
    w1, w0 = t / e, (1 - t) / (1 - e)
    mu1 = (w1 * y).sum(axis=-1) / w1.sum(axis=-1)
    mu0 = (w0 * y).sum(axis=-1) / w0.sum(axis=-1)
    influence = w1 * (y - mu1[..., None]) / w1.mean(axis=-1, keepdims=True) - w0 * (
        y - mu0[..., None]
    ) / w0.mean(axis=-1, keepdims=True)
    return mu1 - mu0, np.sqrt(np.mean(influence**2, axis=-1) / y.shape[-1])


def contrast(fit, gradient: np.ndarray) -> tuple[float, float]:
    """A linear combination of the regression coefficients and its HC1 standard error."""
    [value], [std_error] = hc1_contrasts(fit.model.exog, fit.model.endog, gradient[None])
    if not np.isclose(value, gradient @ fit.params):
        raise RuntimeError("the HC1 fit does not reproduce DoWhy's coefficients")
    return float(value), float(std_error)


def hc1_contrasts(
    x: np.ndarray, y: np.ndarray, gradients: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares of y (..., n) on x (..., n, k), and the combinations `gradients`
    (..., g, k) of its coefficients with their HC1 (heteroskedasticity-robust) standard
    errors (..., g): leading axes are separate samples (`calibration` stacks its draws)."""
    n, k = x.shape[-2:]
    xt = np.swapaxes(x, -1, -2)
    inverse = np.linalg.inv(xt @ x)
    beta = inverse @ (xt @ y[..., None])
    residual = y - (x @ beta)[..., 0]
    meat = (xt * residual[..., None, :] ** 2) @ x
    covariance = inverse @ meat @ inverse * (n / (n - k))
    values = (gradients @ beta)[..., 0]
    variances = np.einsum("...gk,...kl,...gl->...g", gradients, covariance, gradients)
    return values, np.sqrt(variances)


def segment_results(
    target: Target, subset: pd.DataFrame, estimate, overall
) -> list[EffectEstimate]:
    """CATEs from the interaction terms: baseline = treatment coefficient, others add theirs.

    DoWhy's design is [constant, treatment, adjustment..., treatment x modifiers...]."""
    fit = estimate.estimator.model
    n_params = len(fit.params)
    results = []
    for i, (value, truth) in enumerate(target.segments):
        gradient = np.zeros(n_params)
        gradient[1] = 1.0
        if i:
            gradient[n_params - len(target.modifiers) + i - 1] = 1.0
        rows = (
            subset[target.modifiers].sum(axis=1).eq(0)
            if i == 0
            else subset[target.modifiers[i - 1]].eq(1)
        )
        value_hat, std_error = contrast(fit, gradient)
        results.append(
            replace(
                overall,
                estimand=f"cate {target.segment_column}={value}",
                value=value_hat,
                std_error=std_error,
                truth=truth,
                naive=naive_difference(subset[rows.to_numpy()], target.outcome),
                n_units=int(rows.sum()),
                n_treated=int(subset.loc[rows.to_numpy(), TREATMENT_COLUMN].sum()),
            )
        )
    return results


def fit_target(
    method: str,
    data: pd.DataFrame,
    graph: nx.DiGraph,
    target: Target,
    adjustment: list[str],
    critical: float,
) -> Fitted:
    """Identify and estimate one target with DoWhy from the scenario's graph."""
    from dowhy import CausalModel
    from sklearn.linear_model import LogisticRegression

    subset = data.loc[target.rows].reset_index(drop=True)
    expected = [c for c in adjustment if c != target.segment_column] + target.modifiers
    model = CausalModel(
        data=subset.copy(),  # DoWhy writes propensity columns into its data
        treatment=TREATMENT_COLUMN,
        outcome=target.outcome,
        graph=target_graph(graph, target),
    )
    identified = model.identify_effect(method_name="efficient-adjustment")
    backdoor = tuple(identified.get_backdoor_variables())
    if set(backdoor) != set(expected):
        raise ValueError(
            f"the stored graph identifies adjustment set {sorted(backdoor)} but "
            f"causal_ground_truth.adjustment_columns says {sorted(expected)}"
        )
    params: dict[str, object] = {"need_conditional_estimates": False}
    if method == PROPENSITY_WEIGHTING:
        params |= {
            "weighting_scheme": "ips_normalized_weight",
            "propensity_score_model": LogisticRegression(C=np.inf, max_iter=1000),
            "min_ps_score": PROPENSITY_CLIP[0],
            "max_ps_score": PROPENSITY_CLIP[1],
        }
    estimate = model.estimate_effect(
        identified,
        method_name=method,
        method_params=params,
        effect_modifiers=target.modifiers,
        test_significance=False,
    )
    value = float(estimate.value)
    if method == PROPENSITY_WEIGHTING:
        std_error = hajek_std_error(subset, target.outcome, estimate)
    elif target.modifiers:
        # The ATE is the treatment effect averaged over the sample's segment mix.
        fit = estimate.estimator.model
        gradient = np.zeros(len(fit.params))
        gradient[1] = 1.0
        gradient[-len(target.modifiers) :] = subset[target.modifiers].mean().to_numpy()
        value, std_error = contrast(fit, gradient)
        if not np.isclose(value, estimate.value):
            raise RuntimeError("DoWhy's interaction design is not the expected layout")
    else:
        std_error = regression_std_error(estimate)
    overall = EffectEstimate(
        estimand=target.estimand,
        method=method.removeprefix("backdoor.")
        + (" with interactions" if target.modifiers else ""),
        value=value,
        std_error=std_error,
        truth=target.truth,
        naive=naive_difference(subset, target.outcome),
        n_units=len(subset),
        n_treated=int(subset[TREATMENT_COLUMN].sum()),
        adjustment_set=tuple(c for c in backdoor if c not in target.modifiers)
        + ((target.segment_column,) if target.segment_column else ()),
        critical=critical,
    )
    results = [overall]
    if target.segments:
        results += segment_results(target, subset, estimate, overall)
    return Fitted(target, subset, identified, estimate, results)


def estimate_scenario(
    journeys: pd.DataFrame, truth: pd.DataFrame
) -> tuple[list[EffectEstimate], list[Fitted]]:
    """Every estimand of one scenario (overall first) and the DoWhy fits behind them."""
    row = overall_truth(truth)
    dgp = str(row["dgp_type"])
    adjustment = list(row["adjustment_columns"])
    segment_column = DGPS[dgp].segment_column
    data = analysis_frame(journeys, adjustment, int(row["lag_days"]), segment_column)
    with quiet():
        graph = parse_graph(str(row["graph_dot"]))
        fits = [
            fit_target(ESTIMATORS[dgp], data, graph, target, adjustment, critical_value(dgp))
            for target in targets(dgp, journeys, truth)
        ]
    return [r for f in fits for r in f.results], fits


TRUTH_TABLE = "causal_ground_truth"


def recovery_result(estimates: list[EffectEstimate]) -> CheckResult:
    failed = [e for e in estimates if not e.passed]
    head = estimates[0]
    figures = {
        **{k: v for k, v in head.figures().items() if k not in ("passed", "adjustment_set")},
        "estimands": [e.figures() for e in estimates],
        "failed_estimands": len(failed),
    }
    if failed:
        message = "truth not recovered: " + "; ".join(e.summary() for e in failed)
    else:
        message = f"{len(estimates)} estimands recovered; " + head.summary()
    return CheckResult("causal_recovery", TRUTH_TABLE, not failed, message, figures)
