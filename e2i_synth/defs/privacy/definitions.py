"""The privacy domain's definitions, merged by `e2i_synth.defs.definitions`."""

from dagster import Definitions

from e2i_synth.defs.privacy.checks import synthesizer_scorecard
from e2i_synth.defs.privacy.jobs import check_privacy, optimize_synthesizer

defs = Definitions(asset_checks=[synthesizer_scorecard], jobs=[check_privacy, optimize_synthesizer])
