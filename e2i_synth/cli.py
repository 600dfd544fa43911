"""The `e2i-synth` command: a thin shell over the Dagster runner and the core."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from e2i_synth.errors import E2IError, Stopped
from e2i_synth.settings import Scenario, Settings, ensure_writable_home, select_scenarios
from e2i_synth.tables import TABLE_NAMES

if TYPE_CHECKING:
    from e2i_synth.warehouse.target import PostgresTarget


@click.group()
def cli() -> None:
    """Synthetic pharma-commercial warehouse with known causal truth."""


def brand_option(command):
    return click.option("--brand", default=None, help="Only this brand (default: all three).")(
        command
    )


def dgp_option(command):
    return click.option(
        "--dgp", default=None, help="Only this data-generating process (default: all five)."
    )(command)


def progress_line(total: int):
    """One line per finished scenario. Its rows are the warehouse tables' (the figure the
    summary adds up), with the twin tables' rows beside them."""

    def show(i: int, run) -> None:
        status = "ok" if run.success else "FAILED"
        core = sum(n for table, n in run.rows.items() if table in TABLE_NAMES)
        twins = sum(run.rows.values()) - core
        rows = f"{core:>9,} rows  " if run.rows else ""
        rows += f"+ {twins:,} twin rows  " if twins else ""
        truth = f"true ATE {run.true_ate:.4f}  " if run.rows else ""
        click.echo(
            f"[{i + 1:>2}/{total}] {run.scenario.partition_key:<30} {rows}{truth}"
            f"checks {run.checks_passed}/{run.checks_passed + run.checks_failed} {status}"
            f"  {run.seconds:5.2f} s"
        )

    return show


def report_and_verdict(settings: Settings, runs: Sequence, stem: str) -> None:
    """Write the HTML report of these runs; fail with every failure named if any."""
    from e2i_synth.validation.report import write_report
    from e2i_synth.warehouse import open_warehouse

    store = open_warehouse(settings.home, settings.database)
    results = store.read_results([r.run_id for r in runs])
    if len(results):
        path = write_report(results, settings.home / "reports", stem)
        click.echo(f"validation report: {path}")
    failures = [f for run in runs for f in run.failures]
    if failures:
        raise E2IError(
            f"{len(failures)} failure(s) in {sum(not r.success for r in runs)} of {len(runs)} "
            "scenario(s):\n  " + "\n  ".join(failures)
        )


def report_stem(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}"


