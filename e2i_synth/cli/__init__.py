"""The `e2i-synth` command: a thin shell over the Dagster runner and the core.

Each command lives in the module of its domain and is imported only when it is run or
listed: `e2i-synth --help` loads the command modules (click, settings), and a command
loads Dagster, MLflow or the scientific stack only once it runs, so its help and a
mistyped flag answer at once."""

from __future__ import annotations

import os
import signal
import threading

STOPPED = "stopped; every scenario is as it was or fully replaced"
"""The one line a command stopped by Ctrl-C or SIGTERM prints."""


LOADING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_while_loading(signum: int, _frame) -> None:
    """Ctrl-C or SIGTERM while this module loads (before `main` can catch anything): nothing
    has started, so the command ends at once with its one line (it was killed by the signal,
    or printed a traceback)."""
    os.write(2, f"{STOPPED}\n".encode())
    os._exit(128 + signum)


def answer_signals(handlers: dict) -> dict:
    """Install `handlers` (signal -> handler) and return the ones they replace; nothing off
    the main thread, where no handler may be set (the module imported there)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {s: signal.signal(s, handler) for s, handler in handlers.items()}


handlers_before_loading = answer_signals(dict.fromkeys(LOADING_SIGNALS, stop_while_loading))

import atexit  # noqa: E402  (the signals are answered before anything slow loads)
import importlib  # noqa: E402
import sys  # noqa: E402
from typing import NoReturn  # noqa: E402

import click  # noqa: E402

from e2i_synth.errors import E2IError, Stopped  # noqa: E402

COMMANDS = {
    "agent": "e2i_synth.cli.agent:agent",
    "benchmark": "e2i_synth.cli.benchmark:benchmark",
    "chunked": "e2i_synth.cli.chunked:chunked",
    "db": "e2i_synth.cli.db:db",
    "materialize": "e2i_synth.cli.materialize:materialize",
    "privacy": "e2i_synth.cli.privacy:privacy",
    "story": "e2i_synth.cli.stories:story",
    "twins": "e2i_synth.cli.twins:twins",
    "validate": "e2i_synth.cli.validate:validate",
}
"""Each command's name and where it is defined (`module:attribute`)."""


class LazyGroup(click.Group):
    """A group whose commands are imported from `module:attribute` on first use."""

    def __init__(self, *args, lazy_commands: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module, _, attribute = self.lazy_commands[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
def cli() -> None:
    """Synthetic pharma-commercial warehouse with known causal truth."""


def exit_at_once(code: int) -> NoReturn:
    """End a stopped command now: after a run, the interpreter's teardown of every object
    took over a second of the two a stop may take. Nothing is left to do there: the runs
    are ended, the transactions rolled back, the exit functions run below (multiprocessing's
    release the worker pool's semaphores) and the output flushed."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    try:
        cli(standalone_mode=False)
    except E2IError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except MemoryError:
        click.echo(
            "error: out of memory; choose a smaller --scale (the command refuses scales its "
            "estimate says cannot fit, but other programs may be using memory too)",
            err=True,
        )
        sys.exit(1)
    except (click.exceptions.Abort, KeyboardInterrupt) as stop:
        # click turns an interrupt into Abort; the Stopped behind it knows the signal.
        cause = stop.__cause__ if isinstance(stop, click.exceptions.Abort) else stop
        click.echo(STOPPED, err=True)
        exit_at_once(cause.exit_code if isinstance(cause, Stopped) else 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


answer_signals(handlers_before_loading)
