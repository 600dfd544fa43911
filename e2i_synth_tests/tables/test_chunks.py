"""Chunks of a scenario, drawn and built alone, are the one-piece scenario byte for byte."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from e2i_synth.catalog import BRANDS, DGPS, SPLITS
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLE_NAMES, build_tables
from e2i_synth.tables.chunks import (
    ChunkSums,
    chunk_sums,
    chunk_tables,
    scenario_tables,
)
from e2i_synth.tables.sums import SCALE_BITS, exact_mean, exact_sum
from e2i_synth.world import World, draw_world
from e2i_synth.world.draw import SPLIT_BLOCK, hcp_range
from e2i_synth.world.variants import parse_knobs

SCENARIOS = [Scenario(b, d) for b in BRANDS for d in DGPS] + [
    Scenario("kisqali", "confounded", parse_knobs(["hidden=0.5", "instrument=2", "mediator=0.5"])),
    Scenario(
        "fabhalta", "heterogeneous", parse_knobs(["noise=0.3", "nonlinear=true", "overlap=0.05"])
    ),
]
"""Every named scenario, and variants drawing the unobserved parts and the instrument (own
unit streams)."""
DOSE_AND_SELECTION = (
    Scenario("kisqali", "heterogeneous", parse_knobs(["dose=5", "hidden=0.3"])),
    Scenario("remibrutinib", "confounded", parse_knobs(["dose=3", "selection=0.5"])),
    Scenario("fabhalta", "confounded", parse_knobs(["censor=138", "noise=0.2"])),
    Scenario("kisqali", "time_series", parse_knobs(["feedback=1", "hidden=0.3"])),
    Scenario("remibrutinib", "heterogeneous", parse_knobs(["outcome_types=true", "hidden=0.3"])),
)
"""Variants with a dose (its own stream, the potential outcome at every dose, per-dose sums),
with selection (its own stream, NULL outcomes, recorded-outcome sums), with censoring (the
data cut, followed-unit sums) and with a time-varying engagement (two more streams, the
observed outcome of each history), and with outcome types (loss to follow-up's stream,
per-arm integer sums): always tried."""


@st.composite
def chunkings(draw, low: int = 100, high: int = 2_500):
    """(n, sorted cut points strictly inside (0, n)): the boundaries of a random chunking."""
    n = draw(st.integers(low, high))
    cuts = draw(st.lists(st.integers(1, n - 1), max_size=5, unique=True))
    return n, [0, *sorted(cuts), n]


def unit_arrays(world: World) -> dict[str, np.ndarray]:
    """Every per-patient array of the world (covariates included), by name."""
    arrays = {
        f.name: getattr(world, f.name)
        for f in dataclasses.fields(world)
        if isinstance(getattr(world, f.name), np.ndarray) and not f.name.startswith("hcp_")
    }
    for name, values in world.parts.drawn().items():  # (n,), or (k, n): by arm or by dose
        arrays[f"parts.{name}"] = values.T
    return arrays | {
        f"covariates.{f.name}": getattr(world.covariates, f.name)
        for f in dataclasses.fields(world.covariates)
    }


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@settings(max_examples=15, deadline=None)
@given(chunking=chunkings(), seed=st.integers(0, 2**32 - 1), scenario=st.sampled_from(SCENARIOS))
@example(chunking=(1_234, [0, 400, 1_001, 1_234]), seed=9, scenario=DOSE_AND_SELECTION[0])
@example(chunking=(1_234, [0, 617, 1_234]), seed=9, scenario=DOSE_AND_SELECTION[1])
@example(chunking=(1_234, [0, 333, 1_234]), seed=4, scenario=DOSE_AND_SELECTION[2])
@example(chunking=(1_234, [0, 801, 1_234]), seed=4, scenario=DOSE_AND_SELECTION[3])
@example(chunking=(1_234, [0, 20, 777, 1_234]), seed=6, scenario=DOSE_AND_SELECTION[4])
def test_chunks_of_the_world_are_the_one_piece_world(chunking, seed, scenario):
    n, bounds = chunking
    whole = draw_world(scenario, n, seed)
    parts = [draw_world(scenario, n, seed, a, b) for a, b in pairwise(bounds)]
    for name, values in unit_arrays(whole).items():
        joined = np.concatenate([unit_arrays(p)[name] for p in parts])
        assert joined.dtype == values.dtype and joined.tobytes() == values.tobytes(), name
    for part in parts:
        assert part.hcp_patients.tobytes() == whole.hcp_patients.tobytes()


@settings(max_examples=10, deadline=None)
@given(chunking=chunkings(), seed=st.integers(0, 2**32 - 1), scenario=st.sampled_from(SCENARIOS))
@example(chunking=(1_234, [0, 400, 1_001, 1_234]), seed=3, scenario=SCENARIOS[-2])
@example(chunking=(1_234, [0, 617, 1_234]), seed=9, scenario=DOSE_AND_SELECTION[1])
@example(chunking=(1_234, [0, 333, 1_234]), seed=4, scenario=DOSE_AND_SELECTION[2])
@example(chunking=(1_234, [0, 801, 1_234]), seed=4, scenario=DOSE_AND_SELECTION[3])
@example(chunking=(1_234, [0, 20, 777, 1_234]), seed=6, scenario=DOSE_AND_SELECTION[4])
def test_chunk_tables_concatenated_are_the_one_piece_tables(chunking, seed, scenario):
    """Every table, truth included: the chunks' rows in order, then the scenario-level rows
    from the summed chunk sums, equal `build_tables` of the whole world byte for byte."""
    n, bounds = chunking
    whole = build_tables(draw_world(scenario, n, seed))
    pieces, total = [], None
    for a, b in pairwise(bounds):
        world = draw_world(scenario, n, seed, a, b)
        frames = chunk_tables(world)
        pieces.append(frames)
        sums = chunk_sums(world, frames)
        total = sums if total is None else total + sums
    assert isinstance(total, ChunkSums)
    pieces.append(scenario_tables(draw_world(scenario, n, seed, 0, 0), total))
    for name in TABLE_NAMES:
        joined = pd.concat([p[name] for p in pieces if name in p], ignore_index=True)
        assert list(joined.dtypes) == list(whole[name].dtypes), name
        assert csv_bytes(joined) == csv_bytes(whole[name]), name


@pytest.mark.parametrize("scenario", [Scenario("fabhalta", "heterogeneous"), *DOSE_AND_SELECTION])
def test_chunk_sums_survive_json_exactly(scenario):
    world = draw_world(scenario, 900, 5)
    sums = chunk_sums(world, chunk_tables(world))
    again = ChunkSums.from_json(sums.to_json())
    assert again.to_json() == sums.to_json()
    assert again.truth.cate == sums.truth.cate and isinstance(again.truth.cate[0], int)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(100, 5_000), seed=st.integers(0, 2**32 - 1))
def test_every_aligned_block_of_twenty_has_the_exact_split(n, seed):
    split = draw_world(Scenario("kisqali", "confounded"), n, seed).split
    full = n - n % SPLIT_BLOCK
    counts = np.apply_along_axis(np.bincount, 1, split[:full].reshape(-1, SPLIT_BLOCK), None, 4)
    assert (counts == [12, 4, 3, 1]).all()
    assert len(SPLITS) == 4


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 100_000), cuts=st.lists(st.integers(0, 100_000), max_size=6))
def test_hcp_ranges_partition_the_panel_for_any_chunking(n, cuts):
    bounds = [0, *sorted(c for c in set(cuts) if 0 < c < n), n]
    ranges = [hcp_range(n, a, b) for a, b in pairwise(bounds)]
    assert ranges[0][0] == 0 and ranges[-1][1] == max(1, round(n * 0.1))
    assert all(r[1] == s[0] for r, s in pairwise(ranges))


@given(
    values=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
        min_size=1,
        max_size=200,
    ),
    cut=st.integers(0, 200),
)
def test_exact_sums_add_up_exactly_in_any_grouping(values, cut):
    array = np.array(values)
    exact = sum(Fraction(v) for v in values)
    assert Fraction(exact_sum(array), 2**SCALE_BITS) == exact
    assert exact_sum(array[:cut]) + exact_sum(array[cut:]) == exact_sum(array)
    assert exact_mean(exact_sum(array), len(values)) == float(exact / len(values))


def test_a_chunk_outside_the_scenario_is_refused():
    with pytest.raises(ValueError, match="not inside"):
        draw_world(Scenario("kisqali", "confounded"), 100, 1, 50, 101)
