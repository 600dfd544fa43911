"""Public column domains for DP synthesis: what a column may hold, from the catalog and the
table specs, never from the rows.

An epsilon-DP release is private only if everything it publishes besides the noisy counts
is public. Bin edges taken from the training minimum and maximum, or category lists taken
from the values seen, publish the extreme or rare value of a single person (an age of 90
set by one patient). So every modeled column's domain comes from here: numeric bounds from
`catalog.PUBLIC_RANGES`, categories from `catalog.COLUMN_VOCABULARY`, both values for a
boolean, and a null bin or category exactly where the table specs allow nulls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from e2i_synth.catalog import COLUMN_VOCABULARY, PUBLIC_RANGES
from e2i_synth.errors import E2IError

BOOLEAN_COLUMNS = ("academic_hcp", "engaged", "treatment_initiated")
"""Modeled boolean columns: their categories are the two truth values (as the model frame
spells them)."""


@dataclass(frozen=True)
class Domain:
    """A numeric range (`bounds`) or a category list (`categories`), and whether the
    column may be null."""

    bounds: tuple[float, float] | None = None
    categories: tuple[str, ...] | None = None
    nullable: bool = False

    @property
    def numeric(self) -> bool:
        return self.bounds is not None


def nullable_columns() -> frozenset[str]:
    """Columns that the spec of a table the views model allows to be null (a public fact
    of the schema)."""
    from e2i_synth.privacy.views import SOURCE_TABLES
    from e2i_synth.tables import SPECS

    tables = {t for names in SOURCE_TABLES.values() for t in names}
    return frozenset().union(*(SPECS[t].nullable for t in tables))


def public_domain(column: str, nullable: frozenset[str] | None = None) -> Domain:
    """The column's public domain, or one error naming the column and the fix."""
    may_be_null = column in (nullable_columns() if nullable is None else nullable)
    if column in PUBLIC_RANGES:
        low, high = PUBLIC_RANGES[column]
        return Domain(bounds=(float(low), float(high)), nullable=may_be_null)
    if column in COLUMN_VOCABULARY:
        return Domain(categories=tuple(map(str, COLUMN_VOCABULARY[column])), nullable=may_be_null)
    if column in BOOLEAN_COLUMNS:
        return Domain(categories=("False", "True"), nullable=may_be_null)
    raise E2IError(
        f"column {column!r} has no public domain; a DP synthesizer never reads one from the "
        "data: add its range to catalog.PUBLIC_RANGES (or its values to the vocabulary), or "
        f"pass domains={{{column!r}: Domain(...)}}"
    )


def public_domains(
    columns: Iterable[str], given: Mapping[str, Domain] | None = None
) -> dict[str, Domain]:
    """Every column's domain: the one given, else the catalog's."""
    columns, given = tuple(columns), given or {}
    nullable = nullable_columns() if any(c not in given for c in columns) else frozenset()
    return {c: given[c] if c in given else public_domain(c, nullable) for c in columns}
