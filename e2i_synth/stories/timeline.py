"""Move a scenario's calendar so the windows a story's queries ask about hold data.

Every event date and timestamp of every table moves by the same number of days, so time
order, lags, durations and the causal truth are untouched. Calendar-month values
(business_metrics months, monthly feature values, the signals that describe them) move by
whole months, so they stay on month starts and keep their seasonality; the plan reports
the gap between the two shifts.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from e2i_synth.stories.windows import Window, add_months, month_start
from e2i_synth.tables import SPECS

Frames = dict[str, pd.DataFrame]
TEMPORAL_TYPES = ("DATE", "TIMESTAMP")
DAYS_PER_MONTH = 365.2425 / 12


def _feature_entity(frames: Frames) -> pd.Series:
    return frames["features"].set_index("feature_id")["entity_type"]


def _monthly_feature_values(frames: Frames) -> np.ndarray:
    """HCP and brand-region features are calendar-month series; patient ones are events."""
    entity = frames["feature_values"]["feature_id"].map(_feature_entity(frames))
    return (entity != "patient").to_numpy()


def _monthly_signals(frames: Frames) -> np.ndarray:
    signals = frames["scenario_signals"]
    by_name = frames["features"].set_index("feature_name")["entity_type"]
    subject_entity = signals["subject"].map(by_name)
    about_metrics = signals["table_name"] == "business_metrics"
    return (about_metrics | (subject_entity.notna() & (subject_entity != "patient"))).to_numpy()


MONTHLY_ROWS: dict[tuple[str, str], Callable[[Frames], np.ndarray]] = {
    ("business_metrics", "metric_date"): lambda f: np.ones(len(f["business_metrics"]), bool),
    ("feature_values", "event_timestamp"): _monthly_feature_values,
    ("scenario_signals", "start_date"): _monthly_signals,
}
"""Which rows of a date column are calendar months (moved by months, not days)."""


def temporal_columns() -> list[tuple[str, str]]:
    return [
        (t, c)
        for t, spec in SPECS.items()
        for c, kind in spec.columns.items()
        if kind in TEMPORAL_TYPES
    ]


def shift_months(values: np.ndarray, months: int) -> np.ndarray:
    """datetime64 values `months` calendar months later, the day clamped to the month."""
    values = values.astype("datetime64[s]")
    day = values.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    into_month = day - month.astype("datetime64[D]")
    time_of_day = values - day.astype("datetime64[s]")
    moved = month + months
    length = (moved + 1).astype("datetime64[D]") - moved.astype("datetime64[D]")
    clamped = np.minimum(into_month, length - np.timedelta64(1, "D"))
    return (moved.astype("datetime64[D]") + clamped).astype("datetime64[s]") + time_of_day


@dataclass(frozen=True)
class Shift:
    """Calendar-month values move `months` months; event dates move `days` days."""

    months: int
    days: int

    def column(self, frames: Frames, table: str, column: str) -> pd.Series:
        series = frames[table][column]
        values = series.to_numpy().astype("datetime64[s]")
        monthly = MONTHLY_ROWS.get((table, column), lambda f: np.zeros(len(series), bool))(frames)
        moved = np.where(
            monthly, shift_months(values, self.months), values + np.timedelta64(self.days, "D")
        )
        return pd.Series(moved, index=series.index, name=column).astype(series.dtype)

    def day(self, value: date, monthly: bool) -> date:
        if monthly:
            return add_months(value, self.months)
        return value + timedelta(days=self.days)


def shift_text(text: str, old: pd.Timestamp, new: pd.Timestamp) -> str:
    """A description that quotes its own date (day or month) quotes the moved one."""
    if pd.isna(old):
        return text
    return text.replace(f"{old:%Y-%m-%d}", f"{new:%Y-%m-%d}").replace(
        f"{old:%Y-%m}", f"{new:%Y-%m}"
    )


def shift_seasonal_text(text: str, months: int) -> str:
    """Calendar month names in a seasonality statement move with the months."""
    names = list(calendar.month_name)[1:]
    for i, name in enumerate(names):
        if f"in {name}" in text:
            return text.replace(f"in {name}", f"in {names[(i + months) % 12]}")
    return text


def apply_shift(frames: Frames, shift: Shift) -> Frames:
    """New frames with every date moved by `shift`; nothing else changes but the signal
    descriptions that quote those dates."""
    out = {name: frame.copy() for name, frame in frames.items()}
    for table, column in temporal_columns():
        if table in out:
            out[table][column] = shift.column(frames, table, column)
    if "scenario_signals" in out:
        signals = out["scenario_signals"]
        old = frames["scenario_signals"]["start_date"]
        signals["description"] = [
            shift_seasonal_text(shift_text(d, o, n), shift.months)
            if kind == "seasonality"
            else shift_text(d, o, n)
            for d, o, n, kind in zip(
                signals["description"],
                old,
                signals["start_date"],
                signals["signal_type"],
                strict=True,
            )
        ]
    return out


@dataclass(frozen=True)
class Coverage:
    table: str
    column: str
    window: Window  # as the query asks
    needed: Window  # the part that can hold data: up to the data end, whole months if monthly
    data: tuple[date, date]  # the column's first and last day after the shift

    @property
    def covered(self) -> bool:
        first, last = self.data
        start_ok = self.needed.start is None or first <= self.needed.start
        end_ok = self.needed.end is None or last >= self.needed.end - timedelta(days=1)
        return start_ok and end_ok


@dataclass(frozen=True)
class TimelinePlan:
    as_of: date
    data_end: date  # no queried date after this day
    shift: Shift
    coverage: tuple[Coverage, ...]

    @property
    def uncovered(self) -> list[Coverage]:
        return [c for c in self.coverage if not c.covered]

    @property
    def month_day_gap(self) -> int:
        """Days between the event shift and the month shift (0: exactly aligned)."""
        return abs(self.shift.days - round(self.shift.months * DAYS_PER_MONTH))


def _span(frames: Frames, table: str, column: str) -> tuple[tuple[date, date], bool]:
    values = frames[table][column].dropna()
    monthly = (table, column) in MONTHLY_ROWS and bool(MONTHLY_ROWS[(table, column)](frames).all())
    return (values.min().date(), values.max().date()), monthly


def _clip(window: Window, data_end: date, monthly: bool) -> Window:
    """The part of a window that can hold data: up to the data end, and for monthly columns
    (a month's value is dated on its first day) up to the last month that has begun."""
    end = min(window.end, data_end + timedelta(days=1)) if window.end else None
    if monthly and end is not None:
        end = month_start(end - timedelta(days=1)) + timedelta(days=1)
    return Window(window.start, end)


def _latest_months(last_month: date, data_end: date) -> int:
    """The most months a monthly series can move with its last month complete by data_end."""
    months = (data_end.year - last_month.year) * 12 + data_end.month - last_month.month
    while add_months(last_month, months + 1) - timedelta(days=1) > data_end:
        months -= 1
    return months


def latest_shift(spans: dict, data_end: date) -> Shift:
    """The latest shift keeping every column of `spans` ((first, last), monthly) by
    `data_end`."""
    daily = [last for (_, last), monthly in spans.values() if not monthly]
    monthly = [last for (_, last), is_monthly in spans.values() if is_monthly]
    if monthly:
        months = min(_latest_months(last, data_end) for last in monthly)
    if daily:
        days = min((data_end - last).days for last in daily)
        months = months if monthly else round(days / DAYS_PER_MONTH)
    else:
        days = (add_months(monthly[0], months) - monthly[0]).days
    return Shift(months, days)


def plan_timeline(
    frames: Frames,
    windows: Iterable[tuple[str, str, Window]],
    as_of: date,
    data_end: date,
    shift: Shift | None = None,
) -> TimelinePlan:
    """The latest shift that keeps every queried date column at or before `data_end`: the
    queried event dates end on that day, queried monthly series on their last complete
    month (so a window covers whole months; the two shifts then differ by `month_day_gap`
    days). The coverage of each window is reported, so an empty one is named, not found
    live. A given `shift` is kept (and its coverage reported) instead."""
    wanted = list(windows)
    spans = {(t, c): _span(frames, t, c) for t, c, _ in wanted}
    if not spans:  # nothing filtered by date: the patients' index dates end at the data end
        spans = {
            ("patient_journeys", "index_date"): _span(frames, "patient_journeys", "index_date")
        }
    shift = shift or latest_shift(spans, data_end)
    coverage = tuple(
        Coverage(
            table,
            column,
            window,
            _clip(window, data_end, spans[(table, column)][1]),
            tuple(shift.day(d, spans[(table, column)][1]) for d in spans[(table, column)][0]),
        )
        for table, column, window in wanted
    )
    return TimelinePlan(as_of, data_end, shift, coverage)
