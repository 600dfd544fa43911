"""What a golden query needs from the data, read from its SQL with sqlglot: tables, joins,
columns, aggregations, grouping and ordering, the entity literals it filters on (hero
candidates) and its temporal filters resolved to [start, end) windows at the as-of date.

Constant date expressions (`CURRENT_DATE - INTERVAL '90 days'`, `date_trunc('quarter',
CURRENT_DATE)`, BigQuery's `DATE_SUB(CURRENT_DATE(), INTERVAL 90 DAY)`) are evaluated by
DuckDB itself with CURRENT_DATE bound to the as-of date, so every dialect sqlglot reads
resolves the same way the warehouse would compute it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.scope import Scope, traverse_scope

from e2i_synth.catalog import COLUMN_VOCABULARY
from e2i_synth.stories.names import (
    QueryError,
    line_of,
    nearest,
    output_columns,
    qualified,
    resolve_tables,
)
from e2i_synth.stories.windows import Window, add_months
from e2i_synth.tables import SPECS

TEMPORAL_TYPES = ("DATE", "TIMESTAMP")
TRUNC_UNITS = ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY")
FLIPPED = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}
WRITES = (exp.DML, exp.DDL, exp.Drop, exp.Alter, exp.Command)
"""Statements that change data or schema: refused anywhere in a golden query, also inside a
WITH (`WITH d AS (DELETE ... RETURNING *) SELECT ...` parses as a SELECT)."""


@dataclass(frozen=True)
class TemporalFilter:
    table: str
    column: str
    window: Window
    predicate: str  # the SQL it came from
    scope: int = 0  # which SELECT of the query (its filters are ANDed together)
    line: int | None = None  # of the SQL, where the column is named


@dataclass(frozen=True)
class QueryAnalysis:
    sql: str  # as given
    duckdb_sql: str  # for DuckDB, CURRENT_DATE bound to the as-of date
    postgres_sql: str  # for PostgreSQL, likewise
    tables: tuple[str, ...]
    joins: tuple[str, ...]  # the ON / USING conditions, as SQL
    columns: tuple[tuple[str, str], ...]  # (table, column) read
    aggregations: tuple[str, ...]
    group_by: tuple[str, ...]
    order_by: tuple[str, ...]
    limit: int | None
    entity_literals: tuple[tuple[str, str], ...]  # (column, value): hero candidates
    temporal: tuple[TemporalFilter, ...] = field(default_factory=tuple)
    outputs: tuple[tuple[str, str], ...] = ()  # (name, DuckDB type) of the answer's columns
    ordered: bool = False  # the answer's rows come in a stated order (ORDER BY)
    single_row: bool = False  # an aggregate without GROUP BY: one row whatever the order

    def output_type(self, column: str) -> str | None:
        """The type of the answer's column of that name (any case), None when it has none."""
        found = [t for name, t in self.outputs if name.lower() == column.lower()]
        return found[0] if found else None

    def scope_windows(self) -> dict[tuple[int, str, str], Window]:
        """One window per (SELECT, table, column): the intersection of its filters there."""
        out: dict[tuple[int, str, str], Window] = {}
        for f in self.temporal:
            key = (f.scope, f.table, f.column)
            out[key] = out[key].intersect(f.window) if key in out else f.window
        return out

    def windows(self) -> dict[tuple[str, str], Window]:
        """One window per (table, column): the span of its SELECTs' windows (a query may
        compare this year with last year in two of them)."""
        out: dict[tuple[str, str], Window] = {}
        for (_, table, column), window in self.scope_windows().items():
            key = (table, column)
            out[key] = out[key].span(window) if key in out else window
        return out


def schema_of(specs: Mapping = SPECS) -> dict[str, dict[str, str]]:
    return {name: dict(spec.columns) for name, spec in specs.items()}


def parse(sql: str, dialect: str) -> exp.Expression:
    read = "postgres" if dialect == "postgres" else dialect
    try:
        statements = sqlglot.parse(sql, read=read)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        detail = first.get("description") or str(exc).splitlines()[0]
        raise QueryError(f"SQL does not parse{where}: {detail}", first.get("line")) from None
    statements = [s for s in statements if s is not None]
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise QueryError("a golden query is exactly one SELECT statement")
    write = statements[0].find(*WRITES)
    if write is not None:
        cte = write.find_ancestor(exp.CTE)
        where = f"its WITH {cte.alias_or_name} holds" if cte else "it holds"
        raise QueryError(
            f"a golden query only reads, and {where} {write.key.upper()}: make every part "
            "of it a SELECT"
        )
    return statements[0]


@cache
def _evaluator_connection() -> duckdb.DuckDBPyConnection:
    """One empty in-memory database per process; each evaluator takes its own cursor."""
    return duckdb.connect()


