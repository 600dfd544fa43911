"""The scenario summary gives the same figures on DuckDB and PostgreSQL, matching the data."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from e2i_synth.catalog import REGIONS
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth.warehouse.postgres import PostgresWarehouse
from e2i_synth.warehouse.queries import (
    drift_windows,
    gap_time_series,
    query_text,
    scenario_summary,
)
from e2i_synth_tests.conftest import frames_of

SCENARIOS = [Scenario("kisqali", "confounded"), Scenario("fabhalta", "selection_bias")]


def load(store) -> None:
    for s in SCENARIOS:
        store.replace_scenario(s, frames_of(s.brand, s.dgp))


def expected() -> pd.DataFrame:
    rows = []
    for s in SCENARIOS:
        j = frames_of(s.brand, s.dgp)["patient_journeys"]
        y, t = j["treatment_initiated"].astype(float), j["engaged"]
        rows.append((s.brand, s.dgp, len(j), t.mean(), y.mean(), y[t].mean() - y[~t].mean()))
    return pd.DataFrame(
        rows,
        columns=[
            "brand",
            "dgp_type",
            "patients",
            "engaged_share",
            "initiation_rate",
            "naive_difference",
        ],
    )


def check(summary: pd.DataFrame) -> None:
    want = expected().sort_values(["brand", "dgp_type"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(summary[want.columns], want, check_dtype=False, atol=1e-12)
    assert (summary["true_ate"] > 0.2).all()


def test_scenario_summary_on_duckdb(tmp_path):
    store = DuckDBWarehouse(tmp_path / "w.duckdb")
    load(store)
    check(scenario_summary(store))


@pytest.mark.postgres
def test_scenario_summary_on_postgres(postgres_database):
    store = PostgresWarehouse(postgres_database)
    load(store)
    check(scenario_summary(store))


def test_unknown_query_names_the_known_ones():
    with pytest.raises(E2IError, match="no query named 'gaps'; known: drift_windows"):
        query_text("gaps")


def underperformer_found(store, brand: str) -> None:
    """A plain statistic on the agent query's rows names the planted region."""
    signals = store.read("scenario_signals")
    planted = signals[(signals["signal_type"] == "underperformer") & (signals["brand"] == brand)]
    for row in planted.itertuples():
        late = {
            region: gap_time_series(
                store, brand, region, "trx", row.start_date.date(), date(2025, 6, 1)
            ).query("dgp_type == @row.dgp_type")["achievement_rate"]
            for region in REGIONS
        }
        means = {region: series.mean() for region, series in late.items()}
        assert min(means, key=means.get) == row.region
        assert means[row.region] < row.magnitude + 0.03


def test_gap_time_series_finds_the_underperformer_on_duckdb(tmp_path):
    store = DuckDBWarehouse(tmp_path / "w.duckdb")
    load(store)
    underperformer_found(store, "kisqali")
    rows = gap_time_series(store, "kisqali", "west", "trx", date(2023, 1, 1), date(2023, 12, 1))
    assert len(rows) == 12 and (rows["gap"] == rows["value"] - rows["target"]).all()


@pytest.mark.postgres
def test_agent_queries_return_the_same_rows_on_both_warehouses(tmp_path, postgres_database):
    duck, pg = DuckDBWarehouse(tmp_path / "w.duckdb"), PostgresWarehouse(postgres_database)
    load(duck)
    load(pg)
    underperformer_found(pg, "fabhalta")
    args = ("fabhalta", "south", "conversion_rate", date(2024, 1, 1), date(2025, 6, 1))
    pd.testing.assert_frame_equal(gap_time_series(duck, *args), gap_time_series(pg, *args))
    pd.testing.assert_frame_equal(scenario_summary(duck), scenario_summary(pg), check_dtype=False)


MONITORED = (
    "disease_severity",
    "age_at_diagnosis",
    "comorbidity_count",
    "prior_treatment_count",
    "engagement_score",
    "treatment_propensity",
    "patient_volume_monthly",
)
"""Entity-level numeric features; brand KPIs trend and season by design, so not here."""


def drift_flagged(store, scenario: Scenario) -> set[str]:
    """Features whose current window differs from the baseline by a two-sample KS test."""
    from scipy.stats import ks_2samp

    signals = store.read("scenario_signals", scenario)
    start = signals.query("signal_type == 'drift'")["start_date"].iloc[0]
    baseline = (datetime(2024, 1, 1), datetime(2024, 12, 31))
    current = (start.to_pydatetime(), datetime(2025, 12, 31))
    flagged = set()
    for feature in MONITORED:
        rows = drift_windows(store, feature, baseline, current).query(
            "brand == @scenario.brand and dgp_type == @scenario.dgp"
        )
        windows = {w: g["value"].astype(float) for w, g in rows.groupby("window_name")}
        if ks_2samp(windows["baseline"], windows["current"]).pvalue < 1e-3:
            flagged.add(feature)
    return flagged


def test_drift_windows_flag_exactly_the_planted_feature_on_duckdb(tmp_path):
    store = DuckDBWarehouse(tmp_path / "w.duckdb")
    load(store)
    for scenario in SCENARIOS:
        planted = store.read("scenario_signals", scenario).query("signal_type == 'drift'")
        assert drift_flagged(store, scenario) == {planted["subject"].iloc[0]}


@pytest.mark.postgres
def test_drift_windows_match_across_warehouses(tmp_path, postgres_database):
    duck, pg = DuckDBWarehouse(tmp_path / "w.duckdb"), PostgresWarehouse(postgres_database)
    load(duck)
    load(pg)
    window = (
        (datetime(2024, 1, 1), datetime(2024, 6, 30)),
        (datetime(2025, 1, 1), datetime(2025, 6, 30)),
    )
    for feature in ("prior_treatment_count", "insurance_tier", "academic_flag"):
        pd.testing.assert_frame_equal(
            drift_windows(duck, feature, *window), drift_windows(pg, feature, *window)
        )
    assert drift_flagged(pg, SCENARIOS[0]) == drift_flagged(duck, SCENARIOS[0])


@pytest.mark.parametrize("name", ["../schema", "../migrations/001_core_tables", "/etc/passwd"])
def test_named_queries_resolve_only_inside_their_folder(name):
    with pytest.raises(E2IError, match="no query named"):
        query_text(name)
