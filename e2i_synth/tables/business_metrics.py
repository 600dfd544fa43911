"""business_metrics: monthly KPI series per region x metric for the scenario's brand.

Thirty months (2023-01 to 2025-06), no gaps. Volumes follow a plan (the target): the
brand's level, the region's share, 10% yearly growth and a stated seasonality of
1 + 0.08 sin(2 pi (month - 1) / 12), peaking in April, times the brand's launch uptake
(`tables.uptake`: NRx follows the Bass curve of its new patients, TRx those patients'
scripts and refills, so NRx/TRx is 1 in the launch month and falls toward 0.22; market
share ramps with TRx). Actual TRx is the plan times 3%
noise, except in the scenario's named under-performer (one region, from one month on, at
80% of plan: see `scenario_signals`). Where the series overlaps the world (from 2024-01)
conversion_rate and hcp_engagement_score are the world's own: the share of patients
indexed that month in that region whose initiation is recorded (by the data cut, where
outcomes are censored), and their mean engagement score; before
that they are drawn around the region's world values with the same sample sizes.

Derived fields come from the series itself: achievement_rate = value / target,
mom_change and yoy_change against the previous month and year (NULL where undefined);
statistical_significance is the two-sided p-value of value vs target with the metric's
standard error (Poisson for volumes, binomial for shares and rates, sd/sqrt(n) for
scores), and the confidence interval is value +/- 1.96 SE. roi, for volumes only, is the
revenue of the gap to plan per dollar of that month's engagement spend
((value - target) x revenue per Rx / (engagements x cost per engagement)). Months split by
time: the first 60% train, then validation, test and holdout.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    BRANDS,
    COST_PER_ENGAGEMENT,
    METRIC_FIRST_MONTH,
    METRIC_MONTHS,
    METRIC_TYPES,
    REGION_SHARES,
    REGIONS,
    REVENUE_PER_RX,
    SPLITS,
)
from e2i_synth.seeds import stream
from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec, scenario_columns, scenario_keys
from e2i_synth.tables.sums import MetricSums
from e2i_synth.tables.uptake import (
    NEW_RX_SHARE,
    new_patient_uptake,
    prescription_uptake,
    steady_months,
)
from e2i_synth.world import World
from e2i_synth.world.draw import split_counts

SPEC = TableSpec(
    name="business_metrics",
    columns={
        "metric_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "region": "VARCHAR",
        "metric_name": "VARCHAR",
        "metric_type": "VARCHAR",
        "metric_date": "DATE",
        "value": "DOUBLE",
        "target": "DOUBLE",
        "achievement_rate": "DOUBLE",
        "yoy_change": "DOUBLE",
        "mom_change": "DOUBLE",
        "roi": "DOUBLE",
        "statistical_significance": "DOUBLE",
        "confidence_interval_lower": "DOUBLE",
        "confidence_interval_upper": "DOUBLE",
        "sample_size": "INTEGER",
        "data_split": "VARCHAR",
    },
    primary_key="metric_id",
    nullable=frozenset({"yoy_change", "mom_change", "roi"}),
    descriptions={
        "metric_id": "The series point's key: K and the row's number within the scenario.",
        "region": "The census region the series covers.",
        "metric_name": (
            "trx, nrx (volumes), market_share (a share), conversion_rate (a rate) or "
            "hcp_engagement_score (a 0-10 score)."
        ),
        "metric_type": "The metric's kind: volume, share, rate or score.",
        "metric_date": (
            "The month (its first day), from 2023-01 or the brand's launch month to 2025-06, "
            "consecutive."
        ),
        "value": (
            "The month's figure: TRx is the plan times 3% noise (80% of plan in the named "
            "under-performer from its start month: scenario_signals); NRx all of TRx in the "
            "launch month, falling toward about 22% of TRx as patients refill; "
            "conversion_rate and hcp_engagement_score are the world's own where the series "
            "overlaps the journeys."
        ),
        "target": (
            "The plan: the brand's level, the region's share, 10% yearly growth, the "
            "seasonality 1 + 0.08 sin(2 pi (month - 1) / 12) and the launch uptake (Bass, "
            "catalog.Uptake)."
        ),
        "achievement_rate": "value / target.",
        "yoy_change": (
            "Relative change against the same month a year before; NULL where there is none."
        ),
        "mom_change": "Relative change against the previous month; NULL for the first month.",
        "roi": (
            "Volumes only: revenue of the gap to plan per dollar of the month's engagement spend,"
            " (value - target) x revenue per Rx / (engagements x 180 USD); NULL for other "
            "metrics."
        ),
        "statistical_significance": (
            "Two-sided p-value of value against target with the metric's standard error (Poisson "
            "for volumes, binomial for shares and rates, sd/sqrt(n) for scores)."
        ),
        "confidence_interval_lower": "value - 1.96 SE (bounded by the metric's range).",
        "confidence_interval_upper": "value + 1.96 SE (bounded by the metric's range).",
        "sample_size": "The count behind the figure (prescriptions, patients or HCPs).",
        "data_split": (
            "Split by time within each series: the earliest 60% of months train, then validation,"
            " test and holdout, so no future month trains a model judged on the past."
        ),
    },
)

SEASONAL_AMPLITUDE = 0.08
YEARLY_GROWTH = 0.10
ACTUAL_NOISE = 0.03
UNDERPERFORMANCE = 0.80
UNDERPERFORMANCE_FIRST_MONTHS = (18, 25)
"""The under-performance starts between 2024-07 and 2025-01: at least six months to find."""
SCORE_SD = 1.5
Z_95 = NormalDist().inv_cdf(0.975)


def months() -> np.ndarray:
    return np.datetime64(METRIC_FIRST_MONTH, "M") + np.arange(METRIC_MONTHS)


def seasonality(month_index: np.ndarray) -> np.ndarray:
    calendar_month = (np.datetime64(METRIC_FIRST_MONTH, "M") + month_index).astype(int) % 12
    return 1 + SEASONAL_AMPLITUDE * np.sin(2 * np.pi * calendar_month / 12)


def time_splits(n_months: int) -> np.ndarray:
    """Split names in time order, sized like the patients' splits."""
    return np.repeat(np.array(SPLITS), split_counts(n_months))


