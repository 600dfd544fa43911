"""Causal impact: the effect of engagement on treatment initiation, a trap where a
colleague adjusted for columns that descend from the treatment or the outcome, and the
ranking of segments by effect where the effect differs by segment.

Keys come from causal_ground_truth (the sample's exact effects). A tolerance is three
standard errors of a regression-adjusted estimate with the truth's adjustment set: a
competent estimate lands inside it in more than 99% of draws, a biased one does not."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from e2i_synth.agent.estimates import regression_ate
from e2i_synth.agent.tasks import NUMBER, STRINGS, Task, object_schema, task_id
from e2i_synth.catalog import OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.settings import Scenario
from e2i_synth.tables.causal_ground_truth import TRAPS

SUITE = "causal"
READS = ("patient_journeys", "causal_ground_truth")
"""The tables its tasks are built from."""
STANDARD_ERRORS = 3.0
MIN_TOLERANCE = 0.02
BOOLEAN = {"type": "boolean"}


def build(
    scenario: Scenario, frames: Mapping[str, pd.DataFrame], rng: np.random.Generator
) -> list[Task]:
    truth, patients = frames["causal_ground_truth"], frames["patient_journeys"]
    overall = truth[truth["segment_column"].isna()].iloc[0]
    if "not identified" in str(overall.get("identification") or ""):
        return []  # hidden confounding: no adjustment recovers the effect
    true_ate = float(overall["true_ate"])
    adjustment = [str(c) for c in overall["adjustment_columns"]]
    estimate, se = regression_ate(patients, adjustment)
    tolerance = max(STANDARD_ERRORS * se, MIN_TOLERANCE)
    traps = [t.column for t in TRAPS if t.column in patients.columns]
    raw = patients.dropna(subset=[OUTCOME_COLUMN]).groupby(TREATMENT_COLUMN)[OUTCOME_COLUMN]
    naive = float(raw.mean().astype(float).diff().iloc[-1])
    trap_estimate, _ = regression_ate(patients, [*adjustment, *traps[:2]])
    why_traps = "; ".join(f"{t.column}: {t.why}" for t in TRAPS)
    label = scenario.label
    effect = (
        f"the average effect of engagement (patient_journeys.{TREATMENT_COLUMN}) on treatment "
        f"initiation (patient_journeys.{OUTCOME_COLUMN}) over this scenario's patients, as a "
        "risk difference E[Y(1) - Y(0)]"
    )
    tasks = [
        Task(
            task_id(scenario, SUITE, "ate"),
            SUITE,
            scenario.partition_key,
            "ate",
            f"In scenario {label}, estimate {effect}. Also list the columns you adjusted for.",
            object_schema(ate=NUMBER, adjusted_for=STRINGS),
            f"passed when |ate - truth| <= {tolerance:.4f} (three standard errors of a "
            "competent estimate) and no column adjusted for descends from the treatment or "
            "the outcome",
            {"true_ate": true_ate, "tolerance": tolerance, "traps": traps},
            f"The sample's true ATE is {true_ate:.4f} (mean of the patients' Y(1) - Y(0)). "
            f"Regression adjustment for {', '.join(adjustment)} gives {estimate:.4f} (SE "
            f"{se:.4f}); the raw contrast gives {naive:.4f}. {overall['description']}. "
            f"Columns not to adjust for: {why_traps}.",
        ),
        Task(
            task_id(scenario, SUITE, "trap"),
            SUITE,
            scenario.partition_key,
            "trap",
            f"In scenario {label}, a colleague estimated {effect} with a linear regression "
            f"adjusting for {', '.join([*adjustment, *traps[:2]])}, and reports "
            f"{trap_estimate:.4f}. Is the colleague's estimate right (within "
            f"{tolerance:.4f} of the truth)? Give your own estimate.",
            object_schema(colleague_is_right=BOOLEAN, ate=NUMBER),
            f"passed when colleague_is_right matches the truth and |ate - truth| <= "
            f"{tolerance:.4f}",
            {
                "true_ate": true_ate,
                "tolerance": tolerance,
                "colleague_is_right": abs(trap_estimate - true_ate) <= tolerance,
            },
            f"The true ATE is {true_ate:.4f}; the colleague's {trap_estimate:.4f} adjusts for "
            f"{' and '.join(traps[:2])}, which descend from the treatment or the outcome: "
            f"{why_traps}.",
        ),
    ]
    segments = truth[truth["segment_column"].notna()]
    if len(segments) >= 3 and segments["true_ate"].nunique() == len(segments):
        column = str(segments["segment_column"].iloc[0])
        ordered = segments.sort_values("true_ate", ascending=False)
        order = [str(v) for v in ordered["segment_value"]]
        tasks.append(
            Task(
                task_id(scenario, SUITE, "cate_ranking"),
                SUITE,
                scenario.partition_key,
                "ranking",
                f"In scenario {label}, the effect of {TREATMENT_COLUMN} on {OUTCOME_COLUMN} "
                f"differs by patient_journeys.{column}. Rank the values of {column} by their "
                "average effect, largest first.",
                object_schema(order=STRINGS),
                "score: the share of pairs ordered as the truth orders them; passed when at "
                "most one pair is swapped",
                {"order": order},
                f"True effect by {column}: "
                + ", ".join(f"{v} {a:.4f}" for v, a in zip(order, ordered["true_ate"], strict=True))
                + ".",
            )
        )
    return tasks
