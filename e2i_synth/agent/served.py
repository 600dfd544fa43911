"""What a server serves: the readable tables of the chosen scenarios in a sealed sandbox,
and the tasks built from those scenarios' truth, which the server holds in memory and
shows only as questions. The truth is read once, here, through the warehouse's own
connection; no agent statement ever reaches that connection."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from e2i_synth.agent.sandbox import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_SECONDS, Sandbox
from e2i_synth.agent.scoring import Score, failed, score_answer
from e2i_synth.agent.suites import build_tasks
from e2i_synth.agent.tasks import Task
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLES
from e2i_synth.tables.answer_key import TRUTH_GROUP, VISIBLE_TABLES
from e2i_synth.warehouse import WarehouseError

TRUTH_READ = tuple(t.name for t in TABLES.values() if t.group == TRUTH_GROUP)
"""The key tables the suites are built from (read by the server, never served)."""


@dataclass
class Served:
    scenarios: list[Scenario]
    sandbox: Sandbox
    tasks: dict[str, Task]
    submissions: dict[str, Score] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, task_id: str, answer: object, agent_error: str | None = None) -> Score:
        """Score a task's one answer; a second answer to the same task is refused (its
        score told whether the first one passed)."""
        task = self.tasks.get(task_id)
        if task is None:
            raise KeyError(f"no task {task_id!r}; list_tasks lists them")
        with self.lock:
            if task_id in self.submissions:
                raise ValueError(f"task {task_id} was answered already; each task takes one answer")
            score = failed(task, agent_error) if agent_error else score_answer(task, answer)
            self.submissions[task_id] = score
        return score

    @property
    def finished(self) -> bool:
        """Every served task is answered: the explanations may be shown."""
        return len(self.submissions) == len(self.tasks)


def stored_scenarios(warehouse) -> list[Scenario]:
    frame = warehouse.query("SELECT DISTINCT brand, dgp_type FROM causal_ground_truth")
    scenarios = (Scenario(b, d) for b, d in frame.itertuples(index=False))
    return sorted(scenarios, key=lambda s: s.partition_key)


def agent_reader(warehouse):
    """The warehouse the readable tables are copied from: on PostgreSQL, the same database
    as the agents' role (e2i_agent, no rights on the answer key), so even the copy cannot
    take a key table; DuckDB has no roles, the copy names the readable tables only."""
    from e2i_synth.warehouse.postgres import PostgresWarehouse

    if not isinstance(warehouse, PostgresWarehouse):
        return warehouse
    from e2i_synth.warehouse.ddl import AGENT_ROLE

    return PostgresWarehouse(warehouse.target, warehouse.lock_timeout, role=AGENT_ROLE)


def read_scenario(warehouse, scenario: Scenario, present: set[str]) -> dict[str, pd.DataFrame]:
    """The scenario's readable tables (through the agents' reader) and its truth."""
    reader = agent_reader(warehouse)
    try:
        visible = {n: reader.read(n, scenario) for n in VISIBLE_TABLES if n in present}
    except WarehouseError as exc:
        if "role" not in str(exc) and "permission denied" not in str(exc):
            raise
        raise ConfigError(
            f"{exc}; agents read PostgreSQL as the e2i_agent role: run `e2i-synth db init` "
            "(it creates the role and its grants) and let the login use it (GRANT e2i_agent "
            "TO <login>)"
        ) from None
    return {**visible, **{n: warehouse.read(n, scenario) for n in TRUTH_READ if n in present}}


def serve_frames(
    frames_by_scenario: Mapping[Scenario, Mapping[str, pd.DataFrame]],
    seed: int,
    suites: tuple[str, ...] | None = None,
    row_cap: int = DEFAULT_ROW_CAP,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Served:
    """Tasks from each scenario's frames; the sandbox from their readable tables only."""
    tasks = [t for s, f in frames_by_scenario.items() for t in build_tasks(s, f, seed, suites)]
    visible = {
        name: pd.concat([f[name] for f in frames_by_scenario.values()], ignore_index=True)
        for name in VISIBLE_TABLES
        if all(name in f for f in frames_by_scenario.values())
    }
    return Served(
        list(frames_by_scenario), Sandbox(visible, row_cap, timeout), {t.task_id: t for t in tasks}
    )


def check_scenarios(warehouse, scenarios: Sequence[Scenario] | None) -> list[Scenario]:
    """The chosen scenarios (every stored one when none are chosen), refused with the fix
    when one is not stored."""
    if "causal_ground_truth" not in set(warehouse.tables()):
        raise ConfigError("the warehouse holds no scenario; run `e2i-synth materialize` first")
    stored = stored_scenarios(warehouse)
    chosen = list(scenarios or stored)
    missing = [s.partition_key for s in chosen if s not in stored]
    if missing:
        raise ConfigError(
            f"scenario(s) {', '.join(missing)} not in the warehouse; materialize them first "
            f"(`e2i-synth materialize --brand B --dgp D`) or choose from "
            f"{', '.join(s.partition_key for s in stored) or 'none'}"
        )
    return chosen


def serve_warehouse(
    warehouse,
    scenarios: Sequence[Scenario] | None,
    seed: int,
    suites: tuple[str, ...] | None = None,
    row_cap: int = DEFAULT_ROW_CAP,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Served:
    """The chosen scenarios (every stored one by default) of a DuckDB or PostgreSQL
    warehouse."""
    chosen = check_scenarios(warehouse, scenarios)
    present = set(warehouse.tables())
    frames = {s: read_scenario(warehouse, s, present) for s in chosen}
    return serve_frames(frames, seed, suites, row_cap, timeout)
