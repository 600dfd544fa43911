from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth.errors import E2IError
from e2i_synth.stories.analyzer import analyze
from e2i_synth.stories.windows import Window, named_window

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))

SQL_FOR = {
    "last_quarter": "metric_date >= date_trunc('quarter', CURRENT_DATE) - INTERVAL '3 months' "
    "AND metric_date < date_trunc('quarter', CURRENT_DATE)",
    "this_month": "date_trunc('month', metric_date) = date_trunc('month', CURRENT_DATE) "
    "AND metric_date <= CURRENT_DATE",
    "ytd": "EXTRACT(YEAR FROM metric_date) = EXTRACT(YEAR FROM CURRENT_DATE) "
    "AND metric_date <= CURRENT_DATE",
    "last_90_days": "metric_date >= CURRENT_DATE - INTERVAL '90 days' "
    "AND metric_date <= CURRENT_DATE",
}


def sql_window(name: str, as_of: date) -> Window:
    sql = f"SELECT value FROM business_metrics WHERE {SQL_FOR[name]}"
    return analyze(sql, as_of).windows()[("business_metrics", "metric_date")]


@settings(max_examples=60, deadline=None)
@given(DAYS)
def test_sql_and_named_windows_agree(as_of):
    """DuckDB's evaluation of the SQL and the calendar arithmetic give the same window."""
    for name in SQL_FOR:
        assert sql_window(name, as_of) == named_window(name, as_of), name


@given(DAYS)
def test_last_quarter_is_the_previous_three_calendar_months(as_of):
    window = named_window("last_quarter", as_of)
    assert window.start.day == 1 and window.end.day == 1
    assert window.start.month in (1, 4, 7, 10)
    assert window.end <= as_of < window.end + timedelta(days=92)
    assert 89 <= (window.end - window.start).days <= 92


@pytest.mark.parametrize(
    ("as_of", "start", "end"),
    [
        (date(2024, 3, 31), date(2023, 10, 1), date(2024, 1, 1)),  # last day of Q1
        (date(2024, 4, 1), date(2024, 1, 1), date(2024, 4, 1)),  # first day of Q2
        (date(2024, 2, 29), date(2023, 10, 1), date(2024, 1, 1)),  # leap day
        (date(2025, 1, 1), date(2024, 10, 1), date(2025, 1, 1)),  # year boundary
    ],
)
def test_last_quarter_at_boundaries(as_of, start, end):
    assert sql_window("last_quarter", as_of) == Window(start, end)


def test_leap_day_windows():
    as_of = date(2024, 2, 29)
    assert sql_window("this_month", as_of) == Window(date(2024, 2, 1), date(2024, 3, 1))
    assert sql_window("ytd", as_of) == Window(date(2024, 1, 1), date(2024, 3, 1))
    assert sql_window("last_90_days", as_of) == Window(date(2023, 12, 1), date(2024, 3, 1))


def test_unknown_window_name_is_one_clear_error():
    with pytest.raises(E2IError, match="unknown window 'last_fortnight'"):
        named_window("last_fortnight", date(2024, 1, 1))
