"""Every check of a scenario, declared once: the Dagster asset checks, the gate before a
load, `e2i-synth validate` and the tests all run this list."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from e2i_synth.tables import TABLE_NAMES
from e2i_synth.validation.causal import TRUTH_TABLE
from e2i_synth.validation.feature_store import check_feature_values
from e2i_synth.validation.integrity import TIME_RULES, Frames, check_keys, check_time_order
from e2i_synth.validation.metrics import check_metric_series
from e2i_synth.validation.refutation import check_causal
from e2i_synth.validation.result import CheckResult
from e2i_synth.validation.schemas import check_schema
from e2i_synth.validation.splits import (
    GUARDED_TABLE,
    check_split_isolation,
    check_split_proportions,
)


@dataclass(frozen=True)
class CheckDef:
    """A check on one table. `structural` checks are exact and gate every load; the causal
    ones are statistical and run on what is stored."""

    check: str
    table: str
    description: str
    structural: bool = True

    @property
    def name(self) -> str:
        return f"{self.table}.{self.check}"


STRUCTURAL: dict[tuple[str, str], Callable[[Frames], CheckResult]] = {
    **{(t, "schema"): (lambda f, t=t: check_schema(t, f[t])) for t in TABLE_NAMES},
    **{(t, "keys"): (lambda f, t=t: check_keys(t, f)) for t in TABLE_NAMES},
    **{(t, "time_order"): (lambda f, t=t: check_time_order(t, f)) for t in TIME_RULES},
    (GUARDED_TABLE, "split_isolation"): check_split_isolation,
    (GUARDED_TABLE, "split_proportions"): check_split_proportions,
    ("business_metrics", "series"): check_metric_series,
    ("feature_values", "entities"): check_feature_values,
}

CHECKS: tuple[CheckDef, ...] = (
    *(
        CheckDef("schema", t, "Pandera: types, ranges, catalog enums, nullability, unique keys")
        for t in TABLE_NAMES
    ),
    *(
        CheckDef("keys", t, "primary and natural keys unique; every foreign key resolves")
        for t in TABLE_NAMES
    ),
    *(
        CheckDef("time_order", t, "; ".join(rule.describe() for rule in rules))
        for t, rules in TIME_RULES.items()
    ),
    CheckDef("split_isolation", GUARDED_TABLE, "no patient in two splits, in any table"),
    CheckDef("split_proportions", GUARDED_TABLE, "patients split 60/20/15/5 within one point"),
    CheckDef(
        "series",
        "business_metrics",
        "monthly continuity; achievement, MoM and YoY from the series; ranges; NRx <= TRx",
    ),
    CheckDef(
        "entities",
        "feature_values",
        "every entity key exists in its table; mirrored features equal the patient's values",
    ),
    CheckDef(
        "causal_recovery",
        TRUTH_TABLE,
        "DoWhy estimate from the stored graph within max(0.02, 2 SE) of the truth, 95% CI "
        "covering it",
        structural=False,
    ),
    CheckDef(
        "causal_refutation",
        TRUTH_TABLE,
        "DoWhy refuters (placebo treatment, random common cause, data subset) pass",
        structural=False,
    ),
)


def run_checks(frames: Frames, selected: Collection[str] | None = None) -> list[CheckResult]:
    """Results in `CHECKS` order for the selected check names (`table.check`; all if None)."""
    wanted = [c for c in CHECKS if selected is None or c.name in selected]
    results = [STRUCTURAL[(c.table, c.check)](frames) for c in wanted if c.structural]
    if any(not c.structural for c in wanted):
        causal = check_causal(frames["patient_journeys"], frames[TRUTH_TABLE])
        results += [r for r in causal if selected is None or r.name in selected]
    return results


def structural_checks(frames: Frames) -> list[CheckResult]:
    return run_checks(frames, [c.name for c in CHECKS if c.structural])
