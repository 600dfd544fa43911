"""Read the test run's JUnit file: tests, failures, skips and summed seconds per tier, and
how many needed PostgreSQL and a browser. Exit 1 on any failure or skip, on an empty tier,
or when no PostgreSQL or browser test ran (CI requires both services)."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

TIERS = ("fast", "integration", "e2e")


def main(path: str) -> int:
    cases = ET.parse(path).getroot().iter("testcase")
    ran, seconds, bad = Counter(), defaultdict(float), []
    needs = Counter()
    for case in cases:
        props = {(p.get("name"), p.get("value")) for p in case.iter("property")}
        tier = next((v for k, v in props if k == "tier"), "unknown")
        ran[tier] += 1
        seconds[tier] += float(case.get("time") or 0)
        needs.update(v for k, v in props if k == "needs")
        for outcome in ("failure", "error", "skipped"):
            if case.find(outcome) is not None:
                bad.append(f"{outcome}: {case.get('classname')}::{case.get('name')}")
    for tier in (*TIERS, *(t for t in ran if t not in TIERS)):
        print(f"{tier:12} {ran[tier]:5} tests  {seconds[tier]:8.1f} s of test time")
    print(f"needed PostgreSQL: {needs['postgres']}, a browser: {needs['browser']}")
    print("\n".join(bad) or "no failures, errors or skips")
    empty = [t for t in TIERS if not ran[t]] + [n for n in ("postgres", "browser") if not needs[n]]
    if empty:
        print(f"nothing ran for: {', '.join(empty)}")
    return 1 if bad or empty or "unknown" in ran else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
