"""epsilon-DP synthesizer: MST (McKenna, Sheldon, Miklau 2021) as released by OpenDP.

OpenDP measures the one-way marginals and the selected two-way marginals (a maximum
spanning tree of column pairs chosen with its noisy-max mechanism) under a pure
epsilon-DP guarantee for the whole table, and Private-PGM (`mbi`) fits the graphical model
those noisy marginals imply; rows are then drawn from the model. Numeric columns enter as
`bins` equal-width bins over their range (nulls a bin of their own) and leave as uniform
draws inside the drawn bin. Nothing here adds noise itself. Needs the `dp` extra:
`pip install -e '.[dp]'`.

Seeds: `sample(n, seed)` is reproducible for a fitted model (its draws come from a numpy
generator seeded by `seed`, and mbi's draws from numpy's global generator, seeded from it
and restored after). `fit` is not, by design, and takes no seed: OpenDP draws MST's noise
(the selection of pairs and the measured marginals) from its own cryptographically
secure generator, which no seed reaches; a seeded mechanism would let whoever knows the
seed subtract the noise. Two fits of the same rows give two models, so a pipeline that needs
the same synthetic rows again keeps the fitted model (or its sample), not the seed.

Privacy unit: one person contributes at most `rows_per_person` rows (1 for every view
here: a patient is one row), and epsilon covers the whole released model, so every sample
drawn from it. The column domains (bin edges, category lists, whether a null cell exists)
are public metadata and never read from the training rows: for this warehouse they come
from the catalog (`privacy.domains`); for another table pass `domains`, and a column with
neither is refused.

With `enforce_rules` (the default) the schema's deterministic rules (`tables.rules`) are
made to hold in every sample by rewriting the columns they determine from the sample's own
values: post-processing of the released model, which costs no privacy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from e2i_synth.catalog import OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.errors import E2IError
from e2i_synth.privacy.copula import ENFORCE_RULES, restore_dtypes
from e2i_synth.privacy.domains import Domain, public_domains
from e2i_synth.privacy.synthesizer import Adjustment, Family, Params, check_rows
from e2i_synth.tables import rules
from e2i_synth.tabular.encoding import NULL_CATEGORY, as_model_frame, column_kinds

MIN_ROWS = 50
MAX_DRAWS = 10
FIXED_PAIRS = ((TREATMENT_COLUMN, OUTCOME_COLUMN),)
"""Two-way marginals measured in every fit, before MST selects its own."""
MAX_SELECTIONS = 5
"""Two-way marginals MST selects (it would select columns - 1). OpenDP 0.16 splits the
selection budget into one noisy-max round per pair and its float accounting refuses the
last round beyond a handful ("insufficient budget for query: 0.05 > 0.04999..."); five
rounds pass, and the estimated model still covers every column through its one-ways."""


def dp_modules():
    """OpenDP (with its Private-PGM bridge), polars and mbi, or one clear error."""
    try:
        import jax
        import mbi
        import opendp.prelude as dp
        import polars as pl
    except ImportError as exc:
        raise E2IError(
            f"the DP synthesizer needs the dp extra ({exc.name} is missing): pip install -e '.[dp]'"
        ) from None
    jax.config.update("jax_enable_x64", True)  # mbi's advice: float32 stalls its estimation
    dp.enable_features("contrib")
    return dp, pl, mbi


@dataclass
class MSTSynthesizer:
    epsilon: float = 1.0
    bins: int = 16
    iterations: int = 300
    rows_per_person: int = 1
    enforce_rules: bool = True
    domains: Mapping[str, Domain] = field(default_factory=dict)
    """Public domains of columns the catalog does not know (it supplies the others)."""
    _dtypes: pd.Series = field(init=False, repr=False)
    _edges: dict = field(init=False, repr=False)
    _table: object = field(init=False, repr=False)

    def fit(self, rows: pd.DataFrame) -> MSTSynthesizer:
        check_rows(rows, MIN_ROWS)
        if self.epsilon <= 0:
            raise E2IError(f"epsilon {self.epsilon} must be positive, e.g. 1.0")
        dp, pl, mbi = dp_modules()
        self._dtypes = rows.dtypes
        frame, keys, self._edges = public_cells(rows, self.domains, int(self.bins))
        context = dp.Context.compositor(
            data=pl.from_pandas(frame).lazy(),
            privacy_unit=dp.unit_of(contributions=self.rows_per_person),
            privacy_loss=dp.loss_of(epsilon=self.epsilon),
        )
        estimator = partial(mbi.estimation.mirror_descent, iters=self.iterations)
        self._table = (
            context.query(epsilon=self.epsilon)
            .select(list(frame.columns))
            .contingency_table(
                keys=keys,
                algorithm=algorithm(dp, estimator, list(frame.columns)),
            )
            .release()
        )
        return self

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        index = self.draw_cells(n, rng)
        out = {}
        for c, keyset in self._table.keys.items():
            labels = np.asarray(keyset.to_list(), dtype=object)[index[c].to_numpy()]
            if c in self._edges:
                out[c] = bin_values(labels, self._edges[c], rng)
            else:
                out[c] = labels
        frame = restore_dtypes(pd.DataFrame(out)[list(self._dtypes.index)], self._dtypes)
        return rules.enforce(frame, rng) if self.enforce_rules else frame

    def draw_cells(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """Cell indices of n rows, in random order. OpenDP adds a null cell to every
        category list; rows drawn into it (noise, not data) are dropped and redrawn, a
        post-processing step that costs no privacy."""
        null_cells = {
            c: int(keys.is_null().arg_true()[0])
            for c, keys in self._table.keys.items()
            if keys.is_null().any()
        }
        kept: list[pd.DataFrame] = []
        for _ in range(MAX_DRAWS):
            if sum(map(len, kept)) >= n:
                break
            cells = index_draw(self._table.model, 2 * n, int(rng.integers(2**32)))
            real = np.ones(len(cells), dtype=bool)
            for c, null in null_cells.items():
                real &= cells[c].to_numpy() != null
            kept.append(cells[real])
        else:
            raise E2IError("the DP model puts almost all its mass on null cells; raise epsilon")
        cells = pd.concat(kept, ignore_index=True).iloc[:n]
        return cells.iloc[rng.permutation(n)].reset_index(drop=True)


def algorithm(dp, estimator, columns: list[str]):
    """MST, after a fixed measurement of the treatment-outcome table where the rows have
    both (`FIXED_PAIRS`): MST's noisy selection left that pair out of its tree in most fits
    at small epsilons (the effect came out near 0 against a real 0.24), and an effect is
    what an analysis of these rows asks first. Both share the one epsilon (OpenDP's
    `Sequential` splits it), so the guarantee is unchanged."""
    mst = dp.mbi.MST(estimator=estimator, num_selections=min(MAX_SELECTIONS, len(columns) - 1))
    pairs = [p for p in FIXED_PAIRS if set(p) <= set(columns)]
    if not pairs:
        return mst
    fixed = dp.mbi.Fixed(estimator=estimator, queries=[dp.mbi.Count(p) for p in pairs])
    return dp.mbi.Sequential(estimator=estimator, algorithms=[fixed, mst])


def public_cells(
    rows: pd.DataFrame, domains: Mapping[str, Domain], bins: int
) -> tuple[pd.DataFrame, dict[str, list[str]], dict[str, np.ndarray]]:
    """The rows as MST's cells (numeric columns binned), each column's cell labels and the
    numeric bin edges: all from the public domains, so they are the same whoever's rows
    are fitted."""
    kinds = column_kinds(rows)
    frame = as_model_frame(rows, kinds)
    keys, edges = {}, {}
    for c, domain in public_domains(frame.columns, domains).items():
        if domain.numeric != (c in kinds.numeric):
            kind = "numeric" if c in kinds.numeric else "categorical"
            raise E2IError(f"column {c!r} is {kind} but its public domain is not")
        if domain.numeric:
            edges[c] = np.linspace(*domain.bounds, bins + 1)
            frame[c], keys[c] = bin_labels(frame[c], edges[c], domain.nullable)
        else:
            keys[c] = [*domain.categories, *([NULL_CATEGORY] if domain.nullable else [])]
        if not domain.nullable and (frame[c] == NULL_CATEGORY).any():
            raise E2IError(f"column {c!r} holds nulls its schema does not allow")
    return frame, keys, edges


def bin_labels(values: pd.Series, edges: np.ndarray, nullable: bool) -> tuple[pd.Series, list[str]]:
    """A numeric column as bin labels "0".."k-1" over public edges (values clamped into
    them) and nulls, in a nullable column, as their own label: a null is then a category
    of the column itself rather than a separate indicator MST may leave unconnected."""
    k = len(edges) - 1
    code = np.clip(np.searchsorted(edges, values.to_numpy(), side="right") - 1, 0, k - 1)
    labels = pd.Series(code.astype(str), index=values.index).where(values.notna(), NULL_CATEGORY)
    return labels, [*map(str, range(k)), *([NULL_CATEGORY] if nullable else [])]


def bin_values(labels: np.ndarray, edges: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bin labels back to numbers: uniform inside the bin, NaN for the null label."""
    null = labels == NULL_CATEGORY
    code = np.where(null, 0, labels).astype(int)
    values = rng.uniform(edges[code], edges[code + 1])
    return np.where(null, np.nan, values)


