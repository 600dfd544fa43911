"""engagement_events: the patient-linked engagements that are the treatment, plus
HCP-level field activity (patient_id NULL) that causes nothing in the scenario and starts at
the brand's launch."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    BRANDS,
    INTERVENTION_TYPES,
    JOURNEY_START_FIRST,
    JOURNEY_START_LAST,
    SPLITS,
)
from e2i_synth.seeds import unit_draws
from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    hcp_keys,
    patient_keys,
    scenario_columns,
    scenario_keys,
    sequence_keys,
)
from e2i_synth.world import World, mechanisms
from e2i_synth.world.draw import JOURNEY_SPAN_DAYS, hcp_position

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
    descriptions={
        "engagement_id": (
            "The engagement's key: E and the patient's index for the index engagement, F for the "
            "day-30 one (feedback), EH with the HCP's index and rank for field activity."
        ),
        "hcp_id": "The HCP engaged.",
        "patient_id": (
            "The engaged patient, for the patient-linked engagements that are the treatment; NULL"
            " for HCP-level field activity, which causes nothing in the scenario."
        ),
        "intervention_type": (
            "What was delivered, uniformly among the five interventions (email_campaign, "
            "call_frequency_increase, speaker_program_invitation, educational_content_share, "
            "peer_to_peer_referral); the type does not change the effect."
        ),
        "channel": (
            "The intervention's channel: email for email_campaign, phone for "
            "call_frequency_increase, conference for speaker_program_invitation, web for "
            "educational_content_share, in_person for peer_to_peer_referral."
        ),
        "engagement_date": (
            "The patient's index date (30 days later for the day-30 engagement); field activity "
            "about 20 dates per HCP (Poisson), uniform from the brand's launch to 2025-06-30."
        ),
        "data_split": (
            "The patient's split; NULL for field activity (HCPs are shared context, not units)."
        ),
    },
)

CHANNEL_OF_INTERVENTION = np.array(["email", "phone", "conference", "web", "in_person"])
"""Channel of each entry of catalog.INTERVENTION_TYPES, in the same order."""
HCP_LEVEL_EVENTS_PER_HCP = 20.0
MAX_FIELD_EVENTS = 64
"""Field events an HCP can have (Poisson(20) exceeds it with probability about 1e-13):
each HCP draws this many dates and types, so its draws have a fixed size."""


def draw_linked(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
    """The intervention type of each unit's index engagement, then of each later one a
    mechanism may add (drawn after the first, so the first ones' are the same without it)."""
    n = len(units)
    drawn = {"intervention": rng.integers(0, len(INTERVENTION_TYPES), n)}
    for later in mechanisms.later_engagements():
        drawn[later.draw] = rng.integers(0, len(INTERVENTION_TYPES), n)
    return drawn


def draw_field(rng: np.random.Generator, hcps: np.ndarray) -> dict[str, np.ndarray]:
    span = (np.datetime64(JOURNEY_START_LAST) - np.datetime64(JOURNEY_START_FIRST)).astype(int)
    shape = (len(hcps), MAX_FIELD_EVENTS)
    return {
        "count": np.minimum(rng.poisson(HCP_LEVEL_EVENTS_PER_HCP, len(hcps)), MAX_FIELD_EVENTS),
        "day": rng.integers(0, span + 1, shape),
        "intervention": rng.integers(0, len(INTERVENTION_TYPES), shape),
    }


def field_days(brand: str, drawn: np.ndarray) -> np.ndarray:
    """Days after JOURNEY_START_FIRST of field events drawn over the whole calendar, moved
    into the part from the brand's launch on (no promotion before approval): a brand
    launched before the calendar keeps its days as drawn; otherwise the calendar's days map
    in order onto the post-launch ones (the draws, and so every chunk's, stay the same)."""
    first = max(0, (BRANDS[brand].population.launch - JOURNEY_START_FIRST).days)
    return first + drawn * (JOURNEY_SPAN_DAYS - first + 1) // (JOURNEY_SPAN_DAYS + 1)


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One engagement per engaged patient (keyed by the patient's index), the later ones a
    mechanism adds (a time-varying variant's day-30 engagement, keyed "F" and the index:
    world.mechanisms' `engagements`), then each
    HCP's field activity (keyed by the HCP's index and rank), rows in order of their
    owner's position (a patient's index engagement first, an HCP's rows last)."""
    names = (world.scenario.brand, world.scenario.dgp)
    linked = unit_draws(
        world.seed, ("engagement_events", *names), world.first_unit, world.units_stop, draw_linked
    )
    field = unit_draws(
        world.seed, ("engagement_events-field", *names), *world.owned_hcp_range, draw_field
    )
    first = np.flatnonzero(world.engaged)
    later = [(e, _engaged(getattr(world.parts, e.part))) for e in mechanisms.later_engagements()]
    treated = np.concatenate([first, *(units for _, units in later)])  # each linked row's
    has = np.arange(MAX_FIELD_EVENTS)[None, :] < field["count"][:, None]
    field_hcp = np.repeat(world.owned_hcps, field["count"])
    field_rank = np.nonzero(has)[1] + 1
    hcp = np.concatenate([world.patient_hcp[treated], field_hcp])
    date = np.concatenate(
        [
            world.index_date[first],
            *(world.index_date[units] + e.days for e, units in later),
            np.datetime64(JOURNEY_START_FIRST)
            + field_days(world.scenario.brand, field["day"][has]),
        ]
    )
    intervention = np.concatenate(
        [
            linked["intervention"][first],
            *(linked[e.draw][units] for e, units in later),
            field["intervention"][has],
        ]
    )
    position = np.concatenate(
        [world.units[treated], hcp_position(world.scenario_patients, field_hcp)]
    )
    order = np.argsort(position, kind="stable")  # patients' rows come first at a position
    key = np.concatenate(
        [
            scenario_keys(world, "E", world.units[first]),
            *(scenario_keys(world, e.key, world.units[units]) for e, units in later),
            sequence_keys(world, "EH", field_hcp, field_rank),
        ]
    )
    unit = np.concatenate([world.units[treated], np.zeros(len(field_hcp), dtype=int)])[order]
    split = np.concatenate([world.split[treated], np.zeros(len(field_hcp), dtype=int)])[order]
    linked_rows = order < len(treated)
    return pd.DataFrame(
        {
            "engagement_id": key[order],
            "hcp_id": hcp_keys(world, hcp[order]),
            "patient_id": pd.Series(patient_keys(world, unit)).where(linked_rows),
            **scenario_columns(world),
            "intervention_type": np.array(INTERVENTION_TYPES)[intervention[order]],
            "channel": CHANNEL_OF_INTERVENTION[intervention[order]],
            "engagement_date": date[order],
            "data_split": pd.Series(np.array(SPLITS)[split]).where(linked_rows),
        }
    )


def _engaged(part: np.ndarray | None) -> np.ndarray:
    """The units a later engagement reaches (none where the world lacks its part)."""
    return np.zeros(0, dtype=int) if part is None else np.flatnonzero(part)
