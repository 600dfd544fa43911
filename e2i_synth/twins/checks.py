"""Checks of one scenario's twin tables, each a CheckResult like the core suite's:
Pandera schemas (from the specs, the catalog's vocabulary and the twin enumerations), keys
between the twin tables, and the guard that matters: no `deploy` whose simulated effect is
off truth by more than its CI."""

from __future__ import annotations

import json
from functools import cache
from statistics import NormalDist

import pandas as pd
import pandera.pandas as pa

from e2i_synth.catalog import (
    BRANDS,
    DGPS,
    FREQUENCIES,
    INTERVENTION_TYPES,
    RECOMMENDATIONS,
    TWIN_TYPES,
)
from e2i_synth.tables.downstream import DOWNSTREAM_SPECS, TWIN_SPECS
from e2i_synth.tables.spec import TableSpec
from e2i_synth.validation.result import CheckResult, from_problems
from e2i_synth.validation.schemas import COLUMN_CHECKS, schema_failures, spec_schema
from e2i_synth.world.interventions import SUBGROUP_COLUMNS

FAMILY_CONFIDENCE = 0.95
FAMILY_SIZE = len(BRANDS) * len(DGPS) * len(INTERVENTION_TYPES)
"""The default simulations of a full run: every intervention on every scenario."""
Z_FAMILY = NormalDist().inv_cdf(1 - (1 - FAMILY_CONFIDENCE) / (2 * FAMILY_SIZE))
UNIT = pa.Check.in_range(0, 1)
TWIN_COLUMN_CHECKS: dict[str, list[pa.Check]] = {
    **COLUMN_CHECKS,
    "twin_type": [pa.Check.isin(list(TWIN_TYPES))],
    "recommendation": [pa.Check.isin(list(RECOMMENDATIONS))],
    "frequency": [pa.Check.isin(list(FREQUENCIES))],
    "run_status": [pa.Check.isin(["pending", "running", "completed", "failed"])],
    "source": [pa.Check.isin(["held_out", "experiment"])],
    "subgroup_column": [pa.Check.isin(["all", *SUBGROUP_COLUMNS])],
    "coverage_95pct": [UNIT],
    "exact_copy_rate": [UNIT],
    "correlation": [pa.Check.in_range(-1, 1)],
    "intensity": [pa.Check.in_range(0, 2)],
    "duration_weeks": [pa.Check.in_range(0, 52)],
    "n_twins": [pa.Check.ge(1)],
    "twin_count": [pa.Check.ge(1)],
    "mae": [pa.Check.ge(0)],
    "rmse": [pa.Check.ge(0)],
    "error": [pa.Check.ge(0)],
    "abs_error": [pa.Check.ge(0)],
    "individual_effect": [pa.Check.in_range(-1, 1)],  # an HCP's relative TRx change
}
ALL_SPECS: dict[str, TableSpec] = {s.name: s for s in DOWNSTREAM_SPECS}


@cache
def schema(table: str) -> pa.DataFrameSchema:
    return spec_schema(ALL_SPECS[table], TWIN_COLUMN_CHECKS)


def check_schema(table: str, frame: pd.DataFrame) -> CheckResult:
    problems = schema_failures(schema(table), frame)
    ok = f"{len(frame)} rows match the {table} schema"
    return from_problems("schema", table, problems, ok, {"rows": len(frame)})


def check_keys(frames: dict[str, pd.DataFrame]) -> list[CheckResult]:
    """Every foreign key between the twin tables resolves (keys to core tables are the
    core suite's business)."""
    results = []
    for spec in TWIN_SPECS:
        problems = []
        for column, parent in spec.foreign_keys.items():
            if parent not in frames:
                continue
            missing = ~frames[spec.name][column].isin(frames[parent][ALL_SPECS[parent].primary_key])
            if missing.any():
                example = frames[spec.name].loc[missing, column].iloc[0]
                problems.append(f"{missing.sum()} {column} not in {parent} (e.g. {example!r})")
        ok = f"every key of {spec.name} resolves"
        results.append(from_problems("keys", spec.name, problems, ok, {}))
    return results


def check_deploy_against_truth(runs: pd.DataFrame) -> CheckResult:
    """A `deploy` is refused when |simulated - true ATE| exceeds its CI's half-width, taken
    at the run's family-wise level: Z_FAMILY x SE, the band that holds for all the default
    simulations of every scenario together with 95% probability (Bonferroni, as the causal
    verdict). Each simulation's own 95% CI misses the truth 5% of the time by design, so a
    per-CI rule, over the dozens of deploys of a full run, would block most healthy runs; a
    real defect (a model off by whole effects) stays far outside either band."""
    deploy = runs[runs["recommendation"] == "deploy"]
    se = deploy["results"].map(lambda text: json.loads(text)["se"]).astype(float)
    band = Z_FAMILY * se
    off = deploy[(deploy["simulated_ate"] - deploy["true_ate"]).abs() > band]
    problems = [
        f"{r.intervention_type}: simulated {r.simulated_ate:.4f} (family-wise band "
        f"±{band[r.Index]:.4f}) but true {r.true_ate:.4f}"
        for r in off.itertuples()
    ]
    ok = f"{len(deploy)} deploy recommendation(s), each within {Z_FAMILY:.2f} SE of the true effect"
    figures = {"deploys": len(deploy), "off_truth": len(off), "z_family": Z_FAMILY}
    return from_problems("deploy_within_ci_of_truth", "simulation_runs", problems, ok, figures)


def check_drift(snapshots: pd.DataFrame) -> CheckResult:
    """Fidelity snapshots raise no drift flag (retrain, warn, investigate)."""
    flagged = snapshots[snapshots[["retrain", "warn", "investigate"]].any(axis=1)]
    problems = [
        f"{r.source}{f' arm {r.intervention_type}' if pd.notna(r.intervention_type) else ''}: "
        f"{r.drift_reasons}"
        for r in flagged.itertuples()
    ]
    ok = f"{len(snapshots)} snapshot(s) without drift"
    return from_problems("no_drift", "fidelity_snapshots", problems, ok, {"flagged": len(flagged)})


def run_twin_checks(frames: dict[str, pd.DataFrame]) -> list[CheckResult]:
    results = [check_schema(name, frame) for name, frame in frames.items()]
    results += check_keys(frames)
    results.append(check_deploy_against_truth(frames["simulation_runs"]))
    results.append(check_drift(frames["fidelity_snapshots"]))
    return results
