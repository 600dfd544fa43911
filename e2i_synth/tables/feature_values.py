"""feature_values: time series of every feature, derived from the entity tables.

Patient features are observed at the patient's index date (their values are the
patient's own: engagement_score equals patient_journeys.engagement_score; the propensity
and outcome probability are model scores, see `model_scores`), static HCP
features once at 2024-01-01 (or the brand's launch month, if later), each HCP's
patient_volume_monthly every month of 2024-01 (or the launch month) to 2025-06 (no HCP
value before the launch; the volumes are the HCP's whole panel, so they do not ramp with
the brand, which keeps the planted drift the only one), and brand KPIs per region the day
after each month of business_metrics closes (they ramp from the launch with them).
Entity keys and values are JSON. (feature_id, entity_values, event_timestamp) is unique.

One store-only feature per scenario drifts from a known date by a known factor (see
`scenario_signals`), so a drift monitor comparing a baseline window with a current one has
exactly one true positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from e2i_synth.catalog import ALL_SPECIALTIES, BRANDS, DRIFT_FEATURES, SPLITS
from e2i_synth.seeds import stream, unit_draws
from e2i_synth.tables.features import feature_keys
from e2i_synth.tables.model_scores import model_scores
from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    patient_keys,
    rank_within,
    scenario_columns,
    scenario_keys,
    sequence_keys,
)
from e2i_synth.world import World
from e2i_synth.world.draw import hcp_position

SPEC = TableSpec(
    name="feature_values",
    columns={
        "value_id": "VARCHAR",
        "feature_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "entity_values": "VARCHAR",
        "value": "VARCHAR",
        "event_timestamp": "TIMESTAMP",
        "freshness_status": "VARCHAR",
        "data_split": "VARCHAR",
    },
    primary_key="value_id",
    foreign_keys={"feature_id": "features"},
    nullable=frozenset({"data_split"}),
    unique=("feature_id", "entity_values", "event_timestamp"),
    descriptions={
        "value_id": "The value's key within the scenario.",
        "feature_id": "The feature the value belongs to.",
        "entity_values": (
            'The entity as JSON: {"patient_id": ...}, {"hcp_id": ...} or '
            '{"brand": ..., "region": ...}.'
        ),
        "value": (
            "The value as JSON text, typed by features.value_type. Patient values are the "
            "patient's own at the index date; treatment_propensity and outcome_probability are "
            "model scores fitted on the train split. outcome_probability is a trap: it has "
            "engaged among its inputs."
        ),
        "event_timestamp": (
            "When the value was observed: the patient's index date, 2024-01-01 or the brand's "
            "launch month if later for static HCP features, each month from then to 2025-06 "
            "for patient_volume_monthly, the day after each month closes for brand KPIs."
        ),
        "freshness_status": "fresh (within 30 days of 2025-07-01), stale (within 180) or expired.",
        "data_split": "The patient's split for patient features; NULL for HCP and brand features.",
    },
)

STATIC_HCP_DATE = np.datetime64("2024-01-01T00:00:00", "s")
VOLUME_MONTHS = np.datetime64("2024-01", "M") + np.arange(18)
AS_OF = np.datetime64("2025-07-01T00:00:00", "s")
"""Freshness is judged on this date: fresh within 30 days, stale within 180, else expired."""
FRESH_DAYS, STALE_DAYS = 30, 180
PRIOR_TREATMENT_MEAN = 1.2
DRIFT_FACTOR = {
    "prior_treatment_count": (PRIOR_TREATMENT_MEAN + 1.0) / PRIOR_TREATMENT_MEAN,
    "patient_volume_monthly": 1.5,
}
"""The ratio of a drifted feature's mean after the drift date to its mean before."""
DRIFT_FIRST_DAY = np.datetime64("2025-01-01")
DRIFT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Drift:
    feature: str
    start: np.datetime64  # datetime64[D]
    factor: float


def volume_months(brand: str) -> np.ndarray:
    """The months of VOLUME_MONTHS an HCP has the brand's patients in: from its launch on."""
    return VOLUME_MONTHS[np.datetime64(BRANDS[brand].population.launch, "M") <= VOLUME_MONTHS]


