"""The local Dagster instance: the package's dagster.yaml (which the repository root's
dagster.yaml links to) holds no storage and no secret, and both ways of opening it, a
fresh `e2i-synth` home and Dagster's command line without DAGSTER_HOME, use it without
warnings: telemetry off, runs queued two at a time, run monitoring on."""

from __future__ import annotations

import warnings
from pathlib import Path

import yaml

from e2i_synth.defs.instance import INSTANCE_CONFIG, dagster_instance
from e2i_synth.settings import Settings
from e2i_synth_tests.defs.test_definitions import REPO_ROOT

CONFIG = yaml.safe_load(INSTANCE_CONFIG.read_text(encoding="utf-8"))


def leaves(node: object) -> list[object]:
    """Every key and value of a parsed YAML document."""
    if isinstance(node, dict):
        return [*node, *(leaf for value in node.values() for leaf in leaves(value))]
    return [node]


def test_the_root_dagster_yaml_is_the_package_local_instance_config():
    from dagster._config import Shape, validate_config
    from dagster._core.instance.config import dagster_instance_config_schema

    root = REPO_ROOT / "dagster.yaml"
    assert root.is_symlink() and root.resolve() == Path(str(INSTANCE_CONFIG)).resolve()
    assert validate_config(Shape(dagster_instance_config_schema()), CONFIG).success
    assert not {"storage", "run_storage", "event_log_storage", "schedule_storage"} & set(CONFIG)
    assert "env" not in leaves(CONFIG)  # nothing read from the environment: no secret
    assert CONFIG["telemetry"]["enabled"] is False
    assert CONFIG["run_monitoring"]["enabled"] is True


def assert_local_config(instance) -> None:
    assert instance.telemetry_enabled is False
    assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 2
    assert instance.run_monitoring_enabled


def test_a_fresh_home_gets_the_config_and_keeps_its_runs_under_e2i_home(tmp_path, monkeypatch):
    monkeypatch.setenv("E2I_HOME", str(tmp_path / "e2i"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        instance = dagster_instance(Settings.from_env())
    assert [str(w.message) for w in caught] == []
    home = tmp_path / "e2i" / "dagster"
    assert (home / "dagster.yaml").read_text() == INSTANCE_CONFIG.read_text(encoding="utf-8")
    assert Path(instance.root_directory) == home
    assert list(home.rglob("*.db"))  # the SQLite run storage, under E2I_HOME
    assert_local_config(instance)
    instance.dispose()


def test_dagster_without_dagster_home_reads_the_root_config(tmp_path, monkeypatch, caplog):
    """What `dagster dev` and `dagster asset materialize` do in the repository root when
    DAGSTER_HOME is unset: the config from the working folder, runs in a temporary folder."""
    from dagster._cli.utils import get_possibly_temporary_instance_for_cli

    (tmp_path / "dagster.yaml").symlink_to(REPO_ROOT / "dagster.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with get_possibly_temporary_instance_for_cli("dagster dev") as instance:
            assert_local_config(instance)
    assert [str(w.message) for w in caught] == []
    assert not [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


def test_the_root_sql_folder_is_the_package_one():
    """`sql/` at the top is the package's folder, so each file exists once, shipped as
    package data and found through importlib.resources."""
    from importlib import resources

    from e2i_synth.warehouse.migrations import SCHEMA_FILE, SQL_DIR

    root = REPO_ROOT / "sql"
    assert root.is_symlink() and root.resolve() == SQL_DIR.resolve()
    packaged = resources.files("e2i_synth").joinpath("sql", "schema.sql")
    assert Path(str(packaged)).resolve() == SCHEMA_FILE.resolve() == (root / "schema.sql").resolve()
