"""Targeting scored against truth: each policy's true value is the sum of the exact
individual effects of the HCPs it treats (the world's answer key), so regret is exact.

Policies, each treating `budget` of the eligible real HCPs:
- twin: the highest predicted individual effects (e2i_synth.twins.targeting);
- oracle: the highest true individual effects (the best any policy can do);
- random: any `budget` HCPs at random, valued at its expectation, budget x the mean effect;
- naive: the highest deciles first (reps' rule without a model).
regret = oracle - twin. The uplift (Qini) curve is each ranking's cumulative true effect
over the first k HCPs, k = 0..n; the Qini coefficient is the area between the twin's curve
and random's line over the area between the oracle's and random's (1: the oracle's
ranking, 0: no better than random).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from e2i_synth.twins.filters import PopulationFilter
from e2i_synth.twins.generator import TwinGenerator, content_id
from e2i_synth.twins.simulation import InterventionConfig
from e2i_synth.twins.targeting import naive_ranking, parse_budget, predicted_effects, ranking
from e2i_synth.world.interventions import InterventionWorld

CURVE_POINTS = 21
"""The stored curve: every 5% of the eligible HCPs."""


@dataclass(frozen=True)
class PolicyEvaluation:
    evaluation_id: str
    model_id: str
    config: InterventionConfig
    filters: dict
    n_hcps: int
    budget: int
    policy_value: float
    oracle_value: float
    random_value: float
    naive_value: float
    qini: float
    curve: pd.DataFrame  # share, twin, oracle, random, naive: cumulative true effect
    chosen: np.ndarray  # hcp_id of the HCPs the twin policy treats, best first

    @property
    def regret(self) -> float:
        return self.oracle_value - self.policy_value


def uplift_curves(effect: np.ndarray, orders: dict[str, np.ndarray]) -> pd.DataFrame:
    """Cumulative true effect of each ranking's first k HCPs, k = 0..n, and random's line."""
    n = len(effect)
    k = np.arange(n + 1)
    curves = {
        name: np.concatenate([[0.0], np.cumsum(effect[order])]) for name, order in orders.items()
    }
    return pd.DataFrame({"k": k, "share": k / n, **curves, "random": k * effect.mean()})


def qini_coefficient(curves: pd.DataFrame, policy: str = "twin") -> float:
    """Area between the policy's curve and random's over the oracle's (trapezoids in k)."""
    gain = np.trapezoid(curves[policy] - curves["random"], curves["k"])
    best = np.trapezoid(curves["oracle"] - curves["random"], curves["k"])
    return float(gain / best) if best > 0 else float("nan")


def evaluate_targeting(
    generator: TwinGenerator,
    iw: InterventionWorld,
    config: InterventionConfig | dict,
    budget: str | int,
    filters: PopulationFilter | dict | None = None,
) -> PolicyEvaluation:
    """Rank the real HCPs matching `filters` by the twins' predicted effect of `config`,
    treat the top `budget`, and score it and the other policies against truth."""
    config = InterventionConfig.parse(config)
    population_filter = PopulationFilter.parse(filters)
    hcps = iw.hcps[population_filter.mask(iw.hcps)].reset_index(drop=True)
    k = parse_budget(budget, len(hcps))
    c = config
    effect = iw.exact_effects(hcps, c.intervention_type, c.intensity, c.duration_weeks)
    orders = {
        "twin": ranking(predicted_effects(generator, hcps, config)),
        "oracle": ranking(effect),
        "naive": naive_ranking(hcps),
    }
    curves = uplift_curves(effect, orders)
    at = curves.iloc[k]
    label = f"{generator.model_id}|{config.as_dict()}|{population_filter.as_dict()}|{k}"
    points = np.unique(np.round(np.linspace(0, len(hcps), CURVE_POINTS)).astype(int))
    return PolicyEvaluation(
        evaluation_id=content_id("policy", label),
        model_id=generator.model_id,
        config=config,
        filters=population_filter.as_dict(),
        n_hcps=len(hcps),
        budget=k,
        policy_value=float(at["twin"]),
        oracle_value=float(at["oracle"]),
        random_value=float(at["random"]),
        naive_value=float(at["naive"]),
        qini=qini_coefficient(curves),
        curve=curves.iloc[points].reset_index(drop=True),
        chosen=hcps["hcp_id"].to_numpy()[orders["twin"][:k]],
    )