def underperformer(world: World) -> tuple[int, int]:
    """(region index, first month index) of the scenario's named under-performer."""
    rng = stream(world.seed, "underperformer", world.scenario.brand, world.scenario.dgp)
    return int(rng.integers(len(REGIONS))), int(rng.integers(*UNDERPERFORMANCE_FIRST_MONTHS))


def engagement_spend(sums: MetricSums) -> np.ndarray:
    """Engagement spend per (region, month); months without engagements get the region's
    mean over the months that have them."""
    spend = sums.engagements * COST_PER_ENGAGEMENT
    active = spend > 0
    mean = np.where(active.any(axis=1), spend.sum(axis=1) / np.maximum(active.sum(axis=1), 1), 1.0)
    return np.where(active, spend, mean[:, None])


def volume_series(
    world: World, rng: np.random.Generator, uptake: tuple[np.ndarray, np.ndarray]
) -> dict[str, np.ndarray]:
    """TRx and NRx (value, target) per (region, month), ramping from the launch with the
    brand's uptake (`uptake`: the new-patient and the TRx share of steady state per
    month); the national plan stays within the brand's TRx range from the first steady
    month on (the level is drawn high enough for the TRx reached by then)."""
    new, total = uptake
    brand = world.scenario.brand
    low, high = BRANDS[brand].trx_per_month
    growth = (1 + YEARLY_GROWTH) ** (METRIC_MONTHS / 12)
    steady = steady_months(brand, months())
    reached = total[steady].min() if steady.any() else 1.0
    level = rng.uniform(low * 1.2 / reached, high / (1.2 * growth))
    t = np.arange(METRIC_MONTHS)
    steady_plan = (
        level
        * np.array(REGION_SHARES)[:, None]
        * ((1 + YEARLY_GROWTH) ** (t / 12) * seasonality(t))[None, :]
    )
    plan = steady_plan * total[None, :]
    trx = plan * np.exp(rng.normal(0, ACTUAL_NOISE, plan.shape))
    region, first = underperformer(world)
    trx[region, first:] = (
        plan[region, first:]
        * UNDERPERFORMANCE
        * np.exp(rng.normal(0, ACTUAL_NOISE / 2, METRIC_MONTHS - first))
    )
    trx = np.round(trx)
    new_share = NEW_RX_SHARE * new / np.where(total > 0, total, 1.0)
    drawn_share = np.clip(new_share[None, :] * np.exp(rng.normal(0, 0.05, plan.shape)), 0, 1)
    nrx_plan = steady_plan * NEW_RX_SHARE * new[None, :]
    return {
        "trx": (trx, np.maximum(np.round(plan), 1)),
        "nrx": (np.round(trx * drawn_share), np.maximum(np.round(nrx_plan), 1)),
    }


def share_series(rng: np.random.Generator, trx: np.ndarray, total: np.ndarray):
    """Market share ramps with the TRx uptake (`total`), so the market it implies does not."""
    base = rng.uniform(0.15, 0.35, len(REGIONS))[:, None]
    growth = (1 + 0.02 * np.arange(METRIC_MONTHS) / 12) * total
    target = np.clip(base * growth[None, :], 0, 1)
    value = np.clip(target * np.exp(rng.normal(0, ACTUAL_NOISE, target.shape)), 0, 1)
    market = np.round(trx / np.maximum(value, 1e-9)).astype(int)
    return value, target, market


