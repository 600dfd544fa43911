"""Pandera schemas for every core table, derived from the table specs and the catalog.

One schema per table: column set and order, type family, nullability, key uniqueness, and
the enumerations and ranges of the catalog. The same schemas validate generated frames and
frames read back from a warehouse (whose integer widths and timestamp units may differ,
hence type families rather than exact dtypes).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from e2i_synth.catalog import (
    ADOPTION_STAGES,
    ALL_SPECIALTIES,
    BRANDS,
    CHANNELS,
    DGPS,
    GENDERS,
    INSURANCE_TYPES,
    INTERVENTION_TYPES,
    JOURNEY_STAGES,
    OUTCOME_TYPES,
    PRACTICE_SIZES,
    PRACTICE_TYPES,
    PREDICTION_MODELS,
    REGIONS,
    SPLITS,
    STATES_BY_REGION,
    TREATMENT_EVENT_TYPES,
    TRIGGER_PRIORITIES,
    TRIGGER_STATUSES,
    TRIGGER_TYPES,
)
from e2i_synth.tables import SPECS
from e2i_synth.validation.result import CheckResult, from_problems

TYPE_FAMILIES = {
    "VARCHAR": ("string", pd.api.types.is_string_dtype),
    "INTEGER": ("integer", pd.api.types.is_integer_dtype),
    "BIGINT": ("integer", pd.api.types.is_integer_dtype),
    "DOUBLE": ("float", pd.api.types.is_float_dtype),
    "BOOLEAN": ("boolean", pd.api.types.is_bool_dtype),
    "DATE": ("datetime", pd.api.types.is_datetime64_any_dtype),
    "TIMESTAMP": ("datetime", pd.api.types.is_datetime64_any_dtype),
    "VARCHAR[]": ("list", pd.api.types.is_object_dtype),
}

ALL_STATES = tuple(s for states in STATES_BY_REGION.values() for s in states)
ZERO_TO_TEN = pa.Check.in_range(0, 10)

COLUMN_CHECKS: dict[str, list[pa.Check]] = {
    "brand": [pa.Check.isin(list(BRANDS))],
    "dgp_type": [pa.Check.isin(list(DGPS))],
    "specialty": [pa.Check.isin(ALL_SPECIALTIES)],
    "practice_type": [pa.Check.isin(PRACTICE_TYPES)],
    "practice_size": [pa.Check.isin(PRACTICE_SIZES)],
    "region": [pa.Check.isin(REGIONS)],
    "state": [pa.Check.isin(ALL_STATES)],
    "decile": [pa.Check.in_range(1, 10)],
    "priority_tier": [pa.Check.in_range(1, 4)],
    "years_experience": [pa.Check.in_range(0, 60)],
    "total_patient_volume": [pa.Check.ge(0)],
    "target_patient_volume": [pa.Check.ge(0)],
    "digital_engagement_score": [ZERO_TO_TEN],
    "preferred_channel": [pa.Check.isin(CHANNELS)],
    "last_interaction_days": [pa.Check.ge(0)],
    "interaction_frequency": [pa.Check.ge(0)],
    "adoption_stage": [pa.Check.isin(ADOPTION_STAGES)],
    "peer_influence_score": [ZERO_TO_TEN],
    "age_at_diagnosis": [pa.Check.in_range(18, 90)],
    "gender": [pa.Check.isin(GENDERS)],
    "insurance_type": [pa.Check.isin(INSURANCE_TYPES)],
    "disease_severity": [ZERO_TO_TEN],
    "comorbidity_count": [pa.Check.ge(0)],
    "engagement_score": [ZERO_TO_TEN],
    "days_to_treatment": [pa.Check.ge(0)],
    "journey_stage": [pa.Check.isin(JOURNEY_STAGES)],
    "propensity_score": [pa.Check.in_range(0, 1, include_min=False, include_max=False)],
    "data_split": [pa.Check.isin(SPLITS)],
    "event_type": [pa.Check.isin(TREATMENT_EVENT_TYPES)],
    "line_of_therapy": [pa.Check.ge(1)],
    "intervention_type": [pa.Check.isin(INTERVENTION_TYPES)],
    "channel": [pa.Check.isin(CHANNELS)],
    "outcome_type": [pa.Check.isin(OUTCOME_TYPES)],
    "outcome_value": [pa.Check.isin([0.0, 1.0])],
    "model_name": [pa.Check.isin(PREDICTION_MODELS)],
    "predicted_probability": [pa.Check.in_range(0, 1)],
    "trigger_type": [pa.Check.isin(TRIGGER_TYPES)],
    "priority": [pa.Check.isin(TRIGGER_PRIORITIES)],
    "status": [pa.Check.isin(TRIGGER_STATUSES)],
    "true_ate": [pa.Check.in_range(-1, 1)],
    "expected_ate": [pa.Check.in_range(-1, 1)],
    "lag_days": [pa.Check.ge(0)],
    "n_units": [pa.Check.gt(0)],
    "n_treated": [pa.Check.ge(0)],
}


def _type_check(sql_type: str) -> pa.Check:
    family, is_family = TYPE_FAMILIES[sql_type]
    return pa.Check(is_family, element_wise=False, name=f"type_{family}", error=f"not {family}")


@cache
def schema(table: str) -> pa.DataFrameSchema:
    """The Pandera schema of one core table."""
    spec = SPECS[table]
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                checks=[_type_check(sql_type), *COLUMN_CHECKS.get(name, [])],
                nullable=name in spec.nullable,
                unique=name == spec.primary_key,
            )
            for name, sql_type in spec.columns.items()
        },
        strict=True,
        ordered=True,
        name=table,
    )


def schema_problems(table: str, frame: pd.DataFrame) -> list[str]:
    """Failures summarised per column and check (count and up to three examples), not dumped."""
    try:
        schema(table).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        problems = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
            examples = ", ".join(repr(v) for v in group["failure_case"].drop_duplicates()[:3])
            problems.append(f"{table}.{column}: {len(group)} rows fail {check} (e.g. {examples})")
        return problems
    return []


def check_schema(table: str, frame: pd.DataFrame) -> CheckResult:
    problems = schema_problems(table, frame)
    figures = {"rows": len(frame), "columns": len(frame.columns)}
    ok = f"{len(frame)} rows match the {table} schema ({len(SPECS[table].columns)} columns)"
    return from_problems("schema", table, problems, ok, figures)
