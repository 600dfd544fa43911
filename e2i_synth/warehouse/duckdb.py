"""The embedded default: one DuckDB file, nothing to install or start."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.tables import STORED_SPECS, TABLE_NAMES
from e2i_synth.tables.causal_ground_truth import TRAPS, TRAPS_JSON
from e2i_synth.tables.results import RESULTS_SPEC
from e2i_synth.tables.spec import TableSpec
from e2i_synth.warehouse.base import WarehouseError, innermost, load_order, outdated_by
from e2i_synth.warehouse.filelock import hold, lock_path_of

TABLE_NAMES_SQL = "SELECT table_name FROM information_schema.tables"


def create_table_sql(spec: TableSpec) -> str:
    columns = ",\n  ".join(
        f"{name} {sql_type}{'' if name in spec.nullable else ' NOT NULL'}"
        for name, sql_type in spec.columns.items()
    )
    return f"CREATE TABLE IF NOT EXISTS {spec.name} (\n  {columns}\n)"


def column_names(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {row[0] for row in rows}


def add_missing_columns(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    """A file written before a nullable column joined its table gains the column (NULL in
    the rows already stored), as the migrations do on PostgreSQL: in the spec's order,
    which is the order the migrations add them in."""
    stored = column_names(con, spec.name)
    for name in [c for c in spec.columns if c in spec.nullable and c not in stored]:
        con.execute(f"ALTER TABLE {spec.name} ADD COLUMN {name} {spec.columns[name]}")


LEGACY_ANSWER_KEY = ("propensity_score", "potential_outcome_untreated", "potential_outcome_treated")
"""patient_journeys columns of files written before the answer key moved to unit_truth."""
MEAN_EFFECT = """(SELECT avg(u.individual_effect) FROM unit_truth u
    JOIN patient_journeys p USING (patient_id)
    WHERE p.brand = g.brand AND p.dgp_type = g.dgp_type AND {arm} p.engaged
    AND (g.segment_column IS NULL OR p.region = g.segment_value))"""


def move_answer_key(con: duckdb.DuckDBPyConnection) -> None:
    """A file written before unit_truth existed keeps its stored scenarios whole: their
    answer key moves from patient_journeys to unit_truth, and causal_ground_truth is
    rebuilt with ATT, ATC and traps, as PostgreSQL migration 007 does (DuckDB cannot add a
    NOT NULL column to a table in place)."""
    if not set(LEGACY_ANSWER_KEY) <= column_names(con, "patient_journeys"):
        return
    con.execute(create_table_sql(STORED_SPECS["unit_truth"]))
    con.execute(
        "INSERT INTO unit_truth (patient_id, brand, dgp_type, y0, y1, true_propensity, "
        "individual_effect, cate, data_split) "
        "SELECT p.patient_id, p.brand, p.dgp_type, p.potential_outcome_untreated, "
        "p.potential_outcome_treated, p.propensity_score, p.potential_outcome_treated::INTEGER "
        "- p.potential_outcome_untreated::INTEGER, COALESCE(s.expected_ate, o.expected_ate), "
        "p.data_split FROM patient_journeys p "
        "LEFT JOIN causal_ground_truth o ON o.brand = p.brand AND o.dgp_type = p.dgp_type "
        "AND o.segment_column IS NULL "
        "LEFT JOIN causal_ground_truth s ON s.brand = p.brand AND s.dgp_type = p.dgp_type "
        "AND s.segment_column = 'region' AND s.segment_value = p.region"
    )
    truth = STORED_SPECS["causal_ground_truth"]
    rewritten = ("graph_dot", "true_att", "true_atc", "traps")
    stored = column_names(con, "causal_ground_truth")
    # columns that joined the table after 007 stay NULL, as their migrations leave them
    kept = [c for c in truth.columns if c not in rewritten and c in stored]
    con.execute(create_table_sql(replace(truth, name="causal_ground_truth_next")))
    con.execute(
        f"INSERT INTO causal_ground_truth_next ({', '.join([*kept, *rewritten])}) "
        f"SELECT {', '.join('g.' + c for c in kept)}, "
        "left(g.graph_dot, length(g.graph_dot) - 1) || $edges || '}', "
        f"{MEAN_EFFECT.format(arm='')}, {MEAN_EFFECT.format(arm='NOT')}, $traps "
        "FROM causal_ground_truth g",
        {"edges": "".join(f" {t.parent} -> {t.column};" for t in TRAPS), "traps": TRAPS_JSON},
    )
    con.execute("DROP TABLE causal_ground_truth")
    con.execute("ALTER TABLE causal_ground_truth_next RENAME TO causal_ground_truth")
    for column in LEGACY_ANSWER_KEY:
        con.execute(f"ALTER TABLE patient_journeys DROP COLUMN {column}")


LOCK_TIMEOUT_SECONDS = 600.0
"""How long a run waits for another run's write (or read) of the same file."""
CONFLICT_RETRIES = 8
CONFLICT_PAUSE = (0.25, 2.0)
"""A program outside e2i holding the file: retry (pauses doubling, about 12 s in all)."""


DAMAGED_FILE_SIGNS = (
    "Corrupt database file",
    "not a valid DuckDB database file",
    "Could not read enough bytes",
)
"""DuckDB's words for a damaged file; the last is a truncated one (cut short by a full
disk, an interrupted copy), which DuckDB reports as an IO error."""


