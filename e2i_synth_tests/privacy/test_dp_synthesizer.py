"""The epsilon-DP synthesizer (OpenDP's MST): small fits, checked for shape, domain,
seeded sampling, unseeded fitting and its bad-input errors."""

from __future__ import annotations

import pandas as pd
import pytest

from e2i_synth.errors import E2IError
from e2i_synth_tests.privacy.conftest import mixed_table

pytest.importorskip("opendp", reason="the dp extra is not installed: pip install -e '.[dp]'")

from e2i_synth.catalog import COLUMN_VOCABULARY, PUBLIC_RANGES
from e2i_synth.privacy.domains import Domain
from e2i_synth.privacy.views import modeled_frame, split_real
from e2i_synth_tests.conftest import frames_of

MIXED_DOMAINS = {
    "x": Domain(bounds=(0.0, 100.0)),
    "count": Domain(bounds=(0.0, 12.0), nullable=True),
    "region": Domain(categories=("north", "south", "east", "west")),
    "flag": Domain(categories=("False", "True")),
}
"""The mixed table's public domains (its columns are not the catalog's)."""

# Fitting MST (OpenDP's private marginals, then a graphical model) dominates: the integration tier.
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fitted():
    from e2i_synth.privacy.dp_synthesizer import MSTSynthesizer

    rows = mixed_table(400, seed=8)[["x", "count", "region", "flag"]]
    rows["count"] = rows["count"].astype("Int64").mask(rows["x"] > 55)  # about 30% null
    return rows, MSTSynthesizer(epsilon=3.0, bins=8, iterations=100, domains=MIXED_DOMAINS).fit(
        rows
    )


def test_samples_keep_columns_dtypes_and_domains(fitted):
    rows, model = fitted
    sample = model.sample(300, seed=0)
    pd.testing.assert_series_equal(sample.dtypes, rows.dtypes)
    assert sample["x"].between(*MIXED_DOMAINS["x"].bounds).all()
    assert set(sample["region"]) <= set(MIXED_DOMAINS["region"].categories)
    assert len(sample) == 300


def test_same_seed_same_rows(fitted):
    _, model = fitted
    pd.testing.assert_frame_equal(model.sample(200, seed=3), model.sample(200, seed=3))
    assert not model.sample(200, seed=3).equals(model.sample(200, seed=4))


def test_fit_draws_fresh_noise_whatever_the_seed(fitted):
    """OpenDP draws MST's noise from its own secure generator: refitting the same rows gives
    another model, so the same sample seed gives other rows (the README says so)."""
    from e2i_synth.privacy.dp_synthesizer import MSTSynthesizer

    rows, model = fitted
    again = MSTSynthesizer(epsilon=3.0, bins=8, iterations=100, domains=MIXED_DOMAINS).fit(rows)
    assert not again.sample(200, seed=3).equals(model.sample(200, seed=3))


def test_common_categories_stay_common(fitted):
    """region is drawn with p = 0.4 / 0.3 / 0.2 / 0.1; at epsilon 3 over 400 rows the
    noisy one-way counts keep that order for the two far-apart ends."""
    _, model = fitted
    shares = model.sample(4_000, seed=1)["region"].value_counts(normalize=True)
    assert shares["north"] > shares["west"]


def test_non_positive_epsilon_is_one_clear_error():
    from e2i_synth.privacy.dp_synthesizer import MSTSynthesizer

    with pytest.raises(E2IError, match="epsilon"):
        MSTSynthesizer(epsilon=0.0).fit(mixed_table(100, seed=1))


def test_the_family_never_raises_epsilon():
    from e2i_synth.privacy.dp_synthesizer import FAMILY

    raised = [a for rules in FAMILY.suggestions.values() for a in rules if a.param == "epsilon"]
    assert raised and all(a.factor < 1 for a in raised)


def test_nulls_of_a_nullable_numeric_keep_about_their_share(fitted):
    """At epsilon 3 the one-way counts carry noise of a few rows out of 400, far below the
    0.1 tolerance; a column without nulls gets none."""
    rows, model = fitted
    sample = model.sample(2_000, seed=2)
    assert abs(sample["count"].isna().mean() - rows["count"].isna().mean()) < 0.1
    assert sample["x"].notna().all()
    assert sample["count"].dropna().between(*MIXED_DOMAINS["count"].bounds).all()


def test_a_column_without_a_public_domain_is_refused_not_read_from_the_data():
    from e2i_synth.privacy.dp_synthesizer import MSTSynthesizer

    rows = mixed_table(100, seed=1)[["x", "region"]]
    with pytest.raises(E2IError, match=r"'x' has no public domain.*never reads one from the data"):
        MSTSynthesizer(epsilon=1.0).fit(rows)


def test_the_released_domain_is_the_public_one_whoever_is_in_the_data():
    """The outside audit's finding: ages 18-90 because one patient was 90. Without the
    oldest patient (and the most severe) MST's cells (bin edges, category lists) stay the
    catalog's, so the release cannot tell whether they were in."""
    from e2i_synth.privacy.dp_synthesizer import public_cells

    train, _ = split_real(modeled_frame("journey", frames_of("kisqali", "confounded")))
    extremes = [train[c].idxmax() for c in ("age_at_diagnosis", "disease_severity")]
    cells = [
        public_cells(rows, {}, bins=8)[1:]
        for rows in (train, train.drop(index=extremes), train.iloc[:60])
    ]
    as_lists = [(keys, {c: e.tolist() for c, e in edges.items()}) for keys, edges in cells]
    assert as_lists[0] == as_lists[1] == as_lists[2]
    edges = cells[0][1]
    assert set(edges) == set(train.select_dtypes("number").columns)
    for column, values in edges.items():
        assert (values[0], values[-1]) == PUBLIC_RANGES[column]
    assert cells[0][0]["region"] == [*COLUMN_VOCABULARY["region"]]


def test_the_fitted_model_releases_exactly_the_public_cells(fitted):
    from e2i_synth.privacy.dp_synthesizer import public_cells

    rows, model = fitted
    released = {c: k.to_list() for c, k in model._table.keys.items()}
    keys = public_cells(rows, MIXED_DOMAINS, bins=8)[1]
    # OpenDP adds a null key to every column; draws into it are dropped (draw_cells)
    assert {c: [k for k in v if k is not None] for c, v in released.items()} == keys


def test_the_treatment_outcome_table_is_measured_in_every_fit():
    """MST alone left the pair out of its tree in most fits at small epsilons (effect near
    0 against a real 0.24); a fixed measurement of it comes first, in the same budget."""
    from functools import partial

    from e2i_synth.privacy.dp_synthesizer import algorithm, dp_modules

    dp, _, mbi = dp_modules()
    estimator = partial(mbi.estimation.mirror_descent, iters=10)
    columns = ["age_at_diagnosis", "engaged", "treatment_initiated", "region"]
    chosen = algorithm(dp, estimator, columns)
    assert isinstance(chosen, dp.mbi.Sequential)
    fixed, mst = chosen.algorithms
    assert [q.by for q in fixed.queries] == [("engaged", "treatment_initiated")]
    assert isinstance(mst, dp.mbi.MST)
    assert isinstance(algorithm(dp, estimator, ["age_at_diagnosis", "region"]), dp.mbi.MST)
