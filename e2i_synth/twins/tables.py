"""The source design's twin tables as pure projections of twin objects into DataFrames.

JSON columns (features, hyperparameters, metrics, configs, filters, results) are JSON text,
as `feature_values` stores its JSON. Every row carries its scenario (brand, dgp_type).
Column names avoid the catalog's enumerated names (`status`, `metric_type`, ...), whose
vocabularies the schemas and CHECK constraints would apply: hence `run_status`, `metric`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.tables.downstream import (
    MEMBERS,
    MODELS,
    POLICY_EVALUATIONS,
    POPULATIONS,
    SIMULATIONS,
    SNAPSHOTS,
    TRACKING,
    TWINS,
)
from e2i_synth.twins.fidelity import Experiment, FidelitySnapshot, SimulationScore
from e2i_synth.twins.generator import TwinGenerator, TwinPopulation, content_id
from e2i_synth.twins.policy import PolicyEvaluation
from e2i_synth.twins.simulation import SimulationResult


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN (a refused subgroup's estimate) as null."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _scenario(scenario: Scenario) -> dict[str, str]:
    return {"brand": scenario.brand, "dgp_type": scenario.dgp}


def _naive(moment: datetime) -> datetime:
    """Timestamps are stored as UTC without a zone (TIMESTAMP)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def models_frame(generators: Sequence[TwinGenerator], scenario: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "model_id": g.model_id,
                **_scenario(scenario),
                "twin_type": g.twin_type.name,
                "model_type": g.training.model_type,
                "learner": "baseline_effect" if g.twin_type.has_untreated_arm else "s_learner",
                "training_samples": g.training.training_rows,
                "training_entities": g.training.training_entities,
                "target_variable": g.twin_type.target,
                "features": _json(list(g.twin_type.inputs)),
                "hyperparameters": _json(g.training.hyperparameters),
                "metrics": _json(g.training.metrics),
                "cv_r2": g.training.metrics["cv_r2_mean"],
                "registered_model_name": g.registered_name,
                "mlflow_run_id": g.mlflow_run_id,
                "model_version": g.model_version,
                "trained_at": _naive(g.trained_at),
                "deprecated_at": pd.NaT,
            }
            for g in generators
        ],
        columns=list(MODELS.columns),
    )


def twins_frame(populations: Sequence[TwinPopulation], scenario: Scenario) -> pd.DataFrame:
    frames = []
    for p in populations:
        features = p.twins.drop(columns=["twin_id", "baseline_behavior"])
        frames.append(
            pd.DataFrame(
                {
                    "twin_id": p.twins["twin_id"].to_numpy(),
                    "model_id": p.model_id,
                    **_scenario(scenario),
                    "twin_type": p.twin_type,
                    "features": [_json(r) for r in features.to_dict("records")],
                    "baseline_behavior": p.twins["baseline_behavior"].to_numpy(),
                    "metadata": _json({"population_id": p.population_id}),
                    "created_at": _naive(p.created_at),
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=list(TWINS.columns))
    )


def populations_frame(populations: Sequence[TwinPopulation], scenario: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "population_id": p.population_id,
                "model_id": p.model_id,
                **_scenario(scenario),
                "name": p.name,
                "description": f"{len(p.twins):,} {p.twin_type} twins sampled from "
                f"{p.reference_count:,} training entities matching {p.filters or 'no filters'}",
                "twin_count": len(p.twins),
                "filters_applied": _json(p.filters),
                "reference_count": p.reference_count,
                "exact_copy_rate": p.exact_copy_rate,
                "created_at": _naive(p.created_at),
                "expires_at": pd.NaT,
            }
            for p in populations
        ],
        columns=list(POPULATIONS.columns),
    )


def members_frame(populations: Sequence[TwinPopulation], scenario: Scenario) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "member_id": np.strings.add(
                    f"{p.population_id}:", p.twins["twin_id"].to_numpy(str)
                ),
                "population_id": p.population_id,
                "twin_id": p.twins["twin_id"].to_numpy(),
                **_scenario(scenario),
            }
        )
        for p in populations
    ]
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=list(MEMBERS.columns))
    )


