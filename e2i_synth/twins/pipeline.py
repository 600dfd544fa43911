"""The default twin run of one scenario, as `materialize` does it: train the HCP twin
model on the history, sample a population, simulate every intervention on all of it and
score each against truth, snapshot held-out fidelity, and run the world's one multi-arm
experiment on the real HCPs (workflow 3), one snapshot per arm; then target a tenth of the
HCPs for each intervention by the twins' predicted effect, scored against truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from e2i_synth.catalog import HCPS_PER_PATIENT, HISTORY_PERIODS, INTERVENTION_TYPES, SPLITS
from e2i_synth.settings import Tracking
from e2i_synth.twins import tables
from e2i_synth.twins.features import hcp_training_frame
from e2i_synth.twins.fidelity import (
    Experiment,
    FidelityHistory,
    SimulationScore,
    experiment_fidelity,
    held_out_frame,
    prediction_fidelity,
    score_simulation,
)
from e2i_synth.twins.generator import TwinGenerator, TwinPopulation
from e2i_synth.twins.policy import PolicyEvaluation, evaluate_targeting
from e2i_synth.twins.simulation import SimulationResult, simulate
from e2i_synth.twins.training import MIN_TRAINING_ROWS, TRAINING_SPLITS
from e2i_synth.world import World
from e2i_synth.world.draw import split_counts
from e2i_synth.world.interventions import (
    InterventionWorld,
    draw_interventions,
    ground_truth_table,
    history_table,
    unit_truth_table,
)

DEFAULT_TWINS = 2_000
"""Twins per scenario in the default run (the bench measures 10,000)."""
TARGETING_BUDGET = "10%"
"""The default run's targeting budget: a tenth of the scenario's HCPs."""


def training_rows_at(n_patients: int) -> int:
    """HCP-quarters of the training splits a scenario of this size yields."""
    n_hcps = max(1, round(n_patients * HCPS_PER_PATIENT))
    counts = split_counts(n_hcps)
    fitted = sum(int(counts[SPLITS.index(s)]) for s in TRAINING_SPLITS)
    return fitted * HISTORY_PERIODS


def supports_scale(n_patients: int) -> bool:
    """Whether the default twin run can train at this scale (it needs MIN_TRAINING_ROWS)."""
    return training_rows_at(n_patients) >= MIN_TRAINING_ROWS


@dataclass
class ScenarioTwins:
    iw: InterventionWorld
    history: pd.DataFrame
    generator: TwinGenerator
    population: TwinPopulation
    runs: list[tuple[SimulationResult, SimulationScore]]
    fidelity: FidelityHistory
    experiment: Experiment
    policies: list[PolicyEvaluation]
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def run_scenario(
    world: World,
    hcp_profiles: pd.DataFrame,
    n_twins: int = DEFAULT_TWINS,
    tracking: Tracking | None = None,
) -> ScenarioTwins:
    """Everything above for one scenario; logs and registers the model in MLflow when a
    tracking store is given."""
    iw = draw_interventions(world, hcp_profiles)
    history = history_table(iw)
    frame = hcp_training_frame(history, iw.hcps)
    scenario = world.scenario
    generator = TwinGenerator.train(
        frame, "hcp", scenario.brand, scenario.partition_key, world.seed
    )
    if tracking is not None:
        from e2i_synth.twins.registry import log_generator

        log_generator(generator, frame, tracking)
    population = generator.generate(n_twins, name=f"{scenario.partition_key} all HCPs")
    runs = []
    for name in INTERVENTION_TYPES:
        # A history too thin for an intervention is stored labelled, not a failed run.
        result = simulate(generator, population, {"intervention_type": name}, extrapolate=True)
        runs.append((result, score_simulation(result, iw)))
    fidelity = FidelityHistory(generator.model_id)
    fidelity.record(prediction_fidelity(generator, held_out_frame(iw)), "held_out")
    experiment = experiment_fidelity(generator, iw)
    for name, arm in experiment.arms.items():
        fidelity.record(arm.metrics, "experiment", intervention_type=name)
    policies = [
        evaluate_targeting(generator, iw, {"intervention_type": name}, TARGETING_BUDGET)
        for name in INTERVENTION_TYPES
    ]
    return ScenarioTwins(iw, history, generator, population, runs, fidelity, experiment, policies)


def scenario_tables(result: ScenarioTwins) -> dict[str, pd.DataFrame]:
    """The intervention history, its truth and per-HCP answer key, and the seven twin
    tables, in load order."""
    scenario = result.iw.scenario
    populations = [result.population]
    return {
        "hcp_intervention_history": result.history,
        "intervention_ground_truth": ground_truth_table(result.iw),
        "intervention_unit_truth": unit_truth_table(result.iw),
        "digital_twin_models": tables.models_frame([result.generator], scenario),
        "digital_twins": tables.twins_frame(populations, scenario),
        "twin_populations": tables.populations_frame(populations, scenario),
        "twin_population_members": tables.members_frame(populations, scenario),
        "simulation_runs": tables.simulations_frame(result.runs, scenario, result.finished_at),
        "fidelity_tracking": tables.tracking_frame(
            result.experiment, result.generator.model_id, scenario, result.finished_at
        ),
        "fidelity_snapshots": tables.snapshots_frame(result.fidelity.snapshots, scenario),
        "policy_evaluations": tables.policies_frame(result.policies, scenario, result.finished_at),
    }