def world_tied_series(sums: MetricSums, rng: np.random.Generator):
    """conversion_rate and hcp_engagement_score: the world's where it has patients."""
    patients, initiated, score_sum = sums.patients, sums.initiated, sums.score_cents / 100
    seen = patients.sum(axis=1)
    # A region without patients in the window (tiny scales) takes the scenario's values.
    overall_rate = max(initiated.sum() / max(seen.sum(), 1), 0.01)
    overall_score = score_sum.sum() / seen.sum() if seen.sum() else 5.0
    region_n = np.maximum(seen, 1)
    region_rate = np.where(seen > 0, initiated.sum(axis=1) / region_n, overall_rate)
    region_rate = np.clip(region_rate, 0.001, 0.999)
    region_score = np.where(seen > 0, score_sum.sum(axis=1) / region_n, overall_score)
    active = patients > 0
    typical_n = np.maximum(np.round(patients.sum(axis=1) / np.maximum(active.sum(axis=1), 1)), 1)
    n = np.where(active, patients, typical_n[:, None]).astype(int)
    drawn_rate = rng.binomial(n, np.broadcast_to(region_rate[:, None], n.shape)) / n
    rate = np.where(active, initiated / np.maximum(patients, 1), drawn_rate)
    drawn_score = np.clip(
        region_score[:, None] + rng.normal(0, SCORE_SD, n.shape) / np.sqrt(n), 0, 10
    )
    score = np.where(active, score_sum / np.maximum(patients, 1), drawn_score)
    rate_target = np.broadcast_to(np.round(region_rate, 3)[:, None], n.shape)
    score_target = np.broadcast_to(np.round(region_score, 1)[:, None], n.shape)
    return (rate, rate_target, n), (score, score_target, n)


def standard_error(kind: str, value, target, n) -> np.ndarray:
    if kind == "volume":
        return np.sqrt(np.maximum(value, 1.0))
    if kind in ("share", "rate"):
        return np.sqrt(np.clip(target * (1 - target), 1e-6, None) / np.maximum(n, 1))
    return np.full(np.shape(value), SCORE_SD) / np.sqrt(np.maximum(n, 1))


def relative_change(values: np.ndarray, lag: int) -> np.ndarray:
    """value / value `lag` months earlier - 1 along the month axis; NaN where undefined."""
    change = np.full(values.shape, np.nan)
    previous = values[:, :-lag]
    with np.errstate(divide="ignore", invalid="ignore"):
        change[:, lag:] = np.where(previous > 0, values[:, lag:] / previous - 1, np.nan)
    return change


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return from_sums(world, MetricSums.of(world, upstream["engagement_events"]))


def from_sums(world: World, sums: MetricSums) -> pd.DataFrame:
    """The series from the scenario's sums (those of a whole world, or of all its chunks),
    from the brand's launch month on (drawn over the whole calendar, then cut, so a launch
    date changes no other brand's draws)."""
    from scipy.special import ndtr  # SciPy loads with a build, not with the table registry

    rng = stream(world.seed, "business_metrics", world.scenario.brand, world.scenario.dgp)
    uptake = (
        new_patient_uptake(world.scenario.brand, months()),
        prescription_uptake(world.scenario.brand, months()),
    )
    volumes = volume_series(world, rng, uptake)
    share, share_target, market = share_series(rng, volumes["trx"][0], uptake[1])
    conversion, engagement = world_tied_series(sums, rng)
    trx_n = np.maximum(volumes["trx"][0], 1).astype(int)
    launched = slice(BRANDS[world.scenario.brand].metric_months.start, None)
    spend = engagement_spend(sums)[:, launched]
    drawn = {
        "trx": (*volumes["trx"], trx_n),
        "nrx": (*volumes["nrx"], np.maximum(volumes["nrx"][0], 1).astype(int)),
        "market_share": (share, share_target, market),
        "conversion_rate": conversion,
        "hcp_engagement_score": engagement,
    }
    series = {
        name: tuple(np.asarray(a)[:, launched] for a in arrays) for name, arrays in drawn.items()
    }
    month_list = months()[launched]
    revenue = REVENUE_PER_RX[world.scenario.brand]
    parts = []
    for name, (value, target, n) in series.items():
        kind = METRIC_TYPES[name]
        se = standard_error(kind, value, target, n)
        z = (value - target) / se
        p_value = 2 * ndtr(-np.abs(z))
        upper_bound = 1.0 if kind in ("share", "rate") else (10.0 if kind == "score" else np.inf)
        parts.append(
            {
                "region": np.repeat(np.array(REGIONS), len(month_list)),
                "metric_name": name,
                "metric_type": kind,
                "metric_date": np.tile(month_list, len(REGIONS)).astype("datetime64[D]"),
                "value": value.ravel(),
                "target": target.ravel(),
                "achievement_rate": (value / target).ravel(),
                "yoy_change": relative_change(value, 12).ravel(),
                "mom_change": relative_change(value, 1).ravel(),
                "roi": ((value - target) * revenue / spend).ravel()
                if kind == "volume"
                else np.full(value.size, np.nan),
                "statistical_significance": p_value.ravel(),
                "confidence_interval_lower": np.clip(value - Z_95 * se, 0, None).ravel(),
                "confidence_interval_upper": np.clip(value + Z_95 * se, None, upper_bound).ravel(),
                "sample_size": np.asarray(n, dtype=np.int32).ravel(),
                "data_split": np.tile(time_splits(len(month_list)), len(REGIONS)),
            }
        )
    frame = pd.concat([pd.DataFrame(p) for p in parts], ignore_index=True)
    return frame.assign(
        metric_id=scenario_keys(world, "K", np.arange(len(frame))), **scenario_columns(world)
    )
