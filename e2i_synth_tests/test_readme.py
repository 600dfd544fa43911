"""Every shell and Python snippet of README.md and of the documentation site runs as
written, and the site builds.

The pages are read in the site's order (README first, then `mkdocs.yml`'s nav); a snippet
shown on two pages runs once. The snippets run in a scratch copy of the repository root
(its entries linked, `.e2i/` real and empty), as a user with the virtualenv active would
run them there: E2I_HOME and DAGSTER_HOME unset, so `./.e2i` is the home. E2I_SCALE=300
keeps the scenarios small, and the docs' own one-scenario `materialize` fills the
warehouse first. Shell snippets run in reading order, each in one bash; Python snippets
run in order in one namespace. The few that cannot run here are listed in SKIPPED with
the reason and where they are covered. Snippets that need the small scale (those building
twins, or asking for it) run in an e2e test on a small-scale scenario.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
MKDOCS = REPO_ROOT / "mkdocs.yml"
VENV_BIN = Path(sys.executable).parent
SCALE = "300"

MATERIALIZE = ".venv/bin/e2i-synth materialize --brand kisqali --dgp confounded"
"""The docs' one-scenario example (its first line starts so), run before the others."""

SKIPPED = {
    "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/e2i-synth "
    "materialize": "installs the package and generates all 15 scenarios; .ci/run does exactly "
    "this on every CI run",
    ".venv/bin/python -m pytest": "the test suite this test belongs to",
    "export E2I_DATABASE_URL=postgresql://loader@db-host:5432/e2i": "a placeholder server, and "
    "15 scenarios at full scale; the `db` commands below run on a test database instead",
    "docker compose up --build": "needs a Docker engine; test_deployment.py checks the compose "
    "file and starts the code server its `code` service runs",
    "docker compose -f docker-compose.yml -f docker/compose.runs-in-containers.yml up --build": (
        "needs a Docker engine; defs/test_instance.py launches a run through the same "
        "instance config and runs the container's command"
    ),
    "helm repo add dagster https://dagster-io.github.io/helm": "needs a Kubernetes cluster and "
    "helm; test_kubernetes.py builds the run's Job from the same instance config with "
    "dagster-k8s, runs its command and checks the Helm values",
    "DAGSTER_HOME=$PWD/.e2i/dagster .venv/bin/dagster dev -w workspace.yaml": "serves until "
    "stopped; defs/test_ui.py starts `dagster dev` with this workspace and drives its pages",
    ".venv/bin/python -m bench": "the benchmarks take minutes (bench/README.md)",
    "E2I_HOME=$PWD/.e2i DAGSTER_HOME=$PWD/.e2i/dagster .venv/bin/celery -A "
    "e2i_synth.defs.scale.worker worker -Q e2i_synth -c 1": "a worker serves until stopped; "
    "defs/scale/test_export.py starts two on a queue of its own and runs the celery job",
    ".venv/bin/e2i-synth chunked --scale 10000000 --brand kisqali --dgp confounded": "10 M "
    "patients take 11 minutes here; warehouse/test_chunked.py runs the command at 500",
}
"""First line of a snippet -> why it does not run here."""

ON_POSTGRES = {
    ".venv/bin/e2i-synth db migrate   # apply pending migrations (all or nothing); safe to re-run",
}
"""Snippets that follow the docs' `export E2I_DATABASE_URL=...`: they run with that
variable pointing at a fresh test database."""

TWINS_TRAIN = "e2i-synth twins train"
SMALL_SCALE_MARKS = (TWINS_TRAIN, "dagster asset materialize", "--scale small")
"""Snippets holding one of these need the small scale, and run in the e2e test on a
small-scale scenario: twins train on at least 1,000 HCP-quarters (3,000 patients give
1,440, 300 give 144), Dagster's own `asset materialize` builds the twins at any scale
(`e2i-synth` leaves them out below the small scale), and some ask for it themselves."""

OUTSIDE_PATHS = {"/tmp/prospect": "prospect", "/tmp/e2i-site": "site"}
"""Absolute output paths in snippets, redirected into the scratch folder."""


def nav_pages(nav: list) -> list[str]:
    """The Markdown files of a MkDocs nav, in reading order."""
    pages = []
    for entry in nav:
        target = entry if isinstance(entry, str) else next(iter(entry.values()))
        pages += nav_pages(target) if isinstance(target, list) else [target]
    return pages


def pages() -> list[Path]:
    """README.md, then every page of the site in its nav's order."""
    nav = yaml.safe_load(MKDOCS.read_text())["nav"]
    return [README, *(DOCS / page for page in nav_pages(nav))]


@dataclass(frozen=True)
class Snippet:
    language: str
    page: Path
    line: int
    code: str

    @property
    def first_line(self) -> str:
        return self.code.splitlines()[0].strip()

    def __str__(self) -> str:
        return f"{self.page.relative_to(REPO_ROOT)}:{self.line} {self.first_line[:60]}"


def snippets(language: str) -> list[Snippet]:
    """The language's snippets of every page, in reading order, each code once."""
    found: dict[str, Snippet] = {}
    for page in pages():
        text = page.read_text()
        for m in re.finditer(r"^```(\w+)\n(.*?)^```$", text, flags=re.S | re.M):
            if m.group(1) == language and m.group(2) not in found:
                line = text[: m.start()].count("\n") + 2
                found[m.group(2)] = Snippet(language, page, line, m.group(2))
    return list(found.values())


def runnable(snippet: Snippet) -> bool:
    return snippet.first_line not in SKIPPED and not snippet.first_line.startswith(MATERIALIZE)


