"""Memory: the peak estimate that refuses a scale up front, and handing freed heap back."""

from __future__ import annotations

import os

from e2i_synth.memory import largest_scale, peak_bytes, release_freed_memory

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE


def test_largest_scale_is_the_inverse_of_the_peak_estimate():
    assert largest_scale(0) == 0
    for n in (3_000, 30_000, 1_000_000):
        assert largest_scale(peak_bytes(n)) == n
        assert largest_scale(peak_bytes(n) - 1) == n - 1


def test_freed_heap_goes_back_to_the_system():
    """200 MB of 4 KiB blocks with every 16th kept: the heap cannot shrink from its top, so
    freed blocks stay resident until they are handed back."""
    blocks = [bytearray(b"x" * 4096) for _ in range(50_000)]
    kept = blocks[::16]
    del blocks
    before = resident_bytes()
    release_freed_memory()
    after = resident_bytes()
    assert before - after > 100 * 2**20, (before, after)
    assert len(kept) == 3_125
