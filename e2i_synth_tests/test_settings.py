"""Settings and scenario selection turn bad input into one actionable message."""

from __future__ import annotations

import pytest

from e2i_synth.catalog import BRANDS, DGPS, MIN_PATIENTS, SCALES
from e2i_synth.database_url import PostgresTarget
from e2i_synth.errors import ConfigError
from e2i_synth.settings import (
    MAX_SEED,
    Scenario,
    Settings,
    celery_broker_url,
    parse_scale,
    parse_seed,
    select_scenarios,
)
from e2i_synth_tests.conftest import SPECIAL_PASSWORDS, leaks, written


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
    with pytest.raises(ConfigError, match="seed -1 is out of range"):
        Settings.from_env()


def test_seeds_are_refused_outside_what_every_model_takes():
    """A seed past 2**32 - 1 drew the world, then failed storing it or training the twins
    (scikit-learn's random_state); it stops here, before anything is drawn."""
    from sklearn.utils import check_random_state

    assert parse_seed(" 0 ") == 0 and parse_seed(MAX_SEED) == MAX_SEED
    check_random_state(MAX_SEED)  # the bound is what the twins' models take
    for bad in (MAX_SEED + 1, 123456789012345678901234567890, -1):
        with pytest.raises(
            ConfigError, match=rf"seed {bad} is out of range; give .* to {MAX_SEED}"
        ):
            parse_seed(bad)
    with pytest.raises(ValueError):
        check_random_state(MAX_SEED + 1)


def test_selection_and_partition_keys():
    assert len(select_scenarios()) == len(BRANDS) * len(DGPS) == 15
    assert [s.dgp for s in select_scenarios(brand="kisqali")] == list(DGPS)
    assert Scenario.from_partition_key("kisqali|confounded") == Scenario("kisqali", "confounded")
    with pytest.raises(ConfigError, match="brand\\|dgp"):
        Scenario.from_partition_key("kisqali-confounded")
    with pytest.raises(ConfigError, match="unknown dgp"):
        Scenario.from_partition_key("kisqali|nope")


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:pw@db:5432/e2i",
        "postgresql+psycopg://u:pw@db:5432/e2i",
        "postgresql://u:pw@db:5432/e2i",
    ],
)
def test_settings_read_the_database_url_spellings_once(monkeypatch, url):
    monkeypatch.setenv("E2I_DATABASE_URL", url)
    settings = Settings.from_env(home="/tmp/e2i")
    assert settings.database == PostgresTarget("db", "5432", "e2i", "u", "pw")
    assert settings.target == "PostgreSQL database 'e2i' at db:5432 as 'u'"


def test_settings_never_show_the_password(monkeypatch):
    monkeypatch.setenv("E2I_DATABASE_URL", "postgresql://u:Xq7a/Wm3b@Vk2c@db:5432/e2i")
    settings = Settings.from_env(home="/tmp/e2i")
    assert settings.database.password == "Xq7a/Wm3b@Vk2c"
    shown = f"{settings!r} {settings.target}"
    assert not [f for f in ("Xq7a", "Wm3b", "Vk2c") if f in shown]


@pytest.mark.parametrize("url", ["mysql://u:Sekr3tPw@db/e2i", "postgresq://u:Sekr3tPw@db/e2i"])
def test_a_foreign_or_misspelt_url_is_refused_without_its_password(monkeypatch, url):
    monkeypatch.setenv("E2I_DATABASE_URL", url)
    with pytest.raises(ConfigError) as error:
        Settings.from_env(home="/tmp/e2i")
    assert "Sekr3tPw" not in str(error.value) and "E2I_DATABASE_URL has scheme" in str(error.value)


@pytest.mark.parametrize("password", SPECIAL_PASSWORDS)
def test_the_celery_broker_password_is_read_as_written_and_masked(monkeypatch, password):
    from kombu import Connection

    monkeypatch.setenv("E2I_CELERY_BROKER", f"pyamqp://guest:{written(password)}@127.0.0.1:5672//")
    broker = Connection(celery_broker_url())
    parts = (broker.hostname, broker.port, broker.userid, broker.password, broker.virtual_host)
    assert parts == ("127.0.0.1", 5672, "guest", password, "/")
    assert broker.as_uri() == "amqp://guest:**@127.0.0.1:5672//"
    assert leaks(broker.as_uri(), password) == []


def test_a_celery_broker_list_keeps_each_url_apart(monkeypatch):
    monkeypatch.setenv("E2I_CELERY_BROKER", "amqp://u:p/1@a:5672//;amqp://u:p@2@b:5672//")
    assert celery_broker_url() == "amqp://u:p%2F1@a:5672//;amqp://u:p%402@b:5672//"
    monkeypatch.delenv("E2I_CELERY_BROKER")
    assert celery_broker_url() == "pyamqp://guest@127.0.0.1:5672//"
