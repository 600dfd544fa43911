"""The shared options: declared once, with one meaning, their help listing the catalog."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from e2i_synth.catalog import BRANDS, DGPS, INTERVENTION_TYPES
from e2i_synth.cli import cli

COMMANDS = [
    ["materialize"],
    ["validate"],
    ["chunked"],
    ["benchmark"],
    ["twins", "train"],
    ["twins", "generate"],
    ["twins", "simulate"],
    ["twins", "fidelity"],
    ["privacy", "score"],
    ["privacy", "sample"],
]


def command_of(path: list[str]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.get_command(click.Context(command), name)
    return command


def options_of(path: list[str]) -> dict[str, click.Option]:
    return {
        opt: p for p in command_of(path).params if isinstance(p, click.Option) for opt in p.opts
    }


def help_of(*path: str) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=400)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


@pytest.mark.parametrize("path", [c for c in COMMANDS if c[0] != "benchmark"], ids=" ".join)
def test_brand_and_dgp_help_list_the_catalog(path):
    options = options_of(path)
    if "--brand" not in options:
        return
    for option, names in (("--brand", BRANDS), ("--dgp", DGPS)):
        assert all(name in options[option].help for name in names), (path, option)


def test_one_seed_means_the_root_seed_and_the_sample_seed_keeps_its_old_name():
    """`--seed` was declared six times with four meanings: the root seed, the first of a
    range, the synthetic sample's seed, a sampler seed. A sample's seed is `--sample-seed`
    now, `--seed` still accepted there."""
    for path in COMMANDS:
        options = options_of(path)
        if path[0] == "privacy":
            assert options["--seed"] is options["--sample-seed"]
            assert options["--seed"].name == "sample_seed"
        elif "--seed" in options:
            assert options["--seed"].name == "seed"
            assert options["--seed"].help.startswith("Root seed"), path


def test_the_benchmark_help_lists_every_built_in_estimator():
    """It listed 5 of the 9: each name of the estimator registry is in it now."""
    from e2i_synth.benchmark.builtins import ALWAYS, WHERE_INSTALLED

    shown = help_of("benchmark")
    assert len(ALWAYS) >= 9
    assert all(name in shown for name in (*ALWAYS, *WHERE_INSTALLED)), shown


def test_the_intervention_help_lists_the_intervention_types():
    for sub in ("simulate", "fidelity"):
        shown = help_of("twins", sub)
        assert all(name in shown for name in INTERVENTION_TYPES), sub
