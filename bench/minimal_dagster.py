"""The floor under any Dagster run here: a fresh process that imports Dagster, opens a
SQLite instance in E2I_HOME and materializes one partition of one asset doing nothing,
with one asset check, as `materialize` records one scenario's run.

Run as `python -m bench.minimal_dagster` with E2I_HOME set.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    DagsterInstance,
    MaterializeResult,
    StaticPartitionsDefinition,
    asset,
    materialize,
)

PARTITIONS = StaticPartitionsDefinition(["only"])


@asset(partitions_def=PARTITIONS, check_specs=[AssetCheckSpec("not_empty", asset="table")])
def table():
    yield MaterializeResult(metadata={"dagster/row_count": 1})
    yield AssetCheckResult(passed=True)


def main() -> None:
    home = Path(os.environ["E2I_HOME"]) / "dagster"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with DagsterInstance.from_config(str(home)) as instance:
        assert materialize([table], instance=instance, partition_key="only").success


if __name__ == "__main__":
    main()
