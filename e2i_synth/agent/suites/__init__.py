"""One module per task suite, each with `build(scenario, frames, rng) -> list[Task]`."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import pandas as pd

from e2i_synth.agent.suites import causal, data, drift, gap, targeting
from e2i_synth.agent.tasks import Task, rng_for
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario


def suites() -> dict[str, ModuleType]:
    """Every suite's module by name, in the order reports list them: each has `READS`
    (the tables its tasks are built from) and `build(scenario, frames, rng)`."""
    return {m.SUITE: m for m in (data, gap, drift, causal, targeting)}


def parse_suites(names: str | None) -> tuple[str, ...]:
    """A comma-separated list of suite names (all when empty), checked."""
    known = tuple(suites())
    chosen = tuple(n.strip() for n in (names or "").split(",") if n.strip()) or known
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise ConfigError(f"unknown suite(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    return chosen


def build_tasks(
    scenario: Scenario,
    frames: Mapping[str, pd.DataFrame],
    seed: int,
    names: tuple[str, ...] | None = None,
) -> list[Task]:
    """The tasks of the chosen suites (all by default) for one scenario, from its tables
    (truth included)."""
    modules = suites()
    return [
        task
        for name in names or tuple(modules)
        for task in modules[name].build(scenario, frames, rng_for(scenario, name, seed))
    ]
