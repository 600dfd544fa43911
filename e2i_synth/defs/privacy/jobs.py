"""The privacy jobs: publish one scenario's synthetic journeys (behind their scorecard), and
the optimizer (one run fits, scores and retries a synthesizer on one stored view and
reports every attempt)."""

from dagster import (
    AssetSelection,
    Config,
    Failure,
    MetadataValue,
    OpExecutionContext,
    Output,
    define_asset_job,
    job,
    op,
)

from e2i_synth.defs.privacy.assets import synthetic_journey
from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.privacy.families import family_named
from e2i_synth.privacy.optimizer import MAX_RETRIES, optimize
from e2i_synth.privacy.views import VIEWS, causal_design, modeled_frame, split_real
from e2i_synth.settings import Scenario, parse_brand, parse_dgp

OPTIMIZE_JOB = "optimize_synthesizer"
PUBLISH_JOB = "publish_synthetic_journey"

publish_synthetic_journey = define_asset_job(
    PUBLISH_JOB,
    selection=AssetSelection.assets(synthetic_journey),
    description="Synthesize one stored scenario's journeys; publish them only when green.",
)


class OptimizeConfig(Config):
    """`view`: patient_journeys, treatment_events or journey; `synthesizer`:
    gaussian_copula or mst; `epsilon` only for mst (its budget; never raised)."""

    brand: str
    dgp: str = "confounded"
    view: str = "journey"
    synthesizer: str = "gaussian_copula"
    epsilon: float | None = None
    retries: int = MAX_RETRIES
    seed: int = 0


@op
def optimize_view(
    context: OpExecutionContext, config: OptimizeConfig, warehouse: WarehouseResource
) -> Output[dict]:
    """The attempts as metadata; the output is the best attempt's parameters and verdict."""
    if config.view not in VIEWS:
        raise Failure(f"unknown view {config.view!r}; choose one of: {', '.join(VIEWS)}")
    family = family_named(config.synthesizer)
    scenario = Scenario(parse_brand(config.brand), parse_dgp(config.dgp))
    store = warehouse.get()
    frames = {t: store.read(t, scenario) for t in ("patient_journeys", "treatment_events")}
    train, holdout = split_real(modeled_frame(config.view, frames))
    params = {"epsilon": config.epsilon} if config.epsilon is not None else None
    run = optimize(
        family,
        config.view,
        train,
        holdout,
        VIEWS[config.view].target,
        config.seed,
        params,
        max_retries=min(config.retries, MAX_RETRIES),
        design=causal_design(config.view, scenario.dgp),
    )
    best = run.best
    context.log.info(f"{config.view} of {scenario.partition_key}:\n{run.as_frame().to_string()}")
    return Output(
        {"params": best.params, "all_green": best.scorecard.all_green},
        metadata={
            "attempts": MetadataValue.md(run.as_frame().to_markdown()),
            "best_attempt": MetadataValue.int(best.number),
            "all_green": MetadataValue.bool(best.scorecard.all_green),
            "best_scorecard": MetadataValue.md(best.scorecard.as_frame().to_markdown()),
            "failures": MetadataValue.text(
                "\n".join(f.describe() for f in best.failures) or "none"
            ),
        },
    )


@job(name=OPTIMIZE_JOB, description="Fit, score and retry a synthesizer on one stored view.")
def optimize_synthesizer() -> None:
    optimize_view()
