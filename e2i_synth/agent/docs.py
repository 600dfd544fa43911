"""What an agent reads about a table: what the table holds (the first paragraph of its
module's documentation: the rest explains how the generator plants its truth, which an
agent must find, not read), its columns and types, and for the treatment table a data
dictionary of when each column is recorded, as an analyst would be given."""

from __future__ import annotations

from e2i_synth.tables import STORED_SPECS, TABLES
from e2i_synth.tables.answer_key import VISIBLE_TABLES

BASELINE = "recorded at or before the index date (baseline)"
COLUMN_NOTES: dict[str, dict[str, str]] = {
    "patient_journeys": {
        "age_at_diagnosis": BASELINE,
        "gender": BASELINE,
        "region": BASELINE,
        "insurance_type": BASELINE,
        "disease_severity": BASELINE,
        "comorbidity_count": BASELINE,
        "academic_hcp": BASELINE + ": whether the patient's HCP is academic",
        "engaged": "the treatment: whether the field team engaged the patient's care after the "
        "index date",
        "engagement_score": "recorded after the engagement period: how engaged the patient "
        "was (0-10)",
        "treatment_initiated": "the outcome, recorded at follow-up (NULL when unrecorded)",
        "days_to_treatment": "recorded at follow-up: days from the index date to initiation",
        "journey_stage": "recorded at the data cut: the patient's current stage of therapy",
        "journey_start_date": BASELINE,
        "index_date": "the index date: follow-up starts here",
        "data_split": "the patient's split for model fitting (train/validation/test/holdout)",
    }
}
"""When each column of the treatment table is recorded; other tables need no timing."""


DOWNSTREAM_DOCS = {
    "hcp_intervention_history": "hcp_intervention_history: one row per HCP and quarter: what "
    "the field team delivered and the relative TRx change that followed.",
    "digital_twin_models": "digital_twin_models: the HCP twin models (learner, CV metrics, "
    "registered version).",
    "digital_twins": "digital_twins: sampled twins, their features and baseline behavior.",
    "twin_populations": "twin_populations: twin populations, their filters and sizes.",
    "twin_population_members": "twin_population_members: which twin is in which population.",
}
"""What the readable tables of the twin step hold (their specs share one module)."""


def table_doc(name: str) -> str:
    """What the table holds, in a paragraph."""
    if name in DOWNSTREAM_DOCS:
        return DOWNSTREAM_DOCS[name]
    return (TABLES[name].module.__doc__ or "").strip().split("\n\n")[0]


def describe(name: str) -> dict:
    """Columns (name, type, nullable, note) and documentation of a readable table."""
    if name not in VISIBLE_TABLES:
        raise KeyError(f"{name} is not a table you can read; list_tables lists those you can")
    spec = STORED_SPECS[name]
    notes = COLUMN_NOTES.get(name, {})
    return {
        "name": name,
        "description": table_doc(name),
        "primary_key": spec.primary_key,
        "foreign_keys": dict(spec.foreign_keys),
        "columns": [
            {
                "name": column,
                "type": sql_type,
                "nullable": column in spec.nullable,
                **({"note": notes[column]} if column in notes else {}),
            }
            for column, sql_type in spec.columns.items()
        ],
    }


def markdown(name: str) -> str:
    """The table's documentation as one Markdown page (the server's table:// resource)."""
    info = describe(name)
    lines = [f"# {name}", "", info["description"], "", "| column | type | note |", "|---|---|---|"]
    lines += [f"| {c['name']} | {c['type']} | {c.get('note', '')} |" for c in info["columns"]]
    return "\n".join(lines) + "\n"
