"""The stored twin tables are re-checked like the core tables: read back from the warehouse,
correct rows pass and each kind of corrupted row fails the check that names it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from e2i_synth.tables.downstream import DOWNSTREAM_SPECS
from e2i_synth.twins.stored_checks import (
    STORED_CHECKS,
    TABLE_CHECKS,
    TWIN_TABLE_CHECKS,
    TWIN_TABLES,
)
from e2i_synth.validation.suite import run_checks
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth_tests.privacy.stored_twins import SCENARIO, stored_frames


def stored(path: Path) -> DuckDBWarehouse:
    store = DuckDBWarehouse(path)
    store.replace_scenario(SCENARIO, stored_frames())
    return store


def twin_results(store: DuckDBWarehouse) -> dict[str, object]:
    frames = {t: store.read(t, SCENARIO) for t in TWIN_TABLES}
    return {r.name: r for r in run_checks(frames, checks=TWIN_TABLE_CHECKS)}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """One stored scenario with its twins; each test corrupts a copy."""
    return stored(tmp_path_factory.mktemp("twins") / "warehouse.duckdb").path


def corrupted(warehouse: Path, tmp_path: Path, *statements: str) -> DuckDBWarehouse:
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
    return DuckDBWarehouse(copy)


def test_every_downstream_table_has_stored_schema_and_keys_checks():
    tables = {s.name for s in DOWNSTREAM_SPECS}
    for check in ("stored_schema", "stored_keys"):
        assert {c.table for c in TWIN_TABLE_CHECKS if c.check == check} == tables
    assert len(TWIN_TABLE_CHECKS) == 2 * len(tables) + len(TABLE_CHECKS)
    names = [c.name for c in STORED_CHECKS]
    assert len(names) == len(set(names))


def test_the_stored_twin_tables_pass(warehouse):
    results = twin_results(DuckDBWarehouse(warehouse))
    assert len(results) == len(TWIN_TABLE_CHECKS)
    failed = {n: r.message for n, r in results.items() if not r.passed}
    assert not failed
    assert results["digital_twins.stored_schema"].message.endswith("match the digital_twins schema")


@pytest.mark.parametrize(
    ("statements", "check", "words"),
    [
        (
            [
                "UPDATE digital_twins SET twin_type = 'bogus' WHERE twin_id IN "
                "(SELECT min(twin_id) FROM digital_twins)"
            ],
            "digital_twins.stored_schema",
            "digital_twins.twin_type: 1 rows fail isin",
        ),
        (
            ["INSERT INTO twin_populations SELECT * FROM twin_populations LIMIT 1"],
            "twin_populations.stored_keys",
            "1 duplicated keys",
        ),
        (
            ["DELETE FROM twin_populations"],
            "simulation_runs.stored_keys",
            "values with no row in twin_populations",
        ),
        (
            [
                "UPDATE simulation_runs SET simulated_ate = true_ate + 1.0 "
                "WHERE recommendation = 'deploy'"
            ],
            "simulation_runs.stored_deploy_within_ci_of_truth",
            "family-wise band",
        ),
    ],
)
def test_corrupted_twin_rows_fail_the_check_that_names_them(
    warehouse, tmp_path, statements, check, words
):
    results = twin_results(corrupted(warehouse, tmp_path, *statements))
    assert not results[check].passed
    assert words in results[check].message


def test_a_scenario_without_twins_passes_saying_so():
    """Twins never built (no twin table stored) or emptied by `--no-twins` (no rows)."""
    never_built = run_checks({}, checks=TWIN_TABLE_CHECKS)
    frames = {t: f.iloc[:0] for t, f in stored_frames().items() if t in TWIN_TABLES}
    emptied = run_checks(frames, checks=TWIN_TABLE_CHECKS)
    for results in (never_built, emptied):
        assert all(r.passed and "twins were not built" in r.message for r in results)
