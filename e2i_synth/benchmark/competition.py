"""A competition over undisclosed variants, as the ACIC data challenges were run.

`export_hidden` draws N variants of a suite and a data seed for each from a private seed
the participants never see, and writes only what an analyst would get: each variant's
analysis tables and its public truth (where the treatment and outcome are, the adjustment
set, instruments, mediators, the data cut; never the graph, the knobs or any effect),
under an opaque id. The answer key (the private seed, every variant's label, seed and
stated estimands) goes to a separate file kept by the organiser. `score_submissions`
reads submitted estimates against the key and scores them as the leaderboard does: per
estimand, over the variants that identify it, bias, RMSE, coverage and interval length.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from e2i_synth.benchmark.data import variant_data
from e2i_synth.benchmark.estimators import Z_95
from e2i_synth.benchmark.run import RESULT_COLUMNS
from e2i_synth.benchmark.suite import Suite
from e2i_synth.catalog import BRANDS, DGPS
from e2i_synth.errors import ConfigError
from e2i_synth.settings import MAX_SEED, Scenario

KEY_VERSION = 1
SUBMISSION_COLUMNS = ("variant", "estimand", "estimate", "std_error")
"""A submission's columns (CSV, one row per variant and estimand; `estimator` optional:
the method's name, else the file's stem)."""


def export_hidden(
    suite: Suite, n: int, n_patients: int, folder: Path, key: Path, private_seed: int | None
) -> dict:
    """Write N undisclosed variants under `folder` (one folder per opaque id, Parquet tables
    and `public.json`, plus `tasks.csv`: which estimands to submit for which id) and the
    answer key to `key`; return the key. The private seed is drawn from the operating
    system's entropy unless given, and is stored only in the key."""
    if folder.exists() and any(folder.iterdir()):
        raise ConfigError(f"{folder} is not empty; give a new folder for the export")
    if key.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(f"the key {key} must not lie inside the export {folder}")
    if key.exists():
        raise ConfigError(
            f"the key {key} exists (an earlier export is scored with it); give a new path"
        )
    seed = secrets.randbits(32) if private_seed is None else private_seed
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(suite.variants), n)
    data_seeds = rng.integers(0, MAX_SEED, n, endpoint=True)
    folder.mkdir(parents=True, exist_ok=True)
    entries, tasks = [], []
    for number, (pick, data_seed) in enumerate(zip(picks, data_seeds, strict=True), start=1):
        ident = f"v{number:03d}"
        data = variant_data(suite.variants[pick], n_patients, int(data_seed))
        home = folder / ident
        home.mkdir()
        for name, frame in data.tables.items():
            undisclosed(frame, data.scenario, ident).to_parquet(
                home / f"{name}.parquet", index=False
            )
        public = {k: v for k, v in asdict(data.truth).items() if k != "graph_dot"}
        (home / "public.json").write_text(json.dumps(public, indent=2))
        asked = sorted(data.identified | {"ate"})
        tasks += [{"variant": ident, "estimand": e} for e in asked]
        entries.append(
            {
                "variant": ident,
                "label": data.scenario.label,
                "brand": data.scenario.brand,
                "seed": int(data_seed),
                "estimands": data.estimands,
                "identified": sorted(data.identified),
            }
        )
    pd.DataFrame(tasks).to_csv(folder / "tasks.csv", index=False)
    answer = {
        "version": KEY_VERSION,
        "suite": suite.name,
        "private_seed": seed,
        "n_patients": n_patients,
        "variants": entries,
    }
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps(answer, indent=2))
    return answer


def undisclosed(frame: pd.DataFrame, scenario: Scenario, ident: str) -> pd.DataFrame:
    """The table without what names the variant's base DGP: no `dgp_type` column, and keys
    (`KIS-CF-P0000042`, the scenario's code first) under the variant's opaque id instead."""
    code = f"{BRANDS[scenario.brand].code}-{DGPS[scenario.dgp].code}-"
    keys = {
        column: frame[column].str.replace(code, f"{ident}-", regex=False)
        for column in frame.columns
        if frame[column].dtype == object
        and frame[column].astype("string").str.startswith(code).fillna(False).any()
    }
    return frame.drop(columns=["dgp_type"], errors="ignore").assign(**keys)


