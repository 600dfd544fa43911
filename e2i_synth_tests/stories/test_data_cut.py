"""A story's data end is its data cut: nothing of any table is dated after it, what it
censors is stated, and patients keep arriving up to it."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import BRANDS, FOLLOW_UP_DAYS
from e2i_synth.settings import Scenario
from e2i_synth.stories import StoryBuild, build_story, parse_story
from e2i_synth.tables import SPECS
from e2i_synth.world import draw_world
from e2i_synth.world.draw import at_cut

STORY = """\
title: Where the brand stands today
audience: {audience}
as_of: {as_of}
scenario: {{brand: {brand}, dgp: {dgp}, scale: 5000, seed: 3}}
queries:
  - sequence: 1
    complexity: simple
    question: How has TRx moved over the last six months?
    expected_sql: |
      SELECT metric_date, SUM(value) AS trx FROM business_metrics
      WHERE metric_name = 'trx'
        AND metric_date >= date_trunc('month', CURRENT_DATE) - INTERVAL '6 months'
      GROUP BY metric_date ORDER BY metric_date
  - sequence: 2
    complexity: simple
    question: How many patients reached their index date in the last 90 days?
    expected_sql: |
      SELECT region, COUNT(*) AS patients FROM patient_journeys
      WHERE index_date >= CURRENT_DATE - INTERVAL '90 days'
      GROUP BY region
"""
CASES = [
    ("fabhalta", "confounded", "internal", "2026-03-16"),
    ("remibrutinib", "simple_linear", "external", "2026-12-10"),
    ("kisqali", "heterogeneous", "internal", "2027-01-31"),
    ("fabhalta", "time_series", "external", "2025-11-03"),
    ("kisqali", "selection_bias", "internal", "2026-07-01"),
    ("remibrutinib", "confounded", "internal", "2026-05-20"),
]
FOLLOWED_DAYS = FOLLOW_UP_DAYS + 1
"""A patient is followed when index_date + this many days is on or before the cut."""


@cache
def built(brand: str, dgp: str, audience: str, as_of: str) -> StoryBuild:
    text = STORY.format(brand=brand, dgp=dgp, audience=audience, as_of=as_of)
    return build_story(parse_story(text))


def cut_of(build: StoryBuild) -> pd.Timestamp:
    """The story's data end: the as-of date, or the end of the last closed month."""
    as_of = build.story.as_of
    if build.story.audience == "internal":
        return pd.Timestamp(as_of)
    return pd.Timestamp(as_of.replace(day=1)) - pd.Timedelta(days=1)


@pytest.mark.parametrize("case", CASES)
def test_no_date_of_any_table_falls_after_the_data_end(case):
    """Every DATE and TIMESTAMP column the table specs declare, in the frames the story
    checks and in those it presents."""
    build = built(*case)
    cut = cut_of(build)
    end = cut + pd.Timedelta(days=1)
    after = {}
    for frames in (build.frames, build.presented):
        for table, spec in SPECS.items():
            for column, kind in spec.columns.items():
                if kind in ("DATE", "TIMESTAMP"):
                    late = int((frames[table][column] >= end).sum())
                    if late:
                        after[f"{table}.{column}"] = late
    assert after == {}, (str(cut.date()), after)
    truth = build.frames["causal_ground_truth"]
    assert (truth["data_cut_date"] == cut).all()
    assert build.structural_failures() == []


@pytest.mark.parametrize("case", CASES)
def test_patients_arrive_up_to_the_data_end(case):
    """Index dates run to the day before the cut (the engagement precedes the outcome,
    assessed on the cut at the latest), and every patient's events end by the cut."""
    build = built(*case)
    cut = cut_of(build)
    journeys = build.frames["patient_journeys"]
    assert journeys["index_date"].max() == cut - pd.Timedelta(days=1)
    events = build.frames["treatment_events"]
    assert events["event_date"].max() <= cut


