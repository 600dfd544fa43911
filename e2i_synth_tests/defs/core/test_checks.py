"""`e2i-synth validate` re-checks every stored table of a scenario, the twin tables too:
corrupted twin rows fail it (they passed before: only the core tables were re-checked)."""

from __future__ import annotations

import re

import duckdb

from e2i_synth.twins.stored_checks import STORED_CHECKS
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth_tests.conftest import invoke_cli
from e2i_synth_tests.privacy.stored_twins import SCENARIO, stored_frames


def validate(home) -> tuple[int, str, str]:
    result = invoke_cli(
        "validate",
        "--brand",
        SCENARIO.brand,
        "--dgp",
        SCENARIO.dgp,
        env={"E2I_HOME": str(home), "DAGSTER_HOME": None},
    )
    return result.returncode, result.stdout, result.stderr


def test_validate_fails_on_corrupted_twin_rows(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    DuckDBWarehouse(path).replace_scenario(SCENARIO, stored_frames())
    code, out, err = validate(tmp_path)
    assert code == 0, err
    total = len(STORED_CHECKS)
    assert re.search(rf"{re.escape(SCENARIO.partition_key)} +checks {total}/{total} ok", out)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE digital_twins SET twin_type = 'bogus' "
            "WHERE twin_id IN (SELECT min(twin_id) FROM digital_twins)"
        )
    code, out, err = validate(tmp_path)
    assert code == 1
    assert f"checks {total - 1}/{total} FAILED" in out
    assert (
        f"{SCENARIO.partition_key}: digital_twins.stored_schema failed: digital_twins.twin_type: "
        "1 rows fail isin" in err
    )
