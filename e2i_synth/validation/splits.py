"""ML splits: no patient in two splits in any table, and patients split 60/20/15/5."""

from __future__ import annotations

import pandas as pd

from e2i_synth.catalog import SPLIT_SHARES, SPLITS
from e2i_synth.validation.integrity import Frames, example
from e2i_synth.validation.result import CheckResult, from_problems

SPLIT_TOLERANCE = 0.01
GUARDED_TABLE = "patient_journeys"


def check_split_isolation(frames: Frames) -> CheckResult:
    """Every row of a patient, in every table, carries the patient's one split."""
    rows = [
        frame[["patient_id", "data_split"]].dropna(subset=["patient_id"]).assign(table=name)
        for name, frame in frames.items()
        if {"patient_id", "data_split"} <= set(frame.columns)
    ]
    stacked = pd.concat(rows, ignore_index=True)
    pairs = stacked.drop_duplicates(["patient_id", "data_split"])
    leaked = pairs[pairs["patient_id"].duplicated(keep=False)]
    figures = {"tables": len(rows), "patients": int(stacked["patient_id"].nunique())}
    figures["patients_in_several_splits"] = int(leaked["patient_id"].nunique())
    problems = []
    if len(leaked):
        where = stacked[stacked["patient_id"].isin(leaked["patient_id"])]
        tables = sorted(set(where["table"]))
        problems.append(
            f"{leaked['patient_id'].nunique()} patients appear in more than one split "
            f"(tables {', '.join(tables)}), e.g. {example(leaked['patient_id'])}"
        )
    ok = f"{figures['patients']} patients, each in one split across {len(rows)} tables"
    return from_problems("split_isolation", GUARDED_TABLE, problems, ok, figures)


def check_split_proportions(frames: Frames) -> CheckResult:
    """Patients per split within one point of 60/20/15/5."""
    share = frames[GUARDED_TABLE]["data_split"].value_counts(normalize=True)
    figures = {f"share_{s}": round(float(share.get(s, 0.0)), 4) for s in SPLITS}
    problems = []
    for split, expected in zip(SPLITS, SPLIT_SHARES, strict=True):
        actual = float(share.get(split, 0.0))
        if abs(actual - expected) > SPLIT_TOLERANCE:
            problems.append(
                f"split {split}: {actual:.3f} of patients, expected {expected:.2f} ± 0.01"
            )
    unknown = sorted(set(share.index) - set(SPLITS))
    if unknown:
        problems.append(f"unknown split names {unknown}; allowed: {', '.join(SPLITS)}")
    ok = "shares " + "/".join(f"{figures[f'share_{s}']:.3f}" for s in SPLITS) + " of 60/20/15/5"
    return from_problems("split_proportions", GUARDED_TABLE, problems, ok, figures)
