"""The layers point one way: import-linter's contracts in pyproject.toml hold on the code,
and they would fail on an import that runs back up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(no_cache=True, no_logo=True))"
)


def lint(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the package under `root`, with the contracts of `root`'s pyproject."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def test_every_contract_is_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Layers point one way KEPT" in result.stdout
    assert "Dagster only in the orchestration layer KEPT" in result.stdout


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "e2i_synth", tmp_path / "e2i_synth", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


UPWARD = {
    # storage importing a domain it stores, as the DDL once imported the privacy ledger
    "warehouse/ddl.py": (
        "from e2i_synth.privacy import ledger",
        "e2i_synth.warehouse.ddl -> e2i_synth.privacy.ledger",
    ),
    # two domains side by side
    "benchmark/store.py": (
        "from e2i_synth.stories import summary",
        "e2i_synth.benchmark.store -> e2i_synth.stories.summary",
    ),
    # Dagster in the pure core
    "world/dgps.py": ("import dagster", "Dagster only in the orchestration layer BROKEN"),
}


@pytest.mark.parametrize("module", list(UPWARD))
def test_an_import_against_the_contracts_breaks_them(tmp_path, module):
    """The same contracts fail on a copy of the package with one import added."""
    line, named = UPWARD[module]
    root = copy_of_the_package(tmp_path)
    path = root / "e2i_synth" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = lint(root)
    assert result.returncode == 1 and " BROKEN" in result.stdout
    assert named in result.stdout
