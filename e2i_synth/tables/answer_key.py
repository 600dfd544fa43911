"""Which stored tables an agent may read: every table except the answer key.

The key is what tasks are scored from or what states the planted truth: the registry's
`truth` group (unit_truth, causal_ground_truth, scenario_signals) and the twin step's
tables that hold truth or are scored against it (the intervention truth overall and per
HCP, targeting policies valued by the exact effects, simulations with their true ATE,
fidelity against actual outcomes)."""

from __future__ import annotations

from e2i_synth.tables import REGISTRY, STORED_SPECS
from e2i_synth.tables.downstream import (
    GROUND_TRUTH_SPEC,
    POLICY_EVALUATIONS,
    SIMULATIONS,
    SNAPSHOTS,
    TRACKING,
    UNIT_TRUTH_SPEC,
)

TRUTH_GROUP = "truth"
ANSWER_KEY: frozenset[str] = frozenset(
    {
        *(t.name for t in REGISTRY if t.group == TRUTH_GROUP),
        GROUND_TRUTH_SPEC.name,
        UNIT_TRUTH_SPEC.name,
        POLICY_EVALUATIONS.name,
        SIMULATIONS.name,
        TRACKING.name,
        SNAPSHOTS.name,
    }
)
"""Tables no agent may read, under any name or path."""
VISIBLE_TABLES: tuple[str, ...] = tuple(n for n in STORED_SPECS if n not in ANSWER_KEY)
"""Tables an agent reads, in load order."""
