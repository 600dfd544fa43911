"""feature_values against the entity tables: every entity exists, patient values carry the
patient's split, and values the store shares with an entity table are equal to it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import REGIONS
from e2i_synth.validation.integrity import Frames
from e2i_synth.validation.result import CheckResult, from_problems

TABLE = "feature_values"
ENTITY_KEYS = {"patient_id": "patient_journeys", "hcp_id": "hcp_profiles"}
MIRRORED = {"engagement_score": "engagement_score", "disease_severity": "disease_severity"}
"""Store feature -> patient_journeys column it must equal."""


def entity_key(values: pd.Series, key: str) -> pd.Series:
    return values.str.extract(rf'"{key}": "([^"]+)"', expand=False)


def check_feature_values(frames: Frames) -> CheckResult:
    values = frames[TABLE].merge(
        frames["features"][["feature_id", "feature_name"]], on="feature_id", how="left"
    )
    problems, figures = [], {"rows": len(values)}
    for key, table in ENTITY_KEYS.items():
        ids = entity_key(values["entity_values"], key).dropna()
        orphans = ids[~ids.isin(frames[table][key])]
        figures[f"orphan_{key}"] = len(orphans)
        if len(orphans):
            problems.append(
                f"{TABLE}.entity_values: {len(orphans)} {key}s not in {table}, "
                f"e.g. {orphans.iloc[0]!r}"
            )
    regions = entity_key(values["entity_values"], "region").dropna()
    unknown = regions[~regions.isin(REGIONS)]
    if len(unknown):
        problems.append(f"{TABLE}.entity_values: {len(unknown)} unknown regions")
    journeys = frames["patient_journeys"].set_index("patient_id")
    patient = entity_key(values["entity_values"], "patient_id")
    linked = patient.notna() & patient.isin(journeys.index)
    own_split = journeys.loc[patient[linked], "data_split"].to_numpy()
    leaked = int((values.loc[linked, "data_split"].to_numpy() != own_split).sum())
    figures["split_mismatches"] = leaked
    if leaked:
        problems.append(f"{TABLE}: {leaked} patient values carry another split than the patient")
    for feature, column in MIRRORED.items():
        rows = values[values["feature_name"] == feature]
        patient = entity_key(rows["entity_values"], "patient_id")
        known = patient.isin(journeys.index)
        stored = pd.to_numeric(rows.loc[known, "value"]).to_numpy()
        expected = journeys.loc[patient[known], column].to_numpy(dtype=float)
        differ = int((~np.isclose(stored, expected)).sum())
        figures[f"{feature}_mismatches"] = differ
        if differ:
            problems.append(f"{TABLE}: {differ} {feature} values differ from patient_journeys")
    ok = f"{len(values)} values; every entity exists; mirrored features equal their source"
    return from_problems("entities", TABLE, problems, ok, figures)
