"""The reference pages and schema.sql are what the registries render now, and the pages
show every column's description, every check, knob and command."""

from __future__ import annotations

import click
import pytest

from e2i_synth import docs_reference
from e2i_synth.cli import cli
from e2i_synth.validation.suite import CHECKS
from e2i_synth.warehouse.ddl import ALL_SPECS
from e2i_synth.world.variants import KNOBS

FILES = docs_reference.generated_files()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_committed_file_is_what_the_registries_render(path):
    assert path.read_text(encoding="utf-8") == FILES[path](), (
        f"{path.relative_to(docs_reference.REPO_ROOT)} is stale: "
        "run `python -m e2i_synth.docs_reference` and commit the result"
    )


def test_tables_page_shows_every_column_with_its_spec_description():
    page = docs_reference.tables_page()
    for spec in ALL_SPECS:
        assert f"\n## {spec.name}\n" in page
        for column in spec.columns:
            assert f"| `{column}` |" in page and docs_reference.cell(spec.describe(column)) in page


def test_checks_page_states_every_check_with_its_rule():
    page = docs_reference.checks_page()
    for check in CHECKS:
        assert f"| `{check.name}` |" in page and docs_reference.cell(check.description) in page


def test_knobs_page_lists_every_knob_and_its_range():
    page = docs_reference.knobs_page()
    for knob in KNOBS.values():
        assert f"| `{knob.name}` | {knob.allowed} |" in page


def command_paths(group: click.Group, prefix: str) -> list[str]:
    context = click.Context(group, info_name=prefix)
    paths = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        paths.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            paths += command_paths(command, f"{prefix} {name}")
    return paths


def test_cli_page_shows_the_help_of_every_command():
    page = docs_reference.cli_page()
    paths = command_paths(cli, "e2i-synth")
    assert len(paths) > 8
    for path in paths:
        assert f"\n## {path}\n\n```text\nUsage: {path} " in page
