"""treatment_events: diagnosis, prescription, refills and stops of each patient's journey.

All dates come from the world: the diagnosis opens the journey, the prescription is the
initiation, refills follow monthly and a stop may end therapy, all before the outcome date.
Every event after the diagnosis names the product the patient is on (one of the brand's
presentations, drawn per patient with the catalog's shares; NULL on the diagnosis). A
patient lost to follow-up (a variant with selection) has its diagnosis only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS, REFILL_INTERVAL_DAYS
from e2i_synth.seeds import unit_draws
from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    hcp_keys,
    patient_keys,
    rank_within,
    scenario_columns,
    sequence_keys,
    split_names,
)
from e2i_synth.world import World

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
    descriptions={
        "event_id": (
            "The event's key: the patient's key with T and the event's rank in the journey, e.g. "
            "KIS-CF-T0000042-3."
        ),
        "patient_id": "The patient whose journey the event belongs to.",
        "hcp_id": "The patient's HCP.",
        "event_date": (
            "The diagnosis on journey_start_date; the prescription on the initiation date; "
            "refills every 30 days after it; a stop (switch or discontinuation) 30 days after the"
            " last refill. All before the outcome date and the data cut."
        ),
        "event_type": (
            "diagnosis (every patient, first), prescription (the initiation), refill "
            "(Geometric(0.35) - 1 of them, as many as fit before the outcome date), then with "
            "probability 0.25 a stop: switch (40%) or discontinuation."
        ),
        "line_of_therapy": "1, 2 or 3 (60/30/10%), one per patient; causes nothing.",
        "data_split": "The patient's split.",
        "product": (
            "The brand's presentation the patient is on, drawn per patient with the catalog's "
            "shares (kisqali has four, fabhalta and remibrutinib one each); NULL on the "
            "diagnosis."
        ),
    },
)


def draw_therapy(brand: str):
    products = BRANDS[brand]

    def draw(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
        """One block of patients' therapy draws: stop kind, line of therapy, product."""
        n = len(units)
        return {
            "switch": rng.random(n) < 0.4,
            "line": rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1]),
            "product": rng.choice(len(products.products), size=n, p=products.product_shares),
        }

    return draw


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each patient's events in date order (diagnosis, prescription, refills, stop), keyed
    by the patient's index and the event's rank."""
    brand = world.scenario.brand
    names = ("treatment_events", brand, world.scenario.dgp)
    d = unit_draws(world.seed, names, world.first_unit, world.units_stop, draw_therapy(brand))
    followed = (
        np.ones(world.n_patients, bool) if world.parts.observed is None else world.parts.observed
    )
    initiated = world.outcome & followed
    refills = np.where(initiated, world.refills, 0)
    stopped = world.stopped & followed
    counts = 1 + initiated + refills + stopped
    patient = np.repeat(np.arange(world.n_patients), counts)
    rank = rank_within(patient)  # 1 diagnosis, 2 prescription, 3.. refills, last the stop
    refill = rank - 2  # the refill's number, for ranks 3 .. 2 + refills
    is_stop = stopped[patient] & (rank == counts[patient])
    event_type = np.select(
        [rank == 1, rank == 2, is_stop],
        ["diagnosis", "prescription", np.where(d["switch"][patient], "switch", "discontinuation")],
        "refill",
    )
    started = world.initiation_date[patient]
    event_date = np.select(
        [rank == 1, rank == 2, is_stop],
        [
            world.journey_start[patient],
            started,
            started + REFILL_INTERVAL_DAYS * (world.refills[patient] + 1),
        ],
        started + REFILL_INTERVAL_DAYS * refill,
    )
    product = np.array(BRANDS[brand].products)[d["product"]]
    return pd.DataFrame(
        {
            "event_id": sequence_keys(world, "T", world.units[patient], rank),
            "patient_id": patient_keys(world, world.units[patient]),
            "hcp_id": hcp_keys(world, world.patient_hcp[patient]),
            **scenario_columns(world),
            "event_date": event_date,
            "event_type": event_type,
            "line_of_therapy": d["line"][patient],
            "data_split": split_names(world, patient),
            "product": pd.Series(product[patient]).where(event_type != "diagnosis"),
        }
    )
