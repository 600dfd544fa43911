"""Scenarios stored before the answer key left patient_journeys keep it: migration 007 on
PostgreSQL, and the next load of a DuckDB file, move it to unit_truth and complete the
truth rows (ATT, ATC, the treatment table's traps) as the generator now writes them; the
feature store's traps, named later, come with the scenario's next materialization."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import psycopg
import pytest

from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS
from e2i_synth.tables.causal_ground_truth import FEATURE_STORE_TRAPS, TRAPS, TRAPS_JSON
from e2i_synth.tables.spec import TableSpec
from e2i_synth.warehouse import DuckDBWarehouse, migrations
from e2i_synth.warehouse.postgres import NULL, csv_chunks
from e2i_synth_tests.conftest import frames_of, world_of

LATER_TRAPS = tuple(t.column for t in FEATURE_STORE_TRAPS)
"""Traps the generator names that migration 007 does not (they came after it)."""
ALL_TRAPS = (*(t.column for t in TRAPS), *LATER_TRAPS)
OLD = Scenario("fabhalta", "heterogeneous")  # region segments: the CATE comes from them
N = 400
TYPES = {
    **SPECS["hcp_profiles"].columns,
    **SPECS["patient_journeys"].columns,
    **SPECS["causal_ground_truth"].columns,
    "propensity_score": "DOUBLE",
    "potential_outcome_untreated": "BOOLEAN",
    "potential_outcome_treated": "BOOLEAN",
}


def legacy_frames() -> dict[str, pd.DataFrame]:
    """OLD's hcp_profiles, patient_journeys and causal_ground_truth in the layout of
    migrations 001-006: the answer key in the journeys, no ATT/ATC/traps, no trap edges
    (and none of the columns later migrations add)."""
    world, frames = world_of(OLD.brand, OLD.dgp, N), frames_of(OLD.brand, OLD.dgp, N)
    truth = frames["causal_ground_truth"]
    columns = list(SPECS["causal_ground_truth"].columns)
    later = columns[columns.index("true_att") :]  # added by 007 and the migrations after it
    old_truth = truth.drop(columns=later).assign(graph_dot=without_traps(truth["graph_dot"]))
    assert (old_truth["graph_dot"] != truth["graph_dot"]).all()
    journeys = frames["patient_journeys"]
    journey_columns = list(journeys.columns)
    journeys = journeys[journey_columns[: journey_columns.index("data_split") + 1]]
    old_journeys = pd.concat(
        [
            journeys.drop(columns="data_split"),
            pd.DataFrame(
                {
                    "propensity_score": np.round(world.propensity, 6),
                    "potential_outcome_untreated": world.y0,
                    "potential_outcome_treated": world.y1,
                }
            ),
            journeys[["data_split"]],
        ],
        axis=1,
    )
    return {
        "hcp_profiles": frames["hcp_profiles"],
        "patient_journeys": old_journeys,
        "causal_ground_truth": old_truth,
    }


def without_traps(graph_dot: pd.Series, traps: tuple[str, ...] = ALL_TRAPS) -> pd.Series:
    """The graphs without the edges into the given traps."""
    return graph_dot.str.replace(rf" \w+ -> ({'|'.join(traps)});", "", regex=True)


def assert_moved(units: pd.DataFrame, truth: pd.DataFrame, journey_columns: list[str]) -> None:
    """What a store holds for OLD after the move equals what the generator writes."""
    frames = frames_of(OLD.brand, OLD.dgp, N)
    assert journey_columns == list(SPECS["patient_journeys"].columns)
    assert list(units.columns) == list(SPECS["unit_truth"].columns)
    expected = frames["unit_truth"].set_index("patient_id")
    units = units.set_index("patient_id").loc[expected.index]
    exact = ["brand", "dgp_type", "y0", "y1", "individual_effect", "data_split"]
    pd.testing.assert_frame_equal(units[exact], expected[exact], check_dtype=False)
    # patient_journeys stored the propensity to 6 decimals
    assert np.allclose(units["true_propensity"], expected["true_propensity"], rtol=0, atol=5e-7)
    assert np.allclose(units["cate"], expected["cate"], rtol=0, atol=1e-12)
    new_truth = frames["causal_ground_truth"]
    assert list(truth.columns) == list(new_truth.columns)
    truth = truth.set_index("truth_id").loc[new_truth["truth_id"]]
    for column in ("true_ate", "true_att", "true_atc"):
        assert np.allclose(truth[column], new_truth[column], rtol=0, atol=1e-12), column
    assert (truth["traps"] == TRAPS_JSON).all()
    expected_graph = without_traps(new_truth["graph_dot"], LATER_TRAPS).to_numpy()
    assert (truth["graph_dot"].to_numpy() == expected_graph).all()


def copy_rows(con: psycopg.Connection, name: str, frame: pd.DataFrame) -> None:
    spec = TableSpec(name, {c: TYPES[c] for c in frame.columns}, "")
    with con.cursor().copy(
        f"COPY {name} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv, NULL '{NULL}')"
    ) as copy:
        for chunk in csv_chunks(spec, frame):
            copy.write(chunk)


def frame_of(con: psycopg.Connection, sql: str) -> pd.DataFrame:
    cur = con.execute(sql)
    return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])


@pytest.mark.postgres
def test_migration_007_moves_the_stored_answer_key_to_unit_truth(postgres_database):
    before = [m for m in migrations.available() if m.version < "007"]
    [move] = [m for m in migrations.available() if m.version == "007"]
    after = [m for m in migrations.available() if m.version > "007"]
    with psycopg.connect(postgres_database) as con:
        for migration in before:
            con.execute(migration.path.read_text(encoding="utf-8"))
        for name, frame in legacy_frames().items():
            copy_rows(con, name, frame)
        for migration in [move, *after]:
            con.execute(migration.path.read_text(encoding="utf-8"))
        units = frame_of(con, "SELECT * FROM unit_truth")
        truth = frame_of(con, "SELECT * FROM causal_ground_truth")
        journeys = frame_of(con, "SELECT * FROM patient_journeys LIMIT 0")
    assert_moved(units, truth, list(journeys.columns))


def test_a_duckdb_file_from_before_unit_truth_moves_its_answer_key_on_the_next_load(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        for name, frame in legacy_frames().items():
            con.register("incoming", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")
    store = DuckDBWarehouse(path)
    store.replace_scenario(Scenario("kisqali", "confounded"), frames_of("kisqali", "confounded"))
    journeys = store.read("patient_journeys", OLD)
    assert_moved(
        store.read("unit_truth", OLD), store.read("causal_ground_truth", OLD), list(journeys)
    )
