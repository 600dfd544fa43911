"""Options several commands share, each checked while the command line is parsed, so a bad
value stops with one line (`error: ...`, exit 1) before anything is read, drawn or stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from e2i_synth.errors import ConfigError
from e2i_synth.settings import parse_seed

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


def seed_option(
    help: str = "Root seed (default 42); same seed, same bytes.", default: int | None = None
) -> Decorator:
    """`--seed`, read as text and checked by parse_seed, so every command refuses the same
    values with the same line."""
    return click.option(
        "--seed",
        default=default,
        show_default=default is not None,
        callback=checked_seed,
        help=help,
    )
