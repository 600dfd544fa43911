"""Censoring at the data cut: the cut moves earlier, nothing after it exists, and outcome
windows still open at it are right-censored (known only for patients who initiated by
then), so the followed patients' effect is what the data allow (catalog.DgpSpec,
`censor_days`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from e2i_synth.catalog import CENSOR_MAX_DAYS, DATA_CUT, FOLLOW_UP_DAYS, OUTCOME_COLUMN, DgpSpec
from e2i_synth.world.mechanisms.base import (
    CausalMechanism,
    Column,
    Draft,
    Knob,
    group_totals,
    knob_on,
)


def data_cut(spec: DgpSpec) -> np.datetime64:
    """The day after which nothing exists (DATA_CUT, or earlier with `censor`)."""
    return np.datetime64(DATA_CUT) - np.timedelta64(spec.censor_days, "D")


def censor(dates: dict[str, np.ndarray], cut: np.datetime64) -> dict[str, np.ndarray]:
    """The dates as the data cut leaves them: outcomes are assessed at the latest on it,
    and initiations from it on do not exist (every event comes before its assessment)."""
    late = dates["initiation_date"] >= cut
    return {
        **dates,
        "initiation_date": np.where(late, np.datetime64("NaT"), dates["initiation_date"]),
        "outcome_date": np.minimum(dates["outcome_date"], cut),
    }


def known_by_cut(d, index_date, y0, y1, caused_if_engaged, window_closed, cut) -> np.ndarray:
    """(2, n): whether each unit's outcome would be known at the cut unengaged and engaged:
    its window closed, or it initiated before the cut (on its spontaneous day, or,
    engaged, on the day the engagement caused)."""
    spontaneous = index_date + d["spontaneous_day"] < cut
    caused = index_date + d["caused_day"] < cut
    by_cut_engaged = np.where(caused_if_engaged, caused, spontaneous)
    return np.stack([window_closed | (y0 & spontaneous), window_closed | (y1 & by_cut_engaged)])


def _record(draft: Draft) -> None:
    """Who is followed (window closed by the cut), whose outcome is known, and the dates
    cut."""
    cut = data_cut(draft.spec)
    window_closed = draft.dates["outcome_date"] <= cut
    known_if = known_by_cut(
        draft.unit,
        draft.dates["index_date"],
        draft.y0,
        draft.y1,
        draft.y1 & ~draft.y0,
        window_closed,
        cut,
    )
    draft.dates = censor(draft.dates, cut)
    draft.parts["window_closed"] = window_closed
    recorded = draft.parts.get("observed_if")
    draft.parts["observed_if"] = known_if if recorded is None else recorded & known_if


def _sums(world: Any, groups: list[np.ndarray], effect: np.ndarray) -> dict[str, np.ndarray]:
    """The units whose outcome window closed by the data cut and their summed effects
    (zeros without censoring)."""
    closed = world.parts.window_closed
    if closed is None:
        closed = np.zeros(world.n_patients, dtype=bool)
    return {
        "followed": group_totals(groups, closed),
        "effect_followed": group_totals(groups, effect, closed),
    }


def _truth(world: Any, sums: Any, rows: list[int]) -> dict[str, Any]:
    """The data cut, and the followed patients' effect and count (with censoring)."""
    censored = world.censored
    followed, effect_followed = (sums.of_mechanisms[k] for k in ("followed", "effect_followed"))
    return {
        "data_cut_date": world.data_cut,
        "true_ate_followed": [
            effect_followed[g] / followed[g] if censored and followed[g] else np.nan for g in rows
        ],
        "n_followed": pd.array(
            [int(followed[g]) if censored else None for g in rows], dtype="Int64"
        ),
    }


def _identification(spec: DgpSpec, cut: np.datetime64 | None) -> tuple[str, dict] | None:
    if cut is None:
        return None
    return (
        "censoring",
        {
            "column": OUTCOME_COLUMN,
            "data_cut_date": str(cut),
            "followed": f"index_date + {FOLLOW_UP_DAYS + 1} days <= data_cut_date",
            "estimand": "ate_followed",
            "complete_case_estimand": "ate_observed",
        },
    )


MECHANISM = CausalMechanism(
    name="censoring",
    summary="right-censoring of outcome windows still open at an earlier data cut",
    knobs=(
        Knob(
            "censor",
            f"the data cut moves v days before {DATA_CUT} (the default cut): outcome "
            "windows still open at it are right-censored (NULL unless the patient "
            "initiated by the cut) and nothing after it exists; the truth states the ATE "
            "for everyone, for the patients whose window closed (true_ate_followed) and "
            "for the recorded ones",
            lambda s, v: replace(s, censor_days=int(v)),
            0,
            CENSOR_MAX_DAYS,
            integer=True,
        ),
    ),
    active=knob_on("censor_days"),
    single_decision=True,
    steps={"record": _record},
    parts=("window_closed", "data_cut"),
    columns=(
        Column(
            "causal_ground_truth",
            "data_cut_date",
            "DATE",
            16,
            description=(
                "The data cut: no date or timestamp of any table is after it (the data_cut check). "
                "2025-12-31, that many days earlier with censor, a story's own cut in stories; NULL"
                " in rows stored before migration 016."
            ),
        ),
        Column(
            "causal_ground_truth",
            "true_ate_followed",
            "DOUBLE",
            16,
            description=(
                "Variants with censoring and stories: the effect on the patients whose 120-day "
                "window closed by the cut (index_date + 121 days on or before data_cut_date). NULL "
                "elsewhere."
            ),
        ),
        Column(
            "causal_ground_truth",
            "n_followed",
            "INTEGER",
            16,
            description=(
                "Variants with censoring and stories: patients whose window closed by the cut. NULL"
                " elsewhere."
            ),
        ),
    ),
    sums=_sums,
    truth=_truth,
    identification=_identification,
    estimands=lambda row: (
        {"ate_followed": float(row["true_ate_followed"])}
        if pd.notna(row["true_ate_followed"])
        else {}
    ),
)
