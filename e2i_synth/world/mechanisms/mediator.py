"""A front-door mediator: engagement acts on initiation only through enrolment in the
brand's support program, which nothing else that causes initiation causes, so the
front-door formula identifies the ATE (catalog.DgpSpec, `mediator`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from e2i_synth.catalog import (
    MEDIATOR_BASE,
    MEDIATOR_COLUMN,
    OUTCOME_COLUMN,
    TREATMENT_COLUMN,
    DgpSpec,
)
from e2i_synth.world.dgps import Latent, Mechanism
from e2i_synth.world.mechanisms.base import (
    CausalMechanism,
    Column,
    Draft,
    Knob,
    knob_on,
    observed_arm,
    route_columns,
)


def _model(spec: DgpSpec, model: Mechanism, logit: np.ndarray, latent: Latent) -> Mechanism:
    """Enrolment unengaged and engaged (one uniform for both), and the outcome probability
    then: it jumps by the unit's effect / mediator when enrolled, so the expected effect
    stays the unit's effect (where [0, 1] allows)."""
    p0, tau = model.p0, model.tau
    jump = np.clip(p0 + tau / spec.mediator, 0, 1) - p0  # the mediator's effect, unit by unit
    on_if = latent("mediator") < MEDIATOR_BASE + spec.mediator * np.array([[0.0], [1.0]])
    return replace(
        model,
        p0=p0 + MEDIATOR_BASE * jump,
        tau=spec.mediator * jump,
        outcome_if=p0 + jump * on_if,
        mediator_if=on_if,
    )


def _record(draft: Draft) -> None:
    draft.parts["mediator"] = observed_arm(draft.model.mediator_if, draft.engaged)
    draft.parts["mediator_if"] = draft.model.mediator_if


MECHANISM = CausalMechanism(
    name="mediator",
    summary="a front-door mediator carrying the whole effect",
    knobs=(
        Knob(
            "mediator",
            f"how much engagement raises the probability of {MEDIATOR_COLUMN} (stored in "
            "patient_journeys), through which alone it acts on initiation: a front door",
            lambda s, v: replace(s, mediator=float(v)),
            0.0,
            1 - 2 * MEDIATOR_BASE,
        ),
    ),
    active=knob_on("mediator"),
    single_decision=True,
    streams={"mediator": "world-mediator"},
    model=_model,
    steps={"record": _record},
    parts=("mediator", "mediator_if"),
    columns=(
        Column(
            "patient_journeys",
            MEDIATOR_COLUMN,
            "BOOLEAN",
            12,
            part="mediator",
            description=(
                "The front-door mediator of variants with the mediator knob: on with probability "
                "0.1, plus the knob's value when engaged; the whole effect passes through it. NULL "
                "in other scenarios."
            ),
        ),
        Column(
            "unit_truth",
            "enrolled_if_unengaged",
            "BOOLEAN",
            15,
            part="mediator_if",
            arm=0,
            description=(
                "Variants with a mediator: whether the patient would enrol in the support program "
                "unengaged. NULL elsewhere."
            ),
        ),
        Column(
            "unit_truth",
            "enrolled_if_engaged",
            "BOOLEAN",
            15,
            part="mediator_if",
            arm=1,
            description=(
                "Variants with a mediator: whether the patient would enrol engaged (one uniform for"
                " both); the outcome moves only where the two differ. NULL elsewhere."
            ),
        ),
    ),
    path=lambda spec: [
        f"{TREATMENT_COLUMN} -> {MEDIATOR_COLUMN};",
        f"{MEDIATOR_COLUMN} -> {OUTCOME_COLUMN};",
    ],
    routes=lambda spec: [{"route": "frontdoor", "columns": [MEDIATOR_COLUMN], "estimand": "ate"}],
    estimators={"dowhy_frontdoor": "mediators", "frontdoor": "mediators"},
    public={"mediators": lambda stated: route_columns(stated, "frontdoor")},
)
