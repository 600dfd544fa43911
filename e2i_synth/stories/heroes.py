"""Hero entities: make the HCP segment, the product and the top prescriber a story names
dominate, coordinated across every table they appear in, without touching anything a DGP
reads.

A segment is an HCP attribute no DGP uses (specialty, adoption stage, channel), so
relabelling HCPs changes no patient's covariates. A product is the presentation a patient
is on (treatment_events, every event after the diagnosis); no DGP reads it, and a patient
moved to the hero product has all of its events moved. The hero HCP gains patients only from
HCPs of the same region and practice class (academic or not), the two HCP facts patients
inherit as covariates, so every patient keeps its covariates, treatment and outcomes and
the causal truth is unchanged; only which HCP they see moves, in every table at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from e2i_synth.catalog import ALL_SPECIALTIES
from e2i_synth.seeds import stream
from e2i_synth.stories.model import HcpHero, ProductHero, SegmentHero
from e2i_synth.tables import SPECS
from e2i_synth.validation.feature_store import entity_key
from e2i_synth.world.draw import deciles

Frames = dict[str, pd.DataFrame]
MAX_SEGMENT_SHARE = 0.95
MAX_HCP_SHARE = 0.45
"""How far retries raise a share the story states lower (a stated share is never capped)."""


@dataclass(frozen=True)
class HeroResult:
    kind: str
    value: str  # the hero's value (the HCP id for the top prescriber)
    target_share: float  # aimed at in this attempt: the stated share times the retry weight
    share: float  # reached, of all patients
    stated: float  # the story's share
    unit: float  # one patient's share: what rounding to whole patients may leave
    limit: str | None = None  # why no more can be reached

    @property
    def missed(self) -> bool:
        """The story's share is not reached."""
        return self.share < self.stated - self.unit

    @property
    def saturated(self) -> bool:
        """This attempt could not reach what it aimed at: a higher aim cannot help."""
        return self.share < self.target_share - self.unit

    def describe_miss(self) -> str:
        why = f": {self.limit}" if self.limit else ""
        return (
            f"hero {self.kind} {self.value} reaches {self.share:.1%} of the patients, the story "
            f"states {self.stated:.1%}{why}"
        )


def aim(stated: float, weight: float, cap: float) -> float:
    """A retry's share: the stated one raised by the weight, up to the cap or the stated
    share when it is higher."""
    return min(stated * weight, max(stated, cap))


def patients_per_hcp(frames: Frames) -> pd.Series:
    hcps = frames["hcp_profiles"]["hcp_id"]
    counts = frames["patient_journeys"]["hcp_id"].value_counts()
    return counts.reindex(hcps, fill_value=0).set_axis(hcps.index)


def hcp_feature_rows(frames: Frames, feature: str) -> tuple[pd.Series, pd.Series]:
    """(mask of feature_values rows of this HCP feature, their hcp_id)."""
    values = frames["feature_values"]
    ids = frames["features"].loc[frames["features"]["feature_name"] == feature, "feature_id"]
    rows = values["feature_id"].isin(ids)
    return rows, entity_key(values["entity_values"], "hcp_id")


def apply_segment(
    frames: Frames, hero: SegmentHero, weight: float = 1.0
) -> tuple[Frames, HeroResult]:
    """Relabel the highest-volume HCPs into the segment until it sees the target share of
    patients; the feature store's mirror of the attribute follows."""
    target = aim(hero.share, weight, MAX_SEGMENT_SHARE)
    hcps = frames["hcp_profiles"].copy()
    volume = patients_per_hcp(frames)
    member = hcps[hero.column] == hero.value
    total = volume.sum()
    missing = target * total - volume[member].sum()
    if missing > 0:
        others = volume[~member].sort_values(ascending=False, kind="stable")
        before = others.cumsum() - others  # patients gained before adding this HCP
        hcps.loc[others.index[before < missing], hero.column] = hero.value
    out = dict(frames, hcp_profiles=hcps)
    if hero.column == "specialty":
        values = frames["feature_values"].copy()
        rows, hcp_id = hcp_feature_rows(frames, "specialty_encoded")
        code = pd.Categorical(hcps["specialty"], categories=ALL_SPECIALTIES).codes
        by_hcp = pd.Series(code.astype(str), index=hcps["hcp_id"])
        values.loc[rows, "value"] = hcp_id[rows].map(by_hcp).to_numpy()
        out["feature_values"] = values
    share = volume[hcps[hero.column] == hero.value].sum() / max(total, 1)
    result = HeroResult(
        "hcp_segment", hero.value, target, float(share), hero.share, 1 / max(total, 1)
    )
    return out, result


