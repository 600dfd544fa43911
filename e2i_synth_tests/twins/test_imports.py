"""Every twin-side module imports first in a fresh interpreter (no circular import with the
table registry, which lists their specs)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "e2i_synth.world.interventions",
        "e2i_synth.tables.downstream",
        "e2i_synth.twins.fidelity",
        "e2i_synth.twins.tables",
    ],
)
def test_imports_first(module):
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-1000:]
