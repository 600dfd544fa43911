"""The five named DGP specs, read by the one generic mechanism, give exactly the data the
five hand-written mechanism functions gave (frozen below as they were), and the worlds
hash to the pinned digests (world_digests.json: every array of the world, 400 patients,
seed 11, as drawn by generator 2.1.0: the chunk-addressable draw with per-brand
populations; re-pinned only when GENERATOR_VERSION changes the data on purpose)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import BRANDS, DGPS, REGIONS
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.world import draw, draw_world
from e2i_synth.world.dgps import Covariates, Mechanism

# --- the mechanism functions as they were before DGPs became specs (frozen) -------------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _baseline(*terms):
    return 0.05 + 0.5 * sum(w * t for w, t in terms)


def _old_simple_linear(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    p0 = _baseline((0.6, c.disease_severity / 10), (0.4, c.comorbidity_count / 6))
    return Mechanism(np.full(n, 0.5), p0, np.full(n, 0.40))


def _old_confounded(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    logit = -4.4 + 0.7 * c.disease_severity + 1.5 * c.academic_hcp + 0.3 * c.comorbidity_count
    p0 = _baseline(
        (0.6, c.disease_severity / 10),
        (0.25, c.academic_hcp.astype(float)),
        (0.15, c.comorbidity_count / 6),
    )
    return Mechanism(np.clip(_sigmoid(logit), 0.05, 0.95), p0, np.full(n, 0.25))


def _old_heterogeneous(c: Covariates) -> Mechanism:
    tau_by_region = np.array([0.10, 0.20, 0.30, 0.40])
    p0 = _baseline((0.6, c.disease_severity / 10), (0.4, c.comorbidity_count / 6))
    propensity = np.clip(_sigmoid(-1.0 + 0.2 * c.disease_severity), 0.05, 0.95)
    return Mechanism(propensity, p0, tau_by_region[c.region_code])


def _old_time_series(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    p0 = _baseline((0.6, c.disease_severity / 10), (0.4, c.comorbidity_count / 6))
    propensity = np.clip(_sigmoid(-1.0 + 0.2 * c.disease_severity), 0.05, 0.95)
    return Mechanism(propensity, p0, np.full(n, 0.30))


def _old_selection_bias(c: Covariates) -> Mechanism:
    n = len(c.disease_severity)
    youth = (90 - c.age_at_diagnosis) / 72
    logit = -3.0 + 0.35 * c.disease_severity + 2.5 * youth + 1.5 * c.academic_hcp
    p0 = _baseline(
        (0.35, youth), (0.45, c.disease_severity / 10), (0.2, c.academic_hcp.astype(float))
    )
    return Mechanism(np.clip(_sigmoid(logit), 0.02, 0.98), p0, np.full(n, 0.35))


OLD = {
    "simple_linear": _old_simple_linear,
    "confounded": _old_confounded,
    "heterogeneous": _old_heterogeneous,
    "time_series": _old_time_series,
    "selection_bias": _old_selection_bias,
}
OLD_GRAPH = {
    # dgp: (adjustment_columns, treatment_causes) as the catalog stated them
    "simple_linear": (("disease_severity", "comorbidity_count"), ()),
    "confounded": (("disease_severity", "academic_hcp", "comorbidity_count"),) * 2,
    "heterogeneous": (("disease_severity", "comorbidity_count", "region"), ("disease_severity",)),
    "time_series": (("disease_severity", "comorbidity_count"), ("disease_severity",)),
    "selection_bias": (("age_at_diagnosis", "disease_severity", "academic_hcp"),) * 2,
}
assert list(REGIONS) == ["northeast", "midwest", "south", "west"]

# -----------------------------------------------------------------------------------------


def digests(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """One SHA-256 per table of its CSV text (floats written to round-trip exactly)."""
    return {
        name: hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
        for name, frame in frames.items()
    }


@pytest.mark.parametrize("dgp", list(DGPS))
def test_named_specs_state_the_graph_the_catalog_stated(dgp):
    assert (DGPS[dgp].adjustment_columns, DGPS[dgp].treatment_causes) == OLD_GRAPH[dgp]


@pytest.mark.parametrize("brand", list(BRANDS))
@pytest.mark.parametrize("dgp", list(DGPS))
def test_named_specs_give_identical_tables(brand, dgp, monkeypatch):
    scenario = Scenario(brand, dgp)
    new = digests(build_tables(draw_world(scenario, 400, 11)))
    monkeypatch.setattr(draw, "mechanism", lambda spec, c, latent=None: OLD[spec.name](c))
    old = digests(build_tables(draw_world(scenario, 400, 11)))
    assert new == old


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
