"""The scorecard: every metric of one synthetic table against its real training rows and a
holdout the synthesizer never saw, with the "all green" rule.

Distances (DCR, membership attack) run on a seeded sample of at most `DISTANCE_ROWS` query
rows per side against all reference rows: at 2,000 rows a share near 0.05 has a standard
error of 0.005 and an AUC near 0.5 one of about 0.009, an eleventh of the way to the 0.60
limit. The train-synthetic/test-real model fits on at most `TSTR_ROWS` rows: its score's
precision is set by the holdout it is tested on, not by more fitting rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from e2i_synth.errors import E2IError
from e2i_synth.privacy import metrics
from e2i_synth.privacy.encoding import as_model_frame, column_kinds, encode_rows

KS_LIMIT = 0.10
"""Mean KS statistic over numeric columns (the same limit holds for mean TV over categoricals)."""
CORR_DELTA_LIMIT = 0.10
MIA_AUC_LIMIT = 0.60
DUP_RATE_LIMIT = 0.05
DCR_QUANTILE = 0.05
DISTANCE_ROWS = 2_000
TSTR_ROWS = 10_000
MIN_HOLDOUT_ROWS = 20


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.value <= self.limit


@dataclass(frozen=True)
class Scorecard:
    """Numbers of one synthetic table; `checks` are the gated ones, the rest is evidence."""

    name: str
    rows: dict[str, int]
    ks_mean: float
    tv_mean: float
    corr_delta: float
    duplicate_rate: float
    duplicate_rate_holdout: float
    dcr_share: float
    mia_auc: float
    target: str | None = None
    tstr: float | None = None
    trtr: float | None = None
    per_column: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)
    """KS (numeric) or TV (categorical) distance of each column."""
    per_pair: pd.Series = field(default_factory=pd.Series, compare=False)
    """Association delta of each column pair, largest first."""
    dcr_synthetic: np.ndarray = field(default_factory=lambda: np.empty(0), compare=False)
    """DCR(train) of the sampled synthetic rows: the evidence behind `dcr_share`."""
    dcr_holdout: np.ndarray = field(default_factory=lambda: np.empty(0), compare=False)
    """DCR(train) of the sampled holdout rows: what an unseen real row looks like."""

    @property
    def checks(self) -> tuple[Check, ...]:
        return (
            Check("ks_mean", self.ks_mean, KS_LIMIT),
            Check("tv_mean", self.tv_mean, KS_LIMIT),
            Check("corr_delta", self.corr_delta, CORR_DELTA_LIMIT),
            Check("mia_auc", self.mia_auc, MIA_AUC_LIMIT),
            Check("duplicate_rate", self.duplicate_rate, DUP_RATE_LIMIT),
        )

    @property
    def all_green(self) -> bool:
        """Every gated check within its limit."""
        return all(c.passed for c in self.checks)

    def as_frame(self) -> pd.DataFrame:
        """One row per number: value, limit (if gated) and verdict."""
        limits = {c.name: c for c in self.checks}
        evidence = {
            "dcr_share": self.dcr_share,
            "duplicate_rate_holdout": self.duplicate_rate_holdout,
            f"tstr ({self.target})": self.tstr,
            f"trtr ({self.target})": self.trtr,
        }
        rows = [
            {"metric": c.name, "value": c.value, "limit": c.limit, "ok": c.passed}
            for c in limits.values()
        ] + [
            {"metric": k, "value": v, "limit": np.nan, "ok": None}
            for k, v in evidence.items()
            if v is not None
        ]
        return pd.DataFrame(rows).set_index("metric")


def sample_rows(x: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    return x if len(x) <= size else x[rng.choice(len(x), size, replace=False)]


def score(
    name: str,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str | None = None,
    seed: int = 0,
) -> Scorecard:
    """Score `synthetic` (fitted on `train`) on the training frame's columns, on one BLAS /
    OpenMP thread: their worker threads spin when the cores are busy (measured at 100k x 20
    on 2 shared cores: 7 s CPU on one thread, 43 s CPU and 6x the wall time on the default
    pool)."""
    with threadpool_limits(limits=1):
        return score_rows(name, train, holdout, synthetic, target, seed)


def score_rows(
    name: str,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str | None,
    seed: int,
) -> Scorecard:
    if len(holdout) < MIN_HOLDOUT_ROWS:
        raise E2IError(
            f"{name}: {len(holdout)} holdout rows; the privacy metrics need at least "
            f"{MIN_HOLDOUT_ROWS} real rows the synthesizer never saw (use a larger scale)"
        )
    if len(synthetic) == 0:
        raise E2IError(f"{name}: the synthesizer returned no rows; sample at least one")
    columns = column_kinds(train)
    real, held, syn = (as_model_frame(f, columns) for f in (train, holdout, synthetic))
    ks = metrics.ks_per_column(real, syn, list(columns.numeric))
    tv = metrics.tv_per_column(real, syn, list(columns.categorical))
    rng = np.random.default_rng(seed)
    train_x, held_x, syn_x = encode_rows(real, [held, syn], columns)
    syn_q = sample_rows(syn_x, DISTANCE_ROWS, rng)
    held_q = sample_rows(held_x, DISTANCE_ROWS, rng)
    members = sample_rows(train_x, len(held_q), rng)
    pairs = metrics.association_deltas(real, syn, columns)
    dcr_syn = metrics.closest_distances(train_x, syn_q)
    dcr_held = metrics.closest_distances(train_x, held_q)
    tstr = trtr = None
    if target is not None:
        fit_syn = syn.iloc[sample_rows(np.arange(len(syn)), TSTR_ROWS, rng)]
        fit_real = real.iloc[sample_rows(np.arange(len(real)), TSTR_ROWS, rng)]
        tstr = metrics.tstr_score(fit_syn, held, target, columns)
        trtr = metrics.tstr_score(fit_real, held, target, columns)
    return Scorecard(
        name=name,
        rows={"train": len(train), "holdout": len(holdout), "synthetic": len(synthetic)},
        ks_mean=float(ks.mean()) if len(ks) else 0.0,
        tv_mean=float(tv.mean()) if len(tv) else 0.0,
        corr_delta=float(pairs.mean()) if len(pairs) else 0.0,
        duplicate_rate=metrics.exact_duplicate_rate(syn, real),
        duplicate_rate_holdout=metrics.exact_duplicate_rate(held, real),
        dcr_share=metrics.dcr_share(dcr_syn, dcr_held, DCR_QUANTILE),
        mia_auc=metrics.mia_auc(
            metrics.closest_distances(syn_x, members), metrics.closest_distances(syn_x, held_q)
        ),
        target=target,
        tstr=tstr,
        trtr=trtr,
        per_column=pd.concat([ks, tv]).rename("distance").to_frame(),
        per_pair=pairs,
        dcr_synthetic=dcr_syn,
        dcr_holdout=dcr_held,
    )
