"""The checks find corruption in the *stored* warehouse, not only in generated frames.

Every table of a stored scenario gets a duplicated row, an orphan foreign key, a NULL in a
required column, a value outside the catalog or its range, and a wrong type; the truth
gets a shifted effect. The scenario is then read back as `validate` reads it and every
check runs: the right check names the problem, and every check still reports. One kind
of corruption goes into every table at once (one read and one run of the checks per
kind), and each table's verdict is its own test case.

DuckDB stores what it is told (no keys declared), so each corruption lands there; where
its types or NOT NULL refuse one, that refusal is asserted and the column is altered to
let it in. PostgreSQL's keys, NOT NULL, CHECK and types refuse most of them: the refusal
is the protection and is asserted; what it lets in is checked like DuckDB's.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import psycopg
import pytest
from psycopg import errors as pg
from psycopg.conninfo import conninfo_to_dict

from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES
from e2i_synth.validation.causal import TRUTH_TABLE
from e2i_synth.validation.result import CheckResult
from e2i_synth.validation.schemas import COLUMN_CHECKS
from e2i_synth.validation.suite import run_checks
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth.warehouse.postgres import PostgresWarehouse
from e2i_synth_tests.conftest import (
    ADMIN_URL,
    ESTIMATION_UNITS,
    database_url,
    frames_of,
    fresh_database,
)

SCENARIO = Scenario("kisqali", "confounded")
N_PATIENTS = 300
ORPHAN = "KIS-CF-X9999999"
SCENARIO_COLUMNS = ("brand", "dgp_type")
NUMERIC = ("INTEGER", "BIGINT", "DOUBLE")


@dataclass(frozen=True)
class Corruption:
    """One defect planted in one stored table, and what the checks must say about it."""

    kind: str
    table: str
    column: str
    value: str  # an SQL literal
    check: str  # the check that must fail, `table.check`
    names: tuple[str, ...]  # what its message must name

    @property
    def id(self) -> str:
        return f"{self.table}-{self.kind}"

    @property
    def named(self) -> tuple[str, ...]:
        """`names`, and for a duplicate the duplicated key: read from the scenario's data,
        so when a test runs, not when the cases are listed at collection."""
        return (*self.names, first_key(self.table)) if self.kind == "duplicate" else self.names


def first_key(table: str) -> str:
    return str(
        frames_of(SCENARIO.brand, SCENARIO.dgp, N_PATIENTS)[table][SPECS[table].primary_key].min()
    )


def corruptions(table: str) -> list[Corruption]:
    spec = SPECS[table]
    free = [c for c in spec.columns if c not in (spec.primary_key, *SCENARIO_COLUMNS)]
    found = [
        Corruption(
            "duplicate",
            table,
            spec.primary_key,
            "",
            f"{table}.keys",
            (f"{table}.{spec.primary_key}", "duplicated"),
        )
    ]
    for column, parent in list(spec.foreign_keys.items())[:1]:
        found.append(
            Corruption(
                "orphan",
                table,
                column,
                f"'{ORPHAN}'",
                f"{table}.keys",
                (f"{table}.{column}", f"no row in {parent}", ORPHAN),
            )
        )
    required = next(c for c in free if c not in spec.nullable)
    found.append(
        Corruption("null", table, required, "NULL", f"{table}.schema", (f"{table}.{required}",))
    )
    ranged = next(c for c in free if c in COLUMN_CHECKS)
    bad = "'not_in_catalog'" if spec.columns[ranged] == "VARCHAR" else "-999"
    found.append(
        Corruption(
            "out_of_range",
            table,
            ranged,
            bad,
            f"{table}.schema",
            (f"{table}.{ranged}", bad.strip("'")),
        )
    )
    numeric = [c for c in free if spec.columns[c] in NUMERIC]
    if numeric:
        found.append(
            Corruption(
                "wrong_type",
                table,
                numeric[0],
                "'ten'",
                f"{table}.schema",
                (f"{table}.{numeric[0]}", "not "),
            )
        )
    return found


CASES = {(c.kind, c.table): c for table in TABLE_NAMES for c in corruptions(table)}
PARAMS = [pytest.param(kind, table, id=f"{kind}-{table}") for kind, table in CASES]


def plant(execute, corruption: Corruption) -> None:
    """The corruption as SQL both warehouses speak."""
    spec = SPECS[corruption.table]
    where = f"WHERE {spec.primary_key} = '{first_key(corruption.table)}'"
    if corruption.kind == "duplicate":
        execute(f"INSERT INTO {corruption.table} SELECT * FROM {corruption.table} {where}")
    else:
        execute(f"UPDATE {corruption.table} SET {corruption.column} = {corruption.value} {where}")


def stored_checks(store) -> dict[str, CheckResult]:
    """Read the scenario back as `validate` does, and run every check on it."""
    frames = {table: store.read(table, SCENARIO) for table in TABLE_NAMES}
    return {result.name: result for result in run_checks(frames)}


@cache
def clean_check_names() -> list[str]:
    results = run_checks(frames_of(SCENARIO.brand, SCENARIO.dgp, N_PATIENTS))
    assert all(r.passed for r in results), [r.message for r in results if not r.passed]
    return [r.name for r in results]


def assert_found(results: dict[str, CheckResult], corruption: Corruption) -> None:
    """Every check reported (none lost to a crash) and the right one names the problem."""
    assert list(results) == clean_check_names()
    result = results[corruption.check]
    assert not result.passed, result.message
    missing = [n for n in corruption.named if n not in result.message]
    assert not missing, f"{corruption.check} does not name {missing}: {result.message}"


# DuckDB: every kind of corruption is planted in every table at once (one read and one
# run of the checks per kind), then each table's check is asserted on its own.


@pytest.fixture(scope="module")
def stored_duckdb(tmp_path_factory) -> Path:
    store = DuckDBWarehouse(tmp_path_factory.mktemp("stored") / "warehouse.duckdb")
    store.replace_scenario(SCENARIO, frames_of(SCENARIO.brand, SCENARIO.dgp, N_PATIENTS))
    return store.path


def let_in(con: duckdb.DuckDBPyConnection, corruption: Corruption) -> None:
    """DuckDB's NOT NULL and types refuse these (asserted); alter the column so they land."""
    with pytest.raises(duckdb.Error):
        plant(con.execute, corruption)
    change = "DROP NOT NULL" if corruption.kind == "null" else "TYPE VARCHAR"
    con.execute(f"ALTER TABLE {corruption.table} ALTER COLUMN {corruption.column} {change}")


