"""Keys, foreign keys, time order and splits across the tables of one scenario.

Each function takes the scenario's frames by table name and returns a list of problems
(empty when clean), each naming the table, the column and a count with an example.
"""

from __future__ import annotations

import pandas as pd

from e2i_synth.catalog import SPLIT_SHARES, SPLITS
from e2i_synth.tables import SPECS

Frames = dict[str, pd.DataFrame]
SPLIT_TOLERANCE = 0.01


def _example(values: pd.Series) -> str:
    return repr(values.iloc[0]) if len(values) else ""


def duplicate_keys(frames: Frames) -> list[str]:
    problems = []
    for name, frame in frames.items():
        key = SPECS[name].primary_key
        dup = frame[key][frame[key].duplicated()]
        if len(dup):
            problems.append(f"{name}.{key}: {len(dup)} duplicated keys, e.g. {_example(dup)}")
    return problems


def orphan_foreign_keys(frames: Frames) -> list[str]:
    problems = []
    for name, frame in frames.items():
        for column, parent in SPECS[name].foreign_keys.items():
            if parent not in frames:
                continue
            values = frame[column].dropna()
            orphans = values[~values.isin(frames[parent][SPECS[parent].primary_key])]
            if len(orphans):
                problems.append(
                    f"{name}.{column}: {len(orphans)} values with no row in {parent}, "
                    f"e.g. {_example(orphans)}"
                )
    return problems


def _before(
    earlier: pd.DataFrame,
    early_col: str,
    later: pd.DataFrame,
    late_col: str,
    on: str,
    what: str,
    strict: bool = True,
) -> list[str]:
    joined = earlier[[on, early_col]].merge(later[[on, late_col]], on=on)
    bad = joined[
        ~(joined[early_col] < joined[late_col] if strict else joined[early_col] <= joined[late_col])
    ]
    if len(bad):
        return [f"{what}: {len(bad)} rows out of order, e.g. {on}={_example(bad[on])}"]
    return []


def time_order(frames: Frames) -> list[str]:
    """Journey start <= events; engagements and treatments < outcomes; predictions < triggers."""
    problems: list[str] = []
    journeys = frames.get("patient_journeys")
    outcomes = frames.get("business_outcomes")
    treatments = frames.get("treatment_events")
    engagements = frames.get("engagement_events")
    predictions = frames.get("ml_predictions")
    triggers = frames.get("triggers")
    linked = engagements.dropna(subset=["patient_id"]) if engagements is not None else None
    if journeys is not None and treatments is not None:
        problems += _before(
            journeys,
            "journey_start_date",
            treatments,
            "event_date",
            "patient_id",
            "treatment_events.event_date before journey_start_date",
            strict=False,
        )
    if journeys is not None and linked is not None:
        problems += _before(
            journeys,
            "journey_start_date",
            linked,
            "engagement_date",
            "patient_id",
            "engagement_events.engagement_date before journey_start_date",
            strict=False,
        )
    if outcomes is not None and treatments is not None:
        problems += _before(
            treatments,
            "event_date",
            outcomes,
            "outcome_date",
            "patient_id",
            "treatment_events.event_date not before business_outcomes.outcome_date",
        )
    if outcomes is not None and linked is not None:
        problems += _before(
            linked,
            "engagement_date",
            outcomes,
            "outcome_date",
            "patient_id",
            "engagement_events.engagement_date not before business_outcomes.outcome_date",
        )
    if predictions is not None and triggers is not None:
        problems += _before(
            predictions,
            "prediction_date",
            triggers,
            "created_at",
            "prediction_id",
            "triggers.created_at not after ml_predictions.prediction_date",
        )
    return problems


def split_isolation(frames: Frames) -> list[str]:
    """Every row of a patient, in every table, carries the patient's split."""
    rows = [
        frame[["patient_id", "data_split"]].dropna(subset=["patient_id"])
        for frame in frames.values()
        if {"patient_id", "data_split"} <= set(frame.columns)
    ]
    if not rows:
        return []
    stacked = pd.concat(rows, ignore_index=True).drop_duplicates()
    leaked = stacked["patient_id"][stacked["patient_id"].duplicated()]
    if len(leaked):
        return [
            f"{leaked.nunique()} patients appear in more than one split, e.g. {_example(leaked)}"
        ]
    return []


def split_proportions(frames: Frames) -> list[str]:
    """Patients per split within one point of 60/20/15/5."""
    journeys = frames.get("patient_journeys")
    if journeys is None or journeys.empty:
        return []
    share = journeys["data_split"].value_counts(normalize=True)
    problems = []
    for split, expected in zip(SPLITS, SPLIT_SHARES, strict=True):
        actual = float(share.get(split, 0.0))
        if abs(actual - expected) > SPLIT_TOLERANCE:
            problems.append(
                f"split {split}: {actual:.3f} of patients, expected {expected:.2f} ± 0.01"
            )
    unknown = set(share.index) - set(SPLITS)
    if unknown:
        problems.append(f"unknown split names {sorted(unknown)}; allowed: {', '.join(SPLITS)}")
    return problems


def scenario_problems(frames: Frames) -> list[str]:
    """All integrity problems of one scenario's frames."""
    return (
        duplicate_keys(frames)
        + orphan_foreign_keys(frames)
        + time_order(frames)
        + split_isolation(frames)
        + split_proportions(frames)
    )
