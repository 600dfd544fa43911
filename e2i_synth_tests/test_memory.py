"""Memory: the peak estimate that refuses a scale up front, and handing freed heap back."""

from __future__ import annotations

import os

import pytest

from e2i_synth import memory
from e2i_synth.errors import E2IError
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


def test_a_scale_beyond_memory_is_refused_naming_what_fits(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: peak_bytes(10_000))
    memory.refuse_scale_beyond_memory(10_000)  # fits exactly
    with pytest.raises(E2IError, match="the largest scale that fits is about 10,000 patients"):
        memory.refuse_scale_beyond_memory(10_001)


def test_workers_are_the_request_or_the_cpus_but_never_more_than_memory_holds(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 3 * peak_bytes(3_000) + 1)
    monkeypatch.setattr(memory.os, "cpu_count", lambda: 8)
    assert memory.workers_that_fit(None, 3_000) == 3
    assert memory.workers_that_fit(2, 3_000) == 2
    assert memory.workers_that_fit(5, 3_000) == 3
    assert memory.workers_that_fit(None, 10**9) == 1