def static_hcp_date(brand: str) -> np.datetime64:
    """When static HCP features are observed: STATIC_HCP_DATE, or the first day of the
    brand's launch month for a brand launched after it (no HCP feature before launch)."""
    launch = np.datetime64(BRANDS[brand].population.launch, "M").astype("datetime64[s]")
    return max(STATIC_HCP_DATE, launch)


def drift(world: World) -> Drift:
    rng = stream(world.seed, "drift", world.scenario.brand, world.scenario.dgp)
    feature = DRIFT_FEATURES[int(rng.integers(len(DRIFT_FEATURES)))]
    start = DRIFT_FIRST_DAY + int(rng.integers(DRIFT_WINDOW_DAYS))
    return Drift(feature, start, DRIFT_FACTOR[feature])


def entity_json(key: str, ids: np.ndarray) -> np.ndarray:
    return np.strings.add(np.strings.add(f'{{"{key}": "', ids.astype(str)), '"}')


def number_json(values: np.ndarray) -> np.ndarray:
    """Numbers as JSON text; floats by Python's repr, numpy's own text for them (the
    shortest round-trip digits) at a third of the cost."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return np.array(list(map(repr, values.tolist())), dtype=object)
    return values.astype(str)


def block(feature_id: str, entities, values, timestamps, splits=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "feature_id": feature_id,
            "entity_values": entities,
            "value": values,
            "event_timestamp": np.broadcast_to(timestamps, (n,)).astype("datetime64[s]"),
            "data_split": splits if splits is not None else np.full(n, None, dtype=object),
        }
    )


def patient_blocks(
    world: World, keys: dict[str, str], journeys: pd.DataFrame, shift: Drift
) -> list[pd.DataFrame]:
    c = world.covariates
    entities = entity_json("patient_id", patient_keys(world, world.units))
    when = world.index_date.astype("datetime64[s]")
    splits = np.array(SPLITS)[world.split]
    insurance = journeys["insurance_type"].to_numpy().astype(str)

    def draw(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
        rate = PRIOR_TREATMENT_MEAN
        return {
            "prior": rng.poisson(rate, len(units)),
            "drifted": rng.poisson(rate * shift.factor, len(units)),
        }

    names = ("feature_values", world.scenario.brand, world.scenario.dgp)
    d = unit_draws(world.seed, names, world.first_unit, world.units_stop, draw)
    drifted = (shift.feature == "prior_treatment_count") & (world.index_date >= shift.start)
    prior = np.where(drifted, d["drifted"], d["prior"])
    scores = model_scores(world)
    values = {
        "disease_severity": number_json(c.disease_severity),
        "age_at_diagnosis": number_json(c.age_at_diagnosis),
        "comorbidity_count": number_json(c.comorbidity_count),
        "prior_treatment_count": number_json(prior),
        "insurance_tier": np.strings.add(np.strings.add('"', insurance), '"'),
        "engagement_score": number_json(world.engagement_score),
        **{name: number_json(np.round(score, 6)) for name, score in scores.items()},
    }
    return [block(keys[name], entities, v, when, splits) for name, v in values.items()]


def hcp_blocks(
    world: World, keys: dict[str, str], hcps: pd.DataFrame, shift: Drift
) -> list[pd.DataFrame]:
    ids = hcps["hcp_id"].to_numpy()
    entities = entity_json("hcp_id", ids)
    specialty = pd.Categorical(hcps["specialty"], categories=ALL_SPECIALTIES).codes
    brand = world.scenario.brand
    static = static_hcp_date(brand)
    blocks = [
        block(keys["specialty_encoded"], entities, number_json(specialty), static),
        block(keys["years_experience"], entities, number_json(hcps["years_experience"]), static),
        block(
            keys["academic_flag"],
            entities,
            np.where(hcps["academic_hcp"].to_numpy(), "true", "false"),
            static,
        ),
    ]
    month_start = VOLUME_MONTHS.astype("datetime64[D]")
    drifted = (shift.feature == "patient_volume_monthly") & (month_start >= shift.start)
    factor = np.where(drifted, shift.factor, 1.0)[None, :]
    launched = volume_months(brand)[0] <= VOLUME_MONTHS
    total = world.hcp_total_volume

    def draw(rng: np.random.Generator, block: np.ndarray) -> dict[str, np.ndarray]:
        """An HCP's monthly volumes (the panel's rates of the block's HCPs)."""
        rate = total[np.minimum(block, len(total) - 1)][:, None] / 12.0 * factor
        return {"volume": rng.poisson(rate)}

    names = ("feature_values-hcp", world.scenario.brand, world.scenario.dgp)
    volume = unit_draws(world.seed, names, *world.owned_hcp_range, draw)["volume"].astype(float)
    blocks.append(
        block(
            keys["patient_volume_monthly"],
            np.repeat(entities, launched.sum()),
            number_json(volume[:, launched].ravel()),
            np.tile(month_start[launched].astype("datetime64[s]"), len(ids)),
        )
    )
    return blocks


