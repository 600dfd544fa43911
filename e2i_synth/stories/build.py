"""A story's dataset: its scenario generated, its patients arriving up to its data cut (the
as-of date, or the end of the last closed month for an external audience) and nothing
dated after it, its heroes made to dominate, its names fitted to the audience, its truth
recomputed, and its golden queries checked, retrying with stronger hero weights when an
answer is dull."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

from e2i_synth.catalog import BRANDS
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.stories.analyzer import QueryAnalysis, QueryError, analyze
from e2i_synth.stories.audience import (
    brand_alias,
    data_end,
    neutral_names,
    present,
    present_key,
    present_product,
)
from e2i_synth.stories.golden import Context, QueryOutcome, duckdb_connection, run_golden
from e2i_synth.stories.heroes import HeroResult, apply_product, apply_segment, apply_top_hcp
from e2i_synth.stories.model import Story
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
WEIGHT_STEP = 0.5
"""Each retry raises the hero shares by this fraction of the story's targets, and divides
the share of dated rows outside the queries' windows by the same weight."""


class StoryCheckError(E2IError):
    """Golden queries still fail after every attempt."""


@dataclass(frozen=True)
class Attempt:
    number: int
    weight: float
    heroes: tuple[HeroResult, ...]
    outcomes: tuple[QueryOutcome, ...]
    weighting: CalendarWeighting | None = None

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def retryable(self) -> bool:
        """Only dull answers can change with the weights; a query an engine rejects cannot."""
        return any(not o.passed for o in self.outcomes) and not any(
            o.errored for o in self.outcomes
        )

    def describe(self) -> str:
        failed = [o for o in self.outcomes if not o.passed]
        shares = ", ".join(f"{h.kind} {h.value} {h.share:.1%}" for h in self.heroes) or "none"
        if self.weighting is not None and self.weighting.stated is not None:
            shares += f"; in the queries' windows {self.weighting.reached:.1%}"
        return (
            f"attempt {self.number} (hero weight x{self.weight:g}; heroes: {shares}): "
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
        failed = [o for o in self.attempts[-1].outcomes if not o.passed]
        broken = self.structural_failures()
        if not failed and not broken:
            return
        parts = [o.failure_report() for o in failed] + [f"structural check {b}" for b in broken]
        raise StoryCheckError(
            f"{self.story.title!r}: {len(failed)} golden quer{'y' if len(failed) == 1 else 'ies'}"
            f" fail after {len(self.attempts)} attempt(s), {len(broken)} structural check(s) "
            "fail:\n" + "\n".join(parts)
        )


def analyze_story(story: Story) -> dict[int, QueryAnalysis]:
    """Every query analysed at the as-of date; the first unusable one is the error."""
    alias = brand_alias(story)
    products = BRANDS[story.scenario.brand].products
    aliases = (
        {"brand": [alias], "product": [present_product(p, story) for p in products]}
        if alias
        else None
    )
    analyses = {}
    for query in story.queries:
        try:
            analyses[query.sequence] = analyze(
                query.expected_sql, story.as_of, story.dialect, aliases=aliases
            )
        except E2IError as exc:
            raise type(exc)(f"query {query.sequence} ({query.question!r}): {exc}") from None
        read = analyses[query.sequence].tables
        if query.tables is not None and set(query.tables) != set(read):
            raise QueryError(
                f"query {query.sequence} ({query.question!r}) states tables "
                f"{', '.join(sorted(query.tables))} but its SQL reads {', '.join(sorted(read))}"
            )
        refuse_future_windows(story, query.sequence, query.question, analyses[query.sequence])
    return analyses


def refuse_future_windows(story: Story, sequence: int, question: str, a: QueryAnalysis) -> None:
    """A window that starts after the story's data end selects nothing that exists."""
    end = data_end(story)
    for (_, table, column), window in a.scope_windows().items():
        if window.start is not None and window.start > end:
            which = "the as-of date" if end == story.as_of else "the end of the last closed month"
            raise QueryError(
                f"query {sequence} ({question!r}): the window {window} on {table}.{column} "
                f"starts after the story's data end {end} ({which}): nothing is dated in it"
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
    plan = plan_timeline(frames, windows, story.as_of, end, shift)
    if weighting is not None:
        assert story.temporal is not None
        weighting = replace(weighting, stated=story.temporal.window_share)
    return frames, plan, weighting


def story_frames(story: Story, calendar: Frames, weight: float) -> tuple[Frames, list[HeroResult]]:
    """The story's calendar frames with its overrides, as a pure transformation."""
    frames = calendar
    heroes: list[HeroResult] = []
    if story.heroes.hcp_segment:
        frames, result = apply_segment(frames, story.heroes.hcp_segment, weight)
        heroes.append(result)
    if story.heroes.product:
        frames, result = apply_product(frames, story.heroes.product, story.scenario.seed, weight)
        heroes.append(result)
    if story.heroes.hcp:
        frames, result = apply_top_hcp(frames, story.heroes.hcp, story.scenario.seed, weight)
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
    """Build and check the story, at most `retries + 1` times (no retry after an engine
    error: weights cannot fix SQL).

    `engines` maps an engine name to a function that loads the presented frames and
    returns a context manager giving an executor (`stories.postgres.postgres_engine`);
    DuckDB in memory always runs, the engines given run the same queries after it."""
    analyses = analyze_story(story)
    moves = story.temporal is not None and story.temporal.window_share is not None
    attempts: list[Attempt] = []
    for number in range(story.retries + 1):
        weight = 1 + WEIGHT_STEP * number
        if number == 0 or moves:
            calendar, plan, weighting = story_calendar(story, analyses, weight)
        frames, heroes = story_frames(story, calendar, weight)
        presented = present(frames, story)
        context = Context(hero_values(story, heroes), read_truths(frames))
        outcomes = check_queries(story, analyses, presented, context, engines or {}, plan)
        attempts.append(Attempt(number + 1, weight, tuple(heroes), tuple(outcomes), weighting))
        if on_attempt:
            on_attempt(attempts[-1])
        if not attempts[-1].retryable:
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
