"""Families by name: the command line's and the Dagster job's one lookup."""

from __future__ import annotations

import pytest

from e2i_synth.errors import E2IError
from e2i_synth.privacy.families import NAMES, family_named


def test_every_named_family_resolves_to_itself():
    from e2i_synth.privacy import copula

    pytest.importorskip("opendp")
    assert [family_named(n).name for n in NAMES] == list(NAMES)
    assert family_named("gaussian_copula") is copula.FAMILY


def test_an_unknown_name_lists_the_choices():
    with pytest.raises(E2IError, match="gaussian_copula, mst"):
        family_named("ctgan")
