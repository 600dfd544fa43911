"""The shared deployment's Dagster instance (docker/dagster.yaml) stores runs in PostgreSQL."""

from __future__ import annotations

import shutil

import psycopg
import pytest
from dagster import AssetKey, DagsterInstance

from e2i_synth.defs.definitions import GENERATE_JOB, defs
from e2i_synth.defs.runner import run_config
from e2i_synth.settings import Scenario, Settings
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.validation.suite import CHECKS
from e2i_synth_tests.defs.test_definitions import REPO_ROOT

pytestmark = pytest.mark.postgres


def test_dagster_yaml_keeps_runs_and_events_in_postgres(tmp_path, monkeypatch, postgres_database):
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
