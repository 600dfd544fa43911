# One image for the Dagster code location, webserver and daemon (docker-compose.yml).
FROM python:3.11-slim

WORKDIR /opt/e2i_synth
COPY pyproject.toml README.md workspace.yaml ./
COPY e2i_synth ./e2i_synth
# The schema, migrations and queries ship inside the package (e2i_synth/sql). The docker
# extra is Dagster's DockerRunLauncher (docker/compose.runs-in-containers.yml), the k8s
# extra its K8sRunLauncher (docker/helm/values.yaml, docker/dagster-k8s-runs.yaml).
RUN pip install --no-cache-dir ".[docker,k8s]"

# The instance config (PostgreSQL storage from DAGSTER_POSTGRES_URL) and the workspace
# pointing the webserver and daemon at the code-location container.
ENV DAGSTER_HOME=/opt/dagster/home
COPY docker/dagster.yaml /opt/dagster/home/dagster.yaml
COPY docker/workspace.yaml /opt/dagster/workspace.yaml
