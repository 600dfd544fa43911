"""business_metrics as series: continuity, ranges and fields derived from the series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS, METRIC_FIRST_MONTH, METRIC_TYPES
from e2i_synth.tables.uptake import STEADY_UPTAKE, steady_months
from e2i_synth.validation.integrity import Frames
from e2i_synth.validation.result import CheckResult, from_problems

TABLE = "business_metrics"
SERIES = ["brand", "dgp_type", "region", "metric_name"]
RTOL = 1e-9
UPPER = {"share": 1.0, "rate": 1.0, "score": 10.0}


def relative_change(ordered: pd.DataFrame, lag: int) -> pd.Series:
    previous = ordered.groupby(SERIES, sort=False)["value"].shift(lag)
    return (ordered["value"] / previous - 1).where(previous > 0)


def mismatched(stored: pd.Series, expected: pd.Series) -> pd.Series:
    both = stored.notna() & expected.notna()
    differ = both & ~np.isclose(stored, expected, rtol=RTOL, atol=1e-12)
    return differ | (stored.isna() != expected.isna())


def outside_range(trx: pd.Series) -> int:
    """Months whose national TRx is outside the brand's range, among the steady-state
    months (the brand's Bass new-patient uptake >= STEADY_UPTAKE): a launch ramps to it.
    A month is placed by its position in the series, which starts in the brand's launch
    month (or the calendar's first), so a series moved onto another calendar (a story's)
    is judged on its own launch."""
    national = trx.groupby(level=["brand", "dgp_type", "metric_date"]).sum().reset_index()
    position = national.groupby(["brand", "dgp_type"]).cumcount().to_numpy()
    first = national["brand"].map(lambda b: BRANDS[b].metric_months.start).to_numpy()
    calendar = np.datetime64(METRIC_FIRST_MONTH, "M") + first + position
    steady = np.zeros(len(national), bool)
    for brand, rows in national.groupby("brand").indices.items():
        steady[rows] = steady_months(str(brand), calendar[rows])
    bounds = np.array([BRANDS[b].trx_per_month for b in national["brand"]]).reshape(-1, 2)
    value = national["trx"].to_numpy()
    return int((steady & ((value < bounds[:, 0]) | (value > bounds[:, 1]))).sum())


def check_metric_series(frames: Frames) -> CheckResult:
    frame = frames[TABLE]
    ordered = frame.sort_values([*SERIES, "metric_date"]).reset_index(drop=True)
    problems: list[str] = []
    month = ordered["metric_date"].dt.year * 12 + ordered["metric_date"].dt.month
    step = month.groupby([ordered[c] for c in SERIES], sort=False).diff()
    lengths = ordered.groupby(SERIES, sort=False).size()
    gaps = int((step.notna() & (step != 1)).sum())
    expected = lengths.index.get_level_values("brand").map(lambda b: len(BRANDS[b].metric_months))
    short = int((lengths.to_numpy() != expected.to_numpy()).sum())
    if gaps or short:
        broken = ordered.loc[step.ne(1) & step.notna(), SERIES].head(1).to_dict("records")
        problems.append(
            f"{gaps} breaks in monthly continuity and {short} series not running from the "
            f"brand's launch month to the last month, e.g. {broken}"
        )
    derived = {
        "achievement_rate": ordered["value"] / ordered["target"],
        "mom_change": relative_change(ordered, 1),
        "yoy_change": relative_change(ordered, 12),
    }
    for column, expected in derived.items():
        bad = int(mismatched(ordered[column], expected).sum())
        if bad:
            problems.append(f"{TABLE}.{column}: {bad} rows differ from the series")
    kind = ordered["metric_name"].map(METRIC_TYPES)
    upper = kind.map(UPPER).fillna(np.inf)
    out = (ordered["value"] < 0) | (ordered["value"] > upper)
    if out.any():
        example = ordered.loc[out, ["metric_name", "value"]].iloc[0].to_dict()
        problems.append(f"{TABLE}.value: {int(out.sum())} rows out of range, e.g. {example}")
    keys = [*SERIES[:3], "metric_date"]
    volumes = ordered.pivot_table(index=keys, columns="metric_name", values="value")
    if {"trx", "nrx"} <= set(volumes.columns):
        above = int((volumes["nrx"] > volumes["trx"]).sum())
        if above:
            problems.append(f"{TABLE}: NRx above TRx in {above} months")
        outside = outside_range(volumes["trx"])
        if outside:
            problems.append(
                f"{TABLE}: national TRx outside the brand's range in {outside} steady-state "
                f"months (new-patient uptake >= {STEADY_UPTAKE})"
            )
    uncovered = ~(
        (ordered["confidence_interval_lower"] <= ordered["value"])
        & (ordered["value"] <= ordered["confidence_interval_upper"])
    )
    if uncovered.any():
        problems.append(f"{TABLE}: {int(uncovered.sum())} confidence intervals exclude the value")
    figures = {"rows": len(frame), "series": len(lengths), "gaps": gaps}
    ok = f"{len(lengths)} series from launch to the last month; derived fields and ranges hold"
    return from_problems("series", TABLE, problems, ok, figures)