@cli.command()
@click.option("--scale", default=None, help="small (default), full, or patients per scenario.")
@brand_option
@dgp_option
@click.option("--seed", default=None, help="Root seed (default 42); same seed, same bytes.")
@click.option(
    "--dry-run", is_flag=True, help="Generate and run every check in memory; write nothing."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Scenarios run at once (default: the CPU count, fewer if memory is short).",
)
@click.option(
    "--knob",
    "knobs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Make a variant of --dgp (repeatable), e.g. --knob overlap=0.1 --knob nonlinear=true; "
    "stored in its own DuckDB file under $E2I_HOME/variants/.",
)
@click.option(
    "--twins/--no-twins",
    default=True,
    help="Train, simulate and score each scenario's digital twins too (default); --no-twins "
    "builds and checks the warehouse tables only (and empties the scenario's twin tables, "
    "built from the draw it replaces).",
)
def materialize(
    scale: str | None,
    brand: str | None,
    dgp: str | None,
    seed: str | None,
    dry_run: bool,
    workers: int | None,
    knobs: tuple[str, ...],
    twins: bool,
) -> None:
    """Generate and check scenarios through Dagster into the warehouse (DuckDB in
    $E2I_HOME, or PostgreSQL at $E2I_DATABASE_URL)."""
    from e2i_synth.defs.runner import run_scenarios
    from e2i_synth.twins.pipeline import supports_scale, training_rows_at
    from e2i_synth.twins.training import MIN_TRAINING_ROWS
    from e2i_synth.warehouse import open_warehouse

    settings = Settings.from_env(scale=scale, seed=seed)
    scenarios = select_scenarios(brand, dgp)
    if knobs:
        materialize_variants(settings, scenarios, dgp, knobs, dry_run)
        return
    refuse_scale_beyond_memory(settings.n_patients)
    workers = worker_count(workers, settings.n_patients)
    if dry_run:
        check_in_memory(settings, scenarios)
        return
    ensure_writable_home(settings.home)
    open_warehouse(settings.home, settings.database).ping()
    click.echo(
        f"materializing {len(scenarios)} scenario(s), {settings.n_patients} patients each, "
        f"seed {settings.seed}, {workers} at a time -> {settings.target}"
    )
    if twins and not supports_scale(settings.n_patients):
        click.echo(
            f"digital twins skipped: {settings.n_patients} patients per scenario give "
            f"{training_rows_at(settings.n_patients):,} HCP-quarters to train on, under the "
            f"{MIN_TRAINING_ROWS:,} the twin generator needs (use --scale small or larger)"
        )
    runs = run_scenarios(
        settings,
        scenarios,
        generate=True,
        on_done=progress_line(len(scenarios)),
        workers=workers,
        twins=twins,
    )
    loaded = [r for r in runs if r.rows]
    if loaded:
        summary = pd.DataFrame(
            [
                {
                    "scenario": r.scenario.partition_key,
                    **{t: r.rows.get(t, 0) for t in TABLE_NAMES},
                    "true_ate": round(r.true_ate, 4),
                }
                for r in loaded
            ]
        ).set_index("scenario")
        click.echo("\n" + summary.to_string())
        click.echo(
            f"\n{int(summary[list(TABLE_NAMES)].sum().sum()):,} rows in {len(loaded)} "
            f"scenario(s); {sum(r.seconds for r in runs):.1f} s in Dagster runs"
        )
    report_and_verdict(settings, runs, report_stem("materialize"))


def materialize_variants(
    settings: Settings, scenarios: list[Scenario], dgp: str | None, knobs, dry_run: bool
) -> None:
    """--knob: each brand's variant of the one --dgp, checked and stored apart."""
    from e2i_synth.benchmark.store import materialize_variant
    from e2i_synth.world.variants import parse_knobs

    if not dgp:
        raise E2IError("--knob makes a variant of one DGP: give --dgp too, e.g. --dgp confounded")
    parsed = parse_knobs(knobs)
    refuse_scale_beyond_memory(settings.n_patients)
    if not dry_run:
        ensure_writable_home(settings.home)
    for scenario in (Scenario(s.brand, s.dgp, parsed) for s in scenarios):
        stored = materialize_variant(
            scenario, settings.n_patients, settings.seed, settings.home, write=not dry_run
        )
        click.echo(
            f"{scenario.label}: {sum(stored.rows.values()):,} rows, true ATE "
            f"{stored.true_ate:.4f} "
            + ("checked; nothing written" if dry_run else f"-> {stored.home}")
        )


@cli.command()
@click.option("--scale", required=True, help="Patients in the scenario: any size, e.g. 10000000.")
@click.option("--brand", required=True, help="The scenario's brand.")
@click.option("--dgp", required=True, help="The scenario's data-generating process.")
@click.option("--seed", default=None, help="Root seed (default 42); same seed, same bytes.")
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
    seed: str | None,
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


def refuse_scale_beyond_memory(n_patients: int) -> None:
    """Stop before drawing a world that cannot fit, saying the estimate and what fits."""
    from e2i_synth.memory import available_bytes, largest_scale, peak_bytes

    need, have = peak_bytes(n_patients), available_bytes()
    if need > have:
        raise E2IError(
            f"scale {n_patients:,} needs about {need / 2**30:.1f} GiB at its peak, and this "
            f"machine has {have / 2**30:.1f} GiB available; the largest scale that fits is "
            f"about {largest_scale(have):,} patients per scenario (`e2i-synth chunked` writes "
            "one scenario of any size in bounded memory)"
        )


