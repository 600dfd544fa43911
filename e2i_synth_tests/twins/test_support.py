"""The history's support: both sides of the dose rule and of the population rule, the
refusal's sentence, and an extrapolated run's label and recommendation."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.catalog import MIN_EFFECT_THRESHOLD
from e2i_synth.twins.errors import TwinError
from e2i_synth.twins.support import MIN_SUPPORT_ROWS, Support, check_support, dose_ranges


def history(delivered: int, untreated: int, low=0.5, high=1.5) -> pd.DataFrame:
    """`delivered` rows of email_campaign at doses spread from low to high, then untreated."""
    return pd.DataFrame(
        {
            "intervention_type": ["email_campaign"] * delivered + ["none"] * untreated,
            "intensity": [*np.linspace(low, high, delivered), *[0.0] * untreated],
            "duration_weeks": [*np.linspace(4, 24, delivered).round(), *[0] * untreated],
        }
    )


def verdict(frame, intensity=1.0, weeks=12, population=None):
    treatment = {"intervention_type": "email_campaign", "intensity": intensity}
    treatment["duration_weeks"] = weeks
    mask = np.ones(len(frame), bool) if population is None else population
    return check_support(frame, "intervention_type", "none", treatment, mask)


@given(st.floats(0.1, 2.0), st.integers(1, 52))
def test_a_dose_is_supported_exactly_within_the_delivered_range(intensity, weeks):
    frame = history(50, 50)
    support = verdict(frame, intensity, weeks)
    inside = 0.5 <= intensity <= 1.5 and 4 <= weeks <= 24
    assert support.extrapolated != inside
    assert ("intensity" in support.label()) == (not 0.5 <= intensity <= 1.5)
    assert ("duration_weeks" in support.label()) == (not 4 <= weeks <= 24)


def test_the_range_is_the_arms_own():
    frame = pd.concat([history(30, 30), history(30, 0, 0.2, 2.0).assign(intervention_type="x")])
    assert dose_ranges(frame, "intervention_type", "email_campaign") == {
        "intensity": (0.5, 1.5),
        "duration_weeks": (4.0, 24.0),
    }


@pytest.mark.parametrize(
    ("delivered", "untreated", "supported"),
    [
        (MIN_SUPPORT_ROWS, MIN_SUPPORT_ROWS, True),
        (MIN_SUPPORT_ROWS - 1, 100, False),
        (100, MIN_SUPPORT_ROWS - 1, False),
    ],
)
def test_the_population_needs_deliveries_and_untreated_rows(delivered, untreated, supported):
    support = verdict(history(delivered, untreated))
    assert support.extrapolated != supported
    if not supported:
        assert f"{delivered} deliveries of email_campaign and {untreated} untreated" in (
            support.label()
        )


def test_the_population_mask_selects_the_rows_counted():
    frame = history(100, 100)
    few = np.zeros(len(frame), bool)
    few[:10] = few[100:150] = True
    assert "10 deliveries" in verdict(frame, population=few).label()


def test_refusal_is_one_sentence_naming_the_input_and_the_range():
    message = str(verdict(history(50, 50), intensity=2.0).refusal())
    assert "intensity 2 is outside the 0.5-1.5 the history delivered email_campaign at" in message
    assert "--extrapolate" in message
    assert "\n" not in message


def test_an_extrapolated_effect_is_never_recommended_for_deployment():
    from e2i_synth.twins.simulation import recommend

    clear = 10 * MIN_EFFECT_THRESHOLD
    assert recommend(clear, 1e-3, 30)[0] == "deploy"
    label = Support(("intensity 2 is outside the 0.5-1.5 the history delivered x at",))
    verdict_, reason = recommend(clear, 1e-3, 30, label)
    assert verdict_ == "test_further"
    assert "EXTRAPOLATED" in reason and "intensity 2" in reason
    # below the threshold the verdict stands: extrapolation only withholds deployment
    assert recommend(0.0, 1e-3, 30, label)[0] == "do_not_deploy"


@pytest.fixture(scope="module")
def population(generator):
    return generator.generate(500)


def test_a_dose_never_delivered_is_refused(generator, population):
    from e2i_synth.twins.simulation import simulate

    config = {"intervention_type": "email_campaign", "intensity": 2.0}
    with pytest.raises(TwinError, match=r"intensity 2 is outside the 0\.5-1\.5 the history"):
        simulate(generator, population, config)
    result = simulate(generator, population, config, extrapolate=True)
    assert result.extrapolated and "intensity 2" in result.support.label()
    assert result.recommendation != "deploy"


def test_a_thin_target_population_is_refused(generator, population):
    """Tier-4 HCPs got speaker invitations 6 times in the training history."""
    from e2i_synth.twins.simulation import simulate

    config = {"intervention_type": "speaker_program_invitation"}
    with pytest.raises(TwinError, match="deliveries of speaker_program_invitation"):
        simulate(generator, population, config, {"tier": [4]})
    result = simulate(generator, population, config, {"tier": [4]}, extrapolate=True)
    assert result.extrapolated


def test_on_support_runs_unlabelled_and_its_parts_add_up(generator, population):
    from e2i_synth.twins.simulation import simulate

    result = simulate(generator, population, {"intervention_type": "email_campaign"})
    assert not result.extrapolated and result.support.label() == ""
    assert result.plugin_ate + result.correction == pytest.approx(result.ate, abs=1e-15)
