"""`e2i-synth materialize`: generate and check scenarios into the warehouse."""

from __future__ import annotations

import click

from e2i_synth.cli.listed import KNOBS
from e2i_synth.cli.options import scale_option, scenarios_options, seed_option
from e2i_synth.cli.runs import progress_line, report_and_verdict, report_stem
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario, Settings, ensure_writable_home, select_scenarios


@click.command()
@scale_option()
@scenarios_options
@seed_option()
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
    "stored in its own DuckDB file under $E2I_HOME/variants/. Knobs: "
    f"{', '.join(KNOBS)} (their ranges: docs/reference/knobs.md).",
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
    seed: int | None,
    dry_run: bool,
    workers: int | None,
    knobs: tuple[str, ...],
    twins: bool,
) -> None:
    """Generate and check scenarios through Dagster into the warehouse (DuckDB in
    $E2I_HOME, or PostgreSQL at $E2I_DATABASE_URL)."""
    settings = Settings.from_env(scale=scale, seed=seed)
    scenarios = select_scenarios(brand, dgp)
    if knobs:
        materialize_variants(settings, scenarios, dgp, knobs, dry_run)
        return
    from e2i_synth.memory import refuse_scale_beyond_memory, workers_that_fit

    refuse_scale_beyond_memory(settings.n_patients)
    workers = workers_that_fit(workers, settings.n_patients)
    if dry_run:
        check_in_memory(settings, scenarios)
        return
    ensure_writable_home(settings.home)
    run_through_dagster(settings, scenarios, workers, twins)


def run_through_dagster(
    settings: Settings, scenarios: list[Scenario], workers: int, twins: bool
) -> None:
    """The checked arguments' run: Dagster and the twins' stack load only now, so a bad
    argument is reported at once."""
    from e2i_synth.defs.runner import run_scenarios, stop_once_done
    from e2i_synth.tables import TABLE_NAMES
    from e2i_synth.twins.pipeline import supports_scale, training_rows_at
    from e2i_synth.twins.training import MIN_TRAINING_ROWS
    from e2i_synth.warehouse import open_warehouse

    open_warehouse(settings.home, settings.database).ping()
    click.echo(plan_line(settings, scenarios, workers))
    if twins and not supports_scale(settings.n_patients):
        click.echo(
            f"digital twins skipped: {settings.n_patients} patients per scenario give "
            f"{training_rows_at(settings.n_patients):,} HCP-quarters to train on, under the "
            f"{MIN_TRAINING_ROWS:,} the twin generator needs (use --scale small or larger)"
        )
    with stop_once_done():
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
            click.echo("\n" + summary_text(loaded))
            total = sum(r.rows.get(t, 0) for r in loaded for t in TABLE_NAMES)
            click.echo(
                f"\n{total:,} rows in {len(loaded)} scenario(s); "
                f"{sum(r.seconds for r in runs):.1f} s in Dagster runs"
            )
        report_and_verdict(settings, runs, report_stem("materialize"))


TERMINAL_COLUMNS = 100
"""The summary's widest line: one row of all 14 tables was about 270 characters, wrapped
by every terminal into an unreadable block."""


def plan_line(settings: Settings, scenarios: list[Scenario], workers: int) -> str:
    """What is about to run; how many at once only when there is more than one."""
    at_once = f", {min(workers, len(scenarios))} at a time" if len(scenarios) > 1 else ""
    return (
        f"materializing {len(scenarios)} scenario(s), {settings.n_patients} patients each, "
        f"seed {settings.seed}{at_once} -> {settings.target}"
    )


def summary_text(loaded: list) -> str:
    """Rows per table and the true ATE per scenario, in blocks of columns that each fit in
    TERMINAL_COLUMNS (every block repeats the scenario names)."""
    import pandas as pd

    from e2i_synth.tables import TABLE_NAMES

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
    text = summary.to_string(line_width=TERMINAL_COLUMNS)
    return "\n".join(line.rstrip() for line in text.splitlines())


def materialize_variants(
    settings: Settings, scenarios: list[Scenario], dgp: str | None, knobs, dry_run: bool
) -> None:
    """--knob: each brand's variant of the one --dgp, checked and stored apart."""
    from e2i_synth.benchmark.store import materialize_variant
    from e2i_synth.memory import refuse_scale_beyond_memory
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
