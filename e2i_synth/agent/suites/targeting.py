"""Targeting: whom to treat under a budget. The field team can engage the patients of K
HCPs; the gain of an HCP is the sum of its patients' expected effects (unit_truth.cate,
the p1 - p0 each patient was drawn with). A choice is scored by its regret against the
oracle's top K, normalised so that a random choice scores 0 and the oracle 1."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from e2i_synth.agent.tasks import Task, object_schema, task_id
from e2i_synth.settings import Scenario

SUITE = "targeting"
READS = ("patient_journeys", "hcp_profiles", "unit_truth")
"""The tables its tasks are built from."""
BUDGET_SHARE = 0.10
PASS_SCORE = 0.9


def hcp_gains(frames: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Per hcp_id of hcp_profiles, the sum of its patients' expected effects (0 for an HCP
    without patients), sorted by hcp_id."""
    patients = frames["patient_journeys"][["patient_id", "hcp_id"]]
    cate = patients.merge(frames["unit_truth"][["patient_id", "cate"]], on="patient_id")
    gains = cate.groupby("hcp_id")["cate"].sum()
    return gains.reindex(sorted(frames["hcp_profiles"]["hcp_id"]), fill_value=0.0)


def build(
    scenario: Scenario, frames: Mapping[str, pd.DataFrame], rng: np.random.Generator
) -> list[Task]:
    gains = hcp_gains(frames)
    budget = max(1, round(BUDGET_SHARE * len(gains)))
    oracle = float(gains.sort_values(ascending=False).head(budget).sum())
    random = float(gains.mean() * budget)
    ids = {
        "type": "array",
        "items": {"type": "string"},
        "minItems": budget,
        "maxItems": budget,
        "uniqueItems": True,
    }
    return [
        Task(
            task_id(scenario, SUITE, "hcps_to_engage"),
            SUITE,
            scenario.partition_key,
            "targeting",
            f"In scenario {scenario.label}, the field team can engage the patients of exactly "
            f"{budget} HCPs (hcp_profiles.hcp_id). Which {budget} HCPs should it choose to add "
            "the most treatment initiations? An HCP's gain is the sum over its patients of the "
            "effect of engagement on treatment_initiated.",
            object_schema(hcp_ids=ids),
            "score = (gain of the chosen - gain of a random choice) / (gain of the best choice "
            f"- gain of a random choice), clipped to [0, 1]; passed when at least {PASS_SCORE}",
            {
                "gains": {str(k): float(v) for k, v in gains.items()},
                "budget": budget,
                "oracle": oracle,
                "random": random,
                "pass_score": PASS_SCORE,
            },
            f"The best {budget} HCPs gain {oracle:.2f} expected initiations in all; a random "
            f"choice gains {random:.2f} on average. An HCP's gain grows with its number of "
            "patients and, where the effect differs by segment, with its patients' segment.",
        )
    ]