def apply_product(
    frames: Frames, hero: ProductHero, seed: int, weight: float = 1.0
) -> tuple[Frames, HeroResult]:
    """Move patients on other products, drawn at random, to the hero product until it is
    on the target share of the patients who start therapy; all their events follow."""
    target = aim(hero.share, weight, MAX_SEGMENT_SHARE)
    events = frames["treatment_events"]
    on_therapy = events["product"].notna()
    product = events.loc[on_therapy].drop_duplicates("patient_id").set_index("patient_id")
    product = product["product"]
    need = round(target * len(product)) - int((product == hero.value).sum())
    others = product.index[product != hero.value].to_numpy()
    moved = stream(seed, "story", "hero_product").permutation(others)[: max(need, 0)]
    out = events.copy()
    out.loc[on_therapy & out["patient_id"].isin(moved), "product"] = hero.value
    reached = (product == hero.value).sum() + len(moved)
    unit = 1 / max(len(product), 1)
    result = HeroResult("product", hero.value, target, reached * unit, hero.share, unit)
    return dict(frames, treatment_events=out), result


def priority_tiers(decile: np.ndarray) -> np.ndarray:
    """Tier 1 = deciles 9-10, 2 = 7-8, 3 = 4-6, 4 = the rest, as hcp_profiles assigns them."""
    return np.select([decile >= 9, decile >= 7, decile >= 4], [1, 2, 3], 4)


def apply_top_hcp(
    frames: Frames, hero: HcpHero, seed: int, weight: float = 1.0
) -> tuple[Frames, HeroResult]:
    """The HCP with the most patients takes patients of like HCPs (same region and practice
    class) until it sees the target share; every row of those patients follows. When its
    like HCPs have too few patients, the busiest HCP of the largest such group is the hero;
    when that group is too small too, the result says so (`limit`)."""
    target = aim(hero.share, weight, MAX_HCP_SHARE)
    journeys = frames["patient_journeys"]
    hcps = frames["hcp_profiles"]
    volume = patients_per_hcp(frames)
    groups = ["region", "academic_hcp"]
    pool = journeys.groupby(groups).size()
    top = hcps.loc[volume.idxmax()]
    if pool[tuple(top[groups])] < round(target * len(journeys)):
        region, academic = pool.idxmax()
        largest = (hcps["region"] == region) & (hcps["academic_hcp"] == academic)
        top = hcps.loc[volume[largest].idxmax()]
    like = (
        (journeys["region"] == top["region"])
        & (journeys["academic_hcp"] == top["academic_hcp"])
        & (journeys["hcp_id"] != top["hcp_id"])
    )
    need = round(target * len(journeys)) - int(volume.max())
    rng = stream(seed, "story", "hero_hcp")
    moved = rng.permutation(journeys.loc[like, "patient_id"].to_numpy())[: max(need, 0)]
    out = dict(frames)
    for name, spec in SPECS.items():
        if {"patient_id", "hcp_id"} <= set(spec.columns) and name in frames:
            frame = frames[name].copy()
            frame.loc[frame["patient_id"].isin(moved), "hcp_id"] = top["hcp_id"]
            out[name] = frame
    new_volume = patients_per_hcp(out)
    profiles = hcps.copy()
    extra = profiles["total_patient_volume"] - profiles["target_patient_volume"]
    profiles["target_patient_volume"] = new_volume.to_numpy()
    profiles["total_patient_volume"] = (profiles["target_patient_volume"] + extra).to_numpy()
    profiles["decile"] = deciles(profiles["total_patient_volume"].to_numpy())
    profiles["priority_tier"] = priority_tiers(profiles["decile"].to_numpy())
    out["hcp_profiles"] = profiles
    out["feature_values"] = _scale_monthly_volume(frames, hcps, profiles)
    unit = 1 / max(len(journeys), 1)
    share = float(new_volume[top.name] * unit)
    available = pool[tuple(top[groups])] * unit
    practice = "academic" if top["academic_hcp"] else "community"
    limit = (
        f"a prescriber takes patients only from HCPs of its region and practice class, and "
        f"the largest such group ({top['region']}, {practice}) has {available:.1%}"
    )
    result = HeroResult("hcp", str(top["hcp_id"]), target, share, hero.share, unit)
    return out, replace(result, limit=limit) if result.saturated else result


def _scale_monthly_volume(frames: Frames, before: pd.DataFrame, after: pd.DataFrame):
    """An HCP's monthly patient volume in the store scales with its total volume."""
    values = frames["feature_values"].copy()
    rows, hcp_id = hcp_feature_rows(frames, "patient_volume_monthly")
    ratio = pd.Series(
        after["total_patient_volume"].to_numpy()
        / before["total_patient_volume"].clip(lower=1).to_numpy(),
        index=after["hcp_id"],
    )
    factor = hcp_id[rows].map(ratio).to_numpy()
    scaled = np.round(pd.to_numeric(values.loc[rows, "value"]).to_numpy() * factor)
    values.loc[rows, "value"] = scaled.astype(str)
    return values
