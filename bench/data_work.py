"""The data work of `materialize` without Dagster, in one process: draw, build, check,
load into a fresh DuckDB warehouse, read back and check again, per scenario — what the
command's steps do, so CPU above this is orchestration.

Run as `python -m bench.data_work [BRAND DGP]` (every scenario without arguments) with
E2I_HOME set; the small scale and the default seed.
"""

from __future__ import annotations

import sys

from e2i_synth.catalog import SCALES
from e2i_synth.settings import DEFAULT_SEED, Settings, select_scenarios
from e2i_synth.tables import build_tables
from e2i_synth.validation.suite import run_checks
from e2i_synth.warehouse import open_warehouse
from e2i_synth.world import draw_world


def main(args: list[str]) -> None:
    settings = Settings.from_env(scale="small", seed=DEFAULT_SEED)
    store = open_warehouse(settings.home, None)
    for scenario in select_scenarios(*args):
        frames = build_tables(draw_world(scenario, SCALES["small"], DEFAULT_SEED))
        if not all(result.passed for result in run_checks(frames)):
            raise SystemExit(f"{scenario.partition_key}: a check failed")
        store.replace_scenario(scenario, frames)
        run_checks({name: store.read(name, scenario) for name in frames})


if __name__ == "__main__":
    main(sys.argv[1:])
