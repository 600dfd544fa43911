"""Move a scenario's calendar onto a story's, whose data cut is its data end.

Every event date and timestamp of every table moves by the same number of days, so time
order, lags, durations and the causal truth are untouched. Calendar-month values
(business_metrics months, monthly feature values, the signals that describe them) move by
whole months, so they stay on month starts and keep their seasonality; the two shifts
agree at the world's "now" (`calendar_shift`). No row dated after the data end remains
(`cut_frames`), and the plan reports whether each queried window holds data.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from e2i_synth.catalog import METRIC_FIRST_MONTH, METRIC_MONTHS
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
    truth = out.get("causal_ground_truth")
    if truth is not None:  # the censoring statement quotes the data cut
        old = frames["causal_ground_truth"]["data_cut_date"]
        truth["identification"] = [
            shift_text(text, o, n)
            for text, o, n in zip(truth["identification"], old, truth["data_cut_date"], strict=True)
        ]
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
    data: tuple[date, date]  # the column's first day and the last its calendar reaches

    @property
    def covered(self) -> bool:
        first, last = self.data
        start_ok = self.needed.start is None or first <= self.needed.start
        end_ok = self.needed.end is None or last >= self.needed.end - timedelta(days=1)
        return start_ok and end_ok

    @property
    def holds_data(self) -> bool:
        """Whether any day of the window can hold data (a window partly before the data,
        e.g. one that starts before a launch, does)."""
        first, last = self.data
        needed = self.needed
        if needed.empty:
            return False
        return (needed.start is None or needed.start <= last) and (
            needed.end is None or needed.end > first
        )

    def describe(self) -> str:
        return (
            f"the window {self.window} on {self.table}.{self.column} holds no data: the "
            f"story's data there runs {self.data[0]} .. {self.data[1]}"
        )


@dataclass(frozen=True)
class TimelinePlan:
    as_of: date
    data_end: date  # the story's data cut: no date of any table after this day
    shift: Shift
    coverage: tuple[Coverage, ...]

    @property
    def uncovered(self) -> list[Coverage]:
        return [c for c in self.coverage if not c.covered]

    def without_data(self, windows: dict[tuple[str, str], Window]) -> list[Coverage]:
        """The coverage of those of `windows` (a query's) that hold no data."""
        return [
            c
            for c in self.coverage
            if windows.get((c.table, c.column)) == c.window and not c.holds_data
        ]

    @property
    def month_day_gap(self) -> int:
        """Days between the event shift and the month shift (0: exactly aligned)."""
        return abs(self.shift.days - round(self.shift.months * DAYS_PER_MONTH))


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


WORLD_LAST_MONTH = add_months(METRIC_FIRST_MONTH, METRIC_MONTHS - 1)
"""The last month of the world's calendar-month series (business_metrics, HCP volumes)."""


def calendar_shift(data_end: date) -> Shift:
    """The shift onto a story's calendar: the world's monthly series end on the last month
    complete by `data_end`, and event dates move by the same calendar months counted in
    days from the month after the series (the world's "now"), so a day and its month move
    together. What the events of the world hold after the data end is cut by re-dating
    the patients (`seasons.calendar_frames`) and by `cut_frames`."""
    months = _latest_months(WORLD_LAST_MONTH, data_end)
    now = add_months(WORLD_LAST_MONTH, 1)
    return Shift(months, (add_months(now, months) - now).days)


def cut_frames(frames: Frames, data_end: date) -> Frames:
    """The frames without any row dated after `data_end` in any date or timestamp column
    (rows that do not exist yet on the data cut, e.g. a trigger raised days after its
    prediction, a month's KPI stamped when the month closes), and without the rows that
    hang on a removed row by a foreign key, parents first."""
    end = pd.Timestamp(data_end) + pd.Timedelta(days=1)
    out: Frames = {}
    removed: dict[str, set] = {}
    for table, frame in frames.items():
        spec = SPECS.get(table)
        if spec is None:
            out[table] = frame
            continue
        keep = np.ones(len(frame), bool)
        for column, kind in spec.columns.items():
            if kind in TEMPORAL_TYPES:
                keep &= ~(frame[column] >= end).to_numpy()
        for column, parent in spec.foreign_keys.items():
            if removed.get(parent):
                keep &= ~frame[column].isin(removed[parent]).to_numpy()
        if not keep.all():
            removed[table] = set(frame.loc[~keep, spec.primary_key])
            frame = frame[keep].reset_index(drop=True)
        out[table] = frame
    return out


def _span(frames: Frames, table: str, column: str) -> tuple[tuple[date, date], bool]:
    values = frames[table][column].dropna()
    monthly = (table, column) in MONTHLY_ROWS and bool(MONTHLY_ROWS[(table, column)](frames).all())
    return (values.min().date(), values.max().date()), monthly


def plan_timeline(
    frames: Frames,
    windows: Iterable[tuple[str, str, Window]],
    as_of: date,
    data_end: date,
    shift: Shift,
) -> TimelinePlan:
    """The coverage of each queried window by the story's frames (on the story's calendar,
    cut on `data_end`), so an empty window is named, not found live: a column's data runs
    from its first day to the data end (every process of the story runs up to its cut),
    a calendar-month column's to its last month."""
    coverage = []
    for table, column, window in windows:
        (first, last), monthly = _span(frames, table, column)
        coverage.append(
            Coverage(
                table,
                column,
                window,
                _clip(window, data_end, monthly),
                (first, last if monthly else data_end),
            )
        )
    return TimelinePlan(as_of, data_end, shift, tuple(coverage))
