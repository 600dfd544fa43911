"""The loader's COPY encoding (Arrow CSV) and its encoder thread: awkward values come back
exactly as given, a scenario is stored as the former pandas encoding stored it, and the
thread that encodes ahead never outlives a load or hides its error."""

from __future__ import annotations

import itertools
import math
import threading
from datetime import datetime

import numpy as np
import pandas as pd
import psycopg
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES
from e2i_synth.tables.spec import TableSpec
from e2i_synth.warehouse.postgres import PostgresWarehouse, array_literal, produced_ahead
from e2i_synth_tests.conftest import frames_of
from e2i_synth_tests.warehouse.test_postgres import checksums

PANDAS_TIMES = "%Y-%m-%d %H:%M:%S.%f"

TEXTS = ["plain", "", None, "\\N", 'say "hi", then\nleave', "NULL", "ünï©ode", " padded "]
SPEC = TableSpec(
    "e2i_copy_probe",
    {
        "id": "BIGINT",
        "text_value": "VARCHAR",
        "flag": "BOOLEAN",
        "count_value": "BIGINT",
        "real_value": "DOUBLE",
        "at": "TIMESTAMP",
        "local_at": "TIMESTAMP",
        "mixed": "VARCHAR",
        "names": "VARCHAR[]",
    },
    "id",
)


def awkward_frame(n: int) -> pd.DataFrame:
    """Every kind of value a loader gets wrong: NULL against "" and a NULL marker spelled
    as text, quotes and newlines, doubles over the whole range, sub-microsecond and
    pre-1970 times, time zones, Python objects in a text column."""
    rng = np.random.default_rng(11)
    reals = rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n)
    reals[:6] = [0.1, 1 / 3, -0.0, 5e-324, 1.7976931348623157e308, np.nan]
    nanos = rng.integers(-(10**18), 2 * 10**18, n)
    at = pd.Series(pd.to_datetime(nanos, unit="ns"))
    at.iloc[0] = pd.NaT
    objects = [True, 7, 2.5, None, "text", (1, 2)]
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "text_value": [TEXTS[i % len(TEXTS)] for i in range(n)],
            "flag": pd.array([[True, False, None][i % 3] for i in range(n)], dtype="boolean"),
            "count_value": pd.array(
                [None if i % 5 == 0 else i - n // 2 for i in range(n)], "Int64"
            ),
            "real_value": reals,
            "at": at,
            "local_at": at.dt.tz_localize("UTC").dt.tz_convert("America/New_York"),
            "mixed": [objects[i % len(objects)] for i in range(n)],
            "names": [["a", 'q"uote', "c,d", "\\"][: i % 5] for i in range(n)],
        }
    )


def expected_time(value: pd.Timestamp) -> datetime | None:
    """What strftime's %f always wrote: wall time, floored to the microsecond."""
    return None if pd.isna(value) else value.tz_localize(None).floor("us").to_pydatetime()


@pytest.mark.postgres
def test_awkward_values_round_trip_exactly(postgres_database, monkeypatch):
    from e2i_synth.warehouse import postgres

    monkeypatch.setattr(postgres, "COPY_CHUNK_ROWS", 97)  # many chunks, ragged last one
    frame = awkward_frame(1_000)
    with psycopg.connect(postgres_database) as con, con.cursor() as cur:
        cur.execute(
            f"CREATE TABLE {SPEC.name} (id bigint PRIMARY KEY, text_value text, flag boolean, "
            "count_value bigint, real_value double precision, at timestamp, "
            "local_at timestamp, mixed text, names text[])"
        )
        PostgresWarehouse.copy(cur, SPEC, frame)
        rows = cur.execute(f"SELECT * FROM {SPEC.name} ORDER BY id").fetchall()
    assert len(rows) == len(frame)
    back = dict(zip(SPEC.columns, map(list, zip(*rows, strict=True)), strict=True))
    assert back["text_value"] == frame["text_value"].tolist()
    assert back["flag"] == [None if v is pd.NA else v for v in frame["flag"]]
    assert back["count_value"] == [None if v is pd.NA else v for v in frame["count_value"]]
    for got, sent in zip(back["real_value"], frame["real_value"], strict=True):
        if math.isnan(sent):
            assert got is None
        else:  # bit for bit, the sign of zero and the smallest subnormal included
            assert got == sent and math.copysign(1, got) == math.copysign(1, sent)
    assert back["at"] == [expected_time(v) for v in frame["at"]]
    assert back["local_at"] == [expected_time(v) for v in frame["local_at"]]
    assert back["mixed"] == [None if v is None else str(v) for v in frame["mixed"]]
    assert back["names"] == frame["names"].tolist()


