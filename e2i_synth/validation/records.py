"""The rows of the `validation_results` table (`tables.results`): one per check per
scenario per run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.tables.results import RESULTS_SPEC
from e2i_synth.validation.result import CheckResult


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
