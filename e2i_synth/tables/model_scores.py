"""The feature store's two model scores, `treatment_propensity` and `outcome_probability`,
as a production store holds them: predictions of models fitted on observed data, not the
world's answer key (the true propensity and outcome probabilities live in `unit_truth`).

Both are logistic regressions (scikit-learn, unpenalized: C = inf) on the patient's observed
covariates (disease severity, comorbidities, academic HCP, age at diagnosis, region), the
outcome model with the received treatment as one more input. They are fitted on a pilot:
the train-split patients among the scenario's first PILOT_UNITS, so scoring any patient
needs only that pilot, and no validation, test or holdout patient informs a score. Where
the DGP is nonlinear or has hidden confounding the scores are misspecified, as a real
scoring model would be.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from e2i_synth.catalog import REGIONS, SPLITS
from e2i_synth.world import World

PILOT_UNITS = 20_000
"""Patients whose train-split members fit the scores: every patient at the small scale,
the first two thirds at the full scale, a fixed pilot beyond."""
TRAIN = SPLITS.index("train")


def covariate_matrix(world: World) -> np.ndarray:
    """The observed covariates, region one-hot (first region as the reference)."""
    c = world.covariates
    regions = np.eye(len(REGIONS))[c.region_code][:, 1:]
    return np.column_stack(
        [c.disease_severity, c.comorbidity_count, c.academic_hcp, c.age_at_diagnosis, regions]
    ).astype(float)


def pilot_rows(world: World) -> np.ndarray:
    """The train-split patients among the first PILOT_UNITS."""
    pilot = np.zeros(world.n_patients, bool)
    pilot[:PILOT_UNITS] = True
    return pilot & (world.split == TRAIN)


def _scores(X: np.ndarray, pilot: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P(y | X) from the pilot's fit; the pilot's share when it holds one class only."""
    if np.unique(y[pilot]).size < 2:
        return np.full(len(X), float(y[pilot].mean()) if pilot.any() else 0.5)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=np.inf, max_iter=1_000))
    return model.fit(X[pilot], y[pilot]).predict_proba(X)[:, 1]


def model_scores(world: World) -> dict[str, np.ndarray]:
    """Estimated P(engaged | covariates) and P(initiated | covariates, engaged received)."""
    X = covariate_matrix(world)
    pilot = pilot_rows(world)
    engaged = world.engaged.astype(float)
    outcome = world.outcome.astype(float)
    return {
        "treatment_propensity": _scores(X, pilot, engaged),
        "outcome_probability": _scores(np.column_stack([X, engaged]), pilot, outcome),
    }
