"""Fit, score, and retry with adjusted hyperparameters: starting values by data size, up to
`MAX_RETRIES` retries guided by the failure classes, every attempt recorded, the best kept
(even when none is all green)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from time import perf_counter

import pandas as pd

from e2i_synth.privacy.failures import Failure, diagnose, next_params
from e2i_synth.privacy.scorecard import CausalDesign, Scorecard, score
from e2i_synth.privacy.synthesizer import Family

MAX_RETRIES = 3
MIN_LIMIT = 1e-6
"""A limit derived from SEs (the effect gap's) is positive but may be tiny."""


@dataclass(frozen=True)
class Attempt:
    number: int
    params: dict[str, float]
    scorecard: Scorecard
    failures: tuple[Failure, ...]
    seconds: float
    """Fit + sample + score."""

    @property
    def excess(self) -> float:
        """sum over checks of max(0, bound / limit - 1), the bound being the value less its
        allowance for noise (`Check.bound`): how far from all green."""
        return sum(max(0.0, c.bound / max(c.limit, MIN_LIMIT) - 1.0) for c in self.scorecard.checks)

    def as_record(self) -> dict[str, object]:
        return {
            "attempt": self.number,
            **{f"param.{k}": v for k, v in self.params.items()},
            **{c.name: round(c.value, 4) for c in self.scorecard.checks},
            "all_green": self.scorecard.all_green,
            "failures": ",".join(f.kind for f in self.failures),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Optimization:
    family: str
    attempts: tuple[Attempt, ...]

    @property
    def best(self) -> Attempt:
        """Fewest failure classes, then least excess over the limits, then earliest."""
        return min(self.attempts, key=lambda a: (len(a.failures), a.excess, a.number))

    def as_frame(self) -> pd.DataFrame:
        return pd.DataFrame([a.as_record() for a in self.attempts]).set_index("attempt")


def optimize(
    family: Family,
    name: str,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    target: str | None = None,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
    max_retries: int = MAX_RETRIES,
    design: CausalDesign | None = None,
) -> Optimization:
    """Attempts until one is all green or the retries are spent; `params` overrides the
    starting hyperparameters (e.g. a caller's epsilon budget); `design` is the effect the
    synthetic rows must keep."""
    current = {**family.starting_params(*train.shape), **(params or {})}
    attempts: list[Attempt] = []
    for number in range(1, max_retries + 2):
        started = perf_counter()
        synthetic = family.build(current).fit(train).sample(len(train), seed + number)
        card = score(name, train, holdout, synthetic, target, seed, design)
        failures = diagnose(card, family, current)
        attempts.append(Attempt(number, current, card, tuple(failures), perf_counter() - started))
        if not failures:
            break
        following = next_params(failures, family, current)
        if following == current:
            break  # the suggestion table has nothing left to change
        current = following
    return Optimization(family.name, tuple(attempts))
