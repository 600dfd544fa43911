"""The schema's deterministic rules hold in every generated table, and `enforce` makes any
frame keep them by rewriting only the columns they determine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth.catalog import DGPS, JOURNEY_STAGES
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables, rules
from e2i_synth.world import draw_world
from e2i_synth.world.variants import parse_knobs


@pytest.mark.parametrize(
    "scenario",
    [
        *(Scenario("kisqali", d) for d in DGPS),
        Scenario("kisqali", "confounded", parse_knobs(["selection=0.5"])),
    ],
    ids=lambda s: s.label if hasattr(s, "label") else str(s),
)
def test_generated_journeys_keep_every_rule_and_enforce_leaves_them_be(scenario):
    journeys = build_tables(draw_world(scenario, 600, 5))["patient_journeys"]
    assert rules.adherence(journeys) == {r.name: 1.0 for r in rules.JOURNEY_RULES}
    enforced = rules.enforce(journeys, np.random.default_rng(0))
    pd.testing.assert_frame_equal(enforced, journeys)


@st.composite
def scrambled_journeys(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    initiated = pd.array(rng.random(n) < 0.5, dtype="boolean")
    initiated[rng.random(n) < 0.2] = pd.NA
    days = pd.array(rng.integers(1, 200, n), dtype="Int32")
    days[rng.random(n) < 0.4] = pd.NA
    stage = pd.Series(rng.choice(JOURNEY_STAGES, n), dtype=object)
    stage[rng.random(n) < 0.1] = None
    return pd.DataFrame(
        {
            "engagement_score": rng.uniform(0, 10, n).round(2),
            "engaged": rng.random(n) < 0.5,
            "treatment_initiated": initiated,
            "days_to_treatment": days,
            "journey_stage": stage,
        }
    )


@settings(max_examples=60, deadline=None)
@given(scrambled_journeys(), st.integers(0, 1000))
def test_enforce_makes_every_rule_hold_and_keeps_the_deciding_columns(frame, seed):
    enforced = rules.enforce(frame, np.random.default_rng(seed))
    started = frame["treatment_initiated"].eq(True).fillna(False)
    stage = frame["journey_stage"]
    has_days = (started & frame["days_to_treatment"].notna()).any()
    has_stage = (started & stage.notna() & stage.ne(rules.NAIVE_STAGE)).any()
    holds = rules.adherence(enforced)
    assert holds["engaged_by_score"] == 1.0
    # an initiated row is given days or a stage from another initiated row, if one has them
    assert holds["days_when_initiated"] == 1.0 or not has_days
    assert holds["naive_not_initiated"] == 1.0 or not has_stage
    pd.testing.assert_series_equal(enforced["engaged"], frame["engaged"])
    pd.testing.assert_series_equal(enforced["treatment_initiated"], frame["treatment_initiated"])
    assert enforced["engagement_score"].between(0, 10).all()
