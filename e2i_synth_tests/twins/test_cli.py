import pytest
from click.testing import CliRunner

from e2i_synth.cli import cli
from e2i_synth_tests.conftest import invoke_cli


def test_unknown_intervention_is_one_line(isolated_home):
    result = CliRunner().invoke(
        cli, ["twins", "simulate", "--brand", "kisqali", "--intervention", "skywriting"]
    )
    assert result.exit_code != 0
    assert "intervention_type='skywriting' is not one of" in str(result.exception)


def test_no_registered_model_says_how_to_train(isolated_home, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    result = CliRunner().invoke(cli, ["twins", "generate", "--brand", "fabhalta"])
    assert "twins train --brand" in str(result.exception)
    assert not (isolated_home / "mlflow.db").exists()  # no empty store left behind


@pytest.mark.parametrize("command", ["generate", "simulate"])
@pytest.mark.parametrize("count", ["0", "-5"])
def test_a_count_of_twins_below_one_is_one_line_before_any_work(tmp_path, command, count):
    extra = ["--intervention", "email_campaign"] if command == "simulate" else []
    env = {"E2I_HOME": str(tmp_path / "home"), "MLFLOW_TRACKING_URI": None}
    result = invoke_cli("twins", command, "--brand", "kisqali", *extra, "-n", count, env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: -n {count} must be positive, e.g. -n "
        + ("1000" if command == "generate" else "10000")
    ]
    assert not (tmp_path / "home").exists()
