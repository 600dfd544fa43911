"""The row counts the generating-data guide states for `--scale small` and `--scale full`
are what the generator makes (every table of the 15 scenarios, seed 42)."""

from __future__ import annotations

import re

import pytest

from e2i_synth.catalog import BRANDS, DGPS, SCALES
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.world import draw_world
from e2i_synth_tests.test_readme import DOCS

GUIDE = DOCS / "guides" / "generating-data.md"


def stated_rows(scale: str) -> int:
    """The guide's figure for a scale, e.g. "`small` (3,000 patients per scenario,
    881,316 rows in all with seed 42)"."""
    found = re.search(
        rf"`{scale}` \(([\d,]+) patients per scenario,\s+([\d,]+) rows", GUIDE.read_text()
    )
    assert found, f"{GUIDE.name} states no row count for --scale {scale}"
    assert int(found[1].replace(",", "")) == SCALES[scale]
    return int(found[2].replace(",", ""))


def generated_rows(n_patients: int) -> int:
    return sum(
        len(frame)
        for brand in BRANDS
        for dgp in DGPS
        for frame in build_tables(draw_world(Scenario(brand, dgp), n_patients, 42)).values()
    )


def test_small_row_count_is_what_is_generated():
    assert generated_rows(SCALES["small"]) == stated_rows("small")


@pytest.mark.integration
def test_full_row_count_is_what_is_generated():
    assert generated_rows(SCALES["full"]) == stated_rows("full")
