"""Ctrl-C or SIGTERM while the command is still loading ends it with its one line and the
signal's exit code, not a traceback or a death by the signal."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from e2i_synth.cli import STOPPED

SIGNAL_WHILE_LOADING = """
import os, signal, sys

class SignalOnClick:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            os.kill(os.getpid(), int(sys.argv[1]))  # as the command's own imports go on
        return None

sys.meta_path.insert(0, SignalOnClick())
from e2i_synth.cli import main
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_a_signal_while_the_command_loads_ends_it_with_one_line(sig):
    proc = subprocess.run(
        [sys.executable, "-c", SIGNAL_WHILE_LOADING, str(int(sig)), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.returncode == 128 + sig, proc.stderr
    assert proc.stderr.splitlines() == [STOPPED] and proc.stdout == ""
