"""`e2i-synth validate`: re-run every check on the stored scenarios."""

from __future__ import annotations

import click

from e2i_synth.cli.listed import CHECKS
from e2i_synth.cli.options import scenarios_options
from e2i_synth.cli.runs import progress_line, report_and_verdict, report_stem
from e2i_synth.settings import Settings


@click.command(
    help="Re-run every check on the stored scenarios (all of them by default), without "
    f"regenerating them: the {len(CHECKS)} checks {', '.join(CHECKS)}, and the twin tables' "
    "own."
)
@scenarios_options
def validate(brand: str | None, dgp: str | None) -> None:
    """Re-run every check on the stored scenarios, without regenerating them."""
    from e2i_synth.warehouse import not_stored, stored_scenarios

    settings = Settings.from_env()
    scenarios, missing = stored_scenarios(settings, brand, dgp)
    from e2i_synth.defs.runner import run_scenarios, stop_once_done  # Dagster loads now

    click.echo(
        f"validating {len(scenarios)} stored scenario(s) in {settings.target}: "
        + ", ".join(s.partition_key for s in scenarios)
    )
    with stop_once_done():
        runs = run_scenarios(
            settings, scenarios, generate=False, on_done=progress_line(len(scenarios))
        )
        report_and_verdict(settings, runs, report_stem("validate"))
    if missing:
        raise not_stored(missing)
