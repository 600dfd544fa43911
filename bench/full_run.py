"""Full-scale generation of all scenarios in a fresh process, for peak memory and wall time.

Run as `python -m bench.full_run`; prints one JSON line. The process reports its own peak
RSS: the parent's RUSAGE_CHILDREN would be the maximum over every child it has reaped,
which would mix in the Dagster run.
"""

from __future__ import annotations

import json
import resource
from time import perf_counter

from bench.generation import STEPS, WORLD_STEP, time_all_scenarios
from e2i_synth.catalog import SCALES
from e2i_synth.settings import DEFAULT_SEED


def main() -> None:
    started = perf_counter()
    times = time_all_scenarios(SCALES["full"], DEFAULT_SEED)
    report = {
        "rows": sum(times[step][0] for step in STEPS if step != WORLD_STEP),
        "generation_seconds": perf_counter() - started,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
