"""Scoring an answer against a task's key: the answer is first checked against the task's
JSON schema (a malformed answer scores 0 with one error naming what is wrong), then the
task kind's rule gives a score in [0, 1] and whether it passed. Suite accuracy is the
share of tasks passed, with a Wilson 95% interval."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from e2i_synth.agent.tasks import Task


@dataclass(frozen=True)
class Score:
    task_id: str
    suite: str
    score: float
    passed: bool
    error: str | None
    explanation: str

    def as_dict(self, reveal: bool = True) -> dict:
        """`reveal`: with the explanation (what was compared, the right answer and why),
        which an agent sees only once every served task is answered: one task's answer
        would otherwise help with another (the true ATE of one is the other's key)."""
        shown = {
            "task_id": self.task_id,
            "suite": self.suite,
            "score": self.score,
            "passed": self.passed,
            "error": self.error,
        }
        return {**shown, "explanation": self.explanation} if reveal else shown


Rule = Callable[[dict, dict], tuple[float, str]]
"""(key, answer) -> (score in [0, 1], what was compared); passed at a rule's threshold."""


def same_text(a: object, b: object) -> bool:
    return str(a).strip().lower() == str(b).strip().lower()


def exact_count(key: dict, answer: dict) -> tuple[float, str]:
    return float(answer["count"] == key["count"]), f"answered {answer['count']}"


def exact_list(key: dict, answer: dict) -> tuple[float, str]:
    given, expected = answer["values"], key["values"]
    right = len(given) == len(expected) and all(map(same_text, given, expected))
    return float(right), f"answered {given}"


def exact_value(key: dict, answer: dict) -> tuple[float, str]:
    return float(same_text(answer["value"], key["value"])), f"answered {answer['value']!r}"


def months_between(a: str, b: str) -> int:
    pa, pb = pd.Period(a, "M"), pd.Period(b, "M")
    return abs((pa - pb).n)


def gap(key: dict, answer: dict) -> tuple[float, str]:
    hits = [
        same_text(answer["region"], key["region"]),
        months_between(answer["start_month"], key["start_month"]) <= key["month_tolerance"],
        abs(answer["achievement_rate"] - key["achievement_rate"]) <= key["rate_tolerance"],
    ]
    return sum(hits) / 3, f"region, month, rate right: {hits}"


def drift(key: dict, answer: dict) -> tuple[float, str]:
    days = abs((pd.Timestamp(answer["start_date"]) - pd.Timestamp(key["start_date"])).days)
    hits = [
        same_text(answer["feature"], key["feature"]),
        days <= key["day_tolerance"],
        abs(answer["ratio"] - key["ratio"]) <= key["ratio_tolerance"],
    ]
    return sum(hits) / 3, f"feature, date, ratio right: {hits}"


def ate(key: dict, answer: dict) -> tuple[float, str]:
    error = abs(answer["ate"] - key["true_ate"])
    trapped = sorted({c.lower() for c in answer["adjusted_for"]} & set(key["traps"]))
    ok = error <= key["tolerance"] and not trapped
    return float(ok), f"|error| {error:.4f}" + (f"; adjusted for {trapped}" if trapped else "")


def trap(key: dict, answer: dict) -> tuple[float, str]:
    error = abs(answer["ate"] - key["true_ate"])
    verdict = answer["colleague_is_right"] == key["colleague_is_right"]
    return float(verdict and error <= key["tolerance"]), f"|error| {error:.4f}, verdict {verdict}"


def ranking(key: dict, answer: dict) -> tuple[float, str]:
    """The share of pairs of the key's values the answer orders the same way."""
    truth = [str(v).lower() for v in key["order"]]
    given = [str(v).strip().lower() for v in answer["order"]]
    if sorted(given) != sorted(truth):
        raise ValueError(f"order must list each of {sorted(key['order'])} once")
    position = {v: i for i, v in enumerate(given)}
    pairs = list(combinations(truth, 2))
    agree = sum(position[a] < position[b] for a, b in pairs)
    return agree / len(pairs), f"{agree} of {len(pairs)} pairs in the true order"


def targeting(key: dict, answer: dict) -> tuple[float, str]:
    gains = key["gains"]
    unknown = [h for h in answer["hcp_ids"] if h not in gains]
    if unknown:
        raise ValueError(f"unknown hcp_id(s) {unknown[:3]}: choose from hcp_profiles.hcp_id")
    chosen = float(sum(gains[h] for h in answer["hcp_ids"]))
    span = key["oracle"] - key["random"]
    score = float(np.clip((chosen - key["random"]) / span, 0, 1)) if span > 0 else 1.0
    return score, f"chosen gain {chosen:.2f}, regret {key['oracle'] - chosen:.2f}"


RULES: dict[str, tuple[Rule, Callable[[dict, float], bool]]] = {
    "exact_count": (exact_count, lambda key, s: s == 1),
    "exact_list": (exact_list, lambda key, s: s == 1),
    "exact_value": (exact_value, lambda key, s: s == 1),
    "gap": (gap, lambda key, s: s == 1),
    "drift": (drift, lambda key, s: s == 1),
    "ate": (ate, lambda key, s: s == 1),
    "trap": (trap, lambda key, s: s == 1),
    "ranking": (ranking, lambda key, s: s >= 1 - 1 / len(list(combinations(key["order"], 2)))),
    "targeting": (targeting, lambda key, s: s >= key["pass_score"]),
}
"""Each task kind's rule and its pass test."""


def schema_error(task: Task, answer: object) -> str | None:
    """None if the answer fits the task's schema, else the first problem, with its place."""
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(task.answer_schema).iter_errors(answer), key=str)
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or "the answer"
    return f"{where}: {first.message}; the answer must match {task.answer_schema}"


def score_answer(task: Task, answer: object) -> Score:
    """The task's score for the answer; a malformed answer scores 0 with its error."""
    problem = schema_error(task, answer)
    if problem is None:
        rule, passes = RULES[task.kind]
        try:
            value, compared = rule(task.key, answer)
        except (ValueError, TypeError) as exc:
            problem = str(exc)
    if problem is not None:
        return Score(task.task_id, task.suite, 0.0, False, problem, task.explanation)
    return Score(
        task.task_id,
        task.suite,
        value,
        bool(passes(task.key, value)),
        None,
        f"{compared}. {task.explanation}",
    )


def failed(task: Task, error: str) -> Score:
    """The score of a task the agent gave no answer to (it raised, or timed out)."""
    return Score(task.task_id, task.suite, 0.0, False, error, task.explanation)


def suite_accuracy(scores: Iterable[Score] | pd.DataFrame) -> pd.DataFrame:
    """Per suite: tasks, passed, accuracy (share passed) with its Wilson 95% interval, and
    the mean score."""
    from statsmodels.stats.proportion import proportion_confint

    frame = (
        scores if isinstance(scores, pd.DataFrame) else pd.DataFrame(s.as_dict() for s in scores)
    )
    grouped = frame.groupby("suite", sort=False)
    table = pd.DataFrame(
        {
            "tasks": grouped.size(),
            "passed": grouped["passed"].sum().astype(int),
            "mean_score": grouped["score"].mean(),
            "errors": grouped["error"].count(),
        }
    )
    table["accuracy"] = table["passed"] / table["tasks"]
    low, high = proportion_confint(table["passed"], table["tasks"], alpha=0.05, method="wilson")
    table["ci_lower"], table["ci_upper"] = low, high
    return table
