"""The MCP server an agent talks to (the `mcp` SDK's MCPServer, over stdio or streamable
HTTP on localhost): tools to list scenarios, tables and tasks, describe a table, run
read-only SQL, simulate on digital twins and submit answers, and the tables' documentation
as resources. Every tool's failure is one clear message to the agent (a tool error), never
a crash of the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from e2i_synth.agent import docs
from e2i_synth.agent.guard import AgentSqlError
from e2i_synth.agent.served import Served
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario

INSTRUCTIONS = (
    "A synthetic pharma-commercial warehouse with known causal truth. list_tasks gives the "
    "questions; answer each once with submit_answer (the answer must match the task's JSON "
    "schema). Explore with list_tables, describe_table and query (one read-only SELECT, "
    "DuckDB SQL; filter by brand and dgp_type for a scenario)."
)
Simulator = Callable[[Scenario, dict, dict, int], dict]
"""(scenario, intervention config, filters, n_twins) -> the public simulation result."""


def build_server(served: Served, simulator: Simulator | None = None) -> MCPServer:
    """The server over what is served; `simulator` runs twin simulations (none: the tool
    says how to enable it)."""
    app = MCPServer("e2i-synth", instructions=INSTRUCTIONS)
    keys = {s.partition_key: s for s in served.scenarios}

    def scenario_of(key: str) -> Scenario:
        if key not in keys:
            raise ToolError(f"scenario {key!r} is not served; choose from {', '.join(keys)}")
        return keys[key]

    @app.tool()
    def list_scenarios() -> list[dict]:
        """The served scenarios (brand, dgp): filter every table by brand and dgp_type."""
        return [
            {"scenario": s.partition_key, "brand": s.brand, "dgp": s.dgp} for s in keys.values()
        ]

    @app.tool()
    def list_tables() -> list[dict]:
        """The tables you can query, with a one-line description and their row counts."""
        counts = served.sandbox.row_counts()
        return [
            {
                "name": name,
                "description": docs.table_doc(name).splitlines()[0],
                "rows": counts[name],
            }
            for name in served.sandbox.tables
        ]

    @app.tool()
    def describe_table(name: str) -> dict:
        """A table's documentation, primary and foreign keys, and its columns (name, type,
        nullable, and when the column is recorded where that matters)."""
        if name not in served.sandbox.tables:
            raise ToolError(f"{name} is not a table you can read; list_tables lists those you can")
        return docs.describe(name)

    @app.tool()
    def query(sql: str) -> dict:
        """Run one read-only SELECT (DuckDB SQL) over the listed tables. At most `row_cap`
        rows come back (`truncated` says when more matched); a statement running past the
        timeout is stopped."""
        try:
            result = served.sandbox.query(sql).as_dict()
        except AgentSqlError as exc:
            raise ToolError(str(exc)) from None
        return {**result, "row_cap": served.sandbox.row_cap}

    @app.tool()
    def simulate_twins(
        scenario: str,
        intervention_type: str,
        intensity: float = 1.0,
        duration_weeks: int = 12,
        channel: str = "email",
        frequency: str = "monthly",
        filters: dict[str, Any] | None = None,
        n_twins: int = 2_000,
    ) -> dict:
        """Simulate an intervention on new HCP twins of the scenario's registered twin model:
        simulated ATE, 95% CI, recommendation and the simulated effect by subgroup."""
        if simulator is None:
            raise ToolError(
                "twin simulation is not enabled on this server; start it with a trained twin "
                "model (`e2i-synth twins train`), then `e2i-synth agent serve --twins`"
            )
        config = {
            "intervention_type": intervention_type,
            "intensity": intensity,
            "duration_weeks": duration_weeks,
            "channel": channel,
            "frequency": frequency,
        }
        try:
            return simulator(scenario_of(scenario), config, filters or {}, n_twins)
        except E2IError as exc:
            raise ToolError(str(exc)) from None

    @app.tool()
    def list_tasks(suite: str | None = None) -> list[dict]:
        """The tasks (question, answer schema, scoring rule), optionally of one suite, and
        whether each is answered."""
        return [
            {**t.public(), "answered": t.task_id in served.submissions}
            for t in served.tasks.values()
            if suite in (None, t.suite)
        ]

    @app.tool()
    def submit_answer(task_id: str, answer: Any = None, agent_error: str | None = None) -> dict:
        """Answer a task once; returns the score, whether it passed and the error if the
        answer was malformed (the right answer and why come with `results` once every task
        is answered). `agent_error` records that the agent could not answer (a runner's
        report of its failure)."""
        try:
            return served.submit(task_id, answer, agent_error).as_dict(reveal=False)
        except (KeyError, ValueError) as exc:
            raise ToolError(str(exc).strip("'\"")) from None

    @app.tool()
    def results() -> list[dict]:
        """The scores of the answers submitted so far; once every task is answered, each
        with its explanation (what was compared, the right answer and why)."""
        return [s.as_dict(reveal=served.finished) for s in served.submissions.values()]

    @app.resource("table://{name}", mime_type="text/markdown")
    def table_resource(name: str) -> str:
        """A table's documentation and columns, as Markdown."""
        if name not in served.sandbox.tables:
            raise ValueError(f"{name} is not a table you can read")
        return docs.markdown(name)

    return app
