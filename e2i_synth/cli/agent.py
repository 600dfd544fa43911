"""`e2i-synth agent`: the MCP server agents are evaluated through, the task suites, and
the runner that scores an agent on them."""

from __future__ import annotations

import json

import click

from e2i_synth.cli.options import seed_option
from e2i_synth.cli.runs import report_stem
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario, Settings, parse_brand, parse_dgp

TRANSPORTS = ("stdio", "http")


def parse_scenarios(ctx: click.Context, param: click.Parameter, values) -> list[Scenario]:
    """`brand/dgp` (or `brand|dgp`) values, checked."""
    scenarios = []
    for value in values:
        brand, sep, dgp = value.replace("|", "/").partition("/")
        if not sep:
            raise ConfigError(f"--scenario {value!r} must be brand/dgp, e.g. kisqali/confounded")
        scenarios.append(Scenario(parse_brand(brand), parse_dgp(dgp)))
    return scenarios


def scenario_option(command):
    return click.option(
        "--scenario",
        "scenarios",
        multiple=True,
        callback=parse_scenarios,
        help="A scenario as brand/dgp, e.g. kisqali/confounded; repeatable (default: every "
        "scenario in the warehouse).",
    )(command)


def suite_option(command):
    return click.option(
        "--suite",
        "suites",
        default=None,
        help="Comma-separated suites: data, gap, drift, causal, targeting (default: all).",
    )(command)


def served_from_settings(settings: Settings, scenarios, suites, row_cap=None, timeout=None):
    from e2i_synth.agent.sandbox import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_SECONDS
    from e2i_synth.agent.served import serve_warehouse
    from e2i_synth.agent.suites import parse_suites
    from e2i_synth.warehouse import open_warehouse

    return serve_warehouse(
        open_warehouse(settings.home, settings.database),
        scenarios,
        settings.seed,
        parse_suites(suites),
        row_cap or DEFAULT_ROW_CAP,
        timeout or DEFAULT_TIMEOUT_SECONDS,
    )


@click.group()
def agent() -> None:
    """Evaluate agents against the warehouse's truth through a read-only MCP server."""


@agent.command("serve")
@scenario_option
@suite_option
@seed_option("Seed of the task suites (default 42); same seed, same tasks.")
@click.option("--transport", type=click.Choice(TRANSPORTS), default="stdio", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP only.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--row-cap", type=click.IntRange(min=1), default=None, help="Rows a query returns (50000)."
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=None, help="Seconds a query runs (20)."
)
@click.option("--twins", is_flag=True, help="Enable twin simulations (a trained twin model).")
def agent_serve(scenarios, suites, seed, transport, host, port, row_cap, timeout, twins) -> None:
    """Serve the warehouse to agents over MCP (stdio, or streamable HTTP at
    http://HOST:PORT/mcp), the answer key out of reach."""
    from e2i_synth.agent.server import build_server

    settings = Settings.from_env(seed=seed)
    served = served_from_settings(settings, scenarios, suites, row_cap, timeout)
    simulator = None
    if twins:
        from e2i_synth.agent.twins import simulate_for_agent

        def simulator(scenario, config, filters, n_twins):
            return simulate_for_agent(scenario, settings.tracking, config, filters, n_twins)

    app = build_server(served, simulator)
    if transport == "http":
        click.echo(f"serving {len(served.tasks)} tasks at http://{host}:{port}/mcp", err=True)
        app.run("streamable-http", host=host, port=port)
    else:
        app.run()


@agent.command("tasks")
@scenario_option
@suite_option
@seed_option("Seed of the task suites (default 42); same seed, same tasks.")
@click.option("--with-key", is_flag=True, help="Include each task's key and explanation.")
def agent_tasks(scenarios, suites, seed, with_key) -> None:
    """Print the task suites as JSON lines (questions, schemas, scoring rules)."""
    settings = Settings.from_env(seed=seed)
    served = served_from_settings(settings, scenarios, suites)
    for task in served.tasks.values():
        click.echo(task.to_json() if with_key else json.dumps(task.public(), sort_keys=True))


@agent.command("eval")
@click.option("--agent", "agent_spec", required=True, help="module:callable (task, session).")
@scenario_option
@suite_option
@seed_option("Seed of the task suites (default 42); same seed, same tasks.")
@click.option("--url", default=None, help="A running server's URL (default: spawn one, stdio).")
@click.option("--task-seconds", type=click.FloatRange(min=1), default=300.0, show_default=True)
def agent_eval(agent_spec, scenarios, suites, seed, url, task_seconds) -> None:
    """Score an agent on the task suites: accuracy per suite with 95% intervals, written
    as CSV and HTML (with the leaderboard of every run) under $E2I_HOME/reports."""
    from e2i_synth.agent.runner import run_eval
    from e2i_synth.agent.suites import parse_suites

    settings = Settings.from_env(seed=seed)
    chosen = parse_suites(suites)
    if url is None:  # the server spawned here would refuse them: say so before it starts
        from e2i_synth.agent.served import check_scenarios
        from e2i_synth.warehouse import open_warehouse

        check_scenarios(open_warehouse(settings.home, settings.database), scenarios)
    serve_args = [f"--scenario={s.partition_key}" for s in scenarios]
    serve_args += [f"--suite={','.join(chosen)}", f"--seed={settings.seed}"]
    report(run_eval(agent_spec, url, serve_args, chosen, task_seconds), settings)


@agent.command("collect")
@click.option("--url", required=True, help="The server's URL, e.g. http://127.0.0.1:8765/mcp.")
@click.option("--name", required=True, help="The agent's name on the leaderboard.")
def agent_collect(url, name) -> None:
    """Score and store the answers an agent submitted itself (an agent in any language,
    speaking MCP to `agent serve --transport http`), as `eval` stores its runs."""
    from e2i_synth.agent.runner import collect

    report(collect(url, name), Settings.from_env())


def report(scores, settings: Settings) -> None:
    """Print the run's accuracy per suite and its errors; store its CSV and HTML."""
    from e2i_synth.agent.report import REPORT_KIND, write_report
    from e2i_synth.agent.scoring import suite_accuracy

    if scores.empty:
        raise ConfigError("no answer was scored: the server had no unanswered task")
    table = suite_accuracy(scores)
    click.echo(table.to_string(float_format=lambda v: f"{v:.3f}"))
    for row in scores[scores["error"].notna()].itertuples():
        click.echo(f"{row.task_id}: {row.error}", err=True)
    csv, html = write_report(scores, settings.home / "reports", report_stem(REPORT_KIND))
    click.echo(f"report: {html} (every task: {csv})")
