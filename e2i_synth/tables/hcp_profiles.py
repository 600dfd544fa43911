"""hcp_profiles: one row per HCP of the scenario."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    ADOPTION_STAGES,
    BRANDS,
    CHANNELS,
    PRACTICE_SIZES,
    PRACTICE_TYPES,
    REGIONS,
    STATES_BY_REGION,
)
from e2i_synth.seeds import unit_draws
from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec, hcp_keys, scenario_columns
from e2i_synth.world import World

SPEC = TableSpec(
    name="hcp_profiles",
    columns={
        "hcp_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "hcp_name": "VARCHAR",
        "specialty": "VARCHAR",
        "practice_type": "VARCHAR",
        "practice_size": "VARCHAR",
        "region": "VARCHAR",
        "state": "VARCHAR",
        "decile": "INTEGER",
        "priority_tier": "INTEGER",
        "years_experience": "INTEGER",
        "academic_hcp": "BOOLEAN",
        "total_patient_volume": "INTEGER",
        "target_patient_volume": "INTEGER",
        "digital_engagement_score": "DOUBLE",
        "preferred_channel": "VARCHAR",
        "last_interaction_days": "INTEGER",
        "interaction_frequency": "DOUBLE",
        "adoption_stage": "VARCHAR",
        "peer_influence_score": "DOUBLE",
    },
    primary_key="hcp_id",
    descriptions={
        "hcp_id": (
            "The HCP's key, e.g. KIS-CF-H0000042: the scenario's code and the HCP's index in the "
            "panel, the same however the scenario is chunked."
        ),
        "hcp_name": (
            "A fictional name, 'Dr. ' and a first and last name from Faker's en_US vocabulary "
            "(500 of each, indexed per HCP); identifies nobody."
        ),
        "specialty": (
            "The HCP's specialty, one of the brand's own specialties, drawn uniformly per HCP."
        ),
        "practice_type": (
            "Where the HCP practises: academic_medical_center 25%, community_hospital 30%, "
            "private_practice 25%, group_practice 20%."
        ),
        "practice_size": (
            "small, medium or large, uniformly; academic medical centers are always large."
        ),
        "region": (
            "The US census region of the practice, drawn with shares northeast 18%, midwest 21%, "
            "south 38%, west 23%; the HCP's patients share it."
        ),
        "state": (
            "A US state of the HCP's region (two-letter code), uniformly among the region's states."
        ),
        "decile": (
            "1 to 10: the decile of total_patient_volume over the whole panel (10 holds the "
            "highest-volume HCPs; ties broken by position)."
        ),
        "priority_tier": (
            "1 to 4 from the decile: 1 for deciles 9-10, 2 for 7-8, 3 for 4-6, 4 below."
        ),
        "years_experience": "Years in practice, uniform on 1 to 40; causes nothing.",
        "academic_hcp": (
            "True where practice_type is academic_medical_center; a confounder of engagement and "
            "initiation through the patients' academic_hcp."
        ),
        "total_patient_volume": (
            "Patients the HCP sees: the scenario's patients assigned to the HCP "
            "(target_patient_volume) plus a Poisson number outside the scenario with the brand's "
            "mean."
        ),
        "target_patient_volume": (
            "The scenario's patients whose HCP this is: each patient picks an HCP with "
            "probability proportional to the HCP's lognormal volume (the brand's sigma), so "
            "patients concentrate on some HCPs."
        ),
        "digital_engagement_score": "0 to 10 (two decimals): 10 x Beta(2, 3); causes nothing.",
        "preferred_channel": (
            "in_person 35%, email 30%, phone 15%, web 15%, conference 5%; causes nothing."
        ),
        "last_interaction_days": (
            "Days since the last field interaction, uniform on 0 to 180; causes nothing."
        ),
        "interaction_frequency": (
            "Field interactions per month, Gamma(2, 1.5) (two decimals); causes nothing."
        ),
        "adoption_stage": (
            "innovator 3%, early_adopter 13%, early_majority 34%, late_majority 34%, laggard 16%;"
            " drives the twins' delivery history and effects."
        ),
        "peer_influence_score": "0 to 10 (two decimals): 10 x Beta(2, 5); causes nothing.",
    },
)

NAME_POOL_SIZE = 500


@lru_cache(maxsize=1)
def name_pools() -> tuple[np.ndarray, np.ndarray]:
    """Faker's vocabulary, built once per process (Faker is slow per call), then indexed;
    Faker loads here, with the first HCP table, not with the table registry."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(0)
    first = np.array([fake.first_name() for _ in range(NAME_POOL_SIZE)])
    last = np.array([fake.last_name() for _ in range(NAME_POOL_SIZE)])
    return first, last


