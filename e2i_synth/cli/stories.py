"""`e2i-synth story`: demo stories, validated, built and exported."""

from __future__ import annotations

from pathlib import Path

import click

from e2i_synth.errors import E2IError
from e2i_synth.settings import Settings


@click.group()
def story() -> None:
    """Demo stories: golden questions whose answers are checked on the data built for them."""


def story_file_argument(command):
    return click.argument("file", type=click.Path(dir_okay=False, path_type=Path))(command)


def build_checked_story(file: Path, postgres: bool, scale: int | None):
    """Build a story file (at `scale` patients when given), echoing each attempt; one error
    naming every failure."""
    from e2i_synth.stories import build_story, load_story
    from e2i_synth.stories.summary import attempt_lines, plan_lines

    engines = {}
    if postgres:
        from e2i_synth.stories.postgres import postgres_engine

        database = Settings.from_env().database
        if not database:
            raise E2IError("--postgres runs the golden queries on E2I_DATABASE_URL: set it")
        engines["postgres"] = postgres_engine(database)
    parsed = load_story(file)
    if scale is not None:
        stated = parsed.scenario.n_patients
        parsed = parsed.with_scale(scale)
        click.echo(
            f"scale: {parsed.scenario.n_patients:,} patients (--scale; the file states {stated:,})"
        )
    build = build_story(
        parsed, engines, on_attempt=lambda a: click.echo("\n".join(attempt_lines(a)))
    )
    click.echo("\n".join(plan_lines(build)))
    build.verdict()
    return build


postgres_option = click.option(
    "--postgres", is_flag=True, help="Also run the golden queries on E2I_DATABASE_URL."
)
scale_option = click.option(
    "--scale",
    type=click.IntRange(min=1),
    default=None,
    help="Patients to build, instead of the story's scenario.scale; truth checks widen "
    "their tolerance to the standard error at this scale.",
)


@story.command("validate")
@story_file_argument
def story_validate(file: Path) -> None:
    """Check a story file and analyse its queries; no data is generated."""
    from e2i_synth.stories.build import validate_story
    from e2i_synth.stories.model import story_text
    from e2i_synth.stories.summary import analysis_lines

    parsed, analyses = validate_story(story_text(file), file.name)
    click.echo("\n".join(analysis_lines(parsed, analyses)))
    click.echo(f"{file.name}: valid, {len(parsed.queries)} golden queries")


@story.command("build")
@story_file_argument
@postgres_option
@scale_option
def story_build(file: Path, postgres: bool, scale: int | None) -> None:
    """Build the story's dataset and check every golden query on it (DuckDB in memory)."""
    build = build_checked_story(file, postgres, scale)
    click.echo(
        f"{file.name}: all {len(build.story.queries)} golden queries pass at "
        f"{build.story.scenario.n_patients:,} patients"
    )


@story.command("export")
@story_file_argument
@postgres_option
@scale_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the files (default: $E2I_HOME/story_exports/<story file name>).",
)
def story_export(file: Path, postgres: bool, scale: int | None, out: Path | None) -> None:
    """Build and check the story, then write Parquet, CSV and BigQuery schemas per table."""
    from e2i_synth.stories import EXPORTS_FOLDER
    from e2i_synth.stories.export import export_frames

    build = build_checked_story(file, postgres, scale)
    folder = out or Settings.from_env().home / EXPORTS_FOLDER / file.stem
    written = export_frames(build.presented, folder, build.story.dataset)
    for t in written:
        click.echo(
            f"  {t.table:<22} {t.rows:>9,} rows  {t.parquet.name}, {t.csv.name}, {t.schema.name}"
        )
    click.echo(
        f"{len(written)} tables exported to {folder} ({build.story.scenario.n_patients:,} "
        "patients), read back against their schemas"
    )
