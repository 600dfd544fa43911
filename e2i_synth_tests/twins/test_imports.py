"""Every twin-side module imports first in a fresh interpreter (no circular import with the
table registry, which lists their specs). The interpreters run at once: each spends its
seconds importing the scientific stack."""

import subprocess
import sys

MODULES = (
    "e2i_synth.world.interventions",
    "e2i_synth.tables.downstream",
    "e2i_synth.twins.fidelity",
    "e2i_synth.twins.tables",
)


def test_each_module_imports_first():
    running = {
        module: subprocess.Popen(
            [sys.executable, "-c", f"import {module}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for module in MODULES
    }
    errors = {module: process.communicate(timeout=300)[1] for module, process in running.items()}
    failed = {m: errors[m][-1000:] for m, process in running.items() if process.returncode}
    assert not failed, failed
