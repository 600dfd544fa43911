"""The `e2i-synth` command: a thin shell over the Dagster runner and the core."""

from __future__ import annotations

import sys

import click
import pandas as pd

from e2i_synth.errors import E2IError
from e2i_synth.settings import Settings, select_scenarios
from e2i_synth.tables import TABLE_NAMES


@click.group()
def cli() -> None:
    """Synthetic pharma-commercial warehouse with known causal truth."""


@cli.command()
@click.option("--scale", default=None, help="small (default), full, or patients per scenario.")
@click.option("--brand", default=None, help="Only this brand (default: all three).")
@click.option("--dgp", default=None, help="Only this data-generating process (default: all five).")
@click.option("--seed", default=None, help="Root seed (default 42); same seed, same bytes.")
def materialize(scale: str | None, brand: str | None, dgp: str | None, seed: str | None) -> None:
    """Generate scenarios through Dagster into $E2I_HOME/warehouse.duckdb."""
    from e2i_synth.defs.runner import materialize_scenarios
    from e2i_synth.settings import ensure_writable_home

    settings = Settings.from_env(scale=scale, seed=seed)
    scenarios = select_scenarios(brand, dgp)
    ensure_writable_home(settings.home)
    click.echo(
        f"materializing {len(scenarios)} scenario(s), {settings.n_patients} patients each, "
        f"seed {settings.seed} -> {settings.warehouse_path}"
    )

    def progress(i: int, run) -> None:
        click.echo(
            f"[{i + 1:>2}/{len(scenarios)}] {run.scenario.partition_key:<30} "
            f"{sum(run.rows.values()):>9,} rows  true ATE {run.true_ate:.4f}  {run.seconds:5.2f} s"
        )

    runs = materialize_scenarios(settings, scenarios, progress)
    summary = pd.DataFrame(
        [
            {
                "scenario": r.scenario.partition_key,
                **{t: r.rows.get(t, 0) for t in TABLE_NAMES},
                "true_ate": round(r.true_ate, 4),
            }
            for r in runs
        ]
    ).set_index("scenario")
    totals = summary[list(TABLE_NAMES)].sum()
    click.echo("\n" + summary.to_string())
    click.echo(
        f"\n{int(totals.sum()):,} rows in {len(runs)} scenario(s); "
        f"{sum(r.seconds for r in runs):.1f} s in Dagster runs"
    )


def main() -> None:
    try:
        cli(standalone_mode=False)
    except E2IError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