@cache
def checked_duckdb(stored: Path, kind: str) -> dict[str, CheckResult]:
    path = stored.with_name(f"{kind}.duckdb")
    shutil.copy(stored, path)
    with duckdb.connect(str(path)) as con:
        for corruption in (c for (k, _), c in CASES.items() if k == kind):
            if kind in ("null", "wrong_type"):
                let_in(con, corruption)
            plant(con.execute, corruption)
    return stored_checks(DuckDBWarehouse(path))


@pytest.mark.parametrize(("kind", "table"), PARAMS)
def test_checks_find_corruption_stored_in_duckdb(kind, table, stored_duckdb):
    assert_found(checked_duckdb(stored_duckdb, kind), CASES[kind, table])


SHIFTED = Corruption(
    "shifted",
    TRUTH_TABLE,
    "true_ate",
    "true_ate + 0.1",
    f"{TRUTH_TABLE}.causal_recovery",
    ("truth not recovered",),
)
"""At 10,000 units a 0.1 shift is over five standard errors outside the recovery band."""


def test_checks_find_a_shifted_truth_stored_in_duckdb(tmp_path):
    store = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    store.replace_scenario(SCENARIO, frames_of(SCENARIO.brand, SCENARIO.dgp, ESTIMATION_UNITS))
    with duckdb.connect(str(store.path)) as con:
        con.execute(f"UPDATE {TRUTH_TABLE} SET true_ate = {SHIFTED.value}")
    assert_found(stored_checks(store), SHIFTED)


# PostgreSQL: what its keys, NOT NULL, CHECK and types refuse is asserted refused (in a
# rolled-back transaction); what they let in is planted in a copy and checked.

REFUSALS: dict[str, type[psycopg.Error]] = {
    "duplicate": pg.UniqueViolation,
    "orphan": pg.ForeignKeyViolation,
    "null": pg.NotNullViolation,
    "out_of_range": pg.CheckViolation,  # a catalog column; numeric ranges are not declared
    "wrong_type": pg.InvalidTextRepresentation,
}


def refused_by_postgres(corruption: Corruption) -> bool:
    return not (
        corruption.kind == "out_of_range"
        and SPECS[corruption.table].columns[corruption.column] in NUMERIC
    )


@pytest.fixture(scope="module")
def stored_postgres() -> Iterator[str]:
    """The name of a database holding the scenario, the template of the copies."""
    with fresh_database() as url:
        PostgresWarehouse(url).replace_scenario(
            SCENARIO, frames_of(SCENARIO.brand, SCENARIO.dgp, N_PATIENTS)
        )
        yield conninfo_to_dict(url)["dbname"]


@contextmanager
def copy_of(template: str) -> Iterator[str]:
    name = f"e2i_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@cache
def checked_postgres(template: str, kind: str) -> dict[str, CheckResult]:
    with copy_of(template) as url:
        with psycopg.connect(url) as con:
            for (k, _), corruption in CASES.items():
                if k == kind and not refused_by_postgres(corruption):
                    plant(con.execute, corruption)
        return stored_checks(PostgresWarehouse(url))


@pytest.mark.postgres
@pytest.mark.parametrize(("kind", "table"), PARAMS)
def test_postgres_refuses_or_the_checks_find_stored_corruption(kind, table, stored_postgres):
    corruption = CASES[kind, table]
    if not refused_by_postgres(corruption):
        assert_found(checked_postgres(stored_postgres, kind), corruption)
        return
    with (
        psycopg.connect(database_url(stored_postgres)) as con,
        pytest.raises(REFUSALS[kind]) as caught,
        con.transaction(),
    ):
        plant(con.execute, corruption)
    if kind != "wrong_type":  # a type error names the value, not the table
        assert table in str(caught.value)


@pytest.mark.postgres
def test_checks_find_a_shifted_truth_stored_in_postgres(stored_postgres):
    with copy_of(stored_postgres) as url:
        store = PostgresWarehouse(url)
        store.replace_scenario(SCENARIO, frames_of(SCENARIO.brand, SCENARIO.dgp, ESTIMATION_UNITS))
        with psycopg.connect(url) as con:
            con.execute(f"UPDATE {TRUTH_TABLE} SET true_ate = {SHIFTED.value}")
        assert_found(stored_checks(store), SHIFTED)
