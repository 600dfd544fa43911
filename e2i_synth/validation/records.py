"""The `validation_results` table: one row per check per scenario per run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.tables.spec import TableSpec
from e2i_synth.validation.result import CheckResult

RESULTS_SPEC = TableSpec(
    name="validation_results",
    columns={
        "result_id": "VARCHAR",
        "run_id": "VARCHAR",
        "brand": "VARCHAR",
        "dgp_type": "VARCHAR",
        "table_name": "VARCHAR",
        "check_name": "VARCHAR",
        "passed": "BOOLEAN",
        "message": "VARCHAR",
        "figures": "VARCHAR",
        "checked_at": "TIMESTAMP",
    },
    primary_key="result_id",
    descriptions={
        "result_id": "The result's key: run id, brand|dgp and table.check, '|'-separated.",
        "run_id": "The Dagster run (or command run) that checked.",
        "brand": "The scenario's brand.",
        "dgp_type": "The scenario's DGP (a variant's base DGP).",
        "table_name": "The table checked.",
        "check_name": (
            "The check (schema, keys, time_order, causal_recovery, ...): see the checks reference."
        ),
        "passed": "Whether the check passed.",
        "message": "The verdict in one line, naming the figure that failed.",
        "figures": (
            "JSON object of the check's figures (estimates, truths, SEs, counts, intervals)."
        ),
        "checked_at": "When the check ran (UTC).",
    },
)
"""`figures` is a JSON object (estimates, counts, intervals) a SQL engine can unpack."""


def results_frame(
    results: Sequence[CheckResult],
    run_id: str,
    scenario: Scenario,
    checked_at: datetime | None = None,
) -> pd.DataFrame:
    when = (checked_at or datetime.now(UTC)).replace(tzinfo=None)
    return pd.DataFrame(
        {
            "result_id": [f"{run_id}|{scenario.partition_key}|{r.name}" for r in results],
            "run_id": run_id,
            "brand": scenario.brand,
            "dgp_type": scenario.dgp,
            "table_name": [r.table for r in results],
            "check_name": [r.check for r in results],
            "passed": pd.array([r.passed for r in results], dtype=bool),
            "message": [r.message for r in results],
            "figures": [r.figures_json() for r in results],
            "checked_at": pd.Series([when] * len(results), dtype="datetime64[us]"),
        },
        columns=list(RESULTS_SPEC.columns),
    )
