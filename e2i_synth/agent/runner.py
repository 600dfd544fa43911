"""Running an agent over the served tasks: an agent is any callable taking a task (its
public part, a dict) and an MCP client session, returning the answer (a coroutine
function's answer is awaited). The runner submits each answer through the server, which
scores it; an agent that raises or runs out of time gets its task's one clear error, and
the run goes on to the next task."""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import anyio
import pandas as pd
from mcp.client.session import ClientSession

from e2i_synth.agent.client import ToolFailed, call, connect
from e2i_synth.agent.tasks import SUITE_VERSION
from e2i_synth.callables import load_callable

Agent = Callable[[dict, ClientSession], object | Awaitable[object]]
DEFAULT_TASK_SECONDS = 300.0


def load_agent(spec: str) -> Agent:
    """The callable at `package.module:function` (or `package.module.function`)."""
    return load_callable(
        spec,
        "agent",
        "callable",
        f"agent {spec!r} is not a module:callable path; give e.g. "
        "e2i_synth.agent.reference:competent_analyst",
    )


def plain(value: object) -> object:
    """numpy scalars and arrays as their Python values, for an answer to travel as JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON; answer with numbers, text and lists")


async def answer_of(agent: Agent, task: dict, session: ClientSession, seconds: float) -> object:
    """The agent's answer as plain JSON values."""
    with anyio.fail_after(seconds):
        answer = agent(task, session)
        answer = await answer if inspect.isawaitable(answer) else answer
    return json.loads(json.dumps(answer, default=plain))


async def evaluate(
    agent: Agent,
    session: ClientSession,
    suites: Sequence[str] | None = None,
    task_seconds: float = DEFAULT_TASK_SECONDS,
) -> list[dict]:
    """Each served task (of `suites`, all by default) not yet answered, answered by the
    agent and scored by the server: one score per task, with the seconds it took and, when
    the run answered every served task, the explanation."""
    tasks = await call(session, "list_tasks")
    scores = []
    for task in tasks:
        if task["answered"] or (suites and task["suite"] not in suites):
            continue
        public = {k: v for k, v in task.items() if k != "answered"}
        started = time.perf_counter()
        try:
            answer = await answer_of(agent, public, session, task_seconds)
            error = None
        except TimeoutError:
            answer, error = None, f"the agent gave no answer within {task_seconds:g} s"
        except Exception as exc:  # the agent's failure is its task's score, not the run's end
            answer, error = None, f"the agent raised {type(exc).__name__}: {exc}"
        try:
            score = await call(
                session, "submit_answer", task_id=task["task_id"], answer=answer, agent_error=error
            )
        except ToolFailed:
            # the agent answered through its own session: its answer is the one scored
            submitted = {r["task_id"]: r for r in await call(session, "results")}
            if task["task_id"] not in submitted:
                raise
            score = submitted[task["task_id"]]
        scores.append(
            {**score, "scenario": task["scenario"], "seconds": time.perf_counter() - started}
        )
    explained = {r["task_id"]: r.get("explanation") for r in await call(session, "results")}
    return [{**s, "explanation": explained.get(s["task_id"])} for s in scores]


def tagged(scores: list[dict], agent: str) -> pd.DataFrame:
    """Scores as a frame tagged with the run: its id, the agent and the suites' version."""
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{agent.rpartition(':')[2]}"
    frame = pd.DataFrame(scores)
    if "scenario" not in frame and len(frame):
        frame["scenario"] = frame["task_id"].str.partition("/")[0]
    return frame.assign(run_id=run_id, agent=agent, suite_version=SUITE_VERSION)


def collect(url: str, agent: str) -> pd.DataFrame:
    """The scores of the answers an agent submitted itself to the server at `url` (an
    agent in another language, speaking MCP over HTTP), tagged as a run of `agent`."""

    async def main() -> list[dict]:
        async with connect(url) as session:
            return await call(session, "results")

    return tagged(anyio.run(main), agent)


def run_eval(
    agent_spec: str,
    url: str | None = None,
    serve_args: Sequence[str] = (),
    suites: Sequence[str] | None = None,
    task_seconds: float = DEFAULT_TASK_SECONDS,
) -> pd.DataFrame:
    """Evaluate the agent at `agent_spec` against a server (at `url`, else spawned over
    stdio): a frame of per-task scores tagged with the run."""
    agent = load_agent(agent_spec)

    async def main() -> list[dict]:
        async with connect(url, serve_args) as session:
            return await evaluate(agent, session, suites, task_seconds)

    return tagged(anyio.run(main), agent_spec)
