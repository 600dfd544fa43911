"""The causal mechanisms a DGP variant can have, one module each, collected in REGISTRY.

A mechanism (base.CausalMechanism) declares in one place its knobs, its draw steps, the
columns it adds to which table, its truth, graph and identification, its checks and the
estimators it enables. The world's draw, the knob parser, the tables, validation and the
benchmark iterate this registry instead of naming mechanisms, so a new mechanism is its
module, the migration adding its columns, and its tests.

Order matters where mechanisms meet: the baseline and the logit are reshaped, the unit
model rewritten and the draw steps run in registry order (a hidden confounder's share of
the baseline before the noise's; the instrument's propensities before the dose reads
them; selection's record before censoring's), and the truth lists routes, identification
entries and estimands in it. `shape` holds the knobs that reshape the named DGP's own
equations; it adds no node, so no spec has it "active".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from e2i_synth.catalog import DgpSpec
from e2i_synth.world.mechanisms import (
    censoring,
    dose,
    feedback,
    hidden,
    instrument,
    mediator,
    outcome,
    selection,
    shape,
)
from e2i_synth.world.mechanisms.base import CausalMechanism, Column, Engagement, Knob

Registry = tuple[CausalMechanism, ...]

REGISTRY: Registry = (
    shape.MECHANISM,
    hidden.MECHANISM,
    instrument.MECHANISM,
    mediator.MECHANISM,
    selection.MECHANISM,
    feedback.MECHANISM,
    censoring.MECHANISM,
    dose.MECHANISM,
    outcome.MECHANISM,
)
"""Every mechanism, in the order their steps run and their truth is stated (pinned by
test_variant_digests and the truth tests: reordering changes the stored JSON)."""

GENERIC_PARTS = ("observed",)
"""Variant parts the draw derives from the mechanisms' (`observed`: whose outcome is
recorded, from `observed_if`)."""


def _registry(registry: Registry | None) -> Registry:
    return REGISTRY if registry is None else registry


def knobs(registry: Registry | None = None) -> Mapping[str, Knob]:
    """Every knob by name, sorted by name."""
    every = [k for m in _registry(registry) for k in m.knobs]
    return MappingProxyType({k.name: k for k in sorted(every, key=lambda k: k.name)})


def knob_owner(registry: Registry | None = None) -> Mapping[str, CausalMechanism]:
    """The mechanism each knob belongs to."""
    return MappingProxyType({k.name: m for m in _registry(registry) for k in m.knobs})


def active(spec: DgpSpec, registry: Registry | None = None) -> Registry:
    """The mechanisms a spec has, in registry order."""
    return tuple(m for m in _registry(registry) if m.active(spec))


def streams(registry: Registry | None = None) -> Mapping[str, str]:
    """The named stream of every unobserved part (a uniform per unit) any mechanism draws."""
    return MappingProxyType({p: s for m in _registry(registry) for p, s in m.streams.items()})


def part_names(registry: Registry | None = None) -> frozenset[str]:
    """Every variant part a world may hold."""
    return frozenset((*GENERIC_PARTS, *(p for m in _registry(registry) for p in m.parts)))


def columns_of(table: str, registry: Registry | None = None) -> tuple[Column, ...]:
    """The columns mechanisms add to `table`, in the order of the migrations adding them
    (registry order within one)."""
    owned = [c for m in _registry(registry) for c in m.columns if c.table == table]
    return tuple(sorted(owned, key=lambda c: c.migration))


def later_engagements(registry: Registry | None = None) -> tuple[Engagement, ...]:
    """The patient-linked engagements mechanisms add after the index one, in registry
    order."""
    return tuple(e for m in _registry(registry) for e in m.engagements)


def column_owner(registry: Registry | None = None) -> Mapping[tuple[str, str], CausalMechanism]:
    """The mechanism owning each (table, column) a mechanism adds."""
    return MappingProxyType({(c.table, c.name): m for m in _registry(registry) for c in m.columns})


__all__ = [
    "REGISTRY",
    "CausalMechanism",
    "Column",
    "Knob",
    "Registry",
    "active",
    "column_owner",
    "columns_of",
    "knob_owner",
    "knobs",
    "later_engagements",
    "part_names",
    "streams",
]
