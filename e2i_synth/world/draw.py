"""A scenario's causal world, drawn unit by unit so any range of it can be drawn alone.

HCPs, patients, covariates, treatment, both potential outcomes per patient, their timing
and the split. Every table is a projection of this object, so the ground truth and the
data are cut from the same arrays.

Chunk-addressable: `draw_world(scenario, n, seed, start, stop)` draws patients
[start, stop) of the scenario of n patients, and the union of the chunks of any chunking
is the one-piece draw, byte for byte. What makes it so:

- HCPs are scenario-level: the panel (n * HCPS_PER_PATIENT HCPs, their attributes, their
  lognormal patient volumes and how many of the scenario's patients each sees) is drawn
  per HCP from counter-based streams and is the same whole panel in every chunk.
- A patient's draws depend only on (seed, scenario, patient index) (seeds.unit_draws);
  its HCP is its own uniform read through the panel's cumulative volume (inverse CDF).
- Splits are exact per block of SPLIT_BLOCK patients (12/4/3/1 of 20 for 60/20/15/5),
  assigned by ranking a keyed uniform within the block, so every chunk aligned to 20
  has the exact proportions; the last, partial block of a scenario gets the largest-
  remainder counts of its size, so a whole scenario of any n is within one unit of them.
- The rows of HCP-level tables go with the chunk holding the HCP's position
  (`hcp_position`), so a chunking of the patients is also a chunking of the HCPs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from functools import cache, lru_cache
from typing import Any

import numpy as np

from e2i_synth.catalog import (
    BRANDS,
    FOLLOW_UP_DAYS,
    HCPS_PER_PATIENT,
    INDEX_GAP_DAYS,
    JOURNEY_START_FIRST,
    JOURNEY_START_LAST,
    PRACTICE_TYPES,
    REFILL_INTERVAL_DAYS,
    REGION_SHARES,
    REGIONS,
    SPLIT_SHARES,
    SPLITS,
    DgpSpec,
    Population,
)
from e2i_synth.seeds import BLOCK_UNITS, unit_draws
from e2i_synth.settings import Scenario
from e2i_synth.world import mechanisms
from e2i_synth.world.dgps import (
    Covariates,
    Latent,
    Mechanism,
    baseline,
    baseline_signal,
    effect,
    propensity,
    propensity_logit,
)
from e2i_synth.world.mechanisms.base import Draft, observed_arm
from e2i_synth.world.mechanisms.censoring import censor, data_cut, known_by_cut
from e2i_synth.world.variants import variant_spec

SPLIT_BLOCK = 20
"""Patients per exact split block: the smallest block with whole counts of every share."""
assert BLOCK_UNITS % SPLIT_BLOCK == 0
ASSIGNMENT_PASS = 1_000_000
"""Patients per pass when counting every HCP's patients (bounds the panel's memory)."""


class VariantParts:
    """Arrays only some variants draw, by name: the `parts` each mechanism declares
    (world.mechanisms), e.g. `instrument`, `engaged_if` (the treatment with the instrument
    off and on, shape (2, n)), `dose_outcomes`, `observed_if` (whether the outcome would be
    recorded unengaged and engaged), `window_closed`, `outcome` (the outcome under the
    unit's own history, with a time-varying engagement), `data_cut` (of a world cut on a
    day of its own, `at_cut`); and `observed`, whether each unit's outcome is recorded
    under its own engagement (the analysis tables hold NULL where it is not). A part the
    world lacks reads None; a name no mechanism declares is an error."""

    __slots__ = ("_arrays",)

    def __init__(self, **arrays: Any) -> None:
        unknown = set(arrays) - mechanisms.part_names()
        if unknown:
            raise TypeError(f"no mechanism declares the variant parts {sorted(unknown)}")
        self._arrays = dict(arrays)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and name in mechanisms.part_names():
            return self._arrays.get(name)
        raise AttributeError(f"no variant part {name!r}")

    def drawn(self) -> dict[str, Any]:
        """The parts this world has, by name."""
        return dict(self._arrays)

    def __repr__(self) -> str:
        return f"VariantParts({', '.join(sorted(self._arrays))})"


NO_PARTS = VariantParts()
JOURNEY_SPAN_DAYS = int(
    (np.datetime64(JOURNEY_START_LAST) - np.datetime64(JOURNEY_START_FIRST)).astype(int)
)


@dataclass(frozen=True)
class World:
    """Patients [first_unit, first_unit + n_patients) of a scenario of `scenario_patients`,
    with the scenario's whole HCP panel."""

    scenario: Scenario
    seed: int
    scenario_patients: int
    first_unit: int
    # HCPs: the whole panel
    hcp_specialty_code: np.ndarray  # index into the brand's specialties
    hcp_region_code: np.ndarray
    hcp_practice_code: np.ndarray  # index into catalog.PRACTICE_TYPES
    hcp_academic: np.ndarray
    hcp_patients: np.ndarray  # the scenario's patients each HCP sees
    hcp_total_volume: np.ndarray  # those plus its patients outside the scenario
    hcp_decile: np.ndarray  # of the total volume, over the whole panel
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
        """Patients in this world (the chunk's, or the scenario's when drawn whole)."""
        return len(self.engaged)

    @property
    def units_stop(self) -> int:
        return self.first_unit + self.n_patients

    @property
    def units(self) -> np.ndarray:
        """Each patient's index in the scenario (its key and its random streams)."""
        return np.arange(self.first_unit, self.first_unit + self.n_patients)

    @property
    def n_hcps(self) -> int:
        return len(self.hcp_region_code)

    @property
    def hcp_specialty(self) -> np.ndarray:
        """Every HCP's specialty (the panel keeps codes: a byte per HCP at any scale)."""
        return np.array(BRANDS[self.scenario.brand].specialties)[self.hcp_specialty_code]

    @property
    def hcp_practice_type(self) -> np.ndarray:
        return np.array(PRACTICE_TYPES)[self.hcp_practice_code]

    @property
    def owned_hcp_range(self) -> tuple[int, int]:
        """The HCPs whose rows go with this chunk: those positioned inside it."""
        return hcp_range(self.scenario_patients, self.first_unit, self.units_stop)

    @property
    def owned_hcps(self) -> np.ndarray:
        return np.arange(*self.owned_hcp_range)

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

    @property
    def data_cut(self) -> np.datetime64:
        """The day after which nothing exists in this world."""
        return data_cut(self.spec) if self.parts.data_cut is None else self.parts.data_cut

    @property
    def censored(self) -> bool:
        """Whether outcome windows still open at the data cut are right-censored."""
        return self.parts.window_closed is not None


