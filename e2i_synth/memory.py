"""How much memory a scenario needs at its peak, so a scale that cannot fit is refused
before anything is drawn (instead of dying half-way with a MemoryError), and how many
scenarios can run at once.

Measured on whole `materialize` runs (draw, tables, checks, DoWhy refuters, load, then the
twins: training, MLflow, simulation and their checks), the largest worker process: 724 MiB
at the small scale (3,000 patients) and 1,182 MiB at full scale (30,000), about 670 MiB
plus 17 KiB per patient; one scenario alone peaked at 1,889 MiB with 100,000 patients and
4,697 MiB with 300,000 (175 s). The estimate below is 7 to 10% above the first two, 32%
above the third and 28% above the fourth.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys

BASE_BYTES = 740 * 2**20
"""Interpreter, Dagster, DoWhy, MLflow and pandas before any data."""
BYTES_PER_PATIENT = 18 * 2**10


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
