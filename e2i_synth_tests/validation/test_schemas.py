"""The Pandera schemas accept every generated and stored table and reject corruptions."""

from __future__ import annotations

import pytest

from e2i_synth.catalog import BRANDS, DGPS
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.validation.schemas import check_schema, schema_problems
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth_tests.conftest import frames_of


@pytest.mark.parametrize("brand", list(BRANDS))
@pytest.mark.parametrize("dgp", list(DGPS))
def test_generated_tables_match_their_schemas(brand, dgp):
    for name, frame in frames_of(brand, dgp).items():
        assert schema_problems(name, frame) == [], name


def test_tables_read_back_from_duckdb_match_their_schemas(tmp_path):
    store = DuckDBWarehouse(tmp_path / "w.duckdb")
    scenario = Scenario("kisqali", "heterogeneous")
    store.replace_scenario(scenario, frames_of("kisqali", "heterogeneous", 500))
    for name in TABLE_NAMES:
        assert schema_problems(name, store.read(name, scenario)) == [], name


def test_out_of_catalog_enum_is_named_with_examples():
    frame = frames_of("fabhalta", "confounded")["engagement_events"].copy()
    frame.loc[[0, 1], "channel"] = "fax"
    [problem] = schema_problems("engagement_events", frame)
    assert problem.startswith("engagement_events.channel: 2 rows fail isin") and "'fax'" in problem


def test_duplicate_key_range_and_missing_value_are_caught():
    frame = frames_of("fabhalta", "confounded")["patient_journeys"].copy()
    frame.loc[1, "patient_id"] = frame.loc[0, "patient_id"]
    frame.loc[2, "disease_severity"] = 11.5
    frame.loc[3, "region"] = None
    problems = "\n".join(schema_problems("patient_journeys", frame))
    assert "patient_journeys.patient_id" in problems and "field_uniqueness" in problems
    assert "patient_journeys.disease_severity: 1 rows fail in_range" in problems
    assert "patient_journeys.region" in problems and "not_nullable" in problems


def test_missing_column_is_caught():
    frame = frames_of("fabhalta", "confounded")["triggers"].drop(columns=["status"])
    assert any("status" in p for p in schema_problems("triggers", frame))


def test_schema_check_result_summarises_failures():
    clean = frames_of("remibrutinib", "time_series")["hcp_profiles"]
    ok = check_schema("hcp_profiles", clean)
    assert ok.passed and ok.figures["rows"] == len(clean) and ok.figures["problems"] == 0
    frame = clean.copy()
    frame.loc[:, "specialty"] = "astrology"
    bad = check_schema("hcp_profiles", frame)
    assert not bad.passed and bad.figures["problems"] == 1
    assert f"{len(frame)} rows fail isin" in bad.message and len(bad.message) < 300
