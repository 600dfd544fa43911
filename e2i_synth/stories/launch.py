"""An HCP's feature-store values for the brand start at the brand's launch on the story's
calendar: a static HCP attribute (specialty, experience, practice) is observed in the
launch month, not before, and an HCP's monthly patient volume exists from the launch month
on, ramping with the brand's uptake (`catalog.Uptake`, the Bass curve its new patients
follow) instead of starting at its steady level."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS
from e2i_synth.stories.seasons import uptake_share
from e2i_synth.stories.timeline import Shift
from e2i_synth.stories.windows import month_start

Frames = dict[str, pd.DataFrame]
MONTHLY_VOLUME = "patient_volume_monthly"
MID_MONTH_DAYS = 15
"""A month's volume takes the uptake reached in its middle."""


def launch_month(brand: str, shift: Shift) -> pd.Timestamp:
    """The first day of the brand's launch month on the story's calendar."""
    return pd.Timestamp(shift.day(month_start(BRANDS[brand].population.launch), monthly=True))


def hcp_features_from_launch(frames: Frames, brand: str, shift: Shift) -> Frames:
    """`feature_values` with no HCP-level value before the launch month and the monthly
    volumes ramping from it (each value times the uptake reached mid-month, rounded)."""
    values = frames["feature_values"]
    features = frames["features"].set_index("feature_id")
    hcp = values["feature_id"].map(features["entity_type"]).eq("hcp").to_numpy()
    monthly = values["feature_id"].map(features["feature_name"]).eq(MONTHLY_VOLUME).to_numpy()
    launch = launch_month(brand, shift)
    when = values["event_timestamp"]
    before = (when < launch).to_numpy()
    out = values.loc[~(hcp & monthly & before)].copy()
    static = (hcp & ~monthly & before)[~(hcp & monthly & before)]
    out.loc[static, "event_timestamp"] = launch
    ramped = (hcp & monthly)[~(hcp & monthly & before)]
    days = (out.loc[ramped, "event_timestamp"] + pd.Timedelta(days=MID_MONTH_DAYS)).to_numpy()
    share = uptake_share(
        days.astype("datetime64[D]"),
        np.datetime64(launch.date(), "D"),
        BRANDS[brand].population.uptake,
    )
    volume = pd.to_numeric(out.loc[ramped, "value"]).to_numpy()
    out.loc[ramped, "value"] = np.round(volume * share).astype(str)
    return dict(frames, feature_values=out.reset_index(drop=True))
