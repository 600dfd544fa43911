"""unit_truth: the answer key of each patient, kept apart from the analysis tables.

One row per patient (the unit): both potential outcomes of `treatment_initiated`
(common random numbers, so `y1 >= y0`), the true propensity of `engaged`, the unit's
realized effect `individual_effect = y1 - y0`, its `cate` p1 - p0 (the effect expected for
its covariates) and its split, to score on one split without a join; in a variant with
hidden confounding, the unit's `hidden_confounder`, and in one with an instrument, its
treatment with the instrument off and on (`engaged_if_unassigned`, `engaged_if_assigned`:
the same uniform decides both, so compliers are the units engaged only if assigned), and
in one with a dose, its dose if engaged (`dose_if_engaged`) and its potential outcome at
every dose 0..K (`dose_outcomes`, a JSON list of 0/1: Y(0), ..., Y(K), from the one
outcome uniform, so y0 = Y(0) and y1 = Y(dose_if_engaged)), and in one with selection,
whether its outcome would be recorded unengaged and engaged (`observed_if_unengaged`,
`observed_if_engaged`: one uniform decides both; the analysis tables hold the outcome
where the unit's own arm's is true), and in one with a front-door mediator, its
enrolment unengaged and engaged (`enrolled_if_unengaged`, `enrolled_if_engaged`: one
uniform for both; the outcome moves only for units whose enrolment does, so
`individual_effect` is 0 wherever the two agree); NULL elsewhere. Every figure of
causal_ground_truth is a mean of these rows: `true_ate` of `individual_effect` over the
units a row covers (`true_att` over the engaged ones, `true_atc` over the others),
`expected_ate` of `cate`, and with a dose each dose's mean outcome of `dose_outcomes`.
In time_series every caused initiation falls after the lag, so
the same effects hold for initiation from index + lag on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.tables.spec import (
    SCENARIO_COLUMNS,
    TableSpec,
    mechanism_columns,
    mechanism_values,
    patient_keys,
    scenario_columns,
    split_names,
)
from e2i_synth.world import World

SPEC = TableSpec(
    name="unit_truth",
    columns={
        "patient_id": "VARCHAR",
        **SCENARIO_COLUMNS,
        "y0": "BOOLEAN",
        "y1": "BOOLEAN",
        "true_propensity": "DOUBLE",
        "individual_effect": "INTEGER",
        "cate": "DOUBLE",
        "data_split": "VARCHAR",
        # the mechanisms' (world.mechanisms): a hidden confounder, an instrument, ...
        **mechanism_columns("unit_truth"),
    },
    primary_key="patient_id",
    foreign_keys={"patient_id": "patient_journeys"},
    nullable=frozenset(mechanism_columns("unit_truth")),
    descriptions={
        "patient_id": "The patient (one row per patient_journeys row).",
        "y0": (
            "The potential outcome unengaged: the patient's outcome uniform below p0 (for "
            "feedback: engaged at neither time)."
        ),
        "y1": (
            "The potential outcome engaged, from the same uniform (common random numbers, so y1 "
            ">= y0); with a dose, the outcome at the patient's dose if engaged; for feedback, "
            "engaged at both times."
        ),
        "true_propensity": (
            "The probability of engagement the world drew from (0 to 1, clipped by the DGP): the "
            "logistic model of the DGP's covariates (and the hidden confounder or instrument "
            "where a variant has one)."
        ),
        "individual_effect": (
            "y1 - y0: 0 or 1 (-1 never happens: common random numbers). Every true_ate is a mean "
            "of it."
        ),
        "cate": (
            "p1 - p0: the effect expected for the patient's covariates (expected_ate is its mean)."
        ),
        "data_split": "The patient's split, to score on one split without a join.",
    },
)
ANSWER_COLUMNS: tuple[str, ...] = tuple(
    c for c in SPEC.columns if c not in (SPEC.primary_key, *SCENARIO_COLUMNS, "data_split")
)
"""What only the truth may hold: no analysis table has a column by these names."""


def individual_effects(world: World) -> np.ndarray:
    return world.y1.astype(np.int32) - world.y0.astype(np.int32)


def build(world: World, upstream: dict[str, pd.DataFrame]) -> pd.DataFrame:
    n = world.n_patients
    return pd.DataFrame(
        {
            "patient_id": patient_keys(world, world.units),
            **scenario_columns(world),
            "y0": world.y0,
            "y1": world.y1,
            "true_propensity": world.propensity,
            "individual_effect": individual_effects(world),
            "cate": world.tau,
            "data_split": split_names(world, np.arange(n)),
            **mechanism_values(world, "unit_truth"),
        }
    )
