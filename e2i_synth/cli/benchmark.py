"""`e2i-synth benchmark`: estimators scored on a suite's variants against the exact truth."""

from __future__ import annotations

from pathlib import Path

import click

from e2i_synth.benchmark.builtins import built_ins_help
from e2i_synth.cli.options import scale_option, seed_option
from e2i_synth.cli.runs import report_stem
from e2i_synth.errors import ConfigError
from e2i_synth.settings import DEFAULT_SEED, MAX_SEED, Settings, ensure_writable_home


@click.group(invoke_without_command=True)
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
@click.option(
    "--replicates",
    "--seeds",
    "replicates",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Replicates per variant: consecutive seeds, each a fresh draw of the same variant "
    "(--seeds is the older name).",
)
@scale_option(help="Patients per variant (default 2000).", default="2000")
@seed_option(
    f"Root seed of each variant's first replicate (default {DEFAULT_SEED}); the others count on."
)
@click.option("--list", "list_only", is_flag=True, help="List the suites, or --suite's variants.")
@click.pass_context
def benchmark(
    ctx: click.Context,
    suite: str | None,
    estimators: tuple[str, ...],
    limit: int | None,
    replicates: int,
    scale: str,
    seed: int | None,
    list_only: bool,
) -> None:
    """Score estimators on a suite's variants against the exact truth: per estimand, bias,
    RMSE and 95% CI coverage over the replicates of the variants that identify it, printed
    and written as CSV and HTML under $E2I_HOME/reports. `export` and `score` run a
    competition over undisclosed variants."""
    if ctx.invoked_subcommand:
        return
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
    from e2i_synth.benchmark.leaderboard import by_estimand
    from e2i_synth.benchmark.run import load_estimator, run_benchmark, write_report

    settings = Settings.from_env(scale=scale, seed=seed)
    if settings.seed + replicates - 1 > MAX_SEED:
        raise ConfigError(
            f"--replicates {replicates} from seed {settings.seed} run past the largest seed, "
            f"{MAX_SEED}; start at --seed {MAX_SEED - replicates + 1} or lower"
        )
    chosen = {name: load_estimator(name) for name in estimators} or dict(BASELINES)
    ensure_writable_home(settings.home)
    click.echo(
        f"benchmark {loaded.name}: {len(variants)} variant(s) x {replicates} replicate(s), "
        f"{settings.n_patients} patients, estimators {', '.join(chosen)}"
    )
    results = run_benchmark(
        variants,
        chosen,
        settings.n_patients,
        range(settings.seed, settings.seed + replicates),
        on_done=lambda i, n: click.echo(f"  {i}/{n} variant-seeds done", err=True),
    )
    board = by_estimand(results).drop(columns=["coverage_low", "coverage_high"])
    click.echo("\n" + board.to_string(float_format=lambda v: f"{v:.4f}"))
    failed = results[results["status"] != "ok"].drop_duplicates(["estimator", "status"])
    for row in failed.itertuples():
        click.echo(f"{row.estimator}: {row.status}")
    csv, html = write_report(
        results, settings.home / "reports", report_stem(f"benchmark-{loaded.name}")
    )
    click.echo(f"report: {html} (every run: {csv})")


@benchmark.command()
@click.option(
    "--hidden",
    "count",
    type=click.IntRange(min=1, max=999),
    required=True,
    help="How many undisclosed variants to draw.",
)
@click.option("--suite", default="standard", show_default=True, help="The grid to draw from.")
@scale_option(help="Patients per variant (default 2000).", default="2000")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="A new folder for the participants: per variant its tables and public truth, "
    "and tasks.csv.",
)
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the answer key (keep it: scoring needs it; never share it).",
)
@click.option(
    "--private-seed",
    type=click.IntRange(min=0, max=MAX_SEED),
    default=None,
    help="Draw the variants from this seed (default: fresh entropy, stored in the key only).",
)
def export(count: int, suite: str, scale: str, out: Path, key: Path, private_seed: int | None):
    """Write analysis tables of undisclosed variants (knobs and data seeds drawn from a
    private seed) for a competition, and the answer key apart."""
    from e2i_synth.benchmark.competition import export_hidden
    from e2i_synth.benchmark.suite import load_suite

    settings = Settings.from_env(scale=scale)
    answer = export_hidden(load_suite(suite), count, settings.n_patients, out, key, private_seed)
    tasks = sum(len({"ate", *v["identified"]}) for v in answer["variants"])
    click.echo(
        f"{count} hidden variant(s) of {suite}, {settings.n_patients} patients each, "
        f"{tasks} task(s): {out} (tasks.csv lists them); answer key: {key}"
    )


@benchmark.command()
@click.argument(
    "submissions", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The answer key `benchmark export --hidden` wrote.",
)
def score(submissions: tuple[Path, ...], key: Path) -> None:
    """Score submitted estimates (CSV: variant, estimand, estimate, std_error[, estimator])
    against the answer key: per estimand, bias, RMSE, coverage and interval length, printed
    and written as CSV and HTML under $E2I_HOME/reports."""
    import pandas as pd

    from e2i_synth.benchmark.competition import read_key, read_submission, score_submissions
    from e2i_synth.benchmark.leaderboard import by_estimand
    from e2i_synth.benchmark.run import write_report

    settings = Settings.from_env()
    answer = read_key(key)
    frames = pd.concat([read_submission(path) for path in submissions], ignore_index=True)
    results = score_submissions(answer, frames)
    board = by_estimand(results).drop(columns=["coverage_low", "coverage_high"])
    click.echo(board.to_string(float_format=lambda v: f"{v:.4f}"))
    ensure_writable_home(settings.home)
    csv, html = write_report(
        results, settings.home / "reports", report_stem(f"competition-{answer['suite']}")
    )
    click.echo(f"report: {html} (every task: {csv})")
