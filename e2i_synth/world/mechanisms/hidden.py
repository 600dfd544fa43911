"""A hidden confounder: a uniform U per unit takes a share of the baseline and pulls the
propensity, stored only in unit_truth, so no set of observed columns is a valid
adjustment set (catalog.DgpSpec, `hidden`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from e2i_synth.catalog import HIDDEN_CONFOUNDER, HIDDEN_LOGIT_SPAN, DgpSpec
from e2i_synth.world.dgps import Latent
from e2i_synth.world.mechanisms.base import CausalMechanism, Column, Draft, Knob, knob_on


def _baseline(spec: DgpSpec, signal: np.ndarray, latent: Latent) -> np.ndarray:
    """U takes the share `hidden` of the baseline signal."""
    return (1 - spec.hidden) * signal + spec.hidden * latent("hidden")


def _logit(spec: DgpSpec, logit: np.ndarray, latent: Latent) -> np.ndarray:
    """U moves the propensity's logit by hidden * HIDDEN_LOGIT_SPAN across its range."""
    return logit + spec.hidden * HIDDEN_LOGIT_SPAN * (latent("hidden") - 0.5)


def _record(draft: Draft) -> None:
    draft.parts["hidden"] = draft.latent("hidden")


MECHANISM = CausalMechanism(
    name="hidden",
    summary="a hidden confounder of engagement and initiation (no valid backdoor set)",
    knobs=(
        Knob(
            "hidden",
            "strength of a hidden confounder: its share of the baseline, and its pull on "
            "the propensity (stored only in unit_truth; no valid adjustment set remains)",
            lambda s, v: replace(s, hidden=float(v)),
            0.0,
            0.9,
        ),
    ),
    active=knob_on("hidden"),
    streams={"hidden": "world-hidden"},
    baseline=_baseline,
    logit=_logit,
    steps={"record": _record},
    parts=("hidden",),
    columns=(
        Column(
            "unit_truth",
            HIDDEN_CONFOUNDER,
            "DOUBLE",
            10,
            part="hidden",
            description=(
                "The unobserved confounder U of variants with the hidden knob, uniform on [0, 1]: "
                "it moves both the propensity and the baseline. NULL elsewhere."
            ),
        ),
    ),
    unobserved=(HIDDEN_CONFOUNDER,),
)
