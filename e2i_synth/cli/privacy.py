"""`e2i-synth privacy`: scorecards of synthesizers and the secure query sampler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from e2i_synth.cli.options import positive, seed_option
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario, Settings

if TYPE_CHECKING:
    from e2i_synth.warehouse.target import PostgresTarget


@click.group()
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
@click.option(
    "--epsilon",
    type=float,
    default=None,
    callback=positive("1.0"),
    help="Epsilon for mst (default 1.0).",
)
@click.option("--retries", default=0, show_default=True, help="Optimizer retries (max 3).")
@seed_option("Seed of the synthetic sample.", default=0)
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
    from e2i_synth.privacy.views import VIEWS, causal_design, modeled_frame, split_real
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
        family,
        table,
        train,
        holdout,
        VIEWS[table].target,
        seed,
        params,
        max_retries=retries,
        design=causal_design(table, scenario.dgp),
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