class ConstantEvaluator:
    """Values of column-free expressions with CURRENT_DATE bound to the as-of date."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.con = _evaluator_connection().cursor()

    def bind(self, node: exp.Expression) -> exp.Expression:
        today = exp.cast(exp.Literal.string(self.as_of.isoformat()), exp.DataType.Type.DATE)
        now = exp.cast(exp.Literal.string(f"{self.as_of} 00:00:00"), exp.DataType.Type.TIMESTAMP)

        def swap(n: exp.Expression) -> exp.Expression:
            if isinstance(n, exp.CurrentDate):
                return today.copy()
            if isinstance(n, exp.CurrentTimestamp | exp.CurrentDatetime) or (
                isinstance(n, exp.Anonymous) and n.name.lower() == "now"
            ):
                return now.copy()
            return n

        return node.copy().transform(swap)

    def value(self, node: exp.Expression) -> object:
        sql = self.bind(node).sql(dialect="duckdb")
        try:
            return self.con.execute(f"SELECT {sql}").fetchone()[0]
        except duckdb.Error as exc:
            raise QueryError(f"cannot evaluate {node.sql()} at {self.as_of}: {exc}") from None


def as_day(value: object) -> date | None:
    """Windows are in whole days: a timestamp bound counts from its day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def unit_end(start: date, unit: str) -> date:
    months = {"YEAR": 12, "QUARTER": 3, "MONTH": 1}.get(unit)
    if months:
        return add_months(start, months)
    return start + timedelta(days=7 if unit == "WEEK" else 1)


def column_side(node: exp.Expression) -> tuple[exp.Column, str] | None:
    """The date column a predicate side filters, with its granularity ('DAY' when bare)."""
    if isinstance(node, exp.Column):
        return node, "DAY"
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Column):
        return node.this, "DAY"
    if isinstance(node, exp.TimestampTrunc | exp.DateTrunc | exp.DatetimeTrunc):
        inner, unit = node.this, node.args.get("unit")
        name = (unit.name if unit is not None else "").upper().rstrip("S")
        if isinstance(inner, exp.Column) and name in TRUNC_UNITS:
            return inner, name
    if isinstance(node, exp.Year) and isinstance(node.this, exp.Column):
        return node.this, "YEAR_NUMBER"
    is_year = isinstance(node, exp.Extract) and node.this.name.upper() == "YEAR"
    if is_year and isinstance(node.expression, exp.Column):
        return node.expression, "YEAR_NUMBER"
    return None


def predicate_window(op: type, unit: str, value: object) -> Window | None:
    """The window `<column at unit> <op> value` selects."""
    if unit == "YEAR_NUMBER":
        if not isinstance(value, int | float):
            return None
        year = int(value)
        starts = {exp.EQ: (year, year + 1), exp.GTE: (year, None), exp.GT: (year + 1, None)}
        starts |= {exp.LT: (None, year), exp.LTE: (None, year + 1)}
        lo, hi = starts[op]
        return Window(date(lo, 1, 1) if lo else None, date(hi, 1, 1) if hi else None)
    day = as_day(value)
    if day is None:
        return None
    after = unit_end(day, unit)
    return {
        exp.EQ: Window(day, after),
        exp.GTE: Window(day, None),
        exp.GT: Window(after, None),
        exp.LT: Window(None, day),
        exp.LTE: Window(None, after),
    }[op]


def conjuncts(where: exp.Expression | None) -> list[exp.Expression]:
    if where is None:
        return []
    node = where.this
    return list(node.flatten()) if isinstance(node, exp.And) else [node]


def column_origin(scope: Scope, column: exp.Column, schema: dict) -> tuple[str, str] | None:
    """The warehouse (table, column) a column reads, followed through CTEs and subqueries
    that pass it on unchanged (renamed or not); None for a computed column."""
    source = scope.sources.get(column.table)
    if isinstance(source, exp.Table):
        return (source.name, column.name) if source.name in schema else None
    if not isinstance(source, Scope) or not isinstance(source.expression, exp.Select):
        return None
    for select in source.expression.selects:
        inner = select.unalias()
        if select.alias_or_name == column.name and isinstance(inner, exp.Column):
            return column_origin(source, inner, schema)
    return None


def temporal_filters(
    scope: Scope, schema: dict, evaluator: ConstantEvaluator, number: int
) -> list[TemporalFilter]:
    found = []
    for predicate in conjuncts(scope.expression.args.get("where")):
        sides: list[tuple[type, exp.Expression, exp.Expression]] = []
        if isinstance(predicate, exp.Between):
            sides = [(exp.GTE, predicate.this, predicate.args["low"])]
            sides.append((exp.LTE, predicate.this, predicate.args["high"]))
        elif type(predicate) in FLIPPED:
            sides = [(type(predicate), predicate.this, predicate.expression)]
            sides.append((FLIPPED[type(predicate)], predicate.expression, predicate.this))
        for op, left, right in sides:
            target = column_side(left)
            if target is None or right.find(exp.Column) is not None:
                continue
            column, unit = target
            origin = column_origin(scope, column, schema)
            if origin is None or schema[origin[0]].get(origin[1]) not in TEMPORAL_TYPES:
                continue
            window = predicate_window(op, unit, evaluator.value(right))
            if window is not None:
                found.append(
                    TemporalFilter(*origin, window, predicate.sql(), number, line_of(column))
                )
    return found


