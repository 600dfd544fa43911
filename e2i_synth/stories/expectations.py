"""What a golden query's expectations ask of its answer and of the scenario, checked before
any data is made: each names a column the query returns, of a type it can judge, and a
truth the chosen DGP plants."""

from __future__ import annotations

from e2i_synth.catalog import DGPS
from e2i_synth.stories.analyzer import QueryAnalysis
from e2i_synth.stories.model import GoldenQuery, Story
from e2i_synth.stories.names import is_numeric

NUMERIC_KINDS = ("above", "below", "trend", "truth")
ORDERED_KINDS = ("top_row", "trend")
REGION_TRUTHS = ("largest_cate_region", "smallest_cate_region")


def _column_problem(analysis: QueryAnalysis, column: str, role: str) -> str | None:
    if analysis.output_type(column) is not None:
        return None
    returned = ", ".join(name for name, _ in analysis.outputs)
    return f"{role} {column!r} is not a column of the answer (it returns {returned})"


def expectation_problems(
    story: Story, query: GoldenQuery, analysis: QueryAnalysis
) -> list[tuple[int, str]]:
    """(index in `expect`, problem) for each expectation the query or the DGP cannot meet."""
    dgp = DGPS[story.scenario.dgp]
    problems: list[tuple[int, str]] = []
    for j, expectation in enumerate(query.expect):
        kind = expectation.kind
        if kind == "non_empty":
            continue
        spec = getattr(expectation, kind)
        missing = _column_problem(analysis, spec.column, f"{kind}: column")
        if missing:
            problems.append((j, missing))
            continue
        if kind in ORDERED_KINDS and not analysis.ordered and not analysis.single_row:
            problems.append(
                (
                    j,
                    f"{kind} reads the answer's rows in order, and the query states none: the "
                    "engine may return them in any order; add ORDER BY",
                )
            )
        column_type = analysis.output_type(spec.column) or ""
        if kind in NUMERIC_KINDS and not is_numeric(column_type):
            problems.append(
                (
                    j,
                    f"{kind} compares numbers, and {spec.column!r} is {column_type}: name a "
                    "numeric column or cast it",
                )
            )
        if kind == "truth" and spec.effect == "cate":
            if dgp.segment_column is None:
                problems.append(
                    (
                        j,
                        f"dgp {dgp.name} plants one effect for everyone, no CATE: use "
                        "effect: ate, or a DGP whose effect differs by segment (heterogeneous, "
                        "by region)",
                    )
                )
            elif missing_by := _column_problem(analysis, spec.by, "truth: by"):
                problems.append((j, missing_by))
        if kind == "top_row" and spec.truth in REGION_TRUTHS and dgp.segment_column != "region":
            planted = f"effects by {dgp.segment_column}" if dgp.segment_column else "one effect"
            problems.append(
                (
                    j,
                    f"{spec.truth} needs a DGP whose effect differs by region; dgp {dgp.name} "
                    f"plants {planted}",
                )
            )
    return problems
