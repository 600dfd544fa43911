"""Failure classes of a scorecard, each with its root cause read off the scorecard's own
evidence and concrete suggestions from the synthesizer family's suggestion table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from e2i_synth.privacy.scorecard import (
    ATE_Z,
    DCR_QUANTILE,
    DUP_RATE_LIMIT,
    RULE_VIOLATION_LIMIT,
    TSTR_SHORTFALL_LIMIT,
    Scorecard,
)
from e2i_synth.privacy.synthesizer import Family, Params

WORST_SHOWN = 3


class FailureClass(StrEnum):
    HIGH_KS = "HIGH_KS"
    HIGH_CORR_DELTA = "HIGH_CORR_DELTA"
    HIGH_MIA = "HIGH_MIA"
    HIGH_DUP_RATE = "HIGH_DUP_RATE"
    HIGH_ATE_GAP = "HIGH_ATE_GAP"
    RULE_VIOLATIONS = "RULE_VIOLATIONS"
    LOW_TSTR = "LOW_TSTR"


CHECK_CLASS = {
    "ks_mean": FailureClass.HIGH_KS,
    "tv_mean": FailureClass.HIGH_KS,
    "corr_delta": FailureClass.HIGH_CORR_DELTA,
    "mia_auc": FailureClass.HIGH_MIA,
    "mia_exposed": FailureClass.HIGH_MIA,
    "duplicate_rate": FailureClass.HIGH_DUP_RATE,
    "ate_gap": FailureClass.HIGH_ATE_GAP,
    "rule_violations": FailureClass.RULE_VIOLATIONS,
    "tstr_shortfall": FailureClass.LOW_TSTR,
}
"""Marginal failures (numeric KS or categorical TV) are one class: the marginals are off;
both attack gates (AUC, exposed members) are the one class of a leak."""

PRIVACY_CLASSES = (FailureClass.HIGH_MIA, FailureClass.HIGH_DUP_RATE)


@dataclass(frozen=True)
class Failure:
    kind: FailureClass
    root_cause: str
    suggestions: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.kind}: {self.root_cause}\n  - " + "\n  - ".join(self.suggestions)


def classify(card: Scorecard) -> list[FailureClass]:
    """The failure classes of a scorecard, privacy first, each once."""
    failed = {CHECK_CLASS[c.name] for c in card.checks if not c.passed}
    return [k for k in dict.fromkeys((*PRIVACY_CLASSES, *FailureClass)) if k in failed]


def root_cause(kind: FailureClass, card: Scorecard) -> str:
    if kind is FailureClass.HIGH_KS:
        worst = card.per_column["distance"].nlargest(WORST_SHOWN)
        named = ", ".join(f"{c} {v:.2f}" for c, v in worst.items())
        return (
            f"marginals off (KS mean {card.ks_mean:.3f}, TV mean {card.tv_mean:.3f}); "
            f"worst columns: {named}"
        )
    if kind is FailureClass.HIGH_CORR_DELTA:
        worst = card.per_pair.head(WORST_SHOWN)
        named = ", ".join(f"{a}~{b} {v:.2f}" for (a, b), v in worst.items())
        return f"dependence not reproduced (corr delta {card.corr_delta:.3f}); worst pairs: {named}"
    if kind is FailureClass.HIGH_MIA:
        return (
            f"training rows are nearer the synthetic data than unseen rows are (attack AUC "
            f"{card.mia_auc:.3f}; {card.exposed:.1%} of members closer than every holdout "
            f"row, {card.exposed_chance:.1%} by chance); {card.dcr_share:.1%} of synthetic "
            f"rows sit closer to a training row than the closest {DCR_QUANTILE:.0%} of "
            f"holdout rows do (expected about {DCR_QUANTILE:.0%}): the model memorizes rows"
        )
    if kind is FailureClass.HIGH_ATE_GAP:
        return (
            f"the treatment effect is not kept: {card.ate_synthetic:.3f} on the synthetic rows "
            f"vs {card.ate_real:.3f} on the real ones (tolerance ±{card.ate_tolerance:.3f}, "
            f"{ATE_Z:.2f} SE of the difference): an analysis of the synthetic data would "
            "reach another conclusion"
        )
    if kind is FailureClass.RULE_VIOLATIONS:
        broken = {k: v for k, v in card.rule_adherence.items() if v < 1 - RULE_VIOLATION_LIMIT}
        named = ", ".join(f"{k} holds in {v:.1%}" for k, v in broken.items())
        return f"deterministic rules of the schema broken: {named} (need >= 99% of rows)"
    if kind is FailureClass.LOW_TSTR:
        return (
            f"a model trained on the synthetic rows scores {card.tstr:.3f} on real rows for "
            f"{card.target}, vs {card.trtr:.3f} trained on real rows (need >= "
            f"{1 - TSTR_SHORTFALL_LIMIT:.0%} of it)"
        )
    baseline = card.duplicate_rate_holdout
    if baseline > DUP_RATE_LIMIT:
        return (
            f"{card.duplicate_rate:.1%} of synthetic rows equal a training row, but "
            f"{baseline:.1%} of unseen real rows do too: the table's row space is too small "
            "for exact matches to tell memorization from chance"
        )
    return (
        f"{card.duplicate_rate:.1%} of synthetic rows equal a training row (unseen real rows: "
        f"{baseline:.1%}): the model reproduces rows instead of drawing new ones"
    )


def diagnose(card: Scorecard, family: Family, params: Params) -> list[Failure]:
    """Every failure of `card` with its cause and what to change next, concretely."""
    failures = []
    for kind in classify(card):
        changes = [a.describe(params) for a in family.suggestions.get(kind, ())]
        advice = family.advice.get(kind)
        failures.append(
            Failure(kind, root_cause(kind, card), tuple([*changes, *([advice] if advice else [])]))
        )
    return failures


def next_params(failures: list[Failure], family: Family, params: Params) -> dict[str, float]:
    """Apply the suggestion table for each failure, privacy classes first; a parameter
    already moved by a privacy fix is not moved back by a utility fix."""
    moved: set[str] = set()
    out = dict(params)
    for failure in failures:
        for adjustment in family.suggestions.get(failure.kind, ()):
            if adjustment.param not in moved:
                out = adjustment.apply(out)
                moved.add(adjustment.param)
    return out
