"""The baseline: hcp_profiles and patient_journeys written the naive way, one row at a time.

This is what the vectorized generators are measured against, not a second generator. Each
row is a dict built in a plain Python loop, with one `random` call per random value and one
Faker call per name; the list of dicts becomes a DataFrame at the end. The columns are
those of the real tables and the distributions roughly the same; the values differ.

Both functions start from the same World as the real `build`, so the comparison is table
projection against table projection. The World's arrays are turned into Python lists once
up front, the kindest start a per-row loop can get, so the measured speed-up understates
rather than overstates the gap.
"""

from __future__ import annotations

import random

import pandas as pd
from faker import Faker

from e2i_synth.catalog import (
    ADOPTION_STAGES,
    BRANDS,
    CHANNELS,
    DGPS,
    GENDERS,
    INSURANCE_TYPES,
    PRACTICE_SIZES,
    REGIONS,
    SPLITS,
    STATES_BY_REGION,
)
from e2i_synth.tables.patient_journeys import FEMALE_SHARE
from e2i_synth.world import World

ADOPTION_WEIGHTS = (0.03, 0.13, 0.34, 0.34, 0.16)
CHANNEL_WEIGHTS = (0.35, 0.3, 0.15, 0.15, 0.05)
INSURANCE_WEIGHTS_UNDER_65 = (0.66, 0.04, 0.22, 0.08)
INSURANCE_WEIGHTS_65_PLUS = (0.15, 0.78, 0.05, 0.02)


def _key_prefix(world: World) -> str:
    return f"{BRANDS[world.scenario.brand].code}-{DGPS[world.scenario.dgp].code}-"


def _priority_tier(decile: int) -> int:
    if decile >= 9:
        return 1
    if decile >= 7:
        return 2
    if decile >= 4:
        return 3
    return 4


def hcp_profiles(world: World, fake: Faker, rnd: random.Random) -> pd.DataFrame:
    """One dict per HCP; extra patient volume is Poisson(40) approximated by a normal."""
    prefix = _key_prefix(world)
    n = world.n_hcps
    target_volume = [0] * n
    for hcp in world.patient_hcp.tolist():
        target_volume[hcp] += 1
    total_volume = [t + max(0, round(rnd.gauss(40, 40**0.5))) for t in target_volume]
    by_volume = sorted(range(n), key=lambda i: (total_volume[i], i))
    decile = [0] * n
    for rank, i in enumerate(by_volume):
        decile[i] = rank * 10 // n + 1

    rows = []
    for i, specialty, practice_type, region_code, academic in zip(
        range(n),
        world.hcp_specialty.tolist(),
        world.hcp_practice_type.tolist(),
        world.hcp_region_code.tolist(),
        world.hcp_academic.tolist(),
        strict=True,
    ):
        region = REGIONS[region_code]
        rows.append(
            {
                "hcp_id": f"{prefix}H{i:07d}",
                "brand": world.scenario.brand,
                "dgp_type": world.scenario.dgp,
                "hcp_name": f"Dr. {fake.first_name()} {fake.last_name()}",
                "specialty": specialty,
                "practice_type": practice_type,
                "practice_size": "large" if academic else rnd.choice(PRACTICE_SIZES),
                "region": region,
                "state": rnd.choice(STATES_BY_REGION[region]),
                "decile": decile[i],
                "priority_tier": _priority_tier(decile[i]),
                "years_experience": rnd.randint(1, 40),
                "academic_hcp": academic,
                "total_patient_volume": total_volume[i],
                "target_patient_volume": target_volume[i],
                "digital_engagement_score": round(10 * rnd.betavariate(2, 3), 2),
                "preferred_channel": rnd.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0],
                "last_interaction_days": rnd.randint(0, 180),
                "interaction_frequency": round(rnd.gammavariate(2.0, 1.5), 2),
                "adoption_stage": rnd.choices(ADOPTION_STAGES, weights=ADOPTION_WEIGHTS)[0],
                "peer_influence_score": round(10 * rnd.betavariate(2, 5), 2),
            }
        )
    return pd.DataFrame(rows)


def _journey_stage(initiated: bool, stopped: bool, refills: int) -> str:
    if not initiated:
        return "treatment_naive"
    if stopped:
        return "discontinued"
    if refills > 0:
        return "maintenance"
    return "initiated"


def patient_journeys(world: World, rnd: random.Random) -> pd.DataFrame:
    """One dict per patient; gender and insurance drawn per row, the rest read from the World."""
    prefix = _key_prefix(world)
    female_share = FEMALE_SHARE[world.scenario.brand]
    c = world.covariates
    patient_hcp = world.patient_hcp.tolist()
    age = c.age_at_diagnosis.tolist()
    region_code = c.region_code.tolist()
    severity = c.disease_severity.tolist()
    comorbidities = c.comorbidity_count.tolist()
    academic = c.academic_hcp.tolist()
    score = world.engagement_score.tolist()
    engaged = world.engaged.tolist()
    y0 = world.y0.tolist()
    y1 = world.y1.tolist()
    journey_start = world.journey_start.tolist()
    index_date = world.index_date.tolist()
    initiation_date = world.initiation_date.tolist()
    refills = world.refills.tolist()
    stopped = world.stopped.tolist()
    split = world.split.tolist()

    rows = []
    for i in range(world.n_patients):
        initiated = y1[i] if engaged[i] else y0[i]
        insurance_weights = (
            INSURANCE_WEIGHTS_65_PLUS if age[i] >= 65 else INSURANCE_WEIGHTS_UNDER_65
        )
        rows.append(
            {
                "patient_id": f"{prefix}P{i:07d}",
                "hcp_id": f"{prefix}H{patient_hcp[i]:07d}",
                "brand": world.scenario.brand,
                "dgp_type": world.scenario.dgp,
                "age_at_diagnosis": age[i],
                "gender": GENDERS[0] if rnd.random() < female_share else GENDERS[1],
                "region": REGIONS[region_code[i]],
                "insurance_type": rnd.choices(INSURANCE_TYPES, weights=insurance_weights)[0],
                "disease_severity": severity[i],
                "comorbidity_count": comorbidities[i],
                "academic_hcp": academic[i],
                "engagement_score": score[i],
                "engaged": engaged[i],
                "treatment_initiated": initiated,
                "days_to_treatment": (
                    None
                    if initiation_date[i] is None
                    else (initiation_date[i] - journey_start[i]).days
                ),
                "journey_stage": _journey_stage(initiated, stopped[i], refills[i]),
                "journey_start_date": journey_start[i],
                "index_date": index_date[i],
                "data_split": SPLITS[split[i]],
            }
        )
    return pd.DataFrame(rows)
