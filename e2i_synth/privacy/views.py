"""What a synthesizer learns from each real table, and the joined journey view.

Only observable columns are modeled: keys, the scenario label and the answer key
(propensity, potential outcomes) are left out, because a synthesizer trained on real data
would never see them. Training rows are the `train` split; the privacy holdout is the
`holdout` split, never used to fit anything (SPEC §3).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from e2i_synth.catalog import DGPS, OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.errors import E2IError
from e2i_synth.privacy.scorecard import CausalDesign

TRAIN_SPLIT = "train"
HOLDOUT_SPLIT = "holdout"
EVENT_TYPES = ("prescription", "refill", "switch", "discontinuation")


@dataclass(frozen=True)
class View:
    """A modeled table: its columns and the target of its train-synthetic/test-real score.
    Journeys use engagement_score (R^2 about 0.85 from the other columns on real rows):
    the treatment and the outcome are implied by other columns, trivial targets."""

    name: str
    columns: tuple[str, ...]
    target: str
    treatment: str | None = None
    outcome: str | None = None


COVARIATES = (
    "age_at_diagnosis",
    "gender",
    "region",
    "insurance_type",
    "disease_severity",
    "comorbidity_count",
    "academic_hcp",
)
"""The observed pre-treatment columns: every DGP's backdoor set lies among them, and none
descends from the treatment or the outcome (`causal_ground_truth.TRAPS` lists those)."""

JOURNEY_COLUMNS = (
    *COVARIATES,
    "engagement_score",
    "engaged",
    "treatment_initiated",
    "days_to_treatment",
    "journey_stage",
)

VIEWS = {
    "patient_journeys": View(
        "patient_journeys",
        JOURNEY_COLUMNS,
        "engagement_score",
        TREATMENT_COLUMN,
        OUTCOME_COLUMN,
    ),
    "treatment_events": View(
        "treatment_events",
        ("event_type", "line_of_therapy", "days_since_first_event"),
        "event_type",
    ),
    "journey": View(
        "journey",
        (*JOURNEY_COLUMNS, *(f"n_{t}" for t in EVENT_TYPES), "journey_days"),
        "engagement_score",
        TREATMENT_COLUMN,
        OUTCOME_COLUMN,
    ),
}
"""Per table and per joined view (a patient's journey across patient_journeys and
treatment_events, one row per patient)."""
SOURCE_TABLES = {name: (name,) for name in VIEWS} | {
    "journey": ("patient_journeys", "treatment_events")
}
"""The warehouse tables each view is built from."""


def event_rows(events: pd.DataFrame) -> pd.DataFrame:
    """treatment_events with each event dated relative to its patient's first event."""
    first = events.groupby("patient_id")["event_date"].transform("min")
    return events.assign(days_since_first_event=(events["event_date"] - first).dt.days)


def journey_view(journeys: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per patient: the journey's columns, counts of each event type and the days
    between the first and last event."""
    counts = pd.crosstab(events["patient_id"], events["event_type"]).reindex(
        columns=list(EVENT_TYPES), fill_value=0
    )
    counts.columns = [f"n_{t}" for t in EVENT_TYPES]
    dates = events.groupby("patient_id")["event_date"]
    span = (dates.max() - dates.min()).dt.days
    joined = journeys.set_index("patient_id").join(counts).join(span.rename("journey_days"))
    filled = {c: 0 for c in [*counts.columns, "journey_days"]}
    return joined.fillna(filled).reset_index()


def modeled_frame(name: str, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The rows of view `name` with its modeled columns and `data_split`."""
    if name not in VIEWS:
        raise E2IError(f"no privacy view {name!r}; choose one of: {', '.join(VIEWS)}")
    missing = [t for t in SOURCE_TABLES[name] if t not in frames]
    if missing:
        raise E2IError(f"view {name!r} needs tables {missing}; load or generate them first")
    if name == "journey":
        rows = journey_view(frames["patient_journeys"], frames["treatment_events"])
    elif name == "treatment_events":
        rows = event_rows(frames["treatment_events"])
    else:
        rows = frames[name]
    return rows[[*VIEWS[name].columns, "data_split"]]


def split_real(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training rows, holdout rows), without the split column."""
    train = rows[rows["data_split"] == TRAIN_SPLIT].drop(columns="data_split")
    holdout = rows[rows["data_split"] == HOLDOUT_SPLIT].drop(columns="data_split")
    if train.empty or holdout.empty:
        raise E2IError(
            f"need rows in both the {TRAIN_SPLIT!r} and {HOLDOUT_SPLIT!r} splits; found "
            f"{len(train)} and {len(holdout)}"
        )
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


def causal_design(name: str, dgp: str) -> CausalDesign | None:
    """The effect the synthetic rows of view `name` must keep, for a scenario of `dgp`:
    the difference in means where its engagement is randomized (no propensity terms), else
    adjusted for the observed pre-treatment covariates; None for a view without the
    treatment and the outcome."""
    view = VIEWS[name]
    if view.treatment is None or view.outcome is None:
        return None
    randomized = not DGPS[dgp].propensity_terms
    return CausalDesign(view.treatment, view.outcome, () if randomized else COVARIATES)
