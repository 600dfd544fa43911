"""The secure sampler on a real PostgreSQL server: injection attempts are refused or
neutralised, sensitive columns leave only inside DP aggregates (the bisection and
differencing attacks learn nothing for free), the epsilon budget holds under a race, and
every query is audited under the database session's identity in a log no caller can
change."""

from __future__ import annotations

import contextlib
import multiprocessing
import uuid
from collections.abc import Iterator

import numpy as np
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from e2i_synth.privacy import ledger, sampler
from e2i_synth.privacy.ledger import Refused
from e2i_synth.privacy.sampler import Filter, Query
from e2i_synth.settings import Scenario
from e2i_synth.warehouse.base import WarehouseError
from e2i_synth.warehouse.ddl import LOADER_ROLE, READER_ROLE
from e2i_synth_tests.conftest import frames_of, fresh_database

pytestmark = pytest.mark.postgres
DATASET = "patient_journeys"
DROP = "region; DROP TABLE patient_journeys; --"
QUASI_IDENTIFIERS = ("gender", "region", "insurance_type", "comorbidity_count", "academic_hcp")


@pytest.fixture(scope="module")
def owner_url() -> Iterator[str]:
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


@contextlib.contextmanager
def login_role(owner_url: str, member_of: str) -> Iterator[tuple[str, str]]:
    """A login role of its own in `member_of` (the server trusts local logins), and the URL
    that connects as it; dropped on exit."""
    name = f"analyst_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(owner_url, autocommit=True) as con:
        con.execute(f"CREATE ROLE {name} LOGIN IN ROLE {member_of}")
    try:
        yield name, make_conninfo(**{**conninfo_to_dict(owner_url), "user": name})
    finally:
        with psycopg.connect(owner_url, autocommit=True) as con:
            con.execute(f"DROP ROLE {name}")


@pytest.fixture
def analyst(owner_url) -> Iterator[tuple[str, str]]:
    """A reader of its own (name, URL), so each test reads only its audit rows."""
    with login_role(owner_url, READER_ROLE) as role:
        yield role


@pytest.fixture
def url(analyst) -> str:
    return analyst[1]


@pytest.fixture
def who(analyst) -> str:
    return analyst[0]


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


def budget(owner_url: str, epsilon: float) -> str:
    name = f"ds_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(owner_url) as con:
        ledger.set_budget(con, name, epsilon)
    return name


def test_rows_come_from_the_allow_list_within_the_limit(url, who):
    rows = sampler.run(url, DATASET, Query(columns=("region", "gender"), limit=25))
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
        sampler.run(url, DATASET, query)
    assert journeys(url) == before
    (entry,) = audit(url, who)
    assert entry[0] == "refused" and entry[4]


def test_injection_in_filter_values_is_bound_as_a_value(url, who):
    before = journeys(url)
    evil = Filter("region", "=", "x' OR '1'='1'; DROP TABLE patient_journeys; --")
    rows = sampler.run(url, DATASET, Query(columns=("region",), limit=50, filters=(evil,)))
    assert rows.empty and journeys(url) == before
    listed = Filter("region", "in", ["west", "south') OR (1=1"])
    rows = sampler.run(url, DATASET, Query(columns=("region",), limit=5000, filters=(listed,)))
    assert set(rows["region"]) == {"west"}
    assert "DROP" not in str(audit(url, who))  # filter values are not logged


def test_sample_fraction_keeps_about_that_share(url):
    total = journeys(url)
    rows = sampler.run(url, DATASET, Query(columns=("region",), limit=10_000, fraction=0.3, seed=7))
    se = np.sqrt(0.3 * 0.7 / total)
    assert abs(len(rows) / total - 0.3) < 5 * se


def test_dp_aggregates_spend_the_budget_and_land_near_the_truth(owner_url, url, who):
    name = budget(owner_url, 2.0)
    datasets = {name: sampler.DATASETS[DATASET]}
    truth = journeys(url)
    count = sampler.run(url, name, Query(aggregate="count", epsilon=1.0), datasets)
    assert abs(count - truth) < 20  # Laplace scale 1: twenty scales out has odds e^-20
    mean = sampler.run(
        url, name, Query(aggregate="mean", column="disease_severity", epsilon=0.5), datasets
    )
    frame = frames_of("kisqali", "confounded")["patient_journeys"]
    assert abs(mean - frame["disease_severity"].mean()) < 0.2
    with psycopg.connect(url) as con:
        assert ledger.remaining(con, name) == pytest.approx(0.5)
    with pytest.raises(Refused, match="overspend"):
        sampler.run(url, name, Query(aggregate="count", epsilon=0.6), datasets)
    outcomes = [(o, e) for o, e, *_ in audit(url, who)]
    assert outcomes == [("released", 1.0), ("released", 0.5), ("refused", 0.0)]


