"""The series check passes on clean metrics and catches each corruption."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS
from e2i_synth.tables.uptake import STEADY_UPTAKE, steady_months
from e2i_synth.validation.metrics import check_metric_series
from e2i_synth_tests.conftest import frames_of


def with_metrics(change) -> dict[str, pd.DataFrame]:
    frames = dict(frames_of("remibrutinib", "time_series"))
    frames["business_metrics"] = change(frames["business_metrics"].copy())
    return frames


def test_clean_series_pass():
    result = check_metric_series(frames_of("remibrutinib", "time_series"))
    assert result.passed, result.message
    assert result.figures["series"] == 20 and result.figures["gaps"] == 0


def test_a_missing_month_is_a_gap():
    def drop_month(m):
        return m.drop(m.index[(m["metric_name"] == "nrx") & (m["metric_date"] == "2024-09-01")][:1])

    result = check_metric_series(with_metrics(drop_month))
    assert not result.passed and result.figures["gaps"] == 1
    assert "breaks in monthly continuity" in result.message


def test_a_month_before_the_launch_is_caught():
    """Remibrutinib launched on 2024-04-01: a TRx row for 2024-03 has no place."""

    def before_launch(m):
        first = m[(m["metric_name"] == "trx") & (m["metric_date"] == "2024-04-01")].iloc[:1]
        return pd.concat([first.assign(metric_date=pd.Timestamp("2024-03-01")), m])

    result = check_metric_series(with_metrics(before_launch))
    assert not result.passed and "not running from the brand's launch month" in result.message


def test_achievement_rate_inconsistent_with_value_and_target():
    def skew(m):
        m.loc[m.index[5], "achievement_rate"] *= 1.1
        return m

    result = check_metric_series(with_metrics(skew))
    assert not result.passed and "achievement_rate: 1 rows differ" in result.message


def test_out_of_range_share():
    def overflow(m):
        row = m.index[m["metric_name"] == "market_share"][0]
        m.loc[row, ["value", "confidence_interval_upper"]] = 1.4
        m.loc[row, "achievement_rate"] = 1.4 / m.loc[row, "target"]
        return m

    result = check_metric_series(with_metrics(overflow))
    assert not result.passed and "rows out of range" in result.message
    assert "market_share" in result.message


def national_trx(frames, month: str) -> float:
    m = frames["business_metrics"]
    return m.loc[(m["metric_name"] == "trx") & (m["metric_date"] == month), "value"].sum()


def test_a_launch_ramp_below_the_brands_range_passes():
    """Remibrutinib's launch month (2024-04) holds a few dozen TRx, far below its range of
    5,000 to 50,000 a month: a ramp, not a failure (its new-patient uptake is < 0.9)."""
    frames = frames_of("remibrutinib", "time_series")
    low, _ = BRANDS["remibrutinib"].trx_per_month
    assert national_trx(frames, "2024-04-01") < low
    assert not steady_months("remibrutinib", np.array(["2024-04"], "datetime64[M]"))[0]
    assert check_metric_series(frames).passed


def test_a_steady_state_month_out_of_range_fails():
    """Ten times the TRx of 2025-06 (a steady month) puts national TRx above the range."""
    _, high = BRANDS["remibrutinib"].trx_per_month
    assert steady_months("remibrutinib", np.array(["2025-06"], "datetime64[M]"))[0]

    def inflate(m):
        month = (m["metric_name"] == "trx") & (m["metric_date"] == "2025-06-01")
        m.loc[month, "value"] *= 10
        return m

    frames = with_metrics(inflate)
    assert national_trx(frames, "2025-06-01") > high
    result = check_metric_series(frames)
    assert not result.passed
    assert "national TRx outside the brand's range in 1 steady-state months" in result.message
    assert f"new-patient uptake >= {STEADY_UPTAKE}" in result.message
