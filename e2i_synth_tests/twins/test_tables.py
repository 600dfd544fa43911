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
