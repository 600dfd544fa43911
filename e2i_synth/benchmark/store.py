"""Variants in the warehouse: each variant of a DGP is stored in its own DuckDB file,
`$E2I_HOME/variants/<dgp~knobs>/warehouse.duckdb`, with the same tables and keys as a
default scenario and the variant named in its truth rows' description.

Why a file per variant rather than new keys in the main warehouse: every table carries
`dgp_type`, checked against the five DGP names (Pandera, PostgreSQL CHECK constraints,
and every delete/replace is by (brand, dgp_type)). A variant keeps its base DGP's
`dgp_type`, so all schemas, constraints and keys stay valid unchanged, and the 15 default
scenarios can never be replaced by a variant. Point E2I_HOME at a variant's folder to
read or validate it with every other command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.validation.suite import structural_checks
from e2i_synth.warehouse import open_warehouse
from e2i_synth.world import draw_world
from e2i_synth.world.variants import variant_label

VARIANTS_FOLDER = "variants"


def variant_home(home: Path, dgp: str, knobs: tuple[tuple[str, str], ...]) -> Path:
    return home / VARIANTS_FOLDER / variant_label(dgp, knobs)


@dataclass(frozen=True)
class StoredVariant:
    scenario: Scenario
    home: Path
    rows: dict[str, int]
    true_ate: float


def materialize_variant(
    scenario: Scenario, n_patients: int, seed: int, home: Path, write: bool = True
) -> StoredVariant:
    """Draw, build and check one variant in memory, then (`write`) replace it in its own
    DuckDB file, all tables in one transaction; a failed structural check writes nothing."""
    frames = build_tables(draw_world(scenario, n_patients, seed))
    failed = [r for r in structural_checks(frames) if not r.passed]
    if failed:
        raise E2IError(
            f"{scenario.label}: {len(failed)} check(s) failed, nothing written:\n  "
            + "\n  ".join(f"{r.name}: {r.message}" for r in failed)
        )
    target = variant_home(home, scenario.dgp, scenario.knobs)
    if write:
        target.mkdir(parents=True, exist_ok=True)
        open_warehouse(target).replace_scenario(scenario, frames)
    truth = frames["causal_ground_truth"]
    overall = truth.loc[truth["segment_column"].isna(), "true_ate"].iloc[0]
    return StoredVariant(scenario, target, {n: len(f) for n, f in frames.items()}, float(overall))
