import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.twins.errors import TwinError
from e2i_synth.twins.targeting import naive_ranking, parse_budget, ranking


@pytest.mark.parametrize(("budget", "k"), [("30", 30), (30, 30), ("10%", 30), ("0.5%", 2)])
def test_a_budget_is_a_count_or_a_share(budget, k):
    assert parse_budget(budget, 300) == k


@pytest.mark.parametrize("budget", ["0", "301", "0%", "ten", "-5", "150%"])
def test_a_budget_outside_the_hcps_is_one_clear_error(budget):
    with pytest.raises(TwinError, match=r"is not 1 to 300 HCPs .* --budget 10%"):
        parse_budget(budget, 300)


@given(st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=50))
def test_ranking_puts_the_highest_first_and_keeps_ties_in_order(scores):
    order = ranking(scores)
    ranked = np.asarray(scores)[order]
    assert (np.diff(ranked) <= 0).all()
    for a, b in itertools.pairwise(order):
        if scores[a] == scores[b]:
            assert a < b


def test_naive_ranking_is_decile_then_volume():
    hcps = pd.DataFrame({"decile": [3, 10, 10, 7], "total_patient_volume": [99, 5, 50, 1]})
    assert naive_ranking(hcps).tolist() == [2, 1, 3, 0]
