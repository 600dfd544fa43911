"""The embedded default: one DuckDB file, nothing to install or start."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES
from e2i_synth.tables.spec import TableSpec
from e2i_synth.validation.records import RESULTS_SPEC
from e2i_synth.warehouse.base import load_order


def create_table_sql(spec: TableSpec) -> str:
    columns = ",\n  ".join(
        f"{name} {sql_type}{'' if name in spec.nullable else ' NOT NULL'}"
        for name, sql_type in spec.columns.items()
    )
    return f"CREATE TABLE IF NOT EXISTS {spec.name} (\n  {columns}\n)"


class DuckDBWarehouse:
    """A scenario replace is one transaction over all its tables: readers see the old
    scenario or the new one, never a mix, and a failure leaves the old rows in place."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not self.path.exists():
            raise E2IError(f"no warehouse at {self.path}; run `e2i-synth materialize` first")
        try:
            connection = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise E2IError(
                f"cannot open the warehouse {self.path}: {exc}. Close other programs "
                "using it (e.g. a notebook holding a write connection) and retry"
            ) from None
        try:
            yield connection
        finally:
            connection.close()

    def ping(self) -> None:
        """An embedded file is always reachable; writability is checked with E2I_HOME."""

    def replace_scenario(self, scenario: Scenario, frames: dict[str, pd.DataFrame]) -> None:
        ordered = load_order(frames)
        with self.connect() as con:
            con.begin()
            try:
                for name in ordered:
                    con.execute(create_table_sql(SPECS[name]))
                for name in reversed(ordered):
                    con.execute(
                        f"DELETE FROM {name} WHERE brand = ? AND dgp_type = ?",
                        [scenario.brand, scenario.dgp],
                    )
                for name in ordered:
                    frame = frames[name]
                    con.register("incoming", frame)
                    columns = ", ".join(SPECS[name].columns)
                    con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming")
                    con.unregister("incoming")
                con.commit()
            except BaseException:
                con.rollback()
                raise

    def record_results(self, frame: pd.DataFrame) -> None:
        """Append check results (re-recording a run's check replaces it)."""
        with self.connect() as con:
            con.begin()
            try:
                con.execute(create_table_sql(RESULTS_SPEC))
                con.register("incoming", frame)
                con.execute(
                    f"DELETE FROM {RESULTS_SPEC.name} WHERE {RESULTS_SPEC.primary_key} IN "
                    f"(SELECT {RESULTS_SPEC.primary_key} FROM incoming)"
                )
                columns = ", ".join(RESULTS_SPEC.columns)
                con.execute(
                    f"INSERT INTO {RESULTS_SPEC.name} ({columns}) SELECT {columns} FROM incoming"
                )
                con.unregister("incoming")
                con.commit()
            except BaseException:
                con.rollback()
                raise

    def read_results(self, run_ids: Sequence[str]) -> pd.DataFrame:
        """The results of these runs, in run and check order."""
        with self.connect(read_only=True) as con:
            return con.execute(
                f"SELECT * FROM {RESULTS_SPEC.name} WHERE list_contains(?, run_id) "
                "ORDER BY checked_at, brand, dgp_type, result_id",
                [list(run_ids)],
            ).df()

    def read(self, table: str, scenario: Scenario | None = None) -> pd.DataFrame:
        spec = SPECS[table]
        where, params = "", []
        if scenario is not None:
            where, params = "WHERE brand = ? AND dgp_type = ?", [scenario.brand, scenario.dgp]
        with self.connect(read_only=True) as con:
            return con.execute(
                f"SELECT * FROM {table} {where} ORDER BY {spec.primary_key}", params
            ).df()

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """`%(name)s` placeholders (the psycopg style the SQL files use) become `$name`."""
        with self.connect(read_only=True) as con:
            return con.execute(re.sub(r"%\((\w+)\)s", r"$\1", sql), dict(params or {})).df()

    def tables(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.connect(read_only=True) as con:
            rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        return sorted(r[0] for r in rows)

    def row_counts(self, scenario: Scenario) -> dict[str, int]:
        with self.connect(read_only=True) as con:
            return {
                name: con.execute(
                    f"SELECT count(*) FROM {name} WHERE brand = ? AND dgp_type = ?",
                    [scenario.brand, scenario.dgp],
                ).fetchone()[0]
                for name in TABLE_NAMES
            }
