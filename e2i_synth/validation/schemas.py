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

from e2i_synth.catalog import COLUMN_VOCABULARY, PUBLIC_RANGES
from e2i_synth.tables import SPECS
from e2i_synth.tables.spec import TableSpec
from e2i_synth.validation.result import CheckResult, from_problems
from e2i_synth.world import mechanisms

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

ZERO_TO_TEN = pa.Check.in_range(0, 10)

COLUMN_CHECKS: dict[str, list[pa.Check]] = {
    **{column: [pa.Check.isin(list(values))] for column, values in COLUMN_VOCABULARY.items()},
    **{column: [pa.Check.in_range(*bounds)] for column, bounds in PUBLIC_RANGES.items()},
    "decile": [pa.Check.in_range(1, 10)],
    "priority_tier": [pa.Check.in_range(1, 4)],
    "years_experience": [pa.Check.in_range(0, 60)],
    "total_patient_volume": [pa.Check.ge(0)],
    "target_patient_volume": [pa.Check.ge(0)],
    "digital_engagement_score": [ZERO_TO_TEN],
    "last_interaction_days": [pa.Check.ge(0)],
    "interaction_frequency": [pa.Check.ge(0)],
    "peer_influence_score": [ZERO_TO_TEN],
    **{c: [pa.Check.in_range(*r)] for m in mechanisms.REGISTRY for c, r in m.ranges.items()},
    "true_propensity": [pa.Check.in_range(0, 1, include_min=False, include_max=False)],
    "individual_effect": [pa.Check.isin([-1, 0, 1])],
    "cate": [pa.Check.in_range(-1, 1)],
    "outcome_value": [pa.Check.isin([0.0, 1.0])],
    "predicted_probability": [pa.Check.in_range(0, 1)],
    "true_ate": [pa.Check.in_range(-1, 1)],
    "expected_ate": [pa.Check.in_range(-1, 1)],
    "true_att": [pa.Check.in_range(-1, 1)],
    "true_atc": [pa.Check.in_range(-1, 1)],
    "lag_days": [pa.Check.ge(0)],
    "n_units": [pa.Check.gt(0)],
    "n_treated": [pa.Check.ge(0)],
}


def _type_check(sql_type: str) -> pa.Check:
    family, is_family = TYPE_FAMILIES[sql_type]
    return pa.Check(is_family, element_wise=False, name=f"type_{family}", error=f"not {family}")


def spec_schema(spec: TableSpec, column_checks: dict[str, list[pa.Check]]) -> pa.DataFrameSchema:
    """A table spec as a Pandera schema: column set and order, type family, nullability, key
    uniqueness, and the given per-column checks (shared with the downstream tables)."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                checks=[_type_check(sql_type), *column_checks.get(name, [])],
                nullable=name in spec.nullable,
                unique=name == spec.primary_key,
            )
            for name, sql_type in spec.columns.items()
        },
        strict=True,
        ordered=True,
        unique=list(spec.unique) or None,
        name=spec.name,
    )


@cache
def schema(table: str) -> pa.DataFrameSchema:
    """The Pandera schema of one core table."""
    return spec_schema(SPECS[table], COLUMN_CHECKS)


def schema_failures(table_schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[str]:
    """Failures summarised per column and check (count and up to three examples), not dumped."""
    try:
        table_schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        problems = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
            examples = ", ".join(repr(v) for v in group["failure_case"].drop_duplicates()[:3])
            problems.append(
                f"{table_schema.name}.{column}: {len(group)} rows fail {check} (e.g. {examples})"
            )
        return problems
    return []


def schema_problems(table: str, frame: pd.DataFrame) -> list[str]:
    return schema_failures(schema(table), frame)


def check_schema(table: str, frame: pd.DataFrame) -> CheckResult:
    problems = schema_problems(table, frame)
    figures = {"rows": len(frame), "columns": len(frame.columns)}
    ok = f"{len(frame)} rows match the {table} schema ({len(SPECS[table].columns)} columns)"
    return from_problems("schema", table, problems, ok, figures)
