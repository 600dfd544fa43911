"""The HCP intervention layer of a scenario: a confounded delivery history with both
potential outcomes of every intervention for every HCP.

Outcome: `prescribing_change`, the relative change of an HCP's monthly TRx over the 12
weeks after a delivery period. The untreated outcome Y0 of each HCP and period is one draw
shared by every arm (common random numbers), and Y(k, dose) = Y0 + effect(k, dose), so the
true effect of any intervention on any set of HCPs is an exact mean, not an estimate.

History: reps favour high-decile, tier-1 and early-adopter HCPs, who also grow faster
untreated, so the naive treated-vs-untreated contrast is biased upward. Twin code learns
from `history_table` only; potential outcomes leave this module through `true_effects`,
`ground_truth_table`, `unit_truth_table` (the per-HCP answer key) and `run_experiment`
(fidelity's side of the wall).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    ADOPTION_STAGES,
    DELIVERY_DRIVERS,
    DOSE_DURATION_SCALE_WEEKS,
    DOSE_INTENSITY_EXPONENT,
    EFFECT_MULTIPLIERS,
    FREQUENCIES,
    HISTORY_DURATION_WEEKS_RANGE,
    HISTORY_INTENSITY_RANGE,
    HISTORY_PERIODS,
    INTERVENTION_TYPES,
    INTERVENTIONS,
    JOURNEY_START_FIRST,
    REFERENCE_DURATION_WEEKS,
    REFERENCE_INTENSITY,
    SPLITS,
)
from e2i_synth.seeds import stream
from e2i_synth.settings import Scenario
from e2i_synth.world.draw import World, exact_split

INTERVENTION_LAYER_VERSION = "3.0.0"
"""Version of the intervention layer and the twin tables built on it (the patient layer's
is the catalog's GENERATOR_VERSION). 3.0.0: one multi-arm experiment instead of five
sharing an untreated draw; the per-HCP answer key; HCP worlds that differ by DGP."""
OUTCOME = "prescribing_change"
TREATMENT = "intervention_type"
SUBGROUP_COLUMNS: tuple[str, ...] = tuple(EFFECT_MULTIPLIERS)
"""Effect modifiers: the truth is stated per value of each, and overall."""
INTERVENTION_CHANNELS = {
    "email_campaign": "email",
    "call_frequency_increase": "in_person",
    "speaker_program_invitation": "conference",
    "educational_content_share": "web",
    "peer_to_peer_referral": "phone",
}
PERIOD_DAYS = 91
TRX_PER_PATIENT_MONTH = 0.5

# Untreated outcome: drivers of delivery also drive growth (the confounding).
Y0_INTERCEPT = 0.01
Y0_PER_DECILE = 0.008
Y0_TIER1 = 0.01
Y0_BY_ADOPTION = dict(zip(ADOPTION_STAGES, (0.05, 0.03, 0.0, -0.02, -0.04), strict=True))
Y0_PER_PEER_INFLUENCE = 0.004
Y0_PER_DIGITAL_ENGAGEMENT = 0.002
Y0_HCP_SD = 0.015
"""A stable, unobserved HCP level (same in every period): part of the irreducible error."""
Y0_NOISE_SD = 0.02

# Delivery policy: logit P(delivered in a period).
POLICY_INTERCEPT = -1.2
POLICY_PER_DECILE = 0.3
POLICY_TIER1 = 0.6
POLICY_EARLY_ADOPTER = 1.0
EARLY_STAGES = ("innovator", "early_adopter")


@dataclass(frozen=True)
class HcpWorld:
    """How a scenario's DGP shapes its HCP layer, stated as the patient layer's
    causal_ground_truth states its own: what the truth is, and what identifies it."""

    targeting: float  # 0: every HCP delivered at one rate; 1: the confounded policy
    heterogeneity: float  # exponent on the effect multiplier: 0 constant, 1 catalog, 2 strong
    carryover: float  # share of a period's effect still in the next period's outcome
    dropout: float  # chance an HCP whose outcome fell below 0 leaves the panel after it
    truth: str
    identification: str


HCP_WORLDS: dict[str, HcpWorld] = {
    "simple_linear": HcpWorld(
        0.0,
        0.0,
        0.0,
        0.0,
        "every HCP gains base_effect x dose (no effect modifiers)",
        "deliveries at one rate for every HCP: the naive contrast is unbiased",
    ),
    "confounded": HcpWorld(
        1.0,
        1.0,
        0.0,
        0.0,
        "base_effect x the four effect multipliers x dose",
        "reps target high-decile, tier-1, early-adopter HCPs, who grow faster untreated: "
        "adjust for decile, priority_tier, adoption_stage",
    ),
    "heterogeneous": HcpWorld(
        1.0,
        2.0,
        0.0,
        0.0,
        "base_effect x the squared effect multipliers x dose: strong modifiers, where "
        "targeting pays most",
        "as confounded: adjust for decile, priority_tier, adoption_stage",
    ),
    "time_series": HcpWorld(
        1.0,
        1.0,
        0.5,
        0.0,
        "as confounded in the period delivered; half of it carries into the next period "
        "(not part of the stated effect)",
        "as confounded, plus the previous period's delivery, which the carried-over effect "
        "adds to the next outcome",
    ),
    "selection_bias": HcpWorld(
        1.0,
        1.0,
        0.0,
        0.2,
        "as confounded, on every HCP (those who left the panel too)",
        "as confounded; an HCP whose outcome fell below 0 leaves the panel with chance 0.2 "
        "after each period, so the later history is of HCPs who did well",
    ),
}
"""The HCP layer of each DGP: five problems, not five replicates of one."""


@dataclass(frozen=True)
class InterventionWorld:
    """One scenario's intervention layer. Arrays are (HCP, period); period HISTORY_PERIODS
    (the last column of `y0`) is the future period real experiments run in."""

    scenario: Scenario
    seed: int
    hcps: pd.DataFrame  # hcp_profiles, one row per HCP in world order
    y0: np.ndarray  # untreated outcome, HISTORY_PERIODS + 1 columns
    delivered: np.ndarray  # index into INTERVENTION_TYPES, -1 when nothing was delivered
    intensity: np.ndarray  # NaN when nothing was delivered
    duration_weeks: np.ndarray  # 0 when nothing was delivered
    frequency: np.ndarray  # index into FREQUENCIES
    split: np.ndarray  # per HCP, index into SPLITS
    present: np.ndarray  # in the panel that period (selection_bias: left after a bad one)

    @property
    def n_hcps(self) -> int:
        return len(self.hcps)

    @property
    def spec(self) -> HcpWorld:
        return HCP_WORLDS[self.scenario.dgp]

    def exact_effects(
        self,
        hcps: pd.DataFrame,
        intervention: str,
        intensity: np.ndarray | float = REFERENCE_INTENSITY,
        duration_weeks: np.ndarray | float = REFERENCE_DURATION_WEEKS,
    ) -> np.ndarray:
        """Each HCP's exact effect in this world (its DGP's effect modifiers)."""
        return true_effects(hcps, intervention, intensity, duration_weeks, self.spec.heterogeneity)

    @property
    def delivered_effect(self) -> np.ndarray:
        """The effect of what was delivered, per HCP and history period (0 untreated)."""
        base = np.array([spec.base_effect for spec in INTERVENTIONS.values()])
        treated = self.delivered >= 0
        effect = (
            base[self.delivered.clip(0)]
            * effect_multiplier(self.hcps, self.spec.heterogeneity)[:, None]
            * dose(np.where(treated, self.intensity, 0.0), self.duration_weeks)
        )
        return np.where(treated, effect, 0.0)

    @property
    def carried(self) -> np.ndarray:
        """Per HCP and period (the future one too): the previous period's carried effect."""
        effect = self.delivered_effect
        return self.spec.carryover * np.column_stack([np.zeros(len(effect)), effect])

    @property
    def observed(self) -> np.ndarray:
        """History outcome: Y0, the effect of what was delivered, and what carried over."""
        return self.y0[:, :HISTORY_PERIODS] + self.delivered_effect + self.carried[:, :-1]


