from datetime import date

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import DGPS, Uptake
from e2i_synth.stories.build import analyze_story, build_story, scenario_frames, story_calendar
from e2i_synth.stories.model import Temporal, parse_story
from e2i_synth.stories.seasons import (
    RAMP_DAYS,
    arrivals,
    day_density,
    inside,
    union,
    uptake_share,
)
from e2i_synth.stories.truth import recompute_truth
from e2i_synth.stories.windows import Window

STORY = """\
title: Recent patients weighted toward the last six months
audience: internal
as_of: 2026-06-30
scenario: {{brand: kisqali, dgp: {dgp}, scale: {scale}, seed: 7}}
temporal:
  window_share: 0.6
  seasonality: {{august: 1.8}}
queries:
  - sequence: 1
    complexity: simple
    question: How many patients reached their index date in the last six months?
    expected_sql: |
      SELECT COUNT(*) AS patients FROM patient_journeys
      WHERE index_date >= CURRENT_DATE - INTERVAL '180 days'
    expect:
      - above: {{column: patients, value: 0}}
  - sequence: 2
    complexity: simple
    question: How many field engagements in the last six months?
    expected_sql: |
      SELECT COUNT(*) AS engagements FROM engagement_events
      WHERE engagement_date >= CURRENT_DATE - INTERVAL '180 days'
    expect:
      - above: {{column: engagements, value: 0}}
"""
WINDOW_START = pd.Timestamp("2026-06-30") - pd.Timedelta(days=180)


def story_of(dgp: str = "confounded", scale: int = 10_000):
    return parse_story(STORY.format(dgp=dgp, scale=scale))


@pytest.fixture(scope="module")
def weighted():
    return build_story(story_of())


def within_binomial(share: float, target: float, n: int, z: float = 3.0) -> bool:
    return abs(share - target) <= z * np.sqrt(target * (1 - target) / n)


def test_the_share_inside_the_query_window_rises_to_the_stated_weight(weighted):
    journeys = weighted.frames["patient_journeys"]
    share = float((journeys["index_date"] >= WINDOW_START).mean())
    unweighted = weighted.weighting.before
    assert unweighted < 0.45  # about 180 of the scenario's ~585 days of index dates
    assert within_binomial(share, 0.6, len(journeys)), (share, unweighted)
    assert weighted.weighting.reached == pytest.approx(share)
    assert weighted.weighting.windows == (Window(WINDOW_START.date(), None),)


def test_new_patients_do_not_jump_on_the_windows_first_day(weighted):
    """New patients in the two weeks after the window opens against the two weeks before:
    a step weight put 3.8x as many in the first (499 against 132); the ramp leaves well
    under 2x (436 against 345; the SE of the log ratio is about 0.07)."""
    day = weighted.frames["patient_journeys"]["index_date"]
    two_weeks = pd.Timedelta(days=14)
    after = int(day.between(WINDOW_START, WINDOW_START + two_weeks, inclusive="left").sum())
    before = int(day.between(WINDOW_START - two_weeks, WINDOW_START, inclusive="left").sum())
    assert after < 2 * before, (before, after)


def test_field_engagements_follow_the_same_weight(weighted):
    events = weighted.frames["engagement_events"]
    field = events[events["patient_id"].isna()]
    share = float((field["engagement_date"] >= WINDOW_START).mean())
    assert within_binomial(share, 0.6, len(field)), share


def test_days_outside_the_window_carry_the_stated_seasonality(weighted):
    """Per-day index dates in August against February-November's other months, outside
    the window and the ramp before it: 1.8 within three standard errors of the log ratio
    (Poisson counts; a smooth seasonality keeps each month's mass)."""
    journeys = weighted.frames["patient_journeys"]
    months = journeys["index_date"].dt.to_period("M")
    august = int((months == "2025-08").sum())
    others = int((months.between("2025-02", "2025-11") & (months != "2025-08")).sum())
    days_august = 31
    days_others = (pd.Timestamp("2025-12-01") - pd.Timestamp("2025-02-01")).days - days_august
    ratio = (august / days_august) / (others / days_others)
    se = np.sqrt(1 / august + 1 / others)
    assert abs(np.log(ratio) - np.log(1.8)) <= 3 * se, ratio


@pytest.mark.parametrize("dgp", list(DGPS))
def test_weighted_story_passes_structure_and_keeps_the_truth(dgp):
    story = story_of(dgp, 3_000)
    build = build_story(story)
    assert build.structural_failures() == []
    truth = build.frames["causal_ground_truth"]
    recomputed = recompute_truth(build.frames)["causal_ground_truth"]
    pd.testing.assert_frame_equal(truth, recomputed)
    spec = story.scenario
    base = scenario_frames(spec.brand, spec.dgp, spec.n_patients, spec.seed)
    assert truth["true_ate"].tolist() == base["causal_ground_truth"]["true_ate"].tolist()


