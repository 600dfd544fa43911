"""treatment_events: diagnosis, prescription, refills and stops of each patient's journey.

All dates come from the world: the diagnosis opens the journey, the prescription is the
initiation, refills follow monthly and a stop may end therapy, all before the outcome date.
Every event after the diagnosis names the product the patient is on (one of the brand's
presentations, drawn per patient with the catalog's shares; NULL on the diagnosis).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS
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
from e2i_synth.world.draw import REFILL_INTERVAL_DAYS

SPEC = TableSpec(
    name="treatment_events",
    columns={
        "event_id": "VARCHAR",
        "patient_id": "VARCHAR",
        "hcp_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "event_date": "DATE",
        "event_type": "VARCHAR",
        "line_of_therapy": "INTEGER",
        "data_split": "VARCHAR",
        "product": "VARCHAR",  # last: added by migration 006
    },
    primary_key="event_id",
    foreign_keys={"patient_id": "patient_journeys", "hcp_id": "hcp_profiles"},
    nullable=frozenset({"product"}),
)


def repeat_with_rank(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row i repeated counts[i] times, with its 1-based rank inside the repetition."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.arange(len(owner)) - starts + 1


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rng = stream(world.seed, "treatment_events", world.scenario.brand, world.scenario.dgp)
    n = world.n_patients
    initiated = np.flatnonzero(world.outcome)
    refill_owner, refill_rank = repeat_with_rank(world.refills[initiated])
    refill_patient = initiated[refill_owner]
    stopped = np.flatnonzero(world.stopped)
    stop_type = np.where(rng.random(len(stopped)) < 0.4, "switch", "discontinuation")

    patient = np.concatenate([np.arange(n), initiated, refill_patient, stopped])
    event_date = np.concatenate(
        [
            world.journey_start,
            world.initiation_date[initiated],
            world.initiation_date[refill_patient] + REFILL_INTERVAL_DAYS * refill_rank,
            world.initiation_date[stopped] + REFILL_INTERVAL_DAYS * (world.refills[stopped] + 1),
        ]
    )
    event_type = np.concatenate(
        [
            np.full(n, "diagnosis"),
            np.full(len(initiated), "prescription"),
            np.full(len(refill_patient), "refill"),
            stop_type,
        ]
    )
    order = np.lexsort((event_date, patient))
    patient, event_date, event_type = patient[order], event_date[order], event_type[order]
    line_of_therapy = rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1])
    brand = BRANDS[world.scenario.brand]
    product = np.array(brand.products)[
        rng.choice(len(brand.products), size=n, p=brand.product_shares)
    ]
    return pd.DataFrame(
        {
            "event_id": scenario_keys(world, "T", np.arange(len(patient))),
            "patient_id": patient_keys(world, patient),
            "hcp_id": hcp_keys(world, world.patient_hcp[patient]),
            **scenario_columns(world),
            "event_date": event_date,
            "event_type": event_type,
            "line_of_therapy": line_of_therapy[patient],
            "data_split": split_names(world, patient),
            "product": pd.Series(product[patient]).where(event_type != "diagnosis"),
        }
    )
