"""The privacy domain's definitions, merged by `e2i_synth.defs.definitions`."""

from dagster import Definitions

from e2i_synth.defs.privacy.assets import synthetic_journey
from e2i_synth.defs.privacy.jobs import optimize_synthesizer, publish_synthetic_journey
from e2i_synth.defs.privacy.twin_checks import twin_privacy_scorecard

defs = Definitions(
    assets=[synthetic_journey],
    asset_checks=[twin_privacy_scorecard],
    jobs=[publish_synthetic_journey, optimize_synthesizer],
)
