"""The `validation_results` table's layout: one row per check per scenario per run.

Not a projection of the world, so not in the registry: the warehouses store it beside the
scenario tables (`warehouse.ddl.ALL_SPECS`) and the checks fill it
(`validation.records.results_frame`); its layout stands here, below both."""

from __future__ import annotations

from e2i_synth.tables.spec import TableSpec

RESULTS_SPEC = TableSpec(
    name="validation_results",
    columns={
        "result_id": "VARCHAR",
        "run_id": "VARCHAR",
        "brand": "VARCHAR",
        "dgp_type": "VARCHAR",
        "table_name": "VARCHAR",
        "check_name": "VARCHAR",
        "passed": "BOOLEAN",
        "message": "VARCHAR",
        "figures": "VARCHAR",
        "checked_at": "TIMESTAMP",
    },
    primary_key="result_id",
    descriptions={
        "result_id": "The result's key: run id, brand|dgp and table.check, '|'-separated.",
        "run_id": "The Dagster run (or command run) that checked.",
        "brand": "The scenario's brand.",
        "dgp_type": "The scenario's DGP (a variant's base DGP).",
        "table_name": "The table checked.",
        "check_name": (
            "The check (schema, keys, time_order, causal_recovery, ...): see the checks reference."
        ),
        "passed": "Whether the check passed.",
        "message": "The verdict in one line, naming the figure that failed.",
        "figures": (
            "JSON object of the check's figures (estimates, truths, SEs, counts, intervals)."
        ),
        "checked_at": "When the check ran (UTC).",
    },
)
"""`figures` is a JSON object (estimates, counts, intervals) a SQL engine can unpack."""
