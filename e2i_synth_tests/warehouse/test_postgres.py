"""The PostgreSQL warehouse against the real server: COPY loads, exact scenario replace,
rollback on failure, the database's own constraints, and clear connection errors."""

from __future__ import annotations

import uuid

import pandas as pd
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario, select_scenarios
from e2i_synth.tables import SPECS, TABLE_NAMES
from e2i_synth.validation.suite import structural_checks
from e2i_synth.warehouse import postgres
from e2i_synth.warehouse.postgres import PostgresWarehouse
from e2i_synth_tests.conftest import frames_of, history_of

pytestmark = pytest.mark.postgres
SCENARIO = Scenario("kisqali", "confounded")


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """Rows and an order-independent digest of every table's full contents."""
    with psycopg.connect(url) as con:
        return {
            t: con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(md5(x::text), '' ORDER BY "
                f"md5(x::text)), '')) FROM {t} x"
            ).fetchone()
            for t in TABLE_NAMES
        }


def corrupt(frames: dict, table: str, column: str, value) -> dict:
    frames = {k: v.copy() for k, v in frames.items()}
    frames[table].loc[0, column] = value
    return frames


@pytest.mark.integration
def test_all_fifteen_small_scenarios_load_with_exact_counts(postgres_database):
    store = PostgresWarehouse(postgres_database)
    for scenario in select_scenarios():
        store.replace_scenario(scenario, frames_of(scenario.brand, scenario.dgp))
    for scenario in select_scenarios():
        expected = {t: len(f) for t, f in frames_of(scenario.brand, scenario.dgp).items()}
        assert store.row_counts(scenario) == expected


def test_rematerializing_three_times_gives_identical_contents(postgres_database):
    store = PostgresWarehouse(postgres_database)
    store.replace_scenario(
        Scenario("fabhalta", "time_series"), frames_of("fabhalta", "time_series")
    )
    seen = []
    for _ in range(3):
        store.replace_scenario(SCENARIO, frames_of("kisqali", "confounded"))
        seen.append(checksums(postgres_database))
    assert seen[0] == seen[1] == seen[2]
    assert seen[0]["patient_journeys"][0] == 2 * 3_000  # no duplicates, other scenario kept


def test_replacing_core_tables_empties_the_scenarios_downstream_rows_only(postgres_database):
    """As on DuckDB: the twin-step rows built from replaced core rows go in the same
    transaction; another scenario's stay."""
    store = PostgresWarehouse(postgres_database)
    other = Scenario("fabhalta", "time_series")
    history = "hcp_intervention_history"
    for scenario in (SCENARIO, other):
        store.replace_scenario(scenario, frames_of(scenario.brand, scenario.dgp))
        store.replace_scenario(scenario, {history: history_of(scenario.brand, scenario.dgp)})
    assert len(store.read("hcp_profiles", SCENARIO)) > 0 and len(store.read(history, SCENARIO))

    store.replace_scenario(SCENARIO, frames_of("kisqali", "confounded", seed=8))
    assert store.read(history, SCENARIO).empty
    assert len(store.read(history, other)) == len(history_of("fabhalta", "time_series"))


def test_read_back_matches_the_schemas_and_the_generated_rows(postgres_database):
    store = PostgresWarehouse(postgres_database)
    frames = frames_of("remibrutinib", "heterogeneous")
    store.replace_scenario(Scenario("remibrutinib", "heterogeneous"), frames)
    stored = {t: store.read(t, Scenario("remibrutinib", "heterogeneous")) for t in TABLE_NAMES}
    assert [r.message for r in structural_checks(stored) if not r.passed] == []
    for table in TABLE_NAMES:
        key = SPECS[table].primary_key
        assert stored[table][key].tolist() == sorted(frames[table][key].tolist())
    truth = stored["causal_ground_truth"].set_index("truth_id")
    original = frames["causal_ground_truth"].set_index("truth_id")
    assert (truth["true_ate"] == original.loc[truth.index, "true_ate"]).all()
    assert truth["adjustment_columns"].map(list).tolist()[0] == list(
        original["adjustment_columns"].iloc[0]
    )


def test_failure_half_way_through_a_table_keeps_the_previous_rows(postgres_database, monkeypatch):
    store = PostgresWarehouse(postgres_database)
    store.replace_scenario(SCENARIO, frames_of("kisqali", "confounded"))
    before = checksums(postgres_database)
    real_chunks = postgres.csv_chunks

    def failing_half_way(spec, frame):
        chunks = real_chunks(spec, frame)
        if spec.name == "treatment_events":
            yield next(chunks)
            raise RuntimeError("connection lost half way through treatment_events")
        yield from chunks

    monkeypatch.setattr(
        postgres,
        "COPY_CHUNK_ROWS",
        len(frames_of("kisqali", "confounded")["treatment_events"]) // 2 + 1,
    )
    monkeypatch.setattr(postgres, "csv_chunks", failing_half_way)
    with pytest.raises(RuntimeError, match="half way"):
        store.replace_scenario(SCENARIO, frames_of("kisqali", "confounded", seed=8))
    assert checksums(postgres_database) == before


def test_database_rejects_an_orphan_foreign_key_itself(postgres_database):
    store = PostgresWarehouse(postgres_database)
    store.replace_scenario(SCENARIO, frames_of("kisqali", "confounded"))
    before = checksums(postgres_database)
    orphaned = corrupt(
        frames_of("kisqali", "confounded"), "patient_journeys", "hcp_id", "KIS-CF-H9999999"
    )
    with pytest.raises(E2IError, match=r"patient_journeys_hcp_id_fkey.*KIS-CF-H9999999"):
        store.replace_scenario(SCENARIO, orphaned)
    assert checksums(postgres_database) == before