def days_from_index(frames, table: str, column: str, key: str) -> pd.Series:
    """Days from each row's patient's index date, by the row's key."""
    index = frames["patient_journeys"].set_index("patient_id")["index_date"]
    rows = frames[table].set_index(key)
    return (rows[column] - rows["patient_id"].map(index)).dt.days


def test_patient_timelines_keep_their_lags_and_durations():
    """Every date of a followed patient (its window closed by the cut) keeps its distance
    from the index date; what a censored patient has of it is a part of its timeline."""
    story = story_of("time_series", 3_000)
    spec = story.scenario
    base = scenario_frames(spec.brand, spec.dgp, spec.n_patients, spec.seed)
    frames, plan, weighting = story_calendar(story, analyze_story(story))
    assert weighting is not None
    before, after = base["patient_journeys"], frames["patient_journeys"]
    assert (after["index_date"] != before["index_date"]).mean() > 0.9  # re-dated
    cut = pd.Timestamp(plan.data_end)
    followed = (after["index_date"] + pd.Timedelta(days=121) <= cut).to_numpy()
    assert 0.5 < followed.mean() < 1
    pd.testing.assert_series_equal(
        after["days_to_treatment"][followed], before["days_to_treatment"][followed]
    )
    for table, column, key in (
        ("business_outcomes", "outcome_date", "outcome_id"),
        ("treatment_events", "event_date", "event_id"),
    ):
        moved, drawn = (days_from_index(f, table, column, key) for f in (frames, base))
        assert set(moved.index) <= set(drawn.index), table
        patient = frames[table].set_index(key)["patient_id"]
        kept = patient.isin(after.loc[followed, "patient_id"])
        events = frames[table].set_index(key)
        if table == "treatment_events":  # the diagnosis opens the journey, before the index
            kept &= events["event_type"] != "diagnosis"
        pd.testing.assert_series_equal(moved[kept], drawn.reindex(moved.index)[kept])
        assert (moved[~kept] <= drawn.reindex(moved.index)[~kept]).all(), table


def test_world_tied_metrics_follow_the_new_dates():
    """conversion_rate per region and index month is the re-dated patients' share whose
    initiation is recorded by the cut, with their count as the sample size. The month is
    the one the index date falls in on the world's calendar, moved by the month shift: a
    day or two from a month's end it can differ from the story's (`month_day_gap`)."""
    story = story_of("confounded", 3_000)
    frames, plan, _ = story_calendar(story, analyze_story(story))
    journeys = frames["patient_journeys"].assign(
        recorded=lambda j: j["treatment_initiated"].fillna(False).astype(bool)
    )
    world_day = journeys["index_date"] - pd.Timedelta(days=plan.shift.days)
    month = world_day.dt.to_period("M") + plan.shift.months
    cells = journeys.groupby([journeys["region"], month])
    observed = cells["recorded"].agg(["mean", "size"])
    metrics = frames["business_metrics"]
    rate = metrics[metrics["metric_name"] == "conversion_rate"].assign(
        month=lambda m: m["metric_date"].dt.to_period("M")
    )
    joined = rate.merge(observed, left_on=["region", "month"], right_index=True)
    assert len(joined) > 50
    np.testing.assert_allclose(joined["value"], joined["mean"])
    assert (joined["sample_size"] == joined["size"]).all()


def test_density_puts_the_target_inside_and_the_seasonality_everywhere():
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2026-01-01"))
    windows = (Window(date(2025, 10, 1), None),)
    temporal = Temporal(window_share=0.5, seasonality={"march": 2.0})
    p, natural, target = day_density(days, windows, temporal, np.ones(len(days)))
    assert p.sum() == pytest.approx(1.0)
    hit = days >= np.datetime64("2025-10-01")
    assert p[hit].sum() == pytest.approx(0.5) and target == 0.5
    assert natural == pytest.approx(92 / (365 + 31))  # March counts twice
    march, april = (
        p[(days >= np.datetime64("2025-03-01")) & (days < np.datetime64("2025-04-01"))],
        p[(days >= np.datetime64("2025-04-01")) & (days < np.datetime64("2025-05-01"))],
    )
    assert march.mean() == pytest.approx(2 * april.mean())  # a month's mass, exactly
    # A stated share below the natural one never moves data out of the windows.
    _, _, kept = day_density(days, windows, Temporal(window_share=0.1), np.ones(len(days)))
    assert kept == pytest.approx(92 / 365)


