"""business_metrics: complete monthly series from the brand's launch, derived fields
recomputed from the series, brand ranges, values tied to the world, and the named
under-performer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import (
    BRANDS,
    METRIC_FIRST_MONTH,
    METRIC_MONTHS,
    METRIC_TYPES,
    REGIONS,
    SPLITS,
)
from e2i_synth.tables import business_metrics
from e2i_synth.tables.uptake import NEW_RX_SHARE, prescription_uptake, steady_months
from e2i_synth.world.draw import split_counts
from e2i_synth_tests.conftest import frames_of, world_of

SERIES = ["region", "metric_name"]


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    return frames_of("fabhalta", "heterogeneous")["business_metrics"].sort_values(
        [*SERIES, "metric_date"]
    )


def test_every_series_runs_from_the_launch_month_to_the_last(metrics):
    """Fabhalta launched on 2023-12-05: 19 months to 2025-06, none before the launch."""
    months = BRANDS["fabhalta"].metric_months
    assert len(months) == 19 and METRIC_MONTHS == 30
    assert len(metrics) == len(REGIONS) * len(METRIC_TYPES) * len(months)
    expected = pd.date_range("2023-12-01", periods=len(months), freq="MS")
    for _, series in metrics.groupby(SERIES):
        assert list(series["metric_date"]) == list(expected)


def test_a_brand_launched_before_the_calendar_has_every_month():
    metrics = frames_of("kisqali", "confounded")["business_metrics"]
    expected = pd.date_range(METRIC_FIRST_MONTH, periods=METRIC_MONTHS, freq="MS")
    for _, series in metrics.groupby(SERIES):
        assert list(series["metric_date"].sort_values()) == list(expected)


def test_derived_fields_recomputed_from_the_series(metrics):
    grouped = metrics.groupby(SERIES)["value"]
    np.testing.assert_allclose(metrics["achievement_rate"], metrics["value"] / metrics["target"])
    # a change against a zero month is undefined: NULL, like the first months
    mom = (metrics["value"] / grouped.shift(1) - 1).replace([np.inf, -np.inf], np.nan)
    yoy = (metrics["value"] / grouped.shift(12) - 1).replace([np.inf, -np.inf], np.nan)
    pd.testing.assert_series_equal(metrics["mom_change"], mom, check_names=False)
    pd.testing.assert_series_equal(metrics["yoy_change"], yoy, check_names=False)
    year_earlier = grouped.shift(12)
    months = len(BRANDS["fabhalta"].metric_months)
    assert year_earlier.notna().sum() == len(REGIONS) * len(METRIC_TYPES) * (months - 12)
    assert metrics["yoy_change"].notna().sum() == (year_earlier > 0).sum()


def test_ranges_and_nrx_below_trx(metrics):
    wide = metrics.pivot_table(
        index=["region", "metric_date"], columns="metric_name", values="value"
    )
    assert (wide["nrx"] <= wide["trx"]).all()
    assert wide["market_share"].between(0, 1).all() and wide["conversion_rate"].between(0, 1).all()
    assert wide["hcp_engagement_score"].between(0, 10).all()


@pytest.mark.parametrize("seed", [7, 11, 23])
@pytest.mark.parametrize("brand", list(BRANDS))
def test_national_trx_in_the_brand_range_at_steady_state(brand, seed):
    """SPEC's monthly TRx range holds in every month whose new-patient uptake is steady
    (Bass F >= 0.9); every brand has such months in the calendar."""
    national = national_volumes(brand, seed)
    steady = steady_months(brand, national.index.to_numpy())
    assert steady.sum() >= 6
    low, high = BRANDS[brand].trx_per_month
    assert national["trx"][steady].between(low, high).all()


def national_volumes(brand: str, seed: int = 7) -> pd.DataFrame:
    metrics = frames_of(brand, "confounded", 300, seed)["business_metrics"]
    volumes = metrics[metrics["metric_name"].isin(["trx", "nrx"])]
    return volumes.pivot_table(
        index="metric_date", columns="metric_name", values="value", aggfunc="sum"
    )


NRX_SHARE_FLOOR = 0.5
"""In the first three months after a launch most scripts are new: NRx/TRx above this."""


@pytest.mark.parametrize("brand", ["remibrutinib", "fabhalta"])
def test_nrx_share_is_high_at_launch_and_falls_to_steady(brand):
    national = national_volumes(brand)
    ratio = (national["nrx"] / national["trx"]).to_numpy()
    launch = pd.Timestamp(BRANDS[brand].population.launch).to_period("M").start_time
    assert national.index[0] == launch
    assert (ratio[:3] > NRX_SHARE_FLOOR).all()
    assert ratio[0] > 0.9  # the launch month: nearly every script is new
    smoothed = pd.Series(ratio).rolling(3).mean().dropna().to_numpy()
    assert (np.diff(smoothed) < 0.01).all()  # falling, up to the noise of the draws
    assert abs(ratio[-3:].mean() - NEW_RX_SHARE) < 0.05  # towards steady state


@pytest.mark.parametrize("brand", ["remibrutinib", "fabhalta"])
def test_volumes_ramp_from_zero_without_a_step(brand):
    """No business activity before launch, and a continuous ramp: the launch month holds a
    few percent of the steady TRx, and the plan's TRx uptake rises every month by less
    than a tenth of the steady level (a step would jump by the whole of it)."""
    national = national_volumes(brand)
    steady = national["trx"].iloc[-3:].mean()
    assert national["trx"].iloc[0] < 0.02 * steady
    launch = np.datetime64(BRANDS[brand].population.launch, "M")
    assert (national.index.to_numpy().astype("datetime64[M]") >= launch).all()
    plan = prescription_uptake(brand, national.index.to_numpy())
    step = np.diff(plan)
    assert (step >= 0).all() and step.max() < 0.1


def test_conversion_and_engagement_are_the_worlds_where_they_overlap(metrics):
    journeys = frames_of("fabhalta", "heterogeneous")["patient_journeys"]
    month = journeys["index_date"].dt.to_period("M").dt.to_timestamp()
    world = (
        journeys.assign(month=month)
        .groupby(["region", "month"])
        .agg(rate=("treatment_initiated", "mean"), score=("engagement_score", "mean"))
    )
    stored = metrics.set_index(["region", "metric_date", "metric_name"])["value"]
    overlap = [k for k in world.index if k[1] <= pd.Timestamp("2025-06-01")]
    assert len(overlap) > 60
    for region, month in overlap:
        assert stored[(region, month, "conversion_rate")] == pytest.approx(
            world.loc[(region, month), "rate"]
        )
        assert stored[(region, month, "hcp_engagement_score")] == pytest.approx(
            world.loc[(region, month), "score"]
        )


def test_named_underperformer_is_the_only_region_far_below_target(metrics):
    region, first = business_metrics.underperformer(world_of("fabhalta", "heterogeneous"))
    trx = metrics[metrics["metric_name"] == "trx"]
    late = trx[trx["metric_date"] >= business_metrics.months()[first].astype("datetime64[ns]")]
    achievement = late.groupby("region")["achievement_rate"].mean()
    assert achievement.idxmin() == REGIONS[region]
    assert achievement[REGIONS[region]] == pytest.approx(0.80, abs=0.02)
    assert (achievement.drop(REGIONS[region]) > 0.95).all()


def test_months_are_split_in_time_order(metrics):
    order = {"train": 0, "validation": 1, "test": 2, "holdout": 3}
    for _, series in metrics.groupby(SERIES):
        assert series["data_split"].map(order).is_monotonic_increasing
    months = len(BRANDS["fabhalta"].metric_months)
    sizes = metrics.groupby("data_split").size() / (len(metrics) / months)
    assert sizes.reindex(SPLITS).tolist() == split_counts(months).tolist()
