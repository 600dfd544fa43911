"""Keys and time order across the tables of one scenario.

Each check takes the scenario's frames by table name and returns a `CheckResult` for one
table, naming the column and giving a count with an example when something is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from e2i_synth.tables import STORED_SPECS
from e2i_synth.validation.result import CheckResult, from_problems

Frames = dict[str, pd.DataFrame]


def example(values: pd.Series) -> str:
    return repr(values.iloc[0]) if len(values) else ""


def check_keys(table: str, frames: Frames) -> CheckResult:
    """The primary key is unique and every foreign key has its parent row."""
    spec = STORED_SPECS[table]
    frame = frames[table]
    problems, figures = [], {"rows": len(frame)}
    duplicated = frame[spec.primary_key][frame[spec.primary_key].duplicated()]
    figures["duplicated_keys"] = len(duplicated)
    if len(duplicated):
        problems.append(
            f"{table}.{spec.primary_key}: {len(duplicated)} duplicated keys, "
            f"e.g. {example(duplicated)}"
        )
    if spec.unique:
        repeated = frame[frame.duplicated(list(spec.unique))]
        figures["duplicated_natural_keys"] = len(repeated)
        if len(repeated):
            problems.append(
                f"{table}: {len(repeated)} rows repeat ({', '.join(spec.unique)}), e.g. "
                f"{repeated[list(spec.unique)].iloc[0].to_dict()}"
            )
    for column, parent in spec.foreign_keys.items():
        values = frame[column].dropna()
        orphans = values[~values.isin(frames[parent][STORED_SPECS[parent].primary_key])]
        figures[f"orphan_{column}"] = len(orphans)
        if len(orphans):
            problems.append(
                f"{table}.{column}: {len(orphans)} values with no row in {parent}, "
                f"e.g. {example(orphans)}"
            )
    ok = f"{len(frame)} unique {spec.primary_key} values" + (
        f"; every {', '.join(spec.foreign_keys)} resolves" if spec.foreign_keys else ""
    )
    return from_problems("keys", table, problems, ok, figures)


@dataclass(frozen=True)
class Precedes:
    """`earlier.early` comes before `later.late` for rows joined on `on`."""

    earlier: str
    early: str
    later: str
    late: str
    on: str
    strict: bool = True

    def violations(self, frames: Frames) -> pd.DataFrame:
        first = frames[self.earlier][[self.on, self.early]]
        second = frames[self.later][[self.on, self.late]]
        if self.earlier == "engagement_events" or self.later == "engagement_events":
            # HCP-level engagements have no patient and so no patient timeline.
            first, second = first.dropna(subset=[self.on]), second.dropna(subset=[self.on])
        joined = first.merge(second, on=self.on, suffixes=("_early", "_late"))
        early, late = joined.iloc[:, 1], joined.iloc[:, 2]
        return joined[~(early < late if self.strict else early <= late)]

    def describe(self) -> str:
        relation = "before" if self.strict else "on or before"
        return f"{self.earlier}.{self.early} {relation} {self.later}.{self.late}"


TIME_RULES: dict[str, tuple[Precedes, ...]] = {
    "treatment_events": (
        Precedes(
            "patient_journeys",
            "journey_start_date",
            "treatment_events",
            "event_date",
            "patient_id",
            strict=False,
        ),
        Precedes(
            "treatment_events", "event_date", "business_outcomes", "outcome_date", "patient_id"
        ),
    ),
    "engagement_events": (
        Precedes(
            "patient_journeys",
            "journey_start_date",
            "engagement_events",
            "engagement_date",
            "patient_id",
            strict=False,
        ),
        Precedes(
            "engagement_events",
            "engagement_date",
            "business_outcomes",
            "outcome_date",
            "patient_id",
        ),
    ),
    "triggers": (
        Precedes("ml_predictions", "prediction_date", "triggers", "created_at", "prediction_id"),
    ),
}
"""Per guarded table: journey start <= events < outcome; prediction < trigger."""


def check_time_order(table: str, frames: Frames) -> CheckResult:
    problems, figures = [], {}
    for rule in TIME_RULES[table]:
        bad = rule.violations(frames)
        figures[rule.describe()] = len(bad)
        if len(bad):
            problems.append(
                f"{len(bad)} rows break {rule.describe()}, e.g. {rule.on}={example(bad[rule.on])}"
            )
    ok = "; ".join(f"{r.describe()}: holds" for r in TIME_RULES[table])
    return from_problems("time_order", table, problems, ok, figures)


def check_data_cut(frames: Frames) -> CheckResult:
    """No date or timestamp in any table falls after the data cut the truth states."""
    cut = pd.to_datetime(frames["causal_ground_truth"]["data_cut_date"]).max()
    problems, figures = [], {"data_cut_date": str(cut.date()) if pd.notna(cut) else None}
    if pd.isna(cut):
        problems.append("causal_ground_truth.data_cut_date is NULL: no cut to check against")
    else:
        end = cut + pd.Timedelta(days=1)  # anything on the cut day itself is inside it
        for table, frame in frames.items():
            for column in frame.columns:
                values = frame[column]
                if not pd.api.types.is_datetime64_any_dtype(values):
                    continue
                after = values[values >= end]
                figures[f"{table}.{column}"] = len(after)
                if len(after):
                    problems.append(
                        f"{table}.{column}: {len(after)} values after the data cut {cut.date()}, "
                        f"e.g. {after.iloc[0]}"
                    )
    ok = f"no date in any table after the data cut {figures['data_cut_date']}"
    return from_problems("data_cut", "causal_ground_truth", problems, ok, figures)
