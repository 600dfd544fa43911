"""A story's dataset: its scenario generated, its patients arriving up to its data cut (the
as-of date, or the end of the last closed month for an external audience) and nothing
dated after it, its heroes made to dominate, its names fitted to the audience, its truth
recomputed, and its golden queries checked, retrying with stronger hero weights when an
answer is dull."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

from e2i_synth.catalog import BRANDS
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.stories.analyzer import QueryAnalysis, analyze
from e2i_synth.stories.audience import (
    brand_alias,
    data_end,
    neutral_names,
    present,
    present_key,
    present_product,
)
from e2i_synth.stories.expectations import expectation_problems
from e2i_synth.stories.golden import Context, QueryOutcome, duckdb_connection, run_golden
from e2i_synth.stories.heroes import HeroResult, apply_product, apply_segment, apply_top_hcp
from e2i_synth.stories.launch import hcp_features_from_launch
from e2i_synth.stories.model import Story, StoryError, problem_list, read_story
from e2i_synth.stories.names import QueryError
from e2i_synth.stories.retries import CALENDAR, calendar_missed, initial_weights, next_weights
from e2i_synth.stories.seasons import CalendarWeighting, calendar_frames, raised
from e2i_synth.stories.timeline import (
    TimelinePlan,
    apply_shift,
    calendar_shift,
    cut_frames,
    plan_timeline,
)
from e2i_synth.stories.truth import read_truths, recompute_truth
from e2i_synth.tables import build_tables
from e2i_synth.validation.suite import structural_checks
from e2i_synth.world import World, draw_world

Frames = dict[str, pd.DataFrame]
Engine = Callable[[Frames], AbstractContextManager[Callable[[str], pd.DataFrame]]]


class StoryCheckError(E2IError):
    """Golden queries still fail after every attempt, or a stated share is not reached."""


@dataclass(frozen=True)
class Attempt:
    number: int
    weights: Mapping[str, float]  # lever (hero kind, "calendar") -> its retry weight
    heroes: tuple[HeroResult, ...]
    outcomes: tuple[QueryOutcome, ...]
    weighting: CalendarWeighting | None = None
    n_patients: int = 0
    next_step: str = ""  # what the build did after it: a retry and why, or why it stopped

    @property
    def weight(self) -> float:
        """The strongest weight of the attempt (1 on the first)."""
        return max(self.weights.values(), default=1.0)

    @property
    def misses(self) -> list[str]:
        """Every share the story states and this attempt does not reach."""
        missed = [h.describe_miss() for h in self.heroes if h.missed]
        calendar = calendar_missed(self.weighting, self.n_patients)
        return missed + ([calendar] if calendar else [])

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes) and not self.misses

    def describe(self) -> str:
        failed = [o for o in self.outcomes if not o.passed]
        shares = ", ".join(f"{h.kind} {h.value} {h.share:.1%}" for h in self.heroes) or "none"
        if self.weighting is not None and self.weighting.stated is not None:
            shares += f"; in the queries' windows {self.weighting.reached:.1%}"
        raised = ", ".join(f"{k} x{w:g}" for k, w in self.weights.items() if w != 1) or "none"
        return (
            f"attempt {self.number} (weights raised: {raised}; heroes: {shares}): "
            f"{len(self.outcomes) - len(failed)}/{len(self.outcomes)} golden queries pass"
        )


@dataclass(frozen=True)
class StoryBuild:
    story: Story
    analyses: dict[int, QueryAnalysis]
    plan: TimelinePlan
    weighting: CalendarWeighting | None  # None: the story states no `temporal` section
    frames: Frames  # the story's tables in the warehouse vocabulary (structurally checked)
    presented: Frames  # as the audience sees them: queried and exported
    attempts: tuple[Attempt, ...]  # in order; the last one is the dataset

    @property
    def passed(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].passed

    def structural_failures(self) -> list[str]:
        """Every structural check of the warehouse on the story's tables, failures only."""
        return [f"{r.name}: {r.message}" for r in structural_checks(self.frames) if not r.passed]

    def verdict(self) -> None:
        """Raise StoryCheckError naming every failing golden query of the last attempt and
        every structural check the story's tables break."""
        last = self.attempts[-1]
        failed = [o for o in last.outcomes if not o.passed]
        broken = self.structural_failures()
        if not failed and not broken and not last.misses:
            return
        parts = [o.failure_report() for o in failed] + [f"structural check {b}" for b in broken]
        parts += [f"stated share missed: {m}" for m in last.misses]
        stop = f" ({last.next_step})" if last.next_step else ""
        raise StoryCheckError(
            f"{self.story.title!r}: {len(failed)} golden quer{'y' if len(failed) == 1 else 'ies'}"
            f" failed after {len(self.attempts)} attempt(s){stop}, {len(broken)} structural "
            f"check(s) fail, {len(last.misses)} stated share(s) missed:\n" + "\n".join(parts)
        )


