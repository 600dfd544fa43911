"""One reading of E2I_DATABASE_URL: the PostgreSQL spellings people write are accepted,
anything else is one error naming the scheme, and the password is never echoed; a
password holding / @ ? # : spaces or any other character is read as written."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict

from e2i_synth.database_url import PostgresTarget, parse_database_url, scrub
from e2i_synth.errors import E2IError
from e2i_synth.warehouse.postgres import PostgresWarehouse, database_error
from e2i_synth_tests.conftest import SPECIAL_PASSWORDS, leaks, written

MARKER = "Zq9marker7pw"
REST = f"loader:{MARKER}@db.example:6543/e2i"


@pytest.mark.parametrize(
    "scheme",
    ["postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2", "PostgreSQL+Psycopg"],
)
def test_postgresql_spellings_become_the_parts_psycopg_reads(scheme):
    target = parse_database_url(f"{scheme}://{REST}")
    assert target == PostgresTarget("db.example", "6543", "e2i", "loader", MARKER)
    assert conninfo_to_dict(target.conninfo()) == {
        "user": "loader",
        "password": MARKER,
        "host": "db.example",
        "port": "6543",
        "dbname": "e2i",
    }
    assert PostgresWarehouse(f"{scheme}://{REST}").target == target


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
    assert MARKER not in message
    with pytest.raises(E2IError) as connecting:
        PostgresWarehouse(url).ping()
    assert MARKER not in str(connecting.value)


def test_libpq_key_value_settings_are_taken_as_they_are():
    settings = f"host=db.example port=6543 dbname=e2i user=loader password={MARKER} sslmode=allow"
    target = parse_database_url(settings)
    assert conninfo_to_dict(target.conninfo()) == conninfo_to_dict(settings)
    assert str(target) == "database 'e2i' at db.example:6543 as 'loader'"
    assert MARKER not in repr(target) and "sslmode" not in repr(target)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://loader:{MARKER}@[db.example/e2i",
        f"postgresql://loader:{MARKER}/e2i",  # no @host: the password would be the port
        f"postgresql://loader:{MARKER}@db.example:5432/e2i?{MARKER}=1",
        f"postgresql://loader:{MARKER}@db.example:5432/e2i?{MARKER}",
        f"host=db.example dbname='postgresql://loader:{MARKER}@db.example/e2i'",
    ],
)
def test_an_unreadable_postgresql_url_does_not_echo_it(url):
    with pytest.raises(E2IError) as caught:
        parse_database_url(url)
    assert "E2I_DATABASE_URL" in str(caught.value) and MARKER not in str(caught.value)


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
    target = parse_database_url("postgresql://loader:p%40ss%20Zq9@db.example/e2i")
    message = scrub("failed for p%40ss%20Zq9 (p@ss Zq9)", target)
    assert "Zq9" not in message and message.count("***") == 2


@pytest.mark.parametrize("password", SPECIAL_PASSWORDS)
def test_a_password_with_special_characters_is_read_as_written_and_never_shown(password):
    url = "postgresql://loader:{}@db.example:6543/e2i?sslmode=prefer"
    target = parse_database_url(url.format(written(password)))
    assert target == PostgresTarget(
        "db.example", "6543", "e2i", "loader", password, (("sslmode", "prefer"),)
    )
    assert parse_database_url(url.format(quote(password, safe=""))) == target
    assert conninfo_to_dict(target.conninfo())["password"] == password
    assert str(target) == "database 'e2i' at db.example:6543 as 'loader'"
    assert leaks(f"{target} {target!r} {scrub(f'echoed {password}', target)}", password) == []


def test_a_stray_percent_is_one_error_with_the_fix_and_none_of_the_url():
    with pytest.raises(E2IError) as caught:
        parse_database_url("postgresql://loader:Xq7a%Wm3b@db.example/e2i")
    message = str(caught.value)
    assert "its password holds a % that starts no %XX escape" in message
    assert "% as %25" in message and "Xq7a" not in message and "Wm3b" not in message


def test_hosts_ipv6_sockets_and_parameters_are_read_as_libpq_reads_them():
    assert str(parse_database_url("postgres://u:p@[::1]:5433,db2/e2i")) == (
        "database 'e2i' at [::1]:5433,db2:5432 as 'u'"
    )
    socket = parse_database_url("postgresql://%2Fvar%2Frun%2Fpostgresql/e2i?application_name=a%40b")
    assert (socket.host, socket.user, dict(socket.options)) == (
        "/var/run/postgresql",
        None,
        {"application_name": "a@b"},
    )
    assert str(socket) == "database 'e2i' at /var/run/postgresql:5432 as the current user"
    with pytest.raises(E2IError, match="did you mean sslmode"):
        parse_database_url("postgresql://u:p@db/e2i?sslmod=require")


PRINTABLE = st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"])


@given(password=st.text(PRINTABLE, min_size=1))
def test_any_printable_password_round_trips_to_psycopg_and_into_no_message(password):
    password = "Zq9" + password
    url = "postgresql://loader:{}@db.example:6543/e2i"
    spellings = [quote(password, safe="")] + ([] if "%" in password else [password])
    for spelling in spellings:
        target = parse_database_url(url.format(spelling))
        assert conninfo_to_dict(target.conninfo())["password"] == password
        assert (target.host, target.port, target.database, target.user) == (
            "db.example",
            "6543",
            "e2i",
            "loader",
        )
        echoed = psycopg.errors.InsufficientPrivilege(f"no access for {password}")
        messages = f"{target} {target!r} {database_error(echoed, target, 'load')}"
        assert "Zq9" not in messages
        with pytest.raises(E2IError) as caught:
            parse_database_url(url.format(spelling).replace("postgresql", "postgresq", 1))
        assert "Zq9" not in str(caught.value)
