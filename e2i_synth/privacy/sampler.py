"""Secure query sampler for real PostgreSQL tables.

Every query is composed with `psycopg.sql` (identifiers quoted, values bound, operators
from a fixed table), limited to a per-dataset column allow-list and row limit, optionally
on a Bernoulli sample of the table. A row query reads and filters public columns only;
sensitive columns appear only inside epsilon-DP aggregates (OpenDP's Laplace mechanism on
values clamped to public bounds), each paid from the dataset's budget in the transaction
that reads the rows. Every call, released, refused or failed in the database, is written
to the audit log under the database session's identity.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from e2i_synth.catalog import PUBLIC_RANGES
from e2i_synth.database_url import PostgresTarget, as_target
from e2i_synth.privacy import ledger
from e2i_synth.privacy.ledger import Refused

OPERATORS = {
    "=": sql.SQL("= {}"),
    "<>": sql.SQL("<> {}"),
    "<": sql.SQL("< {}"),
    "<=": sql.SQL("<= {}"),
    ">": sql.SQL("> {}"),
    ">=": sql.SQL(">= {}"),
    "in": sql.SQL("= ANY({})"),
}
AGGREGATES = ("count", "sum", "mean")


@dataclass(frozen=True)
class Dataset:
    """What may be asked of one table: public columns as rows, sensitive columns (with
    public clamping bounds) only as DP aggregates."""

    name: str
    table: str
    columns: tuple[str, ...]
    sensitive: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    max_rows: int = 10_000
    rows_per_person: int = 1


DATASETS = {
    "patient_journeys": Dataset(
        name="patient_journeys",
        table="patient_journeys",
        columns=(
            "brand",
            "dgp_type",
            "gender",
            "region",
            "insurance_type",
            "journey_stage",
            "academic_hcp",
            "comorbidity_count",
        ),
        sensitive={c: PUBLIC_RANGES[c] for c in ("age_at_diagnosis", "disease_severity")},
    ),
}


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: object


@dataclass(frozen=True)
class Query:
    """Rows (columns, no aggregate) or one DP aggregate over `column` (None for count)."""

    columns: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    limit: int | None = None
    fraction: float = 1.0
    aggregate: str | None = None
    column: str | None = None
    epsilon: float = 0.0
    seed: int | None = None

    def shape(self) -> dict[str, object]:
        """The query without filter values: what the audit log keeps."""
        return {
            "columns": [plain(c) for c in self.columns],
            "filters": [[plain(f.column), plain(f.op)] for f in self.filters],
            "limit": plain(self.limit),
            "fraction": plain(self.fraction),
            "aggregate": plain(self.aggregate),
            "column": plain(self.column),
            "epsilon": plain(self.epsilon),
        }


WHERE = re.compile(r"^\s*(\S+?)\s*(<=|>=|<>|=|<|>|\sin\s)\s*(.*)$")
"""`column OP value` as `--where` takes it; `in` takes a comma-separated list."""


def filters_from_text(items: Sequence[str]) -> tuple[Filter, ...]:
    """Sampler filters from `column OP value` strings; `in` takes a comma-separated list."""
    filters = []
    for item in items:
        match = WHERE.match(item)
        if not match:
            raise Refused(
                f"--where {item!r} is not 'column OP value' with OP in {', '.join(OPERATORS)}"
            )
        column, op, value = match.group(1), match.group(2).strip(), match.group(3)
        filters.append(Filter(column, op, value.split(",") if op == "in" else value))
    return tuple(filters)


def plain(value: object) -> object:
    """A JSON-safe copy of a caller's value: finite numbers and strings as they are,
    anything else (NaN, objects) as its repr."""
    if value is None or isinstance(value, str) or is_number(value):
        return value
    return repr(value)


def dataset_named(name: str, datasets: Mapping[str, Dataset] = DATASETS) -> Dataset:
    if name not in datasets:
        raise Refused(f"unknown dataset {name!r}; choose one of: {', '.join(datasets)}")
    return datasets[name]


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check(dataset: Dataset, query: Query) -> None:
    """Refuse, naming the problem, anything outside the dataset's policy."""
    # A row query filters on public columns only: a sensitive filter would let rows (or
    # their count) answer "is this person's value above t?" for free, and bisection
    # recovers the exact value. Inside a DP aggregate any allowed column may filter: the
    # noise covers whichever rows the predicate selects.
    rows = query.aggregate is None
    filterable = set(dataset.columns) | (set() if rows else set(dataset.sensitive))
    for f in query.filters:
        if f.column not in filterable:
            hint = (
                f"; sensitive columns ({', '.join(dataset.sensitive)}) filter only inside "
                "an epsilon-DP aggregate"
                if f.column in dataset.sensitive
                else ""
            )
            raise Refused(
                f"filter column {f.column!r} is not allowed in a "
                f"{'row query' if rows else 'DP aggregate'} on {dataset.name}{hint}"
            )
        if f.op not in OPERATORS:
            raise Refused(f"filter operator {f.op!r} is not one of {', '.join(OPERATORS)}")
    if not is_number(query.fraction) or not 0 < query.fraction <= 1:
        raise Refused(f"sample fraction {query.fraction!r} must be a number in (0, 1]")
    if query.seed is not None and not (isinstance(query.seed, int) and is_number(query.seed)):
        raise Refused(f"sample seed {query.seed!r} must be an integer")
    if query.aggregate is None:
        bad = [c for c in query.columns if c not in dataset.columns]
        if bad or not query.columns:
            raise Refused(
                f"columns {bad or '(none)'} may not be read as rows from {dataset.name}; "
                f"allowed: {', '.join(dataset.columns)} (sensitive columns only as aggregates)"
            )
        limit = query.limit
        if not (isinstance(limit, int) and is_number(limit) and 1 <= limit <= dataset.max_rows):
            raise Refused(f"row limit {limit!r} must be an integer in 1..{dataset.max_rows}")
        return
    if query.aggregate not in AGGREGATES:
        raise Refused(f"aggregate {query.aggregate!r} is not one of {', '.join(AGGREGATES)}")
    if query.aggregate != "count" and query.column not in dataset.sensitive:
        raise Refused(
            f"{query.aggregate} needs a sensitive column with declared bounds: "
            f"{', '.join(dataset.sensitive)}"
        )
    if not is_number(query.epsilon) or query.epsilon <= 0:
        raise Refused(f"epsilon {query.epsilon!r} must be a positive number")


