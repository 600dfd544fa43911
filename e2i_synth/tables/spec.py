"""Column types and keys of a warehouse table, declared once beside its generator."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS, DGPS, SPLITS
from e2i_synth.world import World


@dataclass(frozen=True)
class TableSpec:
    """`columns` maps column name to a portable SQL type, in storage order."""

    name: str
    columns: dict[str, str]
    primary_key: str
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column -> parent table
    nullable: frozenset[str] = frozenset()
    unique: tuple[str, ...] = ()  # a natural key besides the primary key, if any


SCENARIO_COLUMNS = {"brand": "VARCHAR", "dgp_type": "VARCHAR"}


def scenario_keys(world: World, prefix: str, index: np.ndarray) -> np.ndarray:
    """Keys like 'KIS-CF-P0000042': the scenario code keeps keys unique across scenarios."""
    code = f"{BRANDS[world.scenario.brand].code}-{DGPS[world.scenario.dgp].code}-{prefix}"
    return np.strings.add(code, np.strings.zfill(np.asarray(index).astype(str), 7))


def hcp_keys(world: World, index: np.ndarray) -> np.ndarray:
    return scenario_keys(world, "H", index)


def patient_keys(world: World, index: np.ndarray) -> np.ndarray:
    return scenario_keys(world, "P", index)


def scenario_columns(world: World) -> dict[str, str]:
    return {"brand": world.scenario.brand, "dgp_type": world.scenario.dgp}


def nullable_days(days: np.ndarray) -> pd.arrays.IntegerArray:
    """A timedelta64[D] array as nullable integers (NaT becomes NULL)."""
    missing = np.isnat(days)
    values = np.where(missing, 0, days.astype("timedelta64[D]").astype(np.int64))
    return pd.arrays.IntegerArray(values.astype(np.int32), missing)


def nullable_floats(values: np.ndarray | None, n: int) -> np.ndarray:
    """A variant part (world.parts) as a column: NULL (NaN) where the world lacks it."""
    return np.full(n, np.nan) if values is None else values


def nullable_flags(values: np.ndarray | None, n: int) -> pd.arrays.BooleanArray:
    """A boolean variant part as a column: NULL where the world lacks it."""
    if values is None:
        return pd.array([pd.NA] * n, dtype="boolean")
    return pd.array(values, dtype="boolean")


def split_names(world: World, patient_index: np.ndarray) -> np.ndarray:
    """The split of each row's patient: every table inherits the patient's split."""
    return np.array(SPLITS)[world.split[patient_index]]
