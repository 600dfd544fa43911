"""hcp_profiles: one row per HCP of the scenario."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from faker import Faker

from e2i_synth.catalog import ADOPTION_STAGES, CHANNELS, PRACTICE_SIZES, REGIONS, STATES_BY_REGION
from e2i_synth.seeds import stream
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
)

NAME_POOL_SIZE = 500


@lru_cache(maxsize=1)
def name_pools() -> tuple[np.ndarray, np.ndarray]:
    """Faker's vocabulary, built once per process (Faker is slow per call), then indexed."""
    fake = Faker("en_US")
    fake.seed_instance(0)
    first = np.array([fake.first_name() for _ in range(NAME_POOL_SIZE)])
    last = np.array([fake.last_name() for _ in range(NAME_POOL_SIZE)])
    return first, last


def deciles(volume: np.ndarray) -> np.ndarray:
    """Decile 10 holds the highest-volume HCPs; ties broken by position for determinism."""
    ranks = np.argsort(np.argsort(volume, kind="stable"), kind="stable")
    return (ranks * 10 // len(volume)) + 1


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rng = stream(world.seed, "hcp_profiles", world.scenario.brand, world.scenario.dgp)
    n = world.n_hcps
    first, last = name_pools()
    target_volume = np.bincount(world.patient_hcp, minlength=n)
    total_volume = target_volume + rng.poisson(40, n)
    decile = deciles(total_volume)
    tier = np.select([decile >= 9, decile >= 7, decile >= 4], [1, 2, 3], 4)
    region = np.array(REGIONS)[world.hcp_region_code]
    states = np.array([STATES_BY_REGION[r] for r in REGIONS])  # regions share a state count
    adoption = rng.choice(len(ADOPTION_STAGES), size=n, p=[0.03, 0.13, 0.34, 0.34, 0.16])
    size_by_academic = np.where(world.hcp_academic, 2, rng.integers(0, 3, n))
    return pd.DataFrame(
        {
            "hcp_id": hcp_keys(world, np.arange(n)),
            **scenario_columns(world),
            "hcp_name": np.strings.add(
                np.strings.add("Dr. ", first[rng.integers(0, NAME_POOL_SIZE, n)]),
                np.strings.add(" ", last[rng.integers(0, NAME_POOL_SIZE, n)]),
            ),
            "specialty": world.hcp_specialty,
            "practice_type": world.hcp_practice_type,
            "practice_size": np.array(PRACTICE_SIZES)[size_by_academic],
            "region": region,
            "state": states[world.hcp_region_code, rng.integers(0, states.shape[1], n)],
            "decile": decile,
            "priority_tier": tier,
            "years_experience": rng.integers(1, 41, n),
            "academic_hcp": world.hcp_academic,
            "total_patient_volume": total_volume,
            "target_patient_volume": target_volume,
            "digital_engagement_score": np.round(10 * rng.beta(2, 3, n), 2),
            "preferred_channel": np.array(CHANNELS)[
                rng.choice(len(CHANNELS), n, p=[0.35, 0.3, 0.15, 0.15, 0.05])
            ],
            "last_interaction_days": rng.integers(0, 181, n),
            "interaction_frequency": np.round(rng.gamma(2.0, 1.5, n), 2),
            "adoption_stage": np.array(ADOPTION_STAGES)[adoption],
            "peer_influence_score": np.round(10 * rng.beta(2, 5, n), 2),
        }
    )
