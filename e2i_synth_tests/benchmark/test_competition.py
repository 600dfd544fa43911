"""Competition mode: undisclosed variants out, the key apart, submissions scored against it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from e2i_synth.benchmark import estimators
from e2i_synth.benchmark.competition import (
    export_hidden,
    read_key,
    read_submission,
    score_submissions,
)
from e2i_synth.benchmark.estimators import PublicTruth
from e2i_synth.benchmark.suite import load_suite
from e2i_synth.catalog import DGPS
from e2i_synth.errors import ConfigError


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("competition")
    key = export_hidden(load_suite("unobserved"), 4, 400, root / "out", root / "key.json", 11)
    return root, key


def naive_submission(folder, tasks: pd.DataFrame) -> pd.DataFrame:
    """What a participant does: read each variant's files, estimate, write a row per task."""
    rows = []
    for ident, asked in tasks.groupby("variant"):
        public = json.loads((folder / ident / "public.json").read_text())
        tables = {p.stem: pd.read_parquet(p) for p in (folder / ident).glob("*.parquet")}
        estimate = estimators.naive(tables, PublicTruth(**public, graph_dot=""))
        rows += [(ident, e, estimate.value, estimate.std_error) for e in asked["estimand"]]
    return pd.DataFrame(rows, columns=["variant", "estimand", "estimate", "std_error"])


def test_the_export_reveals_neither_knobs_nor_seeds_nor_effects(exported):
    root, key = exported
    public = "".join(
        p.read_text() for p in (root / "out").rglob("*") if p.suffix in (".json", ".csv")
    )
    for entry in key["variants"]:
        assert entry["label"].split("|")[1] not in public
        assert str(entry["seed"]) not in public
        assert all(f"{v:.6f}"[:7] not in public for v in entry["estimands"].values())
    assert "graph_dot" not in public and str(key["private_seed"]) not in public
    codes = {f"-{code}-" for code in (d.code for d in DGPS.values())}
    for path in (root / "out").rglob("*.parquet"):
        frame = pd.read_parquet(path)
        assert "dgp_type" not in frame
        text = frame.select_dtypes("object").astype(str).to_numpy().ravel()
        assert not any(code in value for value in text for code in codes), path
    journeys = pd.read_parquet(root / "out" / "v001" / "patient_journeys.parquet")
    hcps = pd.read_parquet(root / "out" / "v001" / "hcp_profiles.parquet")
    assert journeys["patient_id"].str.startswith("v001-P").all()
    assert journeys["hcp_id"].isin(hcps["hcp_id"]).all()
    tasks = pd.read_csv(root / "out" / "tasks.csv")
    assert set(tasks["variant"]) == {v["variant"] for v in key["variants"]}


def test_the_same_private_seed_draws_the_same_competition(exported, tmp_path):
    root, key = exported
    again = export_hidden(load_suite("unobserved"), 4, 400, tmp_path / "o", tmp_path / "k", 11)
    assert again == key
    first = pd.read_parquet(root / "out" / "v002" / "patient_journeys.parquet")
    pd.testing.assert_frame_equal(
        first, pd.read_parquet(tmp_path / "o" / "v002" / "patient_journeys.parquet")
    )


def test_an_oracle_scores_zero_error_and_a_naive_analyst_does_not(exported, tmp_path):
    root, key = exported
    tasks = pd.read_csv(root / "out" / "tasks.csv")
    naive = naive_submission(root / "out", tasks).assign(estimator="naive")
    truths = {(v["variant"], e): t for v in key["variants"] for e, t in v["estimands"].items()}
    oracle = tasks.assign(
        estimator="oracle",
        estimate=[truths[(v, e)] for v, e in zip(tasks["variant"], tasks["estimand"], strict=True)],
        std_error=0.01,
    )
    results = score_submissions(read_key(root / "key.json"), pd.concat([naive, oracle]))
    assert (results["status"] == "ok").all() and len(results) == 2 * len(tasks)
    by = results.groupby("estimator")
    assert by["error"].apply(lambda e: e.abs().max()).loc["oracle"] == 0
    assert by["covered"].mean().loc["oracle"] == 1
    assert by["error"].apply(lambda e: e.abs().mean()).loc["naive"] > 0.01


def test_missing_and_broken_answers_are_failures_and_strays_are_refused(exported, tmp_path):
    root, key = exported
    tasks = pd.read_csv(root / "out" / "tasks.csv")
    partial = tasks.iloc[1:].assign(estimate=0.1, std_error=0.05)
    partial.loc[partial.index[0], "std_error"] = np.nan
    path = tmp_path / "team.csv"
    partial.to_csv(path, index=False)
    results = score_submissions(key, read_submission(path))
    assert (results["estimator"] == "team").all()
    counts = results["status"].value_counts()
    assert counts["not submitted"] == 1 and counts["non-finite estimate or negative SE"] == 1
    stray = partial.assign(variant="v999")
    with pytest.raises(ConfigError, match=r"answer no task, e\.g\. variant 'v999'"):
        score_submissions(key, stray.assign(estimator="x"))
    (tmp_path / "bad.csv").write_text("variant,estimate\nv001,0.1\n")
    with pytest.raises(ConfigError, match="lacks column\\(s\\) estimand, std_error"):
        read_submission(tmp_path / "bad.csv")


def test_a_task_answered_twice_and_a_malformed_key_are_refused(exported, tmp_path):
    root, _ = exported
    tasks = pd.read_csv(root / "out" / "tasks.csv").assign(estimate=0.1, std_error=0.05)
    pd.concat([tasks, tasks.iloc[:1]]).to_csv(tmp_path / "twice.csv", index=False)
    with pytest.raises(ConfigError, match="more than once; give one row per task"):
        read_submission(tmp_path / "twice.csv")
    (tmp_path / "key.json").write_text('{"version": 1}')
    with pytest.raises(ConfigError, match="is not an answer key of version 1"):
        read_key(tmp_path / "key.json")


def test_the_key_never_lands_in_the_export_and_an_export_never_overwrites(tmp_path):
    suite = load_suite("smoke")
    with pytest.raises(ConfigError, match="must not lie inside"):
        export_hidden(suite, 1, 200, tmp_path / "out", tmp_path / "out" / "key.json", 1)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("kept")
    with pytest.raises(ConfigError, match="is not empty"):
        export_hidden(suite, 1, 200, tmp_path / "full", tmp_path / "k.json", 1)
    assert (tmp_path / "full" / "mine.txt").read_text() == "kept"
    (tmp_path / "old.json").write_text("an earlier export's key")
    with pytest.raises(ConfigError, match="exists"):
        export_hidden(suite, 1, 200, tmp_path / "new", tmp_path / "old.json", 1)
    assert (tmp_path / "old.json").read_text() == "an earlier export's key"
