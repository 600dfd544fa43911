"""Options several commands share, each declared once with one meaning (its help listing
what the catalog holds), and checked while the command line is parsed, so a bad value
stops with one line (`error: ...`, exit 1) before anything is read, drawn or stored.

--brand, --dgp: the scenario(s); --scale: patients per scenario; --seed: the root seed the
world is drawn from (the first of a range where a command runs several); --sample-seed:
the seed of a synthetic or sampled draw (its former name --seed is still accepted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from e2i_synth.catalog import BRANDS, DGPS, SCALES
from e2i_synth.errors import ConfigError
from e2i_synth.settings import DEFAULT_SCALE, DEFAULT_SEED, parse_seed

Number = TypeVar("Number", int, float)
Decorator = Callable[[Callable], Callable]


def positive(
    example: str,
) -> Callable[[click.Context, click.Parameter, Number | None], Number | None]:
    """A callback refusing zero and negative values: a count or an epsilon of 0 or less means
    nothing, and would otherwise fail deep inside the run with a traceback."""

    def check(ctx: click.Context, param: click.Parameter, value: Number | None) -> Number | None:
        if value is not None and value <= 0:
            name = param.opts[0]
            raise ConfigError(f"{name} {value:g} must be positive, e.g. {name} {example}")
        return value

    return check


def checked_seed(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """The seed as an integer in range; None leaves it to E2I_SEED or the default."""
    return None if value is None else parse_seed(value)


def listed(names: object) -> str:
    return ", ".join(names)


def seed_option(
    help: str = f"Root seed (default {DEFAULT_SEED}); same seed, same bytes.",
) -> Decorator:
    """`--seed`, the root seed, read as text and checked by parse_seed, so every command
    refuses the same values with the same line."""
    return click.option("--seed", default=None, callback=checked_seed, help=help)


def sample_seed_option(help: str, default: int | None = None) -> Decorator:
    """`--sample-seed` (formerly `--seed`, still accepted): the seed of a sampled draw, not
    of the world, checked like the root seed."""
    return click.option(
        "--sample-seed",
        "--seed",
        "sample_seed",
        default=default,
        show_default=default is not None,
        callback=checked_seed,
        help=help,
    )


def scale_option(
    help: str = (
        f"Patients per scenario: {listed(f'{n} ({p:,})' for n, p in SCALES.items())} or a "
        f"count (default {DEFAULT_SCALE})."
    ),
    **kwargs,
) -> Decorator:
    """`--scale`, patients per scenario (a preset name or a count; settings.parse_scale)."""
    return click.option("--scale", help=help, **kwargs)


def scenarios_options(command: Callable) -> Callable:
    """`--brand` and `--dgp` selecting among every scenario (default: all of them)."""
    command = click.option(
        "--dgp",
        default=None,
        help=f"Only this data-generating process: {listed(DGPS)} (default: all {len(DGPS)}).",
    )(command)
    return click.option(
        "--brand",
        default=None,
        help=f"Only this brand: {listed(BRANDS)} (default: all {len(BRANDS)}).",
    )(command)


def scenario_options(dgp_required: bool = False) -> Decorator:
    """`--brand` and `--dgp` naming one scenario (its DGP confounded unless required)."""
    dgp = {"required": True} if dgp_required else {"default": "confounded", "show_default": True}

    def decorate(command: Callable) -> Callable:
        command = click.option(
            "--dgp", help=f"The scenario's data-generating process: {listed(DGPS)}.", **dgp
        )(command)
        return click.option(
            "--brand", required=True, help=f"The scenario's brand: {listed(BRANDS)}."
        )(command)

    return decorate