def worker_count(requested: int | None, n_patients: int) -> int:
    """The CPU count by default, never more workers than memory holds at once."""
    from e2i_synth.memory import available_bytes, peak_bytes

    fits = max(1, available_bytes() // peak_bytes(n_patients))
    return max(1, min(requested or os.cpu_count() or 1, fits))


def check_in_memory(settings: Settings, scenarios: list[Scenario]) -> None:
    """--dry-run: every check on freshly generated frames; no warehouse, run or report."""
    from e2i_synth.tables import build_tables
    from e2i_synth.validation.suite import run_checks
    from e2i_synth.warehouse import open_warehouse
    from e2i_synth.world import draw_world

    if settings.database:
        open_warehouse(settings.home, settings.database).ping()
    click.echo(
        f"dry run: {len(scenarios)} scenario(s), {settings.n_patients} patients each, seed "
        f"{settings.seed}; would write to {settings.target}"
    )
    failures = []
    for i, scenario in enumerate(scenarios):
        frames = build_tables(draw_world(scenario, settings.n_patients, settings.seed))
        results = run_checks(frames)
        failed = [r for r in results if not r.passed]
        failures += [f"{scenario.partition_key}: {r.name} failed: {r.message}" for r in failed]
        click.echo(
            f"[{i + 1:>2}/{len(scenarios)}] {scenario.partition_key:<30} "
            f"{sum(len(f) for f in frames.values()):>9,} rows  checks "
            f"{len(results) - len(failed)}/{len(results)} {'ok' if not failed else 'FAILED'}"
        )
    if failures:
        raise E2IError(f"{len(failures)} failure(s):\n  " + "\n  ".join(failures))
    click.echo("dry run passed; nothing was written")


def stored_scenarios(
    settings: Settings, brand: str | None, dgp: str | None
) -> tuple[list[Scenario], list[Scenario]]:
    """The stored scenarios among those asked for, and those asked for by name that are
    missing (without flags nothing is asked for by name: every stored scenario is checked)."""
    from e2i_synth.warehouse import open_warehouse

    store = open_warehouse(settings.home, settings.database)
    if "causal_ground_truth" not in store.tables():
        raise E2IError(
            f"no scenarios stored in {settings.target}; run `e2i-synth materialize` first"
        )
    truth = store.read("causal_ground_truth")
    present = set(zip(truth["brand"], truth["dgp_type"], strict=True))
    wanted = select_scenarios(brand, dgp)
    stored = [s for s in wanted if (s.brand, s.dgp) in present]
    missing = [s for s in wanted if (s.brand, s.dgp) not in present] if brand or dgp else []
    if not stored:
        raise E2IError(
            f"not in the warehouse: {', '.join(s.partition_key for s in missing)}; materialize "
            "them first (e2i-synth materialize --brand ... --dgp ...)"
        )
    return stored, missing


@cli.command()
@brand_option
@dgp_option
def validate(brand: str | None, dgp: str | None) -> None:
    """Re-run every check on the stored scenarios (all of them by default), without
    regenerating them."""
    from e2i_synth.defs.runner import run_scenarios

    settings = Settings.from_env()
    scenarios, missing = stored_scenarios(settings, brand, dgp)
    click.echo(
        f"validating {len(scenarios)} stored scenario(s) in {settings.target}: "
        + ", ".join(s.partition_key for s in scenarios)
    )
    runs = run_scenarios(settings, scenarios, generate=False, on_done=progress_line(len(scenarios)))
    report_and_verdict(settings, runs, report_stem("validate"))
    if missing:
        raise E2IError(
            f"not in the warehouse: {', '.join(s.partition_key for s in missing)}; materialize "
            "them first (e2i-synth materialize --brand ... --dgp ...)"
        )


@cli.group()
def db() -> None:
    """Manage the PostgreSQL schema at $E2I_DATABASE_URL."""


def postgres_warehouse():
    from e2i_synth.warehouse.postgres import PostgresWarehouse

    settings = Settings.from_env()
    if not settings.database:
        raise E2IError(
            "db commands manage PostgreSQL: set E2I_DATABASE_URL, e.g. "
            "postgresql://user@host:5432/database"
        )
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
    """Migrate, then create or update the loader and read-only roles and their policies."""
    store, settings = postgres_warehouse()
    applied = store.migrate()
    store.grant_roles()
    click.echo(
        f"{settings.target}: {len(applied)} migration(s) applied; roles "
        "e2i_loader (write) and e2i_reader (read-only) granted, row-level security on"
    )


@db.command()
def status() -> None:
    """Applied and pending migrations, and rows per table."""
    store, settings = postgres_warehouse()
    done, waiting, counts = store.status()
    click.echo(f"{settings.target}")
    click.echo(f"applied: {', '.join(done) or 'none'}")
    click.echo(f"pending: {', '.join(waiting) or 'none'}")
    for table, rows in counts.items():
        click.echo(f"  {table:<22} {rows:>12,} rows")


@cli.group()
def story() -> None:
    """Demo stories: golden questions whose answers are checked on the data built for them."""


def story_file_argument(command):
    return click.argument("file", type=click.Path(dir_okay=False, path_type=Path))(command)


def build_checked_story(file: Path, postgres: bool):
    """Build a story file, echoing each attempt; one error naming every failure."""
    from e2i_synth.stories import build_story, load_story
    from e2i_synth.stories.summary import attempt_lines, plan_lines

    engines = {}
    if postgres:
        from e2i_synth.stories.postgres import postgres_engine

        database = Settings.from_env().database
        if not database:
            raise E2IError("--postgres runs the golden queries on E2I_DATABASE_URL: set it")
        engines["postgres"] = postgres_engine(database)
    build = build_story(
        load_story(file), engines, on_attempt=lambda a: click.echo("\n".join(attempt_lines(a)))
    )
    click.echo("\n".join(plan_lines(build)))
    build.verdict()
    return build


postgres_option = click.option(
    "--postgres", is_flag=True, help="Also run the golden queries on E2I_DATABASE_URL."
)


@story.command("validate")
@story_file_argument
def story_validate(file: Path) -> None:
    """Check a story file and analyse its queries; no data is generated."""
    from e2i_synth.stories import load_story
    from e2i_synth.stories.build import analyze_story
    from e2i_synth.stories.summary import analysis_lines

    parsed = load_story(file)
    click.echo("\n".join(analysis_lines(parsed, analyze_story(parsed))))
    click.echo(f"{file.name}: valid, {len(parsed.queries)} golden queries")


@story.command("build")
@story_file_argument
@postgres_option
def story_build(file: Path, postgres: bool) -> None:
    """Build the story's dataset and check every golden query on it (DuckDB in memory)."""
    build = build_checked_story(file, postgres)
    click.echo(f"{file.name}: all {len(build.story.queries)} golden queries pass")


@story.command("export")
@story_file_argument
@postgres_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the files (default: $E2I_HOME/story_exports/<story file name>).",
)
def story_export(file: Path, postgres: bool, out: Path | None) -> None:
    """Build and check the story, then write Parquet, CSV and BigQuery schemas per table."""
    from e2i_synth.stories import EXPORTS_FOLDER
    from e2i_synth.stories.export import export_frames

    build = build_checked_story(file, postgres)
    folder = out or Settings.from_env().home / EXPORTS_FOLDER / file.stem
    written = export_frames(build.presented, folder)
    for t in written:
        click.echo(
            f"  {t.table:<22} {t.rows:>9,} rows  {t.parquet.name}, {t.csv.name}, {t.schema.name}"
        )
    click.echo(f"{len(written)} tables exported to {folder}, read back against their schemas")


