"""Storage backends behind one interface: embedded DuckDB by default, PostgreSQL when
`E2I_DATABASE_URL` is set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from e2i_synth.errors import E2IError
from e2i_synth.settings import WAREHOUSE_FILE, Scenario, Settings, select_scenarios
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


def not_stored(missing: list[Scenario]) -> E2IError:
    """The error naming scenarios asked for that the warehouse does not hold."""
    return E2IError(
        f"not in the warehouse: {', '.join(s.partition_key for s in missing)}; materialize "
        "them first (e2i-synth materialize --brand ... --dgp ...)"
    )


def stored_scenarios(
    settings: Settings, brand: str | None, dgp: str | None
) -> tuple[list[Scenario], list[Scenario]]:
    """The stored scenarios among those asked for, and those asked for by name that are
    missing (without flags nothing is asked for by name: every stored scenario is checked)."""
    store = open_warehouse(settings.home, settings.database)
    if "causal_ground_truth" not in store.tables():
        raise E2IError(
            f"no scenarios stored in {settings.target}; run `e2i-synth materialize` first"
        )
    truth = store.read("causal_ground_truth")
    present = set(zip(truth["brand"], truth["dgp_type"], strict=True))
    wanted = select_scenarios(brand, dgp)
    stored = [s for s in wanted if (s.brand, s.dgp) in present]
    missing = [s for s in wanted if (s.brand, s.dgp) not in present] if brand or dgp else []
    if not stored:
        raise not_stored(missing)
    return stored, missing


__all__ = [
    "DuckDBWarehouse",
    "Warehouse",
    "WarehouseError",
    "not_stored",
    "open_warehouse",
    "stored_scenarios",
]
