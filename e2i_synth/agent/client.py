"""The client side of the server: connect over stdio (spawning `e2i-synth agent serve`)
or streamable HTTP, and call a tool for its JSON result. Agents written in Python use
`call` on the session they are handed; agents in other languages speak MCP to the same
server themselves."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

PASSED_ENVIRONMENT = ("E2I_", "MLFLOW_", "PYTHONPATH", "DAGSTER_HOME")
"""Environment a spawned server inherits besides the SDK's defaults (PATH, HOME, ...):
where the warehouse is and which code runs."""


class ToolFailed(RuntimeError):
    """A tool answered with an error: its message says what was refused and why."""


def server_command(args: Sequence[str]) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if k.startswith(PASSED_ENVIRONMENT)}
    return StdioServerParameters(
        command=sys.executable, args=["-m", "e2i_synth.cli", "agent", "serve", *args], env=env
    )


@asynccontextmanager
async def connect(
    url: str | None = None, serve_args: Sequence[str] = ()
) -> AsyncIterator[ClientSession]:
    """An initialized session: to the server at `url` (streamable HTTP), else to one
    spawned over stdio with `serve_args`."""
    transport = streamable_http_client(url) if url else stdio_client(server_command(serve_args))
    async with transport as streams, ClientSession(*streams) as session:
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **arguments) -> object:
    """A tool's result as JSON; ToolFailed with the tool's message on a tool error."""
    result = await session.call_tool(tool, arguments)
    text = "".join(getattr(c, "text", "") for c in result.content)
    if result.is_error:
        raise ToolFailed(text)
    if result.structured_content is not None and "result" in result.structured_content:
        return result.structured_content["result"]
    return json.loads(text) if text else None