# --- twins: digital twins scored against the world's truth -------------------------------


def twin_scenario_options(command):
    for option in reversed(
        [
            click.option("--brand", required=True, help="Brand of the scenario."),
            click.option(
                "--dgp", default="confounded", show_default=True, help="DGP of the scenario."
            ),
            click.option("--scale", default=None, help="small (default), full, or patients."),
            click.option("--seed", default=None, help="Root seed (default 42)."),
        ]
    ):
        command = option(command)
    return command


def twin_filter_option(command):
    return click.option(
        "--filter",
        "filters",
        multiple=True,
        help="key=value: specialty, tier, region (repeat or comma-separate values), "
        "min_decile; e.g. --filter specialty=oncology --filter tier=1,2",
    )(command)


def parse_twin_filters(filters: Sequence[str]) -> dict[str, list[str] | str]:
    parsed: dict[str, list[str] | str] = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise E2IError(f"--filter {item!r} is not key=value, e.g. --filter tier=1,2")
        key = key.strip()
        if key == "min_decile":
            parsed[key] = value.strip()
        else:
            parsed[key] = [*parsed.get(key, []), *value.split(",")]
    return parsed


def twin_context(brand: str, dgp: str, scale: str | None, seed: str | None):
    from e2i_synth.settings import parse_brand, parse_dgp

    settings = Settings.from_env(scale=scale, seed=seed)
    ensure_writable_home(settings.home)
    scenario = Scenario(parse_brand(brand), parse_dgp(dgp))
    return settings, scenario, settings.tracking


