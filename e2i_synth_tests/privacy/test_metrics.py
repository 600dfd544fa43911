"""Each metric against its formula's invariants and against an established implementation
(SDMetrics, scipy, sklearn) on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth_tests.privacy.conftest import mixed_table, model_pair

EXACT = 1e-9
"""Same formula, same data: only float rounding may differ."""


@pytest.fixture(scope="module")
def pair():
    """A real frame and a perturbed synthetic one, both in model form."""
    return model_pair()


def metadata(columns) -> dict:
    sdtypes = {c: "numerical" for c in columns.numeric} | {
        c: "categorical" for c in columns.categorical
    }
    return {"columns": {c: {"sdtype": t} for c, t in sdtypes.items()}}


def test_ks_is_one_minus_sdmetrics_ks_complement(pair):
    from sdmetrics.single_column import KSComplement

    from e2i_synth.privacy import metrics

    real, synthetic, columns = pair
    ours = metrics.ks_per_column(real, synthetic, list(columns.numeric))
    theirs = {c: 1 - KSComplement.compute(real[c], synthetic[c]) for c in columns.numeric}
    assert ours.to_dict() == pytest.approx(theirs, abs=EXACT)
    assert ours["x"] > 0.1  # the shifted column is visibly off


def test_tv_is_one_minus_sdmetrics_tv_complement(pair):
    from sdmetrics.single_column import TVComplement

    from e2i_synth.privacy import metrics

    real, synthetic, columns = pair
    ours = metrics.tv_per_column(real, synthetic, list(columns.categorical))
    theirs = {c: 1 - TVComplement.compute(real[c], synthetic[c]) for c in columns.categorical}
    assert ours.to_dict() == pytest.approx(theirs, abs=EXACT)


def test_duplicate_rate_is_one_minus_sdmetrics_new_row_synthesis(pair):
    from sdmetrics.single_table import NewRowSynthesis

    from e2i_synth.privacy import metrics
    from e2i_synth.tabular.encoding import as_model_frame

    real, _, columns = pair
    real = real.iloc[:200]
    synthetic = pd.concat([real.iloc[:30], mixed_table(70, 3).pipe(as_model_frame, columns)])
    ours = metrics.exact_duplicate_rate(synthetic.reset_index(drop=True), real)
    theirs = 1 - NewRowSynthesis.compute(
        real, synthetic, metadata(columns), numerical_match_tolerance=1e-12
    )
    assert ours == pytest.approx(theirs, abs=EXACT)
    assert ours == pytest.approx(30 / 100, abs=0.02)


def test_manhattan_dcr_on_the_encoding_is_sdmetrics_gower_dcr(pair):
    """Difference explained: SDMetrics caps a numeric gap at 1 range and scores nulls its own
    way; on rows inside the training range without nulls the distances are equal."""
    from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr

    from e2i_synth.privacy import metrics
    from e2i_synth.tabular.encoding import encode_rows

    real, synthetic, columns = pair
    lo, hi = real[list(columns.numeric)].min(), real[list(columns.numeric)].max()
    inside = synthetic[
        ((synthetic[list(columns.numeric)] >= lo) & (synthetic[list(columns.numeric)] <= hi)).all(
            axis=1
        )
    ]
    train_x, syn_x = encode_rows(real, [inside], columns)
    ours = metrics.closest_distances(train_x, syn_x, metric="manhattan") / len(columns.all)
    theirs = calculate_dcr(inside.reset_index(drop=True), real, metadata(columns))
    np.testing.assert_allclose(ours, theirs.to_numpy(), atol=1e-9)


def test_euclidean_dcr_is_the_brute_force_minimum(pair):
    from scipy.spatial.distance import cdist

    from e2i_synth.privacy import metrics
    from e2i_synth.tabular.encoding import encode_rows

    real, synthetic, columns = pair
    train_x, syn_x = encode_rows(real, [synthetic], columns)
    np.testing.assert_allclose(
        metrics.closest_distances(train_x, syn_x), cdist(syn_x, train_x).min(axis=1), atol=1e-5
    )  # float32 rows, float64 accumulation


def test_dcr_share_is_near_the_quantile_for_fresh_rows_and_one_for_copies():
    from e2i_synth.privacy import metrics

    rng = np.random.default_rng(5)
    train, fresh, held = (
        rng.normal(size=(3_000, 4)),
        rng.normal(size=(2_000, 4)),
        rng.normal(size=(2_000, 4)),
    )
    to_train = lambda q: metrics.closest_distances(train, q)  # noqa: E731
    share = metrics.dcr_share(to_train(fresh), to_train(held), 0.05)
    se = np.sqrt(0.05 * 0.95 / 2_000) * 2  # two samples, each with its own error
    assert abs(share - 0.05) < 4 * se
    assert metrics.dcr_share(to_train(train[:500]), to_train(held), 0.05) == 1.0


def test_mia_auc_is_half_for_a_fresh_sample_and_high_for_copies():
    from e2i_synth.privacy import metrics

    rng = np.random.default_rng(6)
    members, others = rng.normal(size=(1_000, 3)), rng.normal(size=(1_000, 3))
    fresh = rng.normal(size=(1_000, 3))
    d = lambda s, q: metrics.closest_distances(s, q)  # noqa: E731
    auc = metrics.mia_auc(d(fresh, members), d(fresh, others))
    se = np.sqrt((1 / 1_000 + 1 / 1_000) / 12)  # Mann-Whitney AUC standard error at 0.5
    assert abs(auc - 0.5) < 4 * se
    assert metrics.mia_auc(d(members, members), d(members, others)) == 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from("abcd"), min_size=1, max_size=60),
    st.lists(st.sampled_from("abcde"), min_size=1, max_size=60),
)
def test_tv_is_a_bounded_symmetric_distance(a, b):
    from e2i_synth.privacy import metrics

    p, q = pd.DataFrame({"c": a}), pd.DataFrame({"c": b})
    ab = metrics.tv_per_column(p, q, ["c"])["c"]
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(metrics.tv_per_column(q, p, ["c"])["c"])
    assert metrics.tv_per_column(p, p, ["c"])["c"] == 0.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60))
def test_ks_of_a_sample_with_itself_is_zero_and_with_a_shift_positive(values):
    from e2i_synth.privacy import metrics

    f = pd.DataFrame({"v": values})
    assert metrics.ks_per_column(f, f, ["v"])["v"] == 0.0
    shifted = f.assign(v=f["v"] + 3e6)
    assert metrics.ks_per_column(f, shifted, ["v"])["v"] == 1.0


def test_tstr_is_high_when_the_target_is_learnable(real_split):
    from e2i_synth.privacy import metrics
    from e2i_synth.tabular.encoding import as_model_frame, column_kinds

    train, holdout = real_split
    columns = column_kinds(train)
    real, held = as_model_frame(train, columns), as_model_frame(holdout, columns)
    assert metrics.tstr_score(real, held, "y", columns) > 0.5  # R^2: y follows x and region
    shuffled = real.assign(y=np.random.default_rng(0).permutation(real["y"].to_numpy()))
    assert metrics.tstr_score(shuffled, held, "y", columns) < 0.1


def test_mia_auc_is_the_mann_whitney_u_over_the_pair_count():
    from scipy import stats

    from e2i_synth.privacy import metrics

    rng = np.random.default_rng(9)
    members, others = rng.gamma(2.0, size=300), rng.gamma(2.4, size=200)
    u = stats.mannwhitneyu(-members, -others).statistic
    assert metrics.mia_auc(members, others) == pytest.approx(u / (300 * 200), abs=EXACT)


def test_mia_auc_se_is_delongs_formula_with_ties():
    """DeLong's components written out pair by pair (ties count 1/2) give the same SE."""
    from e2i_synth.privacy import metrics

    rng = np.random.default_rng(10)
    members, others = rng.gamma(2.0, size=240).round(1), rng.gamma(2.4, size=60).round(1)
    psi = (members[:, None] < others[None, :]) + 0.5 * (members[:, None] == others[None, :])
    expected = np.sqrt(psi.mean(axis=1).var(ddof=1) / 240 + psi.mean(axis=0).var(ddof=1) / 60)
    assert metrics.mia_auc_se(members, others) == pytest.approx(expected, abs=EXACT)
    assert np.isnan(metrics.mia_auc_se(members[:1], others))


