"""Loading a user's callable by its path, as the benchmark's estimators and the agent
evaluation's agents are given on the command line."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from e2i_synth.errors import ConfigError


def load_callable(spec: str, kind: str, thing: str, no_path: str) -> Callable[..., object]:
    """The callable at `package.module:name` (or `package.module.name`); one ConfigError
    naming the `kind` and the fix otherwise (`no_path`: the message for a bare name)."""
    module_name, sep, attribute = spec.replace(":", ".").rpartition(".")
    if not sep:
        raise ConfigError(no_path)
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"{kind} {spec!r} cannot be loaded ({exc}); check the module is importable (on "
            f"PYTHONPATH) and defines that {thing}"
        ) from None
    if not callable(found):
        raise ConfigError(f"{kind} {spec!r} is not callable")
    return found
