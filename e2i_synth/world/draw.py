"""One vectorized draw of a scenario's causal world.

HCPs, patients, covariates, treatment, both potential outcomes per patient, their timing
and the split. Every table is a projection of this object, so the ground truth and the
data are cut from the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache, lru_cache

import numpy as np

from e2i_synth.catalog import (
    BRANDS,
    HCPS_PER_PATIENT,
    JOURNEY_START_FIRST,
    JOURNEY_START_LAST,
    PRACTICE_TYPES,
    REGION_SHARES,
    REGIONS,
    SPLIT_SHARES,
    SPLITS,
    DgpSpec,
)
from e2i_synth.seeds import stream
from e2i_synth.settings import Scenario
from e2i_synth.world.dgps import Covariates, Latent, instrument_assigned, mechanism
from e2i_synth.world.variants import variant_spec

FOLLOW_UP_DAYS = 120
"""Initiations count when they fall within this many days after the index date; the
outcome is assessed the day after."""
REFILL_INTERVAL_DAYS = 30

AGE_MEAN_BY_BRAND = {"remibrutinib": 42.0, "fabhalta": 45.0, "kisqali": 58.0}
LATENT_STREAMS = {
    "noise": "world-latent",
    "hidden": "world-hidden",
    "instrument": "world-iv",
    "mediator": "world-mediator",
}
"""The named stream of each unobserved part (dgps.Latent): drawing one changes no other draw."""


@dataclass(frozen=True)
class VariantParts:
    """Arrays only some variants draw: `hidden`, the hidden confounder of every unit (on
    [0, 1]; stored in unit_truth only); `instrument`, whether the instrument is on for the
    unit (stored in patient_journeys), and `engaged_if`, the unit's treatment with it off
    and on (shape (2, n), from the same uniform as `engaged`; stored in unit_truth);
    `mediator`, the mediator under the unit's own treatment (stored in patient_journeys)."""

    hidden: np.ndarray | None = None
    instrument: np.ndarray | None = None
    engaged_if: np.ndarray | None = None
    mediator: np.ndarray | None = None


NO_PARTS = VariantParts()


@dataclass(frozen=True)
class World:
    scenario: Scenario
    seed: int
    # HCPs
    hcp_specialty: np.ndarray
    hcp_region_code: np.ndarray
    hcp_practice_type: np.ndarray
    hcp_academic: np.ndarray
    # patients
    patient_hcp: np.ndarray  # index into the HCP arrays
    covariates: Covariates
    propensity: np.ndarray
    p0: np.ndarray
    tau: np.ndarray
    engaged: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    engagement_score: np.ndarray
    journey_start: np.ndarray  # datetime64[D]
    index_date: np.ndarray  # datetime64[D]: engagement date for engaged patients
    initiation_date: np.ndarray  # datetime64[D], NaT when not initiated
    outcome_date: np.ndarray  # datetime64[D]: when initiation is assessed
    refills: np.ndarray  # refills before the outcome date (0 when not initiated)
    stopped: np.ndarray  # therapy stopped (switch or discontinuation) before the outcome date
    split: np.ndarray  # index into catalog.SPLITS

    @property
    def n_patients(self) -> int:
        return len(self.engaged)

    @property
    def n_hcps(self) -> int:
        return len(self.hcp_specialty)

    @property
    def outcome(self) -> np.ndarray:
        """The observed outcome: the potential outcome of the arm actually received."""
        return np.where(self.engaged, self.y1, self.y0)

    @property
    def spec(self) -> DgpSpec:
        """The DGP the world was drawn from (a variant's spec when it has knobs)."""
        return variant_spec(self.scenario.dgp, self.scenario.knobs)

    @property
    def lag_days(self) -> int:
        return self.spec.lag_days

    @property
    def parts(self) -> VariantParts:
        """What only some variants draw (a VariantWorld holds them): nothing here."""
        return NO_PARTS


