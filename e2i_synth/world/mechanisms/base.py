"""What a causal mechanism declares: its knobs, its draw steps, the columns it adds, its
truth and identification, its checks and the estimators it enables, as data the world,
the tables, validation and the benchmark read through the registry (mechanisms/__init__).

Everything here is the world's vocabulary (numpy, the catalog, the unit model of dgps):
the layers above read a mechanism, a mechanism never reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from e2i_synth.catalog import TREATMENT_TABLE, DgpSpec
from e2i_synth.errors import ConfigError
from e2i_synth.world.dgps import Covariates, Latent, Mechanism


@dataclass(frozen=True)
class Knob:
    """A named, validated change of a DGP spec (`apply`), a number in [low, high] or, with
    no bounds, a boolean."""

    name: str
    help: str
    apply: Callable[[DgpSpec, float | bool], DgpSpec]
    low: float | None = None  # None: a boolean knob
    high: float | None = None
    integer: bool = False
    neutral: Callable[[DgpSpec], float | bool | None] = lambda spec: 0.0
    """The value at which the knob leaves `spec` as it is (None: no value does): the world
    of a knob at it is the world of no knob, byte for byte (draw streams are named by the
    base DGP, never the knobs)."""

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


@dataclass(frozen=True)
class Exclusion:
    """Two knobs that do not combine (both non-zero), and why."""

    knobs: tuple[str, str]
    why: str


@dataclass(frozen=True)
class Column:
    """A column a mechanism adds to a table, NULL in worlds without it (hence after the
    columns of the migration that made the table, in the order of the `migration` adding
    it). A unit-level column holds the world's variant part `part` (its row `arm` for a
    part drawn under both arms; `text` turns it into text); a causal_ground_truth column
    comes from the mechanism's `truth`."""

    table: str
    name: str
    sql_type: str
    migration: int
    part: str | None = None
    arm: int | None = None
    text: Callable[[np.ndarray], Any] | None = None
    description: str = ""
    """What the column holds, for the Dagster UI, the reference pages and schema.sql."""


@dataclass(frozen=True)
class Engagement:
    """A patient-linked engagement a mechanism adds after the index one
    (engagement_events): for the units whose variant part `part` is true, `days` after the
    index date, keyed `key` and the patient's index, its intervention type from the linked
    draw named `draw` (drawn after the index engagement's, so those stay the same)."""

    part: str
    days: int
    key: str
    draw: str


@dataclass(frozen=True)
class Trap:
    """A column that descends from `parent` (the treatment or the outcome): adjusting for it
    biases the estimate, whatever it correlates with. `table` holds it: the treatment table,
    or feature_values, where `column` is the feature's name."""

    column: str
    role: str
    parent: str
    why: str
    table: str = TREATMENT_TABLE


@dataclass
class Draft:
    """A world in the making, handed to each active mechanism's draw steps in registry
    order: the unit draws, the unit model, the arms' outcome probabilities `p_if`, the
    treatment and outcomes, the dates, and the variant parts drawn so far (by name)."""

    spec: DgpSpec
    covariates: Covariates
    latent: Latent
    unit: dict[str, np.ndarray]
    model: Mechanism
    p_if: Any = None
    treatment_u: np.ndarray | None = None
    engaged: np.ndarray | None = None
    y0: np.ndarray | None = None
    y1: np.ndarray | None = None
    observed: np.ndarray | None = None
    tau: np.ndarray | None = None
    ever_engaged: np.ndarray | None = None
    dates: dict[str, np.ndarray] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)


DrawStep = Callable[[Draft], None]
STAGES = ("arms", "history", "record")
"""When a mechanism's draw steps run: "arms" once the unit model is known (before the
treatment is drawn), "history" once the potential outcomes are, "record" once the dates
are (before the world is assembled)."""


