"""feature_values' HCP rows start at the brand's launch: static attributes observed in the
launch month (or 2024-01 for a brand launched before), monthly patient volumes from the
launch month on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import BRANDS
from e2i_synth.tables.feature_values import VOLUME_MONTHS, drift
from e2i_synth_tests.conftest import frames_of, world_of

VOLUME = "patient_volume_monthly"


def hcp_values(brand: str) -> pd.DataFrame:
    frames = frames_of(brand, "confounded", 300)
    values = frames["feature_values"].merge(
        frames["features"][["feature_id", "feature_name", "entity_type"]], on="feature_id"
    )
    return values[values["entity_type"] == "hcp"]


@pytest.mark.parametrize("brand", list(BRANDS))
def test_no_hcp_value_before_the_launch_month(brand):
    hcp = hcp_values(brand)
    first = max(pd.Timestamp("2024-01-01"), pd.Timestamp(BRANDS[brand].population.launch))
    first = first.to_period("M").start_time
    assert len(hcp) and (hcp["event_timestamp"] >= first).all()
    static = hcp[hcp["feature_name"] != VOLUME]
    assert (static["event_timestamp"] == first).all()
    assert not static.duplicated(["feature_name", "entity_values"]).any()  # once per HCP
    months = hcp.loc[hcp["feature_name"] == VOLUME, "event_timestamp"]
    assert months.min() == first and months.max() == pd.Timestamp("2025-06-01")


def test_remibrutinib_volumes_from_launch_are_the_hcps_panel():
    """National volume per month is Poisson around the HCPs' panel rate x the planted
    drift, within 4 standard errors in every month from the launch month on: the HCP's
    whole panel, so it does not ramp (a ramp would be a second drift)."""
    brand = "remibrutinib"
    world = world_of(brand, "confounded", 300)
    hcp = hcp_values(brand)
    volume = hcp[hcp["feature_name"] == VOLUME]
    national = pd.to_numeric(volume["value"]).groupby(volume["event_timestamp"]).sum()
    months = national.index.to_numpy().astype("datetime64[M]")
    assert list(months) == list(VOLUME_MONTHS[np.datetime64("2024-04", "M") <= VOLUME_MONTHS])
    shift = drift(world)
    drifted = (shift.feature == VOLUME) & (months.astype("datetime64[D]") >= shift.start)
    rates = world.hcp_total_volume[world.owned_hcps]
    assert len(rates) == volume["entity_values"].nunique()
    expected = rates.sum() / 12 * np.where(drifted, shift.factor, 1.0)
    z = (national.to_numpy() - expected) / np.sqrt(expected)
    assert (np.abs(z) < 4).all(), z


@pytest.mark.parametrize("brand", ["remibrutinib", "fabhalta"])
def test_no_business_feature_or_field_row_before_the_launch(brand):
    """Nothing of the brand before its launch: KPI series from the launch month, every
    feature value (patient, HCP, brand KPI) from it, field engagements from the launch day."""
    frames = frames_of(brand, "confounded", 300)
    launch = pd.Timestamp(BRANDS[brand].population.launch)
    month = launch.to_period("M").start_time
    assert frames["business_metrics"]["metric_date"].min() == month
    assert frames["feature_values"]["event_timestamp"].min() >= month
    assert frames["engagement_events"]["engagement_date"].min() >= launch
