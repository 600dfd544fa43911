"""What every validator returns: a verdict, the figures behind it and a sentence for people."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_LISTED_PROBLEMS = 5


@dataclass(frozen=True)
class CheckResult:
    """One check on one table of one scenario.

    `figures` holds JSON-able numbers and short lists (counts, estimates, intervals); the
    `message` says in one line what passed or what is wrong, with a count and an example.
    """

    check: str
    table: str
    passed: bool
    message: str
    figures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.table}.{self.check}"

    def figures_json(self) -> str:
        return json.dumps(self.figures, sort_keys=True, default=float)


def from_problems(
    check: str, table: str, problems: list[str], ok: str, figures: Mapping[str, Any]
) -> CheckResult:
    """A result from a list of problem sentences: passed when there are none."""
    if not problems:
        return CheckResult(check, table, True, ok, dict(figures, problems=0))
    listed = "; ".join(problems[:MAX_LISTED_PROBLEMS])
    more = len(problems) - MAX_LISTED_PROBLEMS
    message = listed + (f"; and {more} more" if more > 0 else "")
    return CheckResult(check, table, False, message, dict(figures, problems=len(problems)))