@dataclass(frozen=True, eq=False)
class CausalMechanism:
    """One causal mechanism, declared in one module.

    Knobs: `active(spec)` says whether a spec has it; `knobs` make it; `exclusions` name
    knobs it does not combine with; `decisions` is 2 for a time-varying treatment (it
    excludes every mechanism written for one decision, `single_decision`).

    The draw: `streams` name its unobserved uniforms (latent part -> stream);
    `baseline`/`logit` reshape the baseline signal and the propensity's logit; `model`
    rewrites the unit model (propensities, p0, tau, arms); `steps` run at the draw's STAGES
    and set the world's variant `parts` (their names).

    The tables: `columns`, and the later `engagements` it adds; `sums(world, groups,
    effect)` adds up per group of units what its truth needs (exact integers, so chunks add
    up to the whole scenario; zeros where a world lacks it) and `truth(world, sums, rows)`
    gives its causal_ground_truth columns from them (`sums.of_mechanisms`).

    The truth's graph and identification: `unobserved` nodes; the `path` from the treatment
    to the outcome when it is not the direct edge; `confounded` nodes an unobserved
    confounder also points at; `traps`; extra `edges`; its `routes`; an `identification`
    entry (None where it does not apply: asked of every mechanism, since a world cut on a
    day of its own is censored by no knob).

    Checks: `ranges` of its columns. The benchmark: the `estimands` its truth states (read
    from the overall truth row), the `estimators` it enables (name -> the PublicTruth field
    naming the route's columns) and `public` (PublicTruth field -> reader of the stored
    identification)."""

    name: str
    summary: str
    knobs: tuple[Knob, ...]
    active: Callable[[DgpSpec], bool] = lambda spec: False
    exclusions: tuple[Exclusion, ...] = ()
    single_decision: bool = False
    decisions: int = 1
    streams: Mapping[str, str] = field(default_factory=dict)
    baseline: Callable[[DgpSpec, np.ndarray, Latent], np.ndarray] | None = None
    logit: Callable[[DgpSpec, np.ndarray, Latent], np.ndarray] | None = None
    model: Callable[[DgpSpec, Mechanism, np.ndarray, Latent], Mechanism] | None = None
    steps: Mapping[str, DrawStep] = field(default_factory=dict)
    parts: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    engagements: tuple[Engagement, ...] = ()
    sums: Callable[[Any, list[np.ndarray], np.ndarray], dict[str, np.ndarray]] | None = None
    truth: Callable[[Any, Any, list[int]], dict[str, Any]] | None = None
    unobserved: tuple[str, ...] = ()
    path: Callable[[DgpSpec], list[str]] | None = None
    confounded: tuple[str, ...] = ()
    traps: tuple[Trap, ...] = ()
    edges: tuple[str, ...] = ()
    routes: Callable[[DgpSpec], list[dict]] | None = None
    identification: Callable[[DgpSpec, np.datetime64 | None], tuple[str, dict] | None] | None = None
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    estimands: Callable[[Mapping[str, Any]], dict[str, float]] | None = None
    estimators: Mapping[str, str] = field(default_factory=dict)
    public: Mapping[str, Callable[[dict], tuple[str, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.steps) - set(STAGES)
        if unknown:
            raise ValueError(f"{self.name}: unknown draw stages {sorted(unknown)}; use {STAGES}")


def knob_on(name: str) -> Callable[[DgpSpec], bool]:
    """A mechanism active where the spec's field `name` is non-zero."""
    return lambda spec: bool(getattr(spec, name))


def param_on(name: str) -> Callable[[DgpSpec], bool]:
    """A mechanism active where its setting `name` (DgpSpec.params) is non-zero."""
    return lambda spec: bool(spec.param(name))


def set_param(name: str) -> Callable[[DgpSpec, float | bool], DgpSpec]:
    """A knob's `apply` keeping its value in DgpSpec.params (a mechanism without a field of
    its own in the spec); 0 (false) keeps no entry, so the knob off is the spec of no knob."""

    def apply(spec: DgpSpec, value: float | bool) -> DgpSpec:
        params = {**dict(spec.params), name: float(value)}
        return replace(spec, params=tuple(sorted((k, v) for k, v in params.items() if v)))

    return apply


def observed_arm(both: np.ndarray, engaged: np.ndarray) -> np.ndarray:
    """Of a (2, n) array by arm (untreated, treated), each unit's own arm."""
    return np.where(engaged, both[1], both[0])


def route_columns(identification: Mapping[str, Any], route: str) -> tuple[str, ...]:
    """The columns a stored `identification` names for a route."""
    routes = identification["routes"]
    return tuple(c for r in routes if r["route"] == route for c in r["columns"])


def group_totals(
    groups: list[np.ndarray], values: np.ndarray, within: np.ndarray | None = None
) -> np.ndarray:
    """Per group (a boolean mask over the units), the sum of `values` (over `within`
    only), as int64."""
    return np.array([values[g if within is None else g & within].sum() for g in groups], np.int64)
