"""The check list is complete, unique, and runs in its declared order."""

from __future__ import annotations

from e2i_synth.tables import TABLE_NAMES
from e2i_synth.validation.suite import CHECKS, run_checks, structural_checks
from e2i_synth_tests.conftest import frames_of


def test_every_table_has_schema_and_key_checks_and_names_are_unique():
    names = [c.name for c in CHECKS]
    assert len(names) == len(set(names))
    for table in TABLE_NAMES:
        assert {f"{table}.schema", f"{table}.keys"} <= set(names)
    assert {c.name for c in CHECKS if not c.structural} == {
        "causal_ground_truth.causal_recovery",
        "causal_ground_truth.causal_refutation",
    }


def test_full_suite_passes_on_a_clean_scenario_in_declared_order():
    results = run_checks(frames_of("fabhalta", "heterogeneous"))
    assert [r.name for r in results] == [c.name for c in CHECKS]
    assert [r.message for r in results if not r.passed] == []


def test_selection_runs_only_the_named_checks():
    frames = frames_of("fabhalta", "simple_linear")
    wanted = ["triggers.time_order", "causal_ground_truth.causal_recovery"]
    assert [r.name for r in run_checks(frames, wanted)] == wanted
    assert all(r.check != "causal_recovery" for r in structural_checks(frames))


def test_a_corrupted_frame_fails_only_the_checks_that_guard_it():
    frames = {k: v.copy() for k, v in frames_of("fabhalta", "simple_linear").items()}
    frames["engagement_events"].loc[0, "channel"] = "carrier_pigeon"
    failed = [r.name for r in structural_checks(frames) if not r.passed]
    assert failed == ["engagement_events.schema"]


def test_a_check_that_crashes_is_that_checks_failure_and_the_others_still_run():
    frames = {k: v.copy() for k, v in frames_of("fabhalta", "simple_linear").items()}
    frames["business_metrics"] = frames["business_metrics"].drop(columns="target")
    results = structural_checks(frames)
    assert [r.name for r in results] == [c.name for c in CHECKS if c.structural]
    crashed = {r.name: r.message for r in results if "could not run" in r.message}
    assert set(crashed) == {"business_metrics.series"}
    assert "KeyError" in crashed["business_metrics.series"]
    assert all(r.passed for r in results if r.table == "triggers")


def test_descriptions_state_the_rules_the_checks_apply():
    from e2i_synth.validation.causal import TOLERANCE_FLOOR

    described = {c.name: c.description for c in CHECKS}
    recovery = described["causal_ground_truth.causal_recovery"]
    assert f"max({TOLERANCE_FLOOR}, z·SE)" in recovery and "2 SE" not in recovery
    assert "3.40 for 1, 3.59 for 2, 3.82 for 5" in recovery and "at most 1%" in recovery
    assert "60/20/15/5 within ±1%" in described["patient_journeys.split_proportions"]
