"""The secure sampler on a real PostgreSQL server: injection attempts are refused or
neutralised, the epsilon budget holds under a race, and every query is audited."""

from __future__ import annotations

import contextlib
import multiprocessing
import uuid

import numpy as np
import psycopg
import pytest

from e2i_synth.privacy import ledger, sampler
from e2i_synth.privacy.ledger import Refused
from e2i_synth.privacy.sampler import Filter, Query
from e2i_synth.settings import Scenario
from e2i_synth_tests.conftest import frames_of, fresh_database

pytestmark = pytest.mark.postgres
DATASET = "patient_journeys"
DROP = "region; DROP TABLE patient_journeys; --"


@pytest.fixture(scope="module")
def url():
    """A database holding one scenario's HCPs and journeys, migrated and granted."""
    from e2i_synth.warehouse.postgres import PostgresWarehouse

    frames = frames_of("kisqali", "confounded")
    with fresh_database() as database:
        store = PostgresWarehouse(database)
        store.replace_scenario(
            Scenario("kisqali", "confounded"),
            {t: frames[t] for t in ("hcp_profiles", "patient_journeys")},
        )
        store.grant_roles()  # the load applied the migrations, the ledger's among them
        yield database


@pytest.fixture
def who() -> str:
    """A caller name of its own, so each test reads only its audit rows."""
    return f"analyst-{uuid.uuid4().hex[:8]}"


def audit(url: str, who: str) -> list[tuple]:
    with psycopg.connect(url) as con:
        return con.execute(
            "SELECT outcome, epsilon_spent, rows_returned, query_shape::text, reason "
            "FROM privacy_audit_log WHERE requested_by = %s ORDER BY audit_id",
            [who],
        ).fetchall()


def journeys(url: str) -> int:
    with psycopg.connect(url) as con:
        return con.execute("SELECT count(*) FROM patient_journeys").fetchone()[0]


def budget(url: str, epsilon: float) -> str:
    name = f"ds_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url) as con:
        ledger.set_budget(con, name, epsilon)
    return name


def test_rows_come_from_the_allow_list_within_the_limit(url, who):
    rows = sampler.run(url, DATASET, Query(columns=("region", "gender"), limit=25), who)
    assert list(rows.columns) == ["region", "gender"] and len(rows) == 25
    assert audit(url, who)[0][:3] == ("released", 0.0, 25)


@pytest.mark.parametrize(
    "query",
    [
        Query(columns=(DROP,), limit=5),
        Query(columns=("age_at_diagnosis",), limit=5),  # sensitive: aggregates only
        Query(columns=("region",), limit="5; DROP TABLE patient_journeys"),
        Query(columns=("region",), limit=10**9),
        Query(columns=("region",), limit=True),
        Query(columns=("region",), limit=5, fraction="0.5) ; DROP TABLE patient_journeys; --"),
        Query(columns=("region",), limit=5, fraction=0.0),
        Query(columns=("region",), limit=5, fraction=float("nan")),
        Query(columns=("region",), limit=5, filters=(Filter(DROP, "=", "x"),)),
        Query(columns=("region",), limit=5, filters=(Filter("region", "= 'x' OR 1=1 --", 1),)),
        Query(aggregate="sum", column=DROP, epsilon=0.1),
        Query(aggregate="count; DROP TABLE patient_journeys", epsilon=0.1),
    ],
)
def test_injection_attempts_are_refused_audited_and_harmless(url, who, query):
    before = journeys(url)
    with pytest.raises(Refused):
        sampler.run(url, DATASET, query, who)
    assert journeys(url) == before
    (entry,) = audit(url, who)
    assert entry[0] == "refused" and entry[4]


