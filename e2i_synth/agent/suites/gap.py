"""Gap analysis: which region misses its plan, from when, and by how much. The key is the
scenario's planted under-performer (scenario_signals), not a reading of the data: an
agent is right when it finds what was put there."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from e2i_synth.agent.tasks import NUMBER, STRING, Task, object_schema, task_id
from e2i_synth.settings import Scenario

SUITE = "gap"
READS = ("business_metrics", "scenario_signals")
"""The tables its tasks are built from."""
MONTH_TOLERANCE = 1
RATE_TOLERANCE = 0.05


def build(
    scenario: Scenario, frames: Mapping[str, pd.DataFrame], rng: np.random.Generator
) -> list[Task]:
    signals = frames["scenario_signals"]
    found = signals[signals["signal_type"].eq("underperformer")]
    if found.empty:
        return []
    signal = found.iloc[0]
    start = pd.Timestamp(signal["start_date"])
    month = f"{start:%Y-%m}"
    metric = str(signal["subject"])
    return [
        Task(
            task_id(scenario, SUITE, "underperforming_region"),
            SUITE,
            scenario.partition_key,
            "gap",
            f"In scenario {scenario.label}, one region misses its plan for the metric "
            f"'{metric}' (business_metrics.metric_name) persistently from some month on, while "
            "the others stay on plan within noise. Which region, from which month (YYYY-MM), "
            "and at what achievement rate (value / target) over the months it misses?",
            object_schema(region=STRING, start_month=STRING, achievement_rate=NUMBER),
            "a third each for the region, the start month within "
            f"{MONTH_TOLERANCE} month and the rate within {RATE_TOLERANCE}; passed when all three",
            {
                "region": str(signal["region"]),
                "start_month": month,
                "achievement_rate": float(signal["magnitude"]),
                "month_tolerance": MONTH_TOLERANCE,
                "rate_tolerance": RATE_TOLERANCE,
            },
            f"Planted: {signal['description']}",
        )
    ]
