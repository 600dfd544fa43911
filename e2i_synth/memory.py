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

from e2i_synth.errors import E2IError

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


def refuse_scale_beyond_memory(n_patients: int) -> None:
    """Stop before drawing a world that cannot fit, saying the estimate and what fits."""
    need, have = peak_bytes(n_patients), available_bytes()
    if need > have:
        raise E2IError(
            f"scale {n_patients:,} needs about {need / 2**30:.1f} GiB at its peak, and this "
            f"machine has {have / 2**30:.1f} GiB available; the largest scale that fits is "
            f"about {largest_scale(have):,} patients per scenario (`e2i-synth chunked` writes "
            "one scenario of any size in bounded memory)"
        )


def workers_that_fit(requested: int | None, n_patients: int) -> int:
    """The CPU count by default, never more workers than memory holds at once."""
    fits = max(1, available_bytes() // peak_bytes(n_patients))
    return max(1, min(requested or os.cpu_count() or 1, fits))


GLIBC = ctypes.CDLL("libc.so.6") if sys.platform.startswith("linux") else None


def release_freed_memory(generation: int = 2) -> None:
    """Collect garbage (up to `generation`; 2 is all of it) and hand the freed heap back to
    the system: glibc keeps freed pages for reuse, so a phase that follows a large one
    (checks after generation) would stack its memory on top of what the first left behind."""
    gc.collect(generation)
    if GLIBC is not None:
        GLIBC.malloc_trim(0)
