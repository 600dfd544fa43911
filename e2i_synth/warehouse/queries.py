"""Named SQL for agents and dashboards: `sql/queries/<name>.sql`, run on any warehouse."""

from __future__ import annotations

import pandas as pd

from e2i_synth.errors import E2IError
from e2i_synth.warehouse.base import Warehouse
from e2i_synth.warehouse.migrations import SQL_DIR

QUERIES_DIR = SQL_DIR / "queries"


def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in QUERIES_DIR.glob("*.sql")))
        raise E2IError(f"no query named {name!r}; known: {known}")
    return path.read_text(encoding="utf-8")


def scenario_summary(store: Warehouse) -> pd.DataFrame:
    """Per scenario: patients, engaged share, initiation rate, naive contrast, true ATE."""
    frame = store.query(query_text("scenario_summary"))
    numeric = ["engaged_share", "initiation_rate", "naive_difference", "true_ate"]
    return frame.astype({c: float for c in numeric}).astype({"patients": int})
