"""Weight a story's calendar toward the windows its queries ask about, with its seasonality.

The patients are re-dated in the scenario's world, before any table is built. Each
patient's whole timeline moves by one number of days: its journey start is drawn over the
scenario's journey-start span so that its index date follows one day density, which puts
the story's `window_share` inside the queries' windows (a window on another patient date,
e.g. `outcome_date`, counts at that column's median distance from the index date) and
weights each day by its calendar month's multiplier. Gaps, lags and durations within a
patient's timeline stay exactly as drawn. Every table is then built by its own generator,
so treatment events, predictions, triggers, the world-tied business metrics (conversion
and engagement score by index month, engagement spend) and the feature store's patient
values (a drifted one included) agree with the new dates. HCP-level field engagements (no
patient) are re-dated from the same density over the span of all engagement dates.
Covariates, treatment and potential outcomes are the same arrays, so the causal truth
does not move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from e2i_synth.seeds import stream
from e2i_synth.stories.model import MONTHS, Temporal
from e2i_synth.stories.windows import Window
from e2i_synth.tables import SPECS, build_tables
from e2i_synth.world import World

Frames = dict[str, pd.DataFrame]
ANCHOR = ("patient_journeys", "index_date")
FIELD = ("engagement_events", "engagement_date")


@dataclass(frozen=True)
class CalendarWeighting:
    """What the weighting aimed at and reached, as shares of patients' index dates inside
    `windows` (the queries' windows on the index-date axis, story calendar)."""

    windows: tuple[Window, ...]
    seasonality: dict[str, float]
    stated: float | None  # the story's window_share
    natural: float  # the share the seasonality alone gives (uniform days otherwise)
    target: float  # max(stated, natural): weighting never moves data out of the windows
    before: float  # in the scenario as generated (on the story's calendar)
    reached: float  # in the story's data


def raised(temporal: Temporal, weight: float) -> Temporal:
    """The calendar of a retry: the share of dates outside the windows divided by `weight`
    (0.6 in the windows becomes 0.73 at x1.5, 0.8 at x2)."""
    if temporal.window_share is None or weight == 1:
        return temporal
    return temporal.model_copy(update={"window_share": 1 - (1 - temporal.window_share) / weight})


def patient_offsets(frames: Frames) -> dict[tuple[str, str], int]:
    """Median days from each patient's index date to its dates in every patient-linked
    date column (HCP-level rows, with no patient, left out)."""
    index = frames["patient_journeys"].set_index("patient_id")[ANCHOR[1]]
    offsets = {}
    for table, spec in SPECS.items():
        if "patient_id" not in spec.columns:
            continue
        frame = frames[table]
        anchor = frame["patient_id"].map(index)
        for column, kind in spec.columns.items():
            if kind in ("DATE", "TIMESTAMP"):
                days = ((frame[column] - anchor) / pd.Timedelta(days=1)).dropna()
                offsets[(table, column)] = int(np.round(np.median(days))) if len(days) else 0
    return offsets


def anchor_windows(
    windows: Iterable[tuple[str, str, Window]], offsets: dict[tuple[str, str], int]
) -> tuple[Window, ...]:
    """The windows on patient dates, moved onto the index-date axis."""

    def back(day, offset):
        return None if day is None else day - timedelta(days=offset)

    moved = [
        Window(back(w.start, offsets[(t, c)]), back(w.end, offsets[(t, c)]))
        for t, c, w in windows
        if (t, c) in offsets
    ]
    return union(w for w in moved if not w.empty)


def union(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Disjoint windows covering the same days, in order."""
    spans = sorted((w.start or date.min, w.end or date.max) for w in windows)
    merged: list[list[date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(
        Window(None if s == date.min else s, None if e == date.max else e) for s, e in merged
    )


def inside(days: np.ndarray, windows: Iterable[Window]) -> np.ndarray:
    """Which datetime64 days fall in any of the half-open windows."""
    days = np.asarray(days).astype("datetime64[D]")
    mask = np.zeros(days.shape, bool)
    for w in windows:
        start = np.datetime64(w.start) if w.start else days.min()
        end = np.datetime64(w.end) if w.end else days.max() + 1
        mask |= (days >= start) & (days < end)
    return mask


def month_weights(days: np.ndarray, temporal: Temporal) -> np.ndarray:
    """Each day's seasonality multiplier (story calendar)."""
    factors = np.array([temporal.seasonality.get(m, 1.0) for m in MONTHS])
    return factors[days.astype("datetime64[M]").astype(int) % 12]


def day_density(
    days: np.ndarray, windows: tuple[Window, ...], temporal: Temporal
) -> tuple[np.ndarray, float, float]:
    """(probability per day, natural share, target share) over story-calendar `days`:
    the target share of the mass inside the windows, seasonal within and without."""
    weight = month_weights(days, temporal)
    hit = inside(days, windows)
    natural = float(weight[hit].sum() / weight.sum())
    if temporal.window_share is None or hit.all() or not hit.any():
        return weight / weight.sum(), natural, natural
    target = max(temporal.window_share, natural)
    scale = np.where(hit, target / weight[hit].sum(), (1 - target) / weight[~hit].sum())
    return weight * scale, natural, target


def draw_days(first: np.datetime64, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Days from `first` on, day i with probability p[i], by inverting the CDF at `u`."""
    cdf = np.cumsum(p)
    picked = np.searchsorted(cdf, u * cdf[-1], side="right")
    return first + np.minimum(picked, len(p) - 1)


def span_days(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values).astype("datetime64[D]")
    return np.arange(values.min(), values.max() + 1)


def redated_world(
    world: World, windows: tuple[Window, ...], temporal: Temporal, shift_days: int, seed: int
) -> tuple[World, float, float]:
    """The world with every patient's timeline moved whole; (world, natural share, target
    share), both averaged over patients.

    A patient's journey start is drawn over the scenario's journey-start span so that its
    index date (start + the patient's own gap), within the scenario's index-date span,
    follows the density: patients are grouped by gap (a few dozen values), so each group's
    index dates have exactly the target share inside the windows and every offset within a
    patient's timeline stays as drawn."""
    starts = span_days(world.journey_start)
    first, last = world.index_date.min(), world.index_date.max()
    gap = (world.index_date - world.journey_start).astype(int)
    u = stream(seed, "story", "calendar", "patients").random(world.n_patients)
    start = np.empty(world.n_patients, "datetime64[D]")
    natural, target = np.empty(world.n_patients), np.empty(world.n_patients)
    for days in np.unique(gap):
        rows = gap == days
        # index dates stay within the scenario's own span, so its plan still holds
        allowed = starts[(starts + days >= first) & (starts + days <= last)]
        p, natural[rows], target[rows] = day_density(allowed + days + shift_days, windows, temporal)
        start[rows] = draw_days(allowed[0], p, u[rows])
    delta = start - world.journey_start
    moved = replace(
        world,
        journey_start=start,
        index_date=world.index_date + delta,
        initiation_date=world.initiation_date + delta,
        outcome_date=world.outcome_date + delta,
    )
    return moved, float(natural.mean()), float(target.mean())


def redate_field(
    frame: pd.DataFrame, windows: tuple[Window, ...], temporal: Temporal, shift_days: int, seed
) -> pd.DataFrame:
    """HCP-level engagements (no patient) drawn from the same density over the span of
    every engagement date."""
    table, column = FIELD
    field = frame["patient_id"].isna().to_numpy()
    days = span_days(frame[column].to_numpy())
    p, _, _ = day_density(days + shift_days, windows, temporal)
    u = stream(seed, "story", "calendar", table).random(int(field.sum()))
    out = frame.copy()
    out.loc[field, column] = draw_days(days[0], p, u)
    return out


def weight_calendar(
    world: World,
    base: Frames,
    windows: Iterable[tuple[str, str, Window]],
    temporal: Temporal,
    shift_days: int,
    seed: int,
) -> tuple[Frames, CalendarWeighting]:
    """The scenario's tables rebuilt from the re-dated world. `shift_days` is the event
    shift of the story's calendar, so windows and months are the story's; `reached` is
    the share before that shift is applied (the caller measures it on its final plan)."""
    on_anchor = anchor_windows(windows, patient_offsets(base))
    moved, natural, target = redated_world(world, on_anchor, temporal, shift_days, seed)

    def adjust(name: str, frame: pd.DataFrame) -> pd.DataFrame:
        if name != FIELD[0]:
            return frame
        return redate_field(frame, on_anchor, temporal, shift_days, seed)

    frames = build_tables(moved, adjust)
    before = anchor_share(base, on_anchor, shift_days)
    weighting = CalendarWeighting(
        windows=on_anchor,
        seasonality=dict(temporal.seasonality),
        stated=temporal.window_share,
        natural=natural,
        target=target,
        before=before,
        reached=anchor_share(frames, on_anchor, shift_days),
    )
    return frames, weighting


def anchor_share(frames: Frames, windows: tuple[Window, ...], shift_days: int) -> float:
    """Share of patients whose index date, moved `shift_days`, falls in the windows."""
    days = frames[ANCHOR[0]][ANCHOR[1]].to_numpy().astype("datetime64[D]") + shift_days
    return float(inside(days, windows).mean()) if windows else 1.0
