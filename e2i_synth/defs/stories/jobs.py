"""The stories job: build and check one story partition."""

from dagster import AssetSelection, define_asset_job

build_stories = define_asset_job(
    "build_stories",
    selection=AssetSelection.groups("stories"),
    description="Build one story's dataset, check its golden queries, export it.",
)