def test_injection_in_filter_values_is_bound_as_a_value(url, who):
    before = journeys(url)
    evil = Filter("region", "=", "x' OR '1'='1'; DROP TABLE patient_journeys; --")
    rows = sampler.run(url, DATASET, Query(columns=("region",), limit=50, filters=(evil,)), who)
    assert rows.empty and journeys(url) == before
    listed = Filter("region", "in", ["west", "south') OR (1=1"])
    rows = sampler.run(url, DATASET, Query(columns=("region",), limit=5000, filters=(listed,)), who)
    assert set(rows["region"]) == {"west"}
    assert "DROP" not in str(audit(url, who))  # filter values are not logged


def test_sample_fraction_keeps_about_that_share(url, who):
    total = journeys(url)
    rows = sampler.run(
        url, DATASET, Query(columns=("region",), limit=10_000, fraction=0.3, seed=7), who
    )
    se = np.sqrt(0.3 * 0.7 / total)
    assert abs(len(rows) / total - 0.3) < 5 * se


def test_dp_aggregates_spend_the_budget_and_land_near_the_truth(url, who):
    name = budget(url, 2.0)
    datasets = {name: sampler.DATASETS[DATASET]}
    truth = journeys(url)
    count = sampler.run(url, name, Query(aggregate="count", epsilon=1.0), who, datasets)
    assert abs(count - truth) < 20  # Laplace scale 1: twenty scales out has odds e^-20
    mean = sampler.run(
        url, name, Query(aggregate="mean", column="disease_severity", epsilon=0.5), who, datasets
    )
    frame = frames_of("kisqali", "confounded")["patient_journeys"]
    assert abs(mean - frame["disease_severity"].mean()) < 0.2
    with psycopg.connect(url) as con:
        assert ledger.remaining(con, name) == pytest.approx(0.5)
    with pytest.raises(Refused, match="overspend"):
        sampler.run(url, name, Query(aggregate="count", epsilon=0.6), who, datasets)
    outcomes = [(o, e) for o, e, *_ in audit(url, who)]
    assert outcomes == [("released", 1.0), ("released", 0.5), ("refused", 0.0)]


def race(url: str, name: str, who: str, barrier, results) -> None:
    datasets = {name: sampler.DATASETS[DATASET]}
    barrier.wait()
    try:
        sampler.run(url, name, Query(aggregate="count", epsilon=0.6), who, datasets)
        results.put("released")
    except Refused:
        results.put("refused")


@pytest.mark.slow
def test_two_processes_racing_for_the_last_epsilon_get_one_answer(url, who):
    name = budget(url, 1.0)
    context = multiprocessing.get_context("spawn")  # jax (the DP tests) makes fork unsafe
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=race, args=(url, name, who, barrier, results)) for _ in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(results.get(timeout=5) for _ in workers) == ["refused", "released"]
    with psycopg.connect(url) as con:
        assert ledger.remaining(con, name) == pytest.approx(0.4)
    assert sorted(o for o, *_ in audit(url, who)) == ["refused", "released"]


def test_every_query_is_audited_and_the_reader_role_can_read_the_log(url, who):
    name = budget(url, 0.1)
    datasets = {name: sampler.DATASETS[DATASET], DATASET: sampler.DATASETS[DATASET]}
    calls = [
        (DATASET, Query(columns=("region",), limit=3)),
        (DATASET, Query(columns=("nope",), limit=3)),
        (name, Query(aggregate="count", epsilon=0.1)),
        (name, Query(aggregate="count", epsilon=0.1)),  # budget gone
        ("unknown_dataset", Query(columns=("region",), limit=3)),
    ]
    for dataset, query in calls:
        with contextlib.suppress(Refused):
            sampler.run(url, dataset, query, who, datasets)
    log = audit(url, who)
    assert [o for o, *_ in log] == ["released", "refused", "released", "refused", "refused"]
    with psycopg.connect(url) as con:
        con.execute("SET ROLE e2i_reader")
        rows = con.execute(
            "SELECT db_user FROM privacy_audit_log WHERE requested_by = %s", [who]
        ).fetchall()
    assert len(rows) == len(calls)
    assert "password" not in str(log).lower()
