"""How much memory a scenario needs at its peak, so a scale that cannot fit is refused
before anything is drawn (instead of dying half-way with a MemoryError).

Measured on the checked runs (draw, tables, checks, DoWhy refuters, load): peak resident
memory grows by about 11 KiB per patient for the draw and structural checks, and the
causal checks keep a few copies of the analysis frame; a whole `materialize` at full scale
(30,000 patients) peaked at 1.55 GB. The estimate below is deliberately above both.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys

BASE_BYTES = 400 * 2**20
"""Interpreter, Dagster, DoWhy and pandas before any data."""
BYTES_PER_PATIENT = 40 * 2**10


def peak_bytes(n_patients: int) -> int:
    return BASE_BYTES + BYTES_PER_PATIENT * n_patients


def largest_scale(available: int) -> int:
    return max(0, (available - BASE_BYTES) // BYTES_PER_PATIENT)


def available_bytes() -> int:
    """Memory the kernel says is available now (MemAvailable), else the physical total."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


GLIBC = ctypes.CDLL("libc.so.6") if sys.platform.startswith("linux") else None


def release_freed_memory() -> None:
    """Collect garbage and hand the freed heap back to the system: glibc keeps freed pages
    for reuse, so a phase that follows a large one (checks after generation) would stack its
    memory on top of what the first left behind."""
    gc.collect()
    if GLIBC is not None:
        GLIBC.malloc_trim(0)
