"""Every mechanism's variant world hashes to its pinned digest (variant_digests.json: every
array of the world and every variant part, 400 patients, seed 11, floats as float32 as
world_digest explains), as the named DGPs' worlds do (test_dgp_specs): moving a mechanism's
code must not move its draws. Pinned at generator 2.1.2, before the mechanisms had a module
each; re-pinned at 2.3.0, when variants came to draw from their base DGP's streams (paired
across knob levels); re-pinned only when a GENERATOR_VERSION changes a variant's world on
purpose."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from e2i_synth.settings import Scenario
from e2i_synth.world import World, draw_world
from e2i_synth.world.variants import parse_knobs
from e2i_synth_tests.world.test_dgp_specs import world_digest

VARIANTS = {
    "hidden": ("kisqali", "confounded", ("hidden=0.5",)),
    "instrument": ("fabhalta", "confounded", ("instrument=2",)),
    "mediator": ("remibrutinib", "confounded", ("mediator=0.6",)),
    "dose": ("kisqali", "confounded", ("dose=4", "instrument=1.5", "hidden=0.3")),
    "selection": ("fabhalta", "selection_bias", ("selection=0.5",)),
    "censoring": ("kisqali", "simple_linear", ("censor=120", "selection=0.4", "mediator=0.5")),
    "feedback": ("remibrutinib", "confounded", ("feedback=0.8", "hidden=0.4", "instrument=1")),
    "shape": ("kisqali", "heterogeneous", ("nonlinear=true", "noise=0.3", "heterogeneity=0.5")),
}
"""One variant per mechanism, some with others beside it (where mechanisms meet)."""
PARTS = (
    "hidden",
    "instrument",
    "engaged_if",
    "mediator",
    "mediator_if",
    "dose",
    "dose_if",
    "dose_outcomes",
    "observed_if",
    "observed",
    "window_closed",
    "engaged_again",
    "activity",
    "outcome",
)
"""The variant parts the mechanisms drew when the digests were pinned."""


def variant_digest(world) -> str:
    """world_digest of the World's own fields, then every variant part by name (None as its
    name alone)."""
    plain = World(**{f.name: getattr(world, f.name) for f in dataclasses.fields(World)})
    digest = hashlib.sha256(world_digest(plain).encode())
    for name in PARTS:
        values = getattr(world.parts, name)
        digest.update(name.encode())
        if values is not None:
            values = np.ascontiguousarray(values)
            values = values.astype(np.float32) if values.dtype.kind == "f" else values
            digest.update(str(values.dtype).encode())
            digest.update(values.tobytes())
    return digest.hexdigest()


PINNED = json.loads(Path(__file__).with_name("variant_digests.json").read_text())


@pytest.mark.parametrize("mechanism", sorted(VARIANTS))
def test_variant_worlds_hash_as_pinned(mechanism):
    brand, dgp, knobs = VARIANTS[mechanism]
    world = draw_world(Scenario(brand, dgp, parse_knobs(knobs)), 400, 11)
    assert variant_digest(world) == PINNED[mechanism]
