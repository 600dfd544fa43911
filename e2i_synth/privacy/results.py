"""Scorecards as validation results: the twin populations' check and the synthetic
journeys' check each record one row of `validation_results` holding every scorecard they
judged, so the run's report draws them beside the other checks."""

from __future__ import annotations

from e2i_synth.privacy.failures import Failure
from e2i_synth.privacy.scorecard import (
    CORR_DELTA_LIMIT,
    DUP_RATE_LIMIT,
    EXPOSED_LIMIT,
    KS_LIMIT,
    MIA_AUC_LIMIT,
    Scorecard,
    figures,
)
from e2i_synth.validation.result import CheckResult

LIMITS = {
    "ks_mean": KS_LIMIT,
    "tv_mean": KS_LIMIT,
    "corr_delta": CORR_DELTA_LIMIT,
    "mia_auc": MIA_AUC_LIMIT,
    "mia_exposed": EXPOSED_LIMIT,
    "duplicate_rate": DUP_RATE_LIMIT,
}
"""The checks of every scorecard; those of a view with an effect, rules or a target (the
effect gap, rule violations, TSTR shortfall) are in each scorecard's own figures."""
EVIDENCE = ("mia_auc_se", "mia_auc_bound", "dcr_share", "duplicate_rate_holdout")
"""Reported beside the gated numbers: the attack AUC's SE and the lower bound its gate reads
(`scorecard.Check.bound`), and the DCR and duplicate evidence."""
DIGITS = 4

JOURNEY_TABLE = "synthetic_journey"
JOURNEY_CHECK = "scorecard_all_green"


def entry(card: Scorecard, failures: list[Failure], **labels: str) -> dict[str, object]:
    """One judged scorecard: its figures (`scorecard.figures`), failure classes and their
    diagnosis, and any labels (a population's id)."""
    return {
        **labels,
        **figures(card, DIGITS),
        "failures": [f.kind.value for f in failures],
        "diagnosis": [f.describe() for f in failures],
    }


def scorecard_result(
    check: str, table: str, scorecards: list[dict[str, object]], message: str
) -> CheckResult:
    """Passed when there is a scorecard and every one is all green; top-level figures are
    the worst value of each number over the scorecards."""
    numbers = [*LIMITS, *EVIDENCE]
    worst = {m: max(s[m] for s in scorecards) for m in numbers} if scorecards else {}
    passed = bool(scorecards) and all(s["all_green"] for s in scorecards)
    return CheckResult(
        check, table, passed, message, {**worst, "limits": LIMITS, "scorecards": scorecards}
    )


def journey_result(card: Scorecard, failures: list[Failure]) -> CheckResult:
    """The synthetic journeys' scorecard (the optimizer's best attempt) as one result."""
    verdict = "all green" if card.all_green else "not green: " + ", ".join(f.kind for f in failures)
    numbers = ", ".join(f"{c.name} {c.value:.3f}" for c in card.checks)
    return scorecard_result(
        JOURNEY_CHECK,
        JOURNEY_TABLE,
        [entry(card, failures)],
        f"{card.name}: {verdict} ({numbers}; {card.rows['holdout']} holdout rows)",
    )
