"""Date windows [start, end) and the relative ones presenters name, anchored to an as-of
date: every temporal filter of a golden query resolves to one of these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from e2i_synth.errors import E2IError


@dataclass(frozen=True, order=True)
class Window:
    """Half-open: `start` is in the window, `end` is not (either may be open-ended)."""

    start: date | None
    end: date | None

    def intersect(self, other: Window) -> Window:
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        return Window(max(starts) if starts else None, min(ends) if ends else None)

    def span(self, other: Window) -> Window:
        """The smallest window holding both (open-ended where either is)."""
        start = None if self.start is None or other.start is None else min(self.start, other.start)
        end = None if self.end is None or other.end is None else max(self.end, other.end)
        return Window(start, end)

    @property
    def empty(self) -> bool:
        return self.start is not None and self.end is not None and self.start >= self.end

    def __str__(self) -> str:
        return f"[{self.start or '-inf'}, {self.end or '+inf'})"


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_months(day: date, months: int) -> date:
    """Calendar months later, the day clamped to the month's length (Jan 31 + 1 -> Feb 28/29)."""
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def named_window(name: str, as_of: date) -> Window:
    """'this_month', 'last_month', 'this_quarter', 'last_quarter', 'ytd', 'last_year',
    'last_<n>_days': windows that hold no day after the as-of date."""
    tomorrow = as_of + timedelta(days=1)
    if name == "this_month":
        return Window(month_start(as_of), tomorrow)
    if name == "last_month":
        return Window(add_months(month_start(as_of), -1), month_start(as_of))
    if name == "this_quarter":
        return Window(quarter_start(as_of), tomorrow)
    if name == "last_quarter":
        return Window(add_months(quarter_start(as_of), -3), quarter_start(as_of))
    if name == "ytd":
        return Window(date(as_of.year, 1, 1), tomorrow)
    if name == "last_year":
        return Window(date(as_of.year - 1, 1, 1), date(as_of.year, 1, 1))
    parts = name.split("_")
    if len(parts) == 3 and parts[0] == "last" and parts[2] == "days" and parts[1].isdigit():
        return Window(as_of - timedelta(days=int(parts[1])), tomorrow)
    raise E2IError(
        f"unknown window {name!r}; use this_month, last_month, this_quarter, last_quarter, "
        "ytd, last_year or last_<n>_days"
    )
