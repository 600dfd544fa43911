"""The leaderboard by estimand: one column group per estimand, each cell over the same
variant-seeds for every estimator, ranked only where the data identify the target.

Pooling every run into one table (as `run.score` does) mixes estimands (an IV estimator's
LATE runs beside everyone's ATE runs) and variant sets (a front-door estimator runs on two
variants, OLS on all of them), and ranks estimates of targets the data cannot identify
(the full population's ATE when outcomes are missing not at random), where two biases may
cancel by luck. Here an estimator is ranked on an estimand only when it answered on every
variant-seed that identifies it; fewer are shown unranked with how many, and estimates of
an unidentified target are counted apart and never ranked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from e2i_synth.benchmark.estimators import Z_95

HEADLINE_COLUMNS = (
    "rank",
    "variants",
    "runs",
    "failed",
    "bias",
    "rmse",
    "coverage",
    "coverage_low",
    "coverage_high",
    "interval_length",
    "not_identified",
)


def by_estimand(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (estimand, estimator): over the variant-seeds where the estimand is
    identified, on how many of their variants the estimator answered ("k/N"), its bias,
    RMSE, 95% CI coverage with a Wilson interval and the mean interval length; `rank` by
    RMSE among the estimators that answered on every variant-seed without failing (NaN
    otherwise); `not_identified` counts its estimates of this estimand on variants that do
    not identify it (excluded from every other figure)."""
    frames = [_estimand_rows(estimand, rows) for estimand, rows in results.groupby("estimand")]
    if not frames:
        return pd.DataFrame(columns=["estimand", "estimator", *HEADLINE_COLUMNS])
    return pd.concat(frames).set_index(["estimand", "estimator"])


def _estimand_rows(estimand: str, rows: pd.DataFrame) -> pd.DataFrame:
    identified = rows[rows["identified"]]
    cells = identified[["variant", "seed"]].drop_duplicates()
    records = []
    for estimator, runs in rows.groupby("estimator", sort=False):
        mine = runs[runs["identified"]]
        ok = mine[mine["status"] == "ok"]
        answered = mine[["variant", "seed"]].drop_duplicates()
        every = len(cells) > 0 and len(cells.merge(answered)) == len(cells)
        covered = int(ok["covered"].sum())
        low, high = _wilson(covered, len(ok))
        records.append(
            {
                "estimand": estimand,
                "estimator": estimator,
                "variants": f"{answered['variant'].nunique()}/{cells['variant'].nunique()}",
                "complete": every and len(ok) == len(mine),
                "runs": len(mine),
                "failed": len(mine) - len(ok),
                "bias": ok["error"].mean() if len(ok) else np.nan,
                "rmse": float(np.sqrt((ok["error"] ** 2).mean())) if len(ok) else np.nan,
                "coverage": covered / len(ok) if len(ok) else np.nan,
                "coverage_low": low,
                "coverage_high": high,
                "interval_length": float((2 * Z_95 * ok["std_error"]).mean())
                if len(ok)
                else np.nan,
                "not_identified": int((~runs["identified"]).sum()),
            }
        )
    table = pd.DataFrame(records)
    ranked = table["rmse"].where(table.pop("complete"))
    table.insert(2, "rank", ranked.rank(method="min").astype("Int64"))
    return table.sort_values(["rank", "rmse"], na_position="last")


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson interval of a coverage (NaN without trials): honest at the few
    replicates a cell has, where the normal approximation leaves [0, 1]."""
    if not trials:
        return np.nan, np.nan
    low, high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    return float(low), float(high)


def by_variant(results: pd.DataFrame) -> pd.DataFrame:
    """RMSE of each estimator (columns) on each (estimand, variant), with "not identified"
    where the variant's data do not identify the estimand and "failed" where every run
    failed: the detail behind the headline cells."""
    ok = results["status"] == "ok"
    frame = results.assign(sq=results["error"].where(ok) ** 2)
    cells = frame.groupby(["estimand", "variant", "estimator"], sort=False).agg(
        sq=("sq", "mean"), identified=("identified", "all")
    )
    text = np.sqrt(cells["sq"]).map(lambda v: "failed" if np.isnan(v) else f"{v:.4f}")
    text = text.where(cells["identified"], "not identified")
    return text.unstack("estimator").fillna("")
