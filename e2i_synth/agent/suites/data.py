"""Data questions with exact answers (counts, top-N, an arg-max): the text-to-SQL
baseline. Their keys come from the readable tables themselves, so any careful query
answers them; parameters (region, specialty, N) are drawn per seed."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from e2i_synth.agent.tasks import INTEGER, STRING, STRINGS, Task, object_schema, task_id
from e2i_synth.settings import Scenario

SUITE = "data"
READS = ("patient_journeys", "hcp_profiles", "treatment_events")
"""The tables its tasks are built from."""
EXACT = "exact: the answer must equal the key (lists in order, text case-insensitive)"


def top(counts: pd.Series, n: int) -> list[str]:
    """The n labels with the largest counts, ties broken by label (ascending)."""
    frame = counts.rename("n").rename_axis("label").reset_index()
    frame = frame.sort_values(["n", "label"], ascending=[False, True])
    return [str(v) for v in frame["label"].head(n)]


def build(
    scenario: Scenario, frames: Mapping[str, pd.DataFrame], rng: np.random.Generator
) -> list[Task]:
    patients, hcps = frames["patient_journeys"], frames["hcp_profiles"]
    events = frames["treatment_events"]
    label = scenario.label
    region = str(rng.choice(sorted(patients["region"].unique())))
    initiated = int(
        (patients["region"].eq(region) & patients["treatment_initiated"].eq(True)).sum()
    )
    specialty = str(rng.choice(sorted(hcps["specialty"].unique())))
    tier = int(rng.integers(1, 5))
    chosen_hcps = int((hcps["specialty"].eq(specialty) & hcps["priority_tier"].eq(tier)).sum())
    n_top = int(rng.integers(3, 6))
    by_specialty = patients.merge(hcps[["hcp_id", "specialty"]], on="hcp_id")
    top_specialties = top(by_specialty["specialty"].value_counts(), min(n_top, 3))
    event_type = str(rng.choice(["prescription", "refill"]))
    top_prescribers = top(
        events.loc[events["event_type"].eq(event_type), "hcp_id"].value_counts(), n_top
    )
    rates = patients.groupby("region")["engaged"].mean()
    most_engaged = str(top(rates, 1)[0])
    return [
        Task(
            task_id(scenario, SUITE, "initiated_in_region"),
            SUITE,
            scenario.partition_key,
            "exact_count",
            f"In scenario {label}, how many patients in region '{region}' initiated treatment "
            "(patient_journeys.treatment_initiated is true)?",
            object_schema(count=INTEGER),
            EXACT,
            {"count": initiated},
            f"{initiated:,} rows of patient_journeys have region = '{region}' and "
            "treatment_initiated = true (NULL, an unrecorded outcome, is not true).",
        ),
        Task(
            task_id(scenario, SUITE, "hcps_in_specialty_tier"),
            SUITE,
            scenario.partition_key,
            "exact_count",
            f"In scenario {label}, how many HCPs of specialty '{specialty}' have priority tier "
            f"{tier}?",
            object_schema(count=INTEGER),
            EXACT,
            {"count": chosen_hcps},
            f"{chosen_hcps:,} rows of hcp_profiles have specialty = '{specialty}' and "
            f"priority_tier = {tier}.",
        ),
        Task(
            task_id(scenario, SUITE, "top_specialties"),
            SUITE,
            scenario.partition_key,
            "exact_list",
            f"In scenario {label}, which {len(top_specialties)} HCP specialties have the most "
            "patients (patient_journeys joined to hcp_profiles on hcp_id)? Largest first; "
            "break ties by specialty name, ascending.",
            object_schema(values=STRINGS),
            EXACT,
            {"values": top_specialties},
            f"Counting patients per specialty of their HCP: {', '.join(top_specialties)}.",
        ),
        Task(
            task_id(scenario, SUITE, "top_hcps_by_events"),
            SUITE,
            scenario.partition_key,
            "exact_list",
            f"In scenario {label}, which {n_top} hcp_ids have the most treatment_events of "
            f"event_type '{event_type}'? Largest first; break ties by hcp_id, ascending.",
            object_schema(values=STRINGS),
            EXACT,
            {"values": top_prescribers},
            f"Counting {event_type} events per hcp_id: {', '.join(top_prescribers)}.",
        ),
        Task(
            task_id(scenario, SUITE, "most_engaged_region"),
            SUITE,
            scenario.partition_key,
            "exact_value",
            f"In scenario {label}, which region has the largest share of engaged patients "
            "(patient_journeys.engaged)? Break ties by region name, ascending.",
            object_schema(value=STRING),
            EXACT,
            {"value": most_engaged},
            "Share engaged per region: "
            + ", ".join(f"{r} {v:.4f}" for r, v in rates.sort_index().items())
            + f"; the largest is {most_engaged}.",
        ),
    ]
