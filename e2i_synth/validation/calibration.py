"""How the causal validator behaves over many independent draws of one DGP.

Redraws the scenario per seed, estimates every estimand, and summarises per estimand the
95% CI coverage of the sample truth, the mean and spread of the error, the mean standard
error, and how often the whole scenario's verdict passed. A user can run it for any size
to see what the recovery check can resolve there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS, DGPS, REGIONS
from e2i_synth.settings import Scenario
from e2i_synth.tables import causal_ground_truth, patient_journeys
from e2i_synth.validation.causal import (
    ESTIMATORS,
    PROPENSITY_WEIGHTING,
    TOLERANCE_FLOOR,
    critical_value,
    estimate_scenario,
    hajek,
    hc1_contrasts,
)
from e2i_synth.validation.fast_refuters import Batch, logistic_propensity
from e2i_synth.world import draw_world


def calibrate(dgp: str, seeds: Iterable[int], n_units: int) -> pd.DataFrame:
    """One row per estimand; brands rotate over the seeds."""
    brands = list(BRANDS)
    rows = []
    for seed in seeds:
        world = draw_world(Scenario(brands[seed % len(brands)], dgp), n_units, seed)
        estimates, _ = estimate_scenario(
            patient_journeys.build(world, {}), causal_ground_truth.build(world, {})
        )
        verdict = all(e.passed for e in estimates)
        rows += [
            {
                "estimand": e.estimand.split(" (")[0],
                "error": e.error,
                "std_error": e.std_error,
                "covers": e.covers,
                "naive_bias": e.naive - e.truth,
                "scenario_passed": verdict,
            }
            for e in estimates
        ]
    draws = pd.DataFrame(rows)
    return (
        draws.groupby("estimand", sort=False)
        .agg(
            draws=("error", "size"),
            coverage_95=("covers", "mean"),
            mean_bias=("error", "mean"),
            sd_error=("error", "std"),
            mean_se=("std_error", "mean"),
            naive_bias=("naive_bias", "mean"),
            verdict_pass_rate=("scenario_passed", "mean"),
        )
        .reset_index()
        .assign(dgp=dgp)
    )


BLOCK_UNITS = 150_000
"""Patients estimated at once (50 draws of 3,000): a block's stacked designs stay near
15 MB."""


def recovery_draws(scenario: Scenario, seeds: Sequence[int], n_units: int) -> pd.DataFrame:
    """What the recovery check computes on each seed's draw of `scenario`, without DoWhy or
    the tables: the same estimators and standard errors, in numpy over stacked draws (from
    the world's own arrays), one row per seed and estimand. `from_true_ate` says whether a
    truth comes from causal_ground_truth.true_ate (the pre-lag effect is 0 by design)."""
    size = max(1, BLOCK_UNITS // n_units)
    blocks = [seeds[i : i + size] for i in range(0, len(seeds), size)]
    return pd.concat(
        [_block_draws(scenario, list(block), n_units) for block in blocks], ignore_index=True
    )


def _block_draws(scenario: Scenario, seeds: list[int], n_units: int) -> pd.DataFrame:
    spec = DGPS[scenario.dgp]
    worlds = [draw_world(scenario, n_units, seed) for seed in seeds]
    t = np.stack([w.engaged for w in worlds]).astype(float)
    initiated = np.stack([np.where(w.engaged, w.y1, w.y0) for w in worlds])
    effect = np.stack([w.y1.astype(float) - w.y0 for w in worlds])
    adjustment = [c for c in spec.adjustment_columns if c != spec.segment_column]
    w = np.stack(
        [np.column_stack([getattr(x.covariates, c) for c in adjustment]) for x in worlds]
    ).astype(float)
    ones = np.ones_like(t)[..., None]
    rows: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, bool]] = []
    if spec.segment_column:
        region = np.stack([x.covariates.region_code for x in worlds])
        segments = [region == REGIONS.index(value) for value in spec.segment_effects or {}]
        modifiers = np.stack(segments[1:], axis=-1).astype(float)
        x = np.concatenate([ones, t[..., None], w, modifiers, t[..., None] * modifiers], -1)
        k, m = x.shape[-1], modifiers.shape[-1]
        gradients = np.zeros((len(seeds), 1 + len(segments), k))
        gradients[:, :, 1] = 1.0
        gradients[:, 0, k - m :] = modifiers.mean(axis=1)
        gradients[:, 2:, k - m :] = np.eye(m)
        values, std_errors = hc1_contrasts(x, initiated.astype(float), gradients)
        truths = [effect.mean(axis=1)] + [
            (effect * s).sum(axis=1) / s.sum(axis=1) for s in segments
        ]
        names = ["ate"] + [f"cate {spec.segment_column}={v}" for v in spec.segment_effects or {}]
        rows = [
            (name, values[:, i], std_errors[:, i], truth, True)
            for i, (name, truth) in enumerate(zip(names, truths, strict=True))
        ]
    else:
        outcomes = [("ate", initiated, True)]
        if spec.lag_days:
            # NaT (no initiation) becomes the smallest integer: never on or after the lag
            days = np.stack([(x.initiation_date - x.index_date).astype(np.int64) for x in worlds])
            late = initiated & (days >= spec.lag_days)
            outcomes = [
                (f"ate on initiation from day {spec.lag_days}", late, True),
                (f"ate on initiation before day {spec.lag_days}", initiated & ~late, False),
            ]
        for name, y, from_true_ate in outcomes:
            if ESTIMATORS[scenario.dgp] == PROPENSITY_WEIGHTING:
                design = Batch(np.ones((t.shape[1], 1)), w)
                value, std_error = hajek(y, t, logistic_propensity(design, t, np.ones_like(t)))
            else:
                x = np.concatenate([ones, t[..., None], w], -1)
                gradient = np.zeros((len(seeds), 1, x.shape[-1]))
                gradient[:, 0, 1] = 1.0
                values, std_errors = hc1_contrasts(x, y.astype(float), gradient)
                value, std_error = values[:, 0], std_errors[:, 0]
            truth = effect.mean(axis=1) if from_true_ate else np.zeros(len(seeds))
            rows.append((name, value, std_error, truth, from_true_ate))
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "brand": scenario.brand,
                    "dgp": scenario.dgp,
                    "seed": seeds,
                    "estimand": name,
                    "estimate": value,
                    "std_error": std_error,
                    "truth": truth,
                    "from_true_ate": from_true_ate,
                    "critical": critical_value(scenario.dgp),
                }
            )
            for name, value, std_error, truth, from_true_ate in rows
        ],
        ignore_index=True,
    )


def scenario_failures(draws: pd.DataFrame, shift: float = 0.0) -> pd.Series:
    """Whether the recovery check fails each (brand, dgp, seed), with every truth that
    comes from true_ate moved by `shift` (0: correct data)."""
    truth = draws["truth"] + shift * draws["from_true_ate"]
    band = np.maximum(TOLERANCE_FLOOR, draws["critical"] * draws["std_error"])
    outside = (draws["estimate"] - truth).abs() > band
    return outside.groupby([draws["brand"], draws["dgp"], draws["seed"]]).any()
