"""A scenario's tables chunk by chunk, in bounded memory, equal to the one-piece build.

`chunk_tables(draw_world(scenario, n, seed, start, stop))` gives the rows owned by
patients [start, stop) and by the HCPs positioned among them (world.draw.hcp_position),
with keys from the owner's index; `scenario_tables` gives the scenario-level rows from the
sums of all chunks (tables.sums). For every table, the chunks' rows in chunk order followed
by the scenario-level rows are `build_tables(draw_world(scenario, n, seed))`, byte for
byte, for any chunking (tested for random boundaries).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from e2i_synth.tables import (
    REGISTRY,
    SPECS,
    business_metrics,
    causal_ground_truth,
    feature_groups,
    feature_values,
    features,
    scenario_signals,
)
from e2i_synth.tables.sums import MetricSums, TruthSums
from e2i_synth.world import World

SCENARIO_LEVEL = (
    "business_metrics",
    "feature_groups",
    "features",
    "causal_ground_truth",
    "scenario_signals",
)
"""Tables with no rows owned by a patient or an HCP (feature_values has both kinds)."""


@dataclass(frozen=True)
class ChunkSums:
    metrics: MetricSums
    truth: TruthSums

    def __add__(self, other: ChunkSums) -> ChunkSums:
        return ChunkSums(self.metrics + other.metrics, self.truth + other.truth)

    def to_json(self) -> str:
        """Exact as text (JSON integers have no size limit), for a chunk written elsewhere."""
        return json.dumps(
            {
                part: {f.name: _plain(getattr(sums, f.name)) for f in fields(sums)}
                for part, sums in (("metrics", self.metrics), ("truth", self.truth))
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ChunkSums:
        data = json.loads(text)
        truth = {k: _sums(k, v) for k, v in data["truth"].items()}
        return cls(
            MetricSums(**{k: np.array(v, np.int64) for k, v in data["metrics"].items()}),
            TruthSums(**truth),
        )


def _plain(values):
    if isinstance(values, dict):
        return {name: _plain(v) for name, v in values.items()}
    return [int(v) for v in values] if isinstance(values, tuple) else np.asarray(values).tolist()


def _sums(name: str, values):
    """A TruthSums field read back from JSON: exact integers, CATE sums as Python ints."""
    if name == "cate":
        return tuple(values)
    if isinstance(values, dict):
        return {k: np.array(v, np.int64) for k, v in values.items()}
    return np.array(values, np.int64)


def chunk_tables(world: World) -> dict[str, pd.DataFrame]:
    """The unit-owned rows of every table but the scenario-level ones, parents first."""
    frames: dict[str, pd.DataFrame] = {}
    for table in REGISTRY:
        if table.name in SCENARIO_LEVEL:
            continue
        upstream = {name: frames[name] for name in table.reads if name in frames}
        build = feature_values.unit_rows if table.name == "feature_values" else table.build
        frames[table.name] = build(world, upstream)[list(table.spec.columns)]
    return frames


def chunk_sums(world: World, frames: dict[str, pd.DataFrame]) -> ChunkSums:
    return ChunkSums(MetricSums.of(world, frames["engagement_events"]), TruthSums.of(world))


def scenario_tables(world: World, sums: ChunkSums) -> dict[str, pd.DataFrame]:
    """The scenario-level rows, from the sums over every chunk (`world` gives the scenario,
    seed and panel; its own patients are not read)."""
    metrics = business_metrics.from_sums(world, sums.metrics)
    frames = {
        "business_metrics": metrics,
        "feature_groups": feature_groups.build(world, {}),
        "features": features.build(world, {}),
        "feature_values": feature_values.brand_rows(world, metrics),
        "causal_ground_truth": causal_ground_truth.from_sums(world, sums.truth),
        "scenario_signals": scenario_signals.build(world, {}),
    }
    return {name: frame[list(SPECS[name].columns)] for name, frame in frames.items()}


def chunk_bounds(n_patients: int, chunk_size: int, index: int) -> tuple[int, int]:
    """Patients [start, stop) of chunk `index` when chunks hold `chunk_size` patients."""
    start = index * chunk_size
    return start, min(start + chunk_size, n_patients)
