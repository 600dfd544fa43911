"""The twin generator's sampler behind the Synthesizer interface, scored like any other."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.privacy.views import split_real
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.twins.features import TWIN_TYPES, hcp_training_frame
from e2i_synth.world import draw_world
from e2i_synth.world.interventions import draw_interventions, history_table


@cache
def hcps() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and holdout HCPs of one scenario at 10,000 patients (1,000 HCPs, 50 held out)."""
    from e2i_synth.privacy.twin_sampler import hcp_entities

    world = draw_world(Scenario("kisqali", "confounded"), 10_000, 42)
    iw = draw_interventions(world, build_tables(world)["hcp_profiles"])
    return split_real(hcp_entities(hcp_training_frame(history_table(iw), iw.hcps)))


def test_twins_have_the_entity_features_and_are_seeded():
    from e2i_synth.privacy.twin_sampler import TwinSampler

    train, _ = hcps()
    sampler = TwinSampler("hcp").fit(train)
    twins = sampler.sample(400, seed=5)
    assert list(twins.columns) == list(TWIN_TYPES["hcp"].features)
    pd.testing.assert_frame_equal(twins, sampler.sample(400, seed=5))


def test_scorecard_duplicate_rate_agrees_with_the_twins_own_copy_rate():
    from e2i_synth.privacy.scorecard import score
    from e2i_synth.privacy.twin_sampler import TwinSampler
    from e2i_synth.twins.sampler import exact_copy_rate

    train, holdout = hcps()
    features = list(TWIN_TYPES["hcp"].features)
    twins = TwinSampler("hcp").fit(train).sample(300, seed=1)
    leaky = pd.concat([twins, train[features].iloc[:100]], ignore_index=True)  # 1/4 copies
    card = score("hcp twins", train, holdout, leaky)
    assert card.duplicate_rate == pytest.approx(exact_copy_rate(leaky, train, features))
    assert card.duplicate_rate >= 0.25


def test_unknown_twin_type_is_one_clear_error():
    from e2i_synth.privacy.twin_sampler import TwinSampler

    with pytest.raises(E2IError, match="unknown twin type"):
        TwinSampler("nope").fit(hcps()[0])
