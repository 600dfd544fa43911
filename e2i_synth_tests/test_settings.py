"""Settings and scenario selection turn bad input into one actionable message."""

from __future__ import annotations

import pytest

from e2i_synth.catalog import BRANDS, DGPS, MIN_PATIENTS, SCALES
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario, Settings, parse_scale, select_scenarios


def test_presets_and_explicit_counts():
    assert parse_scale("small") == SCALES["small"]
    assert parse_scale("full") == 10 * SCALES["small"]
    assert parse_scale("1234") == 1234
    with pytest.raises(ConfigError, match=f"at least {MIN_PATIENTS}"):
        parse_scale(MIN_PATIENTS - 1)


def test_environment_is_read_and_arguments_win(monkeypatch, tmp_path):
    monkeypatch.setenv("E2I_HOME", str(tmp_path))
    monkeypatch.setenv("E2I_SCALE", "full")
    monkeypatch.setenv("E2I_SEED", "9")
    settings = Settings.from_env()
    assert (settings.home, settings.n_patients, settings.seed) == (tmp_path, SCALES["full"], 9)
    assert Settings.from_env(scale="small", seed=1).n_patients == SCALES["small"]
    monkeypatch.setenv("E2I_SEED", "-1")
    with pytest.raises(ConfigError, match="negative"):
        Settings.from_env()


def test_selection_and_partition_keys():
    assert len(select_scenarios()) == len(BRANDS) * len(DGPS) == 15
    assert [s.dgp for s in select_scenarios(brand="kisqali")] == list(DGPS)
    assert Scenario.from_partition_key("kisqali|confounded") == Scenario("kisqali", "confounded")
    with pytest.raises(ConfigError, match="brand\\|dgp"):
        Scenario.from_partition_key("kisqali-confounded")
    with pytest.raises(ConfigError, match="unknown dgp"):
        Scenario.from_partition_key("kisqali|nope")
