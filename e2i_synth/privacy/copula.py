"""Gaussian copula synthesizer: empirical marginals joined by a Gaussian dependence.

Fit: each numeric column keeps `quantiles` quantiles of its non-null values and its null
share; each categorical column keeps its category frequencies. Rows map to normal scores
z = Phi^-1(u) (numerics by mid-rank, categoricals by a uniform draw inside their
category's probability interval, as SDV's copulas do); the dependence is the correlation
of those scores, shrunk towards the identity by `shrinkage`. Sample: z ~ N(0, R),
u = Phi(z), each column read back through its marginal, numerics jittered by
`smoothing` x their standard deviation and clipped to their range. With `enforce_rules`
the schema's deterministic rules (`tables.rules`) are then made to hold by rewriting the
columns they determine: a copula blurs a threshold or a null pattern (engaged from
engagement_score, days_to_treatment NULL when not initiated) into a correlation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import special, stats

from e2i_synth.catalog import OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.privacy.synthesizer import Adjustment, Family, Params, check_rows
from e2i_synth.tables import rules
from e2i_synth.tabular.encoding import NULL_CATEGORY, as_model_frame, column_kinds

MIN_ROWS = 50
NULL_SUFFIX = "__is_null"
CELL_COLUMNS = (TREATMENT_COLUMN, OUTCOME_COLUMN)
"""The columns whose cells get a copula each (`ArmwiseCopula`)."""


@dataclass
class GaussianCopula:
    quantiles: int = 200
    smoothing: float = 0.05
    shrinkage: float = 0.0
    enforce_rules: bool = True
    fit_seed: int = 0
    _dtypes: pd.Series = field(init=False, repr=False)
    _numeric: dict = field(init=False, repr=False)
    _categories: dict = field(init=False, repr=False)
    _order: list = field(init=False, repr=False)
    _correlation: np.ndarray = field(init=False, repr=False)

    def fit(self, rows: pd.DataFrame) -> GaussianCopula:
        check_rows(rows, MIN_ROWS)
        rng = np.random.default_rng(self.fit_seed)
        kinds = column_kinds(rows)
        frame = as_model_frame(rows, kinds)
        self._dtypes = rows.dtypes
        self._numeric, self._categories, scores = {}, {}, {}
        indicators: list[str] = []
        grid = np.linspace(0.0, 1.0, max(2, int(self.quantiles)))
        for c in kinds.numeric:
            values = frame[c]
            present = values.dropna().to_numpy()
            if len(present) == 0:
                present = np.zeros(1)
            self._numeric[c] = (grid, np.quantile(present, grid), present.std())
            u = (stats.rankdata(values, nan_policy="omit") - 0.5) / max(len(present), 1)
            scores[c] = np.where(values.isna(), 0.0, special.ndtri(np.clip(u, 1e-6, 1 - 1e-6)))
            if values.isna().any():
                frame[c + NULL_SUFFIX] = values.isna().astype(str)
                indicators.append(c + NULL_SUFFIX)
        for c in [*kinds.categorical, *indicators]:
            freq = frame[c].value_counts(normalize=True)
            edges = np.r_[0.0, np.cumsum(freq.to_numpy())]
            edges[-1] = 1.0
            self._categories[c] = (freq.index.to_numpy(), edges)
            code = pd.Index(freq.index).get_indexer(frame[c])
            u = edges[code] + rng.random(len(frame)) * (edges[code + 1] - edges[code])
            scores[c] = special.ndtri(np.clip(u, 1e-6, 1 - 1e-6))
        self._order = list(scores)
        z = np.column_stack([scores[c] for c in self._order])
        with np.errstate(invalid="ignore", divide="ignore"):  # a constant column: r = 0
            r = np.atleast_2d(np.corrcoef(z, rowvar=False)) if z.shape[1] > 1 else np.eye(1)
        r = np.nan_to_num(r) * (1 - self.shrinkage) + np.eye(len(r)) * self.shrinkage
        w, v = np.linalg.eigh(r)
        self._correlation = (v * np.clip(w, 1e-9, None)) @ v.T
        return self

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        z = rng.multivariate_normal(np.zeros(len(self._order)), self._correlation, size=n)
        u = special.ndtr(z)
        column = {c: u[:, i] for i, c in enumerate(self._order)}
        out = {}
        for c, (labels, edges) in self._categories.items():
            index = np.clip(np.searchsorted(edges, column[c], side="right") - 1, 0, len(labels) - 1)
            out[c] = labels[index]
        for c, (grid, knots, spread) in self._numeric.items():
            values = np.interp(column[c], grid, knots)
            values = values + rng.normal(0.0, self.smoothing * spread, n)
            values = np.clip(values, knots[0], knots[-1])
            if c + NULL_SUFFIX in out:
                values = np.where(out.pop(c + NULL_SUFFIX) == "True", np.nan, values)
            out[c] = values
        frame = restore_dtypes(pd.DataFrame(out)[list(self._dtypes.index)], self._dtypes)
        return rules.enforce(frame, rng) if self.enforce_rules else frame


@dataclass
class ArmwiseCopula:
    """One Gaussian copula per cell of the treatment and the outcome (`CELL_COLUMNS`: the
    outcome's unrecorded value a cell of its own), sampled in the cells' training shares. A
    single copula holds the treatment-outcome dependence as a correlation of normal scores,
    which shrank a risk difference of 0.24 to under 0.1, and one per treatment arm still
    blurred how the covariates move the outcome (the adjusted effect kept part of the
    confounding); per cell, the outcome rate of each arm and each covariate's distribution
    in each arm and outcome are the training rows' own. Rows without those columns, or a
    cell too small to fit, fall back to one copula."""

    copula: GaussianCopula
    _arms: dict = field(init=False, repr=False)
    _shares: np.ndarray = field(init=False, repr=False)

    def fit(self, rows: pd.DataFrame) -> ArmwiseCopula:
        check_rows(rows, MIN_ROWS)
        single = replace(self.copula, enforce_rules=False)
        keys = [c for c in CELL_COLUMNS if c in rows.columns]
        cells = list(rows.groupby(keys, sort=True, dropna=False)) if keys else []
        sizes = [len(cell) for _, cell in cells]
        if len(sizes) < 2 or min(sizes) < MIN_ROWS:
            self._arms, self._shares = {None: single.fit(rows)}, np.ones(1)
            return self
        self._arms = {key: replace(single).fit(cell) for key, cell in cells}
        self._shares = np.asarray(sizes, dtype=float) / len(rows)
        return self

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        counts = rng.multinomial(n, self._shares)
        parts = [
            arm.sample(int(k), int(rng.integers(2**32)))
            for arm, k in zip(self._arms.values(), counts, strict=True)
        ]
        frame = pd.concat(parts, ignore_index=True).iloc[rng.permutation(n)]
        frame = frame.reset_index(drop=True)
        return rules.enforce(frame, rng) if self.copula.enforce_rules else frame


def restore_dtypes(frame: pd.DataFrame, dtypes: pd.Series) -> pd.DataFrame:
    """Model-form columns (float days, string categories) back to the training dtypes."""
    out = {}
    for c, dtype in dtypes.items():
        values = frame[c]
        if pd.api.types.is_bool_dtype(dtype):
            out[c] = values.astype(str) == "True"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out[c] = pd.to_datetime(values.astype("float64") * 86_400.0, unit="s").astype(dtype)
        elif pd.api.types.is_integer_dtype(dtype):
            rounded = pd.Series(np.round(values.astype("float64")), index=frame.index)
            nullable = isinstance(dtype, pd.api.extensions.ExtensionDtype)
            out[c] = rounded.astype(dtype if nullable or rounded.notna().all() else "Int64")
        elif pd.api.types.is_float_dtype(dtype):
            out[c] = values.astype(dtype)
        else:
            out[c] = values.where(values != NULL_CATEGORY, None).astype(object)
    return pd.DataFrame(out)


def starting_params(rows: int, columns: int) -> dict[str, float]:
    """Few rows: coarser marginals and more jitter (each row weighs more, so is easier to
    single out) and a little shrinkage (a noisy correlation estimate)."""
    return {
        "quantiles": int(np.clip(rows // 10, 20, 1_000)),
        "smoothing": 0.10 if rows < 1_000 else 0.05 if rows < 10_000 else 0.02,
        "shrinkage": float(min(0.2, 5 * columns / rows)),
        "enforce_rules": 1,
        "by_treatment_arm": 1,
    }


def build(params: Params) -> GaussianCopula | ArmwiseCopula:
    single = GaussianCopula(
        quantiles=int(params["quantiles"]),
        smoothing=float(params["smoothing"]),
        shrinkage=float(params["shrinkage"]),
        enforce_rules=bool(params.get("enforce_rules", 1)),
    )
    return ArmwiseCopula(single) if params.get("by_treatment_arm", 0) else single


ENFORCE_RULES = Adjustment(
    "enforce_rules", 1.0, 1, 1, "derive the rule-determined columns after sampling"
)
"""Shared by the families that can enforce the schema's rules by construction."""


FAMILY = Family(
    name="gaussian_copula",
    build=build,
    starting_params=starting_params,
    suggestions={
        "HIGH_KS": (
            Adjustment("smoothing", 0.5, 0.0, 1.0, "less jitter on the marginals"),
            Adjustment("quantiles", 2.0, 20, 1_000, "finer marginals"),
        ),
        "HIGH_CORR_DELTA": (
            Adjustment("shrinkage", 0.25, 0.0, 1.0, "less shrinkage towards independence"),
        ),
        "HIGH_MIA": (
            Adjustment("smoothing", 2.0, 0.05, 1.0, "more jitter: rows leave their sources"),
            Adjustment("quantiles", 0.5, 20, 1_000, "coarser marginals"),
        ),
        "HIGH_DUP_RATE": (
            Adjustment("smoothing", 2.0, 0.05, 1.0, "more jitter breaks exact copies"),
        ),
        "HIGH_ATE_GAP": (
            Adjustment(
                "by_treatment_arm", 1.0, 1, 1, "a copula per treatment and outcome keeps the effect"
            ),
            Adjustment("shrinkage", 0.25, 0.0, 1.0, "less shrinkage: it attenuates the effect"),
            Adjustment("quantiles", 2.0, 20, 1_000, "finer marginals keep the score threshold"),
        ),
        "RULE_VIOLATIONS": (ENFORCE_RULES,),
        "LOW_TSTR": (
            Adjustment("smoothing", 0.5, 0.0, 1.0, "less jitter on the target's predictors"),
            Adjustment("shrinkage", 0.25, 0.0, 1.0, "less shrinkage towards independence"),
        ),
    },
    advice={
        "HIGH_KS": "a marginal the quantile grid cannot follow (many ties, heavy tails): "
        "check the named columns; discrete numerics are better modeled as categories",
        "HIGH_CORR_DELTA": "non-Gaussian dependence (thresholds, interactions) that a "
        "copula cannot hold: try the marginal-based mst synthesizer",
        "HIGH_MIA": "train the DP synthesizer (mst) at epsilon <= 1 for a guarantee",
        "HIGH_DUP_RATE": "drop or coarsen identifying columns; a table of only low-cardinality "
        "columns repeats real rows by chance (compare the holdout's own duplicate rate)",
        "HIGH_ATE_GAP": "a Gaussian dependence between two binary columns cannot hold a large "
        "risk difference, and a treatment arm too small to fit alone falls back to one copula: "
        "use the mst synthesizer, whose marginals keep the treatment-outcome table",
        "RULE_VIOLATIONS": "a rule the synthesizer cannot derive: declare it in tables.rules "
        "with the column it determines",
        "LOW_TSTR": "the target depends on other columns through thresholds and interactions a "
        "copula blurs: use mst, or model the target's parents as categories",
    },
)