def draw_hcp(rng: np.random.Generator, hcps: np.ndarray) -> dict[str, np.ndarray]:
    """One block of HCPs' own draws (seeds.unit_draws), in a fixed order."""
    n = len(hcps)
    return {
        "adoption": rng.choice(len(ADOPTION_STAGES), size=n, p=[0.03, 0.13, 0.34, 0.34, 0.16]),
        "size": rng.integers(0, 3, n),
        "first": rng.integers(0, NAME_POOL_SIZE, n),
        "last": rng.integers(0, NAME_POOL_SIZE, n),
        "state": rng.integers(0, len(STATES_BY_REGION[REGIONS[0]]), n),
        "years": rng.integers(1, 41, n),
        "digital": rng.beta(2, 3, n),
        "channel": rng.choice(len(CHANNELS), n, p=[0.35, 0.3, 0.15, 0.15, 0.05]),
        "last_interaction": rng.integers(0, 181, n),
        "frequency": rng.gamma(2.0, 1.5, n),
        "peer": rng.beta(2, 5, n),
    }


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The HCPs positioned in the world's chunk (all of them for a whole world); volumes
    and deciles are the whole scenario's."""
    hcp = world.owned_hcps
    names = ("hcp_profiles", world.scenario.brand, world.scenario.dgp)
    d = unit_draws(world.seed, names, *world.owned_hcp_range, draw_hcp)
    first, last = name_pools()
    decile = world.hcp_decile[hcp]
    tier = np.select([decile >= 9, decile >= 7, decile >= 4], [1, 2, 3], 4)
    region_code = world.hcp_region_code[hcp]
    states = np.array([STATES_BY_REGION[r] for r in REGIONS])  # regions share a state count
    academic = world.hcp_academic[hcp]
    return pd.DataFrame(
        {
            "hcp_id": hcp_keys(world, hcp),
            **scenario_columns(world),
            "hcp_name": np.strings.add(
                np.strings.add("Dr. ", first[d["first"]]), np.strings.add(" ", last[d["last"]])
            ),
            "specialty": np.array(BRANDS[world.scenario.brand].specialties)[
                world.hcp_specialty_code[hcp]
            ],
            "practice_type": np.array(PRACTICE_TYPES)[world.hcp_practice_code[hcp]],
            "practice_size": np.array(PRACTICE_SIZES)[np.where(academic, 2, d["size"])],
            "region": np.array(REGIONS)[region_code],
            "state": states[region_code, d["state"]],
            "decile": decile,
            "priority_tier": tier,
            "years_experience": d["years"],
            "academic_hcp": academic,
            "total_patient_volume": world.hcp_total_volume[hcp],
            "target_patient_volume": world.hcp_patients[hcp],
            "digital_engagement_score": np.round(10 * d["digital"], 2),
            "preferred_channel": np.array(CHANNELS)[d["channel"]],
            "last_interaction_days": d["last_interaction"],
            "interaction_frequency": np.round(d["frequency"], 2),
            "adoption_stage": np.array(ADOPTION_STAGES)[d["adoption"]],
            "peer_influence_score": np.round(10 * d["peer"], 2),
        }
    )
