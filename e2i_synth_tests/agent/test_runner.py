import anyio
import numpy as np
import pandas as pd
import pytest

from e2i_synth.agent.runner import evaluate, load_agent
from e2i_synth.errors import ConfigError
from e2i_synth_tests.agent.conftest import SCENARIOS, fresh_served, session_on

pytestmark = pytest.mark.integration  # builds a served scenario's tasks (statsmodels fits)


def malformed_agent(task: dict, session) -> object:
    """One way of failing per task: wrong shapes, wrong types, an exception."""
    failures = [
        lambda: {"wrong": 1},
        lambda: "a string",
        lambda: {k: None for k in task["answer_schema"]["properties"]},
        lambda: 1 / 0,
        lambda: {"count": object()},
    ]
    return failures[len(task["task_id"]) % len(failures)]()


def test_a_malformed_agent_gets_one_clear_error_per_task_and_the_run_goes_on(warehouse_home):
    served = fresh_served(warehouse_home, suites=("data", "gap", "drift"))

    async def run() -> list[dict]:
        async with session_on(served) as session:
            return await evaluate(malformed_agent, session)

    scores = pd.DataFrame(anyio.run(run))
    assert len(scores) == len(served.tasks) == 14
    assert (scores["score"] == 0).all() and not scores["passed"].any()
    assert scores["error"].notna().all()
    assert all("\n" not in e and len(e) < 600 for e in scores["error"])
    raised = scores[scores["error"].str.contains("ZeroDivisionError")]
    assert all(e.startswith("the agent raised ZeroDivisionError") for e in raised["error"])
    assert set(served.submissions) == set(served.tasks)
    assert scores["error"].str.contains("object is not JSON").any()


def test_numpy_values_in_an_answer_travel_as_json(warehouse_home):
    served = fresh_served(warehouse_home, scenarios=SCENARIOS[:1], suites=("gap",))

    def numpy_agent(task, session):
        key = served.tasks[task["task_id"]].key
        return {
            "region": np.str_(key["region"]),
            "start_month": key["start_month"],
            "achievement_rate": np.float64(key["achievement_rate"]),
        }

    async def run() -> list[dict]:
        async with session_on(served) as session:
            return await evaluate(numpy_agent, session)

    (score,) = anyio.run(run)
    assert score["passed"] and score["error"] is None


def test_an_agent_that_submits_through_its_own_session_is_scored_on_that_answer(warehouse_home):
    """The runner then finds the task answered: the agent's own answer stands, the run goes
    on (it used to end in a traceback)."""
    served = fresh_served(warehouse_home, scenarios=SCENARIOS[:1], suites=("gap",))

    async def self_submitting(task, session):
        key = served.tasks[task["task_id"]].key
        answer = {k: key[k] for k in ("region", "start_month", "achievement_rate")}
        await session.call_tool("submit_answer", {"task_id": task["task_id"], "answer": answer})
        return {"region": "nowhere"}

    async def run() -> list[dict]:
        async with session_on(served) as session:
            return await evaluate(self_submitting, session)

    (score,) = anyio.run(run)
    assert score["passed"] and score["error"] is None


def test_a_slow_agent_times_out_on_its_task_only(warehouse_home):
    served = fresh_served(warehouse_home, scenarios=SCENARIOS[:1], suites=("gap",))

    async def slow(task, session):
        await anyio.sleep(5)

    async def run() -> list[dict]:
        async with session_on(served) as session:
            return await evaluate(slow, session, task_seconds=0.2)

    (score,) = anyio.run(run)
    assert "no answer within 0.2 s" in score["error"]


def test_agents_load_from_module_paths():
    assert load_agent("e2i_synth.agent.reference:naive_analyst").__name__ == "naive_analyst"
    with pytest.raises(ConfigError, match="module:callable"):
        load_agent("naive")
    with pytest.raises(ConfigError, match="cannot be loaded"):
        load_agent("e2i_synth.agent.reference:nobody")
