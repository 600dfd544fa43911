"""Lines for people: what a story's queries need, and how each build attempt went."""

from __future__ import annotations

from e2i_synth.stories.analyzer import QueryAnalysis
from e2i_synth.stories.build import Attempt, StoryBuild
from e2i_synth.stories.model import Story


def analysis_lines(story: Story, analyses: dict[int, QueryAnalysis]) -> list[str]:
    lines = [
        f"{story.title} ({story.audience}, as of {story.as_of}, {story.scenario.brand}|"
        f"{story.scenario.dgp}, {story.scenario.n_patients} patients, seed {story.scenario.seed})"
    ]
    for query in story.queries:
        a = analyses[query.sequence]
        windows = ", ".join(f"{t}.{c} {w}" for (t, c), w in a.windows().items()) or "none"
        literals = ", ".join(f"{c}={v}" for c, v in a.entity_literals) or "none"
        expects = ", ".join(e.kind for e in query.expect) or "non_empty"
        returns = ", ".join(f"{name} {kind}" for name, kind in a.outputs)
        lines.append(
            f"  {query.sequence}. [{query.complexity}] {query.question}\n"
            f"     tables: {', '.join(a.tables)}; aggregations: "
            f"{', '.join(a.aggregations) or 'none'}; windows: {windows}; entities: {literals}; "
            f"expects: {expects}\n     returns: {returns}"
        )
    return lines


def attempt_lines(attempt: Attempt) -> list[str]:
    lines = [attempt.describe()] + [
        f"  {o.describe()}  ({o.rows} rows, {o.seconds * 1000:.0f} ms)" for o in attempt.outcomes
    ]
    lines += [f"  MISSED {m}" for m in attempt.misses]
    shown = attempt.next_step and not attempt.passed
    return lines + ([f"  then: {attempt.next_step}"] if shown else [])


def plan_lines(build: StoryBuild) -> list[str]:
    plan = build.plan
    lines = [
        f"calendar: event dates +{plan.shift.days} days, monthly series +{plan.shift.months} "
        f"months (gap {plan.month_day_gap} days); data cut {plan.data_end}: nothing after it"
    ]
    lines += [
        f"  window {c.table}.{c.column} {c.window}: data {c.data[0]} .. {c.data[1]}"
        f"{'' if c.covered else ('  NOT COVERED' if c.holds_data else '  HOLDS NO DATA')}"
        for c in plan.coverage
    ]
    return lines + weighting_lines(build)


def weighting_lines(build: StoryBuild) -> list[str]:
    w = build.weighting
    if w is None:
        return []
    windows = ", ".join(str(x) for x in w.windows) or "none on patient dates"
    seasons = ", ".join(f"{m} x{f:g}" for m, f in w.seasonality.items()) or "none"
    stated = f"{w.stated:.0%}" if w.stated is not None else "not stated"
    return [
        f"weighting: patients' index dates in {windows}: {w.reached:.1%} (stated {stated}, "
        f"aimed {w.target:.1%}; {w.before:.1%} unweighted); seasonality: {seasons}"
    ]
