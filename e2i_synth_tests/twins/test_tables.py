import json

from e2i_synth.tables.downstream import DOWNSTREAM_SPECS, TWIN_SPECS


def test_every_table_follows_its_spec_with_unique_keys(twin_frames):
    specs = {s.name: s for s in DOWNSTREAM_SPECS}
    assert list(twin_frames) == list(specs)
    for name, frame in twin_frames.items():
        spec = specs[name]
        assert list(frame.columns) == list(spec.columns), name
        assert frame[spec.primary_key].is_unique, name
        assert len(frame), name
        required = [c for c in spec.columns if c not in spec.nullable]
        assert frame[required].notna().all().all(), name
        if spec.unique:
            assert not frame.duplicated(list(spec.unique)).any(), name


def test_foreign_keys_resolve(twin_frames, iw):
    keys = {s.name: s.primary_key for s in TWIN_SPECS}
    parents = {**twin_frames, "hcp_profiles": iw.hcps}
    keys["hcp_profiles"] = "hcp_id"
    for spec in TWIN_SPECS:
        for column, parent in spec.foreign_keys.items():
            assert twin_frames[spec.name][column].isin(parents[parent][keys[parent]]).all(), (
                spec.name,
                column,
            )


def test_simulation_runs_put_simulated_and_true_side_by_side(twin_frames):
    runs = twin_frames["simulation_runs"]
    assert (
        runs["ci_covers_truth"] == runs["true_ate"].between(runs["ci_lower"], runs["ci_upper"])
    ).all()
    assert ((runs["simulated_ate"] - runs["true_ate"]).abs() == runs["abs_error"]).all()
    results = json.loads(runs["results"].iloc[0])
    assert {"ate", "ci_95", "heterogeneity"} <= set(results)
    assert "true" in results["heterogeneity"][0]


def test_models_row_carries_the_training(twin_frames, generator):
    row = twin_frames["digital_twin_models"].iloc[0]
    assert row["model_type"] == generator.training.model_type
    assert json.loads(row["hyperparameters"]) == generator.training.hyperparameters
    assert row["training_samples"] == generator.training.training_rows


def test_simulation_runs_store_the_plugin_and_the_correction_apart(twin_frames):
    runs = twin_frames["simulation_runs"]
    parts = runs["plugin_ate"] + runs["correction"]
    assert ((parts - runs["simulated_ate"]).abs() < 1e-15).all()
    assert (runs["correction"] != 0).all()  # the history contributed to every run
    assert not runs["extrapolated"].any() and runs["support_note"].isna().all()


def test_an_extrapolated_run_is_labelled_where_it_is_stored(generator, iw):
    from datetime import UTC, datetime

    from e2i_synth.settings import Scenario
    from e2i_synth.twins.fidelity import score_simulation
    from e2i_synth.twins.simulation import simulate
    from e2i_synth.twins.tables import simulations_frame

    config = {"intervention_type": "email_campaign", "intensity": 2.0}
    result = simulate(generator, generator.generate(200), config, extrapolate=True)
    row = simulations_frame(
        [(result, score_simulation(result, iw))],
        Scenario(iw.scenario.brand, iw.scenario.dgp),
        datetime.now(UTC),
    ).iloc[0]
    assert row["extrapolated"] and "intensity 2" in row["support_note"]
    assert json.loads(row["results"])["extrapolated"] is True
    assert row["recommendation"] != "deploy"
