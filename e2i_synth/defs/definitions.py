"""The one Definitions object: `dagster dev` and `dagster asset materialize` load this.

Each domain (core, twins, privacy, stories, benchmark, scale, agent) keeps its assets, checks,
jobs, schedules and sensors in its own folder and is merged here with the shared resources
and executor.
Loading reads no setting: resources resolve the environment when a run starts.
"""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from e2i_synth.defs.agent import definitions as agent
from e2i_synth.defs.benchmark import definitions as benchmark
from e2i_synth.defs.core import definitions as core
from e2i_synth.defs.core.jobs import GENERATE_JOB, VALIDATE_JOB
from e2i_synth.defs.privacy import definitions as privacy
from e2i_synth.defs.resources import GenerationResource, WarehouseResource
from e2i_synth.defs.scale import definitions as scale
from e2i_synth.defs.sqlite import install as flush_sqlite_at_checkpoints
from e2i_synth.defs.stories import definitions as stories
from e2i_synth.defs.twins import definitions as twins

flush_sqlite_at_checkpoints()  # this process's Dagster runs: code server, run workers, CLI

# Steps are vectorized and short; a subprocess per step would cost more than the work.
defs = Definitions.merge(
    core.defs,
    twins.defs,
    privacy.defs,
    stories.defs,
    benchmark.defs,
    scale.defs,
    agent.defs,
    Definitions(
        resources={"generation": GenerationResource(), "warehouse": WarehouseResource()},
        executor=in_process_executor,
    ),
)

__all__ = ["GENERATE_JOB", "VALIDATE_JOB", "defs"]