def unique_patient(frame) -> dict[str, object]:
    """The quasi-identifiers of a patient nobody else shares: the attack's target."""
    sizes = frame.groupby(list(QUASI_IDENTIFIERS))["patient_id"].transform("size")
    row = frame[sizes == 1].iloc[0]
    return {c: row[c].item() if hasattr(row[c], "item") else row[c] for c in QUASI_IDENTIFIERS}


@pytest.mark.parametrize("column", sorted(sampler.DATASETS[DATASET].sensitive))
@pytest.mark.parametrize("op", sorted(sampler.OPERATORS))
def test_a_row_query_cannot_filter_on_a_sensitive_column(url, who, column, op):
    value = [50.0] if op == "in" else 50.0
    query = Query(columns=("region",), limit=10, filters=(Filter(column, op, value),))
    with pytest.raises(Refused, match="only inside an epsilon-DP aggregate"):
        sampler.run(url, DATASET, query)
    assert [o for o, *_ in audit(url, who)] == ["refused"]


def test_bisection_on_a_sensitive_value_learns_nothing_for_free(owner_url, url, who):
    """The outside audit's attack: a patient with unique quasi-identifiers, then row queries
    `age_at_diagnosis < t` halving the interval. Every step is refused at no cost; the same
    steps as counts each spend epsilon and stop when the budget is gone."""
    frame = frames_of("kisqali", "confounded")["patient_journeys"]
    target = unique_patient(frame)
    pinned = tuple(Filter(c, "=", v) for c, v in target.items())
    low, high = sampler.DATASETS[DATASET].sensitive["age_at_diagnosis"]
    for _ in range(8):
        middle = (low + high) / 2
        probe = (*pinned, Filter("age_at_diagnosis", "<", middle))
        with pytest.raises(Refused):
            sampler.run(url, DATASET, Query(columns=("region",), limit=10, filters=probe))
        high = middle  # the attacker never learns which half, so any choice is as good
    name = budget(owner_url, 0.5)
    datasets = {name: sampler.DATASETS[DATASET]}
    answers = []
    for _ in range(8):
        probe = (*pinned, Filter("age_at_diagnosis", "<", 60.0))
        with contextlib.suppress(Refused):
            answers.append(
                sampler.run(
                    url, name, Query(aggregate="count", filters=probe, epsilon=0.1), datasets
                )
            )
    log = audit(url, who)
    assert [o for o, *_ in log[:8]] == ["refused"] * 8
    released = [(o, e) for o, e, *_ in log[8:] if o == "released"]
    assert released == [("released", 0.1)] * 5 and len(answers) == 5
    assert [o for o, *_ in log[8:]][5:] == ["refused"] * 3
    with psycopg.connect(owner_url) as con:
        assert ledger.remaining(con, name) == pytest.approx(0.0)


def test_differencing_two_aggregates_learns_only_what_epsilon_allows():
    """Two counts over sets that differ by one patient: the best test of whether the patient
    is in (threshold at half) is right at most e^eps / (1 + e^eps) of the time, whatever
    the data. 600 games each way: a miscalibrated noise (say for ten times the epsilon)
    wins 0.99 and fails; the SE of the win rate is 0.014."""
    dataset, epsilon, games = sampler.DATASETS[DATASET], 0.5, 600
    query = Query(aggregate="count", epsilon=epsilon)
    others = np.full(40, 50.0)
    with_target, without = np.append(others, 70.0), others
    differences = np.array(
        [
            [
                sampler.dp_release(with_target, dataset, query)
                - sampler.dp_release(without, dataset, query)
                for _ in range(games)
            ],
            [
                sampler.dp_release(without, dataset, query)
                - sampler.dp_release(without, dataset, query)
                for _ in range(games)
            ],
        ]
    )
    wins = ((differences[0] > 0.5).sum() + (differences[1] <= 0.5).sum()) / (2 * games)
    allowed = np.exp(2 * epsilon) / (1 + np.exp(2 * epsilon))  # two releases: 2 epsilon
    assert wins <= allowed + 3 * np.sqrt(allowed * (1 - allowed) / (2 * games))
    assert wins > 0.5 - 3 * 0.5 / np.sqrt(2 * games)  # the test itself is not degenerate


