"""The scenario summary gives the same figures on DuckDB and PostgreSQL, matching the data."""

from __future__ import annotations

import pandas as pd
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth.warehouse.postgres import PostgresWarehouse
from e2i_synth.warehouse.queries import query_text, scenario_summary
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
    with pytest.raises(E2IError, match="no query named 'gaps'; known: scenario_summary"):
        query_text("gaps")
