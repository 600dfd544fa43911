"""A synthesizer fitted on a stored scenario's table and scored against its holdout: what
`e2i-synth privacy score` runs, with its inputs checked before any row is read."""

from __future__ import annotations

from e2i_synth.errors import E2IError
from e2i_synth.privacy.families import family_named
from e2i_synth.privacy.optimizer import MAX_RETRIES, Optimization, optimize
from e2i_synth.privacy.views import VIEWS, causal_design, modeled_frame, split_real
from e2i_synth.settings import Scenario, Settings
from e2i_synth.warehouse import open_warehouse

NEEDED = ("patient_journeys", "treatment_events")
"""The stored tables every modeled view is cut from."""


def score_stored(
    table: str,
    scenario: Scenario,
    settings: Settings,
    synthesizer: str,
    epsilon: float | None,
    retries: int,
    seed: int,
) -> tuple[Optimization, int, int]:
    """The optimizer's attempts on `table` of the stored `scenario` (fitted on its train
    split, scored against its holdout), with the train and holdout row counts."""
    family = family_named(synthesizer)
    if table not in VIEWS:
        raise E2IError(
            f"unknown table {table!r} for privacy score; choose one of: {', '.join(VIEWS)}"
        )
    if not 0 <= retries <= MAX_RETRIES:
        raise E2IError(f"--retries {retries} must be between 0 and {MAX_RETRIES}")
    store = open_warehouse(settings.home, settings.database)
    frames = {t: store.read(t, scenario) for t in NEEDED if t in store.tables()}
    if len(frames) < len(NEEDED) or frames["patient_journeys"].empty:
        raise E2IError(
            f"{scenario.partition_key} is not stored in {settings.target}; materialize it "
            f"first (e2i-synth materialize --brand {scenario.brand} --dgp {scenario.dgp})"
        )
    train, holdout = split_real(modeled_frame(table, frames))
    params = {"epsilon": epsilon} if epsilon is not None else None
    run = optimize(
        family,
        table,
        train,
        holdout,
        VIEWS[table].target,
        seed,
        params,
        max_retries=retries,
        design=causal_design(table, scenario.dgp),
    )
    return run, len(train), len(holdout)