def test_the_density_has_no_step_at_a_window_or_a_month():
    """The window weight rises over RAMP_DAYS and the seasonality is a continuous curve:
    no day's probability differs from the day before's by more than a tenth (a step
    weighting 60% into the last six months of 18 was 2.9x on the window's first day)."""
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2026-07-01"))
    windows = (Window(date(2026, 1, 1), None),)
    temporal = Temporal(window_share=0.6, seasonality={"march": 2.0, "december": 0.5})
    p, _, _ = day_density(days, windows, temporal, np.ones(len(days)))
    assert p[days >= np.datetime64("2026-01-01")].sum() == pytest.approx(0.6)
    assert np.abs(np.diff(np.log(p))).max() < 0.1
    ramp = days >= np.datetime64("2026-01-01") - RAMP_DAYS
    flat_before, flat_after = p[~ramp][-1], p[days == np.datetime64("2026-01-01")][0]
    assert flat_after / flat_before > 2  # the weight itself is not spread away


def test_windows_merge_into_disjoint_spans():
    a, b, c = date(2026, 1, 1), date(2026, 3, 1), date(2026, 5, 1)
    assert union([Window(b, c), Window(a, b), Window(c, None)]) == (Window(a, None),)
    assert union([Window(None, a), Window(b, c)]) == (Window(None, a), Window(b, c))


def test_a_story_without_temporal_section_spreads_patients_evenly():
    """No weighting: kisqali's index dates fall evenly over the arrival span, so the
    query's 180 days hold their share of it (within 3 binomial standard errors)."""
    story = story_of().model_copy(update={"temporal": None})
    frames, plan, weighting = story_calendar(story, analyze_story(story))
    assert weighting is None
    journeys = frames["patient_journeys"]
    span = arrivals(story.scenario.brand, plan.data_end, plan.shift.days).index_days
    share = float((journeys["index_date"] >= WINDOW_START).mean())
    assert within_binomial(share, 180 / len(span), len(journeys)), share


def test_a_window_that_closes_before_the_cut_keeps_its_weight_to_the_cut():
    """The days after a window keep the full weight: the flow never drops after it."""
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2026-01-01"))
    windows = (Window(date(2025, 6, 1), date(2025, 9, 1)),)
    p, _, target = day_density(days, windows, Temporal(window_share=0.35), np.ones(len(days)))
    assert p[inside(days, windows)].sum() == pytest.approx(0.35) and target == 0.35
    after = days >= np.datetime64("2025-09-01")
    assert p[after] == pytest.approx(p[days == np.datetime64("2025-06-01")][0])
    assert p[days < np.datetime64("2025-06-01")].max() < p[after].min()


def test_uptake_starts_at_the_launch_and_reaches_the_steady_flow():
    launch = np.datetime64("2025-01-01")
    days = launch + np.arange(-30, 731)
    share = uptake_share(days, launch, Uptake(0.04, 0.5))
    assert (share[:31] == 0).all() and (np.diff(share) >= 0).all()
    nine_months = days == launch + 274
    assert 0.85 < share[nine_months][0] < 0.95
    assert share[-1] == pytest.approx(1, abs=1e-4)


THIN = """\
title: Too few recent patients at the stated weight
audience: internal
as_of: 2026-06-30
scenario: {brand: fabhalta, dgp: simple_linear, scale: 3000, seed: 3}
temporal: {window_share: 0.3}
retries: 2
queries:
  - sequence: 1
    complexity: simple
    question: How many patients reached their index date in the last 60 days?
    expected_sql: |
      SELECT COUNT(*) AS patients FROM patient_journeys
      WHERE index_date >= CURRENT_DATE - INTERVAL '60 days'
    expect:
      - above: {column: patients, value: 1200}
"""


def test_a_retry_divides_the_share_outside_the_windows_by_its_weight():
    """0.3 of 3,000 patients (about 900) misses 1,200; at x1.5 the share is
    1 - 0.7 / 1.5 = 0.533 (about 1,600) and passes."""
    seen = []
    build = build_story(parse_story(THIN), on_attempt=seen.append)
    assert [a.passed for a in seen] == [False, True]
    shares = [a.weighting.reached for a in seen]
    for share, target in zip(shares, (0.3, 1 - 0.7 / 1.5), strict=True):
        assert within_binomial(share, target, 3_000), shares
    assert build.weighting == seen[-1].weighting and build.weighting.stated == 0.3
    assert "in the queries' windows" in seen[0].describe()
