"""`e2i-synth chunked`: one scenario of any size, chunk by chunk in bounded memory."""

from __future__ import annotations

from pathlib import Path

import click

from e2i_synth.cli.options import scale_option, scenario_options, seed_option
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario, Settings, ensure_writable_home


@click.command()
@scale_option(help="Patients in the scenario: any size, e.g. 10000000.", required=True)
@scenario_options(dgp_required=True)
@seed_option()
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Patients per chunk: memory grows with this (about 0.5 GiB at 20,000), not with --scale.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the Parquet parts and their DuckDB views "
    "(default: $E2I_HOME/chunked/<brand>-<dgp>-<scale>).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Chunks written at once, each in its own process (memory: one chunk each).",
)
@click.option("--check/--no-check", default=True, help="Check keys, FKs, splits and truth.")
def chunked(
    scale: str,
    brand: str,
    dgp: str,
    seed: int | None,
    chunk_size: int,
    out: Path | None,
    workers: int,
    check: bool,
) -> None:
    """Generate one scenario of any size chunk by chunk in bounded memory, as Parquet parts
    per table and chunk with a DuckDB file of views over them; the same bytes as a
    one-piece draw. No Dagster run and no causal checks (they need the data in memory)."""
    from e2i_synth.memory import release_freed_memory
    from e2i_synth.settings import parse_brand, parse_dgp
    from e2i_synth.warehouse.chunked import check_chunked, chunked_folder, write_chunked

    settings = Settings.from_env(scale=scale, seed=seed)
    scenario = Scenario(parse_brand(brand), parse_dgp(dgp))
    n = settings.n_patients
    out = out or chunked_folder(settings.home, scenario, n)
    ensure_writable_home(out.parent)
    click.echo(f"{scenario.partition_key}: {n:,} patients in chunks of {chunk_size:,} -> {out}")

    def show(index: int, run) -> None:
        click.echo(
            f"chunk {index + 1} of {run.chunks} written: {run.total_rows:,} rows, "
            f"{run.total_rows / max(run.seconds, 1e-9):,.0f} rows/s"
        )

    run = write_chunked(scenario, n, settings.seed, chunk_size, out, show, workers)
    click.echo(
        f"{run.total_rows:,} rows in {run.seconds:.1f} s "
        f"({run.total_rows / max(run.seconds, 1e-9):,.0f} rows/s); views in "
        f"{out / 'warehouse.duckdb'}"
    )
    if not check:
        return
    release_freed_memory()  # the checks' DuckDB then starts from the interpreter, not the draw
    results = check_chunked(out, n)
    failed = [r for r in results if not r.passed]
    click.echo(f"checks {len(results) - len(failed)}/{len(results)} passed")
    if failed:
        raise E2IError("; ".join(f"{r.name}: {r.message}" for r in failed))
