"""The leaderboard by estimand: cells over the same variant-seeds, ranks only where the
target is identified and every variant-seed answered, coverage with its interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from e2i_synth.benchmark.leaderboard import by_estimand, by_variant


def run(estimator, variant, seed, estimand="ate", error=0.0, identified=True, ok=True):
    return {
        "estimator": estimator,
        "variant": variant,
        "seed": seed,
        "estimand": estimand,
        "identified": identified,
        "error": error if ok else np.nan,
        "std_error": 0.02 if ok else np.nan,
        "covered": ok and abs(error) < 0.05,
        "status": "ok" if ok else "raised RuntimeError: no",
    }


def test_an_estimator_on_fewer_variants_is_listed_but_not_ranked():
    """The front-door estimator answers on one of two variants with a tiny error: pooled
    scoring ranked it first; here OLS, which answered on both, holds rank 1."""
    rows = [run("ols", v, s, error=0.03) for v in ("a", "b") for s in (1, 2)]
    rows += [run("frontdoor", "b", s, error=0.001) for s in (1, 2)]
    board = by_estimand(pd.DataFrame(rows)).loc["ate"]
    assert board.loc["ols", "rank"] == 1 and board.loc["ols", "variants"] == "2/2"
    assert pd.isna(board.loc["frontdoor", "rank"]) and board.loc["frontdoor", "variants"] == "1/2"
    assert list(board.index) == ["ols", "frontdoor"]


def test_estimates_of_an_unidentified_target_are_counted_apart_never_ranked():
    """Under selection the naive contrast of the full ATE may land near the truth when two
    biases cancel; it is counted under not_identified and leaves every figure alone."""
    rows = [run("naive", "plain", 1, error=0.2), run("aipw", "plain", 1, error=0.01)]
    rows += [
        run("naive", "selection", 1, error=0.0, identified=False),
        run("aipw", "selection", 1, error=0.3, identified=False),
    ]
    board = by_estimand(pd.DataFrame(rows)).loc["ate"]
    assert board.loc["naive", "rmse"] == pytest.approx(0.2)
    assert board.loc["naive", "not_identified"] == 1 and board.loc["naive", "variants"] == "1/1"
    assert board.loc["aipw", "rank"] == 1 and board.loc["naive", "rank"] == 2
    detail = by_variant(pd.DataFrame(rows))
    assert detail.loc[("ate", "selection"), "naive"] == "not identified"
    assert detail.loc[("ate", "plain"), "aipw"] == "0.0100"


def test_estimands_are_never_pooled():
    rows = [run("ols", "a", 1, error=0.1), run("iv", "z", 1, estimand="late", error=0.0)]
    board = by_estimand(pd.DataFrame(rows))
    assert set(board.index) == {("ate", "ols"), ("late", "iv")}
    assert (board["rank"] == 1).all()


def test_a_failed_run_unranks_the_estimator_and_is_counted():
    rows = [run("ols", "a", s, error=0.01) for s in (1, 2)]
    rows += [run("mine", "a", 1, error=0.0), run("mine", "a", 2, ok=False)]
    board = by_estimand(pd.DataFrame(rows)).loc["ate"]
    assert board.loc["mine", "failed"] == 1 and pd.isna(board.loc["mine", "rank"])
    detail = by_variant(pd.DataFrame([*rows[:2], run("x", "a", 1, ok=False)]))
    assert detail.loc[("ate", "a"), "x"] == "failed"


@given(st.lists(st.tuples(st.floats(-0.2, 0.2), st.booleans()), min_size=1, max_size=40))
def test_cells_equal_their_definitions(draws):
    """Bias, RMSE and coverage of a cell are the mean error, root mean square error and
    covered share of its runs; the interval is statsmodels' Wilson interval around it."""
    rows = [
        {**run("e", f"v{i}", 0, error=error), "covered": covered}
        for i, (error, covered) in enumerate(draws)
    ]
    cell = by_estimand(pd.DataFrame(rows)).loc[("ate", "e")]
    errors = np.array([e for e, _ in draws])
    hits = sum(c for _, c in draws)
    assert cell["bias"] == pytest.approx(errors.mean(), abs=1e-12)
    assert cell["rmse"] == pytest.approx(np.sqrt(np.mean(errors**2)), abs=1e-12)
    assert cell["coverage"] == pytest.approx(hits / len(draws))
    low, high = proportion_confint(hits, len(draws), method="wilson")
    assert (cell["coverage_low"], cell["coverage_high"]) == pytest.approx((low, high))
    assert cell["coverage_low"] <= cell["coverage"] <= cell["coverage_high"]
    assert cell["interval_length"] == pytest.approx(2 * 1.959963984540054 * 0.02)
