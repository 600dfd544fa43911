"""One asset per story partition: build the story's dataset, check its golden queries and
structure, and export it only when every check passes.

The checks are declared on the asset (`check_specs`) and evaluated inside it, because the
export must not happen when a golden query fails (a blocking check that ran after the
files were written would be too late); the UI still shows each check with the failing
queries, their answers and the reasons, and the run fails.
"""

from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.defs.stories.partitions import STORY_PARTITIONS
from e2i_synth.stories import EXPORTS_FOLDER, STORIES_FOLDER, load_story
from e2i_synth.stories.build import StoryBuild, build_story
from e2i_synth.stories.export import export_frames

ASSET = "story_dataset"
GOLDEN_CHECK = "golden_queries"
STRUCTURE_CHECK = "structure"


def story_file(home: Path, key: str) -> Path:
    path = home / STORIES_FOLDER / f"{key}.yaml"
    if not path.is_file():
        raise Failure(
            f"story file {path} is gone; put it back or delete the partition {key!r}",
            allow_retries=False,
        )
    return path


def golden_result(build: StoryBuild) -> AssetCheckResult:
    last = build.attempts[-1]
    failed = [o for o in last.outcomes if not o.passed]
    return AssetCheckResult(
        check_name=GOLDEN_CHECK,
        passed=not failed,
        metadata={
            "attempts": MetadataValue.md("\n".join(f"- {a.describe()}" for a in build.attempts)),
            "queries": MetadataValue.md(
                "\n\n".join(f"**{o.describe()}**\n\n```\n{o.preview}\n```" for o in last.outcomes)
            ),
            "failures": MetadataValue.text("\n\n".join(o.failure_report() for o in failed)),
        },
    )


def structure_result(build: StoryBuild) -> AssetCheckResult:
    broken = build.structural_failures()
    return AssetCheckResult(
        check_name=STRUCTURE_CHECK,
        passed=not broken,
        metadata={"failures": MetadataValue.text("\n".join(broken) or "none")},
    )


@asset(
    name=ASSET,
    group_name="stories",
    partitions_def=STORY_PARTITIONS,
    kinds={"duckdb", "parquet"},
    check_specs=[
        AssetCheckSpec(
            GOLDEN_CHECK,
            asset=ASSET,
            blocking=True,
            description="every golden query returns a meaningful answer (DuckDB; PostgreSQL "
            "too when E2I_DATABASE_URL is set)",
        ),
        AssetCheckSpec(
            STRUCTURE_CHECK,
            asset=ASSET,
            blocking=True,
            description="the story's tables pass every structural check of the warehouse",
        ),
    ],
    description="A story's dataset (story file in $E2I_HOME/stories), exported as Parquet, "
    "CSV and BigQuery schemas to $E2I_HOME/story_exports/<story> when every check passes.",
)
def story_dataset(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    settings = warehouse.settings()
    key = context.partition_key
    engines = {}
    if settings.database:
        from e2i_synth.stories.postgres import postgres_engine

        engines["postgres"] = postgres_engine(settings.database)
    build = build_story(
        load_story(story_file(settings.home, key)),
        engines,
        on_attempt=lambda a: context.log.info(a.describe()),
    )
    checks = [golden_result(build), structure_result(build)]
    metadata = {
        "attempts": MetadataValue.int(len(build.attempts)),
        "shift_days": MetadataValue.int(build.plan.shift.days),
        "shift_months": MetadataValue.int(build.plan.shift.months),
        "rows": MetadataValue.int(sum(len(f) for f in build.presented.values())),
    }
    if build.weighting is not None:
        metadata["window_share"] = MetadataValue.float(build.weighting.reached)
    if all(c.passed for c in checks):
        folder = settings.home / EXPORTS_FOLDER / key
        export_frames(build.presented, folder, build.story.dataset)
        metadata["export"] = MetadataValue.path(str(folder))
    yield MaterializeResult(metadata=metadata, check_results=checks)
