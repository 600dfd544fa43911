"""Fidelity against truth: the only twin module that reads the world's potential outcomes.

Three scores: a simulation against the exact effect on the matching real HCPs; the twin
model's predictions on held-out HCPs (MAE, RMSE, correlation, 95% interval coverage) with
the source design's drift rules; and the world's one multi-arm randomized experiment on
a subpopulation (workflow 3: each HCP in one arm; predicted baseline + the arm's effect vs
the observed outcome).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from scipy import stats

from e2i_synth.catalog import INTERVENTION_TYPES
from e2i_synth.twins.features import HCP, hcp_training_frame
from e2i_synth.twins.filters import PopulationFilter
from e2i_synth.twins.generator import TwinGenerator, content_id
from e2i_synth.twins.simulation import HETEROGENEITY_COLUMNS, InterventionConfig, SimulationResult
from e2i_synth.world.interventions import (
    OUTCOME,
    TREATMENT,
    InterventionWorld,
    history_table,
    run_experiment,
)

MAE_RISE_RETRAIN = 0.20
CORRELATION_WARN = 0.7
COVERAGE_INVESTIGATE = 0.90
FIDELITY_SPLIT = "test"


@dataclass(frozen=True)
class SimulationScore:
    simulation_id: str
    simulated_ate: float
    ci_lower: float
    ci_upper: float
    true_ate: float
    abs_error: float
    ci_covers_truth: bool
    n_real_hcps: int
    subgroups: pd.DataFrame  # column, value, simulated, true, abs_error, covered, note


def score_simulation(result: SimulationResult, iw: InterventionWorld) -> SimulationScore:
    """The exact effect of the simulated config on the real HCPs matching its filters."""
    real = iw.hcps[PopulationFilter.parse(result.filters).mask(iw.hcps)]
    c = result.config
    effect = iw.exact_effects(real, c.intervention_type, c.intensity, c.duration_weeks)
    truth = float(effect.mean()) if len(real) else float("nan")
    true_by_group = pd.concat(
        [
            pd.DataFrame({"column": col, "value": real[col].astype(str), "true": effect})
            for col in HETEROGENEITY_COLUMNS
        ]
    )
    true_means = true_by_group.groupby(["column", "value"])["true"].mean().reset_index()
    groups = result.heterogeneity.merge(true_means, on=["column", "value"], how="left").rename(
        columns={"ate": "simulated"}
    )
    groups["abs_error"] = (groups["simulated"] - groups["true"]).abs()
    estimated = groups["simulated"].notna()
    covered = groups["true"].between(groups["ci_lower"], groups["ci_upper"])
    groups["covered"] = covered.astype(object).where(estimated, None)  # None where refused
    return SimulationScore(
        simulation_id=result.simulation_id,
        simulated_ate=result.ate,
        ci_lower=result.ci_lower,
        ci_upper=result.ci_upper,
        true_ate=truth,
        abs_error=abs(result.ate - truth),
        ci_covers_truth=bool(result.ci_lower <= truth <= result.ci_upper),
        n_real_hcps=len(real),
        subgroups=groups,
    )


@dataclass(frozen=True)
class FidelityMetrics:
    mae: float
    rmse: float
    correlation: float
    coverage_95pct: float
    sample_size: int


def fidelity_metrics(
    predicted: np.ndarray, actual: np.ndarray, interval_halfwidth: float
) -> FidelityMetrics:
    """MAE, RMSE, Pearson correlation, and the share of actuals inside predicted ± the
    model's 95% conformal half-width."""
    error = np.asarray(actual, float) - np.asarray(predicted, float)
    return FidelityMetrics(
        mae=float(np.mean(np.abs(error))),
        rmse=float(np.sqrt(np.mean(error**2))),
        correlation=float(stats.pearsonr(predicted, actual).statistic),
        coverage_95pct=float(np.mean(np.abs(error) <= interval_halfwidth)),
        sample_size=len(error),
    )


def held_out_frame(iw: InterventionWorld) -> pd.DataFrame:
    """History rows of the HCPs twins never trained on (the `test` split)."""
    frame = hcp_training_frame(history_table(iw), iw.hcps)
    return frame[frame["data_split"] == FIDELITY_SPLIT].reset_index(drop=True)


def prediction_fidelity(generator: TwinGenerator, rows: pd.DataFrame) -> FidelityMetrics:
    """Twin predictions of the target on `rows` (e.g. `held_out_frame`) vs what happened."""
    model = generator.training.model
    return fidelity_metrics(
        model.predict(rows), rows[HCP.target].to_numpy(float), model.interval_halfwidth
    )


@dataclass(frozen=True)
class DriftFlags:
    retrain: bool
    warn: bool
    investigate: bool
    reasons: tuple[str, ...]

    @property
    def drifted(self) -> bool:
        return self.retrain or self.warn or self.investigate


