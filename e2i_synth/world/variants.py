"""Knobs: named, validated changes of a DGP spec that make a variant of it.

A variant is keyed by its label, `<dgp>~<knob>=<value>,...` with knobs sorted by name and
values written canonically, so the same knobs always give the same label (and world).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType

from e2i_synth.catalog import (
    CENSOR_MAX_DAYS,
    DATA_CUT,
    DGPS,
    DOSE_COLUMN,
    FEEDBACK_ACTIVITY_DROP,
    FOLLOWUP_ACTIVITY_COLUMN,
    FOLLOWUP_DAY,
    FOLLOWUP_TREATMENT_COLUMN,
    INSTRUMENT_COLUMN,
    MAX_DOSE,
    MEDIATOR_BASE,
    MEDIATOR_COLUMN,
    OUTCOME_COLUMN,
    SELECTION_ENGAGED_SHARE,
    SELECTION_OUTCOME_SHARE,
    DgpSpec,
    EffectModifier,
)
from e2i_synth.errors import ConfigError

Knobs = tuple[tuple[str, str], ...]
"""(name, canonical value) pairs sorted by name: hashable, part of a Scenario."""


@dataclass(frozen=True)
class Knob:
    name: str
    help: str
    apply: Callable[[DgpSpec, float | bool], DgpSpec]
    low: float | None = None  # None: a boolean knob
    high: float | None = None
    integer: bool = False

    @property
    def allowed(self) -> str:
        if self.low is None:
            return "true or false"
        kind = "an integer" if self.integer else "a number"
        return f"{kind} in [{self.low:g}, {self.high:g}]"

    def parse(self, text: str) -> float | bool:
        value = text.strip().lower()
        if self.low is None:
            if value in ("true", "false"):
                return value == "true"
        else:
            try:
                number = float(value)
            except ValueError:
                number = float("nan")
            assert self.high is not None
            if self.low <= number <= self.high and (number.is_integer() or not self.integer):
                return number
        raise ConfigError(
            f"knob {self.name}={text!r} is not valid; {self.name} takes {self.allowed}"
        )


def _severity_modifier(spec: DgpSpec, slope: float | bool) -> DgpSpec:
    kept = tuple(m for m in spec.effect_modifiers if m.feature != "disease_severity")
    return replace(spec, effect_modifiers=(*kept, EffectModifier("disease_severity", float(slope))))


KNOBS: Mapping[str, Knob] = MappingProxyType(
    {
        k.name: k
        for k in (
            Knob(
                "censor",
                f"the data cut moves v days before {DATA_CUT} (the default cut): outcome "
                "windows still open at it are right-censored (NULL unless the patient "
                "initiated by the cut) and nothing after it exists; the truth states the ATE "
                "for everyone, for the patients whose window closed (true_ate_followed) and "
                "for the recorded ones",
                lambda s, v: replace(s, censor_days=int(v)),
                0,
                CENSOR_MAX_DAYS,
                integer=True,
            ),
            Knob(
                "confounding",
                "multiplier on the propensity's covariate coefficients (0: randomized)",
                lambda s, v: replace(s, confounding=float(v)),
                0.0,
                5.0,
            ),
            Knob(
                "dose",
                f"engagement becomes a dose 0..v ({DOSE_COLUMN} in patient_journeys; 0: no "
                "dose) with a concave dose-response; the potential outcome at every dose is "
                "in unit_truth, the mean per dose in the truth",
                lambda s, v: replace(s, dose=int(v)),
                0,
                MAX_DOSE,
                integer=True,
            ),
            Knob(
                "effect",
                "multiplier on every unit's effect (effect size)",
                lambda s, v: replace(s, effect_scale=float(v)),
                0.0,
                3.0,
            ),
            Knob(
                "feedback",
                f"engagement becomes time-varying: a second decision at day {FOLLOWUP_DAY} "
                f"({FOLLOWUP_TREATMENT_COLUMN}) after the disease activity is measured again "
                f"({FOLLOWUP_ACTIVITY_COLUMN}), which the first engagement lowers by v x "
                f"{FEEDBACK_ACTIVITY_DROP:g} (treatment-confounder feedback); the truth is the "
                "effect of engaging at both times vs neither, which needs the g-formula",
                lambda s, v: replace(s, feedback=float(v)),
                0.0,
                1.0,
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
                "hidden",
                "strength of a hidden confounder: its share of the baseline, and its pull on "
                "the propensity (stored only in unit_truth; no valid adjustment set remains)",
                lambda s, v: replace(s, hidden=float(v)),
                0.0,
                0.9,
            ),
            Knob(
                "instrument",
                f"log-odds of engagement added where {INSTRUMENT_COLUMN} (a randomized rep "
                "territory assignment, stored in patient_journeys) is true; excluded from "
                "the outcome",
                lambda s, v: replace(s, instrument=float(v)),
                0.0,
                5.0,
            ),
            Knob(
                "mediator",
                f"how much engagement raises the probability of {MEDIATOR_COLUMN} (stored in "
                "patient_journeys), through which alone it acts on initiation: a front door",
                lambda s, v: replace(s, mediator=float(v)),
                0.0,
                1 - 2 * MEDIATOR_BASE,
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
                "selection",
                f"outcomes missing not at random: {OUTCOME_COLUMN} is NULL (lost to "
                f"follow-up) with probability v * (1 - {SELECTION_OUTCOME_SHARE:g} * initiated)"
                f" * (1 - {SELECTION_ENGAGED_SHARE:g} * engaged); the truth states the ATE "
                "for everyone and for the observed population",
                lambda s, v: replace(s, selection=float(v)),
                0.0,
                0.9,
            ),
            Knob(
                "shift",
                "added to the propensity's intercept (more or fewer engaged units)",
                lambda s, v: replace(s, propensity_intercept=s.propensity_intercept + float(v)),
                -3.0,
                3.0,
            ),
        )
    }
)


SINGLE_DECISION = ("censor", "dose", "mediator", "selection")
"""Knobs written for one engagement decision: `feedback` (two decisions) excludes them."""


def _canonical(value: float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


def parse_knobs(items: Iterable[str] | Mapping[str, object]) -> Knobs:
    """`name=value` strings (or a mapping) validated into canonical, sorted knobs; an
    unknown knob or a bad value is one ConfigError naming it and what is allowed."""
    pairs = items.items() if isinstance(items, Mapping) else [_split(i) for i in items]
    knobs: dict[str, str] = {}
    for name, text in pairs:
        if name not in KNOBS:
            raise ConfigError(f"unknown knob {name!r}; choose among: {', '.join(KNOBS)}")
        if name in knobs:
            raise ConfigError(f"knob {name} given twice; give each knob once")
        knobs[name] = _canonical(KNOBS[name].parse(str(text)))
    if float(knobs.get("dose", 0)) and float(knobs.get("mediator", 0)):
        raise ConfigError(
            "knobs dose and mediator do not combine (the dose acts on the outcome directly, "
            "the mediator would carry the whole effect); set one of them to 0"
        )
    clashes = [k for k in SINGLE_DECISION if float(knobs.get(k, 0))]
    if float(knobs.get("feedback", 0)) and clashes:
        raise ConfigError(
            f"knob feedback does not combine with {', '.join(clashes)} (they describe a "
            "single engagement decision); set feedback or them to 0"
        )
    return tuple(sorted(knobs.items()))


def _split(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep:
        raise ConfigError(f"knob {item!r} is not name=value; e.g. --knob overlap=0.1")
    return name.strip(), value


def knobs_text(knobs: Knobs) -> str:
    return ",".join(f"{k}={v}" for k, v in knobs)


def variant_label(dgp: str, knobs: Knobs) -> str:
    return f"{dgp}~{knobs_text(knobs)}" if knobs else dgp


@lru_cache(maxsize=1024)
def variant_spec(dgp: str, knobs: Knobs = ()) -> DgpSpec:
    """The named DGP's spec with the knobs applied in name order (no knobs: the spec)."""
    spec = DGPS[dgp]
    for name, value in knobs:
        spec = KNOBS[name].apply(spec, KNOBS[name].parse(value))
    return replace(spec, variant=knobs_text(knobs)) if knobs else spec
