"""The named DGP's own equations, reshaped: knobs that move the propensity, the baseline
and the effect without adding a node to the graph (no draw step, column or route)."""

from __future__ import annotations

from dataclasses import replace

from e2i_synth.catalog import DgpSpec, EffectModifier
from e2i_synth.world.mechanisms.base import CausalMechanism, Knob


def _severity_modifier(spec: DgpSpec, slope: float | bool) -> DgpSpec:
    """The severity modifier's slope set to `slope` in its place (slope 0: no modifier)."""
    feature = "disease_severity"
    modifiers = [
        replace(m, slope=float(slope)) if m.feature == feature else m for m in spec.effect_modifiers
    ]
    if all(m.feature != feature for m in modifiers):
        modifiers.append(EffectModifier(feature, float(slope)))
    return replace(
        spec, effect_modifiers=tuple(m for m in modifiers if m.slope or m.feature != feature)
    )


def _severity_slope(spec: DgpSpec) -> float:
    return next((m.slope for m in spec.effect_modifiers if m.feature == "disease_severity"), 0.0)


def _symmetric_clip(spec: DgpSpec) -> float | None:
    low, high = spec.propensity_clip
    return low if 1 - low == high else None


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
            neutral=lambda s: s.confounding,
        ),
        Knob(
            "effect",
            "multiplier on every unit's effect (effect size)",
            lambda s, v: replace(s, effect_scale=float(v)),
            0.0,
            3.0,
            neutral=lambda s: s.effect_scale,
        ),
        Knob(
            "heterogeneity",
            "slope of the effect in disease_severity on [0, 1] (continuous modifier; "
            "beyond twice the base effect some units are harmed)",
            _severity_modifier,
            -1.0,
            1.0,
            neutral=_severity_slope,
        ),
        Knob(
            "noise",
            "share of the baseline that is an unobserved unit draw (outcome noise)",
            lambda s, v: replace(s, noise=float(v)),
            0.0,
            0.9,
            neutral=lambda s: s.noise,
        ),
        Knob(
            "nonlinear",
            "thresholds and interactions in the propensity and the baseline",
            lambda s, v: replace(s, form="nonlinear" if v else "linear"),
            neutral=lambda s: s.form == "nonlinear",
        ),
        Knob(
            "overlap",
            "propensities clipped to [overlap, 1 - overlap] (small: little overlap)",
            lambda s, v: replace(s, propensity_clip=(float(v), 1 - float(v))),
            0.001,
            0.45,
            neutral=_symmetric_clip,
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
