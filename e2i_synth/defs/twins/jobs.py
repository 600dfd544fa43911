"""Build one scenario's twin tables (after its core tables are stored)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from e2i_synth.defs.twins.assets import twin_tables

TWINS_JOB = "generate_twins"

generate_twins = define_asset_job(
    TWINS_JOB,
    selection=AssetSelection.assets(twin_tables),
    description="Train, register, generate, simulate and score one scenario's twins.",
)
