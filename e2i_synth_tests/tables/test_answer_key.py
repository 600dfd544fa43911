from e2i_synth.tables import REGISTRY, STORED_SPECS
from e2i_synth.tables.answer_key import ANSWER_KEY, VISIBLE_TABLES


def test_every_stored_table_is_either_readable_or_key():
    assert set(VISIBLE_TABLES) | ANSWER_KEY == set(STORED_SPECS)
    assert not set(VISIBLE_TABLES) & ANSWER_KEY


def test_the_truth_group_and_the_twins_truth_are_key():
    truth = {t.name for t in REGISTRY if t.group == "truth"}
    assert truth == {"unit_truth", "causal_ground_truth", "scenario_signals"}
    assert truth | {"intervention_ground_truth", "simulation_runs"} <= ANSWER_KEY
    assert {"patient_journeys", "hcp_profiles", "business_metrics"} <= set(VISIBLE_TABLES)


def test_no_readable_table_holds_a_column_of_the_unit_truth():
    """The potential outcomes and per-unit effects live only in unit_truth."""
    secret = set(STORED_SPECS["unit_truth"].columns) - {
        "patient_id",
        "brand",
        "dgp_type",
        "data_split",
    }
    for name in VISIBLE_TABLES:
        assert not secret & set(STORED_SPECS[name].columns), name
