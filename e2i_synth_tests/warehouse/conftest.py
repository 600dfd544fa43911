"""A login role with nothing granted, for the PostgreSQL permission tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from e2i_synth_tests.conftest import ADMIN_URL

MARKER = "Zq9marker7pw"


def with_user(url: str, user: str) -> str:
    return make_conninfo(**{**conninfo_to_dict(url), "user": user, "password": MARKER})


@pytest.fixture
def plain_role(postgres_database) -> Iterator[str]:
    """The URL (with a marker password) of a login role that owns nothing and may not
    create in schema public (PostgreSQL 15's default for everyone but the owner)."""
    name = f"e2i_test_plain_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{MARKER}'")
    yield with_user(postgres_database, name)
    with psycopg.connect(postgres_database, autocommit=True) as con:
        con.execute(f"DROP OWNED BY {name}")
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {name}")
