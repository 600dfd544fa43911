"""Re-check a scenario whose stored tables changed outside a run.

Every few minutes the sensor takes a fingerprint of each stored scenario (rows and a hash
of every row, per table). A scenario whose fingerprint moved while no materialization of
it happened since the last tick was edited by someone else (a manual fix, a broken
loader): the sensor requests a `validate_scenario` run for it, so the checks in the UI
describe what is stored now.
"""

import hashlib
import json

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from e2i_synth.defs.automation import sensor_status
from e2i_synth.defs.core.jobs import validate_scenario
from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.warehouse import DuckDBWarehouse, Warehouse

TRUTH_ASSET = AssetKey("causal_ground_truth")


def row_hash_sql(store: Warehouse, table: str) -> str:
    if isinstance(store, DuckDBWarehouse):
        return f"SELECT brand, dgp_type, count(*) AS n, bit_xor(hash(t)) AS h FROM {table} t"
    return (
        f"SELECT brand, dgp_type, count(*) AS n, bit_xor(hashtext(t::text)::bigint) AS h "
        f"FROM {table} t"
    )


def fingerprints(store: Warehouse) -> dict[str, str]:
    """Partition key -> digest of (table, rows, row-hash) over every core table."""
    present = set(store.tables())
    parts: dict[str, list[str]] = {}
    for table in TABLE_NAMES:
        if table not in present:
            continue
        frame = store.query(row_hash_sql(store, table) + " GROUP BY brand, dgp_type")
        for row in frame.itertuples(index=False):
            key = Scenario(row.brand, row.dgp_type).partition_key
            parts.setdefault(key, []).append(f"{table}:{row.n}:{row.h}")
    return {k: hashlib.sha256("|".join(v).encode()).hexdigest() for k, v in parts.items()}


def materialized_since(context: SensorEvaluationContext, key: str, storage_id: int) -> bool:
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(
            asset_key=TRUTH_ASSET, asset_partitions=[key], after_storage_id=storage_id
        ),
        limit=1,
    )
    return bool(records.records)


@sensor(
    job=validate_scenario,
    minimum_interval_seconds=300,
    default_status=sensor_status(),
    description="Re-run the checks of a scenario whose tables changed outside a run.",
)
def recheck_changed_scenarios(
    context: SensorEvaluationContext, warehouse: WarehouseResource
) -> SensorResult:
    state = json.loads(context.cursor) if context.cursor else {"seen": {}, "storage_id": 0}
    store = warehouse.get()
    now = fingerprints(store) if store.tables() else {}
    latest = context.instance.event_log_storage.get_maximum_record_id() or 0
    requests = [
        RunRequest(run_key=f"{key}@{digest}", partition_key=key)
        for key, digest in now.items()
        if key in state["seen"]
        and state["seen"][key] != digest
        and not materialized_since(context, key, state["storage_id"])
    ]
    return SensorResult(
        run_requests=requests, cursor=json.dumps({"seen": now, "storage_id": latest})
    )
