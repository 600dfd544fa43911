"""How much memory a scenario needs at its peak, so a scale that cannot fit is refused
before anything is drawn (instead of dying half-way with a MemoryError), and how many
scenarios can run at once.

Measured on whole `materialize` runs (draw, tables, checks, DoWhy refuters, load, then the
twins: training, MLflow, simulation and their checks), the peak of one scenario's worker
process: 822 MiB at the small scale (3,000 patients) and 2,524 MiB at full scale (30,000),
about 640 MiB plus 65 KiB per patient. The estimate below is some 10% above both.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys

BASE_BYTES = 700 * 2**20
"""Interpreter, Dagster, DoWhy, MLflow and pandas before any data."""
BYTES_PER_PATIENT = 72 * 2**10


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


def release_freed_memory(generation: int = 2) -> None:
    """Collect garbage (up to `generation`; 2 is all of it) and hand the freed heap back to
    the system: glibc keeps freed pages for reuse, so a phase that follows a large one
    (checks after generation) would stack its memory on top of what the first left behind."""
    gc.collect(generation)
    if GLIBC is not None:
        GLIBC.malloc_trim(0)
