"""The one interface every storage backend implements."""

from __future__ import annotations

from typing import Protocol

import pandas as pd

from e2i_synth.settings import Scenario


class Warehouse(Protocol):
    def replace_scenario(self, scenario: Scenario, frames: dict[str, pd.DataFrame]) -> None:
        """Replace exactly this scenario's rows of the given tables, all or nothing."""

    def read(self, table: str, scenario: Scenario | None = None) -> pd.DataFrame:
        """A table's rows (one scenario's, or all), in primary-key order."""

    def tables(self) -> list[str]:
        """Tables that exist in the warehouse."""
