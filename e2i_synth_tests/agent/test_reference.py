"""The reference analysts through the MCP tools alone: the competent one passes every
task (the suites are solvable), the naive one scores as well on the data, gap and drift
questions and measurably lower on the causal and targeting ones."""

from __future__ import annotations

import anyio
import pandas as pd
import pytest

from e2i_synth.agent import reference
from e2i_synth.agent.runner import evaluate
from e2i_synth.agent.scoring import suite_accuracy
from e2i_synth_tests.agent.conftest import fresh_served, session_on

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def scores(warehouse_home) -> dict[str, pd.DataFrame]:
    found = {}
    for agent in (reference.competent_analyst, reference.naive_analyst):
        served = fresh_served(warehouse_home)

        async def run(agent=agent, served=served) -> list[dict]:
            async with session_on(served) as session:
                return await evaluate(agent, session)

        found[agent.__name__] = pd.DataFrame(anyio.run(run))
    return found


def test_the_competent_analyst_passes_every_task(scores):
    competent = scores["competent_analyst"]
    assert len(competent) == 21  # 10 per scenario, and the heterogeneous one's ranking
    assert competent["error"].isna().all(), competent.loc[competent["error"].notna(), "error"]
    assert competent["passed"].all(), competent.loc[
        ~competent["passed"], ["task_id", "explanation"]
    ]


def test_the_naive_analyst_is_as_good_on_data_and_worse_on_effects(scores):
    competent = suite_accuracy(scores["competent_analyst"])
    naive = suite_accuracy(scores["naive_analyst"])
    for suite in ("data", "gap", "drift"):
        assert naive.loc[suite, "accuracy"] == competent.loc[suite, "accuracy"] == 1.0
    for suite in ("causal", "targeting"):
        assert naive.loc[suite, "mean_score"] < competent.loc[suite, "mean_score"] - 0.05
        assert naive.loc[suite, "accuracy"] < competent.loc[suite, "accuracy"]
    naive_tasks = scores["naive_analyst"].set_index("task_id")
    # the raw contrast is biased where engagement is confounded
    assert not naive_tasks.loc["kisqali|confounded/causal/ate", "passed"]