def index_draw(model, n: int, seed: int) -> pd.DataFrame:
    """n rows of cell indices from the fitted model; mbi draws from numpy's global
    generator, so it is seeded here and restored after."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        return model.synthetic_data(n, method="sample").df
    finally:
        np.random.set_state(state)


def starting_params(rows: int, columns: int) -> dict[str, float]:
    """Coarser bins for fewer rows: each cell's count must stand above the noise."""
    return {
        "epsilon": 1.0,
        "bins": 8 if rows < 1_000 else 16 if rows < 10_000 else 32,
        "enforce_rules": 1,
    }


def build(params: Params) -> MSTSynthesizer:
    return MSTSynthesizer(
        epsilon=float(params["epsilon"]),
        bins=int(params["bins"]),
        enforce_rules=bool(params.get("enforce_rules", 1)),
    )


FAMILY = Family(
    name="mst",
    build=build,
    starting_params=starting_params,
    suggestions={
        "HIGH_KS": (Adjustment("bins", 2.0, 4, 64, "finer numeric bins"),),
        "HIGH_CORR_DELTA": (Adjustment("bins", 0.5, 4, 64, "coarser bins: less noise per cell"),),
        "HIGH_MIA": (Adjustment("epsilon", 0.5, 0.05, 10.0, "a stronger guarantee"),),
        "HIGH_DUP_RATE": (Adjustment("bins", 2.0, 4, 64, "finer bins: fewer coinciding rows"),),
        "HIGH_ATE_GAP": (Adjustment("bins", 0.5, 4, 64, "coarser bins: less noise per cell"),),
        "RULE_VIOLATIONS": (ENFORCE_RULES,),
        "LOW_TSTR": (Adjustment("bins", 2.0, 4, 64, "finer bins keep the target's spread"),),
    },
    advice={
        "HIGH_KS": "more budget (epsilon) if the data owner grants it; the optimizer never "
        "raises epsilon",
        "HIGH_CORR_DELTA": "MST keeps only a tree of pairs: declare the pair that matters, or "
        "spend more epsilon",
        "HIGH_MIA": "check the privacy unit: rows_per_person must cover every row of a person",
        "HIGH_DUP_RATE": "compare with the holdout's own duplicate rate: low-cardinality tables "
        "repeat real rows by chance",
        "HIGH_ATE_GAP": "the treatment-outcome table is always measured, but an adjusted "
        "effect also needs how the confounders move treatment and outcome, which MST's tree "
        "of a few pairs does not keep (the synthetic effect drifts towards the naive one): "
        "more epsilon if the data owner grants it (the optimizer never raises it), or the "
        "gaussian_copula where a DP guarantee is not required",
        "RULE_VIOLATIONS": "a rule the synthesizer cannot derive: declare it in tables.rules "
        "with the column it determines",
        "LOW_TSTR": "the target's parents may be outside MST's tree of pairs: more epsilon, or "
        "fewer modeled columns",
    },
)