def refuse_empty_windows(filters: list[TemporalFilter]) -> None:
    """A SELECT whose date filters on one column select no day (an inverted window) can
    only return nothing: one error naming the filters and the window they leave."""
    by_column: dict[tuple[int, str, str], list[TemporalFilter]] = {}
    for f in filters:
        by_column.setdefault((f.scope, f.table, f.column), []).append(f)
    for (_, table, column), found in by_column.items():
        window = found[0].window
        for f in found[1:]:
            window = window.intersect(f.window)
        if window.empty:
            predicates = " AND ".join(f.predicate for f in found)
            raise QueryError(
                f"the filters {predicates} on {table}.{column} select no day (the window "
                f"{window} ends before it starts): the answer would be empty",
                found[0].line,
            )


def entity_literals(tree: exp.Expression) -> list[tuple[str, str]]:
    """String literals compared with an enumerated column: candidates for hero entities."""
    out = []
    for node in tree.find_all(exp.EQ, exp.In):
        column = node.this if isinstance(node.this, exp.Column) else None
        values = node.expressions if isinstance(node, exp.In) else [node.expression]
        if column is None or column.name not in COLUMN_VOCABULARY:
            continue
        out += [(column.name, v.name) for v in values if isinstance(v, exp.Literal) and v.is_string]
    return out


def analyze(
    sql: str,
    as_of: date,
    dialect: str = "duckdb",
    schema: dict[str, dict[str, str]] | None = None,
    aliases: Mapping[str, Iterable[str]] | None = None,
    dataset: str | None = None,
) -> QueryAnalysis:
    """Everything a golden query needs from the data; QueryError when it cannot run.

    `aliases` adds allowed literal values per column (e.g. an external brand alias);
    `dataset` is the qualifier its tables may carry (`demo.patient_journeys`)."""
    schema = schema or schema_of()
    read = "postgres" if dialect == "postgres" else dialect
    tree = resolve_tables(parse(sql, dialect), schema, dataset, read)
    resolved = qualified(tree, schema, read)
    literals = entity_literals(resolved)
    allowed = {c: set(v) | set((aliases or {}).get(c, ())) for c, v in COLUMN_VOCABULARY.items()}
    bad = [f"{c} = {v!r}{nearest(v, allowed[c])}" for c, v in literals if v not in allowed[c]]
    if bad:
        raise QueryError(f"no such value(s): {'; '.join(bad)}: the answer would be empty")
    evaluator = ConstantEvaluator(as_of)
    tables, columns, temporal = [], [], []
    for number, scope in enumerate(traverse_scope(resolved)):
        sources = {
            a: s.name
            for a, s in scope.sources.items()
            if isinstance(s, exp.Table) and s.name in schema
        }
        tables += sources.values()
        columns += [(sources[c.table], c.name) for c in scope.columns if c.table in sources]
        temporal += temporal_filters(scope, schema, evaluator, number)
    refuse_empty_windows(temporal)
    joins = [j.args["on"].sql() for j in resolved.find_all(exp.Join) if j.args.get("on")]
    joins += [
        ", ".join(i.name for i in j.args["using"])
        for j in resolved.find_all(exp.Join)
        if j.args.get("using")
    ]
    outer = resolved if isinstance(resolved, exp.Select) else resolved.find(exp.Select)
    aggregated = any(
        a.find_ancestor(exp.Window, exp.Select) is outer for a in outer.find_all(exp.AggFunc)
    )
    group = outer.args.get("group")
    order = outer.args.get("order")
    limit = outer.args.get("limit")
    limit_value = limit.expression if limit is not None else None
    duckdb_sql = evaluator.bind(tree).sql(dialect="duckdb")
    return QueryAnalysis(
        sql=sql,
        duckdb_sql=duckdb_sql,
        postgres_sql=evaluator.bind(tree).sql(dialect="postgres"),
        tables=tuple(dict.fromkeys(tables)),
        joins=tuple(joins),
        columns=tuple(dict.fromkeys(columns)),
        aggregations=tuple(dict.fromkeys(a.key.upper() for a in resolved.find_all(exp.AggFunc))),
        group_by=tuple(g.sql() for g in group.expressions) if group else (),
        order_by=tuple(o.sql() for o in order.expressions) if order else (),
        limit=int(limit_value.name) if isinstance(limit_value, exp.Literal) else None,
        entity_literals=tuple(dict.fromkeys(literals)),
        temporal=tuple(temporal),
        outputs=output_columns(duckdb_sql),
        ordered=resolved.args.get("order") is not None,
        single_row=isinstance(resolved, exp.Select) and aggregated and group is None,
    )
