"""One small scenario's intervention layer and one trained HCP generator, shared by the
twin tests (training is the slow step: done once per session)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from e2i_synth.twins.features import hcp_training_frame
from e2i_synth.world.interventions import InterventionWorld, draw_interventions, history_table
from e2i_synth_tests.conftest import frames_of, world_of

if TYPE_CHECKING:
    from e2i_synth.twins.generator import TwinGenerator

BRAND, DGP, SEED = "kisqali", "confounded", 7


@cache
def layer(brand: str = BRAND, dgp: str = DGP) -> InterventionWorld:
    return draw_interventions(world_of(brand, dgp), frames_of(brand, dgp)["hcp_profiles"])


@cache
def hcp_frame(brand: str = BRAND, dgp: str = DGP) -> pd.DataFrame:
    iw = layer(brand, dgp)
    return hcp_training_frame(history_table(iw), iw.hcps)


@pytest.fixture(scope="session")
def iw() -> InterventionWorld:
    return layer()


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return hcp_frame().copy()


@pytest.fixture(scope="session")
def generator() -> TwinGenerator:
    from e2i_synth.twins.generator import TwinGenerator

    return TwinGenerator.train(hcp_frame(), "hcp", BRAND, f"{BRAND}|{DGP}", SEED)


@pytest.fixture(scope="session")
def twin_frames(generator, iw) -> dict[str, pd.DataFrame]:
    """One scenario's twin tables from the shared generator (no retraining)."""
    from e2i_synth.catalog import INTERVENTION_TYPES
    from e2i_synth.twins.fidelity import (
        FidelityHistory,
        experiment_fidelity,
        held_out_frame,
        prediction_fidelity,
        score_simulation,
    )
    from e2i_synth.twins.pipeline import ScenarioTwins, scenario_tables
    from e2i_synth.twins.policy import evaluate_targeting
    from e2i_synth.twins.simulation import simulate

    population = generator.generate(500)
    runs = []
    for name in INTERVENTION_TYPES[:2]:
        result = simulate(generator, population, {"intervention_type": name})
        runs.append((result, score_simulation(result, iw)))
    fidelity = FidelityHistory(generator.model_id)
    fidelity.record(prediction_fidelity(generator, held_out_frame(iw)), "held_out")
    experiment = experiment_fidelity(generator, iw)
    for name, arm in experiment.arms.items():
        fidelity.record(arm.metrics, "experiment", intervention_type=name)
    policies = [
        evaluate_targeting(generator, iw, {"intervention_type": name}, "10%")
        for name in INTERVENTION_TYPES[:2]
    ]
    result = ScenarioTwins(
        iw, history_table(iw), generator, population, runs, fidelity, experiment, policies
    )
    return scenario_tables(result)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """A local MLflow tracking server, started as a user would (only by a run that has a
    test needing it: end-to-end tests); its process group is ended after."""
    folder = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    log = folder / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "mlflow"),
                "server",
                "--backend-store-uri",
                f"sqlite:///{folder}/server.db",
                "--artifacts-destination",
                str(folder / "artifacts"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )
    yield f"http://127.0.0.1:{port}", process, log
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:  # still draining its clients' keep-alive connections
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