@dataclass(frozen=True)
class VariantWorld(World):
    """A world with VariantParts. They live in this subclass so that World's own fields,
    which the named DGPs' pinned world digests cover, stay as they were."""

    variant_parts: VariantParts

    @property
    def parts(self) -> VariantParts:
        return self.variant_parts

    @property
    def outcome(self) -> np.ndarray:
        """The observed outcome: under a time-varying engagement, that of the unit's own
        history (engaged at one time only is neither potential outcome)."""
        own = self.variant_parts.outcome
        return super().outcome if own is None else own


def hcp_count(n_patients: int) -> int:
    return max(1, round(n_patients * HCPS_PER_PATIENT))


def hcp_position(n_patients: int, hcp: np.ndarray) -> np.ndarray:
    """The patient position an HCP's rows sit at: HCPs spread evenly over the patients."""
    return np.asarray(hcp) * n_patients // hcp_count(n_patients)


def hcp_range(n_patients: int, start: int, stop: int) -> tuple[int, int]:
    """The HCPs positioned in patients [start, stop): a partition of the HCPs for any
    partition of the patients."""
    n_hcps = hcp_count(n_patients)
    return -(-start * n_hcps // n_patients), -(-stop * n_hcps // n_patients)


def split_counts(n: int) -> np.ndarray:
    """Units per split: share * n rounded by largest remainder, so every split is within
    1/n of its share."""
    quotas = np.array(SPLIT_SHARES) * n
    counts = np.floor(quotas).astype(int)
    counts[np.argsort(counts - quotas, kind="stable")[: n - counts.sum()]] += 1
    return counts


def exact_split(n: int, rng: np.random.Generator) -> np.ndarray:
    """Split codes with `split_counts(n)` units per split, shuffled (the HCP layer's)."""
    return rng.permutation(np.repeat(np.arange(len(SPLITS)), split_counts(n)))


def _uniforms(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
    return {"u": rng.random(len(units))}


def block_splits(seed: int, names: tuple[str, ...], n: int, start: int, stop: int) -> np.ndarray:
    """Split codes of patients [start, stop): within each block of SPLIT_BLOCK patients,
    the k-th smallest of the patients' keyed uniforms takes the k-th code of the block's
    exact pattern (the partial last block's pattern has its own largest-remainder counts)."""
    lo = start - start % SPLIT_BLOCK
    hi = min(n, -(-stop // SPLIT_BLOCK) * SPLIT_BLOCK)
    u = unit_draws(seed, names, lo, hi, _uniforms)["u"]
    codes = np.empty(hi - lo, dtype=np.int64)
    full = (hi - lo) // SPLIT_BLOCK * SPLIT_BLOCK
    for part in (slice(0, full), slice(full, hi - lo)):  # whole blocks, then a partial last
        blocks = u[part].reshape(-1, min(SPLIT_BLOCK, part.stop - part.start) or 1)
        pattern = np.repeat(np.arange(len(SPLITS)), split_counts(blocks.shape[1]))
        ranks = np.argsort(np.argsort(blocks, axis=1, kind="stable"), axis=1, kind="stable")
        codes[part] = pattern[ranks].ravel()
    return codes[start - lo : stop - lo]


@dataclass(frozen=True)
class Panel:
    """The scenario-level part of a world: its HCPs, the same in every chunk."""

    specialty_code: np.ndarray
    region_code: np.ndarray
    practice_code: np.ndarray
    academic: np.ndarray
    volume_cdf: np.ndarray  # cumulative share of patients by HCP (lognormal volumes)
    patients: np.ndarray  # the scenario's patients each HCP sees
    total_volume: np.ndarray  # those plus the HCP's patients outside the scenario
    decile: np.ndarray  # of total_volume over the whole panel


def deciles(volume: np.ndarray) -> np.ndarray:
    """Decile 10 holds the highest-volume HCPs; ties broken by position for determinism."""
    ranks = np.argsort(np.argsort(volume, kind="stable"), kind="stable")
    return (ranks * 10 // len(volume)) + 1


def _names(kind: str, scenario: Scenario) -> tuple[str, ...]:
    """Streams are named by (kind, brand, base DGP), never by the knobs: every variant of a
    DGP draws the same units and noise for the same seed, so comparisons across knob levels
    are paired (and a knob at its neutral value draws the world of no knob). A mechanism's
    own uniforms have streams of their own (`streams`), so switching it on moves no other."""
    return (kind, scenario.brand, scenario.dgp)


def _assign(panel_cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Each patient's HCP: its uniform read through the cumulative volume (inverse CDF)."""
    return np.minimum(np.searchsorted(panel_cdf, u, side="right"), len(panel_cdf) - 1)


def _assignment_uniforms(scenario: Scenario, seed: int, start: int, stop: int) -> np.ndarray:
    return unit_draws(seed, _names("world-hcp", scenario), start, stop, _uniforms)["u"]


@lru_cache(maxsize=4)
def draw_panel(scenario: Scenario, n_patients: int, seed: int) -> Panel:
    """The HCP panel, each HCP drawn from its own counter, and how many of the scenario's
    patients each sees (one pass over every patient's HCP uniform, in bounded slices)."""
    n_hcps = hcp_count(n_patients)
    n_specialties = len(BRANDS[scenario.brand].specialties)
    population = BRANDS[scenario.brand].population

    def draw(rng: np.random.Generator, hcps: np.ndarray) -> dict[str, np.ndarray]:
        n = len(hcps)
        return {
            "practice": rng.choice(len(PRACTICE_TYPES), size=n, p=[0.25, 0.3, 0.25, 0.2]),
            "specialty": rng.integers(0, n_specialties, n),
            "region": rng.choice(len(REGIONS), size=n, p=REGION_SHARES),
            # patients concentrate on some HCPs (lognormal volumes), as real panels do
            "volume": rng.lognormal(0.0, population.hcp_volume_sigma, n),
            "outside": rng.poisson(population.hcp_outside_patients, n),
        }

    hcps = unit_draws(seed, _names("world-hcps", scenario), 0, n_hcps, draw)
    cdf = np.cumsum(hcps["volume"])
    cdf /= cdf[-1]
    patients = np.zeros(n_hcps, dtype=np.int64)
    for start in range(0, n_patients, ASSIGNMENT_PASS):
        u = _assignment_uniforms(scenario, seed, start, min(start + ASSIGNMENT_PASS, n_patients))
        patients += np.bincount(_assign(cdf, u), minlength=n_hcps)
    return Panel(
        specialty_code=hcps["specialty"].astype(np.int8),
        region_code=hcps["region"],
        practice_code=hcps["practice"].astype(np.int8),
        academic=hcps["practice"] == PRACTICE_TYPES.index("academic_medical_center"),
        volume_cdf=cdf,
        patients=patients,
        total_volume=patients + hcps["outside"],
        decile=deciles(patients + hcps["outside"]),
    )


def _unit_draw(scenario: Scenario, lag: int):
    population = BRANDS[scenario.brand].population

    def draw(rng: np.random.Generator, units: np.ndarray) -> dict[str, np.ndarray]:
        n = len(units)
        return {
            "severity": rng.beta(*population.severity_beta, n),
            "comorbidity": rng.binomial(6, population.comorbidity_rate, n),
            "age": rng.normal(population.age_mean, 13, n),
            "engage": rng.random(n),
            "outcome": rng.random(n),  # common random numbers: one draw shared by both arms
            "score": rng.beta(2, 2, n),
            "journey_day": journey_days(population.launch, rng.random(n)),
            "index_gap": rng.integers(INDEX_GAP_DAYS[0], INDEX_GAP_DAYS[1] + 1, n),
            "spontaneous_day": initiation_days(rng.random(n), 1, population),
            "caused_day": initiation_days(rng.random(n), max(lag, 1), population),
            "refills": rng.geometric(0.35, n) - 1,
            "stop": rng.random(n),
        }

    return draw


def journey_days(launch: date, u: np.ndarray) -> np.ndarray:
    """Days after JOURNEY_START_FIRST that journeys start, from uniforms: evenly spread for
    a brand launched before the calendar; for one launched inside it, none before the
    launch and a linearly rising density after it (uptake)."""
    first = max(0, (launch - JOURNEY_START_FIRST).days)
    if first == 0:
        return np.floor(u * (JOURNEY_SPAN_DAYS + 1)).astype(np.int64)
    return first + np.floor(np.sqrt(u) * (JOURNEY_SPAN_DAYS + 1 - first)).astype(np.int64)


def initiation_days(u: np.ndarray, first: int, population: Population) -> np.ndarray:
    """Days first..FOLLOW_UP_DAYS after the index date, from uniforms: an exponential with
    the brand's median, truncated to the window (initiations cluster early)."""
    rate = np.log(2) / population.initiation_median_days
    width = FOLLOW_UP_DAYS + 1 - first
    x = -np.log1p(-u * -np.expm1(-rate * width)) / rate  # inverse CDF on [0, width)
    return first + np.minimum(np.floor(x), width - 1).astype(np.int64)


def _dates(d: dict[str, np.ndarray], engaged, caused, initiated) -> dict[str, np.ndarray]:
    """Journey start, index date and initiation date.

    Initiations the engagement causes (`caused`) fall on or after index + lag; all other
    initiations fall anywhere in the follow-up window, so a lagged contrast sees no effect
    before the lag.
    """
    journey_start = np.datetime64(JOURNEY_START_FIRST) + d["journey_day"]
    index_date = journey_start + d["index_gap"]
    initiation_day = np.where(caused & engaged, d["caused_day"], d["spontaneous_day"])
    initiation_date = np.where(initiated, index_date + initiation_day, np.datetime64("NaT")).astype(
        "datetime64[D]"
    )
    return {
        "journey_start": journey_start,
        "index_date": index_date,
        "initiation_date": initiation_date,
        "outcome_date": index_date + FOLLOW_UP_DAYS + 1,
    }


def _persistence(
    d: dict[str, np.ndarray], initiation_date: np.ndarray, outcome_date: np.ndarray
) -> dict[str, np.ndarray]:
    """Monthly refills after initiation and an optional stop, all before the outcome date
    (or the data cut, when it comes first)."""
    initiated = ~np.isnat(initiation_date)
    room = np.where(
        initiated, (outcome_date - initiation_date).astype("timedelta64[D]").astype(float), 0
    )
    max_refills = np.floor((room - 1) / REFILL_INTERVAL_DAYS).astype(int).clip(0)
    refills = np.minimum(d["refills"], max_refills)
    stopped = initiated & (d["stop"] < 0.25) & (refills < max_refills)
    return {"refills": np.where(initiated, refills, 0), "stopped": stopped}


def unit_model(spec: DgpSpec, c: Covariates, latent: Latent) -> Mechanism:
    """Propensity, p0 and tau of every unit under `spec`: the base equations (dgps), with
    the baseline signal, the propensity's logit and then the unit model reshaped by each
    mechanism the spec has, in registry order. `latent(part)` draws an unobserved part,
    asked for only when the spec uses it; the same part gives the same draw when asked
    again."""
    active = mechanisms.active(spec)
    signal = baseline_signal(spec, c)
    for m in active:
        if m.baseline:
            signal = m.baseline(spec, signal, latent)
    p0 = baseline(spec, signal, latent)
    logit = propensity_logit(spec, c)
    for m in active:
        if m.logit:
            logit = m.logit(spec, logit, latent)
    model = Mechanism(propensity(spec, logit, len(c.disease_severity)), p0, effect(spec, c, p0))
    for m in active:
        if m.model:
            model = m.model(spec, model, logit, latent)
    return model


def _run(stage: str, draft: Draft) -> None:
    """The draw steps of the draft's mechanisms at `stage`, in registry order."""
    for m in mechanisms.active(draft.spec):
        step = m.steps.get(stage)
        if step:
            step(draft)


def draw_world(
    scenario: Scenario, n_patients: int, seed: int, start: int = 0, stop: int | None = None
) -> World:
    """Patients [start, stop) (default: all) of the scenario's world of `n_patients`, from
    its own named streams of `seed`; any chunking of [0, n) draws the same patients."""
    stop = n_patients if stop is None else stop
    if not 0 <= start <= stop <= n_patients:
        raise ValueError(f"chunk [{start}, {stop}) is not inside [0, {n_patients})")
    spec = variant_spec(scenario.dgp, scenario.knobs)
    panel = draw_panel(scenario, n_patients, seed)
    d = unit_draws(
        seed, _names("world", scenario), start, stop, _unit_draw(scenario, spec.lag_days)
    )
    patient_hcp = _assign(panel.volume_cdf, _assignment_uniforms(scenario, seed, start, stop))
    covariates = Covariates(
        disease_severity=np.round(10 * d["severity"], 1),
        comorbidity_count=d["comorbidity"],
        academic_hcp=panel.academic[patient_hcp],
        age_at_diagnosis=np.clip(np.round(d["age"]), 18, 90).astype(int),
        region_code=panel.region_code[patient_hcp],
    )
    # The unobserved parts (outcome noise, a hidden confounder, an instrument) have their
    # own streams, so the draws above and below are the same with or without them.
    latent = latent_draws(seed, scenario, start, stop)
    model = unit_model(spec, covariates, latent)
    draft = Draft(spec, covariates, latent, d, model)
    # the outcome probability untreated and treated (a mechanism may decide them)
    draft.p_if = (model.p0, model.p0 + model.tau) if model.outcome_if is None else model.outcome_if
    _run("arms", draft)
    draft.treatment_u = d["engage"]  # also decides the treatment under any instrument
    engaged = draft.engaged = d["engage"] < model.propensity
    draft.y0 = d["outcome"] < draft.p_if[0]  # common random numbers: one draw for both arms
    draft.y1 = d["outcome"] < draft.p_if[1]
    draft.observed = np.where(engaged, draft.y1, draft.y0)
    draft.tau, draft.ever_engaged = model.tau, engaged
    _run("history", draft)
    d = draft.unit
    # engagement_score >= 5 exactly when engaged: the score is the treatment's dose record.
    engagement_score = np.round(5.0 * engaged + 4.99 * d["score"], 2)
    draft.dates = _dates(d, draft.ever_engaged, draft.observed & ~draft.y0, draft.observed)
    _run("record", draft)
    dates = draft.dates
    world = World(
        scenario=scenario,
        seed=seed,
        scenario_patients=n_patients,
        first_unit=start,
        hcp_specialty_code=panel.specialty_code,
        hcp_region_code=panel.region_code,
        hcp_practice_code=panel.practice_code,
        hcp_academic=panel.academic,
        hcp_patients=panel.patients,
        hcp_total_volume=panel.total_volume,
        hcp_decile=panel.decile,
        patient_hcp=patient_hcp,
        covariates=covariates,
        propensity=model.propensity,
        p0=model.p0,
        tau=draft.tau,
        engaged=engaged,
        y0=draft.y0,
        y1=draft.y1,
        engagement_score=engagement_score,
        split=block_splits(seed, _names("world-split", scenario), n_patients, start, stop),
        **dates,
        **_persistence(d, dates["initiation_date"], dates["outcome_date"]),
    )
    if not draft.parts:
        return world
    observed_if = draft.parts.get("observed_if")
    if observed_if is not None:
        draft.parts["observed"] = observed_arm(observed_if, engaged)
    return VariantWorld(
        **{f.name: getattr(world, f.name) for f in fields(World)},
        variant_parts=VariantParts(**draft.parts),
    )


def at_cut(world: World, cut: np.datetime64) -> VariantWorld:
    """The world as a data cut on `cut` leaves it, by the `censor` knob's rules at any day:
    initiations from the cut on do not exist, refills and stops end before the outcome
    date, outcomes are assessed on the cut at the latest, and a patient whose window is
    still open and who has not initiated by then has an unknown outcome (`observed`), its
    window closed or not saying whether it is followed. For a world of a named DGP (no
    variant parts), whose index dates all fall before the cut: a story cuts its re-dated
    world on its as-of date this way."""
    if world.parts is not NO_PARTS:
        raise ValueError(f"{world.spec.label}: only a world without variant parts is cut here")
    cut = np.datetime64(cut, "D")
    if len(world.index_date) and world.index_date.max() >= cut:
        raise ValueError(f"index dates on or after the cut {cut}: their engagement would follow it")
    d = unit_draws(
        world.seed,
        _names("world", world.scenario),
        world.first_unit,
        world.units_stop,
        _unit_draw(world.scenario, world.lag_days),
    )
    dates = {
        "journey_start": world.journey_start,
        "index_date": world.index_date,
        "initiation_date": world.initiation_date,
        "outcome_date": world.outcome_date,
    }
    window_closed = world.outcome_date <= cut
    caused_if_engaged = world.y1 & ~world.y0
    known_if = known_by_cut(
        d, world.index_date, world.y0, world.y1, caused_if_engaged, window_closed, cut
    )
    dates = censor(dates, cut)
    kept = {f.name: getattr(world, f.name) for f in fields(World)}
    parts = VariantParts(
        observed_if=known_if,
        observed=observed_arm(known_if, world.engaged),
        window_closed=window_closed,
        data_cut=cut,
    )
    return VariantWorld(
        **{
            **kept,
            **dates,
            **_persistence(d, dates["initiation_date"], dates["outcome_date"]),
        },
        variant_parts=parts,
    )


def latent_draws(seed: int, scenario: Scenario, start: int, stop: int) -> Latent:
    """Each unobserved part of units [start, stop), drawn per unit from its own stream
    when first asked for."""

    @cache
    def draw(part: str) -> np.ndarray:
        names = _names(mechanisms.streams()[part], scenario)
        return unit_draws(seed, names, start, stop, _uniforms)["u"]

    return draw


@lru_cache(maxsize=1)
def cached_world(scenario: Scenario, n_patients: int, seed: int) -> World:
    """The last world drawn, so the assets of one scenario draw it once (one kept at a time)."""
    return draw_world(scenario, n_patients, seed)
