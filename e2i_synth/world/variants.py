"""Knobs: named, validated changes of a DGP spec that make a variant of it.

A variant is keyed by its label, `<dgp>~<knob>=<value>,...` with knobs sorted by name and
values written canonically, so the same knobs always give the same label (and world).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache

from e2i_synth.catalog import DGPS, DgpSpec
from e2i_synth.errors import ConfigError
from e2i_synth.world import mechanisms
from e2i_synth.world.mechanisms.base import Knob

Knobs = tuple[tuple[str, str], ...]
"""(name, canonical value) pairs sorted by name: hashable, part of a Scenario."""

KNOBS: Mapping[str, Knob] = mechanisms.knobs()
"""Every knob of every mechanism, by name (sorted)."""


def _canonical(value: float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


def parse_knobs(items: Iterable[str] | Mapping[str, object]) -> Knobs:
    """`name=value` strings (or a mapping) validated into canonical, sorted knobs; an
    unknown knob or a bad value is one ConfigError naming it and what is allowed."""
    pairs = items.items() if isinstance(items, Mapping) else [_split(i) for i in items]
    known = mechanisms.knobs()
    knobs: dict[str, str] = {}
    for name, text in pairs:
        if name not in known:
            raise ConfigError(f"unknown knob {name!r}; choose among: {', '.join(known)}")
        if name in knobs:
            raise ConfigError(f"knob {name} given twice; give each knob once")
        knobs[name] = _canonical(known[name].parse(str(text)))
    _check_combination(
        {k: float(v == "true") if known[k].low is None else float(v) for k, v in knobs.items()}
    )
    return tuple(sorted(knobs.items()))


def _check_combination(values: Mapping[str, float]) -> None:
    """Knobs a mechanism declares it does not combine with, then mechanisms written for one
    engagement decision beside one that makes two: one ConfigError naming them."""
    registry = mechanisms.REGISTRY
    for m in registry:
        for exclusion in m.exclusions:
            first, second = exclusion.knobs
            if values.get(first) and values.get(second):
                raise ConfigError(
                    f"knobs {first} and {second} do not combine ({exclusion.why}); "
                    "set one of them to 0"
                )
    single = [k.name for m in registry if m.single_decision for k in m.knobs]
    for m in registry:
        on = [k.name for k in m.knobs if values.get(k.name)]
        clashes = [k for k in sorted(single) if values.get(k)]
        if m.decisions > 1 and on and clashes:
            raise ConfigError(
                f"knob {on[0]} does not combine with {', '.join(clashes)} (they describe a "
                f"single engagement decision); set {on[0]} or them to 0"
            )


def _split(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep:
        raise ConfigError(f"knob {item!r} is not name=value; e.g. --knob overlap=0.1")
    return name.strip(), value


def knobs_text(knobs: Knobs) -> str:
    return ",".join(f"{k}={v}" for k, v in knobs)


def variant_label(dgp: str, knobs: Knobs) -> str:
    return f"{dgp}~{knobs_text(knobs)}" if knobs else dgp


@lru_cache(maxsize=1024)
def variant_spec(dgp: str, knobs: Knobs = ()) -> DgpSpec:
    """The named DGP's spec with the knobs applied in name order (no knobs: the spec)."""
    spec = DGPS[dgp]
    known = mechanisms.knobs()
    for name, value in knobs:
        spec = known[name].apply(spec, known[name].parse(value))
    return replace(spec, variant=knobs_text(knobs)) if knobs else spec
