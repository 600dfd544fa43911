"""One reading of E2I_DATABASE_URL: the PostgreSQL spellings people write are accepted,
anything else is one error naming the scheme, and the password is never echoed."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict

from e2i_synth.errors import E2IError
from e2i_synth.warehouse.postgres import PostgresWarehouse, describe, parse_database_url, scrub

MARKER = "Zq9marker7pw"
REST = f"loader:{MARKER}@db.example:6543/e2i"


@pytest.mark.parametrize(
    "scheme",
    ["postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2", "PostgreSQL+Psycopg"],
)
def test_postgresql_spellings_become_one_url_psycopg_reads(scheme):
    url = parse_database_url(f"{scheme}://{REST}")
    assert url == f"postgresql://{REST}"
    assert conninfo_to_dict(url) == {
        "user": "loader",
        "password": MARKER,
        "host": "db.example",
        "port": "6543",
        "dbname": "e2i",
    }
    assert PostgresWarehouse(f"{scheme}://{REST}").url == url


@pytest.mark.parametrize(
    ("url", "named"),
    [
        (f"mysql://{REST}", "'mysql'"),
        (f"postgresq://{REST}", "'postgresq' (did you mean postgresql://?)"),
        (f"postgresql+asyncpg://{REST}", "'postgresql+asyncpg'"),
        (f"http://{REST}", "'http'"),
        (REST, "neither a URL nor key=value"),
        (f"postgresql:{REST}", "neither a URL nor key=value"),
        (f"host=db.example password='{MARKER}", "neither a URL nor key=value"),
    ],
)
def test_other_schemes_are_one_error_without_the_password(url, named):
    with pytest.raises(E2IError) as caught:
        parse_database_url(url)
    message = str(caught.value)
    assert named in message and "\n" not in message
    assert "postgresql://user:password@host:5432/database" in message
    assert "postgres://, postgresql+psycopg://, postgresql+psycopg2://" in message
    assert MARKER not in message and MARKER not in describe(url)
    with pytest.raises(E2IError) as connecting:
        PostgresWarehouse(url).ping()
    assert MARKER not in str(connecting.value)


def test_libpq_key_value_settings_are_taken_as_they_are():
    settings = f"host=db.example port=6543 dbname=e2i user=loader password={MARKER}"
    assert parse_database_url(settings) == settings
    assert describe(settings) == "database 'e2i' at db.example:6543 as 'loader'"


def test_an_unparsable_postgresql_url_does_not_echo_it():
    url = f"postgresql://loader:{MARKER}@[db.example/e2i"
    with pytest.raises(E2IError, match="cannot be read") as caught:
        parse_database_url(url)
    assert MARKER not in str(caught.value) and MARKER not in describe(url)


@given(
    password=st.text(st.characters(codec="ascii", categories=["L", "N", "P", "S"])).map(
        lambda text: "Zq9" + text
    ),
    scheme=st.sampled_from(["mysql", "postgresq", "sqlite", "postgresql+asyncpg", "redis"]),
)
def test_no_password_in_any_refusal(password, scheme):
    url = f"{scheme}://loader:{quote(password, safe='')}@db.example:5432/e2i"
    with pytest.raises(E2IError) as caught:
        parse_database_url(url)
    assert password not in str(caught.value) and quote(password, safe="") not in str(caught.value)


def test_scrub_hides_the_password_as_written_and_as_decoded():
    url = "postgresql://loader:p%40ss%20Zq9@db.example/e2i"
    message = scrub("failed for p%40ss%20Zq9 (p@ss Zq9)", url)
    assert "Zq9" not in message and message.count("***") == 2
