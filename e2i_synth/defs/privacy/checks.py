"""Privacy scorecards as an asset check on each scenario's stored journeys.

Per scenario partition, the Gaussian copula (starting hyperparameters) is fitted on each
gated view's train split and scored against its holdout; the check passes when every view
is all green, and shows each view's numbers and failure classes. It is not blocking:
nothing downstream publishes synthetic rows yet; a publishing asset would depend on it
with `blocking=True`.
"""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.privacy import copula
from e2i_synth.privacy.scenario import GATED_VIEWS, score_scenario
from e2i_synth.settings import Scenario

# Partitioned asset checks are a Dagster preview feature, used on purpose (as in core).
warnings.filterwarnings("ignore", category=PreviewWarning)

SOURCE_TABLES = ("patient_journeys", "treatment_events")


@asset_check(
    asset="patient_journeys",
    name="synthesizer_scorecard",
    partitions_def=SCENARIO_PARTITIONS,
    blocking=False,
    description="A Gaussian copula fitted on the journeys (and on the journey joined with "
    f"its treatment events) is all green on the privacy scorecard: views {GATED_VIEWS}.",
)
def synthesizer_scorecard(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    scenario = Scenario.from_partition_key(context.partition_key)
    store = warehouse.get()
    frames = {t: store.read(t, scenario) for t in SOURCE_TABLES}
    runs = score_scenario(frames, copula.FAMILY)
    metadata: dict[str, MetadataValue] = {}
    for view, run in runs.items():
        best = run.best
        for check in best.scorecard.checks:
            metadata[f"{view}.{check.name}"] = MetadataValue.float(round(check.value, 4))
        failures = "\n".join(f.describe() for f in best.failures) or "all green"
        metadata[f"{view}.verdict"] = MetadataValue.text(failures)
    return AssetCheckResult(
        passed=all(not run.best.failures for run in runs.values()), metadata=metadata
    )
