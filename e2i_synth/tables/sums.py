"""What a scenario's scenario-level tables read of its units, as sums: per chunk of units
they add up to the whole scenario's, whatever the chunking, bit for bit.

Counts are integers; engagement scores (two decimals) are summed in cents; the units'
CATEs, real numbers, are summed exactly (each float64 is an integer multiple of 2**-1126
when scaled, summed as a Python integer) and only the final mean is rounded, once. So
causal_ground_truth is the same from one piece or from any chunks: its figures are exact
means of unit_truth's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS, DGPS, METRIC_FIRST_MONTH, METRIC_MONTHS, REGIONS
from e2i_synth.world import World, mechanisms
from e2i_synth.world.mechanisms.base import group_totals

SCALE_BITS = 1126
"""2**1126 * x is an integer for every finite float64 x (subnormals included)."""
MANTISSA_BITS = 53
HALF_BITS = 27


def exact_sum(values: np.ndarray) -> int:
    """sum(values) * 2**SCALE_BITS, exactly: mantissas summed per binary exponent in two
    27-bit halves (no int64 overflow below 2**36 values), then shifted into one integer."""
    mantissa, exponent = np.frexp(np.asarray(values, dtype=np.float64))
    whole = (mantissa * 2.0**MANTISSA_BITS).astype(np.int64)
    shift = exponent.astype(np.int64) - MANTISSA_BITS + SCALE_BITS
    total = 0
    for s in np.unique(shift[whole != 0]):
        part = whole[shift == s]
        high, low = part >> HALF_BITS, part & ((1 << HALF_BITS) - 1)
        total += ((int(high.sum()) << HALF_BITS) + int(low.sum())) << int(s)
    return total


def exact_mean(total: int, count: int) -> float:
    """The mean of values whose exact_sum is `total`, rounded once (NaN for no values)."""
    return float(Fraction(total, count << SCALE_BITS)) if count else float("nan")


def month_index(dates: np.ndarray) -> np.ndarray:
    """Months since METRIC_FIRST_MONTH (negative before it)."""
    first = np.datetime64(METRIC_FIRST_MONTH, "M")
    return (np.asarray(dates).astype("datetime64[M]") - first).astype(int)


def cell_counts(region: np.ndarray, month: np.ndarray, weights=None) -> np.ndarray:
    """Sum of weights (or rows) per (region, month) of the metric series, int64."""
    inside = (month >= 0) & (month < METRIC_MONTHS)
    cell = region[inside] * METRIC_MONTHS + month[inside]
    size = len(REGIONS) * METRIC_MONTHS
    if weights is None:
        counts = np.bincount(cell, minlength=size)
    else:
        counts = np.bincount(cell, np.asarray(weights)[inside], minlength=size)
    return counts.astype(np.int64).reshape(len(REGIONS), METRIC_MONTHS)


def hcp_index(world: World, hcp_ids: np.ndarray) -> np.ndarray:
    """The HCP index inside keys made by tables.spec.hcp_keys."""
    code = f"{BRANDS[world.scenario.brand].code}-{DGPS[world.scenario.dgp].code}-H"
    return pd.Series(hcp_ids, dtype=str).str.slice(len(code)).astype(np.int64).to_numpy()


class Sums:
    """Adding two chunks' sums gives the sums of their union."""

    def __add__(self, other):
        added = {}
        for f in fields(self):  # type: ignore[arg-type]
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, tuple):
                added[f.name] = tuple(a + b for a, b in zip(mine, theirs, strict=True))
            elif isinstance(mine, dict):
                added[f.name] = {name: mine[name] + theirs[name] for name in mine}
            else:
                added[f.name] = mine + theirs
        return type(self)(**added)


@dataclass(frozen=True)
class MetricSums(Sums):
    """Per (region, month): patients indexed, their initiations as recorded (an outcome
    unknown at the data cut, or unrecorded, counts none: a month's conversion never holds
    what happened after the cut), their engagement scores in cents, and engagements by the
    HCP's region (business_metrics reads these)."""

    patients: np.ndarray
    initiated: np.ndarray
    score_cents: np.ndarray
    engagements: np.ndarray

    @classmethod
    def of(cls, world: World, engagement_events: pd.DataFrame) -> MetricSums:
        """The sums of a world's patients (a chunk's or all) and of its engagement rows."""
        region = world.covariates.region_code
        month = month_index(world.index_date)
        cents = np.round(world.engagement_score * 100).astype(np.int64)
        recorded = (
            world.outcome if world.parts.observed is None else world.outcome & world.parts.observed
        )
        event_region = world.hcp_region_code[
            hcp_index(world, engagement_events["hcp_id"].to_numpy())
        ]
        return cls(
            patients=cell_counts(region, month),
            initiated=cell_counts(region, month, recorded.astype(np.int64)),
            score_cents=cell_counts(region, month, cents),
            engagements=cell_counts(
                event_region, month_index(engagement_events["engagement_date"].to_numpy())
            ),
        )


@dataclass(frozen=True)
class TruthSums(Sums):
    """Per group (overall, then each region): units, engaged units, summed unit effects
    (all, engaged), the exact sum of CATEs, and every mechanism's own sums by name
    (`of_mechanisms`, world.mechanisms: an instrument's compliers, a dose's outcomes per
    dose, the recorded outcomes, the followed units; zeros where the world lacks it)
    (causal_ground_truth reads these)."""

    units: np.ndarray
    treated: np.ndarray
    effect: np.ndarray
    effect_treated: np.ndarray
    cate: tuple[int, ...]
    of_mechanisms: dict[str, np.ndarray]

    @classmethod
    def of(cls, world: World) -> TruthSums:
        effect = world.y1.astype(np.int64) - world.y0.astype(np.int64)
        region = world.covariates.region_code
        groups = [np.ones(world.n_patients, dtype=bool)]
        groups += [region == i for i in range(len(REGIONS))]
        treated = world.engaged
        return cls(
            units=group_totals(groups, np.ones_like(effect)),
            treated=group_totals(groups, treated),
            effect=group_totals(groups, effect),
            effect_treated=group_totals(groups, effect, treated),
            cate=tuple(exact_sum(world.tau[g]) for g in groups),
            of_mechanisms={
                name: values
                for m in mechanisms.REGISTRY
                if m.sums
                for name, values in m.sums(world, groups, effect).items()
            },
        )