def simulations_frame(
    runs: Sequence[tuple[SimulationResult, SimulationScore | None]],
    scenario: Scenario,
    completed_at: datetime,
) -> pd.DataFrame:
    """Simulated ATE, its CI and the true ATE side by side (truth empty when unscored)."""
    rows = []
    for result, score in runs:
        groups = score.subgroups if score is not None else result.heterogeneity
        rows.append(
            {
                "simulation_id": result.simulation_id,
                "population_id": result.population_id,
                **_scenario(scenario),
                "intervention_type": result.config.intervention_type,
                "intervention_config": _json(result.config.as_dict()),
                "filters": _json(result.filters),
                "run_status": "completed",
                "n_twins": result.n_twins,
                "simulated_ate": result.ate,
                "ci_lower": result.ci_lower,
                "ci_upper": result.ci_upper,
                "true_ate": None if score is None else score.true_ate,
                "abs_error": None if score is None else score.abs_error,
                "ci_covers_truth": None if score is None else score.ci_covers_truth,
                "n_real_hcps": 0 if score is None else score.n_real_hcps,
                "results": _json(
                    {
                        "ate": result.ate,
                        "plugin_ate": result.plugin_ate,
                        "correction": result.correction,
                        "extrapolated": result.extrapolated,
                        "se": result.se,
                        "dof": result.dof if np.isfinite(result.dof) else None,
                        "ci_95": [result.ci_lower, result.ci_upper],
                        "reference_count": result.reference_count,
                        "heterogeneity": _records(groups),
                    }
                ),
                "recommendation": result.recommendation,
                "recommendation_reason": result.reason,
                "started_at": _naive(completed_at) - pd.Timedelta(seconds=result.seconds),
                "completed_at": _naive(completed_at),
                "error_message": None,
                "plugin_ate": result.plugin_ate,
                "correction": result.correction,
                "extrapolated": result.extrapolated,
                "support_note": result.support.label() or None,
            }
        )
    return pd.DataFrame(rows, columns=list(SIMULATIONS.columns))


def tracking_frame(
    experiment: Experiment, model_id: str, scenario: Scenario, at: datetime
) -> pd.DataFrame:
    """One row per HCP of the world's multi-arm experiment: its arm, predicted vs actual."""
    t = experiment.tracking
    return pd.DataFrame(
        {
            "tracking_id": [content_id("tracking", model_id, h) for h in t["hcp_id"]],
            "model_id": model_id,
            **_scenario(scenario),
            "hcp_id": t["hcp_id"].to_numpy(),
            "source": "experiment",
            "intervention_type": t["intervention_type"].to_numpy(),
            "assigned": t["assigned"].to_numpy(),
            "predicted_value": t["predicted_value"].to_numpy(),
            "actual_value": t["actual_value"].to_numpy(),
            "error": t["error"].to_numpy(),
            "metric": "prescribing_change",
            "tracked_at": _naive(at),
        },
        columns=list(TRACKING.columns),
    )


def snapshots_frame(snapshots: Sequence[FidelitySnapshot], scenario: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "snapshot_id": s.snapshot_id,
                "model_id": s.model_id,
                **_scenario(scenario),
                "population_id": s.population_id,
                "source": s.source,
                "mae": s.metrics.mae,
                "rmse": s.metrics.rmse,
                "correlation": s.metrics.correlation,
                "coverage_95pct": s.metrics.coverage_95pct,
                "sample_size": s.metrics.sample_size,
                "retrain": s.drift.retrain,
                "warn": s.drift.warn,
                "investigate": s.drift.investigate,
                "drift_reasons": "; ".join(s.drift.reasons),
                "snapshot_date": pd.Timestamp(s.snapshot_date),
                "intervention_type": s.intervention_type,
            }
            for s in snapshots
        ],
        columns=list(SNAPSHOTS.columns),
    )


def policies_frame(
    evaluations: Sequence[PolicyEvaluation], scenario: Scenario, at: datetime
) -> pd.DataFrame:
    """One row per targeting evaluation: each policy's true value, regret, Qini, curve."""
    return pd.DataFrame(
        [
            {
                "evaluation_id": e.evaluation_id,
                "model_id": e.model_id,
                **_scenario(scenario),
                "intervention_type": e.config.intervention_type,
                "intervention_config": _json(e.config.as_dict()),
                "filters": _json(e.filters),
                "n_hcps": e.n_hcps,
                "budget": e.budget,
                "policy_value": e.policy_value,
                "oracle_value": e.oracle_value,
                "random_value": e.random_value,
                "naive_value": e.naive_value,
                "regret": e.regret,
                "qini": e.qini if np.isfinite(e.qini) else None,
                "uplift_curve": _json(e.curve.drop(columns="k").to_dict("records")),
                "evaluated_at": _naive(at),
            }
            for e in evaluations
        ],
        columns=list(POLICY_EVALUATIONS.columns),
    )