def fix_for(exc: duckdb.Error, path: Path) -> str:
    """What to do about a failure of the file itself, or what the SQL error says."""
    cause = innermost(exc)
    if any(sign in cause for sign in DAMAGED_FILE_SIGNS):
        return (
            "the file is damaged: restore it from a backup, or delete it and run "
            "`e2i-synth materialize` to rebuild it"
        )
    if "Conflicting lock" in cause:
        return (
            "another program holds it open for writing: close that program's connection "
            "(e.g. a notebook's duckdb.connect) and retry"
        )
    if isinstance(exc, duckdb.OutOfMemoryException):
        return "free memory or use a smaller --scale, then retry"
    if isinstance(exc, duckdb.IOException):
        return f"check that {path} and its folder are yours to read and write, with disk space"
    if isinstance(exc, duckdb.CatalogException):
        return "run `e2i-synth materialize` to create the missing tables"
    return "nothing was changed by this failed step; fix the cause and retry"


def storage_error(exc: duckdb.Error, path: Path, doing: str) -> WarehouseError:
    return WarehouseError(
        f"{doing} failed on the warehouse {path}: {innermost(exc)}; {fix_for(exc, path)}"
    )


class DuckDBWarehouse:
    """A scenario replace is one transaction over all its tables: readers see the old
    scenario or the new one, never a mix, and a failure leaves the old rows in place.

    Every write holds the exclusive lock on `<file>.lock` and every read the shared one,
    waiting up to `lock_timeout` seconds, so runs in several processes take turns."""

    def __init__(self, path: Path, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout

    @contextmanager
    def connect(
        self, read_only: bool = False, doing: str = "write"
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection under the file lock; a DuckDB failure becomes one WarehouseError."""
        if read_only and not self.path.exists():
            raise WarehouseError(f"no warehouse at {self.path}; run `e2i-synth materialize` first")
        lock = lock_path_of(self.path)
        with hold(lock, exclusive=not read_only, timeout=self.lock_timeout, purpose=doing):
            connection = self.open(read_only, doing)
            try:
                yield connection
            except duckdb.Error as exc:
                raise storage_error(exc, self.path, doing) from exc
            finally:
                connection.close()

    def open(self, read_only: bool, doing: str) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying while a program outside e2i holds DuckDB's own lock."""
        attempt = 0
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as exc:
                if "Conflicting lock" not in str(exc) or attempt == CONFLICT_RETRIES:
                    raise storage_error(exc, self.path, doing) from exc
            time.sleep(min(CONFLICT_PAUSE[0] * 2**attempt, CONFLICT_PAUSE[1]))
            attempt += 1

    def ping(self) -> None:
        """An embedded file is always reachable; writability is checked with E2I_HOME."""

    def replace_scenario(self, scenario: Scenario, frames: dict[str, pd.DataFrame]) -> None:
        ordered = load_order(frames)
        with self.connect(doing=f"replace {scenario.partition_key}") as con:
            con.begin()
            try:
                move_answer_key(con)
                for name in ordered:
                    con.execute(create_table_sql(STORED_SPECS[name]))
                    add_missing_columns(con, STORED_SPECS[name])
                outdated = outdated_by(frames)
                if outdated:  # a warehouse that never had them does not gain them
                    present = {row[0] for row in con.execute(TABLE_NAMES_SQL).fetchall()}
                    outdated = [name for name in outdated if name in present]
                for name in [*reversed(outdated), *reversed(ordered)]:
                    con.execute(
                        f"DELETE FROM {name} WHERE brand = ? AND dgp_type = ?",
                        [scenario.brand, scenario.dgp],
                    )
                for name in ordered:
                    frame = frames[name]
                    con.register("incoming", frame)
                    columns = ", ".join(STORED_SPECS[name].columns)
                    con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming")
                    con.unregister("incoming")
                con.commit()
            except BaseException:
                con.rollback()
                raise

    def record_results(self, frame: pd.DataFrame) -> None:
        """Append check results (re-recording a run's check replaces it)."""
        with self.connect(doing="record validation results") as con:
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
        with self.connect(read_only=True, doing="read validation results") as con:
            if not con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                [RESULTS_SPEC.name],
            ).fetchone()[0]:
                raise WarehouseError(
                    f"no validation results in {self.path} yet; run `e2i-synth materialize` "
                    "or `e2i-synth validate` first"
                )
            return con.execute(
                f"SELECT * FROM {RESULTS_SPEC.name} WHERE list_contains(?, run_id) "
                "ORDER BY checked_at, brand, dgp_type, result_id",
                [list(run_ids)],
            ).df()

    def read(self, table: str, scenario: Scenario | None = None) -> pd.DataFrame:
        spec = STORED_SPECS[table]
        where, params = "", []
        if scenario is not None:
            where, params = "WHERE brand = ? AND dgp_type = ?", [scenario.brand, scenario.dgp]
        with self.connect(read_only=True, doing=f"read {table}") as con:
            return con.execute(
                f"SELECT * FROM {table} {where} ORDER BY {spec.primary_key}", params
            ).df()

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """`%(name)s` placeholders (the psycopg style the SQL files use) become `$name`."""
        with self.connect(read_only=True, doing="read") as con:
            return con.execute(re.sub(r"%\((\w+)\)s", r"$\1", sql), dict(params or {})).df()

    def tables(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.connect(read_only=True, doing="read") as con:
            rows = con.execute(TABLE_NAMES_SQL).fetchall()
        return sorted(r[0] for r in rows)

    def row_counts(self, scenario: Scenario) -> dict[str, int]:
        with self.connect(read_only=True, doing="read") as con:
            return {
                name: con.execute(
                    f"SELECT count(*) FROM {name} WHERE brand = ? AND dgp_type = ?",
                    [scenario.brand, scenario.dgp],
                ).fetchone()[0]
                for name in TABLE_NAMES
            }
