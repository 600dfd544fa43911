"""What the commands that run scenarios through Dagster share: a line per finished
scenario, and the validation report with its verdict."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime

import click

from e2i_synth.errors import E2IError
from e2i_synth.settings import Settings


def progress_line(total: int):
    """One line per finished scenario. Its rows are the warehouse tables' (the figure the
    summary adds up), with the twin tables' rows beside them."""
    from e2i_synth.tables import TABLE_NAMES

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
    from e2i_synth.run_report import write_report
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
    """A report's file name, unique per command: to the microsecond, with the process id
    (two commands started in the same second overwrote each other's report)."""
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S.%f}-{os.getpid()}"
