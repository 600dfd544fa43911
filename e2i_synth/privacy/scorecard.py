"""The scorecard: every metric of one synthetic table against its real training rows and a
holdout the synthesizer never saw, with the "all green" rule.

Distances (DCR, membership attack) run on a seeded sample of at most `DISTANCE_ROWS` query
rows per side against all reference rows: at 2,000 rows a share near 0.05 has a standard
error of 0.005 and an AUC near 0.5 one of about 0.009, an eleventh of the way to the 0.60
limit. The attack's gate allows for that noise: it fails when the AUC's one-sided 95%
lower bound, AUC - 1.645 SE (DeLong's SE), exceeds the limit, i.e. when the synthetic rows
are shown to single out training rows, not when a small holdout (60 unseen HCPs for the
small-scale twins: SE about 0.04) happens to draw a high AUC. Members are sampled up to
`DISTANCE_ROWS` too, not matched to the holdout's size: more members shrink the SE.

The attack has a second gate with power against partial copying: the share of members
closer to the synthetic data than every holdout row (`metrics.exposed_share`, the attack's
true-positive rate at zero false positives) must not exceed its chance value 1 / (n + 1) by
more than `EXPOSED_LIMIT` beyond its noise. A synthesizer copying 10% of its rows (jittered
past the duplicate check) has an AUC of only about 0.55, under the AUC limit at any holdout
size, but exposes about 10% of members: at the small scale (about 1,800 members sampled,
150 holdout rows) the gate fails it with power 0.9996 (`exposure_power`; 8% copying: 0.93,
5%: 0.05; the twins' 60 unseen HCPs give 0.58 against a 10% copier).

Utility is also judged where it matters for this warehouse: on a view with a treatment and
an outcome the synthetic data's effect estimate (`CausalDesign`: the difference in means
where engagement is randomized, the covariate-adjusted estimate where it is confounded) must
lie within `ATE_Z` SEs of the difference of the real one (the two estimates' SEs combined);
every deterministic rule of the schema (`tables.rules`) must hold in at least
1 - `RULE_VIOLATION_LIMIT` of the rows; and the train-synthetic/test-real score must reach
`1 - TSTR_SHORTFALL_LIMIT` of train-real/test-real.

The train-synthetic/test-real model fits on at most `TSTR_ROWS` rows: its score's
precision is set by the holdout it is tested on, not by more fitting rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from e2i_synth.errors import E2IError
from e2i_synth.privacy import histograms, metrics
from e2i_synth.tables import rules
from e2i_synth.tabular.encoding import as_model_frame, column_kinds, encode_rows

KS_LIMIT = 0.10
"""Mean KS statistic over numeric columns (the same limit holds for mean TV over categoricals)."""
CORR_DELTA_LIMIT = 0.10
MIA_AUC_LIMIT = 0.60
DUP_RATE_LIMIT = 0.05
DCR_QUANTILE = 0.05
DISTANCE_ROWS = 2_000
TSTR_ROWS = 10_000
MIN_HOLDOUT_ROWS = 20
DCR_QUANTILES = np.linspace(0.0, 1.0, 21)
"""DCR distributions are kept as their 5%-step quantiles: enough to draw, small to store."""
CONFIDENCE = 0.95
Z = float(stats.norm.ppf(CONFIDENCE))
"""A check with a standard error passes unless its one-sided lower bound exceeds the limit."""
EXPOSED_LIMIT = 0.05
"""Members exposed beyond chance (`metrics.exposed_share`)."""
ATE_Z = float(stats.norm.ppf(0.975))
"""The effect gap's tolerance in SEs of the difference: two-sided 95%."""
RULE_VIOLATION_LIMIT = 0.01
"""Each deterministic rule holds in at least 99% of synthetic rows."""
TSTR_SHORTFALL_LIMIT = 0.10
"""TSTR at least 90% of TRTR."""


@dataclass(frozen=True)
class CausalDesign:
    """The effect a synthetic table must keep: `treatment` on `outcome`, adjusted for
    `adjust_for` (empty where the treatment is randomized: the difference in means)."""

    treatment: str
    outcome: str
    adjust_for: tuple[str, ...] = ()


