"""`e2i-synth db`: the PostgreSQL schema's migrations and roles."""

from __future__ import annotations

from collections.abc import Mapping

import click

from e2i_synth.cli.listed import TABLES
from e2i_synth.errors import E2IError
from e2i_synth.settings import Settings


@click.group()
def db() -> None:
    """Manage the PostgreSQL schema at $E2I_DATABASE_URL."""


def postgres_warehouse():
    settings = Settings.from_env()
    if not settings.database:
        raise E2IError(
            "db commands manage PostgreSQL: set E2I_DATABASE_URL, e.g. "
            "postgresql://user@host:5432/database"
        )
    from e2i_synth.warehouse.postgres import PostgresWarehouse  # once there is a URL

    return PostgresWarehouse(settings.database), settings


@db.command()
def migrate() -> None:
    """Apply pending migrations (all or nothing); safe to re-run."""
    store, settings = postgres_warehouse()
    applied = store.migrate()
    names = ", ".join(m.name for m in applied)
    click.echo(
        f"applied {names} to {settings.target}" if applied else f"{settings.target} is up to date"
    )


@db.command()
def init() -> None:
    """Migrate, then create or update the loader and read-only roles and their policies, and
    the columns' descriptions."""
    store, settings = postgres_warehouse()
    applied = store.migrate()
    store.grant_roles()
    click.echo(
        f"{settings.target}: {len(applied)} migration(s) applied; roles "
        "e2i_loader (write) and e2i_reader (read-only) granted, row-level security on"
    )


@db.command(help=f"Applied and pending migrations, and rows per table: {', '.join(TABLES)}.")
def status() -> None:
    """Applied and pending migrations, and rows per table."""
    store, settings = postgres_warehouse()
    done, waiting, counts = store.status()
    click.echo(f"{settings.target}")
    click.echo(f"applied: {', '.join(done) or 'none'}")
    click.echo(f"pending: {', '.join(waiting) or 'none'}")
    click.echo("\n".join(row_count_lines(counts)))


def row_count_lines(counts: Mapping[str, int]) -> list[str]:
    """One line per table, the counts in one column however long a table's name (a fixed
    width of 22 pushed the longer ones' counts out of line)."""
    width = max(map(len, counts), default=0)
    return [f"  {table:<{width}} {rows:>12,} rows" for table, rows in counts.items()]
