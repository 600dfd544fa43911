"""Commits to Dagster's SQLite run history without a disk flush each.

Dagster's SQLite storages open and close a connection per write (about 500 per small
scenario's run: every event is committed on its own, asset events twice) on databases it
keeps in WAL mode. Closing the last connection to such a database checkpoints the log and
deletes it, and the next write creates it again, each with a flush to disk; with SQLite's
default `synchronous=FULL` every commit flushes too. On this project's machines those
flushes were most of a run's wall time (about 28 ms a write, against 1.2 ms without).

So this process keeps one idle connection open to each such database it writes (no
checkpoint at every close) and sets `synchronous=NORMAL` on Dagster's connections. In WAL
mode that keeps the database consistent through any crash, and a committed event survives
the process being killed; only a power cut can lose the commits since the last
checkpoint (SQLite checkpoints every 1,000 pages of log, and when the process ends).
SQLite databases not in WAL mode (MLflow's tracking store) are left as they are.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

from sqlalchemy import event
from sqlalchemy.engine import Engine

KEPT_OPEN = 32
"""Databases held open at most (a run's events go to a file of its own); the least
recently written is closed first, so a long-lived process does not gather files."""

kept: OrderedDict[str, sqlite3.Connection] = OrderedDict()
kept_lock = threading.Lock()


def keep_open(path: str) -> None:
    """An idle connection to `path` for the life of the process (or until KEPT_OPEN
    others are newer)."""
    with kept_lock:
        if path in kept:
            kept.move_to_end(path)
            return
        connection = sqlite3.connect(path, check_same_thread=False)
        connection.execute("PRAGMA schema_version").fetchone()  # opens the file and its log
        kept[path] = connection
        while len(kept) > KEPT_OPEN:
            kept.popitem(last=False)[1].close()


def flush_at_checkpoints(dbapi_connection, _connection_record) -> None:
    """On a new connection to a SQLite file in WAL mode: `synchronous=NORMAL`, and the
    file kept open."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    (mode,) = dbapi_connection.execute("PRAGMA journal_mode").fetchone()
    if mode != "wal":
        return
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
    if path:  # not an in-memory database
        keep_open(path)


def install() -> None:
    """For every engine this process creates from now on (idempotent)."""
    if not event.contains(Engine, "connect", flush_at_checkpoints):
        event.listen(Engine, "connect", flush_at_checkpoints)