def brand_blocks(world: World, keys: dict[str, str], metrics: pd.DataFrame) -> list[pd.DataFrame]:
    blocks = []
    for feature, metric in (
        ("trx_30d", "trx"),
        ("nrx_30d", "nrx"),
        ("conversion_rate", "conversion_rate"),
    ):
        rows = metrics[metrics["metric_name"] == metric]
        entities = np.strings.add(
            np.strings.add(
                f'{{"brand": "{world.scenario.brand}", "region": "',
                rows["region"].to_numpy().astype(str),
            ),
            '"}',
        )
        closes = (rows["metric_date"].to_numpy().astype("datetime64[M]") + 1).astype(
            "datetime64[s]"
        )
        blocks.append(block(keys[feature], entities, number_json(rows["value"].to_numpy()), closes))
    return blocks


def freshness(timestamps: np.ndarray) -> np.ndarray:
    age = (AS_OF - timestamps.astype("datetime64[s]")).astype("timedelta64[D]").astype(int)
    return np.select([age <= FRESH_DAYS, age <= STALE_DAYS], ["fresh", "stale"], "expired")


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(
        [unit_rows(world, upstream), brand_rows(world, upstream["business_metrics"])],
        ignore_index=True,
    )


def unit_rows(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The rows of the world's patients and of the HCPs positioned among them, in position
    order (an HCP's after the patient at its position), each keyed by its owner's index and
    its rank among the owner's rows: the same rows however the scenario is chunked."""
    keys = feature_keys(world)
    shift = drift(world)
    patients = patient_blocks(world, keys, upstream["patient_journeys"], shift)
    hcps = hcp_blocks(world, keys, upstream["hcp_profiles"], shift)
    hcp = world.owned_hcps
    months = len(volume_months(world.scenario.brand))
    owner = np.concatenate(
        [np.tile(world.units, len(patients)), np.tile(hcp, len(hcps) - 1), np.repeat(hcp, months)]
    )
    is_hcp = np.arange(len(owner)) >= world.n_patients * len(patients)
    position = np.where(is_hcp, hcp_position(world.scenario_patients, owner), owner)
    order = np.argsort(2 * position + is_hcp, kind="stable")
    frame = pd.concat(patients + hcps, ignore_index=True).iloc[order].reset_index(drop=True)
    owner, is_hcp = owner[order], is_hcp[order]
    rank = rank_within(2 * owner + is_hcp)
    value_id = np.where(
        is_hcp,
        sequence_keys(world, "VH", owner, rank),
        sequence_keys(world, "V", owner, rank),
    )
    return finish(world, frame, value_id)


def brand_rows(world: World, metrics: pd.DataFrame) -> pd.DataFrame:
    """The scenario-level rows: brand KPIs per region, from business_metrics."""
    frame = pd.concat(brand_blocks(world, feature_keys(world), metrics), ignore_index=True)
    return finish(world, frame, scenario_keys(world, "VB", np.arange(len(frame))))


def finish(world: World, frame: pd.DataFrame, value_id: np.ndarray) -> pd.DataFrame:
    frame["data_split"] = frame["data_split"].astype("str").where(frame["data_split"].notna())
    return frame.assign(
        value_id=value_id,
        freshness_status=freshness(frame["event_timestamp"].to_numpy()),
        **scenario_columns(world),
    )
