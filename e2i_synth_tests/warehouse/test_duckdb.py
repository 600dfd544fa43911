"""The DuckDB warehouse replaces exactly one scenario, all or nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth_tests.conftest import frames_of, history_of

KIS = Scenario("kisqali", "confounded")
FAB = Scenario("fabhalta", "confounded")


@pytest.fixture
def warehouse(tmp_path) -> DuckDBWarehouse:
    store = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    store.replace_scenario(KIS, frames_of("kisqali", "confounded", 500))
    store.replace_scenario(FAB, frames_of("fabhalta", "confounded", 500))
    return store


def test_round_trip_preserves_rows_and_types(warehouse):
    stored = warehouse.read("patient_journeys", KIS)
    generated = frames_of("kisqali", "confounded", 500)["patient_journeys"]
    assert stored["patient_id"].tolist() == sorted(generated["patient_id"])
    assert stored["treatment_initiated"].sum() == generated["treatment_initiated"].sum()
    assert stored["days_to_treatment"].isna().sum() == generated["days_to_treatment"].isna().sum()
    truth = warehouse.read("causal_ground_truth", KIS)
    assert list(truth.loc[0, "adjustment_columns"]) == [
        "disease_severity",
        "academic_hcp",
        "comorbidity_count",
    ]


def test_replacing_core_tables_empties_the_scenarios_downstream_rows_only(warehouse):
    """Twin-step rows were built from the core rows a replacement removes: they go with
    them (another draw must not sit beside them), other scenarios' stay, and writing the
    downstream tables alone leaves the core ones as they are."""
    history = "hcp_intervention_history"
    for scenario in (KIS, FAB):
        warehouse.replace_scenario(
            scenario, {history: history_of(scenario.brand, scenario.dgp, 500)}
        )
    assert len(warehouse.read(history, KIS)) > 0
    assert len(warehouse.read("hcp_profiles", KIS)) > 0  # core kept by a downstream write

    warehouse.replace_scenario(KIS, frames_of("kisqali", "confounded", 500, seed=8))
    assert warehouse.read(history, KIS).empty
    assert len(warehouse.read(history, FAB)) == len(history_of("fabhalta", "confounded", 500))


def test_a_core_replacement_creates_no_downstream_table(tmp_path):
    store = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    store.replace_scenario(KIS, frames_of("kisqali", "confounded", 500))
    assert "hcp_intervention_history" not in store.tables()


def test_a_file_from_before_a_nullable_column_gains_it_on_the_next_load(tmp_path):
    store = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    store.replace_scenario(KIS, frames_of("kisqali", "confounded", 500))
    with store.connect(doing="drop the column") as con:
        con.execute("ALTER TABLE treatment_events DROP COLUMN product")
    store.replace_scenario(FAB, frames_of("fabhalta", "confounded", 500))
    kept, loaded = store.read("treatment_events", KIS), store.read("treatment_events", FAB)
    assert kept["product"].isna().all()
    assert set(loaded["product"].dropna()) == {"Fabhalta 200 mg"}


def test_replace_touches_only_its_scenario(warehouse):
    before_fab = {t: len(warehouse.read(t, FAB)) for t in TABLE_NAMES}
    smaller = frames_of("kisqali", "confounded", 300)
    warehouse.replace_scenario(KIS, smaller)
    warehouse.replace_scenario(KIS, smaller)
    assert warehouse.row_counts(KIS) == {t: len(f) for t, f in smaller.items()}
    assert {t: len(warehouse.read(t, FAB)) for t in TABLE_NAMES} == before_fab


def test_failed_replace_leaves_previous_rows(warehouse):
    before = warehouse.row_counts(KIS)
    frames = dict(frames_of("kisqali", "confounded", 300))
    frames["triggers"] = frames["triggers"].drop(columns=["created_at"])  # fails mid-load
    with pytest.raises(E2IError, match=r"Binder Error.*created_at"):
        warehouse.replace_scenario(KIS, frames)
    assert warehouse.row_counts(KIS) == before


def test_null_in_required_column_is_rejected_and_rolled_back(warehouse):
    before = warehouse.row_counts(KIS)
    frames = dict(frames_of("kisqali", "confounded", 300))
    broken = frames["ml_predictions"].copy()
    broken["model_name"] = pd.Series([None] * len(broken), dtype="str")
    frames["ml_predictions"] = broken
    with pytest.raises(E2IError, match=r"NOT NULL constraint failed: ml_predictions\.model_name"):
        warehouse.replace_scenario(KIS, frames)
    assert warehouse.row_counts(KIS) == before


def test_unknown_table_is_refused(warehouse):
    with pytest.raises(E2IError, match="unknown tables"):
        warehouse.replace_scenario(KIS, {"patients": pd.DataFrame()})


def test_reading_a_missing_warehouse_says_what_to_do(tmp_path):
    with pytest.raises(E2IError, match="e2i-synth materialize"):
        DuckDBWarehouse(tmp_path / "none.duckdb").read("hcp_profiles")


@pytest.mark.parametrize("offset", [0, 4096, 8192])
def test_a_partly_overwritten_file_is_one_line_naming_it_and_the_fix(warehouse, offset):
    with warehouse.path.open("r+b") as file:
        file.seek(offset)
        file.write(b"\xa5" * 4096)
    for attempt in (
        lambda: warehouse.read("hcp_profiles", KIS),
        lambda: warehouse.replace_scenario(KIS, frames_of("kisqali", "confounded", 300)),
    ):
        with pytest.raises(E2IError) as caught:
            attempt()
        message = str(caught.value)
        assert str(warehouse.path) in message and "\n" not in message
        assert "Corrupt database file" in message or "not a valid DuckDB" in message
        assert "restore it from a backup, or delete it" in message
        assert "no warehouse" not in message


def test_reading_results_before_any_validation_is_a_clear_error(warehouse):
    with pytest.raises(E2IError, match=r"no validation results in .* yet; run `e2i-synth"):
        warehouse.read_results(["run-1"])
