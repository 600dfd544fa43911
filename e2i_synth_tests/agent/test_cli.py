"""`e2i-synth agent`: the task listing and a whole eval (a fresh interpreter spawning the
server over stdio), the stored report and leaderboard, and one clear error per bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from e2i_synth_tests.conftest import invoke_cli

pytestmark = pytest.mark.integration


def run_cli(*args: str, home):
    return invoke_cli(*args, env={"E2I_HOME": str(home), "E2I_DATABASE_URL": None})


CAUSAL_TASKS = ("agent", "tasks", "--scenario", "kisqali/confounded", "--suite", "causal")


def test_tasks_lists_questions_without_the_key_unless_asked(warehouse_home):
    listed = run_cli(*CAUSAL_TASKS, home=warehouse_home)
    assert listed.returncode == 0, listed.stderr
    tasks = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [t["task_id"] for t in tasks] == [
        "kisqali|confounded/causal/ate",
        "kisqali|confounded/causal/trap",
    ]
    assert all("key" not in t and "explanation" not in t for t in tasks)
    keyed = run_cli(*CAUSAL_TASKS, "--with-key", home=warehouse_home)
    assert "true_ate" in json.loads(keyed.stdout.splitlines()[0])["key"]


def test_eval_scores_an_agent_and_stores_the_report_with_a_leaderboard(warehouse_home, tmp_path):
    env = {**os.environ, "E2I_HOME": str(warehouse_home)}
    env.pop("E2I_DATABASE_URL", None)
    reports = warehouse_home / "reports"
    before = set(reports.glob("agent-eval-*.csv")) if reports.exists() else set()
    for agent in ("competent_analyst", "naive_analyst"):
        command = [
            sys.executable,
            "-m",
            "e2i_synth.cli",
            "agent",
            "eval",
            "--agent",
            f"e2i_synth.agent.reference:{agent}",
            "--scenario",
            "kisqali/confounded",
            "--suite",
            "data,causal",
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "causal" in result.stdout and "report:" in result.stdout
    runs = sorted(set(reports.glob("agent-eval-*.csv")) - before)
    assert len(runs) == 2
    page = runs[-1].with_suffix(".html").read_text()
    assert "Leaderboard" in page and "competent_analyst" in page and "naive_analyst" in page
    assert "Wilson" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agent", "tasks", "--scenario", "kisqali"], "--scenario 'kisqali' must be brand/dgp"),
        (["agent", "tasks", "--scenario", "kisqali/nope"], "nope"),
        (["agent", "tasks", "--suite", "data,nope"], "unknown suite(s) nope; choose from data"),
        (
            ["agent", "tasks", "--scenario", "fabhalta/confounded"],
            "fabhalta|confounded not in the warehouse",
        ),
        (["agent", "eval", "--agent", "nope"], "is not a module:callable path"),
        (["agent", "eval", "--agent", "e2i_synth.agent.reference:nobody"], "cannot be loaded"),
        (
            [
                "agent",
                "eval",
                "--agent",
                "e2i_synth.agent.reference:naive_analyst",
                "--scenario",
                "fabhalta/simple_linear",
            ],
            "not in the warehouse",
        ),
        (["agent", "serve", "--seed", str(2**32)], "out of range"),
    ],
)
def test_bad_input_gives_one_clear_error(warehouse_home, args, message):
    result = run_cli(*args, home=warehouse_home)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_empty_home_says_to_materialize_first(tmp_path):
    result = run_cli("agent", "tasks", home=tmp_path)
    assert result.returncode == 1
    assert "run `e2i-synth materialize` first" in result.stderr
