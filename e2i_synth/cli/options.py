"""Options several commands share, each checked while the command line is parsed, so a bad
value stops with one line (`error: ...`, exit 1) before anything is read, drawn or stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from e2i_synth.errors import ConfigError

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
