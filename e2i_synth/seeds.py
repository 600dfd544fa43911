"""Independent, named random streams: one per scenario and per table.

Scenario-level draws (a handful of numbers: the under-performer, plans, the drift) come
from `stream`: `SeedSequence(root_seed, spawn_key=crc32 of each name)`, so regenerating one
table never shifts another and scenarios never share draws.

Unit-level draws (one patient's covariates, outcome, events; one HCP's profile) come from
`unit_draws`, a counter-based generator: numpy's Philox keyed by the same named seed,
with its counter set to the block of `BLOCK_UNITS` units the unit falls in. A block is
always drawn whole, with the same calls in the same order, so a unit's values depend only
on (seed, names, unit index), never on which other units are drawn with it: any range of
units can be drawn alone and equals the same range of a one-piece draw. Within a block a
draw may vary in size (events per unit), since the whole block is drawn each time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import numpy as np

BLOCK_UNITS = 1_000
"""Units per counter block: a multiple of the split block (world.draw.SPLIT_BLOCK), so split
blocks never straddle counter blocks."""

Draw = Callable[[np.random.Generator, np.ndarray], dict[str, np.ndarray]]
"""Draws one block: (generator, the block's unit indices) -> one value per unit of it."""


def _seed_sequence(root_seed: int, names: tuple[str, ...]) -> np.random.SeedSequence:
    key = tuple(zlib.crc32(name.encode()) for name in names)
    return np.random.SeedSequence(root_seed, spawn_key=key)


def stream(root_seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng(_seed_sequence(root_seed, names))


def block_generators(
    root_seed: int, names: tuple[str, ...], start: int, stop: int
) -> Iterator[tuple[int, np.random.Generator]]:
    """(first unit, generator) of every block that holds a unit of [start, stop)."""
    key = _seed_sequence(root_seed, names).generate_state(2, np.uint64)
    for block in range(start // BLOCK_UNITS, -(-stop // BLOCK_UNITS)):
        # the block number is the counter's highest word: blocks never overlap
        philox = np.random.Philox(key=key, counter=np.array([0, 0, 0, block], dtype=np.uint64))
        yield block * BLOCK_UNITS, np.random.Generator(philox)


def unit_draws(
    root_seed: int, names: tuple[str, ...], start: int, stop: int, draw: Draw
) -> dict[str, np.ndarray]:
    """The arrays `draw` gives, for units [start, stop) only (whole blocks drawn, then cut).
    `draw` may read scenario-level values of the block's units (an HCP's volume) by index."""
    blocks = block_generators(root_seed, names, start, stop)
    parts = [draw(rng, np.arange(first, first + BLOCK_UNITS)) for first, rng in blocks]
    if not parts:
        return draw(stream(0), np.arange(0))
    cut = slice(start % BLOCK_UNITS, start % BLOCK_UNITS + stop - start)
    return {name: np.concatenate([p[name] for p in parts])[cut] for name in parts[0]}
