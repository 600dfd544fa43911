"""URLs that may hold a password, split the way people write them.

Passwords often hold `/`, `@`, `?` or `#`. A standard URL parser ends the user part at the
first `/`, `?` or `#` (or the host at the next `@`), so `postgresql://loader:Pw/Secret9@db/e2i`
reads as host `loader`, port `Pw`, and any message naming "the host" prints half the
password. Here the user and password run to the LAST `@` (an `@` in a path or parameter
must be written %40), the password starts after the user's first `:`, and %XX escapes are
decoded. Refusals name the variable, the part and the fix, never any of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote_to_bytes

from e2i_synth.errors import ConfigError

DATABASE_URL_VARIABLE = "E2I_DATABASE_URL"
"""The environment variable that selects PostgreSQL (unset: the embedded DuckDB file)."""
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
ENCODING_FIX = (
    "percent-encode the user name and password (% as %25, / as %2F, @ as %40, ? as %3F, "
    "# as %23, : in the user name as %3A)"
)


@dataclass(frozen=True)
class SplitUrl:
    """`scheme://user:password@location/path?query`; the user and password decoded,
    `location` (hosts and ports) and `tail` (path and query) as written."""

    scheme: str
    user: str | None
    password: str | None = field(repr=False)
    location: str
    tail: str

    def encoded(self) -> str:
        """The URL with user and password percent-encoded, so any URL parser (kombu's,
        SQLAlchemy's) reads the parts as they were meant."""
        if self.user is None:
            return f"{self.scheme}://{self.location}{self.tail}"
        secret = "" if self.password is None else f":{quote(self.password, safe='')}"
        return f"{self.scheme}://{quote(self.user, safe='')}{secret}@{self.location}{self.tail}"

    def without_credentials(self) -> str:
        """The URL with neither user nor password."""
        return f"{self.scheme}://{self.location}{self.tail}"


def decoded(text: str, variable: str, part: str) -> str:
    """A percent-encoded part, decoded; a stray % or bytes that are not UTF-8 are one error
    naming the part and the fix, without the text."""
    if BAD_ESCAPE.search(text):
        raise ConfigError(
            f"{variable}: its {part} holds a % that starts no %XX escape; {ENCODING_FIX}"
        )
    try:
        return unquote_to_bytes(text).decode()
    except UnicodeDecodeError:
        raise ConfigError(
            f"{variable}: its {part} decodes to bytes that are not UTF-8; {ENCODING_FIX}"
        ) from None


def split_url(url: str, variable: str) -> SplitUrl | None:
    """`url` split at its LAST `@` before the hosts; None unless it is `scheme://...`.

    Text starting with `/` after `://` is a local path (sqlite:////tmp/x@y.db): no user."""
    match = SCHEME.match(url)
    if not match:
        return None
    rest = url[match.end() :]
    user = password = None
    if not rest.startswith("/"):
        userinfo, at, after = rest.rpartition("@")
        if at:
            rest = after
            name, colon, secret = userinfo.partition(":")
            user = decoded(name, variable, "user name")
            password = decoded(secret, variable, "password") if colon else None
    location = re.match(r"[^/?]*", rest).group()
    return SplitUrl(match.group(1).lower(), user, password, location, rest[len(location) :])


def encoded_url(url: str, variable: str) -> str:
    """`url` with its user and password percent-encoded (as it is if not scheme://...)."""
    parts = split_url(url, variable)
    return url if parts is None else parts.encoded()
