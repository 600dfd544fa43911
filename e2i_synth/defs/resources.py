"""Resources: what to generate (scale, seed) and where to store it (the warehouse)."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from e2i_synth.settings import ensure_writable_home, parse_scale, parse_seed
from e2i_synth.warehouse import DuckDBWarehouse, Warehouse


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
    """The embedded DuckDB file `<home>/warehouse.duckdb`."""

    home: str = ".e2i"

    def get(self) -> Warehouse:
        home = ensure_writable_home(Path(self.home).absolute())
        return DuckDBWarehouse(home / "warehouse.duckdb")
