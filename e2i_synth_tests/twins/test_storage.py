"""The twin tables stored like the core ones: DuckDB and PostgreSQL (migration 005), one
transaction per scenario, read back equal, replaced without duplicates."""

from __future__ import annotations

import pandas as pd
import pytest

from e2i_synth.settings import Scenario
from e2i_synth.tables import DOWNSTREAM_SPECS, STORED_SPECS
from e2i_synth.warehouse.duckdb import DuckDBWarehouse
from e2i_synth_tests.twins.conftest import BRAND, DGP

SCENARIO = Scenario(BRAND, DGP)


def assert_round_trip(store, twin_frames) -> None:
    store.replace_scenario(SCENARIO, twin_frames)
    store.replace_scenario(SCENARIO, twin_frames)  # a replace, not an append
    for name, frame in twin_frames.items():
        back = store.read(name, SCENARIO)
        assert len(back) == len(frame), name
        key = STORED_SPECS[name].primary_key
        assert set(back[key]) == set(frame[key]), name
    runs = store.read("simulation_runs", SCENARIO).set_index("simulation_id")
    expected = twin_frames["simulation_runs"].set_index("simulation_id")
    pd.testing.assert_series_equal(
        runs["true_ate"].sort_index(), expected["true_ate"].sort_index(), check_dtype=False
    )


def test_stored_specs_list_the_twin_tables_after_the_core():
    names = list(STORED_SPECS)
    assert names[-len(DOWNSTREAM_SPECS) :] == [s.name for s in DOWNSTREAM_SPECS]


def test_duckdb_round_trip(twin_frames, tmp_path):
    assert_round_trip(DuckDBWarehouse(tmp_path / "warehouse.duckdb"), twin_frames)


@pytest.mark.postgres
def test_postgres_round_trip(twin_frames, postgres_database):
    from e2i_synth.warehouse.postgres import PostgresWarehouse

    assert_round_trip(PostgresWarehouse(postgres_database), twin_frames)
