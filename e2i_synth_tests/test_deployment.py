"""docker-compose.yml, Dockerfile and the gRPC workspace, checked by reading (no Docker
engine here) and by starting the same code-server command the `code` service runs."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
DOCKER_WORKSPACE = REPO_ROOT / "docker" / "workspace.yaml"


def test_compose_has_the_services_wired_together():
    services = COMPOSE["services"]
    assert set(services) == {
        "postgres",
        "code",
        "webserver",
        "daemon",
        "rabbitmq",
        "celery-worker",
    }
    env = services["code"]["environment"]
    assert (
        env["E2I_DATABASE_URL"].startswith("postgresql://")
        and "@postgres:5432/" in env["E2I_DATABASE_URL"]
    )
    assert env["DAGSTER_POSTGRES_URL"].startswith("postgresql+psycopg2://")
    assert env["DAGSTER_POSTGRES_URL"].endswith("@postgres:5432/dagster")
    for name in ("webserver", "daemon"):
        assert services[name]["environment"] == env
        assert "/opt/dagster/workspace.yaml" in services[name]["command"]
    assert services["celery-worker"]["environment"] == env
    assert services["code"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_celery_workers_share_the_broker_queue_and_storage_of_the_code_location():
    from e2i_synth.defs.scale.jobs import QUEUE

    services = COMPOSE["services"]
    worker = services["celery-worker"]
    env = worker["environment"]
    assert env["E2I_CELERY_BROKER"].startswith("pyamqp://")
    assert "@rabbitmq:5672/" in env["E2I_CELERY_BROKER"]
    assert services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_USER"] == "e2i"
    assert f"-A e2i_synth.defs.scale.worker worker -Q {QUEUE}" in worker["command"]
    assert set(services["code"]["volumes"]) <= set(worker["volumes"])
    assert "/opt/dagster/home/storage" in " ".join(worker["volumes"])


def test_code_service_serves_the_port_the_workspace_points_at():
    command = COMPOSE["services"]["code"]["command"]
    port = int(re.search(r"code-server start -h 0.0.0.0 -p (\d+)", command).group(1))
    server = yaml.safe_load(DOCKER_WORKSPACE.read_text())["load_from"][0]["grpc_server"]
    assert (server["host"], server["port"]) == ("code", port)
    assert "-m e2i_synth.defs.definitions" in command and "e2i-synth db init" in command


def test_files_the_images_and_volumes_refer_to_exist():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+(?: \S+)*) \S+$", dockerfile, flags=re.M):
        for path in source.split():
            assert (REPO_ROOT / path).exists(), path
    for mount in COMPOSE["services"]["postgres"]["volumes"]:
        if mount.startswith("./"):
            assert (REPO_ROOT / mount.split(":")[0]).exists(), mount
    assert 'pip install --no-cache-dir ".[docker,k8s]"' in dockerfile  # the run launchers too
    init_sql = (REPO_ROOT / "docker" / "init-dagster-db.sql").read_text()
    assert "CREATE DATABASE dagster" in init_sql


def test_the_postgres_instance_config_is_copied_into_dagster_home_not_read_from_the_root():
    """Dagster's CLI reads a dagster.yaml in the working folder when DAGSTER_HOME is unset,
    so the PostgreSQL one lives under docker/ and only the image puts it in DAGSTER_HOME;
    the root's is the local instance, which stores nothing in PostgreSQL."""
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    home = re.search(r"^ENV DAGSTER_HOME=(\S+)$", dockerfile, flags=re.M).group(1)
    assert f"COPY docker/dagster.yaml {home}/dagster.yaml" in dockerfile
    storage = yaml.safe_load((REPO_ROOT / "docker" / "dagster.yaml").read_text())["storage"]
    assert storage == {"postgres": {"postgres_url": {"env": "DAGSTER_POSTGRES_URL"}}}
    assert [p.name for p in REPO_ROOT.glob("dagster.y*ml")] == ["dagster.yaml"]
    local = yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())
    assert "storage" not in local and "postgres" not in str(local)


def test_runs_in_containers_override_mounts_the_launcher_config_where_the_image_reads_it():
    """docker/compose.runs-in-containers.yml changes only the webserver and daemon: the
    instance config with DockerRunLauncher in DAGSTER_HOME, and the Docker socket the daemon
    launches through (the launcher's own settings: defs/test_instance.py)."""
    override = yaml.safe_load((REPO_ROOT / "docker" / "compose.runs-in-containers.yml").read_text())
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    home = re.search(r"^ENV DAGSTER_HOME=(\S+)$", dockerfile, flags=re.M).group(1)
    assert set(override["services"]) == {"webserver", "daemon"} <= set(COMPOSE["services"])
    for service in override["services"].values():
        mounts = {m.split(":")[1]: m.split(":")[0] for m in service["volumes"]}
        assert mounts[f"{home}/dagster.yaml"] == "./docker/dagster-docker-runs.yaml"
        assert mounts["/var/run/docker.sock"] == "/var/run/docker.sock"
        assert (REPO_ROOT / "docker" / "dagster-docker-runs.yaml").exists()
    assert set(override["volumes"]) == set(COMPOSE["volumes"]) - {"postgres-data"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.e2e
def test_code_server_command_serves_definitions_the_workspace_can_load(tmp_path):
    """The `code` service's command, then what the webserver does with its workspace."""
    bin_dir = Path(sys.executable).parent
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "E2I_HOME": str(tmp_path / "e2i")}
    # The webserver's side gets a Dagster home of its own, as the deployment's services each
    # have (they share PostgreSQL, not files): two processes creating one fresh SQLite
    # instance at once can stamp its schema twice ("more than one head present").
    (tmp_path / "webserver").mkdir()
    webserver_env = {**env, "DAGSTER_HOME": str(tmp_path / "webserver")}
    server = subprocess.Popen(
        [
            str(bin_dir / "dagster"),
            "code-server",
            "start",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            "e2i_synth.defs.definitions",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        workspace = tmp_path / "workspace.yaml"
        workspace.write_text(
            DOCKER_WORKSPACE.read_text()
            .replace("host: code", "host: 127.0.0.1")
            .replace("port: 4000", f"port: {port}")
        )
        deadline = time.monotonic() + 90
        while True:
            result = subprocess.run(
                [str(bin_dir / "dagster"), "definitions", "validate", "-w", str(workspace)],
                env=webserver_env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "e2i_synth" in result.stderr + result.stdout
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
