"""The mechanism registry is complete (every knob, column, stream and route has one owner,
and what a mechanism declares exists where it says), and a new mechanism plugs in from its
own module: registered into the registry, its knob parses, its draw step runs, its column
reaches its table and its route the truth, with no other module edited."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from importlib import resources

import numpy as np
import pytest

from e2i_synth.benchmark.estimators import BASELINES, PublicTruth
from e2i_synth.catalog import DGPS
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables import STORED_SPECS, patient_journeys
from e2i_synth.tables.causal_ground_truth import identification_json
from e2i_synth.tables.spec import mechanism_columns
from e2i_synth.tables.sums import TruthSums
from e2i_synth.validation.schemas import COLUMN_CHECKS
from e2i_synth.world import draw_world, mechanisms
from e2i_synth.world.mechanisms import REGISTRY
from e2i_synth.world.mechanisms.base import (
    CausalMechanism,
    Column,
    Draft,
    Knob,
    param_on,
    set_param,
)
from e2i_synth.world.variants import KNOBS, parse_knobs, variant_spec

MIGRATIONS = resources.files("e2i_synth") / "sql" / "migrations"
WORLD_STREAMS = ("world", "world-hcp", "world-hcps", "world-split")
"""The streams the draw names itself (the panel, the units, their HCPs and splits)."""


def migration_text(number: int) -> str:
    [path] = [p for p in MIGRATIONS.iterdir() if p.name.startswith(f"{number:03d}_")]
    return path.read_text()


def test_every_knob_the_variants_accept_belongs_to_exactly_one_mechanism():
    owners = Counter(k.name for m in REGISTRY for k in m.knobs)
    assert set(owners) == set(KNOBS)
    assert max(owners.values()) == 1
    assert list(KNOBS) == sorted(KNOBS)  # the order the unknown-knob error lists them in
    names = [m.name for m in REGISTRY]
    assert len(names) == len(set(names))


def test_every_mechanism_column_is_in_its_tables_spec_and_its_migration():
    owners = Counter((c.table, c.name) for m in REGISTRY for c in m.columns)
    assert max(owners.values()) == 1
    for m in REGISTRY:
        for column in m.columns:
            spec = STORED_SPECS[column.table]
            assert spec.columns[column.name] == column.sql_type, (m.name, column.name)
            assert column.name in spec.nullable, (m.name, column.name)
            added = rf"ALTER TABLE {column.table} ADD COLUMN {column.name}\b"
            assert re.search(added, migration_text(column.migration)), (m.name, column.name)
            if column.part is None:  # a truth figure: stated by the mechanism's truth
                assert column.table == "causal_ground_truth" and m.truth is not None
            else:  # a unit-level column: one of the mechanism's own variant parts
                assert column.part in m.parts, (m.name, column.name)
    for table, spec in STORED_SPECS.items():
        owned = list(mechanism_columns(table))
        assert list(spec.columns)[len(spec.columns) - len(owned) :] == owned  # last, in order


def test_each_mechanism_states_exactly_its_truth_columns():
    knobs = parse_knobs(["instrument=1", "dose=3", "selection=0.3", "censor=60", "hidden=0.2"])
    world = draw_world(Scenario("kisqali", "confounded", knobs), 400, 2)
    sums = TruthSums.of(world)
    named = Counter(
        name for m in REGISTRY if m.sums for name in m.sums(world, [world.engaged], world.tau)
    )
    assert set(named) == set(sums.of_mechanisms) and max(named.values()) == 1
    for m in REGISTRY:
        declared = {c.name for c in m.columns if c.table == "causal_ground_truth"}
        stated = set(m.truth(world, sums, [0])) if m.truth else set()
        assert stated == declared, m.name


def test_each_mechanism_is_switched_on_by_its_knobs_and_off_in_the_named_dgps():
    for dgp in DGPS:
        assert mechanisms.active(DGPS[dgp]) == ()
    for m in REGISTRY:
        for knob in m.knobs:
            value = "true" if knob.low is None else f"{knob.high:g}"
            spec = variant_spec("confounded", parse_knobs([f"{knob.name}={value}"]))
            on = mechanisms.active(spec)
            # the shape knobs reshape the named DGP's equations: no mechanism of their own
            assert on == (() if m.name == "shape" else (m,)), knob.name


def test_streams_parts_and_routes_are_distinct_and_reach_their_consumers():
    streams = [s for m in REGISTRY for s in m.streams.values()]
    assert len(streams) == len(set(streams)) and not set(streams) & set(WORLD_STREAMS)
    parts = [p for m in REGISTRY for p in m.parts]
    assert len(parts) == len(set(parts)) and not set(parts) & set(mechanisms.GENERIC_PARTS)
    later = mechanisms.later_engagements()
    assert len({e.draw for e in later}) == len(later) and "intervention" not in {
        e.draw for e in later
    }
    assert len({e.key for e in later}) == len(later) and not {"E", "EH"} & {e.key for e in later}
    public = {f.name for f in dataclasses.fields(PublicTruth)}
    for m in REGISTRY:
        assert {e.part for e in m.engagements} <= set(m.parts), m.name
        assert set(m.estimators) <= set(BASELINES), m.name
        assert set(m.estimators.values()) <= set(m.public) <= public, m.name
        for column, (low, high) in m.ranges.items():
            assert any(column in spec.columns for spec in STORED_SPECS.values())
            assert any(f"in_range({low}, {high})" in str(c) for c in COLUMN_CHECKS[column])


def _remind(draft: Draft) -> None:
    """A share of the engaged patients are sent a reminder letter."""
    chance = draft.latent("reminder") < draft.spec.param("reminder")
    draft.parts["reminded"] = draft.engaged & chance


TOY = CausalMechanism(
    name="reminder",
    summary="a reminder letter after engagement (test-only)",
    knobs=(
        Knob("reminder", "share of engaged patients sent a reminder", set_param("reminder"), 0, 1),
    ),
    active=param_on("reminder"),
    streams={"reminder": "world-reminder"},
    steps={"record": _remind},
    parts=("reminded",),
    columns=(Column("patient_journeys", "reminder_sent", "BOOLEAN", 99, part="reminded"),),
    routes=lambda spec: [{"route": "reminder", "columns": ["reminder_sent"], "estimand": "ate"}],
)


def test_a_new_mechanism_plugs_in_from_its_own_module(monkeypatch):
    with pytest.raises(ConfigError, match="unknown knob 'reminder'"):
        parse_knobs(["reminder=0.5"])
    monkeypatch.setattr(mechanisms, "REGISTRY", (*REGISTRY, TOY))
    scenario = Scenario("kisqali", "confounded", parse_knobs(["reminder=0.5", "instrument=1"]))
    assert scenario.label.endswith("confounded~instrument=1,reminder=0.5")
    with pytest.raises(ConfigError, match=r"reminder takes a number in \[0, 1\]"):
        parse_knobs(["reminder=2"])
    world = draw_world(scenario, 4000, 3)
    reminded, engaged = world.parts.reminded, world.engaged
    assert not reminded[~engaged].any()
    share, n = reminded[engaged].mean(), engaged.sum()
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / n)
    assert world.parts.instrument is not None  # the other mechanisms still draw
    # its own stream: another one changes the reminders and no other draw
    monkeypatch.setitem(TOY.streams, "reminder", "another-stream")
    other = draw_world(scenario, 4000, 3)
    assert not np.array_equal(other.parts.reminded, reminded)
    for name in ("engaged", "y0", "y1", "propensity", "index_date"):
        assert np.array_equal(getattr(other, name), getattr(world, name)), name
    assert np.array_equal(other.parts.engaged_if, world.parts.engaged_if)
    # its column reaches its table (last), its route the truth
    assert list(mechanism_columns("patient_journeys"))[-1] == "reminder_sent"
    frame = patient_journeys.build(world, {})
    assert frame["reminder_sent"].to_numpy(dtype=bool).tolist() == reminded.tolist()
    routes = json.loads(identification_json(world.spec))["routes"]
    assert {"route": "reminder", "columns": ["reminder_sent"], "estimand": "ate"} in routes
