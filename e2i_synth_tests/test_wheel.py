"""A wheel carries everything the package reads: the schema, migrations and named queries
ship inside it, so `pip install e2i_synth` (not only an editable checkout) works."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, result.stdout[-1500:] + result.stderr[-1500:]
    return result


@pytest.mark.e2e
@pytest.mark.postgres
def test_a_wheel_installed_in_a_fresh_venv_migrates_and_materializes(tmp_path, postgres_database):
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO_ROOT)
    )
    [wheel] = tmp_path.glob("e2i_synth-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "e2i_synth/sql/schema.sql" in names
    assert any(n.startswith("e2i_synth/sql/migrations/001_") for n in names)
    assert "e2i_synth/sql/queries/scenario_summary.sql" in names
    assert "e2i_synth/benchmark/suites/standard.yaml" in names
    assert "e2i_synth/defs/dagster.yaml" in names  # the local instance's config
    assert not any(n.startswith("e2i_synth_tests") for n in names)

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel))
    # Dependencies come from this environment's site-packages, appended after the fresh
    # venv's own, so `e2i_synth` itself can only be the wheel's copy, not the checkout.
    site = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    Path(site.stdout.strip(), "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = run(
        str(python),
        "-c",
        "import e2i_synth, pathlib; print(pathlib.Path(e2i_synth.__file__).parent)",
        cwd=tmp_path,
    )
    assert str(venv) in where.stdout and str(REPO_ROOT) not in where.stdout

    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME",)}
    env.update(E2I_HOME=str(tmp_path / "home"), E2I_DATABASE_URL=postgres_database)
    cli = [str(python), "-m", "e2i_synth.cli"]
    migrated = run(*cli, "db", "migrate", env=env, cwd=tmp_path)
    assert "applied 001_core_tables" in migrated.stdout
    made = run(
        *cli,
        "materialize",
        "--scale",
        "300",
        "--brand",
        "kisqali",
        "--dgp",
        "confounded",
        env=env,
        cwd=tmp_path,
    )
    assert "[ 1/1] kisqali|confounded" in made.stdout and "ok" in made.stdout
