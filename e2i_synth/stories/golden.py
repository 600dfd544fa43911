"""Golden-query checks: run each query on the story's tables and judge its answer.

An answer fails when the query errors, returns no rows or rows that show nothing (every
figure 0 or NULL), asks about days the data does not hold, or is dull by the story's own
measure (the hero is not on top, the value misses its threshold, the trend is flat or the
wrong way, the estimate is off the planted truth); the failure carries the query, a
preview of the answer and the reasons, so a presenter sees what a live demo would show.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Number
from statistics import NormalDist

import duckdb
import numpy as np
import pandas as pd

from e2i_synth.stories.model import Expectation, GoldenQuery
from e2i_synth.stories.truth import OVERALL, Truths

Frames = dict[str, pd.DataFrame]
PREVIEW_ROWS = 5
TRUTH_FALSE_FAILURE = 0.001
TRUTH_Z = float(NormalDist().inv_cdf(1 - TRUTH_FALSE_FAILURE / 2))
"""A truth check of a correct estimate fails with probability at most 0.1% per row: the
tolerance is at least TRUTH_Z (3.29) standard errors (two-sided)."""


@dataclass(frozen=True)
class QueryOutcome:
    sequence: int
    question: str
    complexity: str
    engine: str
    sql: str
    passed: bool
    reasons: tuple[str, ...]
    errored: bool  # no data change fixes it: the engine rejected it, or its window is empty
    rows: int
    preview: str
    seconds: float

    def describe(self) -> str:
        verdict = "ok" if self.passed else "FAILED: " + "; ".join(self.reasons)
        return f"query {self.sequence} ({self.complexity}, {self.engine}) {verdict}"

    def failure_report(self) -> str:
        return (
            f"{self.describe()}\n  question: {self.question}\n  sql: {' '.join(self.sql.split())}"
            f"\n  answer ({self.rows} rows):\n    " + self.preview.replace("\n", "\n    ")
        )


@dataclass(frozen=True)
class Context:
    """What expectations compare against: hero values and the DGP's truths."""

    heroes: Mapping[str, str]
    truths: Truths


def duckdb_connection(frames: Frames) -> duckdb.DuckDBPyConnection:
    """An in-memory database with each frame visible as a table of its name."""
    con = duckdb.connect()
    for name, frame in frames.items():
        con.register(name, frame)
    return con


