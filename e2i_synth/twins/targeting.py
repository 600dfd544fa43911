"""Whom to treat: real HCPs ranked by the twin model's predicted individual effect of an
intervention, beside the rule reps use without a model (highest deciles first).

What a twin can do that an average cannot is say which HCPs gain most. A policy treats the
top `budget` HCPs of its ranking; e2i_synth.twins.policy scores it against the world's
exact individual effects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.twins.errors import TwinError
from e2i_synth.twins.generator import TwinGenerator
from e2i_synth.twins.simulation import InterventionConfig

DEFAULT_BUDGET = "10%"


def parse_budget(budget: str | int, n_hcps: int) -> int:
    """How many HCPs to treat: a count ("30") or a share of the eligible HCPs ("10%")."""
    text = str(budget).strip()
    try:
        k = round(float(text[:-1]) / 100 * n_hcps) if text.endswith("%") else int(text)
    except ValueError:
        k = 0
    if not 1 <= k <= n_hcps:
        raise TwinError(
            f"budget {budget!r} is not 1 to {n_hcps:,} HCPs (the eligible HCPs); give a "
            "count, e.g. --budget 30, or a share, e.g. --budget 10%"
        )
    return k


def predicted_effects(
    generator: TwinGenerator, hcps: pd.DataFrame, config: InterventionConfig
) -> np.ndarray:
    """The twin model's individual effect of `config` on each HCP (the fold ensemble's)."""
    return generator.training.model.effects(hcps.assign(**config.treatment_inputs()))[0]


def ranking(scores: np.ndarray) -> np.ndarray:
    """Indices from the highest score down; ties keep the HCPs' order."""
    return np.argsort(-np.asarray(scores, float), kind="stable")


def naive_ranking(hcps: pd.DataFrame) -> np.ndarray:
    """Reps' rule without a model: highest decile first, then the larger patient volume."""
    return np.lexsort(
        (-hcps["total_patient_volume"].to_numpy(float), -hcps["decile"].to_numpy(float))
    )
