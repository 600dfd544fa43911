"""scenario_signals: the non-causal truths planted in a scenario, for the tools that must
find them: the named under-performer of `business_metrics` (a gap analyzer should find
it), the stated seasonality of its volumes, and the one drifted feature of the feature
store (a drift monitor should flag it and nothing else)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.catalog import REGIONS
from e2i_synth.tables import business_metrics, feature_values
from e2i_synth.tables.spec import SCENARIO_COLUMNS, TableSpec, scenario_columns, scenario_keys
from e2i_synth.world import World

SPEC = TableSpec(
    name="scenario_signals",
    columns={
        "signal_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "signal_type": "VARCHAR",
        "table_name": "VARCHAR",
        "subject": "VARCHAR",
        "region": "VARCHAR",
        "start_date": "DATE",
        "magnitude": "DOUBLE",
        "description": "VARCHAR",
    },
    primary_key="signal_id",
    nullable=frozenset({"region", "start_date"}),
    descriptions={
        "signal_id": "The signal's key within the scenario.",
        "signal_type": (
            "underperformer (a gap analyzer should find it), seasonality (stated) or drift (a "
            "drift monitor should flag it and nothing else)."
        ),
        "table_name": "Where the signal is: business_metrics or feature_values.",
        "subject": (
            "The metric (trx) or the drifted feature (prior_treatment_count or "
            "patient_volume_monthly)."
        ),
        "region": "The under-performing region; NULL for the others.",
        "start_date": (
            "When the under-performance or drift starts (the under-performance between 2024-07 "
            "and 2025-01); NULL for seasonality."
        ),
        "magnitude": (
            "The under-performer's share of plan (0.8), the seasonal amplitude (0.08) or the "
            "drift's ratio of means after to before."
        ),
        "description": "The signal in words.",
    },
)


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    region, first = business_metrics.underperformer(world)
    shift = feature_values.drift(world)
    start = business_metrics.months()[first].astype("datetime64[D]")
    rows = [
        {
            "signal_type": "underperformer",
            "table_name": business_metrics.SPEC.name,
            "subject": "trx",
            "region": REGIONS[region],
            "start_date": start,
            "magnitude": business_metrics.UNDERPERFORMANCE,
            "description": f"TRx in {REGIONS[region]} at {business_metrics.UNDERPERFORMANCE:.0%} "
            f"of target from {str(start)[:7]} on (achievement_rate); other regions within noise",
        },
        {
            "signal_type": "seasonality",
            "table_name": business_metrics.SPEC.name,
            "subject": "trx",
            "region": None,
            "start_date": None,
            "magnitude": business_metrics.SEASONAL_AMPLITUDE,
            "description": "volume plans follow 1 + 0.08 sin(2 pi (month - 1) / 12), "
            "peaking in April, on 10% yearly growth",
        },
        {
            "signal_type": "drift",
            "table_name": feature_values.SPEC.name,
            "subject": shift.feature,
            "region": None,
            "start_date": shift.start,
            "magnitude": shift.factor,
            "description": f"{shift.feature} values dated from {shift.start} on have "
            f"{shift.factor:.2f}x the mean of earlier ones; no other feature drifts",
        },
    ]
    frame = pd.DataFrame(rows)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["region"] = frame["region"].astype("str").where(frame["region"].notna())
    return frame.assign(
        signal_id=scenario_keys(world, "S", np.arange(len(frame))), **scenario_columns(world)
    )
