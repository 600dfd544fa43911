"""The scorecard of a scenario's stored twin populations, as one validation result.

A twin population is drawn from donors: the real HCPs of the `train` and `validation`
splits (`twins.training.TRAINING_SPLITS`). The `test` and `holdout` HCPs are never fitted
on (`test` only scores prediction fidelity), so they are the unseen real rows of the DCR
and the attack. Both sides are cut by the population's own filters, as the generator cuts
its donor pool, and compared on the twin type's entity features.

Measured at the small scale (3,000 patients, seed 42, all 15 scenarios: 240 donors, 60
unseen HCPs, 2,000 twins each), with the sampler drawing each part of a twin from its
donor's 25 nearest donors (`twins/sampler.py`): KS 0.070-0.088, TV 0.010-0.024, corr delta
0.047-0.055, no exact copies, attack AUC 0.54-0.66 (median 0.62; 6 of 15 at or under the
0.60 limit) and 4-11% of twins nearer a donor than the nearest 5% of unseen HCPs. When a
twin kept its donor's categories and strata the attack AUC was 0.99-1.00: each donor's
twins matched it on every category. The check is reported, not blocking: the AUC sits at
the limit, with an SE of about 0.04 from 60 unseen HCPs.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from e2i_synth.privacy.failures import Failure, diagnose
from e2i_synth.privacy.scorecard import (
    CORR_DELTA_LIMIT,
    DUP_RATE_LIMIT,
    KS_LIMIT,
    MIA_AUC_LIMIT,
    Scorecard,
    score,
)
from e2i_synth.privacy.twin_sampler import TWIN_FAMILY, hcp_entities
from e2i_synth.tables.downstream import MEMBERS, POPULATIONS, TWINS
from e2i_synth.twins.features import TWIN_TYPES, hcp_training_frame
from e2i_synth.twins.filters import PopulationFilter
from e2i_synth.twins.training import TRAINING_SPLITS
from e2i_synth.validation.result import CheckResult

CHECK = "privacy_scorecard"
TABLE = POPULATIONS.name
SOURCES = ("hcp_profiles", "hcp_intervention_history", TWINS.name, TABLE, MEMBERS.name)
"""The stored tables the scorecard reads."""
LIMITS = {
    "ks_mean": KS_LIMIT,
    "tv_mean": KS_LIMIT,
    "corr_delta": CORR_DELTA_LIMIT,
    "mia_auc": MIA_AUC_LIMIT,
    "duplicate_rate": DUP_RATE_LIMIT,
}
EVIDENCE = ("dcr_share", "duplicate_rate_holdout")
DCR_QUANTILES = np.linspace(0.0, 1.0, 21)
"""DCR distributions are kept as their 5%-step quantiles: enough to draw, small to store."""
DIGITS = 4


def real_hcps(history: pd.DataFrame, profiles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(donors, unseen): the entity features of HCPs the twin generator fitted on and of
    those it never did, by the split recorded in the intervention history."""
    entities = hcp_entities(hcp_training_frame(history, profiles))
    fitted = entities["data_split"].isin(TRAINING_SPLITS)
    features = entities.drop(columns="data_split")
    return (
        features[fitted].reset_index(drop=True),
        features[~fitted].reset_index(drop=True),
    )


def population_twins(
    digital_twins: pd.DataFrame, members: pd.DataFrame, population_id: str
) -> pd.DataFrame:
    """The entity features of one population's twins, parsed from their JSON column."""
    twin_ids = members.loc[members["population_id"] == population_id, "twin_id"]
    rows = digital_twins[digital_twins["twin_id"].isin(twin_ids)]
    features = pd.read_json(
        io.StringIO("\n".join(rows["features"])), lines=True, dtype=False, convert_dates=False
    )
    return features[list(TWIN_TYPES["hcp"].features)]


def score_population(
    population: pd.Series, twins: pd.DataFrame, donors: pd.DataFrame, unseen: pd.DataFrame
) -> Scorecard:
    """The population's twins against the donors and unseen HCPs its filters select."""
    rule = PopulationFilter.parse(json.loads(population["filters_applied"]))
    return score(
        str(population["name"]), donors[rule.mask(donors)], unseen[rule.mask(unseen)], twins
    )


def population_figures(
    population: pd.Series, card: Scorecard, failures: list[Failure]
) -> dict[str, object]:
    """Every number of one population's scorecard, JSON-able: gated metrics, evidence,
    per-column distances, DCR quantiles (twins and unseen HCPs to the donors), failures."""
    return {
        "population_id": str(population["population_id"]),
        "name": card.name,
        "twins": card.rows["synthetic"],
        "donors": card.rows["train"],
        "unseen": card.rows["holdout"],
        **{c.name: round(c.value, DIGITS) for c in card.checks},
        "dcr_share": round(card.dcr_share, DIGITS),
        "duplicate_rate_holdout": round(card.duplicate_rate_holdout, DIGITS),
        "all_green": card.all_green,
        "failures": [f.kind.value for f in failures],
        "diagnosis": [f.describe() for f in failures],
        "per_column": card.per_column["distance"].round(DIGITS).to_dict(),
        "dcr_twins": np.quantile(card.dcr_synthetic, DCR_QUANTILES).round(DIGITS).tolist(),
        "dcr_unseen": np.quantile(card.dcr_holdout, DCR_QUANTILES).round(DIGITS).tolist(),
    }


def twin_scorecard(frames: dict[str, pd.DataFrame]) -> CheckResult:
    """Score every stored population of a scenario; green when there is one and every one
    is. Top-level figures are the worst value of each number over the populations."""
    donors, unseen = real_hcps(frames["hcp_intervention_history"], frames["hcp_profiles"])
    populations = []
    for _, population in frames[TABLE].iterrows():  # one per scenario in the default run
        twins = population_twins(
            frames[TWINS.name], frames[MEMBERS.name], population["population_id"]
        )
        card = score_population(population, twins, donors, unseen)
        populations.append(population_figures(population, card, diagnose(card, TWIN_FAMILY, {})))
    numbers = [*LIMITS, *EVIDENCE]
    worst = {m: max(p[m] for p in populations) for m in numbers} if populations else {}
    passed = bool(populations) and all(p["all_green"] for p in populations)
    return CheckResult(
        CHECK,
        TABLE,
        passed,
        message(populations),
        {**worst, "limits": LIMITS, "populations": populations},
    )


def reported(results: pd.DataFrame) -> pd.Series:
    """Which `validation_results` rows hold this check: shown, never failing a run."""
    return (results["table_name"] == TABLE) & (results["check_name"] == CHECK)


def message(populations: list[dict[str, object]]) -> str:
    """One line per population: its verdict, the gated numbers, and each failure class."""
    if not populations:
        return "no twin populations stored for this scenario"
    lines = []
    for p in populations:
        numbers = ", ".join(f"{m} {p[m]:.3f}" for m in LIMITS)
        verdict = "all green" if p["all_green"] else "not green: " + ", ".join(p["failures"])
        lines.append(f"{p['name']}: {verdict} ({numbers}; {p['unseen']} unseen HCPs)")
    return "; ".join(lines)