def read_key(path: Path) -> dict:
    try:
        key = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read the answer key {path} ({exc}); give the file "
            "`benchmark export --hidden` wrote with --key"
        ) from None
    entries = key.get("variants") if isinstance(key, dict) else None
    fields = ("variant", "estimands", "identified")
    if (
        not isinstance(key, dict)
        or key.get("version") != KEY_VERSION
        or not isinstance(entries, list)
        or not all(isinstance(v, dict) and all(f in v for f in fields) for v in entries)
    ):
        raise ConfigError(
            f"{path} is not an answer key of version {KEY_VERSION} (a 'variants' list of "
            f"{', '.join(fields)}); give the file `benchmark export --hidden` wrote with --key"
        )
    return key


def read_submission(path: Path) -> pd.DataFrame:
    """A submission as rows of (estimator, variant, estimand, estimate, std_error)."""
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(f"cannot read submission {path} ({exc})") from None
    missing = [c for c in SUBMISSION_COLUMNS if c not in frame]
    if missing:
        raise ConfigError(
            f"submission {path} lacks column(s) {', '.join(missing)}; a submission is a CSV "
            f"with columns {', '.join(SUBMISSION_COLUMNS)} (and optionally estimator)"
        )
    if "estimator" not in frame:
        frame = frame.assign(estimator=path.stem)
    twice = frame.duplicated(["estimator", "variant", "estimand"], keep=False)
    if twice.any():
        first = frame[twice].iloc[0]
        raise ConfigError(
            f"submission {path} answers variant {first['variant']!r}, estimand "
            f"{first['estimand']!r} more than once; give one row per task"
        )
    for column in ("estimate", "std_error"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame[["estimator", *SUBMISSION_COLUMNS]]


def score_submissions(key: dict, submissions: pd.DataFrame) -> pd.DataFrame:
    """One row per (estimator, variant, estimand asked), in the benchmark's result columns:
    a task an estimator left out, or answered with a non-finite value or a negative SE,
    is a failure with that status; an answer to a task nobody asked is refused."""
    truth = pd.DataFrame(
        [
            {
                "variant": v["variant"],
                "estimand": name,
                "truth": value,
                "identified": name in v["identified"],
            }
            for v in key["variants"]
            for name, value in v["estimands"].items()
            if name in v["identified"] or name == "ate"
        ]
    )
    unknown = submissions.merge(truth, how="left", indicator=True)
    unknown = unknown[unknown["_merge"] == "left_only"]
    if len(unknown):
        first = unknown.iloc[0]
        raise ConfigError(
            f"{len(unknown)} submitted row(s) answer no task, e.g. variant "
            f"{first['variant']!r}, estimand {first['estimand']!r}; tasks.csv lists the tasks"
        )
    grid = truth.merge(submissions[["estimator"]].drop_duplicates(), how="cross")
    scored = grid.merge(submissions, how="left", on=["estimator", "variant", "estimand"])
    answered = scored["estimate"].notna() | scored["std_error"].notna()
    finite = np.isfinite(scored["estimate"]) & np.isfinite(scored["std_error"])
    valid = finite & (scored["std_error"] >= 0)
    status = np.where(
        valid, "ok", np.where(answered, "non-finite estimate or negative SE", "not submitted")
    )
    error = scored["estimate"] - scored["truth"]
    return scored.assign(
        seed=0,
        error=error.where(valid),
        covered=valid & (error.abs() <= Z_95 * scored["std_error"]),
        pehe=np.nan,
        status=status,
        seconds=np.nan,
    )[list(RESULT_COLUMNS)]
