"""The source design's workflows for one scenario, as the command line runs them: train
and register, load through the registry, simulate beside the truth, track fidelity."""

from __future__ import annotations

from dataclasses import dataclass

from e2i_synth.settings import Scenario, Tracking
from e2i_synth.tables import build_tables
from e2i_synth.twins.errors import TwinError
from e2i_synth.twins.features import hcp_training_frame
from e2i_synth.twins.fidelity import (
    ExperimentFidelity,
    FidelityHistory,
    SimulationScore,
    experiment_fidelity,
    held_out_frame,
    prediction_fidelity,
    score_simulation,
)
from e2i_synth.twins.filters import PopulationFilter
from e2i_synth.twins.generator import TwinGenerator, TwinPopulation, registered_name
from e2i_synth.twins.registry import (
    RegisteredTwinModel,
    load_generator,
    log_generator,
    registered_version,
)
from e2i_synth.twins.simulation import InterventionConfig, SimulationResult, simulate
from e2i_synth.twins.training import training_rows
from e2i_synth.world import draw_world
from e2i_synth.world.interventions import InterventionWorld, draw_interventions, history_table


def intervention_layer(scenario: Scenario, n_patients: int, seed: int) -> InterventionWorld:
    world = draw_world(scenario, n_patients, seed)
    return draw_interventions(world, build_tables(world)["hcp_profiles"])


def train_and_register(
    scenario: Scenario, n_patients: int, seed: int, tracking: Tracking | str
) -> tuple[TwinGenerator, RegisteredTwinModel]:
    iw = intervention_layer(scenario, n_patients, seed)
    frame = hcp_training_frame(history_table(iw), iw.hcps)
    generator = TwinGenerator.train(frame, "hcp", scenario.brand, scenario.partition_key, seed)
    return generator, log_generator(generator, frame, tracking)


def load_registered(
    scenario: Scenario, tracking: Tracking | str, version: str | None = None
) -> TwinGenerator:
    name = registered_name("hcp", scenario.partition_key)
    return load_generator(name, registered_version(name, tracking, version), tracking)


def registered_for(
    iw: InterventionWorld, tracking: Tracking | str, version: str | None = None
) -> TwinGenerator:
    """The registered model of the world's scenario, refused unless it learned from this
    world (same seed, same training rows): its simulations scored against another draw's
    truth would be judged on HCPs and effects it never saw."""
    generator = load_registered(iw.scenario, tracking, version)
    rows = len(training_rows(hcp_training_frame(history_table(iw), iw.hcps)))
    trained = (generator.seed, generator.training.training_rows)
    if trained != (iw.seed, rows):
        raise TwinError(
            f"version {generator.model_version} of {generator.registered_name} learned from a "
            f"world of seed {generator.seed} with {trained[1]:,} training rows; this command's "
            f"world has seed {iw.seed} and {rows:,}, another draw: pass the --seed and --scale "
            "the model was trained at, or train one for this world with `e2i-synth twins "
            "train` and the same --seed and --scale"
        )
    return generator


@dataclass
class ScoredSimulation:
    population: TwinPopulation
    result: SimulationResult
    score: SimulationScore


def simulate_against_truth(
    generator: TwinGenerator,
    iw: InterventionWorld,
    config: InterventionConfig | dict,
    filters: PopulationFilter | dict | None,
    n_twins: int,
    extrapolate: bool = False,
) -> ScoredSimulation:
    population = generator.generate(n_twins, filters)
    result = simulate(generator, population, config, extrapolate=extrapolate)
    return ScoredSimulation(population, result, score_simulation(result, iw))


def track_fidelity(
    generator: TwinGenerator,
    iw: InterventionWorld,
    intervention: str,
    filters: PopulationFilter | dict | None,
) -> tuple[FidelityHistory, ExperimentFidelity]:
    """Held-out fidelity as the baseline snapshot, then the world's multi-arm randomized
    experiment on the matching real HCPs, its `intervention` arm judged against it."""
    config = InterventionConfig.parse({"intervention_type": intervention})
    history = FidelityHistory(generator.model_id)
    history.record(prediction_fidelity(generator, held_out_frame(iw)), "held_out")
    arm = experiment_fidelity(generator, iw, filters).arms[config.intervention_type]
    history.record(arm.metrics, "experiment", intervention_type=config.intervention_type)
    return history, arm
