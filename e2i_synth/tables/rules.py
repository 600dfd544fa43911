"""Deterministic rules between columns of patient_journeys, declared once.

The generator makes them exact (`world.draw`); the causal truth names the columns they
make traps (`causal_ground_truth.TRAPS`); the privacy scorecard measures how often a
synthetic table keeps them, and the synthesizers keep them by construction with `enforce`.

Each rule has a side that decides (the treatment, the outcome) and a column it
determines, and reads a frame in the warehouse's types: booleans (nullable where an outcome
went unrecorded), the stage as text, days as numbers with nulls. A row whose outcome is
unrecorded keeps a rule when the determined column is unrecorded too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from e2i_synth.catalog import JOURNEY_STAGES, PUBLIC_RANGES

ENGAGED_SCORE = 5.0
"""engagement_score >= 5 exactly when engaged."""
NAIVE_STAGE = JOURNEY_STAGES[0]


@dataclass(frozen=True)
class Rule:
    """`holds(frame)` is True per row that keeps the rule; `derive(frame, rng)` returns the
    frame with the determined column rewritten from the deciding one (post-processing of a
    synthetic table: it reads no real row)."""

    name: str
    statement: str
    columns: tuple[str, ...]
    holds: Callable[[pd.DataFrame], np.ndarray]
    derive: Callable[[pd.DataFrame, np.random.Generator], pd.DataFrame]

    def applies_to(self, frame: pd.DataFrame) -> bool:
        return all(c in frame.columns for c in self.columns)


def initiated(frame: pd.DataFrame) -> np.ndarray:
    """True where the outcome is recorded True (False where False or unrecorded)."""
    return frame["treatment_initiated"].astype("boolean").fillna(False).to_numpy(bool)


def recorded_not_initiated(frame: pd.DataFrame) -> np.ndarray:
    return frame["treatment_initiated"].astype("boolean").eq(False).fillna(False).to_numpy(bool)


def engaged_holds(frame: pd.DataFrame) -> np.ndarray:
    engaged = frame["engaged"].astype("boolean").fillna(False).to_numpy(bool)
    return engaged == (frame["engagement_score"].to_numpy(float) >= ENGAGED_SCORE)


def engaged_derive(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The score moved by 5 to the treatment's side where it is on the wrong one, as the
    generator builds it (5 x engaged + a unit's position in [0, 5)): the treatment column
    decides, since it carries the effect a synthetic table must keep."""
    engaged = frame["engaged"].astype("boolean").fillna(False).to_numpy(bool)
    score = frame["engagement_score"].to_numpy(float)
    shift = np.where(engaged & (score < ENGAGED_SCORE), ENGAGED_SCORE, 0.0)
    shift -= np.where(~engaged & (score >= ENGAGED_SCORE), ENGAGED_SCORE, 0.0)
    score = np.clip(score + shift, *PUBLIC_RANGES["engagement_score"])
    # a score of exactly 10 moved down lands on 5, the engaged side: keep it just below
    score = np.where(~engaged, np.minimum(score, np.nextafter(ENGAGED_SCORE, 0)), score)
    return frame.assign(engagement_score=score.astype(frame["engagement_score"].dtype))


def naive_holds(frame: pd.DataFrame) -> np.ndarray:
    naive = frame["journey_stage"].astype("string").eq(NAIVE_STAGE).fillna(False).to_numpy(bool)
    return naive == recorded_not_initiated(frame)


def draw_from(values: pd.Series, size: int, rng: np.random.Generator) -> np.ndarray:
    """`size` draws from the frame's own values (the synthetic table's, never a real one)."""
    pool = values.to_numpy()
    return pool[rng.integers(len(pool), size=size)] if len(pool) else pool[:0]


def naive_derive(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Not initiated: treatment_naive. Initiated but naive: a stage drawn from the other
    initiated rows' stages. Unrecorded outcome but naive: unrecorded stage."""
    stage = frame["journey_stage"].astype(object).copy()
    naive = stage.eq(NAIVE_STAGE).to_numpy(bool)
    stage[naive & frame["treatment_initiated"].isna().to_numpy(bool)] = None
    stage[recorded_not_initiated(frame)] = NAIVE_STAGE
    wrong = initiated(frame) & naive
    donors = stage[initiated(frame) & ~naive & stage.notna().to_numpy(bool)]
    if wrong.any() and len(donors):
        stage[wrong] = draw_from(donors, int(wrong.sum()), rng)
    return frame.assign(journey_stage=stage.astype(frame["journey_stage"].dtype))


def days_holds(frame: pd.DataFrame) -> np.ndarray:
    return frame["days_to_treatment"].isna().to_numpy(bool) == ~initiated(frame)


def days_derive(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Not initiated (or unrecorded): NULL. Initiated without days: days drawn from the
    other initiated rows' days."""
    days = frame["days_to_treatment"].copy()
    started = initiated(frame)
    missing = started & days.isna().to_numpy(bool)
    donors = days[started & days.notna().to_numpy(bool)]
    if missing.any() and len(donors):
        days[missing] = draw_from(donors, int(missing.sum()), rng)
    days[~started] = None
    return frame.assign(days_to_treatment=days)


JOURNEY_RULES: tuple[Rule, ...] = (
    Rule(
        "engaged_by_score",
        f"engagement_score >= {ENGAGED_SCORE:g} exactly when engaged",
        ("engagement_score", "engaged"),
        engaged_holds,
        engaged_derive,
    ),
    Rule(
        "naive_not_initiated",
        f"journey_stage = {NAIVE_STAGE} exactly when not treatment_initiated",
        ("treatment_initiated", "journey_stage"),
        naive_holds,
        naive_derive,
    ),
    Rule(
        "days_when_initiated",
        "days_to_treatment is NULL exactly when not treatment_initiated",
        ("treatment_initiated", "days_to_treatment"),
        days_holds,
        days_derive,
    ),
)


def applicable(frame: pd.DataFrame, rules: tuple[Rule, ...] = JOURNEY_RULES) -> tuple[Rule, ...]:
    return tuple(r for r in rules if r.applies_to(frame))


def adherence(frame: pd.DataFrame, rules: tuple[Rule, ...] = JOURNEY_RULES) -> dict[str, float]:
    """Share of rows keeping each rule whose columns the frame has."""
    return {
        r.name: float(np.mean(r.holds(frame))) if len(frame) else 1.0
        for r in applicable(frame, rules)
    }


def enforce(
    frame: pd.DataFrame, rng: np.random.Generator, rules: tuple[Rule, ...] = JOURNEY_RULES
) -> pd.DataFrame:
    """Every applicable rule made to hold by rewriting the column it determines."""
    for rule in applicable(frame, rules):
        frame = rule.derive(frame, rng)
    return frame