def test_mia_auc_se_is_the_spread_of_the_auc_over_repeated_samples():
    """240 members and 60 non-members, as the small-scale twins: over 400 draws the AUC's
    standard deviation matches the mean DeLong SE within 15% (the Monte Carlo sd alone is
    known to about 3.5%)."""
    from e2i_synth.privacy import metrics

    rng = np.random.default_rng(11)
    draws = [(rng.gamma(2.0, size=240), rng.gamma(2.4, size=60)) for _ in range(400)]
    aucs = [metrics.mia_auc(m, o) for m, o in draws]
    ses = [metrics.mia_auc_se(m, o) for m, o in draws]
    assert np.mean(ses) == pytest.approx(np.std(aucs, ddof=1), rel=0.15)


def test_the_unadjusted_effect_is_the_difference_in_means_with_welchs_se():
    """HC2 with a binary regressor alone is the Neyman/Welch variance: cross-checked by hand."""
    from e2i_synth.privacy.metrics import treatment_effect

    rng = np.random.default_rng(3)
    t = rng.random(500) < 0.4
    y = rng.random(500) < np.where(t, 0.6, 0.3)
    rows = pd.DataFrame({"t": t, "y": y, "age": rng.integers(20, 80, 500)})
    estimate, se = treatment_effect(rows, "t", "y")
    y1, y0 = y[t].astype(float), y[~t].astype(float)
    assert estimate == pytest.approx(y1.mean() - y0.mean())
    assert se == pytest.approx(np.sqrt(y1.var(ddof=1) / len(y1) + y0.var(ddof=1) / len(y0)))


def test_the_adjusted_effect_removes_confounding():
    from e2i_synth.privacy.metrics import treatment_effect

    rng = np.random.default_rng(4)
    n = 20_000
    severity = rng.random(n)
    region = rng.choice(["a", "b"], n)
    t = rng.random(n) < 0.2 + 0.6 * severity
    y = rng.random(n) < 0.1 + 0.2 * t + 0.5 * severity + 0.1 * (region == "b")
    rows = pd.DataFrame({"t": t, "y": y, "severity": severity, "region": region})
    naive, _ = treatment_effect(rows, "t", "y")
    adjusted, se = treatment_effect(rows, "t", "y", ("severity", "region"))
    assert naive > 0.3
    assert adjusted == pytest.approx(0.2, abs=4 * se)


def test_exposed_share_counts_members_nearer_than_every_non_member():
    from e2i_synth.privacy.metrics import chance_exposure, exposed_share

    members = np.array([0.0, 0.5, 2.0, 3.0])
    assert exposed_share(members, np.array([1.0, 4.0])) == 0.5
    assert chance_exposure(149) == 1 / 150
