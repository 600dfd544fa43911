"""Parquet parts: every table round-trips through DuckDB's reader, and a rerun replaces a
part whole without leaving temporary files."""

from __future__ import annotations

import pandas as pd

from e2i_synth.scale.parquet import part_path, read_table, write_part
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS
from e2i_synth_tests.conftest import frames_of

SCENARIOS = (Scenario("kisqali", "confounded"), Scenario("fabhalta", "simple_linear"))


def canonical(frame: pd.DataFrame, table: str) -> list[tuple]:
    """Rows by primary key, values as Python objects (lists for list columns, None for
    every missing value), so a reader's dtypes do not matter but every value does."""
    rows = frame.sort_values(SPECS[table].primary_key).astype(object)
    rows = rows.where(rows.notna(), None)
    return [
        tuple(list(v) if hasattr(v, "__len__") and not isinstance(v, str) else v for v in row)
        for row in rows.itertuples(index=False)
    ]


def test_every_table_round_trips_through_duckdb(tmp_path):
    for scenario in SCENARIOS:
        written = write_part(frames_of(scenario.brand, scenario.dgp), tmp_path, scenario)
        assert written["patient_journeys"] == len(
            frames_of(scenario.brand, scenario.dgp)["patient_journeys"]
        )
    for table in frames_of("kisqali", "confounded"):
        expected = pd.concat([frames_of(s.brand, s.dgp)[table] for s in SCENARIOS])
        read = read_table(tmp_path, table)
        assert canonical(read, table) == canonical(expected, table), table


def test_a_rerun_replaces_the_part_and_leaves_no_temporary_file(tmp_path):
    scenario = SCENARIOS[0]
    frames = frames_of(scenario.brand, scenario.dgp)
    write_part(frames, tmp_path, scenario)
    write_part({"hcp_profiles": frames["hcp_profiles"].head(3)}, tmp_path, scenario)
    assert len(read_table(tmp_path, "hcp_profiles")) == 3
    assert part_path(tmp_path, "hcp_profiles", scenario, 0).exists()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
