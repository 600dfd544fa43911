"""Specs of the source design's twin tables, in FK (load) order.

Kept free of heavy imports (no scikit-learn) so the table registry can list them. Keys
lead only between twin tables: rows that name a core row (an HCP) follow it through
Dagster lineage, not a foreign key, so replacing a scenario's core tables never has to
reach into the twin tables (they are rebuilt downstream).
"""

from __future__ import annotations

from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec

MODELS = TableSpec(
    name="digital_twin_models",
    columns={
        "model_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "twin_type": "VARCHAR",
        "model_type": "VARCHAR",
        "learner": "VARCHAR",
        "training_samples": "INTEGER",
        "training_entities": "INTEGER",
        "target_variable": "VARCHAR",
        "features": "VARCHAR",
        "hyperparameters": "VARCHAR",
        "metrics": "VARCHAR",
        "cv_r2": "DOUBLE",
        "registered_model_name": "VARCHAR",
        "mlflow_run_id": "VARCHAR",
        "model_version": "VARCHAR",
        "trained_at": "TIMESTAMP",
        "deprecated_at": "TIMESTAMP",
    },
    primary_key="model_id",
    nullable=frozenset({"mlflow_run_id", "model_version", "deprecated_at"}),
)
TWINS = TableSpec(
    name="digital_twins",
    columns={
        "twin_id": "VARCHAR",
        "model_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "twin_type": "VARCHAR",
        "features": "VARCHAR",
        "baseline_behavior": "DOUBLE",
        "metadata": "VARCHAR",
        "created_at": "TIMESTAMP",
    },
    primary_key="twin_id",
    foreign_keys={"model_id": "digital_twin_models"},
)
POPULATIONS = TableSpec(
    name="twin_populations",
    columns={
        "population_id": "VARCHAR",
        "model_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "name": "VARCHAR",
        "description": "VARCHAR",
        "twin_count": "INTEGER",
        "filters_applied": "VARCHAR",
        "reference_count": "INTEGER",
        "exact_copy_rate": "DOUBLE",
        "created_at": "TIMESTAMP",
        "expires_at": "TIMESTAMP",
    },
    primary_key="population_id",
    foreign_keys={"model_id": "digital_twin_models"},
    nullable=frozenset({"expires_at"}),
)
MEMBERS = TableSpec(
    name="twin_population_members",
    columns={
        "member_id": "VARCHAR",
        "population_id": "VARCHAR",
        "twin_id": "VARCHAR",
        **SCENARIO_COLUMNS,
    },
    primary_key="member_id",
    foreign_keys={"population_id": "twin_populations", "twin_id": "digital_twins"},
    unique=("population_id", "twin_id"),
)
SIMULATIONS = TableSpec(
    name="simulation_runs",
    columns={
        "simulation_id": "VARCHAR",
        "population_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "intervention_type": "VARCHAR",
        "intervention_config": "VARCHAR",
        "filters": "VARCHAR",
        "run_status": "VARCHAR",
        "n_twins": "INTEGER",
        "simulated_ate": "DOUBLE",
        "ci_lower": "DOUBLE",
        "ci_upper": "DOUBLE",
        "true_ate": "DOUBLE",
        "abs_error": "DOUBLE",
        "ci_covers_truth": "BOOLEAN",
        "n_real_hcps": "INTEGER",
        "results": "VARCHAR",
        "recommendation": "VARCHAR",
        "recommendation_reason": "VARCHAR",
        "started_at": "TIMESTAMP",
        "completed_at": "TIMESTAMP",
        "error_message": "VARCHAR",
    },
    primary_key="simulation_id",
    foreign_keys={"population_id": "twin_populations"},
    nullable=frozenset({"true_ate", "abs_error", "ci_covers_truth", "error_message"}),
)
TRACKING = TableSpec(
    name="fidelity_tracking",
    columns={
        "tracking_id": "VARCHAR",
        "model_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "hcp_id": "VARCHAR",
        "source": "VARCHAR",
        "intervention_type": "VARCHAR",
        "assigned": "BOOLEAN",
        "predicted_value": "DOUBLE",
        "actual_value": "DOUBLE",
        "error": "DOUBLE",
        "metric": "VARCHAR",
        "tracked_at": "TIMESTAMP",
    },
    primary_key="tracking_id",
    foreign_keys={"model_id": "digital_twin_models"},
    nullable=frozenset({"intervention_type"}),
)
SNAPSHOTS = TableSpec(
    name="fidelity_snapshots",
    columns={
        "snapshot_id": "VARCHAR",
        "model_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "population_id": "VARCHAR",
        "source": "VARCHAR",
        "mae": "DOUBLE",
        "rmse": "DOUBLE",
        "correlation": "DOUBLE",
        "coverage_95pct": "DOUBLE",
        "sample_size": "INTEGER",
        "retrain": "BOOLEAN",
        "warn": "BOOLEAN",
        "investigate": "BOOLEAN",
        "drift_reasons": "VARCHAR",
        "snapshot_date": "DATE",
    },
    primary_key="snapshot_id",
    foreign_keys={"model_id": "digital_twin_models"},
    nullable=frozenset({"population_id"}),
)
TWIN_SPECS: tuple[TableSpec, ...] = (
    MODELS,
    TWINS,
    POPULATIONS,
    MEMBERS,
    SIMULATIONS,
    TRACKING,
    SNAPSHOTS,
)
"""The twin tables in FK (load) order."""
