"""A story's calendar: its patients arrive up to its data end, ramping from the brand's
launch, weighted toward the windows its queries ask about and by its seasonality, and
nothing of theirs after the data end exists yet.

The patients are re-dated in the scenario's world, before any table is built. Each
patient's index date is drawn from one day density over the story's arrival span, from
the scenario's first index date to the day before the data cut: the brand's launch uptake
(`catalog.Uptake`, a Bass curve of the months since launch), times the seasonality (a
continuous curve holding each calendar month's multiplier as its mass), times a weight
that puts the story's `window_share` inside the queries' windows (a window on another
patient date, e.g. `outcome_date`, counts at that column's median distance from the
index date). The weight is full from the first window's start to the data cut, so the
flow of new patients never drops after a window closes, and rises to it geometrically
over the RAMP_DAYS before that start: no day's flow steps up from the day before's. The
patient's whole timeline moves with its index date, so gaps, lags and durations within
it stay as drawn; the world is then cut on the data cut by the `censor`
knob's rules (`world.draw.at_cut`): initiations, refills and stops from the cut on do not
exist and an outcome whose window is still open is unknown (NULL). HCP-level field
engagements (no patient) are drawn from the seasonality and the window weight over the
span from the launch to the cut. Every table is then built by its own generator, so
treatment events, predictions, triggers, the world-tied business metrics and the feature
store's patient values agree with the new dates. Covariates, treatment and potential
outcomes are the same arrays, so the causal truth does not move.

Days here are the world's; `shift_days` later they are the story's, on which windows,
months and the launch are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

from e2i_synth.catalog import BRANDS, INDEX_GAP_DAYS, JOURNEY_START_FIRST, Uptake
from e2i_synth.seeds import stream
from e2i_synth.stories.model import MONTHS, Temporal
from e2i_synth.stories.windows import Window
from e2i_synth.tables import SPECS, build_tables
from e2i_synth.tables.uptake import bass_share
from e2i_synth.world import World
from e2i_synth.world.draw import at_cut

Frames = dict[str, pd.DataFrame]
ANCHOR = ("patient_journeys", "index_date")
FIELD = ("engagement_events", "engagement_date")
DAYS_PER_MONTH = 365.2425 / 12
RAMP_DAYS = 30
"""Days over which the window weight rises, geometrically, to its full level at the first
window's start: new patients per day change by at most a thirtieth of the log of the
weight's range a day, never in one step."""


@dataclass(frozen=True)
class CalendarWeighting:
    """What the weighting aimed at and reached, as shares of patients' index dates inside
    `windows` (the queries' windows on the index-date axis, story calendar)."""

    windows: tuple[Window, ...]
    seasonality: dict[str, float]
    stated: float | None  # the story's window_share
    natural: float  # the share the launch uptake and the seasonality alone give
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


def month_weights(days: np.ndarray, temporal: Temporal | None) -> np.ndarray:
    """Each day's seasonality weight (story calendar), continuous from day to day: the
    cumulative weight at every month start (each month's multiplier times its days, summed)
    interpolated by a monotone cubic, whose slope is continuous, so a month holds exactly
    its multiplier's mass without a step on its first day."""
    seasonality = temporal.seasonality if temporal else {}
    if not seasonality:
        return np.ones(days.shape)
    first = days.min().astype("datetime64[M]") - 1  # a month of margin on each side
    months = np.arange(first, days.max().astype("datetime64[M]") + 3)
    starts = months.astype("datetime64[D]")
    factors = np.array([seasonality.get(m, 1.0) for m in MONTHS])
    mass = factors[months[:-1].astype(int) % 12] * np.diff(starts).astype(float)
    offset = (starts - starts[0]).astype(float)
    cumulative = PchipInterpolator(offset, np.concatenate([[0.0], np.cumsum(mass)]))
    at = (days - starts[0]).astype(float)
    return cumulative(at + 1) - cumulative(at)


def uptake_share(days: np.ndarray, launch: np.datetime64, uptake: Uptake) -> np.ndarray:
    """The share of the steady flow of new patients reached on each day: the Bass curve
    F of the months since launch (0 before it)."""
    return bass_share((days - launch).astype(float) / DAYS_PER_MONTH, uptake)


def window_rise(days: np.ndarray, windows: tuple[Window, ...]) -> np.ndarray:
    """How far each day's window weight has risen: 0 until RAMP_DAYS before the first
    window's start, 1 from that start on (every day when a window has no start)."""
    starts = [w.start for w in windows]
    if not windows or None in starts:
        return np.ones(days.shape)
    first = np.datetime64(min(starts), "D")
    return np.clip((days - (first - RAMP_DAYS)).astype(float) / RAMP_DAYS, 0.0, 1.0)


