"""Shared fixtures: worlds and frames are pure functions of (scenario, size, seed): cached,
within a memory bound (the suite's peak must stay under 2 GB)."""

from __future__ import annotations

import gc
import importlib
import os
import re
import sys
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from unittest import mock

import pandas as pd
import pytest
from click.testing import CliRunner

from e2i_synth.cli import main
from e2i_synth.memory import release_freed_memory
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.world import World, draw_world

SMALL = 3_000
ESTIMATION_UNITS = 10_000
CACHED_PATIENTS = 30_000
"""Frames are about 10 KB per patient (30 MB at 3,000, 290 MB at 30,000): the cache keeps
the most recently used scenarios up to this many patients in all (~300 MB), ten small
scenarios or a 10,000-unit one beside six; a small scenario evicted is rebuilt in about
0.2 s."""


@lru_cache(maxsize=32)
def world_of(brand: str, dgp: str, n: int = SMALL, seed: int = 7) -> World:
    return draw_world(Scenario(brand, dgp), n, seed)


_frames: OrderedDict[tuple[str, str, int, int], dict[str, pd.DataFrame]] = OrderedDict()


def frames_of(brand: str, dgp: str, n: int = SMALL, seed: int = 7) -> dict[str, pd.DataFrame]:
    key = (brand, dgp, n, seed)
    if key in _frames:
        _frames.move_to_end(key)
    else:
        _frames[key] = build_tables(world_of(brand, dgp, n, seed))
        while len(_frames) > 1 and sum(k[2] for k in _frames) > CACHED_PATIENTS:
            _frames.popitem(last=False)
    return _frames[key]


def history_of(brand: str, dgp: str, n: int = SMALL, seed: int = 7) -> pd.DataFrame:
    """The scenario's HCP intervention history: a downstream (twin-step) table, built from
    its hcp_profiles and world."""
    from e2i_synth.world.interventions import draw_interventions, history_table

    profiles = frames_of(brand, dgp, n, seed)["hcp_profiles"]
    return history_table(draw_interventions(world_of(brand, dgp, n, seed), profiles))


def clear_frames() -> None:
    """Drop every cached world and frame (for a package that holds large data of its own)."""
    _frames.clear()
    world_of.cache_clear()


LIBRARIES_IMPORTED_BY_TESTS = (
    "dowhy",
    "e2i_synth.defs.definitions",
    "matplotlib.pyplot",
    "mlflow",
    "psycopg",
    "scipy.stats",
    "sklearn.ensemble",
    "sqlalchemy.orm",
    "statsmodels.api",
)
"""Imported inside functions by the modules under test and by the tests themselves (not
when tests are collected), Dagster with the code location's definitions: a whole run
imports them anyway."""


TIERS = ("fast", "integration", "e2e")
"""fast: pure functions and small worlds, the loop after every change (`pytest -m fast`);
integration: Dagster runs (all of `defs/`), PostgreSQL, MLflow, whole commands, statistics
over many seeds; e2e: browser, several processes, signals, the wheel, README snippets,
containers and pods."""
INTEGRATION_PATHS = (
    "e2i_synth_tests/defs/",  # the Dagster layer: its tests run Dagster
    "e2i_synth_tests/test_cli.py",  # whole commands
    "e2i_synth_tests/test_readme.py",  # the commands of the README and the docs
    "e2i_synth_tests/twins/test_registry.py",  # MLflow stores
)
"""Modules whose every test is at least integration (an `e2e` mark still raises one)."""


