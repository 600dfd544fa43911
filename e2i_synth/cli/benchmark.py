"""`e2i-synth benchmark`: estimators scored on a suite's variants against the exact truth."""

from __future__ import annotations

import click

from e2i_synth.benchmark.builtins import built_ins_help
from e2i_synth.cli.options import scale_option, seed_option
from e2i_synth.cli.runs import report_stem
from e2i_synth.errors import ConfigError
from e2i_synth.settings import DEFAULT_SEED, MAX_SEED, Settings, ensure_writable_home


@click.command()
@click.option(
    "--suite", default=None, help="A named suite (see --list) or a suite YAML file (default smoke)."
)
@click.option(
    "--estimator",
    "estimators",
    multiple=True,
    help=f"A built-in ({built_ins_help()}) or a dotted path to a function "
    "(tables, truth) -> (estimate, std_error); repeatable (default: every built-in).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the first N variants."
)
@click.option("--seeds", type=click.IntRange(min=1), default=1, help="Seeds per variant.")
@scale_option(help="Patients per variant (default 2000).", default="2000")
@seed_option(
    f"Root seed of each variant's first run (default {DEFAULT_SEED}); the --seeds count on."
)
@click.option("--list", "list_only", is_flag=True, help="List the suites, or --suite's variants.")
def benchmark(
    suite: str | None,
    estimators: tuple[str, ...],
    limit: int | None,
    seeds: int,
    scale: str,
    seed: int | None,
    list_only: bool,
) -> None:
    """Score estimators on a suite's variants against the exact truth: bias, RMSE and 95%
    CI coverage, printed and written as CSV and HTML under $E2I_HOME/reports."""
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
    # the estimators and their runner load when they run, not for a listing
    from e2i_synth.benchmark.estimators import BASELINES
    from e2i_synth.benchmark.run import load_estimator, run_benchmark, score, write_report

    settings = Settings.from_env(scale=scale, seed=seed)
    if settings.seed + seeds - 1 > MAX_SEED:
        raise ConfigError(
            f"--seeds {seeds} from seed {settings.seed} run past the largest seed, {MAX_SEED}; "
            f"start at --seed {MAX_SEED - seeds + 1} or lower"
        )
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
