"""The server for real: `e2i-synth agent serve` spawned over stdio by the SDK's client,
and over streamable HTTP on localhost, each answering a whole agent run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import anyio
import pytest

from e2i_synth.agent import reference
from e2i_synth.agent.client import ToolFailed, call, connect
from e2i_synth.agent.runner import collect, evaluate
from e2i_synth_tests.twins.conftest import free_port

TOOLS = {
    "list_scenarios",
    "list_tables",
    "describe_table",
    "query",
    "simulate_twins",
    "list_tasks",
    "submit_answer",
    "results",
}


@pytest.mark.integration
def test_over_stdio_the_tools_resources_and_a_run_work(warehouse_home, monkeypatch):
    monkeypatch.setenv("E2I_HOME", str(warehouse_home))

    async def run() -> dict:
        found = {}
        args = ["--scenario=kisqali/confounded", "--suite=data,causal"]
        async with connect(serve_args=args) as session:
            found["tools"] = {t.name for t in (await session.list_tools()).tools}
            found["scenarios"] = await call(session, "list_scenarios")
            found["count"] = await call(
                session, "query", sql="SELECT count(*) AS n FROM patient_journeys"
            )
            templates = await session.list_resource_templates()
            found["template"] = templates.resource_templates[0].uri_template
            doc = await session.read_resource("table://hcp_profiles")
            found["doc"] = doc.contents[0].text
            with pytest.raises(ToolFailed, match="not a table you can read"):
                await call(session, "query", sql="SELECT * FROM unit_truth")
            found["scores"] = await evaluate(reference.competent_analyst, session)
            found["results"] = await call(session, "results")
        return found

    found = anyio.run(run)
    assert found["tools"] >= TOOLS
    assert found["scenarios"] == [
        {"scenario": "kisqali|confounded", "brand": "kisqali", "dgp": "confounded"}
    ]
    assert found["count"]["rows"] == [[3_000]] and found["count"]["truncated"] is False
    assert found["template"] == "table://{name}" and found["doc"].startswith("# hcp_profiles")
    assert len(found["scores"]) == 7 and all(s["passed"] for s in found["scores"])
    assert len(found["results"]) == 7


@pytest.mark.e2e
def test_over_http_an_agent_run_is_scored(warehouse_home):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "e2i_synth.cli",
            "agent",
            "serve",
            "--transport=http",
            f"--port={port}",
            "--scenario=kisqali/heterogeneous",
            "--suite=data,targeting",
        ],
        env={**os.environ, "E2I_HOME": str(warehouse_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the HTTP server did not start"
            time.sleep(0.3)

        async def run() -> list[dict]:
            async with connect(f"http://127.0.0.1:{port}/mcp") as session:
                return await evaluate(reference.naive_analyst, session)

        scores = anyio.run(run)
        collected = collect(f"http://127.0.0.1:{port}/mcp", "an agent over HTTP")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert [s["suite"] for s in scores] == ["data"] * 5 + ["targeting"]
    assert all(s["passed"] for s in scores if s["suite"] == "data")
    assert 0 <= scores[-1]["score"] < 1
    # what the agent submitted itself, collected from the server as a run of its own
    assert list(collected["task_id"]) == [s["task_id"] for s in scores]
    assert list(collected["passed"]) == [s["passed"] for s in scores]
    assert set(collected["scenario"]) == {"kisqali|heterogeneous"}
    assert set(collected["agent"]) == {"an agent over HTTP"}
