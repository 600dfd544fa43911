"""Resources: what to generate (scale, seed) and where to store it (the warehouse).

Every field is optional and non-secret: unset fields are read from the environment
(`E2I_SCALE`, `E2I_SEED`, `E2I_HOME`) when the run starts, through the one settings
parser, and the PostgreSQL URL (`E2I_DATABASE_URL`, which may hold a password) only ever
comes from the environment, so it never enters run config, tags or the Dagster UI.
"""

from __future__ import annotations

import os

from dagster import ConfigurableResource

from e2i_synth.settings import Settings, ensure_writable_home
from e2i_synth.urls import DATABASE_URL_VARIABLE
from e2i_synth.warehouse import Warehouse, open_warehouse


class GenerationResource(ConfigurableResource):
    """`scale`: small, full or patients per scenario; `seed`: the root seed."""

    scale: str | None = None
    seed: int | None = None

    def settings(self) -> Settings:
        return Settings.from_env(scale=self.scale, seed=self.seed)


class WarehouseResource(ConfigurableResource):
    """DuckDB in `home` (E2I_HOME when unset), or PostgreSQL when E2I_DATABASE_URL is set.

    `run_report`: each check step rewrites the run's own HTML report (linked from the
    check's metadata). `e2i-synth` turns it off: it writes one report over all its runs.
    """

    home: str | None = None
    run_report: bool = True

    def settings(self) -> Settings:
        return Settings.from_env(home=self.home)

    def get(self) -> Warehouse:
        settings = self.settings()
        if not settings.database:
            ensure_writable_home(settings.home)
        return open_warehouse(settings.home, settings.database)


def warehouse_kind() -> str:
    """The kind tag of the configured warehouse (from whether a URL is set, never its value)."""
    return "postgres" if os.environ.get(DATABASE_URL_VARIABLE) else "duckdb"
