from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.stories.timeline import (
    MONTHLY_ROWS,
    Shift,
    apply_shift,
    calendar_shift,
    cut_frames,
    plan_timeline,
    shift_months,
    temporal_columns,
)
from e2i_synth.stories.windows import add_months, named_window
from e2i_synth.validation.suite import structural_checks
from e2i_synth_tests.conftest import frames_of

AS_OF = date(2026, 11, 25)


@pytest.fixture(scope="module")
def frames():
    return frames_of("kisqali", "heterogeneous", 1_000)


@given(
    st.datetimes(min_value=pd.Timestamp("1990-01-01"), max_value=pd.Timestamp("2060-12-31")),
    st.integers(-240, 240),
)
def test_shift_months_matches_pandas_date_offset(moment, months):
    moment = pd.Timestamp(moment).floor("s")
    ours = shift_months(np.array([moment.to_datetime64()]), months)[0]
    assert pd.Timestamp(ours) == moment + pd.DateOffset(months=months)


def test_shifted_frames_pass_every_structural_check(frames):
    moved = apply_shift(frames, Shift(months=17, days=520))
    failed = [r.message for r in structural_checks(moved) if not r.passed]
    assert failed == []


def test_event_dates_move_by_the_same_days_and_months_stay_on_month_starts(frames):
    shift = Shift(months=17, days=520)
    moved = apply_shift(frames, shift)
    for table, column in temporal_columns():
        before, after = frames[table][column], moved[table][column]
        rule = MONTHLY_ROWS.get((table, column))
        monthly = rule(frames) if rule else np.zeros(len(before), bool)
        days = (after - before).dt.days[~monthly & before.notna()]
        assert (days == shift.days).all(), (table, column)
        monthly &= before.notna().to_numpy()
        if monthly.any():
            months = after[monthly].dt.year * 12 + after[monthly].dt.month
            old = before[monthly].dt.year * 12 + before[monthly].dt.month
            assert (months - old == shift.months).all(), (table, column)
    assert (moved["business_metrics"]["metric_date"].dt.day == 1).all()


def test_signal_descriptions_quote_the_moved_dates(frames):
    moved = apply_shift(frames, Shift(months=17, days=520))
    signals = moved["scenario_signals"].set_index("signal_type")
    start = signals.loc["underperformer", "start_date"]
    assert f"from {start:%Y-%m} on" in signals.loc["underperformer", "description"]
    assert "peaking in September" in signals.loc["seasonality", "description"]  # April + 17


@pytest.mark.parametrize(
    ("data_end", "last_month"),
    [(date(2026, 11, 25), date(2026, 10, 1)), (date(2026, 11, 30), date(2026, 11, 1))],
)
def test_calendar_shift_ends_monthly_series_on_the_last_complete_month(
    frames, data_end, last_month
):
    """The world's "now" (the day after its last month) moves by the same months in days."""
    shift = calendar_shift(data_end)
    moved = apply_shift(frames, shift)
    assert moved["business_metrics"]["metric_date"].max().date() == last_month
    now = date(2025, 7, 1) + timedelta(days=shift.days)
    assert now == add_months(last_month, 1)


def test_cut_frames_drop_every_row_after_the_cut_with_the_rows_that_hang_on_it(frames):
    cut = date(2025, 3, 31)
    kept = cut_frames(frames, cut)
    end = pd.Timestamp(cut) + pd.Timedelta(days=1)
    for table, column in temporal_columns():
        assert not (kept[table][column] >= end).any(), (table, column)
    journeys = frames["patient_journeys"]
    assert len(kept["patient_journeys"]) == int((journeys["index_date"] < end).sum())
    assert set(kept["unit_truth"]["patient_id"]) == set(kept["patient_journeys"]["patient_id"])
    keys = [r for r in structural_checks(kept) if r.name.endswith(".keys")]
    assert len(keys) == len(kept) and [r.message for r in keys if not r.passed] == []


def test_a_window_before_the_data_is_reported_uncovered(frames):
    windows = [
        ("patient_journeys", "index_date", named_window("last_year", date(2000, 6, 1))),
        ("patient_journeys", "index_date", named_window("last_90_days", AS_OF)),
    ]
    shift = calendar_shift(AS_OF)
    moved = cut_frames(apply_shift(frames, shift), AS_OF)
    plan = plan_timeline(moved, windows, AS_OF, AS_OF, shift)
    assert [c.window for c in plan.uncovered] == [windows[0][2]]
