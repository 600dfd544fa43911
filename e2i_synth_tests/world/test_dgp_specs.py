"""The five named DGP specs state the graph they always stated, and every world hashes to
its pinned digest (world_digests.json: every array of the world, 400 patients, seed 11).
The digests were pinned at generator 2.1.0 and still hold: later versions changed tables
built from the world (2.1.1 the field engagements, 2.1.2 ml_predictions), not the world.
Re-pinned only when a GENERATOR_VERSION changes the world on purpose."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from e2i_synth.catalog import DGPS
from e2i_synth.settings import Scenario
from e2i_synth.world import draw_world

PINNED_GRAPH = {
    # dgp: (adjustment_columns, treatment_causes) as the catalog states them
    "simple_linear": (("disease_severity", "comorbidity_count"), ()),
    "confounded": (("disease_severity", "academic_hcp", "comorbidity_count"),) * 2,
    "heterogeneous": (("disease_severity", "comorbidity_count", "region"), ("disease_severity",)),
    "time_series": (("disease_severity", "comorbidity_count"), ("disease_severity",)),
    "selection_bias": (("age_at_diagnosis", "disease_severity", "academic_hcp"),) * 2,
}


@pytest.mark.parametrize("dgp", list(DGPS))
def test_named_specs_state_the_graph_the_catalog_stated(dgp):
    assert (DGPS[dgp].adjustment_columns, DGPS[dgp].treatment_causes) == PINNED_GRAPH[dgp]


def world_digest(world) -> str:
    """SHA-256 over every array of the world (and its covariates), by name, with dtype;
    floats as float32. numpy's exp and log differ in the last bit between its AVX2 and
    AVX-512 code paths (propensities 1 ulp apart), so the same seed gives the same world to
    1 ulp across CPUs, and bit for bit on one machine; at float32 the digest is the same on
    both (a float64 1 ulp from a float32 rounding boundary: about 2^-29 per value)."""
    arrays = {
        f.name: getattr(world, f.name)
        for f in dataclasses.fields(world)
        if f.name not in ("scenario", "seed", "covariates")
    }
    arrays |= {
        f"covariates.{f.name}": getattr(world.covariates, f.name)
        for f in dataclasses.fields(world.covariates)
    }
    digest = hashlib.sha256()
    for name in sorted(arrays):
        values = np.ascontiguousarray(arrays[name])
        if values.dtype.kind == "f":
            values = values.astype(np.float32)
        digest.update(name.encode())
        digest.update(str(values.dtype).encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


BEFORE = json.loads((Path(__file__).with_name("world_digests.json")).read_text())


@pytest.mark.parametrize("key", sorted(BEFORE))
def test_worlds_hash_as_pinned(key):
    brand, dgp = key.split("|")
    assert world_digest(draw_world(Scenario(brand, dgp), 400, 11)) == BEFORE[key]