def dose(intensity: np.ndarray | float, duration_weeks: np.ndarray | float) -> np.ndarray:
    """intensity ** 0.7 x (1 - exp(-weeks / 8)) / (1 - exp(-12 / 8)); 1 at the reference."""
    saturation = -np.expm1(-np.asarray(duration_weeks, float) / DOSE_DURATION_SCALE_WEEKS)
    reference = -np.expm1(-REFERENCE_DURATION_WEEKS / DOSE_DURATION_SCALE_WEEKS)
    return np.asarray(intensity, float) ** DOSE_INTENSITY_EXPONENT * saturation / reference


def effect_multiplier(hcps: pd.DataFrame, strength: float = 1.0) -> np.ndarray:
    """Product of the catalog's specialty, tier, region and adoption-stage multipliers,
    raised to `strength` (0: no modifiers, 2: strong ones)."""
    product = np.ones(len(hcps))
    for column, table in EFFECT_MULTIPLIERS.items():
        product *= hcps[column].map(table).to_numpy(float)
    return product**strength


def true_effects(
    hcps: pd.DataFrame,
    intervention: str,
    intensity: np.ndarray | float = REFERENCE_INTENSITY,
    duration_weeks: np.ndarray | float = REFERENCE_DURATION_WEEKS,
    strength: float = 1.0,
) -> np.ndarray:
    """Y(k, dose) - Y0 for each HCP: exact, because both arms share the Y0 draw."""
    base = INTERVENTIONS[intervention].base_effect
    return base * effect_multiplier(hcps, strength) * dose(intensity, duration_weeks)


