"""The Dagster UI as a user sees it: `dagster dev` in headless Chromium (Debian's package,
driven by Playwright) against a warehouse holding two scenarios made by the command line.

Assertions read the rendered pages (text in the DOM), not GraphQL. Screenshots land in
`.e2i-artifacts/ui/`. Marked `browser`; skipped when Chromium or Playwright is missing,
except with E2I_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2i_synth.cli.runs import report_and_verdict
from e2i_synth.settings import Scenario, Settings

if TYPE_CHECKING:
    from e2i_synth.defs.runner import ScenarioRun

# Each test drives a Dagster webserver in Chromium: the e2e tier.
pytestmark = [pytest.mark.browser, pytest.mark.e2e]

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / ".e2i-artifacts" / "ui"
DOCS_SHOTS = REPO_ROOT / "docs" / "assets" / "screenshots"
"""Where `E2I_DOCS_SCREENSHOTS=1` writes the pictures the docs show (the visible page):
the docs' pictures are these tests' own, retaken by running them with it set."""
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCENARIOS = [Scenario("kisqali", "confounded"), Scenario("fabhalta", "heterogeneous")]
LOCATION = "e2i_synth"
CHECKED_ASSET = "patient_journeys"
TIMEOUT_MS = 60_000
"""Generous: the machine is slow and shared, and the first page waits for the code location."""
RUN_TIMEOUT_MS = 120_000


def require_browser():
    """Playwright's sync API module, or a skip (a failure when E2I_REQUIRE_BROWSER=1)."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        from playwright import sync_api
    except ImportError:
        problem = "playwright is not installed (pip install -e '.[dev]')"
    if problem:
        if os.environ.get("E2I_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)  # CI sets this: a skipped browser test is a failure there
        pytest.skip(problem)
    return sync_api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster dev exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/server_info", timeout=5):
                return
        except OSError:
            time.sleep(1)
    pytest.fail(f"dagster dev did not serve {base} within 180 s: {log.read_text()[-2000:]}")


def stop_group(server: subprocess.Popen) -> None:
    """`dagster dev` may ignore SIGTERM: end its whole process group, by force if needed."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
            server.wait(timeout=wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class UI:
    base: str
    page: object
    home: Path
    runs: list[ScenarioRun]

    def open(self, path: str) -> None:
        self.page.goto(self.base + path, timeout=TIMEOUT_MS)

    def text(self, text: str, exact: bool = True):
        found = self.page.get_by_text(text, exact=exact).first
        found.wait_for(timeout=TIMEOUT_MS)
        return found

    def shot(self, name: str, docs: bool = False) -> None:
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        if docs and os.environ.get("E2I_DOCS_SCREENSHOTS") == "1":
            DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=DOCS_SHOTS / f"{name}.png")


@pytest.fixture(scope="module")
def ui(tmp_path_factory) -> Iterator[UI]:
    from e2i_synth.defs.instance import dagster_instance
    from e2i_synth.defs.runner import run_scenarios

    playwright_api = require_browser()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_factory.mktemp("ui")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("E2I_HOME", str(tmp / "e2i"))
        env.setenv("DAGSTER_HOME", str(tmp / "dagster"))
        for name in ("E2I_DATABASE_URL", "E2I_SCALE", "E2I_SEED"):
            env.delenv(name, raising=False)
        settings = Settings.from_env(scale=300, seed=1)
        dagster_instance(settings)  # created (and migrated) once, before two processes use it
        port, log = free_port(), ARTIFACTS / "dagster-dev.log"
        workspace = REPO_ROOT / "workspace.yaml"
        dagster = Path(sys.executable).parent / "dagster"
        with open(log, "w") as out:
            server = subprocess.Popen(
                [dagster, "dev", "-h", "127.0.0.1", "-p", str(port), "-w", workspace],
                cwd=tmp,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            runs = run_scenarios(settings, SCENARIOS)  # while the UI starts
            assert [run.failures for run in runs] == [[], []]
            report_and_verdict(settings, runs, "materialize")  # as `materialize` ends
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base, server, log)
            with playwright_api.sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                # A fresh instance greets its first visitor with a newsletter dialog: close
                # it, as a user would, here or whenever it blocks a click later.
                skip = page.get_by_role("button", name="Skip")
                page.add_locator_handler(skip, lambda button: button.click())
                page.goto(f"{base}/overview", timeout=TIMEOUT_MS)
                with contextlib.suppress(playwright_api.TimeoutError):
                    skip.click(timeout=20_000)
                yield UI(base, page, settings.home, runs)
                browser.close()
        finally:
            stop_group(server)


def groups_of_assets() -> dict[str, list[str]]:
    from e2i_synth.defs.definitions import defs

    graph = defs.resolve_asset_graph()
    groups: dict[str, list[str]] = {}
    for key in graph.get_all_asset_keys():
        groups.setdefault(graph.get(key).group_name, []).append(key.to_user_string())
    return groups


def checks_of(asset: str) -> list[str]:
    from e2i_synth.defs.definitions import defs

    keys = defs.resolve_asset_graph().asset_check_keys
    return sorted(k.name for k in keys if k.asset_key.to_user_string() == asset)


def rendered_nodes(ui: UI, names: list[str]) -> dict[str, str]:
    """Asset name -> text of its full node in the lineage graph (links to assets of other
    groups render as bare names and are left out)."""
    texts = ui.page.evaluate(
        "() => [...document.querySelectorAll('svg foreignObject')].map(e => e.textContent)"
    )
    nodes = {}
    for text in texts:
        owners = [n for n in names if text.startswith(n) and text != n]
        if owners:
            nodes[max(owners, key=len)] = text
    return nodes


def test_asset_graph_shows_every_asset_in_its_group_with_its_checks_passed(ui):
    """Every asset of the Definitions as a node of its group's graph; those the command
    line materialized with all their checks passed."""
    groups = groups_of_assets()
    every_asset = [name for names in groups.values() for name in names]
    materialized = set(ui.runs[0].rows)
    assert materialized
    ui.open("/asset-groups")
    for group in groups:
        ui.text(group)
    ui.shot("lineage", docs=True)
    for group, names in groups.items():
        ui.open(f"/locations/{LOCATION}/asset-groups/{group}")
        ui.text(names[0])
        expected = {
            name: f"{n} / {n} Passed"
            for name in set(names) & materialized
            if (n := len(checks_of(name)))
        }
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:  # node rows (check status, partitions) load after the node itself
            nodes = rendered_nodes(ui, every_asset)
            complete = (
                sorted(nodes) == sorted(names)
                and all(text in nodes[name] for name, text in expected.items())
                and not any("Loading" in text for text in nodes.values())
            )
            if complete or time.monotonic() > deadline:
                break
            ui.page.wait_for_timeout(500)
        ui.shot(f"group-{group}")
        assert sorted(nodes) == sorted(names), group
        for name, text in expected.items():
            assert text in nodes[name], nodes[name]


def test_checks_tab_lists_each_check_passed_for_a_materialized_partition(ui):
    partition = SCENARIOS[0].partition_key
    ui.open(f"/assets/{CHECKED_ASSET}?view=checks")
    checks = checks_of(CHECKED_ASSET)
    ui.text(f"Checks ({len(checks)})")
    for check in checks:
        ui.page.get_by_text(check, exact=True).first.click(timeout=TIMEOUT_MS)
        ui.page.get_by_text("Execution history", exact=True).click(timeout=TIMEOUT_MS)
        row = ui.page.get_by_role("row").filter(has_text=partition)
        row.first.wait_for(timeout=TIMEOUT_MS)
        assert "Passed" in row.first.inner_text(), check
    assert ui.page.get_by_text("Succeeded", exact=True).count() == len(checks)
    ui.shot("checks", docs=True)


def test_job_runs_tab_shows_the_command_line_runs(ui):
    ui.open(f"/locations/{LOCATION}/jobs/generate_scenario/runs")
    for run in ui.runs:
        ui.text(run.run_id[:8])
        ui.text(f"partition: {run.scenario.partition_key}")
    ui.shot("generate-runs")


def test_report_renders_its_plot(ui):
    """Every figure of the validation report is drawn: an inline SVG with marks in it, or
    an image that loaded, each of a visible size."""
    ui.page.goto((ui.home / "reports" / "latest.html").resolve().as_uri())
    figures = ui.page.locator("body > svg, body > img")
    figures.first.wait_for(timeout=TIMEOUT_MS)
    drawn = figures.evaluate_all(
        "els => els.map(e => ({tag: e.tagName, box: e.getBoundingClientRect(),"
        " marks: e.querySelectorAll('path, use, line').length,"
        " width: e.tagName === 'IMG' ? e.naturalWidth : 0}))"
    )
    for figure in drawn:
        assert figure["box"]["width"] > 100 and figure["box"]["height"] > 50, figure
        assert figure["marks"] > 10 if figure["tag"] == "svg" else figure["width"] > 0, figure
    ui.shot("report", docs=True)


def test_launchpad_asks_for_a_partition_and_runs_the_chosen_one(ui):
    from e2i_synth.defs.definitions import VALIDATE_JOB

    partition = SCENARIOS[0].partition_key
    ui.open(f"/locations/{LOCATION}/jobs/{VALIDATE_JOB}/playground")
    picker = ui.page.get_by_placeholder("Partition")
    picker.wait_for(timeout=TIMEOUT_MS)
    ui.page.get_by_role("button", name="Launch Run").click()
    ui.text("This job is partitioned", exact=False)
    ui.shot("launchpad-without-partition")
    ui.page.get_by_role("button", name="Cancel").click()
    picker.fill(partition)
    ui.page.get_by_text(partition, exact=True).first.click(timeout=TIMEOUT_MS)
    ui.text(f"partition: {partition}", exact=False)
    ui.shot("launchpad-with-partition", docs=True)
    ui.page.get_by_role("button", name="Launch Run").click()
    ui.page.wait_for_url("**/runs/**", timeout=TIMEOUT_MS)
    ui.page.get_by_text("Success", exact=True).first.wait_for(timeout=RUN_TIMEOUT_MS)
    ui.shot("validate-run")
    ui.open(f"/locations/{LOCATION}/jobs/{VALIDATE_JOB}/runs")
    ui.text(f"partition: {partition}")
    ui.shot("validate-runs")


def test_execute_all_checks_without_a_partition_stops_with_one_sentence(ui):
    """Dagster's "Execute all" launches a partitioned asset's checks with no partition (it
    asks for none); the run must fail saying what to do. Last here: the failed launch
    becomes the checks' latest execution."""
    ui.open(f"/assets/{CHECKED_ASSET}?view=checks")
    ui.text("Execute all").click()
    ui.text("Launched run", exact=False)
    ui.open("/runs")
    ui.page.locator("a[href^='/runs/']").first.click(timeout=TIMEOUT_MS)  # the newest run
    ui.page.wait_for_url("**/runs/**", timeout=TIMEOUT_MS)
    ui.page.get_by_text("Failure", exact=True).first.wait_for(timeout=RUN_TIMEOUT_MS)
    ui.text("These checks run on one scenario: choose a partition", exact=False)
    ui.shot("execute-all-without-partition")
