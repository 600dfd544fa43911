"""The PostgreSQL warehouse's address, read once from E2I_DATABASE_URL into its parts.

It stands on the ground floor beside the settings that read it; psycopg (a tenth of a
second to import) loads only when a URL is parsed or a connection string made, so the
settings and the command line's help do not pay for it.

Messages name the host, port, database and user (`str(target)`); only `conninfo()`, handed
to psycopg, holds the password. Nothing shown or stored is derived from the raw string, so
a part misread by some parser can never carry a piece of the password into a message.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote

from e2i_synth.errors import ConfigError
from e2i_synth.urls import DATABASE_URL_VARIABLE as VARIABLE
from e2i_synth.urls import SCHEME, decoded, split_url

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")
"""URL schemes taken as PostgreSQL (libpq's two and SQLAlchemy's)."""
EXAMPLE_URL = "postgresql://user:password@host:5432/database"
HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[^\[\]:\s]*))(?::(?P<port>\d*))?")


@dataclass(frozen=True)
class PostgresTarget:
    """Host, port, database and user (what messages show), and the password and any other
    libpq settings (`options`: sslmode, sslpassword, ...), which are never shown."""

    host: str | None = None
    port: str | None = None
    database: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    options: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        hosts = (self.host or "localhost").split(",")
        ports = (self.port or "").split(",")
        ports = ports * len(hosts) if len(ports) == 1 else ports
        where = ",".join(
            f"{f'[{h}]' if ':' in h else h or 'localhost'}:{p or 5432}"
            for h, p in zip(hosts, ports, strict=False)
        )
        user = repr(self.user) if self.user else "the current user"
        return f"database {self.database or '?'!r} at {where} as {user}"

    def conninfo(self) -> str:
        """The libpq connection string, password included: for psycopg, never for people."""
        named = {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.user,
            "password": self.password,
        }
        from psycopg.conninfo import make_conninfo

        given = {k: v for k, v in named.items() if v is not None}
        return make_conninfo(**given, **dict(self.options))


@cache
def libpq_keywords() -> frozenset[str]:
    """The connection settings libpq knows, the only ones a URL's ?parameters may set."""
    import psycopg

    return frozenset(o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults())


def accepted() -> str:
    others = ", ".join(f"{name}://" for name in SCHEMES if name != "postgresql")
    return f"write {EXAMPLE_URL} ({others} work too)"


def target_from(settings: dict[str, str | None]) -> PostgresTarget:
    """The parts, checked by psycopg (whose own errors quote the string: never shown)."""
    import psycopg

    rest = {k: v for k, v in settings.items() if v}
    target = PostgresTarget(
        host=rest.pop("host", None),
        port=rest.pop("port", None),
        database=rest.pop("dbname", None),
        user=rest.pop("user", None),
        password=rest.pop("password", None),
        options=tuple(sorted(rest.items())),
    )
    try:
        target.conninfo()
    except psycopg.ProgrammingError:
        raise ConfigError(
            f"{VARIABLE} holds settings PostgreSQL cannot read: {accepted()}"
        ) from None
    return target


def key_value_settings(text: str) -> PostgresTarget:
    """libpq's `host=db dbname=e2i user=loader` form, read by libpq itself."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        settings = conninfo_to_dict(text)
    except psycopg.ProgrammingError:
        raise ConfigError(
            f"{VARIABLE} is neither a URL nor key=value connection settings: {accepted()}"
        ) from None
    if "=" in (settings.get("dbname") or "") or SCHEME.match(settings.get("dbname") or ""):
        raise ConfigError(
            f"{VARIABLE} has connection settings inside its dbname (libpq would read them "
            "as settings of their own): write them as the variable's own settings or URL"
        )
    return target_from(settings)


def hosts_and_ports(location: str) -> tuple[str | None, str | None]:
    """`host:port,host:port` (brackets around IPv6) as libpq's comma lists."""
    hosts, ports = [], []
    for item in location.split(","):
        match = HOST.fullmatch(item)
        if not match:
            raise ConfigError(
                f"{VARIABLE}: what follows its last @ is not host:port (a numeric port, "
                f"[ipv6]:port, several joined by commas): {accepted()}"
            )
        hosts.append(match["ip6"] or decoded(match["name"], VARIABLE, "host"))
        ports.append(match["port"] or "")
    return ",".join(hosts) or None, ",".join(ports) if any(ports) else None


def query_settings(query: str) -> dict[str, str]:
    """`?sslmode=require&application_name=x`: libpq keywords only (JDBC's ssl=true too)."""
    keywords = libpq_keywords()
    settings = {}
    for pair in filter(None, query.split("&")):
        key, equals, value = pair.partition("=")
        key = decoded(key, VARIABLE, "parameter name")
        if not equals or key not in keywords | {"ssl"}:
            guess = difflib.get_close_matches(key, keywords, n=1)
            hint = f"did you mean {guess[0]}? " if guess else ""
            raise ConfigError(
                f"{VARIABLE} has a parameter that is not a PostgreSQL connection setting "
                f"({hint}write ?sslmode=require&...; an @ in a parameter as %40)"
            )
        value = decoded(value, VARIABLE, f"{key} parameter")
        if key == "ssl":
            key, value = "sslmode", "require" if value == "true" else value
        settings[key] = value
    return settings


def parse_database_url(url: str) -> PostgresTarget:
    """E2I_DATABASE_URL as its parts. The user and password run to the last @ (see
    e2i_synth.urls), so a password may hold / @ ? # : and spaces as they are; % must be %25.
    Any other database, a typo or an unreadable part is one error naming the problem and
    the fix, never any text of the URL."""
    text = url.strip()
    match = SCHEME.match(text)
    if not match:
        if "=" in text:
            return key_value_settings(text)
        raise ConfigError(
            f"{VARIABLE} is neither a URL nor key=value connection settings: {accepted()}"
        )
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        guess = difflib.get_close_matches(scheme, SCHEMES, n=1)
        hint = f" (did you mean {guess[0]}://?)" if guess else ""
        raise ConfigError(
            f"{VARIABLE} has scheme {scheme!r}{hint}, but the warehouse is PostgreSQL "
            f"or, without the variable, DuckDB: {accepted()}"
        )
    parts = split_url(text, VARIABLE)
    host, port = hosts_and_ports(parts.location)
    path, _, query = parts.tail.partition("?")
    return target_from(
        {
            "host": host,
            "port": port,
            "dbname": decoded(path.removeprefix("/"), VARIABLE, "database name"),
            "user": parts.user,
            "password": parts.password,
            **query_settings(query),
        }
    )


def as_target(database: PostgresTarget | str) -> PostgresTarget:
    """A target as it is; a URL or key=value settings parsed (once, here)."""
    return database if isinstance(database, PostgresTarget) else parse_database_url(database)


def scrub(message: str, target: PostgresTarget) -> str:
    """The message with the password replaced by ***, as it is, percent-encoded and with
    its whitespace collapsed as one-line messages collapse it: for a server or driver
    message that might ever echo it."""
    if not target.password:
        return message
    password = target.password
    written = {password, quote(password, safe=""), " ".join(password.split())} - {""}
    for form in sorted(written, key=len, reverse=True):
        message = message.replace(form, "***")
    return message
