"""Storage backends behind one interface: embedded DuckDB by default, PostgreSQL when
`E2I_DATABASE_URL` is set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from e2i_synth.settings import WAREHOUSE_FILE
from e2i_synth.warehouse.base import Warehouse, WarehouseError
from e2i_synth.warehouse.duckdb import DuckDBWarehouse

if TYPE_CHECKING:
    from e2i_synth.database_url import PostgresTarget


def open_warehouse(
    home: Path, database: PostgresTarget | str | None = None, lock_timeout: float | None = None
) -> Warehouse:
    """PostgreSQL at `database` (a target, or a URL) if given, else
    `<home>/warehouse.duckdb`. `lock_timeout` (seconds) bounds the wait for another run's
    write; each backend has a default."""
    waits = {} if lock_timeout is None else {"lock_timeout": lock_timeout}
    if database:
        from e2i_synth.warehouse.postgres import PostgresWarehouse

        return PostgresWarehouse(database, **waits)
    return DuckDBWarehouse(home / WAREHOUSE_FILE, **waits)


__all__ = ["DuckDBWarehouse", "Warehouse", "WarehouseError", "open_warehouse"]
