"""How the package imports, checked in one fresh interpreter.

First the import budget: the command line (its help, each command's help, a mistyped flag,
a bad argument) loads none of the heavy libraries and not pandas either, and the table
registry loads pandas but none of the heavy libraries; they load where a command runs.
Then every twin-side module imports first (no circular import with the table registry,
which lists their specs): before each module every e2i_synth module is forgotten, so each
one is imported first while the scientific stack, which cannot take part in a cycle of
ours, is imported once."""

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("dagster", "dowhy", "matplotlib", "mlflow", "opendp", "scipy", "sklearn", "statsmodels")
"""Loaded only by what runs them: each costs a command's whole budget or more."""
COMMAND_LINE = (*HEAVY, "numpy", "pandas")
MODULES = (
    "e2i_synth.world.interventions",
    "e2i_synth.tables.downstream",
    "e2i_synth.twins.fidelity",
    "e2i_synth.twins.tables",
)
BUDGET = """
import io, json, sys
from contextlib import redirect_stderr, redirect_stdout

loaded = {}

def record(step):
    loaded[step] = sorted({name.partition(".")[0] for name in sys.modules})

def run(*args):
    sys.argv = ["e2i-synth", *args]
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        try:
            main()
        except SystemExit:
            pass
    record("e2i-synth " + " ".join(args))

import click
from e2i_synth.cli import cli, main
record("import e2i_synth.cli")
run("--help")
for name in cli.list_commands(None):
    command = cli.get_command(None, name)
    run(name, "--help")
    if isinstance(command, click.Group):
        for sub in command.list_commands(None):
            run(name, sub, "--help")
run("materialize", "--sed", "3")
run("materialize", "--brand", "nope")
run("twins", "train", "--brand", "nope")
import e2i_synth.tables
record("import e2i_synth.tables")
print(json.dumps(loaded))
"""
CHECK = f"""
import importlib, sys, traceback
failed = []
for module in {MODULES!r}:
    for name in [n for n in sys.modules if n == "e2i_synth" or n.startswith("e2i_synth.")]:
        del sys.modules[name]
    try:
        importlib.import_module(module)
    except Exception:
        failed.append(module + ": " + traceback.format_exc()[-1000:])
print("\\n".join(failed), file=sys.stderr)
sys.exit(1 if failed else 0)
"""


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, list[str]]]:
    """The interpreter's run (its exit code and errors are the import-first check's) and
    the top-level packages loaded after each step of the budget."""
    env = {**os.environ, "E2I_HOME": str(tmp_path_factory.mktemp("home"))}
    result = subprocess.run(
        [sys.executable, "-c", BUDGET + CHECK], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.stdout, result.stderr  # the budget's steps ran
    return result, json.loads(result.stdout)


def test_the_command_line_loads_no_heavy_library(imported):
    _, loaded = imported
    steps = [step for step in loaded if step.startswith(("e2i-synth", "import e2i_synth.cli"))]
    assert "e2i-synth privacy sample --help" in steps and "e2i-synth db migrate --help" in steps
    heavy = {step: sorted(set(COMMAND_LINE) & set(loaded[step])) for step in steps}
    assert not any(heavy.values()), heavy


def test_the_table_registry_loads_pandas_but_no_heavy_library(imported):
    _, loaded = imported
    registry = set(loaded["import e2i_synth.tables"])
    assert "pandas" in registry and not set(HEAVY) & registry, sorted(set(HEAVY) & registry)


def test_each_module_imports_first(imported):
    result, _ = imported
    assert result.returncode == 0, result.stderr


def test_the_check_fails_on_a_circular_import(tmp_path, monkeypatch):
    """The check would catch a cycle: two modules importing each other's names fail."""
    package = tmp_path / "e2i_synth"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from e2i_synth.b import B\nA = 1\n")
    (package / "b.py").write_text("from e2i_synth.a import A\nB = 2\n")
    check = CHECK.replace(repr(MODULES), repr(("e2i_synth.a",)))
    result = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 1
    assert "e2i_synth.a" in result.stderr and "ImportError" in result.stderr
