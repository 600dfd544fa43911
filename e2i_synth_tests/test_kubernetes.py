"""The Kubernetes deployment: docker/dagster-k8s-runs.yaml loaded into a Dagster instance whose
K8sRunLauncher (dagster-k8s itself) records the Job it would create instead of sending it, the
Job's container command run here in the pod's environment; docker/helm/values.yaml checked
against the compose deployment, the workspace and that instance."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
import yaml

from e2i_synth.scale.parquet import read_table
from e2i_synth.settings import Scenario
from e2i_synth.warehouse.chunked import chunked_folder
from e2i_synth_tests.conftest import dagster_storage_hits

if TYPE_CHECKING:
    from kubernetes.client import V1Job

REPO_ROOT = Path(__file__).resolve().parents[1]
MARKER = "Run-Pod-Secret-4q"
CHUNKS = {"brand": "kisqali", "dgp": "confounded", "patients": 600, "chunk_size": 300}
SECRET = "e2i-synth-env"
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:6443"}}],
    "users": [{"name": "none", "user": {"token": "unused"}}],
    "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
    "current-context": "none",
}
"""No cluster here: the launcher loads this instead of the pod's service account, and its
Kubernetes client is never called (the batch API below stands in for it)."""


def load_yaml(*parts: str) -> dict:
    return yaml.safe_load((REPO_ROOT.joinpath(*parts)).read_text())


def compose_environment() -> dict[str, str]:
    return load_yaml("docker-compose.yml")["x-e2i-environment"]


def compose_default(value: str) -> str:
    """A compose value with each `${NAME:-default}` replaced by its default."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def secret_bearing(environment: dict[str, str]) -> set[str]:
    """The variables whose compose value embeds a password."""
    return {name for name, value in environment.items() if "PASSWORD" in value}


class RecordingBatchApi:
    """Kubernetes' BatchV1Api as K8sRunLauncher calls it: each Job is recorded, not sent, and
    reads report the status `finish` gave it (active until then)."""

    def __init__(self):
        from kubernetes.client import V1JobStatus

        self.created: list[tuple[V1Job, str]] = []
        self.status: dict[tuple[str, str], V1JobStatus] = {}

    def create_namespaced_job(self, body: V1Job, namespace: str, **_):
        from kubernetes.client import V1JobStatus

        self.created.append((body, namespace))
        self.status[(body.metadata.name, namespace)] = V1JobStatus(active=1)
        return body

    def read_namespaced_job_status(self, name: str, namespace: str, **_):
        from kubernetes.client import V1Job, V1ObjectMeta
        from kubernetes.client.rest import ApiException

        if (name, namespace) not in self.status:
            raise ApiException(status=404, reason="Not Found")
        return V1Job(metadata=V1ObjectMeta(name=name), status=self.status[(name, namespace)])

    def finish(self, job: V1Job, namespace: str, returncode: int) -> None:
        from kubernetes.client import V1JobStatus

        done = {"succeeded": 1} if returncode == 0 else {"failed": 1}
        self.status[(job.metadata.name, namespace)] = V1JobStatus(active=0, **done)


def run_pod(job: V1Job, secrets: dict[str, dict[str, str]], local: dict[str, Path]) -> int:
    """The Job's container command as a local process, in the environment its pod would get:
    the container's env and its env_from Secrets, with each volume's mount path (and
    DAGSTER_HOME) replaced by the local folder standing in for it."""
    pod = job.spec.template.spec
    [container] = pod.containers
    claims = {v.name: v.persistent_volume_claim.claim_name for v in pod.volumes}
    paths = {m.mount_path: str(local[claims[m.name]]) for m in container.volume_mounts}
    paths[next(e.value for e in container.env if e.name == "DAGSTER_HOME")] = str(local["home"])
    environment = {e.name: paths.get(e.value, e.value) for e in container.env}
    for source in container.env_from:
        environment.update(secrets[source.secret_ref.name])
    environment["PATH"] = str(Path(sys.executable).parent)
    assert container.command is None  # the image has no entrypoint: the args are the command
    return subprocess.run(container.args, env=environment, timeout=600).returncode