@cli.group()
def twins() -> None:
    """Digital twins: train (MLflow), generate, simulate beside the truth, fidelity."""


@twins.command("train")
@twin_scenario_options
def twins_train(brand: str, dgp: str, scale: str | None, seed: str | None) -> None:
    """Train the scenario's HCP twin model on its history; log and register it in MLflow."""
    from e2i_synth.twins.workflows import train_and_register

    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    generator, registered = train_and_register(
        scenario, settings.n_patients, settings.seed, tracking
    )
    t, m = generator.training, generator.training.metrics
    click.echo(
        f"{scenario.partition_key}: {t.model_type} on {t.training_rows:,} rows "
        f"({t.training_entities:,} HCPs); CV R² {m['cv_r2_mean']:.3f}, MAE {m['cv_mae']:.4f}, "
        f"RMSE {m['cv_rmse']:.4f}"
    )
    click.echo(f"registered {registered.uri} (run {registered.run_id}) at {settings.tracking}")


@twins.command("generate")
@twin_scenario_options
@twin_filter_option
@click.option("-n", "n_twins", default=1_000, show_default=True, help="Twins to generate.")
@click.option("--version", default=None, help="Registered model version (default: latest).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write a Parquet.")
def twins_generate(brand, dgp, scale, seed, filters, n_twins, version, out) -> None:
    """Sample new twins (not copies) from the registered model's training population."""
    from e2i_synth.twins.workflows import load_registered

    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    generator = load_registered(scenario, tracking, version)
    population = generator.generate(n_twins, parse_twin_filters(filters), settings.seed)
    click.echo(
        f"{len(population.twins):,} twins from {population.reference_count:,} training HCPs "
        f"matching {population.filters or 'no filters'} (model {generator.registered_name} "
        f"v{generator.model_version}); exact copies {population.exact_copy_rate:.2%}; mean "
        f"baseline_behavior {population.twins['baseline_behavior'].mean():.4f}"
    )
    if out is not None:
        population.twins.to_parquet(out, index=False)
        click.echo(f"written to {out}")