def test_an_aggregate_may_filter_on_a_sensitive_column_and_pays_for_it(owner_url, url, who):
    name = budget(owner_url, 1.0)
    datasets = {name: sampler.DATASETS[DATASET]}
    query = Query(aggregate="count", filters=(Filter("age_at_diagnosis", ">=", 65.0),), epsilon=1.0)
    count = sampler.run(url, name, query, datasets)
    frame = frames_of("kisqali", "confounded")["patient_journeys"]
    assert abs(count - (frame["age_at_diagnosis"] >= 65).sum()) < 20
    assert [(o, e) for o, e, *_ in audit(url, who)] == [("released", 1.0)]


@pytest.mark.parametrize("aggregate", [None, "count"])
def test_a_query_that_fails_in_the_database_is_logged_without_its_values(
    owner_url, url, who, aggregate
):
    name = budget(owner_url, 1.0)
    datasets = {name: sampler.DATASETS[DATASET]}
    bad = (Filter("comorbidity_count", "=", "abc"),)
    query = (
        Query(columns=("region",), limit=5, filters=bad)
        if aggregate is None
        else Query(aggregate="count", filters=bad, epsilon=0.5)
    )
    with pytest.raises(WarehouseError, match="sample"):
        sampler.run(url, name, query, datasets)
    ((outcome, spent, rows, shape, reason),) = audit(url, who)
    assert (outcome, spent, rows) == ("failed", 0.0, 0)
    assert "comorbidity_count" in shape and "abc" not in shape + reason
    with psycopg.connect(owner_url) as con:
        assert ledger.remaining(con, name) == pytest.approx(1.0)  # a failed query spends nothing


def race(url: str, name: str, barrier, results) -> None:
    datasets = {name: sampler.DATASETS[DATASET]}
    barrier.wait()
    try:
        sampler.run(url, name, Query(aggregate="count", epsilon=0.6), datasets)
        results.put("released")
    except Refused:
        results.put("refused")


@pytest.mark.e2e
def test_two_processes_racing_for_the_last_epsilon_get_one_answer(owner_url, url, who):
    name = budget(owner_url, 1.0)
    context = multiprocessing.get_context("spawn")  # jax (the DP tests) makes fork unsafe
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=race, args=(url, name, barrier, results)) for _ in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(results.get(timeout=5) for _ in workers) == ["refused", "released"]
    with psycopg.connect(url) as con:
        assert ledger.remaining(con, name) == pytest.approx(0.4)
    assert sorted(o for o, *_ in audit(url, who)) == ["refused", "released"]


def test_every_query_is_audited_under_the_session_user_not_the_environment(
    owner_url, url, who, monkeypatch
):
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    name = budget(owner_url, 0.1)
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
            sampler.run(url, dataset, query, datasets)
    log = audit(url, who)
    assert [o for o, *_ in log] == ["released", "refused", "released", "refused", "refused"]
    with psycopg.connect(owner_url) as con:
        users = con.execute(
            "SELECT DISTINCT requested_by, db_user FROM privacy_audit_log WHERE at > now() - "
            "interval '1 hour' AND (requested_by = %s OR requested_by = 'alice')",
            [who],
        ).fetchall()
    assert users == [(who, who)]
    assert "password" not in str(log).lower()


@pytest.mark.parametrize("role", [READER_ROLE, LOADER_ROLE])
def test_the_sampler_works_for_each_role_and_the_log_is_append_only_for_them(owner_url, role):
    with login_role(owner_url, role) as (name, url):
        rows = sampler.run(url, DATASET, Query(columns=("region",), limit=2))
        assert len(rows) == 2 and len(audit(url, name)) == 1
        writes = [
            "UPDATE privacy_audit_log SET outcome = 'refused'",
            "DELETE FROM privacy_audit_log",
            "TRUNCATE privacy_audit_log",
            "INSERT INTO privacy_audit_log (requested_by, dataset, kind, query_shape, outcome) "
            "VALUES ('someone_else', 'x', 'rows', '{}', 'released')",
            "UPDATE privacy_budget SET epsilon_spent = 0",
            "INSERT INTO privacy_budget (dataset, epsilon_total) VALUES ('mine', 100)",
        ]
        for statement in writes:
            with psycopg.connect(url) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(statement)
        # The release function spends what it logs: no free epsilon in the log.
        with psycopg.connect(url) as con, pytest.raises(psycopg.Error, match="no epsilon budget"):
            con.execute("SELECT privacy_release('nobudget', 'aggregate', '{}', 5.0, 0)")
        assert len(audit(url, name)) == 1
