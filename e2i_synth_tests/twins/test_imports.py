"""Every twin-side module imports first (no circular import with the table registry, which
lists their specs). One fresh interpreter checks them all: before each module it forgets
every e2i_synth module, so each one is imported first while the scientific stack, which
cannot take part in a cycle of ours, is imported once."""

import subprocess
import sys

MODULES = (
    "e2i_synth.world.interventions",
    "e2i_synth.tables.downstream",
    "e2i_synth.twins.fidelity",
    "e2i_synth.twins.tables",
)
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


def test_each_module_imports_first():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=300
    )
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
