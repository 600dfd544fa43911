"""The privacy and utility scorecard of a scenario's twin populations, as a blocking check.

Every population must be all green: KS and TV, correlation delta, duplicate rate within
their limits, and the distance attack not shown to single out donors. The attack is judged
on 60 unseen HCPs at the small scale, so its AUC has an SE of about 0.04 (DeLong); the
check fails when the AUC's one-sided 95% lower bound, AUC - 1.645 SE, exceeds 0.60
(`privacy/scorecard.py`). The twin sampler's true attack AUC is about 0.53 (0.50-0.55 per
scenario, re-split estimates; `privacy/twin_scorecard.py`), so a default build passes, and
a sampler at 0.70 fails about three times in four. The check runs after the twin tables
are stored, records its result in `validation_results` with the run's other checks and
rewrites the run's report (unless the run says not to), so the scorecard shows there with
its plots; a failure fails the run.
"""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from e2i_synth.defs.core.checks import check_result, checked_scenario, run_report
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.privacy.results import LIMITS
from e2i_synth.privacy.scorecard import CONFIDENCE, Z
from e2i_synth.privacy.twin_scorecard import CHECK, SOURCES, TABLE, twin_scorecard
from e2i_synth.validation.records import results_frame

# Partitioned asset checks are a Dagster preview feature, used on purpose (as in core).
warnings.filterwarnings("ignore", category=PreviewWarning)


@asset_check(
    asset=TABLE,
    name=CHECK,
    blocking=True,
    partitions_def=SCENARIO_PARTITIONS,
    description="Twins vs the donor HCPs and the HCPs never fitted on (test and holdout "
    "splits): "
    + ", ".join(f"{name} <= {limit}" for name, limit in LIMITS.items() if name != "mia_auc")
    + f"; attack AUC - {Z:.3f} SE <= {LIMITS['mia_auc']} (its one-sided {CONFIDENCE:.0%} "
    "lower bound, DeLong's SE, stated in the metadata); failure classes with causes and "
    "suggestions.",
)
def twin_privacy_scorecard(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    scenario = checked_scenario(context)
    store = warehouse.get()
    result = twin_scorecard({name: store.read(name, scenario) for name in SOURCES})
    store.record_results(results_frame([result], context.run.run_id, scenario))
    report = run_report(context, warehouse)
    diagnosis = [d for p in result.figures["scorecards"] for d in p["diagnosis"]]
    return check_result(
        result,
        {
            **report,
            "diagnosis": MetadataValue.md("\n\n".join(diagnosis) or "none: all green"),
        },
    )
