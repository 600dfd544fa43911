"""engagement_events: HCP field activity falls from the brand's launch on."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.catalog import BRANDS, JOURNEY_START_FIRST
from e2i_synth.tables.engagement_events import field_days
from e2i_synth.world.draw import JOURNEY_SPAN_DAYS
from e2i_synth_tests.conftest import frames_of

DAYS = st.lists(st.integers(0, JOURNEY_SPAN_DAYS), min_size=1, max_size=50)


def launch_day(brand: str) -> int:
    return max(0, (BRANDS[brand].population.launch - JOURNEY_START_FIRST).days)


@given(brand=st.sampled_from(list(BRANDS)), drawn=DAYS)
def test_field_days_fall_from_the_launch_to_the_calendars_end_in_drawn_order(brand, drawn):
    drawn = np.sort(np.array(drawn))
    days = field_days(brand, drawn)
    assert days.min() >= launch_day(brand) and days.max() <= JOURNEY_SPAN_DAYS
    assert (np.diff(days) >= 0).all()
    if launch_day(brand) == 0:
        assert (days == drawn).all()  # a brand launched before the calendar: as drawn


def test_a_brand_launched_inside_the_calendar_has_field_events_from_its_launch_on():
    brand = next(b for b in BRANDS if launch_day(b) > 0)
    events = frames_of(brand, "confounded")["engagement_events"]
    field = events.loc[events["patient_id"].isna(), "engagement_date"]
    launch = np.datetime64(BRANDS[brand].population.launch)
    assert len(field) > 0 and (field >= launch).all()
    # spread over the whole post-launch window, not bunched at its start
    assert field.min() - launch < np.timedelta64(7, "D")
    assert field.max() > np.datetime64("2025-06-01")
