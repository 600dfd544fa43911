"""A password with any character (/ @ : ? # % spaces, unicode) in E2I_DATABASE_URL, as
people write it: the commands connect with it and name host, port, database and user; no
piece of it reaches their output, a Dagster run's storage (SQLite run and event databases),
its compute logs, or the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from e2i_synth_tests.conftest import (
    ADMIN_URL,
    SPECIAL_PASSWORDS,
    fresh_database,
    invoke_cli,
    leaks,
    written,
)

WORST = "Xq7a@Wm3b/Vk2c?Tj8d#Rp4e:Sn5f Ub6gé€%Yh1i@"
"""Every troublesome character at once."""
COMMANDS = [
    ("db", "status"),
    ("db", "migrate"),
    ("db", "init"),
    ("materialize", "--scale", "100", "--brand", "kisqali", "--dgp", "confounded"),
]
CORE_RUN = ["--brand", "kisqali", "--dgp", "confounded", "--scale", "100", "--no-twins"]


def url_of(password: str, user: str, location: str, database: str) -> str:
    return f"postgresql://{user}:{written(password)}@{location}/{database}"


def files_leaking(root: Path, password: str) -> list[str]:
    """Every file under `root` (SQLite databases, logs, reports) holding a piece of it."""
    return [str(p) for p in root.rglob("*") if p.is_file() and leaks(p.read_bytes(), password)]


@pytest.mark.parametrize("password", SPECIAL_PASSWORDS)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_refused_connection_names_the_target_and_no_piece_of_the_password(
    tmp_path, command, password
):
    url = url_of(password, "loader", "127.0.0.1:1", "warehouse")  # nothing listens on port 1
    result = invoke_cli(
        *command, env={"E2I_HOME": str(tmp_path), "DAGSTER_HOME": None, "E2I_DATABASE_URL": url}
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: cannot connect to PostgreSQL database 'warehouse' at 127.0.0.1:1 as 'loader'"
    )
    assert leaks(result.stdout + result.stderr, password) == []


@dataclass(frozen=True)
class OwnedDatabase:
    url: str  # as people write it, the password unencoded
    admin_url: str
    shown: str  # how messages name it


@contextmanager
def role_owning_a_database(password: str) -> Iterator[OwnedDatabase]:
    """A login role with this password (the server trusts 127.0.0.1, so the point is only
    what is shown and stored) owning a fresh database."""
    role = f"e2i_secret_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
    try:
        with fresh_database() as admin_url:
            info = conninfo_to_dict(admin_url)
            name, host, port = info["dbname"], info.get("host", "127.0.0.1"), info.get("port", 5432)
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(name), sql.Identifier(role)
                    )
                )
            yield OwnedDatabase(
                url_of(password, role, f"{host}:{port}", name),
                admin_url,
                f"PostgreSQL database '{name}' at {host}:{port} as '{role}'",
            )
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.mark.postgres
@pytest.mark.parametrize("password", [*SPECIAL_PASSWORDS, WORST])
def test_db_commands_connect_with_the_password_as_written_and_never_show_it(tmp_path, password):
    with role_owning_a_database(password) as database:
        env = {"E2I_HOME": str(tmp_path), "DAGSTER_HOME": None, "E2I_DATABASE_URL": database.url}
        outputs = ""
        for command in COMMANDS[:3]:
            result = invoke_cli(*command, env=env)
            assert result.returncode == 0, result.stderr
            outputs += result.stdout + result.stderr
    assert database.shown in outputs and "row-level security on" in outputs
    assert leaks(outputs, password) == []


def run_program(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def program_env(home: Path, url: str, **extra: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "E2I_DATABASE_URL")}
    return {**kept, "E2I_HOME": str(home), "E2I_DATABASE_URL": url, **extra}


def dagster_materialize(home: Path, url: str) -> subprocess.CompletedProcess:
    """`dagster asset materialize` of one table of one scenario: a run of its own, recorded
    in a SQLite instance under `home`, with compute logs."""
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    return run_program(
        str(Path(sys.executable).parent / "dagster"),
        *("asset", "materialize", "-m", "e2i_synth.defs.definitions"),
        *("--select", "hcp_profiles", "--partition", "kisqali|confounded"),
        env=program_env(home, url, DAGSTER_HOME=str(dagster_home), E2I_SCALE="100"),
    )


@pytest.mark.e2e
@pytest.mark.postgres
def test_dagster_runs_store_and_log_no_piece_of_the_password(tmp_path):
    with role_owning_a_database(WORST) as database:
        command = [sys.executable, "-m", "e2i_synth.cli", "materialize", *CORE_RUN]
        cli = run_program(*command, env=program_env(tmp_path / "command", database.url))
        assert cli.returncode == 0, cli.stderr
        assert f"-> {database.shown}" in cli.stdout
        dagster = dagster_materialize(tmp_path / "dagster-run", database.url)
        assert dagster.returncode == 0, dagster.stderr
        with psycopg.connect(database.admin_url) as con:
            stored = con.execute("SELECT string_agg(v::text, ' ') FROM validation_results v")
            stored = stored.fetchone()[0]
    assert "kisqali" in stored and leaks(stored, WORST) == []
    assert leaks(cli.stdout + cli.stderr + dagster.stdout + dagster.stderr, WORST) == []
    assert list((tmp_path / "dagster-run").rglob("compute_logs/*.err"))
    assert files_leaking(tmp_path, WORST) == []


@pytest.mark.e2e
def test_a_failed_dagster_run_stores_the_target_and_no_piece_of_the_password(tmp_path):
    result = dagster_materialize(tmp_path, url_of(WORST, "loader", "127.0.0.1:1", "warehouse"))
    assert result.returncode == 1
    named = "cannot connect to PostgreSQL database 'warehouse' at 127.0.0.1:1 as 'loader'"
    logs = b"".join(p.read_bytes() for p in tmp_path.rglob("compute_logs/*.err"))
    assert named.encode() in logs  # the failure was recorded, with the target
    assert leaks(result.stdout + result.stderr, WORST) == []
    assert files_leaking(tmp_path, WORST) == []