def test_an_error_while_encoding_reaches_the_consumer_and_the_thread_ends():
    def items():
        yield b"first"
        raise RuntimeError("encoding failed")

    seen = []
    with pytest.raises(RuntimeError, match="encoding failed"), produced_ahead(items(), 4) as ready:
        seen.extend(ready)
    assert seen == [b"first"]
    assert not any(t.name == "e2i-copy-encoder" for t in threading.enumerate())


def test_leaving_early_stops_the_producer_within_its_bound():
    produced = itertools.count()
    depth = 3
    with (
        pytest.raises(ValueError, match="server refused"),
        produced_ahead(produced, depth) as ready,
    ):
        assert next(ready) == 0
        raise ValueError("server refused the chunk")
    assert not any(t.name == "e2i-copy-encoder" for t in threading.enumerate())
    assert next(produced) <= depth + 3  # the queue, the item in hand and one after the drain


def test_items_arrive_in_order_and_complete():
    with produced_ahead(iter(range(1_000)), 2) as ready:
        assert list(ready) == list(range(1_000))


def pandas_csv(spec: TableSpec, frame: pd.DataFrame) -> bytes:
    """The encoding the loader used before Arrow: pandas' to_csv, NULL as \\N."""
    frame = frame[list(spec.columns)]
    arrays = [c for c, t in spec.columns.items() if t.endswith("[]")]
    frame = frame.assign(**{c: frame[c].map(array_literal) for c in arrays})
    text = frame.to_csv(header=False, index=False, na_rep=r"\N", date_format=PANDAS_TIMES)
    return text.encode()


@pytest.mark.postgres
def test_a_scenario_is_stored_as_pandas_encoding_stored_it(
    postgres_database, second_postgres_database
):
    frames = frames_of("fabhalta", "heterogeneous", n=600)
    scenario = Scenario("fabhalta", "heterogeneous")
    PostgresWarehouse(postgres_database).replace_scenario(scenario, frames)
    PostgresWarehouse(second_postgres_database).migrate()
    with psycopg.connect(second_postgres_database) as con, con.cursor() as cur:
        for name in TABLE_NAMES:
            spec = SPECS[name]
            statement = (
                f"COPY {name} ({', '.join(spec.columns)}) FROM STDIN (FORMAT csv, NULL '\\N')"
            )
            with cur.copy(statement) as copy:
                copy.write(pandas_csv(spec, frames[name]))
    assert checksums(postgres_database) == checksums(second_postgres_database)


@pytest.mark.postgres
def test_a_load_the_database_refuses_leaves_no_encoder_running(postgres_database):
    frames = dict(frames_of("fabhalta", "heterogeneous", n=600))
    scenario = Scenario("fabhalta", "heterogeneous")
    store = PostgresWarehouse(postgres_database)
    store.replace_scenario(scenario, frames)
    before = checksums(postgres_database)
    journeys = frames["patient_journeys"].copy()
    journeys.loc[0, "hcp_id"] = "FAB-HE-H9999999"  # refused in the second table of many
    with pytest.raises(E2IError, match="patient_journeys_hcp_id_fkey"):
        store.replace_scenario(scenario, {**frames, "patient_journeys": journeys})
    assert not any(t.name == "e2i-copy-encoder" for t in threading.enumerate())
    assert checksums(postgres_database) == before
