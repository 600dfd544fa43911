"""A twin simulation as an agent sees it: what `e2i-synth twins simulate` shows a user of
the simulation itself (the simulated ATE, its CI, the recommendation and the simulated
effect by subgroup), never the truth the command prints beside it for scoring."""

from __future__ import annotations

from e2i_synth.settings import Scenario, Tracking

PUBLIC_SUBGROUP_COLUMNS = ("column", "value", "n_twins", "ate", "ci_lower", "ci_upper")


def public_simulation(result) -> dict:
    """The fields of a SimulationResult an agent may see; nothing scored against truth."""
    subgroups = result.heterogeneity[list(PUBLIC_SUBGROUP_COLUMNS)]
    return {
        "intervention_type": result.config.intervention_type,
        "filters": result.filters,
        "n_twins": int(result.n_twins),
        "simulated_ate": float(result.ate),
        "ci_lower": float(result.ci_lower),
        "ci_upper": float(result.ci_upper),
        "recommendation": result.recommendation,
        "reason": result.reason,
        "subgroups": subgroups.astype(object).to_dict("records"),
    }


def simulate_for_agent(
    scenario: Scenario, tracking: Tracking, config: dict, filters: dict, n_twins: int
) -> dict:
    """Simulate on new twins of the scenario's registered model, through the twins API."""
    from e2i_synth.twins.simulation import simulate
    from e2i_synth.twins.workflows import load_registered

    generator = load_registered(scenario, tracking)
    population = generator.generate(n_twins, filters or None)
    return public_simulation(simulate(generator, population, config))
