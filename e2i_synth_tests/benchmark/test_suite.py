"""Named suites load into distinct, valid variants."""

from __future__ import annotations

import pytest

from e2i_synth.benchmark.suite import load_suite, suite_names
from e2i_synth.errors import ConfigError
from e2i_synth.world.variants import variant_spec


def test_standard_suite_is_a_grid_of_at_least_100_distinct_variants():
    suite = load_suite("standard")
    labels = [v.label for v in suite.variants]
    assert len(labels) >= 100 and len(set(labels)) == len(labels)
    specs = [variant_spec(v.dgp, v.knobs) for v in suite.variants]
    assert {s.form for s in specs} == {"linear", "nonlinear"}
    assert {s.propensity_clip[0] for s in specs} == {0.05, 0.01}
    assert any(s.effect_modifiers for s in specs) and any(s.noise for s in specs)


def test_suites_are_listed_and_a_file_path_loads_too(tmp_path):
    assert {"smoke", "standard"} <= set(suite_names())
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\nbrand: fabhalta\ngrid:\n  dgp: [selection_bias]\n  noise: [0, 0.3]\n"
    )
    suite = load_suite(str(path))
    assert [v.label for v in suite.variants] == [
        "fabhalta|selection_bias~noise=0",
        "fabhalta|selection_bias~noise=0.3",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grid:\n  dgp: [confounded]\n  overlap: [0.9]\n", "overlap takes a number"),
        ("grid:\n  dgp: [nope]\n", "unknown dgp 'nope'"),
        ("grid:\n  overlap: [0.1]\n", "names no dgp"),
        ("- a list\n", "needs a mapping with a 'grid'"),
    ],
)
def test_a_bad_suite_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_suite(str(path))
    assert message in str(error.value)


def test_unknown_suite_names_the_known_ones():
    with pytest.raises(ConfigError, match="unknown suite 'nope'; choose one of: ") as error:
        load_suite("nope")
    for name in ("censoring", "dose", "selection", "smoke", "standard", "time_varying"):
        assert name in str(error.value)
