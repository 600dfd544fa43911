"""Dagster's SQLite files in WAL mode: commits without a flush each, the log kept open."""

import sqlite3
from collections import OrderedDict

import pytest


@pytest.fixture
def installed(monkeypatch):
    """The module with an empty set of kept files (SQLAlchemy is imported here, not when
    the suite is collected)."""
    from e2i_synth.defs import sqlite as kept_open

    monkeypatch.setattr(kept_open, "kept", OrderedDict())
    kept_open.install()
    kept_open.install()  # idempotent: one listener
    yield kept_open
    for connection in kept_open.kept.values():
        connection.close()


def database(path, mode: str) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA journal_mode={mode}")
        connection.execute("CREATE TABLE IF NOT EXISTS events (x)")
    return f"sqlite:///{path}"


def write_once(url: str) -> int:
    """One write as Dagster makes it (an engine and a connection of its own); the
    connection's synchronous setting."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("INSERT INTO events VALUES (1)")
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    engine.dispose()
    return synchronous


def test_wal_database_commits_at_normal_and_keeps_its_log(installed, tmp_path):
    url = database(tmp_path / "index.db", "wal")
    assert write_once(url) == 1  # NORMAL
    assert write_once(url) == 1
    assert list(installed.kept) == [str(tmp_path / "index.db")]
    # the log outlives Dagster's connection: no checkpoint and re-creation per write
    assert (tmp_path / "index.db-wal").exists()
    with sqlite3.connect(tmp_path / "index.db") as reader:
        assert reader.execute("SELECT count(*) FROM events").fetchone() == (2,)


def test_other_databases_are_left_alone(installed, tmp_path):
    url = database(tmp_path / "mlflow.db", "delete")
    assert write_once(url) == 2  # FULL, SQLite's default
    assert not installed.kept


def test_open_files_are_bounded(installed, tmp_path, monkeypatch):
    monkeypatch.setattr(installed, "KEPT_OPEN", 2)
    urls = [database(tmp_path / f"run{i}.db", "wal") for i in range(3)]
    for url in urls:
        write_once(url)
    assert list(installed.kept) == [str(tmp_path / "run1.db"), str(tmp_path / "run2.db")]