def check_drift(current: FidelityMetrics, baseline: FidelityMetrics) -> DriftFlags:
    """MAE up > 20% on the baseline → retrain; correlation < 0.7 → warn; coverage < 90% →
    investigate."""
    reasons = []
    retrain = current.mae > baseline.mae * (1 + MAE_RISE_RETRAIN)
    if retrain:
        reasons.append(
            f"MAE {current.mae:.4f} is more than {MAE_RISE_RETRAIN:.0%} above the baseline "
            f"{baseline.mae:.4f}: retrain"
        )
    warn = current.correlation < CORRELATION_WARN
    if warn:
        reasons.append(f"correlation {current.correlation:.2f} < {CORRELATION_WARN}: warning")
    investigate = current.coverage_95pct < COVERAGE_INVESTIGATE
    if investigate:
        reasons.append(
            f"95% interval coverage {current.coverage_95pct:.1%} < {COVERAGE_INVESTIGATE:.0%}: "
            "investigate"
        )
    return DriftFlags(retrain, warn, investigate, tuple(reasons))


@dataclass(frozen=True)
class FidelitySnapshot:
    snapshot_id: str
    model_id: str
    population_id: str | None
    metrics: FidelityMetrics
    drift: DriftFlags
    snapshot_date: date
    source: str  # held_out | experiment
    intervention_type: str | None = None  # the experiment arm scored


class FidelityHistory:
    """Snapshots of one model's fidelity; each is judged against the first (the baseline
    measured at training time)."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.snapshots: list[FidelitySnapshot] = []

    def record(
        self,
        metrics: FidelityMetrics,
        source: str,
        population_id: str | None = None,
        when: date | None = None,
        intervention_type: str | None = None,
    ) -> FidelitySnapshot:
        baseline = self.snapshots[0].metrics if self.snapshots else metrics
        snapshot = FidelitySnapshot(
            snapshot_id=content_id(
                "snapshot", self.model_id, len(self.snapshots), source, intervention_type
            ),
            model_id=self.model_id,
            population_id=population_id,
            metrics=metrics,
            drift=check_drift(metrics, baseline),
            snapshot_date=when or datetime.now(UTC).date(),
            source=source,
            intervention_type=intervention_type,
        )
        self.snapshots.append(snapshot)
        return snapshot

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "snapshot_id": s.snapshot_id,
                    "source": s.source,
                    "intervention_type": s.intervention_type,
                    **asdict(s.metrics),
                    "retrain": s.drift.retrain,
                    "warn": s.drift.warn,
                    "investigate": s.drift.investigate,
                }
                for s in self.snapshots
            ]
        )


@dataclass(frozen=True)
class ExperimentFidelity:
    """One arm of the world's multi-arm randomized experiment against its untreated arm,
    beside the twins' prediction of it."""

    config: InterventionConfig
    filters: dict
    tracking: pd.DataFrame  # the arm's and the untreated arm's rows of Experiment.tracking
    experiment_ate: float
    experiment_se: float
    simulated_ate: float
    true_ate: float  # the exact effect on all the experiment's HCPs (the estimand)
    metrics: FidelityMetrics


@dataclass(frozen=True)
class Experiment:
    """The world's one multi-arm randomized experiment (workflow 3): each real HCP in one
    arm, its twin's prediction for that arm beside what happened, and each arm's score."""

    filters: dict
    tracking: pd.DataFrame  # hcp_id, intervention_type, assigned, predicted/actual, error
    arms: dict[str, ExperimentFidelity]


def experiment_fidelity(
    generator: TwinGenerator,
    iw: InterventionWorld,
    filters: PopulationFilter | dict | None = None,
) -> Experiment:
    """Randomize the real HCPs matching `filters` over the untreated arm and every
    intervention at the reference dose; each HCP's twin predicts baseline + the effect of
    its arm; each arm's difference in means against the untreated arm scores the twins."""
    population_filter = PopulationFilter.parse(filters)
    real = iw.hcps[population_filter.mask(iw.hcps)].reset_index(drop=True)
    outcome = run_experiment(iw, real["hcp_id"])
    model = generator.training.model
    arm = outcome[TREATMENT].to_numpy()
    configs = {name: InterventionConfig(name) for name in INTERVENTION_TYPES}
    effects = {
        name: model.effects(real.assign(**c.treatment_inputs()))[0] for name, c in configs.items()
    }
    predicted = model.baseline(real.assign(**HCP.untreated))
    for name, effect in effects.items():
        predicted = predicted + np.where(arm == name, effect, 0.0)
    actual = outcome[OUTCOME].to_numpy()
    tracking = pd.DataFrame(
        {
            "hcp_id": outcome["hcp_id"],
            TREATMENT: arm,
            "assigned": pd.notna(arm),
            "predicted_value": predicted,
            "actual_value": actual,
            "error": np.abs(predicted - actual),
        }
    )
    control = ~tracking["assigned"].to_numpy()
    arms = {}
    for name, config in configs.items():
        rows = tracking[control | (arm == name)]
        treated = rows[rows["assigned"]]["actual_value"]
        untreated = rows[~rows["assigned"]]["actual_value"]
        arms[name] = ExperimentFidelity(
            config=config,
            filters=population_filter.as_dict(),
            tracking=rows,
            experiment_ate=float(treated.mean() - untreated.mean()),
            experiment_se=float(
                np.sqrt(treated.var() / len(treated) + untreated.var() / len(untreated))
            ),
            simulated_ate=float(effects[name].mean()),
            true_ate=float(iw.exact_effects(real, name).mean()),
            metrics=fidelity_metrics(
                rows["predicted_value"], rows["actual_value"], model.interval_halfwidth
            ),
        )
    return Experiment(population_filter.as_dict(), tracking, arms)
