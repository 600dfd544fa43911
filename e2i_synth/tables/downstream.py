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
    descriptions={
        "history_id": "The row's key: the HCP and the period.",
        "hcp_id": "The HCP (an hcp_profiles key; no foreign key: the table is rebuilt downstream).",
        "period_index": "0 to 5: the quarterly delivery period.",
        "period_start": "The period's first day: 2024-01-01 plus 91 days per period.",
        "treated": (
            "Whether an intervention was delivered; reps favoured high-decile, tier-1 and "
            "early-adopter HCPs, who also grow faster untreated (the naive contrast is biased "
            "upward)."
        ),
        "intervention_type": (
            "What was delivered, with the catalog's delivery shares; NULL when nothing was."
        ),
        "channel": "The intervention's channel; NULL when nothing was delivered.",
        "frequency": (
            "weekly, biweekly, monthly or quarterly, uniformly; NULL when nothing was delivered."
        ),
        "intensity": (
            "Delivery intensity, uniform on 0.5 to 1.5 (two decimals); NULL when nothing was "
            "delivered."
        ),
        "duration_weeks": "Weeks of delivery, 4 to 24; 0 when nothing was delivered.",
        "trx_before": "Monthly TRx before the period: 0.5 per patient of total_patient_volume.",
        "trx_after": "trx_before x (1 + prescribing_change).",
        "prescribing_change": (
            "The outcome: the relative change of monthly TRx over the 12 weeks after the period: "
            "the untreated draw plus the true effect at the delivered dose."
        ),
        "data_split": (
            "The HCP's split (all of an HCP's rows share it): twins train on train and "
            "validation, fidelity scores on test."
        ),
    },
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
    descriptions={
        "truth_id": "The row's key: scenario, intervention, subgroup column and value.",
        "intervention_type": "The intervention the row states.",
        "subgroup_column": (
            "all for the overall row, or the effect modifier the row is cut by: specialty, "
            "priority_tier, region or adoption_stage."
        ),
        "subgroup_value": "The modifier's value (all for the overall row).",
        "n_hcps": "HCPs in the subgroup.",
        "intensity": "The reference dose's intensity (1.0) the effect is stated at.",
        "duration_weeks": "The reference dose's duration (12 weeks).",
        "true_ate": (
            "The exact mean effect on prescribing_change of the intervention at the reference "
            "dose over the subgroup's HCPs: base effect x modifiers."
        ),
        "mean_y0": "The subgroup's mean untreated outcome.",
        "mean_y1": "mean_y0 + true_ate.",
        "naive_contrast": (
            "Treated minus untreated mean outcome of the history, unadjusted: what a naive "
            "analysis reports; NULL where an arm is empty."
        ),
        "treatment_column": "The history's treatment column (intervention_type).",
        "outcome_column": "The history's outcome column (prescribing_change).",
        "adjustment_columns": (
            "The delivery drivers to adjust for, comma-separated: decile, priority_tier, "
            "adoption_stage."
        ),
        "effect_modifiers": "The effect modifiers, comma-separated.",
        "dose_response": (
            "The dose formula: intensity ** 0.7 x (1 - exp(-weeks / 8)) / (1 - exp(-12 / 8))."
        ),
        "seed": "The root seed.",
        "generator_version": "The generator version that drew the row.",
        "truth_statement": (
            "What the scenario's DGP makes the HCP world (targeting bias, effect modifiers, "
            "carry-over, panel attrition) and so what the truth is; NULL before migration 020."
        ),
        "identification": (
            "How the effect is identified from the history under this DGP (which adjustment, "
            "which design); NULL in rows stored before migration 020."
        ),
    },
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
    descriptions={
        "unit_truth_id": "The row's key: scenario, HCP and intervention.",
        "hcp_id": "The HCP (an hcp_profiles row; no foreign key: the answer key stands apart).",
        "intervention_type": "The intervention the effect is of.",
        "individual_effect": (
            "The HCP's exact effect on prescribing_change of the intervention at the reference "
            "dose: base effect x the HCP's effect modifiers."
        ),
        "reference_intensity": "The reference dose's intensity the effect is stated at (1.0).",
        "reference_duration_weeks": "The reference dose's duration in weeks (12).",
        "intensity_exponent": (
            "The dose response's exponent: the effect scales with intensity ** intensity_exponent."
        ),
        "duration_scale_weeks": (
            "The dose response's time scale: the effect over w weeks grows as "
            "1 - exp(-w / duration_scale_weeks), normalised at the reference duration."
        ),
        "data_split": "The HCP's split of the twins' history (train or test).",
        "seed": "The root seed.",
        "generator_version": "The intervention layer's version that drew the row.",
    },
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
    descriptions={
        "model_id": "The twin model's key.",
        "twin_type": "hcp (the twins built today), patient or territory.",
        "model_type": (
            "RandomForest, or GradientBoosting where the forest's grouped 5-fold CV R2 is below "
            "0.75."
        ),
        "learner": (
            "baseline_effect (a baseline model of the untreated outcome plus a weighted effect "
            "model) or s_learner."
        ),
        "training_samples": "History rows trained on (train and validation HCPs; at least 1,000).",
        "training_entities": "HCPs trained on.",
        "target_variable": "What the model predicts (prescribing_change).",
        "features": "JSON list of the model's input features.",
        "hyperparameters": "JSON of the learner's hyperparameters.",
        "metrics": "JSON of the cross-validation metrics.",
        "cv_r2": "Mean grouped 5-fold CV R2 (below 0.5 warns).",
        "registered_model_name": "The MLflow registered model: digital_twin_hcp_<brand>_<dgp>.",
        "mlflow_run_id": "The MLflow run that logged the model; NULL when not logged.",
        "model_version": "The registered version; NULL when not registered.",
        "trained_at": "When the model was trained (UTC).",
        "deprecated_at": "When the model was retired; NULL while current.",
    },
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
    descriptions={
        "twin_id": "The twin's key.",
        "model_id": "The model that generated it.",
        "twin_type": "The kind of entity twinned (hcp).",
        "features": (
            "JSON of the twin's features, drawn by a smoothed bootstrap over neighbourhoods of "
            "training HCPs."
        ),
        "baseline_behavior": "The twin's predicted untreated prescribing_change.",
        "metadata": "JSON; holds the twin's population_id.",
        "created_at": "When the twin was generated (UTC).",
    },
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
    descriptions={
        "population_id": "The population's key.",
        "model_id": "The model that generated it.",
        "name": "The population's name.",
        "description": (
            "The population in words: its size, the training HCPs it was sampled from and the "
            "filters."
        ),
        "twin_count": "Twins in the population.",
        "filters_applied": 'JSON of the filters the twins match (e.g. {"tier": [1, 2]}).',
        "reference_count": "Training HCPs matching the filters (the donors).",
        "exact_copy_rate": (
            "Share of twins equal to a training HCP in every feature (privacy; 0 in the bench)."
        ),
        "created_at": "When the population was generated (UTC).",
        "expires_at": "When it should no longer be used; NULL for none.",
    },
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
    descriptions={
        "member_id": "The membership's key: the population and the twin.",
        "population_id": "The population.",
        "twin_id": "The twin in it.",
    },
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
    descriptions={
        "simulation_id": "The simulation's key.",
        "population_id": "The twin population simulated on.",
        "intervention_type": "The intervention simulated.",
        "intervention_config": "JSON of the intervention, its intensity and duration.",
        "filters": "JSON of the filters of the twins simulated.",
        "run_status": "Always completed (a failed simulation is not stored).",
        "n_twins": "Twins simulated.",
        "simulated_ate": (
            "The doubly robust simulated effect: the model's mean effect over the twins plus the "
            "AIPW one-step correction from the history."
        ),
        "ci_lower": (
            "Lower end of its 95% CI (influence function, jackknife over the CV models and the "
            "twins' sampling, Welch-Satterthwaite degrees of freedom)."
        ),
        "ci_upper": "Upper end of its 95% CI.",
        "true_ate": "The world's exact effect on the matching real HCPs; NULL when unscored.",
        "abs_error": "|simulated_ate - true_ate|; NULL when unscored.",
        "ci_covers_truth": "Whether the CI contains true_ate; NULL when unscored.",
        "n_real_hcps": "Real HCPs matching the filters that true_ate is over (0 when unscored).",
        "results": (
            "JSON: ATE, SE, degrees of freedom, CI, reference count and per-subgroup effects."
        ),
        "recommendation": (
            "deploy (the one-sided 90% lower bound at or above 0.05), do_not_deploy (the 90% "
            "upper bound below 0.05) or test_further."
        ),
        "recommendation_reason": "Why, in words.",
        "started_at": "When the simulation started (UTC).",
        "completed_at": "When it completed (UTC).",
        "error_message": "Always NULL in stored rows.",
        "plugin_ate": (
            "The twins' own estimate: the model's mean effect over the twins, before the "
            "history's correction; NULL in rows stored before migration 020."
        ),
        "correction": (
            "The AIPW one-step correction from the history's residuals: simulated_ate = "
            "plugin_ate + correction; NULL in rows stored before migration 020."
        ),
        "extrapolated": (
            "Whether the dose or population lay outside the history's support and the run was "
            "asked for with --extrapolate (never recommended for deploy); NULL before migration "
            "020."
        ),
        "support_note": (
            "What was off the history's support and the supported range; NULL when on support."
        ),
    },
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
    descriptions={
        "tracking_id": "The row's key: model, experiment and HCP.",
        "model_id": "The model scored.",
        "hcp_id": "The real HCP of the world's randomized experiment.",
        "source": (
            "Where the actual value comes from: experiment (the world's randomized experiment)."
        ),
        "intervention_type": "The intervention of the experiment.",
        "assigned": "Whether the HCP was assigned the intervention in the experiment.",
        "predicted_value": "The model's predicted prescribing_change for the HCP.",
        "actual_value": (
            "The world's outcome for the HCP in the experiment (same common random numbers)."
        ),
        "error": "predicted_value - actual_value.",
        "metric": "The outcome scored (prescribing_change).",
        "tracked_at": "When it was scored (UTC).",
    },
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
    descriptions={
        "snapshot_id": "The snapshot's key.",
        "model_id": "The model scored.",
        "population_id": "The population the snapshot is about; NULL for the held-out baseline.",
        "source": (
            "What was scored: held_out (the test HCPs' history, the baseline) or experiment (the "
            "world's randomized experiment)."
        ),
        "mae": "Mean absolute error of predicted against actual prescribing_change.",
        "rmse": "Root mean squared error.",
        "correlation": "Pearson correlation of predicted and actual.",
        "coverage_95pct": "Share of actual values inside the model's 95% prediction intervals.",
        "sample_size": "HCPs scored.",
        "retrain": "Drift flag: MAE 20% above the baseline's.",
        "warn": "Drift flag: correlation below 0.7.",
        "investigate": "Drift flag: coverage below 90%.",
        "drift_reasons": "The flags' reasons, '; '-separated (empty when none).",
        "snapshot_date": "The day of the snapshot.",
        "intervention_type": (
            "The arm of the world's multi-arm randomized experiment an experiment snapshot "
            "scores against the untreated arm; NULL for held_out snapshots and in rows stored "
            "before migration 020."
        ),
    },
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
    descriptions={
        "evaluation_id": "The evaluation's key.",
        "model_id": "The twin model whose predicted effects ranked the HCPs.",
        "intervention_type": "The intervention targeted.",
        "intervention_config": "JSON of the intervention, its intensity and duration.",
        "filters": "JSON of the filters of the eligible HCPs.",
        "n_hcps": "Eligible real HCPs.",
        "budget": "HCPs treated: the top of the twins' ranking.",
        "policy_value": "Sum of the treated HCPs' exact individual effects (the twins' choice).",
        "oracle_value": "The best possible: the sum of the budget largest exact effects.",
        "random_value": "The expected value of treating budget HCPs drawn at random.",
        "naive_value": "The value of the naive rule: highest prescribing deciles first.",
        "regret": "oracle_value - policy_value (0: the twins chose as the oracle would).",
        "qini": (
            "The twins' uplift-curve area above random over the oracle's (1: the oracle's "
            "ranking, 0: random); NULL where the oracle gains nothing over random."
        ),
        "uplift_curve": (
            "JSON: the cumulative true effect of the twins', the oracle's and random ranking at "
            "every 5% of the HCPs."
        ),
        "evaluated_at": "When the evaluation ran (UTC).",
    },
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
