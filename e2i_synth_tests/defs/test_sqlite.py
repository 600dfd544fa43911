"""Dagster's SQLite files in WAL mode: commits without a flush each, the log kept open."""

import sqlite3

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from e2i_synth.defs import sqlite


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(sqlite, "kept", type(sqlite.kept)())
    sqlite.install()
    sqlite.install()  # idempotent: one listener
    yield
    for connection in sqlite.kept.values():
        connection.close()


def database(path, mode: str) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA journal_mode={mode}")
        connection.execute("CREATE TABLE IF NOT EXISTS events (x)")
    return f"sqlite:///{path}"


def write_once(url: str) -> int:
    """One write as Dagster makes it (an engine and a connection of its own); the
    connection's synchronous setting."""
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
    assert list(sqlite.kept) == [str(tmp_path / "index.db")]
    # the log outlives Dagster's connection: no checkpoint and re-creation per write
    assert (tmp_path / "index.db-wal").exists()
    with sqlite3.connect(tmp_path / "index.db") as reader:
        assert reader.execute("SELECT count(*) FROM events").fetchone() == (2,)


def test_other_databases_are_left_alone(installed, tmp_path):
    url = database(tmp_path / "mlflow.db", "delete")
    assert write_once(url) == 2  # FULL, SQLite's default
    assert not sqlite.kept


def test_open_files_are_bounded(installed, tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite, "KEPT_OPEN", 2)
    urls = [database(tmp_path / f"run{i}.db", "wal") for i in range(3)]
    for url in urls:
        write_once(url)
    assert list(sqlite.kept) == [str(tmp_path / "run1.db"), str(tmp_path / "run2.db")]