def exposure_power(copied: float, members: int, nonmembers: int) -> float:
    """Probability that the exposure gate fails a synthesizer copying a share `copied` of
    its rows (each copy nearer its source than any holdout row is), normal approximation."""
    chance = metrics.chance_exposure(nonmembers)
    share = copied + (1 - copied) * chance
    se = metrics.exposure_se(share, members, nonmembers)
    return float(stats.norm.sf((chance + EXPOSED_LIMIT + Z * se - share) / se))


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float
    se: float = 0.0

    @property
    def bound(self) -> float:
        """The one-sided `CONFIDENCE` lower bound of the value (the value itself when exact)."""
        return self.value - Z * self.se

    @property
    def passed(self) -> bool:
        return self.bound <= self.limit


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
    mia_auc_se: float = 0.0
    exposed: float = 0.0
    exposed_chance: float = 0.0
    exposed_se: float = 0.0
    target: str | None = None
    tstr: float | None = None
    trtr: float | None = None
    ate_real: float | None = None
    ate_real_se: float | None = None
    ate_synthetic: float | None = None
    ate_synthetic_se: float | None = None
    rule_adherence: dict[str, float] = field(default_factory=dict, compare=False)
    """Share of synthetic rows keeping each deterministic rule of the schema."""
    per_column: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)
    """KS (numeric) or TV (categorical) distance of each column."""
    per_pair: pd.Series = field(default_factory=pd.Series, compare=False)
    """Association delta of each column pair, largest first."""
    dcr_synthetic: np.ndarray = field(default_factory=lambda: np.empty(0), compare=False)
    """DCR(train) of the sampled synthetic rows: the evidence behind `dcr_share`."""
    dcr_holdout: np.ndarray = field(default_factory=lambda: np.empty(0), compare=False)
    """DCR(train) of the sampled holdout rows: what an unseen real row looks like."""
    marginals: dict[str, dict] = field(default_factory=dict, compare=False)
    """Real (training) vs synthetic shares per bin or category of each column."""

    @property
    def checks(self) -> tuple[Check, ...]:
        return (
            Check("ks_mean", self.ks_mean, KS_LIMIT),
            Check("tv_mean", self.tv_mean, KS_LIMIT),
            Check("corr_delta", self.corr_delta, CORR_DELTA_LIMIT),
            Check("mia_auc", self.mia_auc, MIA_AUC_LIMIT, self.mia_auc_se),
            Check(
                "mia_exposed", self.exposed - self.exposed_chance, EXPOSED_LIMIT, self.exposed_se
            ),
            Check("duplicate_rate", self.duplicate_rate, DUP_RATE_LIMIT),
            *self.utility_checks,
        )

    @property
    def ate_tolerance(self) -> float:
        return ATE_Z * float(np.hypot(self.ate_real_se, self.ate_synthetic_se))

    @property
    def utility_checks(self) -> tuple[Check, ...]:
        """The effect gap, the rules and TSTR/TRTR, where the view has them."""
        checks = []
        if self.ate_real is not None:
            gap = abs(self.ate_synthetic - self.ate_real)
            checks.append(Check("ate_gap", 1.0 if np.isnan(gap) else gap, self.ate_tolerance))
        if self.rule_adherence:
            worst = 1.0 - min(self.rule_adherence.values())
            checks.append(Check("rule_violations", worst, RULE_VIOLATION_LIMIT))
        if self.tstr is not None and self.trtr is not None and self.trtr > 0:
            shortfall = max(0.0, 1.0 - self.tstr / self.trtr)
            checks.append(Check("tstr_shortfall", shortfall, TSTR_SHORTFALL_LIMIT))
        return tuple(checks)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    @property
    def all_green(self) -> bool:
        """Every gated check within its limit."""
        return all(c.passed for c in self.checks)

    def as_frame(self) -> pd.DataFrame:
        """One row per number: value, its standard error (the attack's), limit (if gated)
        and verdict."""
        limits = {c.name: c for c in self.checks}
        evidence = {
            "dcr_share": self.dcr_share,
            "duplicate_rate_holdout": self.duplicate_rate_holdout,
            "exposed (chance)": self.exposed_chance,
            f"tstr ({self.target})": self.tstr,
            f"trtr ({self.target})": self.trtr,
            "ate real": self.ate_real,
            "ate synthetic": self.ate_synthetic,
            **{f"rule {k}": v for k, v in self.rule_adherence.items()},
        }
        rows = [
            {
                "metric": c.name,
                "value": c.value,
                "se": c.se or np.nan,
                "limit": c.limit,
                "ok": c.passed,
            }
            for c in limits.values()
        ] + [
            {"metric": k, "value": v, "se": np.nan, "limit": np.nan, "ok": None}
            for k, v in evidence.items()
            if v is not None
        ]
        return pd.DataFrame(rows).set_index("metric")


