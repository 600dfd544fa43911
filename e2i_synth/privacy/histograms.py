"""Real and synthetic marginals, and distances to the closest record, as shares per bin:
small enough to store with a scorecard's figures, and what the report draws."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.tabular.encoding import Columns

BINS = 20
MAX_CATEGORIES = 12
"""The commonest real categories are drawn one by one; the rest add up in `OTHER`."""
OTHER = "(other)"
DIGITS = 4


def shares(values: np.ndarray, edges: np.ndarray) -> list[float]:
    """Share of `values` in each bin of `edges` (the last bin closed); empty -> zeros."""
    counts = np.histogram(values, bins=edges)[0]
    return (counts / max(len(values), 1)).round(DIGITS).tolist()


def numeric_edges(real: np.ndarray, synthetic: np.ndarray) -> np.ndarray:
    """Unit bins centred on the integers when both sides hold integers spanning at most
    2 x `BINS` values (deciles, counts), else `BINS` equal bins over both sides' range."""
    both = np.r_[real, synthetic]
    if len(both) == 0:
        return np.array([0.0, 1.0])
    low, high = float(both.min()), float(both.max())
    if np.all(both == np.round(both)) and high - low < 2 * BINS:
        return np.arange(low - 0.5, high + 1.0)
    if high == low:
        return np.array([low - 0.5, high + 0.5])
    return np.linspace(low, high, BINS + 1)


def numeric_histogram(real: pd.Series, synthetic: pd.Series) -> dict[str, object]:
    """Shares of each side's non-null values in common bins."""
    r, s = real.dropna().to_numpy(float), synthetic.dropna().to_numpy(float)
    edges = numeric_edges(r, s)
    return {
        "kind": "numeric",
        "edges": edges.round(DIGITS).tolist(),
        "real": shares(r, edges),
        "synthetic": shares(s, edges),
    }


def categorical_histogram(real: pd.Series, synthetic: pd.Series) -> dict[str, object]:
    """Each side's share of the `MAX_CATEGORIES` commonest real categories (then the
    synthetic-only ones), the rest summed in `OTHER`."""
    p = real.value_counts(normalize=True)
    q = synthetic.value_counts(normalize=True)
    order = [*p.index, *q.index.difference(p.index, sort=False)]
    shown = order[:MAX_CATEGORIES]
    rest = order[MAX_CATEGORIES:]

    def side(share: pd.Series) -> list[float]:
        values = share.reindex(shown, fill_value=0.0).tolist()
        if rest:
            values.append(float(share.reindex(rest, fill_value=0.0).sum()))
        return np.round(values, DIGITS).tolist()

    return {
        "kind": "categorical",
        "categories": [str(c) for c in shown] + ([OTHER] if rest else []),
        "real": side(p),
        "synthetic": side(q),
    }


def marginal_histograms(
    real: pd.DataFrame, synthetic: pd.DataFrame, columns: Columns
) -> dict[str, dict[str, object]]:
    """Per modeled column, numeric ones first: real vs synthetic shares (frames from
    `encoding.as_model_frame`, so datetimes are days)."""
    return {
        c: numeric_histogram(real[c], synthetic[c])
        if c in columns.numeric
        else categorical_histogram(real[c], synthetic[c])
        for c in columns.all
    }


def distance_histogram(
    synthetic_to_train: np.ndarray, holdout_to_train: np.ndarray
) -> dict[str, object]:
    """DCR(train) of synthetic and of holdout rows, as shares in `BINS` common bins from 0:
    a synthesizer that generalizes draws the two alike; one that copies piles up at 0."""
    both = np.r_[synthetic_to_train, holdout_to_train]
    top = float(both.max()) if len(both) and both.max() > 0 else 1.0
    edges = np.linspace(0.0, top, BINS + 1)
    return {
        "edges": edges.round(DIGITS).tolist(),
        "synthetic": shares(synthetic_to_train, edges),
        "holdout": shares(holdout_to_train, edges),
    }
