"""Storage backends behind one interface; DuckDB is the embedded default."""

from e2i_synth.warehouse.base import Warehouse
from e2i_synth.warehouse.duckdb import DuckDBWarehouse

__all__ = ["DuckDBWarehouse", "Warehouse"]
