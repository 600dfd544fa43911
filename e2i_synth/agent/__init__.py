"""Agents as users of the warehouse: a read-only MCP server with the answer key out of
reach, task suites whose answers come from each scenario's truth, a scorer, and reference
agents that show the suites are solvable and what naive analysis scores.

The core (keys, guard, sandbox, tasks, scoring, reference analysts) is plain Python over
pandas and DuckDB; the MCP server, the runner and the Dagster assets are thin layers on it."""
