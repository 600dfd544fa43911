"""The twins domain's definitions, merged by `e2i_synth.defs.definitions`."""

from __future__ import annotations

from dagster import Definitions

from e2i_synth.defs.twins.assets import twin_tables
from e2i_synth.defs.twins.jobs import generate_twins

defs = Definitions(assets=[twin_tables], jobs=[generate_twins])
