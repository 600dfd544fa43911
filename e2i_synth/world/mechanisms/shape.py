"""The named DGP's own equations, reshaped: knobs that move the propensity, the baseline
and the effect without adding a node to the graph (no draw step, column or route)."""

from __future__ import annotations

from dataclasses import replace

from e2i_synth.catalog import DgpSpec, EffectModifier
from e2i_synth.world.mechanisms.base import CausalMechanism, Knob


def _severity_modifier(spec: DgpSpec, slope: float | bool) -> DgpSpec:
    kept = tuple(m for m in spec.effect_modifiers if m.feature != "disease_severity")
    return replace(spec, effect_modifiers=(*kept, EffectModifier("disease_severity", float(slope))))


MECHANISM = CausalMechanism(
    name="shape",
    summary="the named DGP's propensity, baseline and effect, reshaped",
    knobs=(
        Knob(
            "confounding",
            "multiplier on the propensity's covariate coefficients (0: randomized)",
            lambda s, v: replace(s, confounding=float(v)),
            0.0,
            5.0,
        ),
        Knob(
            "effect",
            "multiplier on every unit's effect (effect size)",
            lambda s, v: replace(s, effect_scale=float(v)),
            0.0,
            3.0,
        ),
        Knob(
            "heterogeneity",
            "slope of the effect in disease_severity on [0, 1] (continuous modifier; "
            "beyond twice the base effect some units are harmed)",
            _severity_modifier,
            -1.0,
            1.0,
        ),
        Knob(
            "noise",
            "share of the baseline that is an unobserved unit draw (outcome noise)",
            lambda s, v: replace(s, noise=float(v)),
            0.0,
            0.9,
        ),
        Knob(
            "nonlinear",
            "thresholds and interactions in the propensity and the baseline",
            lambda s, v: replace(s, form="nonlinear" if v else "linear"),
        ),
        Knob(
            "overlap",
            "propensities clipped to [overlap, 1 - overlap] (small: little overlap)",
            lambda s, v: replace(s, propensity_clip=(float(v), 1 - float(v))),
            0.001,
            0.45,
        ),
        Knob(
            "shift",
            "added to the propensity's intercept (more or fewer engaged units)",
            lambda s, v: replace(s, propensity_intercept=s.propensity_intercept + float(v)),
            -3.0,
            3.0,
        ),
    ),
    streams={"noise": "world-latent"},
)
