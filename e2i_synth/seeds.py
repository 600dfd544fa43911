"""Independent, named random streams: one per scenario and per table.

A stream is `SeedSequence(root_seed, spawn_key=crc32 of each name)`, so regenerating one
table never shifts another and scenarios never share draws.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(root_seed: int, *names: str) -> np.random.Generator:
    key = tuple(zlib.crc32(name.encode()) for name in names)
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=key))
