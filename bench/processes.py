"""Fresh processes measured from outside: wall seconds, the largest process's peak RSS and
the CPU (user + system) of the process and every child it reaped, from `wait4`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

REPO_ROOT = Path(__file__).resolve().parent.parent
CLEARED_ENV = frozenset({"DAGSTER_HOME", "E2I_SCALE", "E2I_SEED"})
"""Unset for a measured run so it uses its own instance and the defaults."""


@dataclass(frozen=True)
class EndToEnd:
    """One measured process: wall seconds, the largest process's peak RSS (KiB), and the
    CPU seconds (user + system) of it and every worker it reaped."""

    seconds: float
    peak_kib: int
    cpu_seconds: float

    def floor(self, cores: int) -> float:
        """The wall time this much CPU needs at the least, every core busy all along."""
        return self.cpu_seconds / cores

    def describe(self, cores: int) -> str:
        return (
            f"{self.seconds:.1f} s; CPU {self.cpu_seconds:.0f} s, so >= "
            f"{self.floor(cores):.0f} s on {cores} cores"
        )


def measure(command: Sequence[str]) -> EndToEnd:
    """`command` in a fresh, empty E2I_HOME (also its working directory); it must succeed."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="e2i-bench-") as home:
        started = perf_counter()
        process = subprocess.Popen(
            list(command),
            env=env | {"E2I_HOME": home},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=home,
        )
        stderr = process.stderr.read() if process.stderr else ""
        _, status, usage = os.wait4(process.pid, 0)
        seconds = perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return EndToEnd(seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)


def end_to_end(*options: str, scale: str = "small") -> EndToEnd:
    """`e2i-synth materialize --scale <scale>` (and `options`) into a fresh, empty
    E2I_HOME; `--workers` is the command's own default, the core count, unless given."""
    command = [str(Path(sys.executable).parent / "e2i-synth"), "materialize", "--scale", scale]
    return measure([*command, *options])