def figures(card: Scorecard, digits: int = 4) -> dict[str, object]:
    """Every number of a scorecard, JSON-able, as stored with a check's result and drawn by
    the report: row counts, gated values and their verdicts, the attack AUC's SE and gate
    bound, evidence, per-column distances, the DCR distributions (quantiles and histogram)
    and the real vs synthetic marginals."""
    return {
        "name": card.name,
        "rows": card.rows,
        **{c.name: round(c.value, digits) for c in card.checks},
        "mia_auc_se": round(card.mia_auc_se, digits),
        "mia_auc_bound": round(card.check("mia_auc").bound, digits),
        "mia_exposed_se": round(card.exposed_se, digits),
        "check_limits": {c.name: round(c.limit, digits) for c in card.checks},
        "ate": None
        if card.ate_real is None
        else {
            "real": round(card.ate_real, digits),
            "real_se": round(card.ate_real_se, digits),
            "synthetic": round(card.ate_synthetic, digits),
            "synthetic_se": round(card.ate_synthetic_se, digits),
        },
        "rule_adherence": {k: round(v, digits) for k, v in card.rule_adherence.items()},
        "passed": {c.name: c.passed for c in card.checks},
        "dcr_share": round(card.dcr_share, digits),
        "duplicate_rate_holdout": round(card.duplicate_rate_holdout, digits),
        "all_green": card.all_green,
        "per_column": card.per_column["distance"].round(digits).to_dict(),
        "dcr_synthetic": np.quantile(card.dcr_synthetic, DCR_QUANTILES).round(digits).tolist(),
        "dcr_holdout": np.quantile(card.dcr_holdout, DCR_QUANTILES).round(digits).tolist(),
        "dcr_histogram": histograms.distance_histogram(card.dcr_synthetic, card.dcr_holdout),
        "marginals": card.marginals,
    }


def sample_rows(x: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    return x if len(x) <= size else x[rng.choice(len(x), size, replace=False)]


def score(
    name: str,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str | None = None,
    seed: int = 0,
    design: CausalDesign | None = None,
) -> Scorecard:
    """Score `synthetic` (fitted on `train`) on the training frame's columns, on one BLAS /
    OpenMP thread: their worker threads spin when the cores are busy (measured at 100k x 20
    on 2 shared cores: 7 s CPU on one thread, 43 s CPU and 6x the wall time on the default
    pool)."""
    with threadpool_limits(limits=1):
        return score_rows(name, train, holdout, synthetic, target, seed, design)


def score_rows(
    name: str,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    target: str | None,
    seed: int,
    design: CausalDesign | None = None,
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
    members = sample_rows(train_x, DISTANCE_ROWS, rng)
    pairs = metrics.association_deltas(real, syn, columns)
    dcr_syn = metrics.closest_distances(train_x, syn_q)
    dcr_held = metrics.closest_distances(train_x, held_q)
    members_to_syn = metrics.closest_distances(syn_x, members)
    held_to_syn = metrics.closest_distances(syn_x, held_q)
    tstr = trtr = None
    if target is not None:
        fit_syn = syn.iloc[sample_rows(np.arange(len(syn)), TSTR_ROWS, rng)]
        fit_real = real.iloc[sample_rows(np.arange(len(real)), TSTR_ROWS, rng)]
        tstr = metrics.tstr_score(fit_syn, held, target, columns)
        trtr = metrics.tstr_score(fit_real, held, target, columns)
    effects = {}
    if design is not None:
        for side, rows in (("real", train), ("synthetic", synthetic)):
            estimate, se = metrics.treatment_effect(
                rows, design.treatment, design.outcome, design.adjust_for
            )
            effects |= {f"ate_{side}": estimate, f"ate_{side}_se": se}
    exposed = metrics.exposed_share(members_to_syn, held_to_syn)
    return Scorecard(
        name=name,
        rows={"train": len(train), "holdout": len(holdout), "synthetic": len(synthetic)},
        ks_mean=float(ks.mean()) if len(ks) else 0.0,
        tv_mean=float(tv.mean()) if len(tv) else 0.0,
        corr_delta=float(pairs.mean()) if len(pairs) else 0.0,
        duplicate_rate=metrics.exact_duplicate_rate(syn, real),
        duplicate_rate_holdout=metrics.exact_duplicate_rate(held, real),
        dcr_share=metrics.dcr_share(dcr_syn, dcr_held, DCR_QUANTILE),
        mia_auc=metrics.mia_auc(members_to_syn, held_to_syn),
        mia_auc_se=metrics.mia_auc_se(members_to_syn, held_to_syn),
        exposed=exposed,
        exposed_chance=metrics.chance_exposure(len(held_to_syn)),
        exposed_se=metrics.exposure_se(exposed, len(members_to_syn), len(held_to_syn)),
        target=target,
        tstr=tstr,
        trtr=trtr,
        **effects,
        rule_adherence=rules.adherence(synthetic),
        per_column=pd.concat([ks, tv]).rename("distance").to_frame(),
        per_pair=pairs,
        dcr_synthetic=dcr_syn,
        dcr_holdout=dcr_held,
        marginals=histograms.marginal_histograms(real, syn, columns),
    )
