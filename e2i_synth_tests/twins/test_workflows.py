"""The command line's twin workflows: a registered model is scored only in its own world."""

from __future__ import annotations

import pytest

from e2i_synth.twins.errors import TwinError
from e2i_synth.world.interventions import draw_interventions
from e2i_synth_tests.conftest import SMALL, frames_of, world_of
from e2i_synth_tests.twins.conftest import BRAND, DGP, SEED


def layer_at(n_patients: int, seed: int):
    return draw_interventions(
        world_of(BRAND, DGP, n_patients, seed),
        frames_of(BRAND, DGP, n_patients, seed)["hcp_profiles"],
    )


def test_a_model_is_scored_only_in_the_world_it_learned_from(generator, frame, iw, tmp_path):
    """Same seed and size: the model loads. Another seed or size is another draw, whose
    truth the model never saw: one error naming both worlds and the fix."""
    from e2i_synth.twins.pipeline import training_rows_at
    from e2i_synth.twins.registry import log_generator
    from e2i_synth.twins.workflows import registered_for

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    log_generator(generator, frame, uri)
    assert registered_for(iw, uri).model_id == generator.model_id

    with pytest.raises(TwinError, match=rf"world of seed {SEED} with .* seed {SEED + 1} and"):
        registered_for(layer_at(SMALL, SEED + 1), uri)
    rows = f"{training_rows_at(2 * SMALL):,}"
    with pytest.raises(TwinError, match=rf"seed {SEED} and {rows}, another draw: pass the --seed"):
        registered_for(layer_at(2 * SMALL, SEED), uri)


@pytest.mark.integration
def test_the_command_refuses_off_support_and_labels_an_extrapolation(
    generator, frame, tmp_path, monkeypatch
):
    """`twins simulate` at an intensity the history never delivered: refused in one line
    naming the supported range; with --extrapolate it prints the label and never deploy."""
    from click.testing import CliRunner

    from e2i_synth.cli import cli
    from e2i_synth.twins.registry import log_generator

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    log_generator(generator, frame, uri)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("E2I_HOME", str(tmp_path / "home"))
    args = ["twins", "simulate", "--brand", BRAND, "--dgp", DGP, "--seed", str(SEED)]
    args += ["--intervention", "email_campaign", "--intensity", "2.0", "-n", "300"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code != 0
    message = str(refused.exception)
    assert "intensity 2 is outside the 0.5-1.5 the history delivered email_campaign" in message
    ran = CliRunner().invoke(cli, [*args, "--extrapolate"])
    assert ran.exit_code == 0, ran.output
    assert ran.output.startswith("EXTRAPOLATED beyond the history's support: intensity 2")
    assert "(extrapolated)" in ran.output
    assert "recommendation: deploy" not in ran.output


@pytest.mark.integration
def test_the_target_command_reports_the_values_against_truth(
    generator, frame, iw, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from e2i_synth.cli import cli
    from e2i_synth.twins.policy import evaluate_targeting
    from e2i_synth.twins.registry import log_generator

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    log_generator(generator, frame, uri)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("E2I_HOME", str(tmp_path / "home"))
    args = ["twins", "target", "--brand", BRAND, "--dgp", DGP, "--seed", str(SEED)]
    ran = CliRunner().invoke(cli, [*args, "--intervention", "email_campaign", "--budget", "20"])
    assert ran.exit_code == 0, ran.output
    e = evaluate_targeting(generator, iw, {"intervention_type": "email_campaign"}, 20)
    assert f"the twins treat 20 of {iw.n_hcps:,} HCPs" in ran.output
    assert f"true value {e.policy_value:.4f}" in ran.output
    assert f"oracle {e.oracle_value:.4f}, naive (highest deciles) {e.naive_value:.4f}" in ran.output
    assert f"regret (oracle - twins) {e.regret:.4f}" in ran.output
    refused = CliRunner().invoke(cli, [*args, "--intervention", "email_campaign", "--budget", "0"])
    assert refused.exit_code != 0 and "--budget 10%" in str(refused.exception)
