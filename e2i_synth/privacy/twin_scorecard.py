"""The scorecard of a scenario's stored twin populations, as one validation result.

A twin population is drawn from donors: the real HCPs of the `train` and `validation`
splits (`twins.training.TRAINING_SPLITS`). The `test` and `holdout` HCPs are never fitted
on (`test` only scores prediction fidelity), so they are the unseen real rows of the DCR
and the attack. Both sides are cut by the population's own filters, as the generator cuts
its donor pool, and compared on the twin type's entity features.

Measured at the small scale (3,000 patients, seed 42, all 15 scenarios: 240 donors, 60
unseen HCPs, 2,000 twins each), with the sampler drawing each part of a twin (a group of
associated features) from one of its donor's 100 nearest donors (`twins/sampler.py`): KS
0.068-0.084, TV 0.009-0.020, corr delta 0.049-0.061, no exact copies, attack AUC
0.48-0.61 (median 0.54; SE 0.039-0.046, DeLong, with every donor a member) and 3-10% of
twins nearer a donor than the nearest 5% of unseen HCPs. The previous sampler (every part
from one of 25 neighbours, the decile apart from the volumes) scored 0.55-0.67 (median
0.60) on the same HCPs; averaged over 8 re-splits of each scenario's 300 HCPs into 240
donors and 60 unseen, its attack AUC was 0.61, this one's 0.53 (0.50-0.55 per scenario).
When a twin kept its donor's categories the attack AUC was 0.99-1.00. With 60 unseen HCPs
the AUC's SE stays about 0.04 however many members are scored, so the check's gate reads
the AUC's one-sided 95% lower bound (`scorecard.Check.bound`): the stored populations'
bounds were 0.41-0.54.
"""

from __future__ import annotations

import io
import json

import pandas as pd

from e2i_synth.privacy.failures import diagnose
from e2i_synth.privacy.results import LIMITS, entry, scorecard_result
from e2i_synth.privacy.scorecard import Scorecard, score
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
    """The entity features of one population's twins, parsed from their JSON column (floats
    parsed exactly: pandas' fast parser reads 2.28 as 2.2800000000000002, and a twin that
    copies a donor would no longer equal it)."""
    twin_ids = members.loc[members["population_id"] == population_id, "twin_id"]
    rows = digital_twins[digital_twins["twin_id"].isin(twin_ids)]
    features = pd.read_json(
        io.StringIO("\n".join(rows["features"])),
        lines=True,
        dtype=False,
        convert_dates=False,
        precise_float=True,
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
        failures = diagnose(card, TWIN_FAMILY, {})
        populations.append(entry(card, failures, population_id=str(population["population_id"])))
    return scorecard_result(CHECK, TABLE, populations, message(populations))


def message(populations: list[dict[str, object]]) -> str:
    """One line per population: its verdict, the gated numbers (the attack AUC with its SE)
    and each failure class."""
    if not populations:
        return "no twin populations stored for this scenario"
    lines = []
    for p in populations:
        se = {"mia_auc": f" (SE {p['mia_auc_se']:.3f})"}
        numbers = ", ".join(f"{m} {p[m]:.3f}{se.get(m, '')}" for m in LIMITS)
        verdict = "all green" if p["all_green"] else "not green: " + ", ".join(p["failures"])
        lines.append(f"{p['name']}: {verdict} ({numbers}; {p['rows']['holdout']} unseen HCPs)")
    return "; ".join(lines)
