"""The warehouse tables as pure projections of a scenario's world: one registry, in FK
(load) order, saying for each table its spec, its builder, its domain group and what the
builder reads, so load order, Dagster lineage and the docs all come from one list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

import pandas as pd

from e2i_synth.tables import (
    business_metrics,
    business_outcomes,
    causal_ground_truth,
    engagement_events,
    feature_groups,
    feature_values,
    features,
    hcp_profiles,
    ml_predictions,
    patient_journeys,
    scenario_signals,
    treatment_events,
    triggers,
    unit_truth,
)
from e2i_synth.tables.downstream import DOWNSTREAM_SPECS
from e2i_synth.tables.spec import TableSpec
from e2i_synth.world import World

Builder = Callable[[World, Mapping[str, pd.DataFrame]], pd.DataFrame]


@dataclass(frozen=True)
class Table:
    """One warehouse table. `reads` are the upstream frames its builder reads; `describes`
    are the tables whose truth it states (cut from the same world, not read from them)."""

    module: ModuleType
    group: str
    reads: tuple[str, ...] = ()
    describes: tuple[str, ...] = ()

    @property
    def spec(self) -> TableSpec:
        return self.module.SPEC

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def build(self) -> Builder:
        return self.module.build

    @property
    def description(self) -> str:
        return (self.module.__doc__ or "").strip().splitlines()[0]

    @property
    def deps(self) -> tuple[str, ...]:
        """Lineage: foreign-key parents, frames read, and tables described."""
        return tuple(sorted({*self.spec.foreign_keys.values(), *self.reads, *self.describes}))


REGISTRY: tuple[Table, ...] = (
    Table(hcp_profiles, "world"),
    Table(patient_journeys, "world"),
    Table(treatment_events, "events"),
    Table(engagement_events, "events"),
    Table(business_outcomes, "events"),
    Table(ml_predictions, "ml"),
    Table(triggers, "ml", reads=("ml_predictions",)),
    Table(business_metrics, "metrics", reads=("engagement_events",)),
    Table(feature_groups, "feature_store"),
    Table(features, "feature_store"),
    Table(
        feature_values,
        "feature_store",
        reads=("business_metrics", "hcp_profiles", "patient_journeys"),
    ),
    Table(unit_truth, "truth"),
    Table(causal_ground_truth, "truth", describes=("patient_journeys", "unit_truth")),
    Table(scenario_signals, "truth", describes=("business_metrics", "feature_values")),
)
"""Every core table, parents before children."""

TABLES: dict[str, Table] = {t.name: t for t in REGISTRY}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
SPECS: dict[str, TableSpec] = {t.name: t.spec for t in REGISTRY}
STORED_SPECS: dict[str, TableSpec] = {**SPECS, **{s.name: s for s in DOWNSTREAM_SPECS}}
"""Every table the warehouse stores, in load order: the core tables, then the downstream
ones (what the loaders, the DDL and the migrations cover; `SPECS` stays the core)."""


def build_tables(
    world: World, adjust: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None
) -> dict[str, pd.DataFrame]:
    """Project the world into every table, parents first; each builder sees only the
    frames it declares it reads. `adjust(name, frame)`, when given, rewrites each table as
    it is built, before any child reads it (a story re-dates HCP-level field activity)."""
    frames: dict[str, pd.DataFrame] = {}
    for table in REGISTRY:
        upstream = {name: frames[name] for name in table.reads}
        frame = table.build(world, upstream)[list(table.spec.columns)]
        frames[table.name] = adjust(table.name, frame) if adjust else frame
    return frames


def descendants(names: set[str]) -> set[str]:
    """The given tables and every table derived from one of them (by foreign key, by what
    its builder reads, or as its truth): replacing a table's rows must replace these too,
    or their keys would dangle and their values disagree with it."""
    closure = set(names)
    for table in REGISTRY:
        if closure & set(table.deps):
            closure.add(table.name)
    return closure
