import json

import duckdb
import pandas as pd
import pytest

from e2i_synth.stories import build_story, parse_story
from e2i_synth.stories.build import scenario_frames, scenario_world
from e2i_synth.stories.export import ExportError, export_frames, verify_export
from e2i_synth.tables import SPECS
from e2i_synth_tests.conftest import frames_of

TIMESTAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
DATE = r"\d{4}-\d{2}-\d{2}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    frames = frames_of("kisqali", "time_series", 300)
    folder = tmp_path_factory.mktemp("export")
    return frames, export_frames(frames, folder)


def test_every_table_has_parquet_csv_and_bigquery_schema(exported):
    frames, tables = exported
    assert {t.table for t in tables} == set(frames)
    for t in tables:
        schema = json.loads(t.schema.read_text())
        assert [f["name"] for f in schema] == list(SPECS[t.table].columns)
        assert {f["mode"] for f in schema} <= {"REQUIRED", "NULLABLE", "REPEATED"}


def test_csv_text_has_one_format_per_type(exported):
    _, tables = exported
    for t in tables:
        text = pd.read_csv(t.csv, dtype=str, keep_default_na=False)
        for column, kind in SPECS[t.table].columns.items():
            values = text[column][text[column] != ""]
            if kind == "TIMESTAMP":
                assert values.str.fullmatch(TIMESTAMP).all(), (t.table, column)
            elif kind == "DATE":
                assert values.str.fullmatch(DATE).all(), (t.table, column)
            elif kind == "BOOLEAN":
                assert set(values) <= {"true", "false"}, (t.table, column)
            elif kind in ("INTEGER", "BIGINT"):
                assert values.str.fullmatch(r"-?\d+").all(), (t.table, column)


def test_parquet_and_csv_read_back_with_the_declared_values(exported):
    frames, tables = exported
    journeys = next(t for t in tables if t.table == "patient_journeys")
    con = duckdb.connect()
    parquet = con.execute(f"SELECT * FROM read_parquet('{journeys.parquet}')").df()
    source = frames["patient_journeys"]
    assert parquet["days_to_treatment"].isna().sum() == source["days_to_treatment"].isna().sum()
    assert (parquet["index_date"] == source["index_date"]).all()
    assert (parquet["engaged"] == source["engaged"]).all()


def test_a_file_with_another_timestamp_format_is_caught(exported):
    _, tables = exported
    triggers = next(t for t in tables if t.table == "triggers")
    text = triggers.csv.read_text()
    first = text.splitlines()[1].split(",")
    stamp = next(v for v in first if len(v) == 19 and v[10] == " ")
    triggers.csv.write_text(text.replace(stamp, stamp.replace(" ", "T"), 1))
    with pytest.raises(ExportError, match=r"triggers\.csv does not read as its declared schema"):
        verify_export([triggers])


SMALL_STORY = """\
title: A story exported twice
audience: external
as_of: 2026-09-14
scenario: {brand: fabhalta, dgp: confounded, scale: 1500, seed: 9}
heroes:
  hcp_segment: {column: adoption_stage, value: innovator, share: 0.3}
temporal: {window_share: 0.5, seasonality: {december: 0.8}}
queries:
  - sequence: 1
    complexity: simple
    question: How many patients reached their index date this quarter?
    expected_sql: |
      SELECT COUNT(*) AS patients FROM patient_journeys
      WHERE index_date >= date_trunc('quarter', CURRENT_DATE) - INTERVAL '3 months'
"""


def test_a_story_exports_the_same_bytes_from_two_builds(tmp_path):
    """Two builds from scratch (no cached world) write byte-identical files."""
    contents = []
    for run in ("first", "second"):
        scenario_frames.cache_clear()
        scenario_world.cache_clear()
        build = build_story(parse_story(SMALL_STORY))
        tables = export_frames(build.presented, tmp_path / run)
        contents.append(
            {path.name: path.read_bytes() for t in tables for path in (t.parquet, t.csv, t.schema)}
        )
    assert contents[0].keys() == contents[1].keys() and len(contents[0]) == 3 * len(SPECS)
    assert [n for n in contents[0] if contents[0][n] != contents[1][n]] == []


def test_a_folder_with_a_quote_in_its_name_exports_and_reads_back(tmp_path):
    """The read-back named the file inside the SQL text: a ' in the folder ended the string
    (a traceback), and could have added SQL of its own."""
    frames = {"hcp_profiles": frames_of("kisqali", "time_series", 300)["hcp_profiles"]}
    [table] = export_frames(frames, tmp_path / "o'brien")
    assert table.parquet.parent.name == "o'brien"
    assert table.rows == len(frames["hcp_profiles"]) > 0


def test_a_story_dataset_gets_a_bigquery_load_script(tmp_path):
    frames = {"hcp_profiles": frames_of("kisqali", "time_series", 300)["hcp_profiles"]}
    [table] = export_frames(frames, tmp_path, dataset="acme.demo")
    script = (tmp_path / "bigquery_load.sh").read_text().splitlines()
    assert script[-1] == (
        "bq load --replace --source_format=PARQUET --parquet_enable_list_inference "
        "acme.demo.hcp_profiles "
        f"{table.parquet.name} {table.schema.name}"
    )
    export_frames(frames, tmp_path / "plain")
    assert not (tmp_path / "plain" / "bigquery_load.sh").exists()
