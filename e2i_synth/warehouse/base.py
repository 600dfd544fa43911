"""The one interface every storage backend implements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import pandas as pd

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import STORED_SPECS, TABLE_NAMES
from e2i_synth.tables.downstream import DOWNSTREAM_SPECS


def load_order(frames: dict[str, pd.DataFrame]) -> list[str]:
    """The given tables in FK (load) order; an unknown table is an error."""
    unknown = set(frames) - set(STORED_SPECS)
    if unknown:
        raise E2IError(f"unknown tables {sorted(unknown)}; known: {', '.join(STORED_SPECS)}")
    return [name for name in STORED_SPECS if name in frames]


def outdated_by(frames: dict[str, pd.DataFrame]) -> list[str]:
    """The downstream tables (the twin step's) whose scenario rows a replacement of core
    tables outdates, in load order: they were built from the rows being replaced and from
    the world those came from, so they go in the same transaction (the twin step, when it
    runs, writes them anew) rather than stay beside a different draw."""
    if not set(frames) & set(TABLE_NAMES):
        return []
    return [spec.name for spec in DOWNSTREAM_SPECS if spec.name not in frames]


class Warehouse(Protocol):
    def ping(self) -> None:
        """Raise E2IError, naming the target (never a password), if it cannot be reached."""

    def replace_scenario(self, scenario: Scenario, frames: dict[str, pd.DataFrame]) -> None:
        """Replace exactly this scenario's rows of the given tables, all or nothing; its
        rows of the tables built downstream of replaced core tables go too (`outdated_by`)."""

    def read(self, table: str, scenario: Scenario | None = None) -> pd.DataFrame:
        """A table's rows (one scenario's, or all), in primary-key order."""

    def record_results(self, frame: pd.DataFrame) -> None:
        """Append rows of `validation_results`, all or nothing."""

    def read_results(self, run_ids: Sequence[str]) -> pd.DataFrame:
        """The `validation_results` rows of these runs."""

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Rows of a read-only SQL query with `%(name)s` parameters (see `sql/queries/`)."""

    def row_counts(self, scenario: Scenario) -> dict[str, int]:
        """Rows per core table for one scenario."""

    def tables(self) -> list[str]:
        """Tables that exist in the warehouse."""


class WarehouseError(E2IError):
    """A storage failure in one line: what failed, where, the innermost cause and the fix."""


def innermost(exc: BaseException) -> str:
    """The deepest explicit cause (`raise ... from`) of an exception, as one line."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return " ".join(str(exc).split()) or type(exc).__name__
