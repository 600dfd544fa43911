"""Fit a twin outcome model: grouped cross-validation, the SPEC §6 learner choice, checks.

Rows of one entity (an HCP's quarters) stay in one fold, so the cross-validated metrics are
those of unseen entities, as twins are.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import GroupKFold

from e2i_synth.twins.correction import CrossFit
from e2i_synth.twins.errors import LowFidelityWarning, TwinError
from e2i_synth.twins.features import TwinType
from e2i_synth.twins.model import (
    GRADIENT_BOOSTING,
    HYPERPARAMETERS,
    RANDOM_FOREST,
    BaselineEffectRegressor,
    FoldEnsemble,
    TwinOutcomeModel,
    arm_propensity,
    make_estimator,
)

MIN_TRAINING_ROWS = 1_000
GB_WHEN_RF_R2_BELOW = 0.75
WARN_R2_BELOW = 0.5
CV_FOLDS = 5
INTERVAL_LEVEL = 0.95
TRAINING_SPLITS = ("train", "validation")
"""Rows twins learn from; `test` rows score prediction fidelity; `holdout` is never used."""


@dataclass
class TrainingResult:
    model: TwinOutcomeModel
    model_type: str
    hyperparameters: dict
    metrics: dict[str, float]
    training_rows: int
    training_entities: int
    cv_r2_by_learner: dict[str, float] = field(default_factory=dict)


def training_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the training splits (all rows when the frame has no split column)."""
    if "data_split" not in frame:
        return frame
    return frame[frame["data_split"].isin(TRAINING_SPLITS)]


def check_frame(frame: pd.DataFrame, twin_type: TwinType) -> None:
    missing = [c for c in (*twin_type.inputs, twin_type.target, twin_type.key) if c not in frame]
    if missing:
        raise TwinError(
            f"{twin_type.name} twin training data lacks column(s) {missing}; build it with "
            f"e2i_synth.twins.features.{twin_type.name}_training_frame"
        )
    if len(frame) < MIN_TRAINING_ROWS:
        raise TwinError(
            f"{twin_type.name} twins need at least {MIN_TRAINING_ROWS:,} training rows, got "
            f"{len(frame):,}; use a larger scale or train across the brand's scenarios"
        )


@dataclass
class CrossValidation:
    """One learner's K leave-one-fold-out fits and their out-of-fold predictions."""

    members: list[BaseEstimator]
    fold: np.ndarray  # the fold each row was held out in
    prediction: np.ndarray  # out of fold
    effect: np.ndarray  # out-of-fold effect part (0 where nothing was delivered)
    scores: pd.DataFrame  # r2, mae, rmse per fold

    @property
    def r2(self) -> float:
        return float(self.scores["r2"].mean())


def cross_validate(
    X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, twin_type: TwinType, kind: str, seed: int
) -> CrossValidation:
    """Grouped K-fold: each fold's model predicts its held-out rows once, and the fold's
    scores come from that one prediction (sklearn's cross_validate would predict again)."""
    folds = GroupKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    members, scores = [], []
    fold, prediction, effect = np.empty(len(y), int), np.empty(len(y)), np.zeros(len(y))
    for k, (train, test) in enumerate(folds.split(X, y, groups)):
        member = make_estimator(twin_type, kind, seed).fit(X.iloc[train], y[train])
        if isinstance(member, BaselineEffectRegressor):
            baseline, effect[test] = member.predict_parts(X.iloc[test])
            prediction[test] = baseline + effect[test]
        else:
            prediction[test] = member.predict(X.iloc[test])
        fold[test] = k
        members.append(member)
        scores.append(
            {
                "r2": r2_score(y[test], prediction[test]),
                "mae": mean_absolute_error(y[test], prediction[test]),
                "rmse": root_mean_squared_error(y[test], prediction[test]),
            }
        )
    return CrossValidation(members, fold, prediction, effect, pd.DataFrame(scores))


def fit(frame: pd.DataFrame, twin_type: TwinType, seed: int) -> TrainingResult:
    """Cross-validate a random forest; switch to gradient boosting when its CV R² < 0.75;
    warn when the chosen model's CV R² < 0.5. `frame` holds the training rows only."""
    check_frame(frame, twin_type)
    X = frame[list(twin_type.inputs)]
    y = frame[twin_type.target].to_numpy(float)
    groups = frame[twin_type.key].to_numpy()
    cv_r2: dict[str, float] = {}
    for kind in (RANDOM_FOREST, GRADIENT_BOOSTING):
        cv = cross_validate(X, y, groups, twin_type, kind, seed)
        cv_r2[kind] = cv.r2
        if cv_r2[kind] >= GB_WHEN_RF_R2_BELOW:
            break
    estimator = FoldEnsemble(cv.members)
    residual = np.abs(y - cv.prediction)
    rank = min(len(y), int(np.ceil((len(y) + 1) * INTERVAL_LEVEL)))
    metrics = {
        "cv_r2_mean": cv_r2[kind],
        "cv_r2_std": float(cv.scores["r2"].std(ddof=0)),
        "cv_mae": float(cv.scores["mae"].mean()),
        "cv_rmse": float(cv.scores["rmse"].mean()),
        "train_r2": float(estimator.score(X, y)),
        "interval_halfwidth_95": float(np.sort(residual)[rank - 1]),
    }
    if metrics["cv_r2_mean"] < WARN_R2_BELOW:
        warnings.warn(
            f"{twin_type.name} twin model ({kind}) explains little of {twin_type.target}: "
            f"cross-validated R² {metrics['cv_r2_mean']:.2f} < {WARN_R2_BELOW}; add features "
            "or training rows before trusting its simulations",
            LowFidelityWarning,
            stacklevel=2,
        )
    model = TwinOutcomeModel(
        estimator=estimator,
        interval_halfwidth=metrics["interval_halfwidth_95"],
        twin_type=twin_type.name,
        cross_fit=CrossFit(
            frame=frame[[twin_type.key, *twin_type.inputs]].reset_index(drop=True),
            arm_column=next(iter(twin_type.treatment_categories)),
            dose_columns=twin_type.treatment_numeric,
            fold=cv.fold,
            residual=y - cv.prediction,
            effect=cv.effect,
            propensity=arm_propensity(frame, twin_type, seed),
        )
        if twin_type.has_untreated_arm
        else None,
    )
    return TrainingResult(
        model=model,
        model_type=kind,
        hyperparameters=dict(HYPERPARAMETERS[kind]),
        metrics=metrics,
        training_rows=len(frame),
        training_entities=int(pd.unique(groups).size),
        cv_r2_by_learner=cv_r2,
    )
