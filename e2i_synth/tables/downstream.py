"""Specs of the tables built downstream of the core ones by a domain's own step (not by
`build_tables`): the HCP intervention history and its truth (e2i_synth.world.interventions)
and the source design's twin tables (e2i_synth.twins), in FK (load) order.

Declared here, free of heavy imports, so the registry can list them without importing
their builders (which import the registry). Keys lead only between these tables: rows that
name a core row (an HCP) follow it through Dagster lineage, not a foreign key. Replacing a
scenario's core tables empties the scenario's rows of these in the same transaction (they
were built from the replaced rows; `warehouse.base.outdated_by`), and the twin step
rebuilds them.
"""

from __future__ import annotations

from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec

HISTORY_SPEC = TableSpec(
    name="hcp_intervention_history",
    columns={
        "history_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "period_index": "INTEGER",
        "period_start": "DATE",
        "treated": "BOOLEAN",
        "intervention_type": "VARCHAR",
        "channel": "VARCHAR",
        "frequency": "VARCHAR",
        "intensity": "DOUBLE",
        "duration_weeks": "INTEGER",
        "trx_before": "DOUBLE",
        "trx_after": "DOUBLE",
        "prescribing_change": "DOUBLE",
        "data_split": "VARCHAR",
    },
    primary_key="history_id",
    nullable=frozenset({"intervention_type", "channel", "frequency", "intensity"}),
    unique=("hcp_id", "period_index"),
)
"""One row per HCP and quarterly period. `data_split` is the HCP's (all of an HCP's rows
share it): twins train on train + validation, fidelity scores on test, holdout is unused.
`hcp_id` names an hcp_profiles row without a foreign key: the table is rebuilt downstream
of the core tables (replacing them empties it for the scenario)."""

GROUND_TRUTH_SPEC = TableSpec(
    name="intervention_ground_truth",
    columns={
        "truth_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "intervention_type": "VARCHAR",
        "subgroup_column": "VARCHAR",
        "subgroup_value": "VARCHAR",
        "n_hcps": "INTEGER",
        "intensity": "DOUBLE",
        "duration_weeks": "INTEGER",
        "true_ate": "DOUBLE",
        "mean_y0": "DOUBLE",
        "mean_y1": "DOUBLE",
        "naive_contrast": "DOUBLE",
        "treatment_column": "VARCHAR",
        "outcome_column": "VARCHAR",
        "adjustment_columns": "VARCHAR",
        "effect_modifiers": "VARCHAR",
        "dose_response": "VARCHAR",
        "seed": "INTEGER",
        "generator_version": "VARCHAR",
        "truth_statement": "VARCHAR",
        "identification": "VARCHAR",
    },
    primary_key="truth_id",
    nullable=frozenset({"naive_contrast", "truth_statement", "identification"}),
    unique=("brand", "dgp_type", "intervention_type", "subgroup_column", "subgroup_value"),
)
"""Per intervention, overall and per value of each effect modifier, at the reference dose:
the exact effect on the scenario's HCPs and, beside it, the naive history contrast; what
the scenario's DGP makes the truth and what identifies it (e2i_synth.world.interventions
HCP_WORLDS; NULL in rows stored before migration 020)."""

UNIT_TRUTH_SPEC = TableSpec(
    name="intervention_unit_truth",
    columns={
        "unit_truth_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "intervention_type": "VARCHAR",
        "individual_effect": "DOUBLE",
        "reference_intensity": "DOUBLE",
        "reference_duration_weeks": "INTEGER",
        "intensity_exponent": "DOUBLE",
        "duration_scale_weeks": "DOUBLE",
        "data_split": "VARCHAR",
        "seed": "INTEGER",
        "generator_version": "VARCHAR",
    },
    primary_key="unit_truth_id",
    unique=("brand", "dgp_type", "hcp_id", "intervention_type"),
)
"""The per-HCP answer key: each HCP's exact effect of each intervention at the reference
dose, and the dose response's parameters (the effect at intensity i over w weeks is
individual_effect x i ** intensity_exponent x (1 - exp(-w / duration_scale_weeks)) /
(1 - exp(-reference_duration_weeks / duration_scale_weeks))). Apart from every table an
analysis reads, like `unit_truth`; `hcp_id` names an hcp_profiles row without a foreign key."""

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
        "plugin_ate": "DOUBLE",
        "correction": "DOUBLE",
        "extrapolated": "BOOLEAN",
        "support_note": "VARCHAR",
    },
    primary_key="simulation_id",
    foreign_keys={"population_id": "twin_populations"},
    nullable=frozenset(
        {
            "true_ate",
            "abs_error",
            "ci_covers_truth",
            "error_message",
            "plugin_ate",
            "correction",
            "extrapolated",
            "support_note",
        }
    ),
)
"""`simulated_ate` = `plugin_ate` (the twins' mean model effect) + `correction` (the
history's doubly robust correction), stored apart so a reader sees how much each
contributed. `extrapolated` marks a run off the history's support (dose or population,
e2i_synth.twins.support), `support_note` says where; such a run never recommends deploy.
The four are NULL in rows stored before migration 020."""
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
        "intervention_type": "VARCHAR",
    },
    primary_key="snapshot_id",
    foreign_keys={"model_id": "digital_twin_models"},
    nullable=frozenset({"population_id", "intervention_type"}),
)
"""`intervention_type` names the arm of the world's multi-arm experiment an `experiment`
snapshot scores (against the untreated arm); NULL for `held_out` snapshots and in rows
stored before migration 020."""
POLICY_EVALUATIONS = TableSpec(
    name="policy_evaluations",
    columns={
        "evaluation_id": "VARCHAR",
        "model_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "intervention_type": "VARCHAR",
        "intervention_config": "VARCHAR",
        "filters": "VARCHAR",
        "n_hcps": "INTEGER",
        "budget": "INTEGER",
        "policy_value": "DOUBLE",
        "oracle_value": "DOUBLE",
        "random_value": "DOUBLE",
        "naive_value": "DOUBLE",
        "regret": "DOUBLE",
        "qini": "DOUBLE",
        "uplift_curve": "VARCHAR",
        "evaluated_at": "TIMESTAMP",
    },
    primary_key="evaluation_id",
    foreign_keys={"model_id": "digital_twin_models"},
    nullable=frozenset({"qini"}),
)
"""Targeting scored against truth: the twins treat the `budget` real HCPs with the highest
predicted effect; each value is the sum of the treated HCPs' exact individual effects
(random's is its expectation), regret = oracle_value - policy_value, `uplift_curve` the
cumulative true effect of each ranking at every 5% of the HCPs (JSON), `qini` the twins'
area over the oracle's above random (e2i_synth.twins.policy)."""
TWIN_SPECS: tuple[TableSpec, ...] = (
    MODELS,
    TWINS,
    POPULATIONS,
    MEMBERS,
    SIMULATIONS,
    TRACKING,
    SNAPSHOTS,
    POLICY_EVALUATIONS,
)
"""The twin tables in FK (load) order."""

DOWNSTREAM_SPECS: tuple[TableSpec, ...] = (
    HISTORY_SPEC,
    GROUND_TRUTH_SPEC,
    UNIT_TRUTH_SPEC,
    *TWIN_SPECS,
)