def _numbers(answer: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(answer[column], errors="coerce").to_numpy(dtype=float)


def judge(expectation: Expectation, answer: pd.DataFrame, context: Context) -> str | None:
    """The reason this answer misses the expectation, or None when it meets it."""
    kind = expectation.kind
    spec = getattr(expectation, kind)
    if kind == "non_empty":
        return None
    by_name = {str(c).lower(): c for c in answer.columns}  # PostgreSQL folds names to lower
    if spec.column.lower() not in by_name:
        return f"{kind}: the answer has no column {spec.column!r} (it has {list(answer.columns)})"
    answer = answer.rename(columns={by_name[spec.column.lower()]: spec.column})
    if kind == "truth" and spec.by is not None and spec.by.lower() in by_name:
        answer = answer.rename(columns={by_name[spec.by.lower()]: spec.by})
    if kind == "top_row":
        wanted = spec.equals or (
            context.heroes[spec.hero] if spec.hero else context.truths.value(spec.truth)
        )
        got = str(answer[spec.column].iloc[0])
        label = f"hero {spec.hero}" if spec.hero else (f"truth {spec.truth}" if spec.truth else "")
        return None if got == wanted else f"top {spec.column} is {got!r}, not {wanted!r} {label}"
    values = _numbers(answer, spec.column)
    if kind in ("above", "below"):
        checked = values[:1] if spec.rows == "first" else values
        ok = checked > spec.value if kind == "above" else checked < spec.value
        if np.all(ok) and not np.isnan(checked).any():
            return None
        worst = checked[~ok][0] if (~ok).any() else float("nan")
        return f"{spec.column} = {worst:.6g} is not {kind} {spec.value:g} ({spec.rows} row(s))"
    if kind == "trend":
        if len(values) < 3 or np.isnan(values).any():
            return f"trend needs at least 3 numeric rows of {spec.column}, got {len(values)}"
        from scipy.stats import linregress  # SciPy loads with a trend to judge

        fit = linregress(np.arange(len(values)), values)
        first = fit.intercept
        change = fit.slope * (len(values) - 1) / abs(first) if first else np.inf * fit.slope
        signed = change if spec.direction == "up" else -change
        if signed >= spec.min_change:
            return None
        return (
            f"{spec.column} changes {change:+.1%} over {len(values)} rows (fitted line); the "
            f"story needs {spec.direction} by at least {spec.min_change:.0%}"
        )
    # truth
    truths = context.truths
    if spec.effect == "ate":
        names = [OVERALL] * len(values)
        expected = np.full(len(values), truths.ate)
    else:
        names = answer[spec.by].astype(str).tolist()
        unknown = [n for n in names if n not in truths.cate]
        if unknown:
            return f"no planted effect for {spec.by} {unknown[0]!r} (known: {list(truths.cate)})"
        expected = np.array([truths.cate[n] for n in names])
    errors = np.array([truths.standard_error(n) for n in names])
    tolerance = np.maximum(spec.tolerance or 0.0, TRUTH_Z * errors)
    off = np.abs(values - expected) > tolerance
    if not off.any() and not np.isnan(values).any():
        return None
    i = int(np.argmax(off | np.isnan(values)))
    rule = tolerance_rule(spec.tolerance, errors[i])
    return (
        f"{spec.column} for {names[i]} is {values[i]:.4f}; the planted {spec.effect} is "
        f"{expected[i]:.4f} (tolerance {tolerance[i]:.4f}: {rule})"
    )


def tolerance_rule(stated: float | None, error: float) -> str:
    """How a truth check's tolerance came about: the larger of the stated one and
    TRUTH_Z standard errors of the estimate at the story's scale."""
    sampled = f"{TRUTH_Z:.2f} x SE {error:.4f}"
    return sampled if stated is None else f"larger of stated {stated:g} and {sampled}"


def is_figure(column: pd.Series) -> bool:
    """A column of numbers (or flags), however the engine typed them (PostgreSQL's
    NUMERIC arrives as Decimal objects)."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return True
    values = column.dropna()
    return len(values) > 0 and all(isinstance(v, Number) for v in values)


def shows_nothing(answer: pd.DataFrame) -> str | None:
    """Why an answer with rows still shows nothing: every value NULL, or every figure in
    it 0 or NULL (a COUNT over days without data is one row of 0)."""
    if answer.isna().all().all():
        return "every value of the answer is NULL: the query finds nothing"
    figures = [c for c in answer.columns if is_figure(answer[c])]
    if not figures:
        return None
    values = pd.concat([pd.to_numeric(answer[c].astype(float)) for c in figures])
    if ((values == 0) | values.isna()).all():
        return (
            f"every figure of the answer ({', '.join(map(str, figures))}) is 0 or NULL: "
            "the query finds nothing"
        )
    return None


def check_answer(query: GoldenQuery, answer: pd.DataFrame, context: Context) -> list[str]:
    if answer.empty:
        return ["empty answer"]
    nothing = shows_nothing(answer)
    judged = [r for e in query.expect if (r := judge(e, answer, context)) is not None]
    return [nothing, *judged] if nothing else judged


def run_golden(
    query: GoldenQuery,
    sql: str,
    engine: str,
    execute,
    context: Context,
    blocked: Sequence[str] = (),
) -> QueryOutcome:
    """Run one query with `execute(sql) -> DataFrame` and judge the answer; `blocked`
    are reasons known before it runs (a window that holds no data), which fail it and
    no retry can fix."""
    started = time.perf_counter()
    try:
        answer = execute(sql)
    except Exception as exc:  # any engine error is the query's failure, reported as such
        reasons, answer = [f"{engine} error: {str(exc).splitlines()[0]}"], pd.DataFrame()
        errored = True
    else:
        errored = bool(blocked)
        reasons = [*blocked, *check_answer(query, answer, context)]
    preview = (
        answer.head(PREVIEW_ROWS).to_string(index=False)
        if len(answer)
        else f"(no rows; columns: {', '.join(map(str, answer.columns)) or 'none'})"
    )
    return QueryOutcome(
        sequence=query.sequence,
        question=query.question,
        complexity=query.complexity,
        engine=engine,
        sql=sql,
        passed=not reasons,
        reasons=tuple(reasons),
        errored=errored,
        rows=len(answer),
        preview=preview,
        seconds=time.perf_counter() - started,
    )