@pytest.mark.e2e
@pytest.mark.postgres
def test_runs_are_kubernetes_jobs_with_secrets_by_reference_and_run_to_success(
    tmp_path, monkeypatch, postgres_database
):
    """docker/dagster-k8s-runs.yaml: the Job K8sRunLauncher builds for a run (image, namespace,
    service account, the Secret by reference, the shared volume, resources, Dagster's
    execute_run command), no password in it or in Dagster's storage, and its command run
    here in the pod's environment to a successful run and its Parquet output."""
    from dagster import DagsterInstance, DagsterRunStatus, reconstructable
    from dagster._core.launcher.base import WorkerStatus
    from dagster_k8s import K8sRunLauncher
    from kubernetes.client import ApiClient

    from e2i_synth.defs.scale.jobs import chunked_in_process_job

    config = load_yaml("docker", "dagster-k8s-runs.yaml")
    launcher_config = config["run_launcher"]["config"]
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(KUBECONFIG))
    test_config = {
        **config,
        "run_launcher": {
            **config["run_launcher"],
            "config": {
                **launcher_config,
                "load_incluster_config": False,
                "kubeconfig_file": str(kubeconfig),
            },
        },
    }
    (dagster_home / "dagster.yaml").write_text(yaml.safe_dump(test_config))
    url = psycopg.conninfo.conninfo_to_dict(postgres_database)
    secret = {
        "E2I_DATABASE_URL": psycopg.conninfo.make_conninfo(postgres_database, password=MARKER),
        "DAGSTER_POSTGRES_URL": (
            f"postgresql+psycopg2://{url['user']}:{MARKER}@{url['host']}:{url['port']}"
            f"/{url['dbname']}"
        ),
        "E2I_CELERY_BROKER": f"pyamqp://guest:{MARKER}@127.0.0.1:5672//",
    }
    plain = {"E2I_SCALE": "300", "E2I_SEED": "42", "E2I_REGENERATE_CRON": "0 2 * * *"}
    e2i_home = tmp_path / "e2i"
    # The daemon's environment: the Secret's variables and the plain ones.
    for name, value in {**secret, **plain, "E2I_HOME": str(e2i_home)}.items():
        monkeypatch.setenv(name, value)
    batch = RecordingBatchApi()
    monkeypatch.setattr(
        K8sRunLauncher,
        "from_config_value",
        classmethod(
            lambda cls, inst_data, value: cls(
                inst_data=inst_data, k8s_client_batch_api=batch, **value
            )
        ),
    )

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        assert isinstance(instance.run_launcher, K8sRunLauncher)
        run = instance.create_run_for_job(
            job_def=chunked_in_process_job(),
            run_config={"ops": {"plan_chunks": {"config": CHUNKS}}},
            job_code_origin=reconstructable(chunked_in_process_job).get_python_origin(),
        )
        instance.launch_run(run.run_id, workspace=None)
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTING

        [(job, namespace)] = batch.created
        pod = job.spec.template.spec
        [container] = pod.containers
        assert namespace == launcher_config["job_namespace"]
        assert container.image == launcher_config["job_image"]
        assert container.image == load_yaml("docker-compose.yml")["services"]["code"]["image"]
        assert pod.service_account_name == launcher_config["service_account_name"]
        assert container.args[:3] == ["dagster", "api", "execute_run"]
        assert [s.secret_ref.name for s in container.env_from] == [SECRET]
        assert [s.config_map_ref for s in container.env_from] == [None]
        [volume] = pod.volumes
        [mount] = container.volume_mounts
        assert volume.persistent_volume_claim.claim_name == "e2i-synth-home"
        assert (mount.name, mount.mount_path) == (volume.name, "/opt/e2i/home")
        assert mount.mount_path == compose_environment()["E2I_HOME"]
        assert container.resources.requests == {"cpu": "1", "memory": "1Gi"}
        assert container.resources.limits == {"memory": "2Gi"}
        env = {e.name: e.value for e in container.env}
        assert env["E2I_HOME"] == mount.mount_path
        assert {k: env[k] for k in plain} == plain
        assert env["DAGSTER_HOME"] == launcher_config["dagster_home"]
        assert not set(secret) & set(env)  # the passwords only by reference to the Secret
        body = json.dumps(ApiClient().sanitize_for_serialization(job))
        assert MARKER not in body

        returncode = run_pod(
            job, {SECRET: secret}, {"e2i-synth-home": e2i_home, "home": dagster_home}
        )
        assert returncode == 0
        batch.finish(job, namespace, returncode)
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.SUCCESS
        health = instance.run_launcher.check_run_worker_health(instance.get_run_by_id(run.run_id))
        assert health.status == WorkerStatus.SUCCESS

    parts = read_table(
        chunked_folder(e2i_home, Scenario("kisqali", "confounded"), 600), "unit_truth"
    )
    assert len(parts) == CHUNKS["patients"]
    assert dagster_storage_hits(postgres_database, MARKER) == dict.fromkeys(
        ("runs", "event_logs", "run_tags"), 0
    )


