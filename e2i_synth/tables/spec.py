"""Column types and keys of a warehouse table, declared once beside its generator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS, DGPS, SPLITS
from e2i_synth.world import World, mechanisms
from e2i_synth.world.mechanisms.base import Column


@dataclass(frozen=True)
class TableSpec:
    """`columns` maps column name to a portable SQL type, in storage order."""

    name: str
    columns: dict[str, str]
    primary_key: str
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column -> parent table
    nullable: frozenset[str] = frozenset()
    unique: tuple[str, ...] = ()  # a natural key besides the primary key, if any
    descriptions: Mapping[str, str] = field(default_factory=dict)
    """What each column holds: units, allowed values, how it is drawn and, for a trap, why it
    misleads. The one text the Dagster UI's column schema, the reference pages and
    schema.sql show (the scenario columns' is SCENARIO_DESCRIPTIONS)."""

    def describe(self, column: str) -> str:
        """The column's description: the spec's own, the mechanism's that adds it, or the
        scenario columns' ("" for a column nobody described: a test fails)."""
        added = {c.name: c.description for c in mechanisms.columns_of(self.name)}
        return (
            self.descriptions.get(column)
            or added.get(column)
            or SCENARIO_DESCRIPTIONS.get(column, "")
        )


SCENARIO_COLUMNS = {"brand": "VARCHAR", "dgp_type": "VARCHAR"}
SCENARIO_DESCRIPTIONS = {
    "brand": "The scenario's brand: remibrutinib, fabhalta or kisqali. Every key embeds its "
    "code, so keys are unique across scenarios.",
    "dgp_type": "The scenario's data-generating process: simple_linear, confounded, "
    "heterogeneous, time_series or selection_bias (a variant keeps its base DGP's).",
}


def scenario_keys(world: World, prefix: str, index: np.ndarray) -> np.ndarray:
    """Keys like 'KIS-CF-P0000042': the scenario code keeps keys unique across scenarios."""
    code = f"{BRANDS[world.scenario.brand].code}-{DGPS[world.scenario.dgp].code}-{prefix}"
    index = np.asarray(index)
    if not index.size:  # zfill cannot reduce an empty array (a chunk may own no HCP)
        return np.array([], dtype=str)
    return np.strings.add(code, np.strings.zfill(index.astype(str), 7))


def sequence_keys(world: World, prefix: str, owner: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Keys like 'KIS-CF-T0000042-3': the owner's index and the row's rank among its rows,
    so a row's key is the same however the scenario is chunked."""
    return np.strings.add(
        np.strings.add(scenario_keys(world, prefix, owner), "-"), np.asarray(seq).astype(str)
    )


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


def nullable_ints(values: np.ndarray | None, n: int) -> pd.arrays.IntegerArray:
    """An integer variant part as a column: NULL where the world lacks it."""
    if values is None:
        return pd.arrays.IntegerArray(np.zeros(n, np.int32), np.ones(n, dtype=bool))
    return pd.arrays.IntegerArray(np.asarray(values, np.int32), np.zeros(n, dtype=bool))


def nullable_flags(values: np.ndarray | None, n: int) -> pd.arrays.BooleanArray:
    """A boolean variant part as a column: NULL where the world lacks it."""
    if values is None:
        return pd.array([pd.NA] * n, dtype="boolean")
    return pd.array(values, dtype="boolean")


def split_names(world: World, patient: np.ndarray) -> np.ndarray:
    """The split of each row's patient (its position in the world's arrays): every table
    inherits the patient's split."""
    return np.array(SPLITS)[world.split[patient]]


def rank_within(owner: np.ndarray) -> np.ndarray:
    """1-based rank of each row among the rows of its owner (rows grouped by owner)."""
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else owner
    counts = np.diff(np.r_[starts, len(owner)])
    return np.arange(len(owner)) - np.repeat(starts, counts) + 1


def mechanism_columns(table: str, registry: mechanisms.Registry | None = None) -> dict[str, str]:
    """The columns the causal mechanisms add to `table` (world.mechanisms), with their
    types, in storage order: after the table's own columns, NULL where a world lacks them."""
    return {c.name: c.sql_type for c in mechanisms.columns_of(table, registry)}


def part_column(column: Column, values, n: int):
    """A mechanism's unit-level column from the world's variant part (its arm's row, or its
    text), NULL where the world lacks the part."""
    if values is not None and column.arm is not None:
        values = values[column.arm]
    if column.text is not None:
        return pd.Series([None] * n if values is None else column.text(values), dtype=object)
    as_column = {"BOOLEAN": nullable_flags, "INTEGER": nullable_ints, "DOUBLE": nullable_floats}
    return as_column[column.sql_type](values, n)


def mechanism_values(world: World, table: str) -> dict[str, object]:
    """The values of every column the mechanisms add to a unit-level table."""
    return {
        c.name: part_column(c, getattr(world.parts, c.part), world.n_patients)
        for c in mechanisms.columns_of(table)
        if c.part is not None
    }
