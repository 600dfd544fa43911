"""HCP-level feature values start at the brand's launch and the monthly volumes ramp with
the brand's Bass uptake."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import BRANDS
from e2i_synth.stories import build_story, parse_story
from e2i_synth.stories.launch import MONTHLY_VOLUME, hcp_features_from_launch, launch_month
from e2i_synth.stories.timeline import Shift
from e2i_synth.validation.feature_store import entity_key
from e2i_synth_tests.conftest import frames_of

BRAND = "remibrutinib"


def named(frames) -> pd.DataFrame:
    return frames["feature_values"].merge(
        frames["features"][["feature_id", "feature_name", "entity_type"]], on="feature_id"
    )


def bass(months: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass's cumulative adoption, written out here to cross-check the package's."""
    e = np.exp(-(p + q) * months)
    return (1 - e) / (1 + q / p * e)


@pytest.fixture(scope="module")
def base():
    return frames_of(BRAND, "confounded", 300)


@pytest.mark.parametrize("shift", [Shift(0, 0), Shift(8, 243)])
def test_no_hcp_value_before_launch_and_static_ones_observed_at_it(base, shift):
    moved = dict(base)
    moved["feature_values"] = base["feature_values"].assign(
        event_timestamp=shift.column(base, "feature_values", "event_timestamp")
    )
    launch = launch_month(BRAND, shift)
    out = named(hcp_features_from_launch(moved, BRAND, shift))
    hcp = out[out["entity_type"] == "hcp"]
    assert (hcp["event_timestamp"] >= launch).all()
    static = hcp[hcp["feature_name"] != MONTHLY_VOLUME]
    before = named(moved)
    static_before = before[
        (before["entity_type"] == "hcp") & (before["feature_name"] != MONTHLY_VOLUME)
    ]
    assert len(static) == len(static_before)  # every HCP attribute is still there, once
    assert (static["event_timestamp"] == launch).all()
    others = out[out["entity_type"] != "hcp"]
    pd.testing.assert_frame_equal(
        others.reset_index(drop=True),
        before[before["entity_type"] != "hcp"].reset_index(drop=True),
    )


def test_monthly_volumes_ramp_with_the_brands_bass_curve(base):
    shift = Shift(0, 0)
    launch = launch_month(BRAND, shift)
    before = named(base)
    after = named(hcp_features_from_launch(base, BRAND, shift))
    key = ["entity_values", "event_timestamp"]
    volume = lambda f: f[f["feature_name"] == MONTHLY_VOLUME].set_index(key)["value"]  # noqa: E731
    old, new = volume(before), volume(after)
    assert old.index.get_level_values("event_timestamp").min() == launch  # from the launch
    kept = old[old.index.get_level_values("event_timestamp") >= launch]
    assert set(new.index) == set(kept.index)
    when = kept.index.get_level_values("event_timestamp")
    months = ((when - launch).days.to_numpy() + 15) / (365.2425 / 12)
    uptake = BRANDS[BRAND].population.uptake
    expected = np.round(pd.to_numeric(kept).to_numpy() * bass(months, uptake.p, uptake.q))
    assert (pd.to_numeric(new[kept.index]).to_numpy() == expected).all()
    national = pd.to_numeric(new).groupby(level="event_timestamp").sum()
    steady = pd.to_numeric(kept).groupby(level="event_timestamp").sum()
    reached = (national / steady).to_numpy()
    assert reached[0] < 0.05 and np.all(np.diff(reached) >= 0) and reached[-1] > 0.95
    assert bass(np.array([11.0]), uptake.p, uptake.q)[0] >= 0.9  # the catalog's statement


def test_a_story_holds_no_hcp_feature_before_its_brands_launch():
    story = parse_story(
        "title: Launch\naudience: internal\nas_of: 2026-03-16\n"
        f"scenario: {{brand: {BRAND}, dgp: confounded, scale: 1500, seed: 3}}\n"
        "queries:\n  - sequence: 1\n    complexity: simple\n    question: HCP volumes?\n"
        "    expected_sql: |\n      SELECT COUNT(*) AS n FROM feature_values\n"
    )
    build = build_story(story)
    values = named(build.frames)
    hcp = values[values["entity_type"] == "hcp"]
    launch = launch_month(BRAND, build.plan.shift)
    assert len(hcp) and (hcp["event_timestamp"] >= launch).all()
    ids = entity_key(hcp["entity_values"], "hcp_id")
    assert ids.isin(build.frames["hcp_profiles"]["hcp_id"]).all()
    assert build.structural_failures() == []
