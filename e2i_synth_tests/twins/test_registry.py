"""MLflow for real: a tracking server started as a user would, the run, its dataset, the
registered version, and a generator loaded back through models:/name/version."""

from __future__ import annotations

import multiprocessing
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from e2i_synth.settings import Settings, Tracking
from e2i_synth.twins.errors import TwinError

SERVER_START_SECONDS = 120


@pytest.fixture(scope="module")
def server(mlflow_server):
    """Wait for the session's server to answer."""
    url, process, log = mlflow_server
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as answer:
                if answer.status == 200:
                    return url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"mlflow server did not start: {log.read_text()}")
        time.sleep(0.5)


def tracking_of(home) -> Tracking:
    return Settings.from_env(home=home).tracking


def test_tracking_defaults_to_sqlite_under_home(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_of(tmp_path).uri == f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    assert tracking_of(tmp_path).uri == "http://tracking.example:5000"


def test_a_server_password_stays_out_of_the_uri_mlflow_gets(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://ops:s3cret-pw@tracking.example:5000/x")
    tracking = tracking_of(tmp_path)
    assert (tracking.uri, tracking.username, tracking.password) == (
        "https://tracking.example:5000/x",
        "ops",
        "s3cret-pw",
    )
    assert str(tracking) == "https://ops:***@tracking.example:5000/x"
    assert "s3cret" not in repr(tracking) + repr(Settings.from_env(home=tmp_path))


@pytest.mark.e2e
def test_server_holds_run_and_registered_model(server, generator, frame, monkeypatch, tmp_path):
    import mlflow

    from e2i_synth.twins.registry import DONORS_FILE, load_generator, log_generator

    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    tracking = tracking_of(tmp_path)
    assert tracking.uri == server
    registered = log_generator(generator, frame, tracking)
    assert generator.mlflow_run_id == registered.run_id
    assert generator.model_version == registered.version

    client = mlflow.MlflowClient(server)
    run = client.get_run(registered.run_id)
    assert run.data.params["n_estimators"] == str(
        generator.training.hyperparameters["n_estimators"]
    )
    assert run.data.params["model_type"] == generator.training.model_type
    assert run.data.metrics["cv_r2_mean"] == pytest.approx(generator.training.metrics["cv_r2_mean"])
    dataset = run.inputs.dataset_inputs[0].dataset
    assert dataset.digest and dataset.source_type
    artifacts = {a.path for a in client.list_artifacts(registered.run_id)}
    assert {"feature_importances.json", DONORS_FILE, "generator.json"} <= artifacts
    version = client.get_model_version(registered.name, registered.version)
    assert version.run_id == registered.run_id

    loaded = load_generator(registered.name, registered.version, tracking)
    assert loaded.model_id == generator.model_id
    twins = generator.generate(200).twins
    again = loaded.generate(200).twins
    pd.testing.assert_frame_equal(twins, again)
    np.testing.assert_allclose(
        loaded.training.model.predict(frame.head(100)),
        generator.training.model.predict(frame.head(100)),
    )


def test_local_store_registers_too(generator, frame, tmp_path, monkeypatch, capfd, caplog):
    """...without MLflow's warning about the serialization we chose or its registry lines
    on stderr (a `materialize` of 15 scenarios printed 45 of them); a version it does not
    hold is one error naming those it does (MLflow's was a traceback)."""
    from e2i_synth.twins.registry import log_generator, registered_version

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    registered = log_generator(generator, frame, tracking_of(tmp_path))
    printed = capfd.readouterr()
    assert "Successfully registered" not in printed.err + printed.out
    assert not [r for r in caplog.records if "cloudpickle" in r.getMessage()]
    assert registered.version == "1"
    assert (tmp_path / "mlflow.db").is_file()
    assert any((tmp_path / "mlartifacts").rglob("MLmodel"))
    assert registered_version(registered.name, tracking_of(tmp_path)) == "1"
    assert registered_version(registered.name, tracking_of(tmp_path), "1") == "1"
    with pytest.raises(TwinError, match=r"has no version '99' .*registered: 1 \(leave out"):
        registered_version(registered.name, tracking_of(tmp_path), "99")
    with pytest.raises(TwinError, match=r"no registered twin model 'other'.*twins train"):
        registered_version("other", tracking_of(tmp_path))  # a store that has others


def open_experiment(uri: str, barrier) -> str:
    """One worker process's first MLflow call on the store, released with the others."""
    import mlflow

    from e2i_synth.twins.registry import _experiment_id

    mlflow.set_tracking_uri(uri)
    barrier.wait(timeout=120)
    return _experiment_id(mlflow, "digital_twin_hcp_kisqali", uri)


@pytest.mark.e2e
def test_workers_starting_at_once_share_one_new_store_and_experiment(tmp_path):
    """Scenarios trained at once in worker processes all open a fresh local store and the
    brand's experiment at the same moment: one store, one experiment, no error (without
    the lock the store's migration ran twice: "duplicate column name: step")."""
    context = multiprocessing.get_context("spawn")
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    workers = 2
    barrier = context.Manager().Barrier(workers)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        ids = list(pool.map(open_experiment, [uri] * workers, [barrier] * workers))
    assert len(set(ids)) == 1