def small_scale(snippet: Snippet) -> bool:
    return any(mark in snippet.code for mark in SMALL_SCALE_MARKS)


def materialized_checkout(root: Path, scale: str) -> Path:
    """A scratch repository root holding the docs' one materialized scenario."""
    for entry in REPO_ROOT.iterdir():
        if entry.name not in {".git", ".e2i", ".e2i-artifacts", ".pytest_cache"}:
            (root / entry.name).symlink_to(entry)
    (root / ".e2i").mkdir()
    (materialize,) = [s for s in snippets("bash") if s.first_line.startswith(MATERIALIZE)]
    done = run_shell(materialize, root, user_env(root, E2I_SCALE=scale))
    assert done.returncode == 0, done.stdout[-3000:]
    return root


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    return materialized_checkout(tmp_path_factory.mktemp("readme"), SCALE)


CLEARED = ("E2I_HOME", "DAGSTER_HOME", "E2I_DATABASE_URL", "E2I_SEED", "MLFLOW_TRACKING_URI")
"""A user's shell has none of these: the documented defaults apply."""


def user_env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return env | {"PATH": f"{VENV_BIN}:{env['PATH']}", "PWD": str(root), "E2I_SCALE": SCALE} | extra


def run_shell(snippet: Snippet, root: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = snippet.code
    for path, inside in OUTSIDE_PATHS.items():
        code = code.replace(path, str(root / inside))
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def test_every_page_of_the_site_is_in_its_nav():
    listed = {page.resolve() for page in pages()}
    assert set(DOCS.rglob("*.md")) <= listed, "pages missing from mkdocs.yml's nav"


def test_the_site_builds_strictly(tmp_path):
    """`mkdocs build --strict`: every nav entry, link and anchor resolves."""
    done = subprocess.run(
        [str(VENV_BIN / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO_ROOT,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "site" / "reference" / "tables" / "index.html").is_file()


def test_the_readme_links_only_to_files_that_exist():
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text())
    assert links and all((REPO_ROOT / link).is_file() for link in links if "://" not in link)


def test_every_picture_of_the_docs_exists_and_is_a_png():
    """The pictures are the browser tests' screenshots, committed under docs/assets."""
    pages = sorted((REPO_ROOT / "docs").rglob("*.md"))
    pictures = [
        (page.parent / path).resolve()
        for page in pages
        for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text())
    ]
    assert len(pictures) >= 4
    for picture in pictures:
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture


def test_every_skipped_snippet_is_still_in_the_docs():
    first_lines = {s.first_line for lang in ("bash", "python") for s in snippets(lang)}
    assert set(SKIPPED) | ON_POSTGRES <= first_lines
    assert any(line.startswith(MATERIALIZE) for line in first_lines)


@pytest.mark.e2e
def test_shell_snippets_run(checkout):
    failures, timings = [], []
    for snippet in snippets("bash"):
        if not runnable(snippet) or snippet.first_line in ON_POSTGRES or small_scale(snippet):
            continue
        started = time.perf_counter()
        done = run_shell(snippet, checkout, user_env(checkout))
        timings.append(f"{time.perf_counter() - started:5.1f} s  {snippet}")
        if done.returncode != 0:
            failures.append(f"{snippet} exited {done.returncode}:\n{done.stdout[-2000:]}")
    print("\n".join(timings))
    assert not failures, "\n\n".join(failures)


@pytest.mark.e2e
@pytest.mark.postgres
def test_postgres_snippets_run(checkout, postgres_database):
    ran = 0
    for snippet in snippets("bash"):
        if snippet.first_line in ON_POSTGRES:
            env = user_env(checkout, E2I_DATABASE_URL=postgres_database)
            done = run_shell(snippet, checkout, env)
            assert done.returncode == 0, f"{snippet}:\n{done.stdout[-2000:]}"
            ran += 1
    assert ran == len(ON_POSTGRES)


@pytest.mark.e2e
def test_small_scale_snippets_run(tmp_path):
    root = materialized_checkout(tmp_path, "small")
    ran = []
    for snippet in snippets("bash"):
        if runnable(snippet) and small_scale(snippet):
            done = run_shell(snippet, root, user_env(root, E2I_SCALE="small"))
            assert done.returncode == 0, f"{snippet}:\n{done.stdout[-2000:]}"
            ran.append(snippet.code)
    assert any(TWINS_TRAIN in code for code in ran)


@pytest.mark.e2e
def test_python_snippets_run_in_order_in_one_namespace(checkout, monkeypatch):
    monkeypatch.chdir(checkout)
    for name, value in user_env(checkout).items():
        monkeypatch.setenv(name, value)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    namespace: dict = {"__name__": "__readme__"}
    timings = []
    for snippet in snippets("python"):
        if not runnable(snippet):
            continue
        started = time.perf_counter()
        shown = run_python(snippet, namespace)
        timings.append(f"{time.perf_counter() - started:5.1f} s  {snippet}")
        assert shown is None or shown.strip(), snippet
    print("\n".join(timings))


def run_python(snippet: Snippet, namespace: dict) -> str | None:
    """Run a snippet as a notebook cell: a final expression is shown (its repr), which is
    when a lazy DuckDB relation actually runs its query."""
    tree = ast.parse(snippet.code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, str(snippet), "exec"), namespace)
    if last is None:
        return None
    value = eval(compile(ast.Expression(last.value), str(snippet), "eval"), namespace)
    return None if value is None else repr(value)