def _untreated(hcps: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    level = (
        Y0_INTERCEPT
        + Y0_PER_DECILE * (hcps["decile"].to_numpy() - 5.5)
        + Y0_TIER1 * (hcps["priority_tier"].to_numpy() == 1)
        + hcps["adoption_stage"].map(Y0_BY_ADOPTION).to_numpy(float)
        + Y0_PER_PEER_INFLUENCE * (hcps["peer_influence_score"].to_numpy() - 3.0)
        + Y0_PER_DIGITAL_ENGAGEMENT * (hcps["digital_engagement_score"].to_numpy() - 4.0)
    )
    n = len(hcps)
    hidden = rng.normal(0.0, Y0_HCP_SD, n)
    noise = rng.normal(0.0, Y0_NOISE_SD, (n, HISTORY_PERIODS + 1))
    return (level + hidden)[:, None] + noise


def delivery_propensity(hcps: pd.DataFrame, targeting: float = 1.0) -> np.ndarray:
    """The historical policy's chance of a delivery in a period (the confounding, scaled
    by `targeting`: 0 delivers to every HCP at one rate)."""
    from scipy.special import expit  # SciPy loads with a draw, not with the world's layers

    early = hcps["adoption_stage"].isin(EARLY_STAGES).to_numpy()
    return expit(
        POLICY_INTERCEPT
        + targeting
        * (
            POLICY_PER_DECILE * (hcps["decile"].to_numpy() - 5.5)
            + POLICY_TIER1 * (hcps["priority_tier"].to_numpy() == 1)
            + POLICY_EARLY_ADOPTER * early
        )
    )


def draw_interventions(world: World, hcp_profiles: pd.DataFrame) -> InterventionWorld:
    """The scenario's intervention layer, from `build_tables(world)["hcp_profiles"]` and
    its own named stream (regenerating it never shifts any other table)."""
    scenario = world.scenario
    rng = stream(world.seed, "interventions", scenario.brand, scenario.dgp)
    hcps = hcp_profiles.reset_index(drop=True)
    shape = (len(hcps), HISTORY_PERIODS)
    spec = HCP_WORLDS[scenario.dgp]
    y0 = _untreated(hcps, rng)
    treated = rng.random(shape) < delivery_propensity(hcps, spec.targeting)[:, None]
    shares = np.array([spec.delivery_share for spec in INTERVENTIONS.values()])
    kind = rng.choice(len(shares), size=shape, p=shares / shares.sum())
    intensity = np.round(rng.uniform(*HISTORY_INTENSITY_RANGE, shape), 2)
    low, high = HISTORY_DURATION_WEEKS_RANGE
    weeks = rng.integers(low, high + 1, shape)
    frequency = rng.integers(0, len(FREQUENCIES), shape)
    split = exact_split(len(hcps), rng)
    iw = InterventionWorld(
        scenario=scenario,
        seed=world.seed,
        hcps=hcps,
        y0=y0,
        delivered=np.where(treated, kind, -1),
        intensity=np.where(treated, intensity, np.nan),
        duration_weeks=np.where(treated, weeks, 0),
        frequency=frequency,
        split=split,
        present=np.ones(shape, bool),
    )
    # selection: after a period whose outcome fell below 0, leave with chance `dropout`
    leaves = (iw.observed < 0) & (rng.random(shape) < spec.dropout)
    stayed = np.cumprod(~leaves[:, :-1], axis=1).astype(bool)
    present = np.column_stack([np.ones(len(hcps), bool), stayed])
    return replace(iw, present=present)


def history_table(iw: InterventionWorld) -> pd.DataFrame:
    """The observable history: what was delivered, at what dose, and what followed, for
    the HCP-periods in the panel."""
    return _full_history(iw)[iw.present.ravel()].reset_index(drop=True)


def _full_history(iw: InterventionWorld) -> pd.DataFrame:
    n, periods = iw.delivered.shape
    hcp = np.repeat(np.arange(n), periods)
    period = np.tile(np.arange(periods), n)
    delivered = iw.delivered.ravel()
    treated = delivered >= 0
    names = np.array(INTERVENTION_TYPES, dtype=object)
    kind = np.where(treated, names[delivered.clip(0)], None)
    channels = np.array([INTERVENTION_CHANNELS[k] for k in INTERVENTION_TYPES], dtype=object)
    hcp_id = iw.hcps["hcp_id"].to_numpy()[hcp]
    trx_before = TRX_PER_PATIENT_MONTH * iw.hcps["total_patient_volume"].to_numpy(float)[hcp]
    change = iw.observed.ravel()
    return pd.DataFrame(
        {
            "history_id": np.strings.add(
                hcp_id.astype(str), np.strings.add("-Q", period.astype(str))
            ),
            "hcp_id": hcp_id,
            "brand": iw.scenario.brand,
            "dgp_type": iw.scenario.dgp,
            "period_index": period,
            "period_start": np.datetime64(JOURNEY_START_FIRST) + PERIOD_DAYS * period,
            "treated": treated,
            "intervention_type": kind,
            "channel": np.where(treated, channels[delivered.clip(0)], None),
            "frequency": np.where(
                treated, np.array(FREQUENCIES, dtype=object)[iw.frequency.ravel()], None
            ),
            "intensity": iw.intensity.ravel(),
            "duration_weeks": iw.duration_weeks.ravel(),
            "trx_before": trx_before,
            "trx_after": trx_before * (1.0 + change),
            "prescribing_change": change,
            "data_split": np.array(SPLITS)[iw.split[hcp]],
        }
    )


def _subgroups(frame: pd.DataFrame) -> pd.DataFrame:
    """Stack `frame` once overall and once per effect modifier, keyed by subgroup."""
    overall = frame.assign(subgroup_column="all", subgroup_value="all")
    per_modifier = [
        frame.assign(subgroup_column=c, subgroup_value=frame[c].astype(str))
        for c in SUBGROUP_COLUMNS
    ]
    return pd.concat([overall, *per_modifier], ignore_index=True)


def ground_truth_table(iw: InterventionWorld) -> pd.DataFrame:
    """Exact reference-dose effects and potential-outcome means per subgroup."""
    keys = ["intervention_type", "subgroup_column", "subgroup_value"]
    y0 = iw.y0[:, :HISTORY_PERIODS].mean(axis=1)
    per_hcp = pd.concat(
        [
            iw.hcps[list(SUBGROUP_COLUMNS)].assign(
                intervention_type=name, effect=iw.exact_effects(iw.hcps, name), y0=y0
            )
            for name in INTERVENTION_TYPES
        ],
        ignore_index=True,
    )
    truth = (
        _subgroups(per_hcp)
        .groupby(keys, sort=False)
        .agg(n_hcps=("effect", "size"), true_ate=("effect", "mean"), mean_y0=("y0", "mean"))
        .reset_index()
    )
    truth = truth.merge(naive_contrasts(iw), on=keys, how="left")
    code = np.strings.add(f"{iw.scenario.brand}|{iw.scenario.dgp}|", truth[keys[0]].to_numpy(str))
    truth_id = np.strings.add(
        np.strings.add(code, "|"),
        np.strings.add(
            np.strings.add(truth[keys[1]].to_numpy(str), "="), truth[keys[2]].to_numpy(str)
        ),
    )
    # In intervention_ground_truth's column order (tables.downstream; a test holds them equal).
    return pd.DataFrame(
        {
            "truth_id": truth_id,
            "brand": iw.scenario.brand,
            "dgp_type": iw.scenario.dgp,
            **{key: truth[key] for key in keys},
            "n_hcps": truth["n_hcps"],
            "intensity": REFERENCE_INTENSITY,
            "duration_weeks": REFERENCE_DURATION_WEEKS,
            "true_ate": truth["true_ate"],
            "mean_y0": truth["mean_y0"],
            "mean_y1": truth["mean_y0"] + truth["true_ate"],
            "naive_contrast": truth["naive_contrast"],
            "treatment_column": TREATMENT,
            "outcome_column": OUTCOME,
            "adjustment_columns": ",".join(DELIVERY_DRIVERS if iw.spec.targeting else ()),
            "effect_modifiers": ",".join(SUBGROUP_COLUMNS),
            "dose_response": dose.__doc__.split(";")[0],
            "seed": iw.seed,
            "generator_version": INTERVENTION_LAYER_VERSION,
            "truth_statement": iw.spec.truth,
            "identification": iw.spec.identification,
        }
    )


def naive_contrasts(iw: InterventionWorld) -> pd.DataFrame:
    """Mean history outcome of rows that got intervention k minus that of untreated rows,
    per subgroup: what an unadjusted analysis of the history would report."""
    history = history_table(iw)
    rows = history.merge(iw.hcps[["hcp_id", *SUBGROUP_COLUMNS]], on="hcp_id")
    stacked = _subgroups(rows)
    group = ["subgroup_column", "subgroup_value"]
    untreated = stacked[~stacked["treated"]].groupby(group)[OUTCOME].mean().rename("untreated")
    treated = stacked[stacked["treated"]].groupby([TREATMENT, *group])[OUTCOME].mean()
    joined = treated.rename("treated").reset_index().join(untreated, on=group)
    joined["naive_contrast"] = joined["treated"] - joined["untreated"]
    return joined[[TREATMENT, *group, "naive_contrast"]]


def hcp_mask(iw: InterventionWorld, hcp_ids: pd.Series | np.ndarray) -> np.ndarray:
    return iw.hcps["hcp_id"].isin(np.asarray(hcp_ids)).to_numpy()


def run_experiment(
    iw: InterventionWorld,
    hcp_ids: pd.Series | np.ndarray,
    intensity: float = REFERENCE_INTENSITY,
    duration_weeks: int = REFERENCE_DURATION_WEEKS,
) -> pd.DataFrame:
    """The future period's one multi-arm randomized experiment on the given HCPs: each HCP
    is assigned at random to exactly one arm, untreated or one of the interventions (arm
    sizes differ by at most one), and its outcome is the potential outcome of that arm.
    One outcome per HCP, as a real experiment observes: no HCP's two arms can be
    differenced into its individual effect. `intervention_type` is None in the untreated
    arm."""
    mask = hcp_mask(iw, hcp_ids)
    hcps = iw.hcps[mask]
    rng = stream(iw.seed, "interventions", iw.scenario.brand, iw.scenario.dgp, "experiment")
    arm = rng.permutation(np.arange(len(hcps)) % (1 + len(INTERVENTION_TYPES))) - 1
    base = np.array([spec.base_effect for spec in INTERVENTIONS.values()])
    modifier = effect_multiplier(hcps, iw.spec.heterogeneity)
    effect = base[arm.clip(0)] * modifier * dose(intensity, duration_weeks)
    names = np.array(INTERVENTION_TYPES, dtype=object)
    untreated = iw.y0[mask, HISTORY_PERIODS] + iw.carried[mask, HISTORY_PERIODS]
    return pd.DataFrame(
        {
            "hcp_id": hcps["hcp_id"].to_numpy(),
            TREATMENT: np.where(arm >= 0, names[arm.clip(0)], None),
            OUTCOME: untreated + np.where(arm >= 0, effect, 0.0),
        }
    )


def unit_truth_table(iw: InterventionWorld) -> pd.DataFrame:
    """The answer key, one row per HCP and intervention: the HCP's exact individual effect
    at the reference dose; at any other dose it is individual_effect x
    intensity ** intensity_exponent x (1 - exp(-weeks / duration_scale_weeks)) /
    (1 - exp(-reference_weeks / duration_scale_weeks)). Kept apart from every table an
    analysis reads, as the patient layer keeps `unit_truth`."""
    hcp_id = np.tile(iw.hcps["hcp_id"].to_numpy(str), len(INTERVENTION_TYPES))
    kind = np.repeat(np.array(INTERVENTION_TYPES), iw.n_hcps)
    split = np.array(SPLITS, dtype=object)[iw.split]
    return pd.DataFrame(
        {
            "unit_truth_id": np.strings.add(np.strings.add(hcp_id, "|"), kind),
            "hcp_id": hcp_id.astype(object),
            "brand": iw.scenario.brand,
            "dgp_type": iw.scenario.dgp,
            TREATMENT: kind.astype(object),
            "individual_effect": np.concatenate(
                [iw.exact_effects(iw.hcps, name) for name in INTERVENTION_TYPES]
            ),
            "reference_intensity": REFERENCE_INTENSITY,
            "reference_duration_weeks": REFERENCE_DURATION_WEEKS,
            "intensity_exponent": DOSE_INTENSITY_EXPONENT,
            "duration_scale_weeks": DOSE_DURATION_SCALE_WEEKS,
            "data_split": np.tile(split, len(INTERVENTION_TYPES)),
            "seed": iw.seed,
            "generator_version": INTERVENTION_LAYER_VERSION,
        }
    )
