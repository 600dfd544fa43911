"""Run estimators over a suite's variants and score them against the exact truth.

An estimator is any callable `(tables, truth) -> estimate` (see estimators.PublicTruth);
it may return an `Estimate`, an `(estimate, std_error)` pair or a mapping with those
keys (and optionally `cate`: one estimated effect per unit, scored by PEHE; `estimand`:
"ate", the default, "late" where the variant has an instrument, "ate_observed" where it
has selection, "dose_effect_k" (dose k vs 0) where it has a dose), or a list of those, one
per estimand (a dose-response: one per dose). One that raises or returns a non-finite
value, or names an estimand the variant does not state, is recorded with that status and
scored as a failure; the run goes on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from e2i_synth.benchmark.data import variant_data
from e2i_synth.benchmark.estimators import BASELINES, Z_95, Estimate, applies
from e2i_synth.benchmark.leaderboard import by_estimand, by_variant
from e2i_synth.callables import load_callable
from e2i_synth.settings import Scenario

Estimator = Callable[..., object]
RESULT_COLUMNS = (
    "estimator",
    "variant",
    "seed",
    "estimand",
    "identified",
    "truth",
    "estimate",
    "std_error",
    "error",
    "covered",
    "pehe",
    "status",
    "seconds",
)


def load_estimator(name: str) -> Estimator:
    """A built-in baseline by name, or a callable at `package.module.function` (or
    `package.module:function`)."""
    if name in BASELINES:
        return BASELINES[name]
    return load_callable(
        name,
        "estimator",
        "function",
        f"unknown estimator {name!r}; give a built-in ({', '.join(BASELINES)}) or a dotted "
        "path to a function, e.g. my_package.estimators.my_ate",
    )


def as_estimate(value: object) -> Estimate:
    if isinstance(value, Estimate):
        return value
    if isinstance(value, Mapping):
        cate = value.get("cate")
        return Estimate(
            float(value["estimate"]),
            float(value["std_error"]),
            None if cate is None else np.asarray(cate, dtype=float),
            str(value.get("estimand", "ate")),
        )
    estimate, std_error = value  # type: ignore[misc]
    return Estimate(float(estimate), float(std_error))


def as_estimates(value: object) -> list[Estimate]:
    """One estimate, or a list of them (one per estimand)."""
    if isinstance(value, list):
        return [as_estimate(v) for v in value]
    return [as_estimate(value)]


def _attempt(estimator: Estimator, data) -> tuple[list[tuple[Estimate | None, str]], float]:
    """Run one estimator under one thread per native pool, built-in or the user's alike, so
    timings compare and a user's BLAS or OpenMP cannot oversubscribe a loaded machine."""
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    try:
        with threadpool_limits(1):
            estimates = as_estimates(estimator(data.tables, data.truth))
    except Exception as exc:  # a user's estimator: report whatever it raised, go on
        return [(None, f"raised {type(exc).__name__}: {exc}"[:300])], time.perf_counter() - started
    seconds = time.perf_counter() - started
    return [(e, _status(e, data.estimands)) for e in estimates], seconds


def _status(estimate: Estimate, estimands: Mapping[str, float]) -> str:
    if not (math.isfinite(estimate.value) and math.isfinite(estimate.std_error)):
        return "non-finite estimate or standard error"
    if estimate.estimand not in estimands:
        return f"estimand {estimate.estimand!r} not stated here; the variant states: " + (
            ", ".join(estimands)
        )
    return "ok"