def analyze_story(story: Story) -> dict[int, QueryAnalysis]:
    """Every query analysed at the as-of date and its expectations checked against its
    answer's columns and the DGP; one QueryError naming every problem with its file line
    and query."""
    analyses, problems = query_problems(story)
    if problems:
        raise QueryError(problem_list(problems, "the story's queries"))
    return analyses


def validate_story(text: str, source: str = "<story>") -> tuple[Story, dict[int, QueryAnalysis]]:
    """The story and its query analyses, or one StoryError listing in one pass every
    problem of the schema, the hero declarations and each query that can be analysed."""
    story, problems = read_story(text, source)
    analyses, queried = query_problems(story) if story is not None else ({}, [])
    if problems or queried or story is None:
        raise StoryError(problem_list(problems + queried, "the story"))
    return story, analyses


def query_problems(story: Story) -> tuple[dict[int, QueryAnalysis], list[str]]:
    """Each query's analysis, and each problem as `file line N, query K ('question'): ...`."""
    alias = brand_alias(story)
    products = BRANDS[story.scenario.brand].products
    aliases = (
        {"brand": [alias], "product": [present_product(p, story) for p in products]}
        if alias
        else None
    )
    analyses, problems = {}, []
    for i, query in enumerate(story.queries):
        label = f"query {query.sequence} ({query.question!r})"
        try:
            analysis = analyze(
                query.expected_sql,
                story.as_of,
                story.dialect,
                aliases=aliases,
                dataset=story.dataset,
            )
            refuse_future_windows(story, analysis)
        except QueryError as exc:
            where = story.where("queries", i, "expected_sql", sql_line=exc.sql_line or 1)
            problems.append(f"{where}, {label}: {exc}")
            continue
        analyses[query.sequence] = analysis
        stated = {t.lower() for t in query.tables or ()}
        if query.tables is not None and stated != set(analysis.tables):
            problems.append(
                f"{story.where('queries', i, 'tables')}, {label}: states tables "
                f"{', '.join(sorted(query.tables))} but its SQL reads "
                f"{', '.join(sorted(analysis.tables))}"
            )
        problems += [
            f"{story.where('queries', i, 'expect', j)}, {label}: {problem}"
            for j, problem in expectation_problems(story, query, analysis)
        ]
    return analyses, problems


def refuse_future_windows(story: Story, a: QueryAnalysis) -> None:
    """A window that starts after the story's data end selects nothing that exists."""
    end = data_end(story)
    for (_, table, column), window in a.scope_windows().items():
        if window.start is not None and window.start > end:
            which = "the as-of date" if end == story.as_of else "the end of the last closed month"
            raise QueryError(
                f"the window {window} on {table}.{column} starts after the story's data end "
                f"{end} ({which}): nothing is dated in it"
            )


@lru_cache(maxsize=2)
def scenario_world(brand: str, dgp: str, n_patients: int, seed: int) -> World:
    return draw_world(Scenario(brand, dgp), n_patients, seed)


@lru_cache(maxsize=2)
def scenario_frames(brand: str, dgp: str, n_patients: int, seed: int) -> Frames:
    """The scenario a story builds on, never modified (the last two are kept: retries and
    stories on the same scenario share them)."""
    return build_tables(scenario_world(brand, dgp, n_patients, seed))


def story_calendar(
    story: Story, analyses: dict[int, QueryAnalysis], weight: float = 1.0
) -> tuple[Frames, TimelinePlan, CalendarWeighting | None]:
    """The story's tables before its overrides, on its calendar and cut on its data end:
    the scenario's world re-dated so its patients arrive up to the data cut (weighted
    toward the queries' windows with `weight` when the story states a `temporal`
    section), cut on it, built, and moved onto the story's dates; the plan that moved
    them, with each window's coverage; how the dates were weighted."""
    spec = story.scenario
    world = scenario_world(spec.brand, spec.dgp, spec.n_patients, spec.seed)
    base = scenario_frames(spec.brand, spec.dgp, spec.n_patients, spec.seed)
    windows = [(t, c, w) for a in analyses.values() for (t, c), w in a.windows().items()]
    end = data_end(story)
    shift = calendar_shift(end)
    temporal = raised(story.temporal, weight) if story.temporal else None
    frames, weighting = calendar_frames(world, base, windows, temporal, shift.days, end, spec.seed)
    frames = cut_frames(apply_shift(frames, shift), end)
    frames = hcp_features_from_launch(frames, spec.brand, shift)
    plan = plan_timeline(frames, windows, story.as_of, end, shift)
    if weighting is not None:
        assert story.temporal is not None
        weighting = replace(weighting, stated=story.temporal.window_share)
    return frames, plan, weighting


