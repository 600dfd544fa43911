"""The history's support: which simulations the twin model may answer.

A twin learns an intervention's effect from the history's deliveries of it; asked about a
dose it never saw, or a population it never delivered to, it answers from the forest's
flat edge and the doubly robust correction has no rows to correct it with (an audit saw
intensity 2.0, never delivered, simulated at 0.277 against a true 0.176 and recommended
for deployment). The rule, per simulated intervention k:

- dose: each dose input (intensity, duration in weeks) lies within the range the training
  history delivered k at, from its lowest to its highest delivered value;
- population: the training history's rows on the HCPs the filters select hold at least
  MIN_SUPPORT_ROWS deliveries of k and MIN_SUPPORT_ROWS untreated rows (the two arms the
  correction compares).

Off the support a simulation is refused, or, asked to extrapolate, runs labelled so and is
never recommended for deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from e2i_synth.twins.errors import TwinError

MIN_SUPPORT_ROWS = 20
"""Deliveries of the intervention (and untreated rows) the target population's history
needs: below it the correction's variance rests on a handful of HCPs."""
DOSE_UNITS = {"intensity": "", "duration_weeks": " weeks"}


@dataclass(frozen=True)
class Support:
    """Whether a simulation stays within the history's support, and if not, why."""

    reasons: tuple[str, ...] = ()

    @property
    def extrapolated(self) -> bool:
        return bool(self.reasons)

    def label(self) -> str:
        return "; ".join(self.reasons)

    def refusal(self) -> TwinError:
        return TwinError(
            f"off the history's support: {self.label()}; simulate within it, or pass "
            "--extrapolate (extrapolate=True) to run it labelled extrapolated"
        )


ON_SUPPORT = Support()


def dose_ranges(history: pd.DataFrame, arm_column: str, arm: object) -> dict[str, tuple]:
    """Lowest and highest delivered value of each dose input among the rows of `arm`."""
    of_arm = history[arm_column].to_numpy() == arm
    return {
        column: (float(history.loc[of_arm, column].min()), float(history.loc[of_arm, column].max()))
        for column in DOSE_UNITS
        if column in history and of_arm.any()
    }


def population_reason(arms: np.ndarray, arm: object, untreated_arm: object, who: str) -> str:
    """Why history rows with these `arms` are too thin to estimate `arm`'s effect on
    `who`, or "" when they hold MIN_SUPPORT_ROWS deliveries and untreated rows."""
    delivered, untreated = int((arms == arm).sum()), int((arms == untreated_arm).sum())
    if min(delivered, untreated) >= MIN_SUPPORT_ROWS:
        return ""
    return (
        f"{who}'s history holds {delivered} deliveries of {arm} and {untreated} untreated "
        f"rows, fewer than the {MIN_SUPPORT_ROWS} of each needed"
    )


def check_support(
    history: pd.DataFrame,
    arm_column: str,
    untreated_arm: object,
    treatment: dict[str, object],
    population: np.ndarray,
) -> Support:
    """The support verdict of `treatment` on the history rows selected by `population`."""
    arm = treatment[arm_column]
    reasons = []
    ranges = dose_ranges(history, arm_column, arm)
    for column, (low, high) in ranges.items():
        value = float(treatment[column])
        if not low <= value <= high:
            unit = DOSE_UNITS[column]
            reasons.append(
                f"{column} {value:g}{unit} is outside the {low:g}-{high:g}{unit} the history "
                f"delivered {arm} at"
            )
    arms = history[arm_column].to_numpy()[population]
    thin = population_reason(arms, arm, untreated_arm, "the target population")
    return Support(tuple([*reasons, thin] if thin else reasons))
