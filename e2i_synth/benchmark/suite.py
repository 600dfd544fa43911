"""Benchmark suites: YAML files naming a brand and a grid over a DGP and its knobs; every
combination is one variant (a Scenario with knobs). Named suites ship in `suites/`; a
path to any such file works too."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import yaml

from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario, parse_brand, parse_dgp
from e2i_synth.world.variants import parse_knobs

SUITES_DIR = Path(__file__).with_name("suites")


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    variants: tuple[Scenario, ...]


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES_DIR.glob("*.yaml"))


def suite_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    if name_or_path in suite_names():
        return SUITES_DIR / f"{name_or_path}.yaml"
    raise ConfigError(
        f"unknown suite {name_or_path!r}; choose one of: {', '.join(suite_names())}, "
        "or give the path of a suite YAML file"
    )


def load_suite(name_or_path: str) -> Suite:
    """The suite's variants, in grid order (the last key varies fastest)."""
    path = suite_path(name_or_path)
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("grid"), dict):
        raise ConfigError(f"suite {path} needs a mapping with a 'grid' of lists")
    grid = {k: v if isinstance(v, list) else [v] for k, v in data["grid"].items()}
    dgps = [parse_dgp(str(d)) for d in grid.pop("dgp", [])]
    if not dgps:
        raise ConfigError(f"suite {path}: the grid names no dgp (e.g. dgp: [confounded])")
    brand = parse_brand(str(data.get("brand", "kisqali")))
    names = list(grid)
    variants = tuple(
        Scenario(brand, dgp, parse_knobs(dict(zip(names, _texts(values), strict=True))))
        for dgp in dgps
        for values in itertools.product(*grid.values())
    )
    return Suite(str(data.get("name", path.stem)), str(data.get("description", "")), variants)


def _texts(values: tuple) -> list[str]:
    """YAML booleans back to the knobs' spelling (true / false)."""
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
