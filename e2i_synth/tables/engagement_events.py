"""engagement_events: the patient-linked engagements that are the treatment, plus
HCP-level field activity (patient_id NULL) that causes nothing in the scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import INTERVENTION_TYPES, JOURNEY_START_FIRST, JOURNEY_START_LAST
from e2i_synth.seeds import stream
from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    hcp_keys,
    patient_keys,
    scenario_columns,
    scenario_keys,
    split_names,
)
from e2i_synth.world import World

SPEC = TableSpec(
    name="engagement_events",
    columns={
        "engagement_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        "patient_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "intervention_type": "VARCHAR",
        "channel": "VARCHAR",
        "engagement_date": "DATE",
        "data_split": "VARCHAR",
    },
    primary_key="engagement_id",
    foreign_keys={"hcp_id": "hcp_profiles", "patient_id": "patient_journeys"},
    nullable=frozenset({"patient_id", "data_split"}),
)

CHANNEL_OF_INTERVENTION = np.array(["email", "phone", "conference", "web", "in_person"])
"""Channel of each entry of catalog.INTERVENTION_TYPES, in the same order."""
HCP_LEVEL_EVENTS_PER_HCP = 20.0


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rng = stream(world.seed, "engagement_events", world.scenario.brand, world.scenario.dgp)
    treated = np.flatnonzero(world.engaged)
    per_hcp = rng.poisson(HCP_LEVEL_EVENTS_PER_HCP, world.n_hcps)
    field_hcp = np.repeat(np.arange(world.n_hcps), per_hcp)
    span = (np.datetime64(JOURNEY_START_LAST) - np.datetime64(JOURNEY_START_FIRST)).astype(int)
    field_date = np.datetime64(JOURNEY_START_FIRST) + rng.integers(0, span + 1, len(field_hcp))

    hcp = np.concatenate([world.patient_hcp[treated], field_hcp])
    date = np.concatenate([world.index_date[treated], field_date])
    intervention = rng.integers(0, len(INTERVENTION_TYPES), len(hcp))
    linked = np.arange(len(hcp)) < len(treated)
    patient = np.concatenate([treated, np.zeros(len(field_hcp), dtype=int)])
    order = np.lexsort((hcp, date))
    linked, patient = linked[order], patient[order]
    return pd.DataFrame(
        {
            "engagement_id": scenario_keys(world, "E", np.arange(len(hcp))),
            "hcp_id": hcp_keys(world, hcp[order]),
            "patient_id": pd.Series(patient_keys(world, patient)).where(linked),
            **scenario_columns(world),
            "intervention_type": np.array(INTERVENTION_TYPES)[intervention[order]],
            "channel": CHANNEL_OF_INTERVENTION[intervention[order]],
            "engagement_date": date[order],
            "data_split": pd.Series(split_names(world, patient)).where(linked),
        }
    )
