"""Every check of a scenario, declared once: the load gate, the Dagster asset checks,
`e2i-synth validate`, `--dry-run` and the tests all run this one registry."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from e2i_synth.catalog import DGPS, SPLIT_SHARES
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.tables.uptake import STEADY_UPTAKE
from e2i_synth.validation.causal import (
    RUN_FALSE_ALARM,
    SCENARIOS_PER_RUN,
    TOLERANCE_FLOOR,
    critical_value,
    estimands_per_scenario,
)
from e2i_synth.validation.causal import TRUTH_TABLE as CAUSAL_TABLE
from e2i_synth.validation.feature_store import check_feature_values
from e2i_synth.validation.integrity import (
    TIME_RULES,
    Frames,
    check_data_cut,
    check_keys,
    check_time_order,
)
from e2i_synth.validation.metrics import check_metric_series
from e2i_synth.validation.refutation import (
    REFUTER_SIGNIFICANCE,
    REFUTER_SIMULATIONS,
    CausalChecks,
)
from e2i_synth.validation.result import CheckResult
from e2i_synth.validation.schemas import check_schema
from e2i_synth.validation.splits import (
    GUARDED_TABLE,
    SPLIT_TOLERANCE,
    check_split_isolation,
    check_split_proportions,
)

Context = dict[str, object]
"""Work shared by the checks of one run (the causal fit serves recovery and refutation)."""


@dataclass(frozen=True)
class CheckDef:
    """A check on one table. `structural` checks are exact (story tables and the benchmark
    store are held to them alone); the causal ones are statistical. Every check gates a
    scenario's load and re-runs on what is stored."""

    check: str
    table: str
    description: str
    run: Callable[[Frames, Context], CheckResult]
    structural: bool = True

    @property
    def name(self) -> str:
        return f"{self.table}.{self.check}"

    def evaluate(self, frames: Frames, context: Context) -> CheckResult:
        """The check's result; a check that crashes (say, on the very corruption it looks
        for) is that check's failure with its cause, and the other checks still run."""
        try:
            return self.run(frames, context)
        except Exception as exc:
            cause = " ".join(str(exc).split()) or "no message"
            return CheckResult(
                self.check,
                self.table,
                False,
                f"check could not run: {type(exc).__name__}: {cause}",
                {"error": type(exc).__name__},
            )


def causal(frames: Frames, context: Context) -> CausalChecks:
    """One DoWhy fit per run, shared by recovery and refutation."""
    if "causal" not in context:
        context["causal"] = CausalChecks(frames["patient_journeys"], frames[CAUSAL_TABLE])
    return context["causal"]  # type: ignore[return-value]


def _shares() -> str:
    return "/".join(f"{round(100 * s)}" for s in SPLIT_SHARES)


def _critical_values() -> str:
    by_count = {estimands_per_scenario(d): critical_value(d) for d in DGPS}
    return ", ".join(f"{z:.2f} for {m}" for m, z in sorted(by_count.items()))


def registry() -> tuple[CheckDef, ...]:
    simulations = ", ".join(f"{k} x{v}" for k, v in REFUTER_SIMULATIONS.items())
    return (
        *(
            CheckDef(
                "schema",
                t,
                "Pandera: types, ranges, catalog enums, nullability, unique keys",
                lambda f, _, t=t: check_schema(t, f[t]),
            )
            for t in TABLE_NAMES
        ),
        *(
            CheckDef(
                "keys",
                t,
                "primary and natural keys unique; every foreign key resolves",
                lambda f, _, t=t: check_keys(t, f),
            )
            for t in TABLE_NAMES
        ),
        *(
            CheckDef(
                "time_order",
                t,
                "; ".join(rule.describe() for rule in rules),
                lambda f, _, t=t: check_time_order(t, f),
            )
            for t, rules in TIME_RULES.items()
        ),
        CheckDef(
            "data_cut",
            "causal_ground_truth",
            "no date or timestamp in any table after the truth's data_cut_date",
            lambda f, _: check_data_cut(f),
        ),
        CheckDef(
            "split_isolation",
            GUARDED_TABLE,
            "no patient in two splits, in any table",
            lambda f, _: check_split_isolation(f),
        ),
        CheckDef(
            "split_proportions",
            GUARDED_TABLE,
            f"patients split {_shares()} within ±{SPLIT_TOLERANCE:.0%}",
            lambda f, _: check_split_proportions(f),
        ),
        CheckDef(
            "series",
            "business_metrics",
            "monthly continuity; achievement, MoM and YoY from the series; ranges; NRx <= TRx; "
            f"national TRx in the brand's range once its new-patient uptake >= {STEADY_UPTAKE}",
            lambda f, _: check_metric_series(f),
        ),
        CheckDef(
            "entities",
            "feature_values",
            "every entity key exists in its table; mirrored features equal the patient's values; "
            "model scores are probabilities",
            lambda f, _: check_feature_values(f),
        ),
        CheckDef(
            "causal_recovery",
            CAUSAL_TABLE,
            f"DoWhy estimate from the stored graph within max({TOLERANCE_FLOOR}, z·SE) of the "
            f"truth, z by the scenario's estimands ({_critical_values()}): a run of the "
            f"{SCENARIOS_PER_RUN} scenarios on correct data fails at most {RUN_FALSE_ALARM:.0%} "
            "of the time (Šidák over scenarios, Bonferroni over a scenario's estimands)",
            lambda f, c: causal(f, c).recovery(),
            structural=False,
        ),
        CheckDef(
            "causal_refutation",
            CAUSAL_TABLE,
            f"placebo treatment, random common cause and data subset ({simulations} "
            "simulations, refitted in one batch with DoWhy's estimator) do not refute any "
            f"estimate by DoWhy's own test at p <= {REFUTER_SIGNIFICANCE}",
            lambda f, c: causal(f, c).refutation(),
            structural=False,
        ),
    )


CHECKS: tuple[CheckDef, ...] = registry()


def run_checks(
    frames: Frames,
    selected: Collection[str] | None = None,
    checks: Sequence[CheckDef] = CHECKS,
) -> list[CheckResult]:
    """Results in `checks` order for the selected check names (`table.check`; all if None),
    each check isolated from the others' failures."""
    context: Context = {}
    return [c.evaluate(frames, context) for c in checks if selected is None or c.name in selected]


def structural_checks(frames: Frames) -> list[CheckResult]:
    return run_checks(frames, [c.name for c in CHECKS if c.structural])
