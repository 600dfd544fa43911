"""`e2i-synth validate`: re-run every check on the stored scenarios."""

from __future__ import annotations

import click

from e2i_synth.cli.runs import (
    brand_option,
    dgp_option,
    progress_line,
    report_and_verdict,
    report_stem,
)
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario, Settings, select_scenarios


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


@click.command()
@brand_option
@dgp_option
def validate(brand: str | None, dgp: str | None) -> None:
    """Re-run every check on the stored scenarios (all of them by default), without
    regenerating them."""
    settings = Settings.from_env()
    scenarios, missing = stored_scenarios(settings, brand, dgp)
    from e2i_synth.defs.runner import run_scenarios  # Dagster loads once there is a run

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
