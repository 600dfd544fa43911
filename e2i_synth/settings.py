"""One validated settings object, read from `E2I_*` environment variables or arguments."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from e2i_synth.catalog import BRANDS, DGPS, MIN_PATIENTS, SCALES
from e2i_synth.database_url import PostgresTarget, parse_database_url
from e2i_synth.errors import ConfigError
from e2i_synth.urls import DATABASE_URL_VARIABLE, encoded_url, split_url

DEFAULT_HOME = ".e2i"
DEFAULT_SCALE = "small"
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Scenario:
    """One (brand, dgp) slice of the warehouse; `knobs` (world.variants) make it a
    variant of the dgp, stored apart from the default scenarios (see `label`)."""

    brand: str
    dgp: str
    knobs: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """`brand|dgp`, or `brand|dgp~knob=value,...` for a variant."""
        knobs = ",".join(f"{k}={v}" for k, v in self.knobs)
        return f"{self.partition_key}~{knobs}" if knobs else self.partition_key

    @property
    def partition_key(self) -> str:
        """Dagster's multi-partition key: dimensions in alphabetical order (brand|dgp)."""
        return f"{self.brand}|{self.dgp}"

    @classmethod
    def from_partition_key(cls, key: str) -> Scenario:
        brand, sep, dgp = key.partition("|")
        if not sep:
            raise ConfigError(
                f"partition key {key!r} is not of the form 'brand|dgp', e.g. 'kisqali|confounded'"
            )
        return cls(parse_brand(brand), parse_dgp(dgp))


def parse_brand(value: str) -> str:
    if value not in BRANDS:
        raise ConfigError(f"unknown brand {value!r}; choose one of: {', '.join(BRANDS)}")
    return value


def parse_dgp(value: str) -> str:
    if value not in DGPS:
        raise ConfigError(f"unknown dgp {value!r}; choose one of: {', '.join(DGPS)}")
    return value


def parse_scale(value: str | int) -> int:
    """Patients per scenario from a preset name or an explicit positive count."""
    text = str(value).strip()
    if text in SCALES:
        return SCALES[text]
    try:
        count = int(text)
    except ValueError:
        raise ConfigError(
            f"unknown scale {text!r}; use {' or '.join(SCALES)} or a patient count "
            f">= {MIN_PATIENTS}"
        ) from None
    if count < MIN_PATIENTS:
        raise ConfigError(
            f"scale {count} is too small: give at least {MIN_PATIENTS} patients per scenario"
        )
    return count


MAX_SEED = 2**32 - 1
"""The largest root seed: numpy's SeedSequence takes any non-negative integer and the tables
store the seed as BIGINT, but the twins' and the benchmark's scikit-learn models take the
seed as their random_state, which must be below 2**32."""


def parse_seed(value: str | int) -> int:
    """A root seed in [0, MAX_SEED], refused before anything is drawn (a larger one drew the
    world, then failed storing it or training the twins)."""
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"seed {value!r} is not an integer; give e.g. --seed 42") from None
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError(
            f"seed {seed} is out of range; give an integer from 0 to {MAX_SEED} (2**32 - 1, "
            "the largest seed scikit-learn's models take), e.g. --seed 42"
        )
    return seed


def ensure_writable_home(home: Path) -> Path:
    """Create the home folder if needed and prove we can write into it."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"E2I_HOME {str(home)!r} is not writable ({exc.strerror or exc}); "
            "point E2I_HOME at a folder you can write to"
        ) from None
    return home


DEFAULT_REGENERATE_CRON = "0 2 * * *"


def regenerate_cron() -> str:
    """The nightly schedule's cron (`E2I_REGENERATE_CRON`, default 02:00 UTC)."""
    value = (os.environ.get("E2I_REGENERATE_CRON") or DEFAULT_REGENERATE_CRON).strip()
    if len(value.split()) != 5:
        raise ConfigError(
            f"E2I_REGENERATE_CRON {value!r} is not a cron expression of five fields "
            f"(minute hour day month weekday); e.g. {DEFAULT_REGENERATE_CRON!r} for 02:00 UTC"
        )
    return value


def database_from_env() -> PostgresTarget | None:
    """`E2I_DATABASE_URL` read once into its parts (the raw text goes no further); None
    selects DuckDB."""
    raw = (os.environ.get(DATABASE_URL_VARIABLE) or "").strip()
    if not raw:
        return None
    return parse_database_url(raw)


DEFAULT_CELERY_BROKER = "pyamqp://guest@127.0.0.1:5672//"


FAILOVER = re.compile(r";(?=[A-Za-z][A-Za-z0-9+.-]*://)")
"""Between the URLs of a broker list (`amqp://a//;amqp://b//`), as kombu splits them."""


