"""feature_values against the entity tables: every entity exists, patient values carry the
patient's split, values the store shares with an entity table are equal to it, and the
model scores are probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import REGIONS
from e2i_synth.validation.integrity import Frames
from e2i_synth.validation.result import CheckResult, from_problems

TABLE = "feature_values"
ENTITY_KEYS = {"patient_id": "patient_journeys", "hcp_id": "hcp_profiles"}
MIRRORED = {
    "engagement_score": ("patient_journeys", "engagement_score"),
    "disease_severity": ("patient_journeys", "disease_severity"),
}
"""Store feature -> the (table, column) keyed by patient_id it must equal."""
STORED_DECIMALS = 6
"""The store rounds model scores to 6 decimals."""
PROBABILITIES = ("treatment_propensity", "outcome_probability")
"""Model scores (see tables.model_scores): each value a probability."""


def entity_key(values: pd.Series, key: str) -> pd.Series:
    return values.str.extract(rf'"{key}": "([^"]+)"', expand=False)


def entity_keys(values: pd.Series) -> pd.DataFrame:
    """Each entity key (NaN where a value's entity lacks it), parsed once per distinct
    entity: an entity has many values, and the parse is a Python loop (at full scale it
    was most of the check's time)."""
    codes, entities = pd.factorize(values, use_na_sentinel=False)
    distinct = pd.Series(entities, dtype=object)
    return pd.DataFrame(
        {key: entity_key(distinct, key).to_numpy()[codes] for key in (*ENTITY_KEYS, "region")},
        index=values.index,
    )


def check_feature_values(frames: Frames) -> CheckResult:
    values = frames[TABLE].merge(
        frames["features"][["feature_id", "feature_name"]], on="feature_id", how="left"
    )
    problems, figures = [], {"rows": len(values)}
    keys = entity_keys(values["entity_values"])
    for key, table in ENTITY_KEYS.items():
        ids = keys[key].dropna()
        orphans = ids[~ids.isin(frames[table][key])]
        figures[f"orphan_{key}"] = len(orphans)
        if len(orphans):
            problems.append(
                f"{TABLE}.entity_values: {len(orphans)} {key}s not in {table}, "
                f"e.g. {orphans.iloc[0]!r}"
            )
    regions = keys["region"].dropna()
    unknown = regions[~regions.isin(REGIONS)]
    if len(unknown):
        problems.append(f"{TABLE}.entity_values: {len(unknown)} unknown regions")
    journeys = frames["patient_journeys"].set_index("patient_id")
    patient = keys["patient_id"]
    linked = patient.notna() & patient.isin(journeys.index)
    own_split = journeys.loc[patient[linked], "data_split"].to_numpy()
    leaked = int((values.loc[linked, "data_split"].to_numpy() != own_split).sum())
    figures["split_mismatches"] = leaked
    if leaked:
        problems.append(f"{TABLE}: {leaked} patient values carry another split than the patient")
    for feature, (table, column) in MIRRORED.items():
        source = frames[table].set_index("patient_id")[column]
        rows = values[values["feature_name"] == feature]
        patient = keys.loc[rows.index, "patient_id"]
        known = patient.isin(source.index)
        stored = pd.to_numeric(rows.loc[known, "value"]).to_numpy()
        expected = source[patient[known]].to_numpy(dtype=float)
        differ = int((~np.isclose(stored, expected, atol=10.0**-STORED_DECIMALS)).sum())
        figures[f"{feature}_mismatches"] = differ
        if differ:
            problems.append(f"{TABLE}: {differ} {feature} values differ from {table}.{column}")
    for feature in PROBABILITIES:
        scores = pd.to_numeric(values.loc[values["feature_name"] == feature, "value"])
        outside = int((~scores.between(0, 1)).sum())
        figures[f"{feature}_outside_0_1"] = outside
        if outside:
            problems.append(f"{TABLE}: {outside} {feature} values are not probabilities")
    ok = (
        f"{len(values)} values; every entity exists; mirrored features equal their source; "
        "model scores are probabilities"
    )
    return from_problems("entities", TABLE, problems, ok, figures)