def story_frames(
    story: Story, calendar: Frames, weights: Mapping[str, float] | float = 1.0
) -> tuple[Frames, list[HeroResult]]:
    """The story's calendar frames with its overrides, as a pure transformation; each hero
    aims at its stated share times its weight."""

    def weight(kind: str) -> float:
        return weights if isinstance(weights, float | int) else weights.get(kind, 1.0)

    frames = calendar
    heroes: list[HeroResult] = []
    seed = story.scenario.seed
    if story.heroes.hcp_segment:
        frames, result = apply_segment(frames, story.heroes.hcp_segment, weight("hcp_segment"))
        heroes.append(result)
    if story.heroes.product:
        frames, result = apply_product(frames, story.heroes.product, seed, weight("product"))
        heroes.append(result)
    if story.heroes.hcp:
        frames, result = apply_top_hcp(frames, story.heroes.hcp, seed, weight("hcp"))
        heroes.append(result)
    if story.audience == "external":
        frames = neutral_names(frames)
    return recompute_truth(frames), heroes


def hero_values(story: Story, heroes: list[HeroResult]) -> dict[str, str]:
    shown = {"hcp": present_key, "product": present_product}
    values = {h.kind: shown.get(h.kind, lambda v, _: v)(h.value, story) for h in heroes}
    if story.heroes.brand:
        values["brand"] = brand_alias(story) or story.heroes.brand.value
    if story.heroes.region:
        values["region"] = story.heroes.region.value
    return values


def build_story(
    story: Story,
    engines: dict[str, Engine] | None = None,
    on_attempt: Callable[[Attempt], None] | None = None,
) -> StoryBuild:
    """Build and check the story, at most `retries + 1` times: a retry raises only the
    weights the failing queries depend on, and none follows when no change can help (an
    engine rejected a query, a window holds no data, every lever is at its limit); each
    attempt says which it was.

    `engines` maps an engine name to a function that loads the presented frames and
    returns a context manager giving an executor (`stories.postgres.postgres_engine`);
    DuckDB in memory always runs, the engines given run the same queries after it."""
    analyses = analyze_story(story)
    weights: Mapping[str, float] | None = initial_weights(story)
    attempts: list[Attempt] = []
    previous = None
    for number in range(story.retries + 1):
        assert weights is not None
        calendar_weight = weights.get(CALENDAR, 1.0)
        if number == 0 or calendar_weight != attempts[-1].weights.get(CALENDAR, 1.0):
            calendar, plan, weighting = story_calendar(story, analyses, calendar_weight)
        frames, heroes = story_frames(story, calendar, weights)
        presented = present(frames, story)
        context = Context(hero_values(story, heroes), read_truths(frames))
        outcomes = check_queries(story, analyses, presented, context, engines or {}, plan)
        decision = next_weights(story, analyses, weights, outcomes, heroes, weighting, previous)
        if number == story.retries and decision.weights is not None:
            decision = replace(decision, reason=f"no retries left ({story.retries} allowed)")
        n = len(frames["patient_journeys"])
        attempt = Attempt(
            number + 1, weights, tuple(heroes), tuple(outcomes), weighting, n, decision.reason
        )
        attempts.append(attempt)
        if on_attempt:
            on_attempt(attempt)
        previous, weights = weighting, decision.weights
        if weights is None:
            break
    return StoryBuild(story, analyses, plan, weighting, frames, presented, tuple(attempts))


def check_queries(
    story: Story,
    analyses: dict[int, QueryAnalysis],
    presented: Frames,
    context: Context,
    engines: dict[str, Engine],
    plan: TimelinePlan | None = None,
) -> list[QueryOutcome]:
    """Every query on DuckDB, then on each engine given; a query whose window holds no
    data in the plan fails with that reason whatever its answer."""
    blocked = {
        q.sequence: [c.describe() for c in plan.without_data(analyses[q.sequence].windows())]
        if plan
        else []
        for q in story.queries
    }
    con = duckdb_connection(presented)
    outcomes = [
        run_golden(
            q,
            analyses[q.sequence].duckdb_sql,
            "duckdb",
            lambda s: con.execute(s).df(),
            context,
            blocked[q.sequence],
        )
        for q in story.queries
    ]
    con.close()
    read = {t for a in analyses.values() for t in a.tables}
    for engine, open_engine in engines.items():
        with open_engine({t: f for t, f in presented.items() if t in read}) as execute:
            outcomes += [
                run_golden(
                    q,
                    analyses[q.sequence].postgres_sql,
                    engine,
                    execute,
                    context,
                    blocked[q.sequence],
                )
                for q in story.queries
            ]
    return outcomes