def run_benchmark(
    variants: Sequence[Scenario],
    estimators: Mapping[str, Estimator],
    n_patients: int,
    seeds: Sequence[int],
    on_done: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per (estimator, variant, seed): the estimate, its error against the
    sample truth of its estimand (the ATE, or the compliers' effect for an estimate of the
    LATE), whether the 95% interval covers it, and the status. A built-in that does not
    apply to a variant (the IV baseline without an instrument) has no row for it."""
    rows = []
    total = len(variants) * len(seeds)
    for i, (scenario, seed) in enumerate((v, s) for v in variants for s in seeds):
        data = variant_data(scenario, n_patients, seed)
        for name, estimator in estimators.items():
            if not applies(estimator, data.truth):
                continue
            attempts, seconds = _attempt(estimator, data)
            for estimate, status in attempts:
                ok = estimate is not None and status == "ok"
                value = estimate.value if estimate else np.nan
                se = estimate.std_error if estimate else np.nan
                estimand = estimate.estimand if estimate else "ate"
                truth = data.estimands.get(estimand, np.nan)
                rows.append(
                    (
                        name,
                        scenario.label,
                        seed,
                        estimand,
                        estimand in data.identified,
                        truth,
                        value,
                        se,
                        value - truth,
                        abs(value - truth) <= Z_95 * se if ok else False,
                        pehe(estimate.cate if estimate else None, data.true_cate),
                        status,
                        seconds,
                    )
                )
        if on_done:
            on_done(i + 1, total)
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def pehe(cate: np.ndarray | None, true_cate: np.ndarray) -> float:
    """Precision in estimating heterogeneous effects: sqrt(mean((cate - true CATE)^2));
    NaN when no CATEs (or not one per unit) were returned."""
    if cate is None or np.shape(cate) != true_cate.shape:
        return float("nan")
    return float(np.sqrt(np.mean((np.asarray(cate, dtype=float) - true_cate) ** 2)))


def score(results: pd.DataFrame, by: Sequence[str] = ("estimator",)) -> pd.DataFrame:
    """Bias, RMSE, 95% CI coverage, mean SE and mean PEHE (where CATEs were returned)
    over the successful runs of each group, with the runs and failures counted; sorted by
    RMSE."""
    ok = results["status"] == "ok"
    frame = results.assign(ok=ok, failed=~ok, sq=results["error"] ** 2)
    grouped = frame.groupby(list(by), sort=False)
    table = pd.DataFrame(
        {
            "runs": grouped.size(),
            "failed": grouped["failed"].sum(),
            "bias": grouped["error"].mean(),
            "rmse": np.sqrt(grouped["sq"].mean()),
            "coverage": frame[ok].groupby(list(by), sort=False)["covered"].mean(),
            "mean_se": grouped["std_error"].mean(),
            "pehe": grouped["pehe"].mean(),
            "seconds": grouped["seconds"].mean(),
        }
    )
    return table.sort_values("rmse", na_position="last")


def knob_column(results: pd.DataFrame, knob: str) -> pd.Series:
    """The value of one knob in each row's variant label ('' where the variant lacks it)."""
    return results["variant"].str.extract(rf"[~,]{knob}=([^,]+)", expand=False).fillna("")


def write_report(results: pd.DataFrame, folder: Path, stem: str) -> tuple[Path, Path]:
    """Every run as CSV; the leaderboard (table and plot) and every run as one HTML page."""
    # matplotlib and the validation report's stack load with a report, not with a run
    from e2i_synth.benchmark.plots import leaderboard_figure
    from e2i_synth.validation.report import figure_svg

    folder.mkdir(parents=True, exist_ok=True)
    csv, html = folder / f"{stem}.csv", folder / f"{stem}.html"
    results.to_csv(csv, index=False)
    identified = results[results["identified"]]
    headline = identified[identified["estimand"] == "ate"]
    headline = headline if len(headline) else identified
    board = score(headline)
    plot = (
        figure_svg(leaderboard_figure(headline, board))
        if board["runs"].gt(board["failed"]).any()
        else ""
    )
    hard = results[(knob_column(results, "nonlinear") == "true")]
    sections = [
        ("Leaderboard by estimand", by_estimand(results)),
        ("By estimand and variant (RMSE)", by_variant(results)),
        ("Nonlinear variants", by_estimand(hard) if len(hard) else pd.DataFrame()),
        ("Every run", results),
    ]
    note = (
        "<p>Each estimand is scored over the variant-seeds whose data identify it; an "
        "estimator is ranked only where it answered on all of them (variants k/N), and its "
        "estimates of a target the data do not identify are counted apart (not_identified). "
        "The plot shows the identified runs of the ATE.</p>"
    )
    body = note + "".join(
        f"<h2>{title}</h2>{table.to_html(float_format=lambda v: f'{v:.4f}')}"
        for title, table in sections
        if len(table)
    )
    html.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{stem}</title></head>"
        f"<body><h1>{stem}</h1>{plot}{body}</body></html>"
    )
    return csv, html
