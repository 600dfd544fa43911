"""The truths a golden query can be checked against, read from the story's own tables:
the planted effects (causal_ground_truth) and the planted signals (scenario_signals)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from e2i_synth.catalog import TREATMENT_COLUMN
from e2i_synth.errors import E2IError
from e2i_synth.tables.causal_ground_truth import sample_figures

Frames = dict[str, pd.DataFrame]
TRUTH = "causal_ground_truth"


def recompute_truth(frames: Frames) -> Frames:
    """causal_ground_truth's sample figures (true ATE, ATT, ATC, units, treated) recomputed
    from the story's patient rows and their unit_truth rows, so truth and data agree
    whatever the story changed."""
    journeys = frames["patient_journeys"]
    units = frames["unit_truth"].set_index("patient_id")
    effect = units["individual_effect"].reindex(journeys["patient_id"]).to_numpy()
    truth = frames[TRUTH].copy()
    masks = [
        np.ones(len(journeys), bool) if pd.isna(column) else (journeys[column] == value).to_numpy()
        for column, value in zip(truth["segment_column"], truth["segment_value"], strict=True)
    ]
    treated = journeys[TREATMENT_COLUMN].to_numpy(dtype=bool)
    figures = sample_figures(effect, treated, masks).set_axis(truth.index)
    truth[figures.columns] = figures.astype(truth[figures.columns].dtypes.to_dict())
    return dict(frames, **{TRUTH: truth})


OVERALL = "overall"


@dataclass(frozen=True)
class Truths:
    ate: float
    cate: dict[str, float]  # segment value -> true effect
    segment_column: str | None
    underperformer_region: str | None
    counts: dict[str, tuple[int, int]]  # segment value or OVERALL -> (patients, engaged)

    def standard_error(self, segment: str) -> float:
        """The largest standard error an estimate of the effect on `segment` can have as a
        difference of two proportions: engaged against not engaged patients, each outcome's
        variance p(1 - p) at most 1/4, so SE <= sqrt(1/n_engaged + 1/n_not) / 2."""
        units, engaged = self.counts[segment]
        if engaged == 0 or engaged == units:
            return float("inf")
        return 0.5 * float(np.sqrt(1 / engaged + 1 / (units - engaged)))

    def value(self, name: str) -> str:
        if name == "underperformer_region":
            found = self.underperformer_region
        elif name in ("largest_cate_region", "smallest_cate_region"):
            if self.segment_column != "region" or not self.cate:
                raise E2IError(
                    f"{name} needs a DGP whose effect differs by region (dgp: heterogeneous)"
                )
            pick = max if name.startswith("largest") else min
            found = pick(self.cate, key=self.cate.get)
        else:
            raise E2IError(f"unknown truth {name!r}")
        if found is None:
            raise E2IError(f"the scenario plants no {name}")
        return found


def read_truths(frames: Frames) -> Truths:
    truth = frames[TRUTH]
    overall = truth[truth["segment_column"].isna()]
    segments = truth[truth["segment_column"].notna()]
    signals = frames["scenario_signals"]
    under = signals.loc[signals["signal_type"] == "underperformer", "region"]
    names = truth["segment_value"].where(truth["segment_column"].notna(), OVERALL)
    counts = zip(truth["n_units"].astype(int), truth["n_treated"].astype(int), strict=True)
    return Truths(
        ate=float(overall["true_ate"].iloc[0]),
        cate=dict(zip(segments["segment_value"], segments["true_ate"].astype(float), strict=True)),
        segment_column=segments["segment_column"].iloc[0] if len(segments) else None,
        underperformer_region=str(under.iloc[0]) if len(under) else None,
        counts=dict(zip(names, counts, strict=True)),
    )