def selected(query: Query) -> sql.Composable:
    """The select list: the row columns, the aggregated column, or a constant to count."""
    if query.aggregate is None:
        return sql.SQL(", ").join(map(sql.Identifier, query.columns))
    return sql.SQL("1") if query.column is None else sql.Identifier(query.column)


def select_sql(dataset: Dataset, query: Query) -> tuple[sql.Composed, list]:
    """SELECT ... FROM table [TABLESAMPLE] [WHERE ...] [LIMIT]: identifiers quoted, every
    value a bound parameter."""
    params: list[object] = []
    parts = [sql.SQL("SELECT {} FROM {}").format(selected(query), sql.Identifier(dataset.table))]
    if query.fraction < 1:
        parts.append(sql.SQL("TABLESAMPLE BERNOULLI ({}::real)").format(sql.Placeholder()))
        params.append(100.0 * query.fraction)
        if query.seed is not None:
            parts.append(sql.SQL("REPEATABLE ({}::real)").format(sql.Placeholder()))
            params.append(query.seed)
    conditions = [
        sql.SQL("{} ").format(sql.Identifier(f.column)) + OPERATORS[f.op].format(sql.Placeholder())
        for f in query.filters
    ]
    params += [list(f.value) if f.op == "in" else f.value for f in query.filters]
    if query.column is not None:
        conditions.append(sql.SQL("{} IS NOT NULL").format(sql.Identifier(query.column)))
    if conditions:
        parts.append(sql.SQL("WHERE ") + sql.SQL(" AND ").join(conditions))
    if query.limit is not None and query.aggregate is None:
        parts.append(sql.SQL("LIMIT {}").format(sql.Placeholder()))
        params.append(query.limit)
    return sql.SQL(" ").join(parts), params


