"""Resources: what to generate (scale, seed) and where to store it (the warehouse)."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from e2i_synth.settings import ensure_writable_home, parse_scale, parse_seed
from e2i_synth.warehouse import Warehouse, open_warehouse


class GenerationResource(ConfigurableResource):
    """`scale` is small, full or a patient count per scenario; `seed` is the root seed."""

    scale: str = "small"
    seed: int = 42

    @property
    def n_patients(self) -> int:
        return parse_scale(self.scale)

    @property
    def root_seed(self) -> int:
        return parse_seed(self.seed)


class WarehouseResource(ConfigurableResource):
    """PostgreSQL at `database_url` when set, else the DuckDB file `<home>/warehouse.duckdb`."""

    home: str = ".e2i"
    database_url: str = ""

    def get(self) -> Warehouse:
        if self.database_url:
            return open_warehouse(Path(self.home), self.database_url)
        return open_warehouse(ensure_writable_home(Path(self.home).absolute()))
