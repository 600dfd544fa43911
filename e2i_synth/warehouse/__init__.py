"""Storage backends behind one interface: embedded DuckDB by default, PostgreSQL when
`E2I_DATABASE_URL` is set."""

from __future__ import annotations

from pathlib import Path

from e2i_synth.settings import WAREHOUSE_FILE
from e2i_synth.warehouse.base import Warehouse
from e2i_synth.warehouse.duckdb import DuckDBWarehouse


def open_warehouse(home: Path, database_url: str | None = None) -> Warehouse:
    """PostgreSQL at `database_url` if given, else `<home>/warehouse.duckdb`."""
    if database_url:
        from e2i_synth.warehouse.postgres import PostgresWarehouse

        return PostgresWarehouse(database_url)
    return DuckDBWarehouse(home / WAREHOUSE_FILE)


__all__ = ["DuckDBWarehouse", "Warehouse", "open_warehouse"]