def celery_broker_url() -> str:
    """`E2I_CELERY_BROKER` (RabbitMQ or Redis URL, may hold a password), else the local
    RabbitMQ; read by the run and by every worker, never stored in run config. Each URL's
    user and password run to its last @ (e2i_synth.urls) and are handed on percent-encoded:
    kombu would read a / in the password as the end of the host (and name the rest in
    its errors), while encoded it reads them as meant and masks the password."""
    raw = (os.environ.get("E2I_CELERY_BROKER") or "").strip() or DEFAULT_CELERY_BROKER
    return ";".join(encoded_url(url, "E2I_CELERY_BROKER") for url in FAILOVER.split(raw))


WAREHOUSE_FILE = "warehouse.duckdb"
"""The embedded warehouse inside E2I_HOME."""
MLFLOW_FILE = "mlflow.db"
"""The default MLflow tracking store and model registry inside E2I_HOME."""
SERVER_SCHEMES = ("http", "https")
"""Tracking URIs of an MLflow server, which takes its user and password apart."""


@dataclass(frozen=True)
class Tracking:
    """Where MLflow tracks and registers twin models. `uri` is what MLflow gets: a server's
    without user and password (MLflow quotes its URI in errors; they reach it through its
    own MLFLOW_TRACKING_USERNAME/PASSWORD, see twins.registry), a database's with them
    percent-encoded (SQLAlchemy needs them there and never shows them). str() is for
    people: the password as ***."""

    uri: str = field(repr=False)
    shown: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.shown


def tracking_from(uri: str) -> Tracking:
    """A tracking URI (MLFLOW_TRACKING_URI) split once: user and password run to its last @
    (e2i_synth.urls), so a / ? or # in the password cannot end up in the shown host."""
    parts = split_url(uri, "MLFLOW_TRACKING_URI")
    if parts is None or parts.user is None:
        return Tracking(uri, uri)
    secret = "" if parts.password is None else ":***"
    shown = f"{parts.scheme}://{quote(parts.user, safe='')}{secret}@{parts.location}{parts.tail}"
    if parts.scheme in SERVER_SCHEMES:
        return Tracking(parts.without_credentials(), shown, parts.user, parts.password)
    return Tracking(parts.encoded(), shown)


def tracking_from_env() -> Tracking | None:
    """`MLFLOW_TRACKING_URI` split into its parts; None selects the SQLite store in home."""
    raw = (os.environ.get("MLFLOW_TRACKING_URI") or "").strip()
    return tracking_from(raw) if raw else None


@dataclass(frozen=True)
class Settings:
    home: Path
    n_patients: int
    seed: int
    database: PostgresTarget | None = None  # PostgreSQL when set, else DuckDB in `home`
    mlflow_tracking: Tracking | None = None  # MLFLOW_TRACKING_URI, else SQLite in `home`

    @property
    def warehouse_path(self) -> Path:
        return self.home / WAREHOUSE_FILE

    @classmethod
    def from_env(
        cls,
        home: str | Path | None = None,
        scale: str | int | None = None,
        seed: str | int | None = None,
    ) -> Settings:
        """Arguments win over `E2I_HOME`, `E2I_SCALE`, `E2I_SEED`, which win over defaults;
        `E2I_DATABASE_URL` selects PostgreSQL, `MLFLOW_TRACKING_URI` an MLflow server."""
        home_path = Path(home or os.environ.get("E2I_HOME") or DEFAULT_HOME).absolute()
        return cls(
            home=home_path,
            n_patients=parse_scale(
                scale if scale is not None else os.environ.get("E2I_SCALE", DEFAULT_SCALE)
            ),
            seed=parse_seed(seed if seed is not None else os.environ.get("E2I_SEED", DEFAULT_SEED)),
            database=database_from_env(),
            mlflow_tracking=tracking_from_env(),
        )

    @property
    def tracking(self) -> Tracking:
        """Where twin models are tracked and registered: `MLFLOW_TRACKING_URI`, else
        sqlite:///<home>/mlflow.db (the registry needs a database-backed store)."""
        local = f"sqlite:///{self.home}/{MLFLOW_FILE}"
        return self.mlflow_tracking or Tracking(local, local)

    @property
    def target(self) -> str:
        """Where data goes, for people: the DuckDB path or PostgreSQL without password."""
        return f"PostgreSQL {self.database}" if self.database else str(self.warehouse_path)


def select_scenarios(brand: str | None = None, dgp: str | None = None) -> list[Scenario]:
    """All scenarios, or those matching the given brand and/or dgp."""
    brands = [parse_brand(brand)] if brand else list(BRANDS)
    dgps = [parse_dgp(dgp)] if dgp else list(DGPS)
    return [Scenario(b, d) for b in brands for d in dgps]