def test_helm_values_serve_the_workspace_module_with_the_compose_environment():
    """docker/helm/values.yaml: the code server serves workspace.yaml's module; every variable
    of docker-compose.yml's x-e2i-environment is plain env (with compose's default), the
    chart's DAGSTER_HOME, or, when it embeds a password, a key of the Secret the operator
    creates (and nowhere in plain env); runs get the Secret, volume, resources and queue of
    docker/dagster-k8s-runs.yaml."""
    text = (REPO_ROOT / "docker" / "helm" / "values.yaml").read_text()
    values = yaml.safe_load(text)
    workspace = load_yaml("workspace.yaml")
    compose = load_yaml("docker-compose.yml")
    environment = compose["x-e2i-environment"]
    runs = load_yaml("docker", "dagster-k8s-runs.yaml")
    [deployment] = values["dagster-user-deployments"]["deployments"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"

    [location] = workspace["load_from"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", location["python_module"]["module_name"]]
    image = deployment["image"]
    assert f"{image['repository']}:{image['tag']}" == runs["run_launcher"]["config"]["job_image"]
    assert runs["run_launcher"]["config"]["job_image"] == compose["services"]["code"]["image"]

    plain = {e["name"]: e["value"] for e in deployment["env"]}
    secrets = secret_bearing(environment)
    assert secrets == {"E2I_DATABASE_URL", "DAGSTER_POSTGRES_URL", "E2I_CELERY_BROKER"}
    assert set(plain) | secrets | {"DAGSTER_HOME"} == set(environment)
    assert plain == {name: compose_default(environment[name]) for name in plain}
    assert values["global"]["dagsterHome"] == environment["DAGSTER_HOME"]
    # The Secret's keys are the ones the documented `kubectl create secret` command sets.
    assert set(re.findall(r"--from-literal=([A-Z0-9_]+)=", text)) == secrets
    # ... and named nowhere in the values themselves (comments aside).
    assert not [name for name in secrets if name in yaml.safe_dump(values)]

    assert deployment["envSecrets"] == launcher["envSecrets"] == [{"name": SECRET}]
    runs_launcher = runs["run_launcher"]["config"]
    assert runs_launcher["env_secrets"] == [SECRET]
    assert deployment["volumes"] == launcher["volumes"]
    assert deployment["volumeMounts"] == launcher["volumeMounts"]
    [volume] = launcher["volumes"]
    [mount] = launcher["volumeMounts"]
    [runs_volume] = runs_launcher["volumes"]
    [runs_mount] = runs_launcher["volume_mounts"]
    claim = volume["persistentVolumeClaim"]["claimName"]
    assert claim == runs_volume["persistent_volume_claim"]["claim_name"] == "e2i-synth-home"
    assert mount["mountPath"] == runs_mount["mount_path"] == plain["E2I_HOME"]
    assert launcher["runK8sConfig"]["containerConfig"]["resources"] == runs_launcher["resources"]
    assert "resources" not in deployment  # the chart would pass them on to every run

    queue = values["dagsterDaemon"]["runCoordinator"]
    assert queue["type"] == "QueuedRunCoordinator"
    assert (
        queue["config"]["queuedRunCoordinator"]["maxConcurrentRuns"]
        == runs["run_coordinator"]["config"]["max_concurrent_runs"]
    )
    assert values["postgresql"]["enabled"] is False
    assert values["generatePostgresqlPasswordSecret"] is False
    assert values["postgresql"]["postgresqlPassword"] == ""
    assert values["telemetry"]["enabled"] is False
