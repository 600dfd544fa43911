"""A scenario written chunk by chunk to Parquet reads back as the one-piece tables, and the
SQL checks over the files catch what they claim to."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from click.testing import CliRunner

from e2i_synth.cli import cli
from e2i_synth.scale.parquet import part_path
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES, build_tables
from e2i_synth.warehouse import chunked
from e2i_synth.warehouse.base import WarehouseError
from e2i_synth.warehouse.chunked import (
    ChunkJob,
    check_chunked,
    expected_split_counts,
    write_chunk,
    write_chunked,
    write_scenario_rows,
)
from e2i_synth.world import draw_world

SCENARIO = Scenario("fabhalta", "heterogeneous")
N = 2_345


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("chunked") / "scenario"
    seen = []
    run = write_chunked(SCENARIO, N, 9, 1_000, out, lambda i, r: seen.append(i))
    return out, run, seen


def test_parts_read_back_as_the_one_piece_tables(written):
    out, run, seen = written
    assert seen == [0, 1, 2] and run.chunks == 3
    frames = build_tables(draw_world(SCENARIO, N, 9))
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        for name in TABLE_NAMES:
            key = SPECS[name].primary_key
            stored = con.execute(f"SELECT {key} FROM {name}").fetchnumpy()[key]
            assert list(stored) == frames[name][key].tolist(), name
            assert run.rows[name] == len(frames[name])


@pytest.mark.e2e
def test_worker_processes_write_the_same_parts(written, tmp_path):
    out, _, _ = written
    parallel = tmp_path / "parallel"
    write_chunked(SCENARIO, N, 9, 1_000, parallel, workers=2)
    for name in TABLE_NAMES:
        serial = sorted(p.relative_to(out) for p in (out / name).rglob("*.parquet"))
        assert serial == sorted(
            p.relative_to(parallel) for p in (parallel / name).rglob("*.parquet")
        )
        for part in serial:
            with duckdb.connect() as con:
                one = con.execute(f"SELECT * FROM read_parquet('{out / part}')").fetchall()
                two = con.execute(f"SELECT * FROM read_parquet('{parallel / part}')").fetchall()
            assert one == two, part


def test_scenario_rows_wait_for_every_chunk(tmp_path):
    job = ChunkJob(SCENARIO, N, 9, 1_000, tmp_path / "partial")
    write_chunk(job, 2)
    write_chunk(job, 0)
    with pytest.raises(WarehouseError, match="2 of 3 chunks written"):
        write_scenario_rows(job)
    write_chunk(job, 1)  # in any order: the same scenario as written in one go
    write_scenario_rows(job)
    assert not [r for r in check_chunked(job.out, N) if not r.passed]


def test_checks_pass_on_a_whole_scenario(written):
    out, _, _ = written
    failed = [r for r in check_chunked(out, N) if not r.passed]
    assert failed == []


def test_checks_catch_a_missing_parent_chunk(tmp_path):
    copy = tmp_path / "copy"
    write_chunked(SCENARIO, N, 9, 1_000, copy)
    part_path(copy, "hcp_profiles", SCENARIO, 1).unlink()
    failed = {r.name for r in check_chunked(copy, N) if not r.passed}
    assert "patient_journeys.hcp_id -> hcp_profiles" in failed


def test_checks_catch_a_date_after_the_data_cut(tmp_path):
    copy = tmp_path / "copy"
    write_chunked(SCENARIO, N, 9, 1_000, copy)
    events = part_path(copy, "treatment_events", SCENARIO, 0)
    moved = events.with_name("moved.parquet")
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * REPLACE (CAST(event_date + INTERVAL 2 YEAR AS DATE) AS event_date) "
            f"FROM read_parquet('{events}')) TO '{moved}' (FORMAT parquet)"
        )
    moved.replace(events)
    failed = {r.name: r.message for r in check_chunked(copy, N) if not r.passed}
    assert list(failed) == ["nothing after the data cut"]
    assert failed["nothing after the data cut"].endswith("dates after 2025-12-31")


def test_hash_buckets_count_what_one_pass_counts(tmp_path, monkeypatch):
    """Split into buckets of 500 rows (several per table), the checks find the same
    duplicates, orphans and split crossings, to the row, as in one pass."""
    copy = tmp_path / "copy"
    write_chunked(SCENARIO, N, 9, 1_000, copy)
    part_path(copy, "hcp_profiles", SCENARIO, 1).unlink()
    events = part_path(copy, "treatment_events", SCENARIO, 0)
    shutil.copy(events, events.with_name("part-00009.parquet"))
    monkeypatch.setattr(chunked, "BUCKET_ROWS", 10**12)
    one_pass = check_chunked(copy, N)
    monkeypatch.setattr(chunked, "BUCKET_ROWS", 500)
    assert check_chunked(copy, N) == one_pass
    failed = {r.name for r in one_pass if not r.passed}
    assert {
        "treatment_events.event_id unique",
        "patient_journeys.hcp_id -> hcp_profiles",
    } <= failed


def test_split_counts_are_exact_per_block_of_twenty():
    assert expected_split_counts(20).tolist() == [12, 4, 3, 1]
    assert expected_split_counts(2_345).tolist() == [1_407, 469, 352, 117]


def test_chunked_command_writes_and_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("E2I_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(
        cli,
        [
            *("chunked", "--scale", "500", "--brand", "kisqali", "--dgp", "confounded"),
            *("--chunk-size", "200", "--workers", "2", "--out", str(tmp_path / "out")),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "chunk 3 of 3 written" in result.output and "checks" in result.output
    assert "passed" in result.output and (tmp_path / "out" / "warehouse.duckdb").exists()


def test_views_read_parts_under_a_folder_with_a_quote_in_its_name(tmp_path):
    """The views named the parts inside the SQL text: a ' in --out ended the string."""
    out = tmp_path / "o'brien"
    run = write_chunked(SCENARIO, 300, 9, 1_000, out)
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM patient_journeys").fetchone()[0]
    assert rows == run.rows["patient_journeys"] == 300