@pytest.mark.parametrize("case", CASES)
def test_outcomes_still_open_at_the_cut_are_censored(case):
    """An outcome is known exactly where the window closed by the cut or the patient
    initiated before it; unknown ones are NULL in every table, and a patient's stage
    never runs ahead of the time since its index date."""
    build = built(*case)
    cut = cut_of(build)
    journeys = build.frames["patient_journeys"].set_index("patient_id")
    closed = journeys["index_date"] + pd.Timedelta(days=FOLLOWED_DAYS) <= cut
    initiated = journeys["treatment_initiated"]
    known = initiated.notna()
    assert known[closed].all()
    assert initiated[known & ~closed].astype(bool).all()  # known only by an initiation
    assert (~closed & ~known).sum() > 0  # recent patients are censored
    days = pd.to_timedelta(journeys["days_to_treatment"].dropna(), "D")
    assert (journeys["journey_start_date"].reindex(days.index) + days < cut).all()
    outcomes = build.frames["business_outcomes"].set_index("patient_id")
    value = outcomes["outcome_value"].reindex(journeys.index)
    assert (value.isna() == ~known).all()
    assert (outcomes["outcome_date"] <= cut).all()
    since_index = (cut - journeys["index_date"]).dt.days
    stage = journeys["journey_stage"]
    # a refill comes 30 days after an initiation, itself at least a day after the index
    assert (since_index[stage == "maintenance"] > 31).all()
    assert (since_index[stage.isin(["initiated", "discontinued"])] > 1).all()


@pytest.mark.parametrize("case", CASES)
def test_the_truth_states_the_followed_patients_at_the_cut(case):
    """n_followed and true_ate_followed are those of the patients whose window closed by
    the story's cut, read from its own rows; the truth of everyone stays as planted."""
    build = built(*case)
    cut = cut_of(build)
    journeys = build.frames["patient_journeys"]
    effect = build.frames["unit_truth"].set_index("patient_id")["individual_effect"]
    followed = journeys["index_date"] + pd.Timedelta(days=FOLLOWED_DAYS) <= cut
    overall = build.frames["causal_ground_truth"].query("segment_column.isna()").iloc[0]
    assert overall["n_followed"] == int(followed.sum())
    followed_effect = effect.reindex(journeys.loc[followed, "patient_id"]).mean()
    assert overall["true_ate_followed"] == pytest.approx(followed_effect)
    assert overall["true_ate"] == pytest.approx(effect.reindex(journeys["patient_id"]).mean())
    identification = overall["identification"]
    assert f'"data_cut_date": "{cut.date()}"' in identification


def weekly_counts(build: StoryBuild, weeks: int) -> np.ndarray:
    """New patients (by index date) in each of the last `weeks` whole weeks up to the day
    before the cut, oldest first."""
    last = cut_of(build) - pd.Timedelta(days=1)
    back = (last - build.frames["patient_journeys"]["index_date"]).dt.days // 7
    return np.bincount(back[back < weeks], minlength=weeks)[::-1].astype(float)


@pytest.mark.parametrize("case", CASES)
def test_new_patients_keep_arriving_at_the_same_rate_into_the_data_end(case):
    """The last 8 weeks' mean within 3 Poisson standard errors of the 8 weeks before it,
    and their fitted weekly trend within 3 standard errors of flat."""
    counts = weekly_counts(built(*case), 16)
    before, recent = counts[:8], counts[8:]
    se = np.sqrt(before.mean() / 8 + recent.mean() / 8)
    assert abs(recent.mean() - before.mean()) <= 3 * se, counts
    x = np.arange(8) - 3.5
    slope = (x * recent).sum() / (x**2).sum()
    assert abs(slope) <= 3 * np.sqrt(recent.mean() / (x**2).sum()), counts


@pytest.mark.parametrize("brand", list(BRANDS))
def test_a_brand_launched_inside_the_history_ramps_from_its_launch(brand):
    """No patient before the launch; for a launch inside the story's history, the first
    quarter after it holds under a quarter of the last quarter's new patients (uptake)."""
    case = next(c for c in CASES if c[0] == brand)
    build = built(*case)
    index = build.frames["patient_journeys"]["index_date"]
    launch = BRANDS[brand].population.launch
    shift = pd.Timedelta(days=build.plan.shift.days)
    story_launch = pd.Timestamp(launch) + shift
    assert index.min() > story_launch
    if story_launch < index.min() - pd.Timedelta(days=90):
        return  # launched before the history: nothing to ramp
    first = int((index < story_launch + pd.Timedelta(days=91)).sum())
    last = int((index >= cut_of(build) - pd.Timedelta(days=91)).sum())
    assert first < 0.25 * last, (first, last)


def test_a_world_is_cut_only_after_its_last_index_date_and_without_variant_parts():
    world = draw_world(Scenario("kisqali", "confounded"), 200, 1)
    with pytest.raises(ValueError, match="index dates on or after the cut"):
        at_cut(world, world.index_date.max())
    cut = at_cut(world, world.index_date.max() + 1)
    assert cut.data_cut == world.index_date.max() + 1 and cut.censored
    with pytest.raises(ValueError, match="only a world without variant parts"):
        at_cut(cut, cut.data_cut)
