"""The twin tool shows what a user of the simulation sees and nothing it is scored
against: a tool call asking for the truth gets a simulation without it."""

from __future__ import annotations

import json

import anyio
import pytest

from e2i_synth.agent.client import ToolFailed, call
from e2i_synth.agent.twins import PUBLIC_SUBGROUP_COLUMNS, public_simulation
from e2i_synth.tables.downstream import GROUND_TRUTH_SPEC, SIMULATIONS
from e2i_synth_tests.agent.conftest import fresh_served, session_on
from e2i_synth_tests.twins.conftest import BRAND, DGP, SEED, hcp_frame, layer

pytestmark = pytest.mark.integration  # builds a served scenario's tasks (statsmodels fits)

PUBLIC = {
    "intervention_type",
    "filters",
    "n_twins",
    "simulated_ate",
    "ci_lower",
    "ci_upper",
    "recommendation",
    "reason",
    "subgroups",
}
TRUTH_NAMES = {"true_ate", "abs_error", "ci_covers_truth", "true", "covered", "n_real_hcps"}
TRUTH_NAMES |= set(GROUND_TRUTH_SPEC.columns) - {
    "brand",
    "dgp_type",
    "intervention_type",
    "intensity",
    "duration_weeks",
}


@pytest.fixture(scope="module")
def generator():
    from e2i_synth.twins.generator import TwinGenerator

    return TwinGenerator.train(hcp_frame(), "hcp", BRAND, f"{BRAND}|{DGP}", SEED)


def test_a_twin_call_that_would_echo_truth_gets_only_the_simulation(warehouse_home, generator):
    from e2i_synth.twins.fidelity import score_simulation
    from e2i_synth.twins.simulation import simulate

    runs = []

    def simulator(scenario, config, filters, n_twins):
        result = simulate(generator, generator.generate(n_twins, filters or None), config)
        runs.append(result)
        return public_simulation(result)

    served = fresh_served(warehouse_home, suites=("data",))

    async def ask() -> list:
        answers = []
        async with session_on(served, simulator) as session:
            answers.append(
                await call(
                    session,
                    "simulate_twins",
                    scenario="kisqali|confounded",
                    intervention_type="email_campaign",
                    n_twins=500,
                )
            )
            for extra in ({"true_ate": True}, {"include_truth": True}):
                with pytest.raises(ToolFailed):
                    await call(
                        session,
                        "simulate_twins",
                        scenario="kisqali|confounded",
                        intervention_type="email_campaign",
                        n_twins=500,
                        filters=extra,
                    )
            with pytest.raises(ToolFailed, match="not served"):
                await call(
                    session,
                    "simulate_twins",
                    scenario="kisqali|simple_linear",
                    intervention_type="email_campaign",
                )
        return answers

    (answer,) = anyio.run(ask)
    assert set(answer) == PUBLIC
    assert all(set(row) == set(PUBLIC_SUBGROUP_COLUMNS) for row in answer["subgroups"])
    assert not TRUTH_NAMES & {k for row in answer["subgroups"] for k in row}
    assert answer["simulated_ate"] == pytest.approx(runs[0].ate)
    # the truth the CLI prints beside the simulation appears nowhere in the answer
    truth = score_simulation(runs[0], layer())
    assert f"{truth.true_ate}" not in json.dumps(answer)
    assert not TRUTH_NAMES & set(answer)
    assert {"true_ate", "abs_error", "ci_covers_truth"} <= set(SIMULATIONS.columns)


def test_without_a_twin_model_the_tool_says_how_to_enable_it(warehouse_home):
    served = fresh_served(warehouse_home, suites=("data",))

    async def ask() -> None:
        async with session_on(served) as session:
            with pytest.raises(ToolFailed, match="twins train"):
                await call(
                    session,
                    "simulate_twins",
                    scenario="kisqali|confounded",
                    intervention_type="email_campaign",
                )

    anyio.run(ask)
