"""The one interface every synthesizer implements, and a family = a synthesizer plus the
hyperparameter rules the optimizer follows for it.

Any sampler with `fit(rows)` and `sample(n, seed)` plugs in (an adapter over the twin
generator's sampler, a DP model, a test double); the scorecard only sees frames.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from e2i_synth.errors import E2IError

Params = Mapping[str, float]


class Synthesizer(Protocol):
    def fit(self, rows: pd.DataFrame) -> Synthesizer:
        """Learn from training rows only (never the holdout); return self."""

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        """n new rows with the training columns and dtypes; same seed, same rows."""


@dataclass(frozen=True)
class Adjustment:
    """One rule of a suggestion table: multiply `param` by `factor`, kept in [low, high]."""

    param: str
    factor: float
    low: float
    high: float
    why: str

    def apply(self, params: Params) -> dict[str, float]:
        value = min(max(params[self.param] * self.factor, self.low), self.high)
        if isinstance(params[self.param], int):
            value = round(value)
        return {**params, self.param: value}

    def describe(self, params: Params) -> str:
        after = self.apply(params)[self.param]
        return f"{self.param} {params[self.param]:g} -> {after:g} ({self.why})"


@dataclass(frozen=True)
class Family:
    """A synthesizer with its starting hyperparameters by data size and its suggestion
    table: failure class name -> adjustments, applied in order by the optimizer."""

    name: str
    build: Callable[[Params], Synthesizer]
    starting_params: Callable[[int, int], dict[str, float]]
    suggestions: Mapping[str, tuple[Adjustment, ...]]
    advice: Mapping[str, str]
    """Failure class name -> what to try when adjusting this family is not enough."""


def check_rows(rows: pd.DataFrame, minimum: int) -> None:
    if len(rows) < minimum:
        raise E2IError(
            f"{len(rows)} training rows; a synthesizer needs at least {minimum} to learn from "
            "(use a larger scale or a larger table)"
        )
