"""A small DuckDB warehouse of two scenarios (confounded: a biased raw contrast;
heterogeneous: effects by region), written once per package, and an in-process MCP
session over a server built on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp.client._memory import InMemoryTransport
from mcp.client.session import ClientSession

from e2i_synth.agent.served import Served, serve_warehouse
from e2i_synth.agent.server import build_server
from e2i_synth.settings import Scenario
from e2i_synth.warehouse import open_warehouse
from e2i_synth_tests.conftest import frames_of

SCENARIOS = (Scenario("kisqali", "confounded"), Scenario("kisqali", "heterogeneous"))
SEED = 42


@pytest.fixture(scope="package")
def warehouse_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("agent_home")
    warehouse = open_warehouse(home)
    for scenario in SCENARIOS:
        warehouse.replace_scenario(scenario, frames_of(scenario.brand, scenario.dgp))
    return home


def fresh_served(home: Path, scenarios=SCENARIOS, **options) -> Served:
    return serve_warehouse(open_warehouse(home), list(scenarios), SEED, **options)


@asynccontextmanager
async def session_on(served: Served, simulator=None) -> AsyncIterator[ClientSession]:
    """A client session with a server over `served`, in this process."""
    async with (
        InMemoryTransport(build_server(served, simulator)) as streams,
        ClientSession(*streams) as session,
    ):
        await session.initialize()
        yield session
