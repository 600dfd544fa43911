"""causal_ground_truth: the planted effect of each scenario, readable without this code.

One overall row per scenario, plus one per segment where the effect is heterogeneous.
`true_ate`, `true_att` and `true_atc` are exact for the sample: the means of unit_truth's
`individual_effect` Y(1) - Y(0) over the rows it covers, over its engaged rows and over
the others; `expected_ate` is the mean of the units' `cate` (the risk differences p1 - p0
the world was drawn from). `traps` names the columns that are not confounders although
they look like them (they descend from the treatment or the outcome): columns of the
treatment table, and the feature store's outcome_probability, a model score with the
treatment among its inputs; `graph_dot` holds them too, so DoWhy leaves them out of its
adjustment sets.
`adjustment_columns` is DoWhy's efficient adjustment set on `graph_dot`;
`valid_adjustment_sets` lists it with the other valid sets worth naming (JSON, see
`adjustment_sets_json`). With hidden confounding the graph holds the hidden confounder as a
node marked `observed="no"`, no adjustment set is valid, and `identification` says so
and names the routes that remain. With an instrument, `true_late` is the exact mean effect
of the row's compliers (`n_compliers` units engaged if assigned and not otherwise, read off
unit_truth's two potential treatments): the estimand an IV estimator identifies. With a
dose, `dose_response` states for every dose k the exact mean of the units' potential
outcomes Y(k) (unit_truth.dose_outcomes) and its difference from dose 0. With selection
(outcomes missing not at random), `true_ate` stays the effect for every unit and
`true_ate_observed` is the effect for the observed population: the mean Y(1) of the units
whose outcome would be recorded if engaged minus the mean Y(0) of those whose outcome
would be recorded if not (unit_truth.observed_if_*), what a complete-case contrast
estimates when engagement is randomized; `n_observed` counts the units whose outcome is
recorded, and `traps` names the record itself (OUTCOME_OBSERVED) as a common effect of
the treatment and the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from e2i_synth.catalog import (
    GENERATOR_VERSION,
    OUTCOME_COLUMN,
    REGIONS,
    TREATMENT_COLUMN,
    TREATMENT_TABLE,
    DgpSpec,
)
from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    mechanism_columns,
    scenario_columns,
    scenario_keys,
)
from e2i_synth.tables.sums import TruthSums, exact_mean
from e2i_synth.world import World, mechanisms
from e2i_synth.world.mechanisms.base import Trap

SPEC = TableSpec(
    name="causal_ground_truth",
    columns={
        "truth_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "segment_column": "VARCHAR",
        "segment_value": "VARCHAR",
        "true_ate": "DOUBLE",
        "expected_ate": "DOUBLE",
        "effect_scale": "VARCHAR",
        "treatment_table": "VARCHAR",
        "treatment_column": "VARCHAR",
        "outcome_column": "VARCHAR",
        "adjustment_columns": "VARCHAR[]",
        "lag_days": "INTEGER",
        "n_units": "INTEGER",
        "n_treated": "INTEGER",
        "seed": "BIGINT",
        "graph_dot": "VARCHAR",
        "description": "VARCHAR",
        "generator_version": "VARCHAR",
        # added by migration 007, hence last
        "true_att": "DOUBLE",
        "true_atc": "DOUBLE",
        "traps": "VARCHAR",
        # added by migration 009 (NULL in rows stored before it)
        "valid_adjustment_sets": "VARCHAR",
        # added by migration 010
        "identification": "VARCHAR",
        # the mechanisms' (world.mechanisms): an instrument's LATE, a dose-response, ...
        **mechanism_columns("causal_ground_truth"),
    },
    primary_key="truth_id",
    # ATT / ATC are NULL where a row covers no engaged / no unengaged unit
    nullable=frozenset(
        {
            "segment_column",
            "segment_value",
            "true_att",
            "true_atc",
            "valid_adjustment_sets",
            "identification",
            *mechanism_columns("causal_ground_truth"),
        }
    ),
    descriptions={
        "truth_id": (
            "The row's key: TRUTH- and the row's number within the scenario (0 is the overall row)."
        ),
        "segment_column": (
            "NULL on the overall row; region on the per-region rows of heterogeneous."
        ),
        "segment_value": "NULL on the overall row; the region of a per-region row.",
        "true_ate": (
            "The exact ATE of the sample (risk difference): the mean of "
            "unit_truth.individual_effect over the patients the row covers; for feedback the "
            "always-vs-never regime contrast."
        ),
        "expected_ate": (
            "The mean of unit_truth.cate over the row's patients: the effect expected for their "
            "covariates."
        ),
        "effect_scale": "Always risk_difference.",
        "treatment_table": "Where the treatment is: patient_journeys.",
        "treatment_column": "The treatment column: engaged.",
        "outcome_column": "The outcome column: treatment_initiated.",
        "adjustment_columns": (
            "DoWhy's efficient backdoor adjustment set on graph_dot (with a hidden confounder: "
            "the observed causes of the outcome, which do not identify the effect)."
        ),
        "lag_days": (
            "Days after the index date before the effect starts (30 in time_series, else 0)."
        ),
        "n_units": "Patients the row covers.",
        "n_treated": "Engaged patients the row covers.",
        "seed": "The root seed the scenario was drawn with.",
        "graph_dot": (
            "The causal graph as DOT text, traps and unobserved nodes included, so any tool can "
            "identify the effect without this code."
        ),
        "description": "The DGP in words, the segment and the variant's label where there is one.",
        "generator_version": (
            "The generator version that drew the row; the same seed and version give the same "
            "bytes."
        ),
        "true_att": "The exact effect on the engaged patients of the row; NULL where it has none.",
        "true_atc": (
            "The exact effect on the unengaged patients of the row; NULL where it has none."
        ),
        "traps": (
            "JSON [{column, role, why, table?}]: columns that look like confounders but descend "
            "from the treatment or the outcome (engagement_score, journey_stage, "
            "days_to_treatment, the store's outcome_probability; outcome_observed under "
            "selection). Adjust for none of them."
        ),
        "valid_adjustment_sets": (
            "JSON [{name, columns}]: the efficient set with the other valid sets worth naming "
            "(minimal, treatment_causes); [] where no observed set is valid. NULL in rows stored "
            "before migration 009."
        ),
        "identification": (
            "JSON: how the estimands are identified: unobserved nodes, whether a backdoor set is "
            "valid, the routes (instrument, frontdoor, g_formula) and the selection or censoring "
            "entries."
        ),
    },
)


TRAPS: tuple[Trap, ...] = (
    Trap(
        "engagement_score",
        "treatment_proxy",
        TREATMENT_COLUMN,
        f"a deterministic proxy of the treatment: >= 5 exactly when {TREATMENT_COLUMN}, plus "
        "noise; adjusting for it removes the variation of the treatment itself",
    ),
    Trap(
        "journey_stage",
        "outcome_descendant",
        OUTCOME_COLUMN,
        f"a function of the outcome: treatment_naive exactly when not {OUTCOME_COLUMN}, "
        "otherwise the course of therapy after initiation",
    ),
    Trap(
        "days_to_treatment",
        "outcome_descendant",
        OUTCOME_COLUMN,
        f"the timing of the outcome: NULL exactly when not {OUTCOME_COLUMN}",
    ),
)
FEATURE_STORE_TRAPS: tuple[Trap, ...] = (
    Trap(
        "outcome_probability",
        "treatment_descendant",
        TREATMENT_COLUMN,
        f"the feature store's fitted P({OUTCOME_COLUMN} | covariates, {TREATMENT_COLUMN}), "
        f"feature outcome_probability: {TREATMENT_COLUMN} is one of its inputs, so beside "
        "the covariates it is a function of the treatment; adjusting for it absorbs the "
        "effect",
        table="feature_values",
    ),
)
"""Traps outside the treatment table, named since generator 2.1.2 (rows migrated by 007
name only TRAPS)."""


def traps_json(traps: Sequence[Trap]) -> str:
    """`traps` as stored: a JSON list of {column, role, why}, with `table` where the column
    is not the treatment table's (so the treatment table's traps read as migration 007
    wrote them)."""
    return json.dumps(
        [
            {
                k: v
                for k, v in asdict(t).items()
                if k != "parent" and (k, v) != ("table", TREATMENT_TABLE)
            }
            for t in traps
        ]
    )


def spec_traps(spec: DgpSpec) -> tuple[Trap, ...]:
    """Every trap of a spec: the tables', then its mechanisms' (e.g. selection's record)."""
    return (*TRAPS, *FEATURE_STORE_TRAPS, *(t for m in mechanisms.active(spec) for t in m.traps))


TRAPS_JSON = traps_json(TRAPS)
SAMPLE_FIGURES = ("true_ate", "true_att", "true_atc", "n_units", "n_treated")


def mean_or_nan(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def sample_figures(
    effect: np.ndarray, treated: np.ndarray, groups: Sequence[np.ndarray]
) -> pd.DataFrame:
    """`SAMPLE_FIGURES` of each group (a boolean mask over the units): the exact means of
    the units' effects over the group, its treated and its untreated units."""
    rows = [
        (
            mean_or_nan(effect[mask]),
            mean_or_nan(effect[mask & treated]),
            mean_or_nan(effect[mask & ~treated]),
            int(mask.sum()),
            int((mask & treated).sum()),
        )
        for mask in groups
    ]
    return pd.DataFrame(rows, columns=list(SAMPLE_FIGURES))


def adjustment_sets_json(spec: DgpSpec) -> str:
    """`valid_adjustment_sets` as stored: a JSON list of {name, columns}, the efficient set
    (`adjustment_columns`) first, then the minimal set and the treatment's causes where they
    differ from it (catalog.DgpSpec.adjustment_sets); an empty list when no set of observed
    columns is valid."""
    return json.dumps([{"name": n, "columns": list(c)} for n, c in spec.adjustment_sets])


def unobserved(spec: DgpSpec) -> tuple[str, ...]:
    """The graph's nodes that no table of the warehouse holds for an analyst."""
    return tuple(node for m in mechanisms.active(spec) for node in m.unobserved)


def identification_json(spec: DgpSpec, cut: np.datetime64 | None = None) -> str:
    """`identification` as stored: JSON {unobserved, backdoor_valid, routes}. `unobserved`
    names the graph's unobserved nodes; `backdoor_valid` says whether any set of observed
    columns is a valid adjustment set; `routes` lists how the effect is identified from
    observed columns, each {route, columns, estimand}: "backdoor" adjusting for the
    efficient set identifies the ATE; "instrument" identifies the LATE (`true_late`, the
    compliers' mean effect) under monotonicity, which the draw guarantees (the instrument
    only raises the propensity and one uniform decides both potential treatments);
    "frontdoor" through the mediator identifies the ATE (the treatment acts only through
    it, and no other cause of the outcome causes it); with a dose, the same backdoor set
    identifies the mean outcome at every dose (estimand "dose_response"). An empty list:
    no route from the observed columns. With selection, a "selection" entry says the
    outcome column is missing not at random (its record depends on the treatment and the
    outcome itself): the routes identify their estimands from the full data only, and the
    complete cases of a randomized variant give `true_ate_observed` ("ate_observed").
    With censoring (a data `cut`), a "censoring" entry names it and who is followed (the
    patients whose window closed by it, known from the index date): the routes identify
    the followed patients' effect (`true_ate_followed`, "ate_followed") from their rows;
    complete cases keep the censored patients who initiated early, so they do not.
    With feedback, a "time_varying" entry names the two engagements and the day-30
    activity between them, and the "g_formula" route identifies the ATE of engaging at
    both times vs neither by the g-formula over them (no backdoor set does)."""
    routes = []
    if spec.adjustment_sets:
        routes.append(
            {"route": "backdoor", "columns": list(spec.adjustment_columns), "estimand": "ate"}
        )
    for m in mechanisms.active(spec):
        if m.routes:
            routes += m.routes(spec)
    stated: dict[str, object] = {
        "unobserved": list(unobserved(spec)),
        "backdoor_valid": bool(spec.adjustment_sets),
        "routes": routes,
    }
    for m in mechanisms.REGISTRY:  # a world cut on a day of its own is censored by no knob
        entry = m.identification(spec, cut) if m.identification else None
        if entry:
            stated[entry[0]] = entry[1]
    return json.dumps(stated)


def graph_dot(spec: DgpSpec) -> str:
    """The DAG the world was drawn from, with nodes named as patient_journeys columns (a
    feature store trap as its feature); a node no analysis table holds is marked
    `observed="no"` (DoWhy's convention). With a dose, engagement acts through it:
    engaged -> dose -> outcome, the dose's causes pointing at it."""
    edges = [f"{c} -> {TREATMENT_COLUMN};" for c in spec.treatment_causes]
    edges += [f"{c} -> {OUTCOME_COLUMN};" for c in spec.outcome_causes]
    active = mechanisms.active(spec)
    paths = [m.path(spec) for m in active if m.path]
    edges += paths[0] if paths else [f"{TREATMENT_COLUMN} -> {OUTCOME_COLUMN};"]
    edges += [f"{t.parent} -> {t.column};" for t in spec_traps(spec)]
    edges += [e for m in active for e in m.edges]
    confounded = [node for m in active for node in m.confounded]
    for node in unobserved(spec):
        edges += [f'{node} [observed="no"];', f"{node} -> {TREATMENT_COLUMN};"]
        edges.append(f"{node} -> {OUTCOME_COLUMN};")
        edges += [f"{node} -> {c};" for c in confounded]
    return "digraph {" + " ".join(edges) + "}"


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return from_sums(world, TruthSums.of(world))


def from_sums(world: World, sums: TruthSums) -> pd.DataFrame:
    """The truth rows from the sums of the scenario's unit truths (a whole world's, or the
    total over its chunks: the same figures, since the sums are exact)."""
    spec = world.spec
    groups: list[tuple[str | None, str | None, int]] = [(None, None, 0)]
    if spec.segment_column == "region":
        groups += [("region", r, i + 1) for i, r in enumerate(REGIONS)]
    groups = [g for g in groups if sums.units[g[2]] > 0]
    labels = ["overall" if col is None else f"{col}={val}" for col, val, _ in groups]
    rows = [g for _, _, g in groups]
    censored = world.censored
    units, treated = sums.units[rows], sums.treated[rows]
    untreated = units - treated
    effect, effect_treated = sums.effect[rows], sums.effect_treated[rows]
    return pd.DataFrame(
        {
            "truth_id": scenario_keys(world, "TRUTH-", np.arange(len(groups))),
            **scenario_columns(world),
            "segment_column": pd.Series([g[0] for g in groups], dtype="str"),
            "segment_value": pd.Series([g[1] for g in groups], dtype="str"),
            "true_ate": effect / units,
            "expected_ate": [exact_mean(sums.cate[g], int(sums.units[g])) for g in rows],
            "effect_scale": "risk_difference",
            "treatment_table": TREATMENT_TABLE,
            "treatment_column": TREATMENT_COLUMN,
            "outcome_column": OUTCOME_COLUMN,
            "adjustment_columns": [list(spec.adjustment_columns)] * len(groups),
            "lag_days": spec.lag_days,
            "n_units": units,
            "n_treated": treated,
            "seed": world.seed,
            "graph_dot": graph_dot(spec),
            "description": [
                spec.description
                + ("" if lab == "overall" else f" ({lab})")
                + (f" [variant {spec.label}]" if spec.variant else "")
                for lab in labels
            ],
            "generator_version": GENERATOR_VERSION,
            "true_att": np.where(treated > 0, effect_treated / np.maximum(treated, 1), np.nan),
            "true_atc": np.where(
                untreated > 0, (effect - effect_treated) / np.maximum(untreated, 1), np.nan
            ),
            "traps": traps_json(spec_traps(spec)),
            "valid_adjustment_sets": adjustment_sets_json(spec),
            "identification": identification_json(spec, world.data_cut if censored else None),
            **mechanism_truth(world, sums, rows),
        }
    )


def mechanism_truth(world: World, sums: TruthSums, rows: list[int]) -> dict[str, Any]:
    """The columns the mechanisms add, each stated by its mechanism's `truth` (in storage
    order; a mechanism's columns hold NULL where a world lacks it)."""
    stated: dict[str, Any] = {}
    for m in mechanisms.REGISTRY:
        if m.truth:
            stated.update(m.truth(world, sums, rows))
    return {c.name: stated[c.name] for c in mechanisms.columns_of("causal_ground_truth")}
