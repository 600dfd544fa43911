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
