import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth.catalog import ALL_SPECIALTIES
from e2i_synth.stories.heroes import (
    apply_product,
    apply_segment,
    apply_top_hcp,
    patients_per_hcp,
)
from e2i_synth.stories.model import HcpHero, ProductHero, SegmentHero
from e2i_synth.stories.truth import recompute_truth
from e2i_synth.tables import SPECS
from e2i_synth.validation.feature_store import entity_key
from e2i_synth.validation.suite import structural_checks
from e2i_synth_tests.conftest import frames_of

CAUSAL = ["true_ate", "true_att", "true_atc", "expected_ate", "n_units", "n_treated"]


@pytest.fixture(scope="module")
def base():
    return frames_of("kisqali", "heterogeneous", 2_000)


@pytest.fixture(scope="module")
def story(base):
    frames, segment = apply_segment(
        base, SegmentHero(column="specialty", value="breast_oncology", share=0.7)
    )
    frames, top = apply_top_hcp(frames, HcpHero(share=0.08), seed=1)
    frames, _ = apply_product(frames, ProductHero(value="Kisqali Femara Co-Pack", share=0.55), 1)
    return frames, segment, top


def test_heroes_reach_their_target_shares(story):
    frames, segment, top = story
    volume = patients_per_hcp(frames)
    in_segment = frames["hcp_profiles"]["specialty"] == "breast_oncology"
    assert segment.target_share == 0.7
    assert volume[in_segment].sum() / volume.sum() >= 0.7
    assert volume.max() / volume.sum() == pytest.approx(0.08, abs=1 / 2_000)
    assert frames["hcp_profiles"].loc[volume.idxmax(), "hcp_id"] == top.value


def test_hero_hcp_agrees_across_every_table(story):
    frames, _, top = story
    own = frames["patient_journeys"].set_index("patient_id")["hcp_id"]
    for name, spec in SPECS.items():
        if {"patient_id", "hcp_id"} <= set(spec.columns):
            rows = frames[name].dropna(subset=["patient_id"])
            assert (rows["hcp_id"].to_numpy() == own[rows["patient_id"]].to_numpy()).all(), name
    profile = frames["hcp_profiles"].set_index("hcp_id").loc[top.value]
    assert (
        profile["target_patient_volume"]
        == (frames["patient_journeys"]["hcp_id"] == top.value).sum()
    )
    assert profile["decile"] == 10 and profile["priority_tier"] == 1


def test_specialty_mirror_in_the_feature_store_follows(story):
    frames, _, _ = story
    values = frames["feature_values"].merge(frames["features"], on="feature_id")
    rows = values[values["feature_name"] == "specialty_encoded"]
    hcp = entity_key(rows["entity_values"], "hcp_id")
    specialty = frames["hcp_profiles"].set_index("hcp_id")["specialty"]
    expected = pd.Categorical(specialty[hcp], categories=ALL_SPECIALTIES).codes.astype(str)
    assert (rows["value"].to_numpy() == expected).all()


def test_heroes_keep_structure_and_causal_truth(base, story):
    frames = recompute_truth(story[0])
    assert [r.message for r in structural_checks(frames) if not r.passed] == []
    pd.testing.assert_frame_equal(
        frames["causal_ground_truth"][CAUSAL], base["causal_ground_truth"][CAUSAL]
    )
    patients = ["patient_id", "region", "academic_hcp", "engaged", "treatment_initiated"]
    pd.testing.assert_frame_equal(
        frames["patient_journeys"][patients], base["patient_journeys"][patients]
    )


def test_truth_is_recomputed_from_the_rows(base):
    frames = dict(base, unit_truth=base["unit_truth"].copy())
    west = (base["patient_journeys"]["region"] == "west").to_numpy()
    frames["unit_truth"].loc[west, ["y0", "y1", "individual_effect"]] = [False, True, 1]
    truth = recompute_truth(frames)["causal_ground_truth"].set_index("segment_value")
    assert truth.loc["west", ["true_ate", "true_att", "true_atc"]].tolist() == [1.0] * 3
    assert (
        truth.loc["south", "true_ate"]
        == base["causal_ground_truth"].set_index("segment_value").loc["south", "true_ate"]
    )


@settings(max_examples=25, deadline=None)
@given(share=st.floats(0.05, 0.9), column=st.sampled_from(["adoption_stage", "preferred_channel"]))
def test_segment_reaches_its_share_with_the_fewest_relabelled_hcps(base, share, column):
    value = {"adoption_stage": "laggard", "preferred_channel": "conference"}[column]
    frames, result = apply_segment(base, SegmentHero(column=column, value=value, share=share))
    volume = patients_per_hcp(frames)
    before = base["hcp_profiles"][column] == value
    after = frames["hcp_profiles"][column] == value
    assert (before <= after).all()  # members stay members
    reached = volume[after].sum() / volume.sum()
    assert reached == pytest.approx(result.share) and reached >= share
    relabelled = volume[after & ~before]
    if len(relabelled):  # without the smallest relabelled HCP the target would be missed
        assert (volume[after].sum() - relabelled.min()) / volume.sum() < share


def products_of(frames) -> pd.Series:
    """The product each patient on therapy is on, by patient."""
    events = frames["treatment_events"]
    on_therapy = events[events["product"].notna()].drop_duplicates("patient_id")
    return on_therapy.set_index("patient_id")["product"]


def test_hero_product_reaches_its_share_and_each_patient_stays_on_one_product(base, story):
    frames = story[0]
    events = frames["treatment_events"]
    on_therapy = events[events["product"].notna()]
    assert (on_therapy.groupby("patient_id")["product"].nunique() == 1).all()
    assert (events.loc[events["event_type"] == "diagnosis", "product"].isna()).all()
    share = (products_of(frames) == "Kisqali Femara Co-Pack").mean()
    assert share == pytest.approx(0.55, abs=1 / len(products_of(frames)))
    before, after = products_of(base), products_of(frames).reindex(products_of(base).index)
    assert (after[before == "Kisqali Femara Co-Pack"] == "Kisqali Femara Co-Pack").all()
    unchanged = [c for c in events.columns if c not in ("product", "hcp_id")]  # hero HCP moves
    pd.testing.assert_frame_equal(events[unchanged], base["treatment_events"][unchanged])


def test_hero_product_tops_a_product_query(story):
    frames = story[0]
    rx = frames["treatment_events"].query("event_type == 'prescription'")
    assert rx["product"].value_counts().index[0] == "Kisqali Femara Co-Pack"
