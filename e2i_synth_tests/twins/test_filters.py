import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.twins.errors import TwinError
from e2i_synth.twins.filters import PopulationFilter, filters_from_pairs, select


def test_word_match_expands_oncology():
    parsed = PopulationFilter.parse({"specialty": "oncology"})
    assert parsed.specialty == ("medical_oncology", "breast_oncology")


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"specialty": ["cardiology"]}, "specialty"),
        ({"tier": [5]}, "tier"),
        ({"region": "mars"}, "region"),
        ({"min_decile": 11}, "min_decile"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_filter_names_its_field(filters, field):
    with pytest.raises(TwinError, match=field):
        PopulationFilter.parse(filters)


def test_empty_filter_suggests_nearest_matching(generator):
    donors = generator.donors
    tier4 = donors["priority_tier"] == 4
    # tier 4 means decile <= 3: with min_decile 10 nothing can match
    with pytest.raises(TwinError) as caught:
        select(donors, PopulationFilter.parse({"tier": [4], "min_decile": 10}))
    message = str(caught.value)
    assert "no twins match" in message
    assert f"{{'tier': [4]}} ({tier4.sum():,} twins)" in message
    assert f"{{'min_decile': 10}} ({(donors['decile'] >= 10).sum():,} twins)" in message


@given(st.lists(st.sampled_from([1, 2, 3, 4]), min_size=1, unique=True), st.integers(1, 10))
def test_mask_is_the_conjunction(tiers, decile):
    frame = pd.DataFrame({"priority_tier": [1, 2, 3, 4] * 3, "decile": list(range(1, 13))})
    mask = PopulationFilter.parse({"tier": tiers, "min_decile": decile}).mask(frame)
    expected = frame["priority_tier"].isin(tiers) & (frame["decile"] >= decile)
    assert (mask == expected.to_numpy()).all()


def test_filter_pairs_add_up_repeated_and_comma_separated_values():
    pairs = ["tier=1,2", "specialty=oncology", "tier=3", "min_decile=8"]
    assert filters_from_pairs(pairs) == {
        "tier": ["1", "2", "3"],
        "specialty": ["oncology"],
        "min_decile": "8",
    }


@pytest.mark.parametrize("pair", ["tier", "=1", "tier=", " = "])
def test_a_filter_that_is_not_key_value_is_one_twin_error(pair):
    with pytest.raises(TwinError, match=r"is not key=value, e\.g\. --filter tier=1,2"):
        filters_from_pairs([pair])
