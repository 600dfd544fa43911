"""The warehouse's model scores, as production systems hold them: predictions of models
fitted on observed data, not the world's answer key (the true propensity and outcome
probabilities live in `unit_truth`). The feature store holds two, `treatment_propensity`
and `outcome_probability`; `ml_predictions` holds the initiation score made before
engagement.

All three are logistic regressions (scikit-learn, unpenalized: C = inf) on the patient's
observed covariates (disease severity, comorbidities, academic HCP, age at diagnosis,
region): the propensity model of the treatment, the initiation model of the outcome, and
the outcome model of the outcome with the received treatment as one more input. The two
outcome models learn from recorded outcomes only (a variant with selection or censoring
leaves some NULL). They are fitted on a pilot:
the train-split patients among the scenario's first PILOT_UNITS, so scoring any patient
needs only that pilot, and no validation, test or holdout patient informs a score. The pilot
is drawn and fitted once per scenario (world.draw_world of its first patients), so a
chunk of the scenario is scored by the same models as the whole; a score is computed per
row (the linear predictor summed column by column, then the logistic), so it is the same
bits in any chunk. Where
the DGP is nonlinear or has hidden confounding the scores are misspecified, as a real
scoring model would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from e2i_synth.catalog import REGIONS, SPLITS
from e2i_synth.settings import Scenario
from e2i_synth.world import World, draw_world

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
    """The train-split patients among the scenario's first PILOT_UNITS."""
    return (world.units < PILOT_UNITS) & (world.split == TRAIN)


@dataclass(frozen=True)
class Score:
    """A fitted logistic model as plain numbers (or a constant, for a one-class pilot)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    constant: float | None = None

    def __call__(self, X: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        if self.constant is not None:
            return np.full(len(X), self.constant)
        z = np.full(len(X), self.intercept)
        for j in range(X.shape[1]):  # row by row the same sum, whatever the chunk
            z = z + self.coef[j] * ((X[:, j] - self.mean[j]) / self.scale[j])
        return expit(z)


def _fit(X: np.ndarray, y: np.ndarray) -> Score:
    """P(y | X) fitted on the pilot rows; the pilot's share when it holds one class only."""
    # scikit-learn and SciPy load when a score is fitted or computed, not with the table
    # registry that lists this module (and that everything, the command line too, imports)
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if np.unique(y).size < 2:
        empty = np.zeros(0)
        return Score(empty, empty, empty, 0.0, float(y.mean()) if len(y) else 0.5)
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=np.inf, max_iter=1_000).fit(scaler.transform(X), y)
    return Score(scaler.mean_, scaler.scale_, model.coef_[0], float(model.intercept_[0]))


def recorded(world: World) -> np.ndarray:
    """Whose outcome the analysis tables hold (NULL elsewhere): what a model can learn from."""
    observed = world.parts.observed
    return np.ones(world.n_patients, dtype=bool) if observed is None else observed


@dataclass(frozen=True)
class Models:
    """A scenario's scoring models, fitted on its pilot's train split."""

    propensity: Score
    """P(engaged | covariates): the feature store's treatment_propensity."""
    outcome: Score
    """P(initiated | covariates, engaged received): the feature store's outcome_probability."""
    initiation: Score
    """P(initiated | covariates): ml_predictions' score, made before engagement."""


@lru_cache(maxsize=4)
def fitted(scenario: Scenario, n_patients: int, seed: int) -> Models:
    """The scenario's models, fitted on its pilot's train split."""
    pilot = draw_world(scenario, n_patients, seed, 0, min(n_patients, PILOT_UNITS))
    train = pilot_rows(pilot)
    labelled = train & recorded(pilot)
    X, engaged = covariate_matrix(pilot), pilot.engaged.astype(float)
    outcome = pilot.outcome.astype(float)
    return Models(
        propensity=_fit(X[train], engaged[train]),
        outcome=_fit(np.column_stack([X, engaged])[labelled], outcome[labelled]),
        initiation=_fit(X[labelled], outcome[labelled]),
    )


def model_scores(world: World) -> dict[str, np.ndarray]:
    """Estimated P(engaged | covariates) and P(initiated | covariates, engaged received)."""
    models = fitted(world.scenario, world.scenario_patients, world.seed)
    X = covariate_matrix(world)
    return {
        "treatment_propensity": models.propensity(X),
        "outcome_probability": models.outcome(np.column_stack([X, world.engaged.astype(float)])),
    }


def initiation_score(world: World) -> np.ndarray:
    """Estimated P(initiated | covariates): a function of the observed covariates alone, so
    it says nothing of a patient that its covariates do not."""
    models = fitted(world.scenario, world.scenario_patients, world.seed)
    return models.initiation(covariate_matrix(world))