@functools.lru_cache(maxsize=64)
def laplace_measurement(
    aggregate: str, bounds: tuple[float, float] | None, rows_per_person: int, epsilon: float
):
    """OpenDP's Laplace count or clamped sum, its scale searched so that `rows_per_person`
    changed rows cost `epsilon`. Cached: the search, not the noise, is what a call costs."""
    from e2i_synth.privacy.dp_synthesizer import dp_modules

    dp, _, _ = dp_modules()
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
    if aggregate == "count":
        make = lambda s: space >> dp.t.then_count() >> dp.m.then_laplace(s)  # noqa: E731
    else:
        make = lambda s: (  # noqa: E731
            space >> dp.t.then_clamp(bounds) >> dp.t.then_sum() >> dp.m.then_laplace(s)
        )
    return dp.binary_search_chain(make, d_in=rows_per_person, d_out=epsilon)


def dp_release(values: np.ndarray, dataset: Dataset, query: Query) -> float:
    """The aggregate with OpenDP's Laplace mechanism, calibrated to epsilon for
    `rows_per_person` changed rows; a mean is a DP sum over a DP count (epsilon / 2 each)."""
    data = values.astype(float).tolist()
    d_in, epsilon = dataset.rows_per_person, float(query.epsilon)
    if query.aggregate == "count":
        return float(laplace_measurement("count", None, d_in, epsilon)(data))
    bounds = tuple(float(b) for b in dataset.sensitive[query.column])
    if query.aggregate == "sum":
        return float(laplace_measurement("sum", bounds, d_in, epsilon)(data))
    noisy_sum = laplace_measurement("sum", bounds, d_in, epsilon / 2)(data)
    noisy_count = laplace_measurement("count", None, d_in, epsilon / 2)(data)
    return float(np.clip(noisy_sum / max(noisy_count, 1.0), *bounds))


def run(
    database: PostgresTarget | str,
    dataset_name: str,
    query: Query,
    datasets: Mapping[str, Dataset] = DATASETS,
) -> pd.DataFrame | float:
    """Rows (a frame) or a DP aggregate (a float); audited whatever happens, under the
    identity of the database session. A refusal is raised as `Refused`, a database
    failure as a one-line error, each after its audit row is committed."""
    kind = "rows" if query.aggregate is None else "aggregate"
    target = as_target(database)
    try:
        with psycopg.connect(target.conninfo()) as con:
            ledger.require(con)
            con.commit()
            return audited_run(con, dataset_name, query, datasets, kind)
    except psycopg.Error as exc:
        from e2i_synth.warehouse.postgres import database_error

        raise database_error(exc, target, f"sample {dataset_name}") from None


def audited_run(
    con: psycopg.Connection,
    dataset_name: str,
    query: Query,
    datasets: Mapping[str, Dataset],
    kind: str,
) -> pd.DataFrame | float:
    shape = query.shape()
    try:
        dataset = dataset_named(dataset_name, datasets)
        check(dataset, query)
        with con.transaction(), con.cursor() as cur:
            statement, params = select_sql(dataset, query)
            if kind == "rows":
                cur.execute(statement, params)
                result = pd.DataFrame(cur.fetchall(), columns=list(query.columns))
                ledger.release(cur, dataset_name, kind, shape, 0.0, len(result))
            else:
                ledger.release(cur, dataset_name, kind, shape, query.epsilon, 0)
                cur.execute(statement, params)
                values = np.array([r[0] for r in cur.fetchall()], dtype=float)
                result = dp_release(values, dataset, query)
        return result
    except Refused as refusal:
        outcome, reason, error = "refused", str(refusal), refusal
    except psycopg.Error as exc:
        # The server's message may quote a filter value; the log keeps only its class.
        outcome, reason, error = "failed", f"{type(exc).__name__} (SQLSTATE {exc.sqlstate})", exc
    with con.transaction(), con.cursor() as cur:
        ledger.log_unreleased(cur, dataset_name, kind, shape, outcome, reason)
    raise error
