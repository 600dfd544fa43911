"""A login the owner has granted nothing is told to get the grant by every command that
reads scenarios, never that the warehouse is empty when scenarios are stored."""

from __future__ import annotations

import pytest

from e2i_synth.settings import Scenario
from e2i_synth.warehouse.postgres import PostgresWarehouse
from e2i_synth_tests.conftest import frames_of, invoke_cli
from e2i_synth_tests.warehouse.conftest import MARKER

pytestmark = pytest.mark.postgres

GRANT_FIX = "grant this role e2i_loader (to load) or e2i_reader (to read)"


@pytest.mark.parametrize(
    "command", [("validate",), ("agent", "tasks"), ("db", "status")], ids=" ".join
)
def test_a_role_without_grants_is_told_the_grant_not_that_nothing_is_stored(
    postgres_database, plain_role, tmp_path, command
):
    PostgresWarehouse(postgres_database).replace_scenario(
        Scenario("kisqali", "confounded"), frames_of("kisqali", "confounded")
    )
    result = invoke_cli(
        *command, env={"E2I_HOME": str(tmp_path / "home"), "E2I_DATABASE_URL": plain_role}
    )
    assert result.returncode != 0
    assert "permission denied" in result.stderr and GRANT_FIX in result.stderr
    assert "no scenario" not in result.stderr and "materialize" not in result.stderr
    assert "Traceback" not in result.stderr and MARKER not in result.stderr
