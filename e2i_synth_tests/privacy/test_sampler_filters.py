"""`--where` text as sampler filters: parsed without a database (the sampler's checks and
its SQL are tested against PostgreSQL in test_sampler.py)."""

from __future__ import annotations

import pytest

from e2i_synth.privacy import sampler
from e2i_synth.privacy.ledger import Refused
from e2i_synth.privacy.sampler import Filter


def test_where_text_becomes_filters_and_in_takes_a_list():
    assert sampler.filters_from_text(["region=west", "age_at_diagnosis >= 40", "brand in a,b"]) == (
        Filter("region", "=", "west"),
        Filter("age_at_diagnosis", ">=", "40"),
        Filter("brand", "in", ["a", "b"]),
    )


@pytest.mark.parametrize("text", ["region", "region ~ west", "= west"])
def test_where_text_without_an_operator_is_refused_naming_the_operators(text):
    with pytest.raises(Refused, match=r"is not 'column OP value' with OP in =, <>, <"):
        sampler.filters_from_text([text])
