"""What a retry may change: only the weights a failing query depends on (the heroes its
expectations name, the calendar when it filters on dates the story weights), and only
while raising them can still move something; otherwise the build stops and says why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from e2i_synth.stories.analyzer import QueryAnalysis
from e2i_synth.stories.golden import QueryOutcome
from e2i_synth.stories.heroes import MAX_HCP_SHARE, MAX_SEGMENT_SHARE, HeroResult
from e2i_synth.stories.model import GoldenQuery, Story
from e2i_synth.stories.seasons import CalendarWeighting

CALENDAR = "calendar"
WEIGHT_STEP = 0.5
"""Each retry raises a weight by this much: the hero's aim by this fraction of its stated
share, and divides the share of dated rows outside the queries' windows by the weight."""
CAPS = {"hcp_segment": MAX_SEGMENT_SHARE, "product": MAX_SEGMENT_SHARE, "hcp": MAX_HCP_SHARE}
SE_MARGIN = 3.0
"""A stated window share is missed when the share reached is more than this many binomial
standard errors below it (the index dates are drawn)."""


def movable_heroes(story: Story) -> dict[str, str]:
    """Hero kind -> the answer column it moves, for the heroes a retry can weight."""
    heroes = story.heroes
    columns = {
        "hcp_segment": heroes.hcp_segment.column if heroes.hcp_segment else None,
        "product": "product" if heroes.product else None,
        "hcp": "hcp_id" if heroes.hcp else None,
    }
    return {kind: column for kind, column in columns.items() if column}


def weights_calendar(story: Story) -> bool:
    return story.temporal is not None and story.temporal.window_share is not None


def query_levers(story: Story, query: GoldenQuery, analysis: QueryAnalysis) -> set[str]:
    """The weights that move this query's answer: heroes its `top_row` expectations name or
    whose column they compare, and the calendar when it filters on dates."""
    heroes = movable_heroes(story)
    levers: set[str] = set()
    for e in query.expect:
        if e.top_row is None:
            continue
        if e.top_row.hero in heroes:
            levers.add(e.top_row.hero)
        if e.top_row.equals is not None:
            column = e.top_row.column.lower()
            levers |= {kind for kind, c in heroes.items() if c == column}
    if weights_calendar(story) and analysis.windows():
        levers.add(CALENDAR)
    return levers


def calendar_missed(weighting: CalendarWeighting | None, n_patients: int) -> str | None:
    """Why the stated window share is not reached, or None."""
    if weighting is None or weighting.stated is None:
        return None
    p = weighting.stated
    margin = SE_MARGIN * np.sqrt(p * (1 - p) / max(n_patients, 1))
    if weighting.reached >= p - margin:
        return None
    return (
        f"temporal window_share: {weighting.reached:.1%} of the patients' index dates fall in "
        f"the queries' windows, the story states {p:.1%}"
    )


@dataclass(frozen=True)
class RetryDecision:
    weights: Mapping[str, float] | None  # the next attempt's; None: no further attempt
    reason: str


def saturated(
    heroes: Sequence[HeroResult],
    weighting: CalendarWeighting | None,
    previous: CalendarWeighting | None,
) -> dict[str, str]:
    """Lever -> why raising it further cannot change anything."""
    out = {}
    for h in heroes:
        if h.saturated:
            out[h.kind] = f"hero {h.kind} reaches no more than {h.share:.1%}" + (
                f" ({h.limit})" if h.limit else ""
            )
        elif h.target_share >= max(h.stated, CAPS[h.kind]):
            out[h.kind] = f"hero {h.kind} is at the most retries give it ({h.share:.1%})"
    if weighting is not None and (
        weighting.reached >= 1 - 1e-9
        or (previous is not None and weighting.reached <= previous.reached + 1e-9)
    ):
        out[CALENDAR] = f"the calendar no longer moves ({weighting.reached:.1%} in the windows)"
    return out


def next_weights(
    story: Story,
    analyses: Mapping[int, QueryAnalysis],
    weights: Mapping[str, float],
    outcomes: Sequence[QueryOutcome],
    heroes: Sequence[HeroResult],
    weighting: CalendarWeighting | None,
    previous: CalendarWeighting | None = None,
) -> RetryDecision:
    """The weights of the next attempt, raising only the levers of the failing queries that
    can still move; None with the reason when no retry can help."""
    failing = {o.sequence: o for o in outcomes if not o.passed}
    if not failing:
        return RetryDecision(None, "every golden query passes")
    errored = sorted({o.sequence for o in outcomes if o.errored})
    if errored:
        listed = ", ".join(map(str, errored))
        return RetryDecision(
            None,
            f"no retry: query {listed} cannot run or asks about days the data does not hold, "
            "which no weight changes",
        )
    stuck = saturated(heroes, weighting, previous)
    raise_: set[str] = set()
    helpless: list[str] = []
    for query in story.queries:
        if query.sequence not in failing:
            continue
        levers = query_levers(story, query, analyses[query.sequence])
        free = levers - set(stuck)
        if free:
            raise_ |= free
        elif levers:
            helpless.append(f"query {query.sequence}: {'; '.join(stuck[k] for k in levers)}")
        else:
            helpless.append(
                f"query {query.sequence} depends on no hero and no weighted window (its "
                "expectations compare with literals or the planted truth)"
            )
    if not raise_:
        return RetryDecision(None, "no retry can help: " + "; ".join(helpless))
    new = {k: w + WEIGHT_STEP if k in raise_ else w for k, w in weights.items()}
    raised = ", ".join(f"{k} x{new[k]:g}" for k in sorted(raise_))
    return RetryDecision(new, f"retrying with {raised}")


def initial_weights(story: Story) -> dict[str, float]:
    levers = list(movable_heroes(story)) + ([CALENDAR] if weights_calendar(story) else [])
    return dict.fromkeys(levers, 1.0)
