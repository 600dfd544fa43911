import warnings

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import DGPS
from e2i_synth.twins.errors import TwinError
from e2i_synth.twins.features import (
    HCP,
    PATIENT,
    TERRITORY,
    patient_training_frame,
    territory_training_frame,
)
from e2i_synth.world.interventions import history_table
from e2i_synth_tests.conftest import frames_of
from e2i_synth_tests.twins.conftest import BRAND, SEED, layer


def test_hcp_frame_has_every_input_and_no_truth(frame):
    assert set(HCP.inputs) <= set(frame.columns)
    assert not {"y0", "potential_outcome_treated", "true_ate"} & set(frame.columns)
    untreated = ~HCP.is_treated(frame)
    assert (frame.loc[untreated, "intervention_type"] == "none").all()
    assert (frame.loc[~untreated, "intensity"] > 0).all()


def test_patient_frame_reads_no_potential_outcomes():
    journeys = frames_of(BRAND, "confounded")["patient_journeys"]
    frame = patient_training_frame(journeys)
    assert len(frame) == journeys["treatment_initiated"].sum()
    assert not any(c.startswith("potential_outcome") for c in frame.columns)
    assert set(PATIENT.inputs) <= set(frame.columns)
    assert (
        frame["risk_score"]
        == journeys.loc[journeys["treatment_initiated"], "disease_severity"].to_numpy()
    ).all()


def territory_frames(dgps) -> pd.DataFrame:
    frames = []
    for dgp in dgps:
        iw = layer(BRAND, dgp)
        frames.append(territory_training_frame(history_table(iw), iw.hcps))
    return pd.concat(frames, ignore_index=True)


def test_territory_rows_add_up_to_the_history():
    iw = layer()
    history = history_table(iw)
    frame = territory_training_frame(history, iw.hcps)
    per_quarter = frame.groupby("period_index")
    assert (per_quarter["total_hcps"].sum() == iw.n_hcps).all()
    assert np.allclose(per_quarter["market_share"].sum(), 1.0)
    change = (history["trx_after"] - history["trx_before"]).sum() / history["trx_before"].sum()
    weighted = (frame["market_share_change"] * frame["trx_before"]).sum() / frame[
        "trx_before"
    ].sum()
    assert weighted == pytest.approx(change)


def test_territory_twins_train_across_the_brands_scenarios():
    from e2i_synth.twins.generator import TwinGenerator

    one = territory_frames(["confounded"])
    with pytest.raises(TwinError, match=f"got {len(one):,}"):
        TwinGenerator.train(one, "territory", BRAND, f"{BRAND}|confounded", SEED)
    frame = territory_frames(DGPS)
    assert len(frame) >= 1_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generator = TwinGenerator.train(frame, "territory", BRAND, f"{BRAND}|*", SEED)
    assert generator.registered_name == f"digital_twin_territory_{BRAND}_all"
    population = generator.generate(300, {"region": ["west"]})
    assert (population.twins["region"] == "west").all()
    assert set(TERRITORY.features) < set(population.twins.columns)
