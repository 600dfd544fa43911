"""Every column of every warehouse table is described in its table spec, in one line that
schema.sql can carry as a comment (the Dagster UI's column schema is checked in
defs/test_definitions.py, the reference pages in test_docs_reference.py)."""

from __future__ import annotations

import pytest

from e2i_synth.warehouse.ddl import ALL_SPECS
from e2i_synth.warehouse.migrations import SCHEMA_FILE


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda spec: spec.name)
def test_every_column_is_described(spec):
    undescribed = [column for column in spec.columns if not spec.describe(column).strip()]
    assert not undescribed, (
        f"{spec.name}: no description for {undescribed}; add them to the spec's descriptions"
    )


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda spec: spec.name)
def test_descriptions_describe_columns_of_their_table_in_one_line(spec):
    assert set(spec.descriptions) <= set(spec.columns), "a description of a missing column"
    for column in spec.columns:
        text = spec.describe(column)
        assert "\n" not in text and text == text.strip() and text != column


def test_schema_file_comments_every_column_with_its_description():
    schema = SCHEMA_FILE.read_text(encoding="utf-8")
    for spec in ALL_SPECS:
        for column in spec.columns:
            assert f"    -- {spec.describe(column)}\n    {column} " in schema, (spec.name, column)
