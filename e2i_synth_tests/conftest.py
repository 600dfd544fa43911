"""Shared fixtures: worlds and frames are pure functions of (scenario, size, seed): cached."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pandas as pd
import pytest

from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.world import World, draw_world

SMALL = 3_000
ESTIMATION_UNITS = 10_000


@cache
def world_of(brand: str, dgp: str, n: int = SMALL, seed: int = 7) -> World:
    return draw_world(Scenario(brand, dgp), n, seed)


@cache
def frames_of(brand: str, dgp: str, n: int = SMALL, seed: int = 7) -> dict[str, pd.DataFrame]:
    return build_tables(world_of(brand, dgp, n, seed))


def causal_scenario(dgp: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fresh copies of a kisqali scenario's journeys and truth at 10,000 units, where a 0.1
    shift in the effect is over five standard errors outside the recovery band."""
    frames = frames_of("kisqali", dgp, ESTIMATION_UNITS)
    return frames["patient_journeys"].copy(), frames["causal_ground_truth"].copy()


@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    """A fresh E2I_HOME and DAGSTER_HOME per test, so runs never see each other's rows."""
    home = tmp_path / "e2i"
    monkeypatch.setenv("E2I_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return home


ADMIN_URL = os.environ.get("E2I_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
"""A role that may create databases; each test gets its own database, dropped after."""


def _admin_connection():
    import psycopg

    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL not reachable at {ADMIN_URL}: {exc}"
        if os.environ.get("E2I_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)  # CI sets this: a skipped Postgres test is a failure there
        pytest.skip(message)


def database_url(name: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    return make_conninfo(**{**conninfo_to_dict(ADMIN_URL), "dbname": name})


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped on exit."""
    name = f"e2i_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url(name)
    finally:
        with _admin_connection() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture
def second_postgres_database() -> Iterator[str]:
    with fresh_database() as url:
        yield url