def test_database_rejects_an_out_of_catalog_value(postgres_database):
    store = PostgresWarehouse(postgres_database)
    bad = corrupt(frames_of("kisqali", "confounded"), "engagement_events", "channel", "fax")
    with pytest.raises(E2IError, match="engagement_events_channel_check") as caught:
        store.replace_scenario(SCENARIO, bad)
    assert "nothing was loaded" in str(caught.value) and "\n" not in str(caught.value)
    assert store.row_counts(SCENARIO)["hcp_profiles"] == 0


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://postgres:s3cret@127.0.0.1:1/nowhere", "'nowhere' at 127.0.0.1:1"),
        ("postgresql://ghost:s3cret@127.0.0.1:5432/postgres", "as 'ghost'"),
    ],
)
def test_unreachable_server_or_unknown_role_is_one_clear_error(url, named):
    with pytest.raises(E2IError) as caught:
        PostgresWarehouse(url).ping()
    message = str(caught.value)
    assert message.startswith("cannot connect to PostgreSQL database") and named in message
    assert "s3cret" not in message and "E2I_DATABASE_URL" in message


@pytest.fixture
def login_roles(postgres_database):
    """Two throwaway login roles: one in e2i_loader, one in e2i_reader (after `db init`)."""
    from e2i_synth.warehouse.ddl import LOADER_ROLE, READER_ROLE
    from e2i_synth_tests.conftest import ADMIN_URL

    store = PostgresWarehouse(postgres_database)
    store.migrate()
    store.grant_roles()
    suffix = uuid.uuid4().hex[:8]
    names = {"loader": f"e2i_test_loader_{suffix}", "reader": f"e2i_test_reader_{suffix}"}
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {names['loader']} LOGIN IN ROLE {LOADER_ROLE}")
        admin.execute(f"CREATE ROLE {names['reader']} LOGIN IN ROLE {READER_ROLE}")
    urls = {
        kind: make_conninfo(**{**conninfo_to_dict(postgres_database), "user": name})
        for kind, name in names.items()
    }
    yield urls
    with psycopg.connect(postgres_database, autocommit=True) as con:
        for name in names.values():
            con.execute(f"DROP OWNED BY {name}")
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f"DROP ROLE IF EXISTS {name}")


def test_db_init_comments_every_column_with_its_spec_description(postgres_database):
    from e2i_synth.warehouse.ddl import ALL_SPECS

    store = PostgresWarehouse(postgres_database)
    store.migrate()
    store.grant_roles()
    with psycopg.connect(postgres_database) as con:
        comments = dict(
            con.execute(
                "SELECT c.relname || '.' || a.attname, col_description(c.oid, a.attnum) "
                "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s) "
                "AND a.attnum > 0 AND NOT a.attisdropped",
                [[spec.name for spec in ALL_SPECS]],
            ).fetchall()
        )
    expected = {f"{s.name}.{c}": s.describe(c) for s in ALL_SPECS for c in s.columns}
    assert comments == expected


def test_loader_role_loads_with_row_level_security_on(postgres_database, login_roles):
    loader = PostgresWarehouse(login_roles["loader"])
    for _ in range(2):
        loader.replace_scenario(SCENARIO, frames_of("kisqali", "confounded"))
    expected = {t: len(f) for t, f in frames_of("kisqali", "confounded").items()}
    assert loader.row_counts(SCENARIO) == expected
    with psycopg.connect(postgres_database) as con:
        secured = con.execute(
            "SELECT count(*) FROM pg_class WHERE relrowsecurity AND relname = ANY(%s)",
            [list(TABLE_NAMES)],
        ).fetchone()[0]
    assert secured == len(TABLE_NAMES)
    orphaned = corrupt(frames_of("kisqali", "confounded"), "triggers", "prediction_id", "X")
    with pytest.raises(E2IError, match="triggers_prediction_id_fkey"):
        loader.replace_scenario(SCENARIO, orphaned)  # constraints hold through the staging path
    assert loader.row_counts(SCENARIO) == expected


def test_reader_role_can_read_but_not_write(postgres_database, login_roles):
    PostgresWarehouse(postgres_database).replace_scenario(
        SCENARIO, frames_of("kisqali", "confounded")
    )
    reader = PostgresWarehouse(login_roles["reader"])
    assert reader.row_counts(SCENARIO)["patient_journeys"] == 3_000
    with pytest.raises(E2IError, match=r"permission denied for table .*e2i_loader"):
        reader.replace_scenario(SCENARIO, frames_of("kisqali", "confounded"))
    with (
        psycopg.connect(login_roles["reader"]) as con,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        con.execute("DELETE FROM patient_journeys")
    assert reader.row_counts(SCENARIO)["patient_journeys"] == 3_000


def test_database_rejects_a_duplicated_feature_value_itself(postgres_database):
    store = PostgresWarehouse(postgres_database)
    frames = dict(frames_of("kisqali", "confounded"))
    values = frames["feature_values"]
    frames["feature_values"] = pd.concat(
        [values, values.iloc[[3]].assign(value_id="KIS-CF-V9999999")], ignore_index=True
    )
    with pytest.raises(E2IError, match="feature_values_natural_key"):
        store.replace_scenario(SCENARIO, frames)
