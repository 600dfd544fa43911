"""Checks of a scenario's stored twin tables, re-run by `e2i-synth validate` on what the
warehouse holds.

The twin step checks its frames before it stores them (`twins.checks`); these re-run the
same validators on the stored rows, so rows changed after the load fail `validate` as core
rows do. Every downstream table of `tables.downstream` gets a schema and a keys check by
declaration alone (a new twin table is covered once its spec is there); a check particular
to one table is one entry of `TABLE_CHECKS`. The check names carry a `stored_` prefix: the
twin step's own checks already hold the plain names on the same assets.

A scenario whose twins were never built (`--no-twins`, a scale too small for their training)
has no twin rows: each check then passes, saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from e2i_synth.tables.downstream import DOWNSTREAM_SPECS
from e2i_synth.twins.checks import check_deploy_against_truth, check_schema
from e2i_synth.validation.integrity import Frames, check_keys
from e2i_synth.validation.result import CheckResult
from e2i_synth.validation.suite import CHECKS, CheckDef

PREFIX = "stored_"
TWIN_TABLES: tuple[str, ...] = tuple(spec.name for spec in DOWNSTREAM_SPECS)

TableCheck = tuple[str, str, str, Callable[[pd.DataFrame], CheckResult]]
"""(check, table, description, validator of that table's stored rows)."""

TABLE_CHECKS: tuple[TableCheck, ...] = (
    (
        "deploy_within_ci_of_truth",
        "simulation_runs",
        "no stored deploy recommendation whose simulated effect is off the true effect by "
        "more than its family-wise CI",
        check_deploy_against_truth,
    ),
)
"""Checks particular to one twin table, beside every table's schema and keys."""


def on_stored_rows(
    check: str, table: str, validate: Callable[[Frames], CheckResult]
) -> Callable[[Frames, object], CheckResult]:
    """`validate` on the stored frames, its result named as the registry names it; a table
    without rows for the scenario passes (its twins were not built)."""

    def run(frames: Frames, _context: object) -> CheckResult:
        if table not in frames or frames[table].empty:
            return CheckResult(
                check, table, True, f"no stored {table} rows: the scenario's twins were not built"
            )
        return replace(validate(frames), check=check, table=table)

    return run


def twin_table_checks() -> tuple[CheckDef, ...]:
    """The registry entries of the stored twin tables: schema and keys of each, then
    `TABLE_CHECKS`."""
    return (
        *(
            CheckDef(
                f"{PREFIX}schema",
                t,
                "stored rows match the twin table's Pandera schema (spec types, keys, "
                "vocabularies)",
                on_stored_rows(f"{PREFIX}schema", t, lambda f, t=t: check_schema(t, f[t])),
            )
            for t in TWIN_TABLES
        ),
        *(
            CheckDef(
                f"{PREFIX}keys",
                t,
                "stored primary and natural keys unique; every foreign key resolves",
                on_stored_rows(f"{PREFIX}keys", t, lambda f, t=t: check_keys(t, f)),
            )
            for t in TWIN_TABLES
        ),
        *(
            CheckDef(
                f"{PREFIX}{check}",
                t,
                description,
                on_stored_rows(f"{PREFIX}{check}", t, lambda f, t=t, v=validate: v(f[t])),
            )
            for check, t, description, validate in TABLE_CHECKS
        ),
    )


TWIN_TABLE_CHECKS: tuple[CheckDef, ...] = twin_table_checks()
STORED_CHECKS: tuple[CheckDef, ...] = (*CHECKS, *TWIN_TABLE_CHECKS)
"""Every check of a stored scenario, in report order: the core suite, then the twin tables'."""