def day_density(
    days: np.ndarray, windows: tuple[Window, ...], temporal: Temporal | None, flow: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """(probability per day, natural share, target share) over story-calendar `days`
    whose relative flow before seasonality is `flow`: the days before the first window
    weighted down by `low`, rising geometrically to full weight over the RAMP_DAYS before
    it, `low` chosen so that the target share of the mass falls inside the windows (as
    close as the days from the ramp on allow), the flow and the seasonality everywhere."""
    base = flow * month_weights(days, temporal)
    hit = inside(days, windows)
    natural = float(base[hit].sum() / base.sum())
    stated = temporal.window_share if temporal else None
    if stated is None or hit.all() or not hit.any():
        return base / base.sum(), natural, natural
    target = max(stated, natural)
    rise = window_rise(days, windows)

    def weights(low: float) -> np.ndarray:
        return base * low ** (1 - rise)

    def excess(low: float) -> float:  # falls with low: more weight outside the windows
        w = weights(low)
        return float(w[hit].sum() / w.sum()) - target

    low = 0.0 if excess(0.0) <= 0 else brentq(excess, 0.0, 1.0, xtol=1e-12)
    weight = weights(low)
    return weight / weight.sum(), natural, target


def draw_days(first: np.datetime64, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Days from `first` on, day i with probability p[i], by inverting the CDF at `u`."""
    cdf = np.cumsum(p)
    picked = np.searchsorted(cdf, u * cdf[-1], side="right")
    return first + np.minimum(picked, len(p) - 1)


def redated_world(world: World, days: np.ndarray, p: np.ndarray, seed: int) -> World:
    """The world with every patient's index date drawn from `p` over `days` (world
    calendar) and its whole timeline moved with it."""
    u = stream(seed, "story", "calendar", "patients").random(world.n_patients)
    delta = draw_days(days[0], p, u) - world.index_date
    return replace(
        world,
        journey_start=world.journey_start + delta,
        index_date=world.index_date + delta,
        initiation_date=world.initiation_date + delta,
        outcome_date=world.outcome_date + delta,
    )


def redate_field(frame: pd.DataFrame, days: np.ndarray, p: np.ndarray, seed) -> pd.DataFrame:
    """HCP-level engagements (no patient) drawn from `p` over `days` (world calendar)."""
    table, column = FIELD
    field = frame["patient_id"].isna().to_numpy()
    u = stream(seed, "story", "calendar", table).random(int(field.sum()))
    out = frame.copy()
    out.loc[field, column] = draw_days(days[0], p, u)
    return out


@dataclass(frozen=True)
class Arrivals:
    """The story's calendar on the world's days: patients are indexed on `index_days`,
    field engagements fall on `field_days`, and the world is cut on `cut`."""

    index_days: np.ndarray
    field_days: np.ndarray
    cut: np.datetime64
    launch: np.datetime64  # the brand's launch, world calendar


def arrivals(brand: str, cut: date, shift_days: int) -> Arrivals:
    """From the scenario's first journey start (the brand's launch when later) to the
    story's data cut `cut`, moved onto the world's calendar: index dates from a minimal
    gap after that start up to the day before the cut (its engagement precedes the
    outcome, assessed on the cut at the latest), field engagements up to the cut."""
    launch = np.datetime64(BRANDS[brand].population.launch, "D")
    first = max(np.datetime64(JOURNEY_START_FIRST, "D"), launch)
    end = np.datetime64(cut, "D") - shift_days
    return Arrivals(
        index_days=np.arange(first + INDEX_GAP_DAYS[0], end),
        field_days=np.arange(first, end + 1),
        cut=end,
        launch=launch,
    )


def calendar_frames(
    world: World,
    base: Frames,
    windows: Iterable[tuple[str, str, Window]],
    temporal: Temporal | None,
    shift_days: int,
    cut: date,
    seed: int,
) -> tuple[Frames, CalendarWeighting | None]:
    """The scenario's tables rebuilt from its world re-dated to the story's calendar and
    cut on its data cut `cut` (story calendar), still on the world's calendar; how the
    dates were weighted when the story states a `temporal` section."""
    brand = world.scenario.brand
    plan = arrivals(brand, cut, shift_days)
    on_anchor = anchor_windows(windows, patient_offsets(base)) if temporal else ()
    index_days = plan.index_days + shift_days
    flow = uptake_share(index_days, plan.launch + shift_days, BRANDS[brand].population.uptake)
    p, natural, target = day_density(index_days, on_anchor, temporal, flow)
    moved = at_cut(redated_world(world, plan.index_days, p, seed), plan.cut)
    field_days = plan.field_days + shift_days
    field_p, _, _ = day_density(field_days, on_anchor, temporal, np.ones(len(field_days)))

    def adjust(name: str, frame: pd.DataFrame) -> pd.DataFrame:
        if name != FIELD[0]:
            return frame
        return redate_field(frame, plan.field_days, field_p, seed)

    frames = build_tables(moved, adjust)
    if temporal is None:
        return frames, None
    weighting = CalendarWeighting(
        windows=on_anchor,
        seasonality=dict(temporal.seasonality),
        stated=temporal.window_share,
        natural=natural,
        target=target,
        before=anchor_share(base, on_anchor, shift_days),
        reached=anchor_share(frames, on_anchor, shift_days),
    )
    return frames, weighting


def anchor_share(frames: Frames, windows: tuple[Window, ...], shift_days: int) -> float:
    """Share of patients whose index date, moved `shift_days`, falls in the windows."""
    days = frames[ANCHOR[0]][ANCHOR[1]].to_numpy().astype("datetime64[D]") + shift_days
    return float(inside(days, windows).mean()) if windows else 1.0
