"""Drift: which feature of the feature store shifts, from when, and by how much. The key
is the scenario's planted drift (scenario_signals): one feature whose values from a date
on have a stated multiple of the earlier mean, and no other feature drifting."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from e2i_synth.agent.tasks import NUMBER, STRING, Task, object_schema, task_id
from e2i_synth.settings import Scenario

SUITE = "drift"
READS = ("feature_values", "features", "scenario_signals")
"""The tables its tasks are built from."""
DAY_TOLERANCE = 31
RATIO_TOLERANCE = 0.15


def build(
    scenario: Scenario, frames: Mapping[str, pd.DataFrame], rng: np.random.Generator
) -> list[Task]:
    signals = frames["scenario_signals"]
    found = signals[signals["signal_type"].eq("drift")]
    if found.empty:
        return []
    signal = found.iloc[0]
    return [
        Task(
            task_id(scenario, SUITE, "drifted_feature"),
            SUITE,
            scenario.partition_key,
            "drift",
            f"In scenario {scenario.label}, one feature of the feature store (feature_values "
            "joined to features) shifts: from some date on its values have a different mean. "
            "Which feature (features.feature_name), from which date (YYYY-MM-DD), and what is "
            "the ratio of its mean from that date on to its mean before?",
            object_schema(feature=STRING, start_date=STRING, ratio=NUMBER),
            f"a third each for the feature, the date within {DAY_TOLERANCE} days and the "
            f"ratio within {RATIO_TOLERANCE}; passed when all three",
            {
                "feature": str(signal["subject"]),
                "start_date": f"{pd.Timestamp(signal['start_date']):%Y-%m-%d}",
                "ratio": float(signal["magnitude"]),
                "day_tolerance": DAY_TOLERANCE,
                "ratio_tolerance": RATIO_TOLERANCE,
            },
            f"Planted: {signal['description']}",
        )
    ]