@dataclass(frozen=True)
class VariantWorld(World):
    """A world with VariantParts. They live in this subclass so that World's own fields,
    which the named DGPs' pinned world digests cover, stay as they were."""

    variant_parts: VariantParts

    @property
    def parts(self) -> VariantParts:
        return self.variant_parts


def split_counts(n: int) -> np.ndarray:
    """Units per split: share * n rounded by largest remainder, so every split is within
    1/n of its share."""
    quotas = np.array(SPLIT_SHARES) * n
    counts = np.floor(quotas).astype(int)
    counts[np.argsort(counts - quotas, kind="stable")[: n - counts.sum()]] += 1
    return counts


def exact_split(n: int, rng: np.random.Generator) -> np.ndarray:
    """Split codes with `split_counts(n)` units per split, shuffled."""
    return rng.permutation(np.repeat(np.arange(len(SPLITS)), split_counts(n)))


def _draw_hcps(scenario: Scenario, n_hcps: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    specialties = np.array(BRANDS[scenario.brand].specialties)
    practice = rng.choice(len(PRACTICE_TYPES), size=n_hcps, p=[0.25, 0.3, 0.25, 0.2])
    return {
        "hcp_specialty": specialties[rng.integers(0, len(specialties), n_hcps)],
        "hcp_region_code": rng.choice(len(REGIONS), size=n_hcps, p=REGION_SHARES),
        "hcp_practice_type": np.array(PRACTICE_TYPES)[practice],
        "hcp_academic": practice == PRACTICE_TYPES.index("academic_medical_center"),
    }


def _draw_dates(
    rng: np.random.Generator,
    n: int,
    engaged: np.ndarray,
    caused: np.ndarray,
    initiated: np.ndarray,
    lag: int,
) -> dict[str, np.ndarray]:
    """Journey start, index date and initiation date.

    Initiations the engagement causes (`caused`) fall on or after index + lag; all other
    initiations fall anywhere in the follow-up window, so a lagged contrast sees no effect
    before the lag.
    """
    span = (np.datetime64(JOURNEY_START_LAST) - np.datetime64(JOURNEY_START_FIRST)).astype(int)
    journey_start = np.datetime64(JOURNEY_START_FIRST) + rng.integers(0, span + 1, n)
    index_date = journey_start + rng.integers(7, 46, n)
    spontaneous_day = rng.integers(1, FOLLOW_UP_DAYS + 1, n)
    caused_day = rng.integers(max(lag, 1), FOLLOW_UP_DAYS + 1, n)
    initiation_day = np.where(caused & engaged, caused_day, spontaneous_day)
    initiation_date = np.where(initiated, index_date + initiation_day, np.datetime64("NaT")).astype(
        "datetime64[D]"
    )
    return {
        "journey_start": journey_start,
        "index_date": index_date,
        "initiation_date": initiation_date,
        "outcome_date": index_date + FOLLOW_UP_DAYS + 1,
    }


def _draw_persistence(
    rng: np.random.Generator, initiation_date: np.ndarray, outcome_date: np.ndarray
) -> dict[str, np.ndarray]:
    """Monthly refills after initiation and an optional stop, all before the outcome date."""
    initiated = ~np.isnat(initiation_date)
    room = np.where(
        initiated, (outcome_date - initiation_date).astype("timedelta64[D]").astype(float), 0
    )
    max_refills = np.floor((room - 1) / REFILL_INTERVAL_DAYS).astype(int).clip(0)
    refills = np.minimum(rng.geometric(0.35, len(room)) - 1, max_refills)
    stopped = initiated & (rng.random(len(room)) < 0.25) & (refills < max_refills)
    return {"refills": np.where(initiated, refills, 0), "stopped": stopped}


def draw_world(scenario: Scenario, n_patients: int, seed: int) -> World:
    """Draw the scenario's world from its own named stream of `seed` (a variant's stream
    is named by its label, so variants are independent replications of each other)."""
    spec = variant_spec(scenario.dgp, scenario.knobs)
    rng = stream(seed, "world", scenario.brand, spec.label)
    n_hcps = max(1, round(n_patients * HCPS_PER_PATIENT))
    hcps = _draw_hcps(scenario, n_hcps, rng)

    # Patients concentrate on some HCPs (lognormal volumes), as real panels do.
    volume = rng.lognormal(0.0, 0.8, n_hcps)
    patient_hcp = rng.choice(n_hcps, size=n_patients, p=volume / volume.sum())
    age_mean = AGE_MEAN_BY_BRAND[scenario.brand]
    covariates = Covariates(
        disease_severity=np.round(10 * rng.beta(2.2, 2.2, n_patients), 1),
        comorbidity_count=rng.binomial(6, 0.3, n_patients),
        academic_hcp=hcps["hcp_academic"][patient_hcp],
        age_at_diagnosis=np.clip(np.round(rng.normal(age_mean, 13, n_patients)), 18, 90).astype(
            int
        ),
        region_code=hcps["hcp_region_code"][patient_hcp],
    )
    # The unobserved parts (outcome noise, a hidden confounder) have their own streams, so
    # the draws above and below are the same with or without them.
    latent = latent_draws(seed, scenario.brand, spec.label, n_patients)
    units = mechanism(spec, covariates, latent)
    # the outcome probability untreated and treated (a mediator's draw decides them)
    p_if = (units.p0, units.p0 + units.tau) if units.outcome_if is None else units.outcome_if
    treatment_u = rng.random(n_patients)  # also decides the treatment under any instrument
    engaged = treatment_u < units.propensity
    u = rng.random(n_patients)  # common random numbers: one draw shared by both arms
    y0 = u < p_if[0]
    y1 = u < p_if[1]
    caused = y1 & ~y0
    observed = np.where(engaged, y1, y0)
    # engagement_score >= 5 exactly when engaged: the score is the treatment's dose record.
    engagement_score = np.round(5.0 * engaged + 4.99 * rng.beta(2, 2, n_patients), 2)
    dates = _draw_dates(rng, n_patients, engaged, caused, observed, spec.lag_days)
    persistence = _draw_persistence(rng, dates["initiation_date"], dates["outcome_date"])
    world = World(
        scenario=scenario,
        seed=seed,
        patient_hcp=patient_hcp,
        covariates=covariates,
        propensity=units.propensity,
        p0=units.p0,
        tau=units.tau,
        engaged=engaged,
        y0=y0,
        y1=y1,
        engagement_score=engagement_score,
        split=exact_split(n_patients, rng),
        **hcps,
        **dates,
        **persistence,
    )
    if not (spec.hidden or spec.instrument or spec.mediator):
        return world
    parts = VariantParts(
        hidden=latent("hidden") if spec.hidden else None,
        instrument=instrument_assigned(latent) if spec.instrument else None,
        engaged_if=None if units.propensity_if is None else treatment_u < units.propensity_if,
        mediator=None if units.mediator_if is None else observed_arm(units.mediator_if, engaged),
    )
    return VariantWorld(
        **{f.name: getattr(world, f.name) for f in fields(World)}, variant_parts=parts
    )


def observed_arm(both: np.ndarray, engaged: np.ndarray) -> np.ndarray:
    """Of a (2, n) array by arm (untreated, treated), each unit's own arm."""
    return np.where(engaged, both[1], both[0])


def latent_draws(seed: int, brand: str, label: str, n: int) -> Latent:
    """Each unobserved part of the units, drawn from its own stream when first asked for."""

    @cache
    def draw(part: str) -> np.ndarray:
        return stream(seed, LATENT_STREAMS[part], brand, label).random(n)

    return draw


@lru_cache(maxsize=1)
def cached_world(scenario: Scenario, n_patients: int, seed: int) -> World:
    """The last world drawn, so the assets of one scenario draw it once (one kept at a time)."""
    return draw_world(scenario, n_patients, seed)
