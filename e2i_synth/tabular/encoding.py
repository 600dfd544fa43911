"""One numeric view of a mixed table, shared by every metric so they all see the same rows.

Kinds: numeric = integer/float columns (datetimes become float days since the epoch);
categorical = everything else (strings, booleans, categories), as strings with nulls as
their own category. Distances run on a row encoding fitted on the training rows only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder

from e2i_synth.errors import E2IError

NULL_CATEGORY = "<null>"
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Columns:
    """The modeled columns of a table, split by kind."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.numeric + self.categorical


def column_kinds(frame: pd.DataFrame) -> Columns:
    """Numeric (not bool) and datetime columns are numeric; the rest categorical."""
    numeric = tuple(
        c
        for c in frame.columns
        if (pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]))
        or pd.api.types.is_datetime64_any_dtype(frame[c])
    )
    return Columns(numeric, tuple(c for c in frame.columns if c not in numeric))


def as_model_frame(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """Numeric columns as float64 (datetimes in days), categoricals as str with a null
    category, so equal values hash and compare equal whatever dtype a synthesizer emits."""
    missing = [c for c in columns.all if c not in frame.columns]
    if missing:
        raise E2IError(
            f"columns {missing} are missing from the frame; the real and synthetic tables "
            "must share the modeled columns"
        )
    out = {}
    for c in columns.numeric:
        values = frame[c]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.astype("datetime64[s]").astype("int64").where(values.notna())
            values = values / SECONDS_PER_DAY
        out[c] = pd.to_numeric(values, errors="coerce").astype("float64")
    for c in columns.categorical:
        out[c] = frame[c].astype("string").fillna(NULL_CATEGORY).astype(object)
    return pd.DataFrame(out, index=frame.index)


def row_encoder(columns: Columns) -> ColumnTransformer:
    """Numeric: min-max scaled by the training range (nulls imputed with the median plus an
    is-null indicator); categorical: one-hot weighted 1/2, so a mismatch costs 1 in L1 --
    the per-column distance of SDMetrics' DCR (Gower) when values stay inside the range."""
    return ColumnTransformer(
        [
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median", add_indicator=True), MinMaxScaler()),
                list(columns.numeric),
            ),
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(columns.categorical)),
        ],
        transformer_weights={"num": 1.0, "cat": 0.5},
        sparse_threshold=0.0,
    )


def encode_rows(
    train: pd.DataFrame, others: list[pd.DataFrame], columns: Columns
) -> list[np.ndarray]:
    """Training rows and each other frame in the encoding fitted on the training rows."""
    encoder = row_encoder(columns).fit(train[list(columns.all)])
    return [
        np.asarray(encoder.transform(f[list(columns.all)]), dtype=np.float64)
        for f in [train, *others]
    ]
