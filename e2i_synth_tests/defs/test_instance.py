"""The shared deployment's Dagster instances: docker/dagster.yaml stores runs in PostgreSQL,
docker/dagster-docker-runs.yaml also starts each run in a container of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
import yaml

from e2i_synth.scale.parquet import read_table
from e2i_synth.settings import Scenario, Settings
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.validation.suite import CHECKS
from e2i_synth.warehouse.chunked import chunked_folder
from e2i_synth_tests.conftest import dagster_storage_hits
from e2i_synth_tests.defs.test_definitions import REPO_ROOT

pytestmark = pytest.mark.postgres

MARKER = "Run-Container-Secret-7x"
CHUNKS = {"brand": "kisqali", "dgp": "confounded", "patients": 600, "chunk_size": 300}


def test_dagster_yaml_keeps_runs_and_events_in_postgres(tmp_path, monkeypatch, postgres_database):
    from dagster import AssetKey, DagsterInstance

    from e2i_synth.defs.definitions import GENERATE_JOB, defs
    from e2i_synth.defs.runner import run_config

    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / "docker" / "dagster.yaml", dagster_home / "dagster.yaml")
    url = psycopg.conninfo.conninfo_to_dict(postgres_database)
    monkeypatch.setenv(
        "DAGSTER_POSTGRES_URL",
        f"postgresql+psycopg2://{url['user']}@{url['host']}:{url['port']}/{url['dbname']}",
    )
    instance = DagsterInstance.from_config(str(dagster_home))
    settings = Settings.from_env(home=tmp_path / "e2i", scale=300, seed=1)
    scenario = Scenario("fabhalta", "confounded")
    result = defs.resolve_job_def(GENERATE_JOB).execute_in_process(
        run_config=run_config(settings, True),
        partition_key=scenario.partition_key,
        instance=instance,
        asset_selection=[AssetKey(t) for t in TABLE_NAMES],  # twins need a larger scale
    )
    assert result.success
    with psycopg.connect(postgres_database) as con:
        runs = con.execute("SELECT run_id, status FROM runs").fetchall()
        checks = con.execute(
            "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_CHECK_EVALUATION'"
        ).fetchone()[0]
    assert runs == [(result.run_id, "SUCCESS")]
    assert checks == len(CHECKS)


class RecordingDocker:
    """Docker's client as DockerRunLauncher uses it, with `start()` running the container's
    command as a local process in the container's environment (no Docker engine here)."""

    def __init__(self, bin_dir: Path):
        self.created: list[dict] = []
        self.containers = self
        self.bin_dir = bin_dir

    def create(self, **kwargs):
        self.created.append(kwargs)
        env = {**kwargs["environment"], "PATH": str(self.bin_dir)}
        command = kwargs["command"]
        return SimpleNamespace(
            id=f"container-{len(self.created)}",
            start=lambda: subprocess.run(command, env=env, check=True, timeout=600),
        )


@pytest.mark.e2e
def test_runs_in_containers_get_the_environment_by_name_and_run_to_success(
    tmp_path, monkeypatch, postgres_database
):
    """docker/dagster-docker-runs.yaml: the container the launcher creates (image, network,
    volumes and environment of the compose deployment), its command run here to success,
    and the password in the forwarded URLs nowhere in Dagster's storage."""
    from dagster import DagsterInstance, DagsterRunStatus, reconstructable
    from dagster_docker import DockerRunLauncher

    from e2i_synth.defs.scale.jobs import chunked_in_process_job

    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    override = yaml.safe_load((REPO_ROOT / "docker" / "compose.runs-in-containers.yml").read_text())
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / "docker" / "dagster-docker-runs.yaml", dagster_home / "dagster.yaml")
    url = psycopg.conninfo.conninfo_to_dict(postgres_database)
    instance_url = (
        f"postgresql+psycopg2://{url['user']}:{MARKER}@{url['host']}:{url['port']}/{url['dbname']}"
    )
    environment = {
        "E2I_DATABASE_URL": psycopg.conninfo.make_conninfo(postgres_database, password=MARKER),
        "E2I_SCALE": "300",
        "E2I_SEED": "42",
        "E2I_HOME": str(tmp_path / "e2i"),
        "E2I_REGENERATE_CRON": "0 2 * * *",
        "E2I_AUTOMATION": "on",
        "DAGSTER_POSTGRES_URL": instance_url,
        "DAGSTER_HOME": str(dagster_home),
        "E2I_CELERY_BROKER": f"pyamqp://guest:{MARKER}@127.0.0.1:5672//",
    }
    assert set(environment) == set(compose["x-e2i-environment"])  # every variable forwarded
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    docker = RecordingDocker(Path(sys.executable).parent)
    monkeypatch.setattr("docker.client.from_env", lambda: docker)

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        assert isinstance(instance.run_launcher, DockerRunLauncher)
        job = chunked_in_process_job()
        run = instance.create_run_for_job(
            job_def=job,
            run_config={"ops": {"plan_chunks": {"config": CHUNKS}}},
            job_code_origin=reconstructable(chunked_in_process_job).get_python_origin(),
        )
        instance.launch_run(run.run_id, workspace=None)
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.SUCCESS

    [container] = docker.created
    assert container["image"] == compose["services"]["code"]["image"]
    assert container["network"] == override["networks"]["default"]["name"]
    named = {v: spec["name"] for v, spec in override["volumes"].items()}
    code_mounts = {
        f"{named[m.split(':')[0]]}:{m.split(':')[1]}"
        for m in compose["services"]["code"]["volumes"]
    }
    assert code_mounts == set(container["volumes"])  # the code location's files, same paths
    assert {k: container["environment"][k] for k in environment} == environment
    parts = read_table(
        chunked_folder(tmp_path / "e2i", Scenario("kisqali", "confounded"), 600), "unit_truth"
    )
    assert len(parts) == CHUNKS["patients"]
    assert dagster_storage_hits(postgres_database, MARKER) == dict.fromkeys(
        ("runs", "event_logs", "run_tags"), 0
    )