def tier_of(item: pytest.Item) -> str:
    """A test's tier: its own mark, raised by what it needs (a browser is end-to-end; a
    PostgreSQL server or a module of INTEGRATION_PATHS at least integration)."""
    marks = {m.name for m in item.iter_markers()}
    if marks & {"e2e", "browser"}:
        return "e2e"
    if marks & {"integration", "postgres"} or item.nodeid.startswith(INTEGRATION_PATHS):
        return "integration"
    return "fast"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test its tier's mark before `-m` selects (so `-m fast` and `-m 'not e2e'`
    work), and record the tier (and whether it needs PostgreSQL or a browser) in the JUnit
    file, which CI reads for its counts."""
    for item in items:
        tier = tier_of(item)
        item.add_marker(tier)
        item.user_properties.append(("tier", tier))
        for needs in ("postgres", "browser"):
            if item.get_closest_marker(needs):
                item.user_properties.append(("needs", needs))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what lives as long as the run: the libraries (Dagster, MLflow, DoWhy, pandas:
    half a million objects), imported now, so that every later garbage collection, automatic
    or `return_freed_memory`'s, skips them; one took 0.3 to 0.6 s with them, 120 modules in
    all. Frozen is what exists before the first test (the libraries and the test modules'
    constants), none of the tests' data, so no garbage the tests make is kept alive. A run of
    a few tests, or one that only collects, skips this, not to import libraries it would not
    use."""
    if len(session.items) < 100 or session.config.option.collectonly:
        return
    for library in LIBRARIES_IMPORTED_BY_TESTS:
        importlib.import_module(library)
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="package", autouse=True)
def collect_every_generation() -> Iterator[None]:
    """After each package, a full collection: the reference cycles that lived long enough to
    reach the oldest generation go too (a full collection scans every object: some 0.3 s
    late in a run, so once per package rather than per module)."""
    yield
    release_freed_memory()


@pytest.fixture(scope="module", autouse=True)
def return_freed_memory() -> Iterator[None]:
    """After each module, hand its freed memory back: a module's large temporaries would
    else stay in the process's memory and the next module's would stack on top (the run's
    peak). Its young reference cycles are collected first."""
    yield
    release_freed_memory(generation=1)


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


def dagster_storage_hits(url: str, text: str) -> dict[str, int]:
    """Rows of Dagster's run, event and tag tables (in the database at `url`) holding `text`
    anywhere: a password forwarded to a run must be in none of them."""
    import psycopg

    with psycopg.connect(url) as con:
        return {
            table: con.execute(
                f"SELECT count(*) FROM {table} t WHERE t::text LIKE %s", [f"%{text}%"]
            ).fetchone()[0]
            for table in ("runs", "event_logs", "run_tags")
        }


SPECIAL_PASSWORDS = [
    "Xq7a/Wm3b",
    "Xq7a@Wm3b",
    "Xq7a:Wm3b",
    "Xq7a?Wm3b",
    "Xq7a#Wm3b",
    "Xq7a Wm3b",
    "Xq7aé€Wm3b",
    "Xq7a@Wm3b/Vk2c?Tj8d#Rp4e:Sn5f@",
    "Xq7a%Wm3b",  # % starts an escape: written %25 (a stray one is refused)
]
"""Passwords with each character URL parsers stumble on; each piece is a marker of its own."""


def fragments(password: str) -> list[str]:
    """The password and every piece of it between special characters."""
    return [password, *(p for p in re.split(r"[^A-Za-z0-9]+", password) if p)]


def written(password: str) -> str:
    """The password as a URL may hold it: as it is, but % as %25."""
    return password.replace("%", "%25")


def leaks(text: str | bytes, password: str) -> list[str]:
    """The pieces of the password (see `fragments`) found in the text."""
    found = text.decode(errors="replace") if isinstance(text, bytes) else text
    return [piece for piece in fragments(password) if piece in found]


@pytest.fixture
def second_postgres_database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def keep_capture_file_open() -> None:
    """Point absl's log handler (imported with the DP extra's MST) at the real stderr.

    Every Dagster run calls `logging.config.dictConfig`, which closes every handler in the
    process; absl's closes its stream unless it is the current `sys.stderr`. Its stream is
    pytest's capture file (the `sys.stderr` of its import), and inside click's runner
    `sys.stderr` is another object, so a run there would close pytest's capture file and
    end the whole session."""
    absl_logging = sys.modules.get("absl.logging")
    if absl_logging is not None:
        absl_logging.get_absl_handler().python_handler.setStream(sys.__stderr__)


def invoke_cli(*args: str, env: Mapping[str, str | None]) -> CliResult:
    """`e2i-synth ARGS` run in this process by click's runner: the command's own `main`, so
    its one-line errors and exit codes are the real ones, without an interpreter start and
    the imports per call. `env` sets (None: unsets) variables for the call only."""
    keep_capture_file_open()
    with (
        CliRunner().isolation(env=dict(env)) as (out, err, _),
        mock.patch.object(sys, "argv", ["e2i-synth", *args]),
    ):
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    return CliResult(code, out.getvalue().decode(), err.getvalue().decode())