@twins.command("simulate")
@twin_scenario_options
@twin_filter_option
@click.option("--intervention", required=True, help="One of the five intervention types.")
@click.option("--intensity", default=1.0, show_default=True, type=float)
@click.option("--duration-weeks", default=12, show_default=True, type=int)
@click.option("--channel", default="email", show_default=True)
@click.option("--frequency", default="monthly", show_default=True)
@click.option("-n", "n_twins", default=10_000, show_default=True, help="Twins to simulate on.")
@click.option("--version", default=None, help="Registered model version (default: latest).")
def twins_simulate(
    brand,
    dgp,
    scale,
    seed,
    filters,
    intervention,
    intensity,
    duration_weeks,
    channel,
    frequency,
    n_twins,
    version,
) -> None:
    """Simulate an intervention on new twins; print the result and the truth beside it."""
    from e2i_synth.twins.simulation import InterventionConfig
    from e2i_synth.twins.workflows import (
        intervention_layer,
        registered_for,
        simulate_against_truth,
    )

    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    config = InterventionConfig.parse(
        {
            "intervention_type": intervention,
            "intensity": intensity,
            "duration_weeks": duration_weeks,
            "channel": channel,
            "frequency": frequency,
        }
    )
    iw = intervention_layer(scenario, settings.n_patients, settings.seed)
    generator = registered_for(iw, tracking, version)
    run = simulate_against_truth(generator, iw, config, parse_twin_filters(filters), n_twins)
    r, s = run.result, run.score
    click.echo(
        f"{intervention} on {r.n_twins:,} twins {r.filters or '(all HCPs)'}: simulated ATE "
        f"{r.ate:.4f} [95% CI {r.ci_lower:.4f}, {r.ci_upper:.4f}]"
    )
    click.echo(
        f"truth on the {s.n_real_hcps:,} matching real HCPs: {s.true_ate:.4f}; |error| "
        f"{s.abs_error:.4f}; CI covers truth: {'yes' if s.ci_covers_truth else 'NO'}"
    )
    click.echo(f"recommendation: {r.recommendation} ({r.reason})")
    table = s.subgroups[["column", "value", "n_twins", "simulated", "true", "covered"]]
    click.echo(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


@twins.command("fidelity")
@twin_scenario_options
@twin_filter_option
@click.option(
    "--intervention",
    default="peer_to_peer_referral",
    show_default=True,
    help="Intervention of the world's randomized experiment.",
)
@click.option("--version", default=None, help="Registered model version (default: latest).")
def twins_fidelity(brand, dgp, scale, seed, filters, intervention, version) -> None:
    """Held-out fidelity, then a randomized experiment drawn by the world, with drift flags."""
    from e2i_synth.twins.workflows import intervention_layer, registered_for, track_fidelity

    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    iw = intervention_layer(scenario, settings.n_patients, settings.seed)
    generator = registered_for(iw, tracking, version)
    history, experiment = track_fidelity(
        generator, iw, {"intervention_type": intervention}, parse_twin_filters(filters)
    )
    click.echo(history.frame().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    click.echo(
        f"experiment {intervention} on {len(experiment.tracking):,} real HCPs: difference in "
        f"means {experiment.experiment_ate:.4f} (SE {experiment.experiment_se:.4f}), twins "
        f"{experiment.simulated_ate:.4f}, truth {experiment.true_ate:.4f}"
    )
    for reason in history.snapshots[-1].drift.reasons:
        click.echo(f"drift: {reason}")


# --- privacy: scorecards of synthesizers and the secure query sampler --------------------


@cli.group()
def privacy() -> None:
    """Score a synthesizer on a stored table; sample PostgreSQL under an epsilon budget."""


@privacy.command("score")
@click.argument("table")
@click.option("--brand", required=True, help="Brand of the stored scenario.")
@click.option("--dgp", default="confounded", show_default=True, help="DGP of the scenario.")
@click.option(
    "--synthesizer",
    default="gaussian_copula",
    show_default=True,
    help="gaussian_copula, or mst (epsilon-DP; needs the dp extra).",
)
@click.option("--epsilon", type=float, default=None, help="Epsilon for mst (default 1.0).")
@click.option("--retries", default=0, show_default=True, help="Optimizer retries (max 3).")
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic sample.")
def privacy_score(
    table: str,
    brand: str,
    dgp: str,
    synthesizer: str,
    epsilon: float | None,
    retries: int,
    seed: int,
) -> None:
    """Fit a synthesizer on TABLE's train split (patient_journeys, treatment_events, or
    journey: both joined per patient) and score it against the holdout; exit 1 unless
    all green."""
    from e2i_synth.privacy.failures import FailureClass
    from e2i_synth.privacy.families import family_named
    from e2i_synth.privacy.optimizer import MAX_RETRIES, optimize
    from e2i_synth.privacy.views import VIEWS, modeled_frame, split_real
    from e2i_synth.settings import parse_brand, parse_dgp
    from e2i_synth.warehouse import open_warehouse

    family = family_named(synthesizer)
    if table not in VIEWS:
        raise E2IError(
            f"unknown table {table!r} for privacy score; choose one of: {', '.join(VIEWS)}"
        )
    if not 0 <= retries <= MAX_RETRIES:
        raise E2IError(f"--retries {retries} must be between 0 and {MAX_RETRIES}")
    settings = Settings.from_env()
    scenario = Scenario(parse_brand(brand), parse_dgp(dgp))
    store = open_warehouse(settings.home, settings.database)
    needed = ("patient_journeys", "treatment_events")
    frames = {t: store.read(t, scenario) for t in needed if t in store.tables()}
    if len(frames) < len(needed) or frames["patient_journeys"].empty:
        raise E2IError(
            f"{scenario.partition_key} is not stored in {settings.target}; materialize it "
            f"first (e2i-synth materialize --brand {scenario.brand} --dgp {scenario.dgp})"
        )
    train, holdout = split_real(modeled_frame(table, frames))
    params = {"epsilon": epsilon} if epsilon is not None else None
    run = optimize(
        family, table, train, holdout, VIEWS[table].target, seed, params, max_retries=retries
    )
    best = run.best
    click.echo(
        f"{table} of {scenario.partition_key}: {len(train):,} train / {len(holdout):,} holdout "
        f"rows, {family.name}"
    )
    click.echo(run.as_frame().to_string())
    click.echo(f"\nbest attempt {best.number}:\n{best.scorecard.as_frame().to_string()}")
    for failure in best.failures:
        click.echo(failure.describe())
    if best.failures:
        raise E2IError(f"not all green: {', '.join(FailureClass(f.kind) for f in best.failures)}")
    click.echo("all green")


def parse_where(items: Sequence[str]):
    """Sampler filters from `column OP value` strings; `in` takes a comma-separated list."""
    import re

    from e2i_synth.privacy.sampler import OPERATORS, Filter

    pattern = re.compile(r"^\s*(\S+?)\s*(<=|>=|<>|=|<|>|\sin\s)\s*(.*)$")
    filters = []
    for item in items:
        match = pattern.match(item)
        if not match:
            raise E2IError(
                f"--where {item!r} is not 'column OP value' with OP in {', '.join(OPERATORS)}"
            )
        column, op, value = match.group(1), match.group(2).strip(), match.group(3)
        filters.append(Filter(column, op, value.split(",") if op == "in" else value))
    return tuple(filters)


def database_or_error() -> PostgresTarget:
    settings = Settings.from_env()
    if not settings.database:
        raise E2IError("the privacy sampler reads PostgreSQL: set E2I_DATABASE_URL")
    return settings.database


@privacy.command("sample")
@click.argument("dataset")
@click.option("--columns", default="", help="Comma-separated columns from the allow-list.")
@click.option("--where", "where", multiple=True, help="e.g. --where 'region=west' (repeat).")
@click.option("--limit", type=int, default=100, show_default=True, help="Row limit.")
@click.option("--fraction", type=float, default=1.0, show_default=True, help="Sample share.")
@click.option("--seed", type=int, default=None, help="REPEATABLE seed of the sample.")
@click.option("--aggregate", default=None, help="count, sum or mean: a DP answer instead.")
@click.option("--column", default=None, help="Sensitive column of a sum or mean.")
@click.option("--epsilon", type=float, default=0.0, help="Epsilon a DP aggregate spends.")
def privacy_sample(dataset, columns, where, limit, fraction, seed, aggregate, column, epsilon):
    """Rows of public columns (filtered on public columns), or one epsilon-DP aggregate
    paid from DATASET's budget; every call is audited under the database user."""
    from e2i_synth.privacy.sampler import Query, run

    query = Query(
        columns=tuple(c.strip() for c in columns.split(",") if c.strip()),
        filters=parse_where(where),
        limit=limit if aggregate is None else None,
        fraction=fraction,
        aggregate=aggregate,
        column=column,
        epsilon=epsilon,
        seed=seed,
    )
    result = run(database_or_error(), dataset, query)
    if aggregate is None:
        click.echo(result.to_string(index=False))
        click.echo(f"{len(result):,} rows")
    else:
        click.echo(
            f"{aggregate}{f'({column})' if column else ''} = {result:.4f} (epsilon {epsilon:g})"
        )


@privacy.command("budget")
@click.argument("dataset")
@click.argument("epsilon", type=float)
def privacy_budget(dataset: str, epsilon: float) -> None:
    """Apply pending migrations (the ledger is one) and set DATASET's total epsilon (spent
    stays spent)."""
    from e2i_synth.privacy import ledger
    from e2i_synth.privacy.sampler import dataset_named
    from e2i_synth.warehouse.postgres import PostgresWarehouse

    dataset_named(dataset)
    store = PostgresWarehouse(database_or_error())
    store.migrate()
    with store.connect("set a privacy budget") as con:
        ledger.set_budget(con, dataset, epsilon)
        left = ledger.remaining(con, dataset)
    click.echo(f"{dataset}: epsilon budget {epsilon:g}, {left:g} left")


@cli.command()
@click.option(
    "--suite", default=None, help="A named suite (see --list) or a suite YAML file (default smoke)."
)
@click.option(
    "--estimator",
    "estimators",
    multiple=True,
    help="A built-in (naive, ols, ipw, aipw, dowhy_linear) or a dotted path to a function "
    "(tables, truth) -> (estimate, std_error); repeatable (default: every built-in).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the first N variants."
)
@click.option("--seeds", type=click.IntRange(min=1), default=1, help="Seeds per variant.")
@click.option("--scale", default="2000", help="Patients per variant (default 2000).")
@click.option("--seed", default=None, help="First seed (default 42); seeds run from it.")
@click.option("--list", "list_only", is_flag=True, help="List the suites, or --suite's variants.")
def benchmark(
    suite: str | None,
    estimators: tuple[str, ...],
    limit: int | None,
    seeds: int,
    scale: str,
    seed: str | None,
    list_only: bool,
) -> None:
    """Score estimators on a suite's variants against the exact truth: bias, RMSE and 95%
    CI coverage, printed and written as CSV and HTML under $E2I_HOME/reports."""
    from e2i_synth.benchmark.estimators import BASELINES
    from e2i_synth.benchmark.run import load_estimator, run_benchmark, score, write_report
    from e2i_synth.benchmark.suite import load_suite, suite_names

    if list_only and suite is None:
        for name in suite_names():
            loaded = load_suite(name)
            click.echo(f"{name:<12} {len(loaded.variants):>4} variants  {loaded.description}")
        return
    loaded = load_suite(suite or "smoke")
    variants = loaded.variants[:limit]
    if list_only:
        click.echo("\n".join(v.label for v in variants))
        return
    settings = Settings.from_env(scale=scale, seed=seed)
    chosen = {name: load_estimator(name) for name in estimators} or dict(BASELINES)
    ensure_writable_home(settings.home)
    click.echo(
        f"benchmark {loaded.name}: {len(variants)} variant(s) x {seeds} seed(s), "
        f"{settings.n_patients} patients, estimators {', '.join(chosen)}"
    )
    results = run_benchmark(
        variants,
        chosen,
        settings.n_patients,
        range(settings.seed, settings.seed + seeds),
        on_done=lambda i, n: click.echo(f"  {i}/{n} variant-seeds done", err=True),
    )
    board = score(results)
    click.echo("\n" + board.to_string(float_format=lambda v: f"{v:.4f}"))
    failed = results[results["status"] != "ok"].drop_duplicates(["estimator", "status"])
    for row in failed.itertuples():
        click.echo(f"{row.estimator}: {row.status}")
    csv, html = write_report(
        results, settings.home / "reports", report_stem(f"benchmark-{loaded.name}")
    )
    click.echo(f"report: {html} (every run: {csv})")


def main() -> None:
    try:
        cli(standalone_mode=False)
    except E2IError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except MemoryError:
        click.echo(
            "error: out of memory; choose a smaller --scale (the command refuses scales its "
            "estimate says cannot fit, but other programs may be using memory too)",
            err=True,
        )
        sys.exit(1)
    except (click.exceptions.Abort, KeyboardInterrupt) as stop:
        # click turns an interrupt into Abort; the Stopped behind it knows the signal.
        cause = stop.__cause__ if isinstance(stop, click.exceptions.Abort) else stop
        click.echo("stopped; every scenario is as it was or fully replaced", err=True)
        sys.exit(cause.exit_code if isinstance(cause, Stopped) else 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
