"""Named SQL for agents and dashboards: `e2i_synth/sql/queries/<name>.sql`, on any warehouse."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from e2i_synth.errors import E2IError
from e2i_synth.warehouse.base import Warehouse
from e2i_synth.warehouse.migrations import SQL_DIR

QUERIES_DIR = SQL_DIR / "queries"


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def query_text(name: str) -> str:
    """The SQL of a named query; only names of files in the queries folder resolve (a path
    such as '../schema' is not a name)."""
    known = query_names()
    if name not in known:
        raise E2IError(f"no query named {name!r}; known: {', '.join(known)}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def scenario_summary(store: Warehouse) -> pd.DataFrame:
    """Per scenario: patients, engaged share, initiation rate, naive contrast, true ATE."""
    frame = store.query(query_text("scenario_summary"))
    numeric = ["engaged_share", "initiation_rate", "naive_difference", "true_ate"]
    return frame.astype({c: float for c in numeric}).astype({"patients": int})


def gap_time_series(
    store: Warehouse, brand: str, region: str, metric: str, start: date, end: date
) -> pd.DataFrame:
    """A metric's monthly value, target and gap for one brand and region, per scenario."""
    frame = store.query(
        query_text("gap_time_series"),
        {"brand": brand, "region": region, "metric": metric, "start": start, "end": end},
    )
    numeric = [
        c
        for c in frame.columns
        if c not in ("brand", "dgp_type", "region", "metric_name", "metric_date")
    ]
    frame[numeric] = frame[numeric].astype(float)
    frame["metric_date"] = pd.to_datetime(frame["metric_date"]).astype("datetime64[us]")
    return frame


def drift_windows(
    store: Warehouse,
    feature: str,
    baseline: tuple[datetime, datetime],
    current: tuple[datetime, datetime],
) -> pd.DataFrame:
    """A feature's values in the two windows (`window_name` baseline/current), per scenario;
    `value` parsed to a number where the feature is numeric."""
    frame = store.query(
        query_text("drift_windows"),
        {
            "feature": feature,
            "baseline_start": baseline[0],
            "baseline_end": baseline[1],
            "current_start": current[0],
            "current_end": current[1],
        },
    )
    frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"]).astype("datetime64[us]")
    text = frame["value"].astype(str)
    numbers = pd.to_numeric(text.replace({"true": "1", "false": "0"}), errors="coerce")
    frame["value"] = numbers.astype(object).where(~text.str.startswith('"'), text.str.strip('"'))
    return frame
