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

from dataclasses import dataclass

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
sharing an untreated draw; the per-HCP answer key."""
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

    @property
    def n_hcps(self) -> int:
        return len(self.hcps)

    @property
    def observed(self) -> np.ndarray:
        """History outcome: Y0 plus the effect of what was actually delivered."""
        base = np.array([spec.base_effect for spec in INTERVENTIONS.values()])
        treated = self.delivered >= 0
        effect = (
            base[self.delivered.clip(0)]
            * effect_multiplier(self.hcps)[:, None]
            * dose(np.where(treated, self.intensity, 0.0), self.duration_weeks)
        )
        return self.y0[:, :HISTORY_PERIODS] + np.where(treated, effect, 0.0)


def dose(intensity: np.ndarray | float, duration_weeks: np.ndarray | float) -> np.ndarray:
    """intensity ** 0.7 x (1 - exp(-weeks / 8)) / (1 - exp(-12 / 8)); 1 at the reference."""
    saturation = -np.expm1(-np.asarray(duration_weeks, float) / DOSE_DURATION_SCALE_WEEKS)
    reference = -np.expm1(-REFERENCE_DURATION_WEEKS / DOSE_DURATION_SCALE_WEEKS)
    return np.asarray(intensity, float) ** DOSE_INTENSITY_EXPONENT * saturation / reference


def effect_multiplier(hcps: pd.DataFrame) -> np.ndarray:
    """Product of the catalog's specialty, tier, region and adoption-stage multipliers."""
    product = np.ones(len(hcps))
    for column, table in EFFECT_MULTIPLIERS.items():
        product *= hcps[column].map(table).to_numpy(float)
    return product


def true_effects(
    hcps: pd.DataFrame,
    intervention: str,
    intensity: np.ndarray | float = REFERENCE_INTENSITY,
    duration_weeks: np.ndarray | float = REFERENCE_DURATION_WEEKS,
) -> np.ndarray:
    """Y(k, dose) - Y0 for each HCP: exact, because both arms share the Y0 draw."""
    base = INTERVENTIONS[intervention].base_effect
    return base * effect_multiplier(hcps) * dose(intensity, duration_weeks)


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


def delivery_propensity(hcps: pd.DataFrame) -> np.ndarray:
    """The historical policy's chance of a delivery in a period (the confounding)."""
    from scipy.special import expit  # SciPy loads with a draw, not with the world's layers

    early = hcps["adoption_stage"].isin(EARLY_STAGES).to_numpy()
    return expit(
        POLICY_INTERCEPT
        + POLICY_PER_DECILE * (hcps["decile"].to_numpy() - 5.5)
        + POLICY_TIER1 * (hcps["priority_tier"].to_numpy() == 1)
        + POLICY_EARLY_ADOPTER * early
    )


def draw_interventions(world: World, hcp_profiles: pd.DataFrame) -> InterventionWorld:
    """The scenario's intervention layer, from `build_tables(world)["hcp_profiles"]` and
    its own named stream (regenerating it never shifts any other table)."""
    scenario = world.scenario
    rng = stream(world.seed, "interventions", scenario.brand, scenario.dgp)
    hcps = hcp_profiles.reset_index(drop=True)
    shape = (len(hcps), HISTORY_PERIODS)
    y0 = _untreated(hcps, rng)
    treated = rng.random(shape) < delivery_propensity(hcps)[:, None]
    shares = np.array([spec.delivery_share for spec in INTERVENTIONS.values()])
    kind = rng.choice(len(shares), size=shape, p=shares / shares.sum())
    intensity = np.round(rng.uniform(*HISTORY_INTENSITY_RANGE, shape), 2)
    low, high = HISTORY_DURATION_WEEKS_RANGE
    weeks = rng.integers(low, high + 1, shape)
    return InterventionWorld(
        scenario=scenario,
        seed=world.seed,
        hcps=hcps,
        y0=y0,
        delivered=np.where(treated, kind, -1),
        intensity=np.where(treated, intensity, np.nan),
        duration_weeks=np.where(treated, weeks, 0),
        frequency=rng.integers(0, len(FREQUENCIES), shape),
        split=exact_split(len(hcps), rng),
    )


def history_table(iw: InterventionWorld) -> pd.DataFrame:
    """The observable history: what was delivered, at what dose, and what followed."""
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
                intervention_type=name, effect=true_effects(iw.hcps, name), y0=y0
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
            "adjustment_columns": ",".join(DELIVERY_DRIVERS),
            "effect_modifiers": ",".join(SUBGROUP_COLUMNS),
            "dose_response": dose.__doc__.split(";")[0],
            "seed": iw.seed,
            "generator_version": INTERVENTION_LAYER_VERSION,
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
    effect = base[arm.clip(0)] * effect_multiplier(hcps) * dose(intensity, duration_weeks)
    names = np.array(INTERVENTION_TYPES, dtype=object)
    return pd.DataFrame(
        {
            "hcp_id": hcps["hcp_id"].to_numpy(),
            TREATMENT: np.where(arm >= 0, names[arm.clip(0)], None),
            OUTCOME: iw.y0[mask, HISTORY_PERIODS] + np.where(arm >= 0, effect, 0.0),
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
                [true_effects(iw.hcps, name) for name in INTERVENTION_TYPES]
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
