"""The runner's worker processes."""

from __future__ import annotations

import logging
import signal

from e2i_synth.defs import runner
from e2i_synth.twins import model as twin_model


def test_a_worker_ignores_ctrl_c_and_trains_on_its_share_of_the_cores(monkeypatch):
    """The command stops its workers itself; each fits its forests on the threads given
    (the cores divided among the workers), not on every core."""
    handlers = {}
    monkeypatch.setattr(
        signal, "signal", lambda signum, handler: handlers.update({signum: handler})
    )
    monkeypatch.setattr(twin_model, "FOREST_THREADS", 8)
    pool_log = logging.getLogger(runner.SQLALCHEMY_POOL)
    monkeypatch.setattr(pool_log, "level", pool_log.level)
    runner.start_worker(3)
    assert handlers == {signal.SIGINT: signal.SIG_IGN}
    assert twin_model.FOREST_THREADS == 3
    assert pool_log.level == logging.CRITICAL
