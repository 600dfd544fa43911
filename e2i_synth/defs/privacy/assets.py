"""Synthetic journeys, published only when their scorecard is all green.

Per scenario partition the optimizer fits the Gaussian copula on the stored journey view
(one row per patient, its treatment events joined) with up to three retries. The
synthetic rows are written to `$E2I_HOME/synthetic/<brand>_<dgp>/journey.parquet` only
when the best attempt is all green; the blocking check reports the scorecard either way,
so a red scorecard stops everything downstream and publishes nothing (validated inside
the asset, as DESIGN.md's Dagster notes advise). The scorecard is also recorded in
`validation_results` with the run's id and the run's report rewritten, so its marginals and
DCR histograms show in the report's privacy section.
"""

import warnings
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    PreviewWarning,
    asset,
)

from e2i_synth.defs.core.checks import run_report
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.privacy import copula
from e2i_synth.privacy.optimizer import MAX_RETRIES, optimize
from e2i_synth.privacy.results import JOURNEY_CHECK, JOURNEY_TABLE, journey_result
from e2i_synth.privacy.scorecard import (
    CORR_DELTA_LIMIT,
    DUP_RATE_LIMIT,
    KS_LIMIT,
    MIA_AUC_LIMIT,
    Z,
)
from e2i_synth.privacy.views import VIEWS, causal_design, modeled_frame, split_real
from e2i_synth.settings import Scenario
from e2i_synth.validation.records import results_frame

# Partitioned asset checks are a Dagster preview feature, used on purpose (as in core).
warnings.filterwarnings("ignore", category=PreviewWarning)

VIEW = "journey"
SOURCE_TABLES = ("patient_journeys", "treatment_events")


def published_path(home: Path, scenario: Scenario) -> Path:
    return home / "synthetic" / f"{scenario.brand}_{scenario.dgp}" / f"{VIEW}.parquet"


@asset(
    deps=list(SOURCE_TABLES),
    partitions_def=SCENARIO_PARTITIONS,
    group_name="privacy",
    kinds={"pandas", "parquet"},
    check_specs=[
        AssetCheckSpec(
            JOURNEY_CHECK,
            asset=JOURNEY_TABLE,
            blocking=True,
            partitions_def=SCENARIO_PARTITIONS,
            description=f"KS and TV <= {KS_LIMIT}, corr delta <= {CORR_DELTA_LIMIT}, "
            f"attack AUC - {Z:.3f} SE <= {MIA_AUC_LIMIT}, duplicate rate <= {DUP_RATE_LIMIT} "
            "against the holdout patients; members exposed beyond chance, the treatment "
            "effect's gap, the schema's rules and TSTR/TRTR within their limits.",
        )
    ],
    description="Synthetic patient journeys (copula, optimized), published when all green.",
)
def synthetic_journey(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    scenario = Scenario.from_partition_key(context.partition_key)
    store = warehouse.get()
    frames = {t: store.read(t, scenario) for t in SOURCE_TABLES}
    train, holdout = split_real(modeled_frame(VIEW, frames))
    design = causal_design(VIEW, scenario.dgp)
    run = optimize(
        copula.FAMILY,
        VIEW,
        train,
        holdout,
        VIEWS[VIEW].target,
        max_retries=MAX_RETRIES,
        design=design,
    )
    best = run.best
    green = best.scorecard.all_green
    path = published_path(warehouse.settings().home, scenario)
    if green:  # the best attempt's parameters and sample seed give back its scored rows
        synthetic = copula.FAMILY.build(best.params).fit(train).sample(len(train), best.number)
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.to_parquet(path, index=False)
    store.record_results(
        results_frame(
            [journey_result(best.scorecard, list(best.failures))], context.run.run_id, scenario
        )
    )
    checks = {c.name: MetadataValue.float(round(c.value, 4)) for c in best.scorecard.checks}
    return MaterializeResult(
        metadata={
            "published": MetadataValue.path(str(path)) if green else MetadataValue.text("no"),
            **run_report(context, warehouse),
            "attempts": MetadataValue.md(run.as_frame().to_markdown()),
        },
        check_results=[
            AssetCheckResult(
                check_name=JOURNEY_CHECK,
                passed=green,
                metadata={
                    **checks,
                    "mia_auc_se": MetadataValue.float(round(best.scorecard.mia_auc_se, 4)),
                    "failures": MetadataValue.text(
                        "\n".join(f.describe() for f in best.failures) or "none"
                    ),
                },
            )
        ],
    )
