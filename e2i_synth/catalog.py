"""The one place where the warehouse's vocabulary is defined.

Brands, regions, specialties, channels, event types, split names, the five DGPs with
their true effects, and the scale presets. Generators, schemas and DDL all read from
here, so the enumerations cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

GENERATOR_VERSION = "2.3.0"
"""2.3.0: variants draw from the streams of their base DGP (paired across knob levels), and
TRx, NRx and market share ramp from each brand's launch (2.2.0: the launch ramp alone)."""


@dataclass(frozen=True)
class Uptake:
    """A launch's uptake as a Bass diffusion curve over months since launch: the share
    F(t) = (1 - e^(-(p+q)t)) / (1 + (q/p) e^(-(p+q)t)) of the steady flow of new patients
    reached t months after launch, `p` the coefficient of innovation (prescribers who adopt
    on their own), `q` that of imitation (who adopt as their peers do)."""

    p: float
    q: float


@dataclass(frozen=True)
class Population:
    """Who a brand's patients and prescribers are, so brands differ in more than labels.

    `severity_beta`: disease_severity / 10 ~ Beta(a, b); `comorbidity_rate`:
    comorbidity_count ~ Binomial(6, rate); `age_mean`: age at diagnosis ~ Normal(mean, 13)
    clipped to 18-90; `hcp_volume_sigma`: the lognormal spread of HCP patient volumes (how
    concentrated the brand's patients are on few prescribers); `hcp_outside_patients`: the
    mean of an HCP's patients outside the scenario (Poisson); `initiation_median_days`: the
    median day of initiation within the follow-up window (a truncated exponential, so
    initiations cluster early); `launch`: no journey starts before it (a brand launched
    inside the calendar ramps up: journey starts after it have a linearly rising density);
    `uptake`: how the brand ramps from the launch (Bass), the one source of every ramp: a
    demo story's flow of new patients and HCP volumes, and every scenario's NRx, TRx and
    market share (`tables.uptake`).
    """

    severity_beta: tuple[float, float]
    comorbidity_rate: float
    age_mean: float
    hcp_volume_sigma: float
    hcp_outside_patients: float
    initiation_median_days: float
    launch: date
    uptake: Uptake


UPTAKE_SOURCE = (
    "Bass coefficients of the order of the means of Sultan, Farley & Lehmann's meta-analysis "
    "(J. Marketing Research 27(1), 1990: p = 0.03, q = 0.38), read per month: a specialty "
    "launch reaches 90% of its steady flow of new patients within 9-11 months (synthetic "
    "choices, not fitted to these brands)"
)
"""Where the brands' `Uptake` figures come from."""


@dataclass(frozen=True)
class Brand:
    """`products` are the presentations dispensed (what a prescription or refill is for),
    drawn per patient with `product_shares`."""

    name: str
    code: str
    indication: str
    specialties: tuple[str, ...]
    trx_per_month: tuple[int, int]
    products: tuple[str, ...]
    product_shares: tuple[float, ...]
    population: Population

    @property
    def metric_months(self) -> range:
        """The months of METRIC_FIRST_MONTH's calendar (indices) the brand has volume in:
        from its launch month on."""
        launch = self.population.launch
        first = (
            (launch.year - METRIC_FIRST_MONTH.year) * 12 + launch.month - METRIC_FIRST_MONTH.month
        )
        return range(max(0, first), METRIC_MONTHS)


BRANDS: Mapping[str, Brand] = MappingProxyType(
    {
        "remibrutinib": Brand(
            "remibrutinib",
            "REM",
            "chronic spontaneous urticaria",
            ("allergy_immunology", "dermatology"),
            (5_000, 50_000),
            ("Remibrutinib 25 mg",),
            (1.0,),
            # chronic urticaria: younger, moderate, few comorbidities, seen by many
            # allergists and dermatologists; a launch inside the calendar (synthetic date)
            Population((2.0, 2.6), 0.18, 42.0, 0.6, 60, 21, date(2024, 4, 1), Uptake(0.04, 0.5)),
        ),
        "fabhalta": Brand(
            "fabhalta",
            "FAB",
            "PNH, IgA nephropathy, C3G",
            ("hematology", "nephrology"),
            (2_000, 20_000),
            ("Fabhalta 200 mg",),
            (1.0,),
            # rare complement diseases: severe, renal comorbidity, concentrated on few
            # centres, slower starts (vaccination before the first dose) and uptake
            Population((3.0, 2.0), 0.35, 45.0, 1.2, 15, 35, date(2023, 12, 5), Uptake(0.03, 0.45)),
        ),
        "kisqali": Brand(
            "kisqali",
            "KIS",
            "HR+/HER2- breast cancer",
            ("medical_oncology", "breast_oncology"),
            (10_000, 100_000),
            ("Kisqali 600 mg", "Kisqali 400 mg", "Kisqali 200 mg", "Kisqali Femara Co-Pack"),
            (0.40, 0.30, 0.10, 0.20),
            # metastatic breast cancer: older, more comorbid, oncology centres, fast starts
            Population((2.6, 2.2), 0.40, 58.0, 0.9, 80, 14, date(2017, 3, 13), Uptake(0.04, 0.5)),
        ),
    }
)

REGIONS: tuple[str, ...] = ("northeast", "midwest", "south", "west")
REGION_SHARES: tuple[float, ...] = (0.18, 0.21, 0.38, 0.23)
STATES_BY_REGION: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "northeast": ("NY", "PA", "MA", "NJ", "CT"),
        "midwest": ("IL", "OH", "MI", "MN", "WI"),
        "south": ("TX", "FL", "GA", "NC", "TN"),
        "west": ("CA", "WA", "AZ", "CO", "OR"),
    }
)

ALL_SPECIALTIES: tuple[str, ...] = tuple(s for b in BRANDS.values() for s in b.specialties)
ALL_PRODUCTS: tuple[str, ...] = tuple(p for b in BRANDS.values() for p in b.products)
PRACTICE_TYPES: tuple[str, ...] = (
    "academic_medical_center",
    "community_hospital",
    "private_practice",
    "group_practice",
)
PRACTICE_SIZES: tuple[str, ...] = ("small", "medium", "large")
CHANNELS: tuple[str, ...] = ("in_person", "email", "phone", "web", "conference")
ADOPTION_STAGES: tuple[str, ...] = (
    "innovator",
    "early_adopter",
    "early_majority",
    "late_majority",
    "laggard",
)
GENDERS: tuple[str, ...] = ("female", "male")
INSURANCE_TYPES: tuple[str, ...] = ("commercial", "medicare", "medicaid", "uninsured")
JOURNEY_STAGES: tuple[str, ...] = (
    "treatment_naive",
    "initiated",
    "maintenance",
    "discontinued",
)
TREATMENT_EVENT_TYPES: tuple[str, ...] = (
    "diagnosis",
    "prescription",
    "refill",
    "switch",
    "discontinuation",
)
INTERVENTION_TYPES: tuple[str, ...] = (
    "email_campaign",
    "call_frequency_increase",
    "speaker_program_invitation",
    "educational_content_share",
    "peer_to_peer_referral",
)
OUTCOME_TYPES: tuple[str, ...] = ("treatment_initiation",)
TRIGGER_TYPES: tuple[str, ...] = (
    "initiation_opportunity",
    "engagement_gap",
    "next_best_action",
)
TRIGGER_PRIORITIES: tuple[str, ...] = ("high", "medium", "low")
TRIGGER_STATUSES: tuple[str, ...] = ("pending", "delivered", "accepted", "dismissed")
PREDICTION_MODELS: tuple[str, ...] = ("initiation_propensity",)
PREDICTION_MODEL_VERSION = "v2.0"

SPLITS: tuple[str, ...] = ("train", "validation", "test", "holdout")
SPLIT_SHARES: tuple[float, ...] = (0.60, 0.20, 0.15, 0.05)

# The calendar every scenario lives in; fixed so the same seed gives the same dates.
JOURNEY_START_FIRST = date(2024, 1, 1)
JOURNEY_START_LAST = date(2025, 6, 30)
INDEX_GAP_DAYS = (7, 45)
"""A patient's index date (engagement) falls this many days after its journey start."""
DATA_CUT = date(2025, 12, 31)
"""The data cut: no table holds a date after it (every outcome window closes before it;
a variant with `censor` moves it earlier, censoring the windows still open)."""
FOLLOW_UP_DAYS = 120
"""Initiations count when they fall within this many days after the index date; the
outcome is assessed the day after."""
REFILL_INTERVAL_DAYS = 30
JOURNEY_SPAN_DAYS = INDEX_GAP_DAYS[1] + FOLLOW_UP_DAYS + 1
"""The longest a journey's events span: from its start to the outcome date."""
PUBLIC_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "age_at_diagnosis": (18, 90),
        "disease_severity": (0, 10),
        "comorbidity_count": (0, 6),  # Binomial(6, rate)
        "engagement_score": (0, 10),
        "days_to_treatment": (0, JOURNEY_SPAN_DAYS),
        "line_of_therapy": (1, 3),
        "days_since_first_event": (0, JOURNEY_SPAN_DAYS),
        "journey_days": (0, JOURNEY_SPAN_DAYS),
        "n_prescription": (0, 1),
        "n_refill": (0, FOLLOW_UP_DAYS // REFILL_INTERVAL_DAYS),
        "n_switch": (0, 1),
        "n_discontinuation": (0, 1),
    }
)
"""Public bounds of the numeric columns a synthesizer or the secure sampler sees, set by
the design of the worlds (clips, binomial sizes, the calendar), never read from data: a
DP release takes its bin edges and clamps from here, so no single person's extreme value
moves them."""
LAST_INDEX_DATE = date.fromordinal(JOURNEY_START_LAST.toordinal() + INDEX_GAP_DAYS[1])
CENSOR_MAX_DAYS = (DATA_CUT - LAST_INDEX_DATE).days - 1
"""How far `censor` may move the cut: every index date (and engagement) stays before it."""


@dataclass(frozen=True)
class Term:
    """One term of a propensity logit or of a baseline: `weight` times a feature ("linear"),
    an indicator that the feature exceeds `at` ("step"), or the feature times `other`
    ("product": an interaction)."""

    weight: float
    feature: str
    kind: str = "linear"
    other: str | None = None
    at: float = 0.5

    @property
    def features(self) -> tuple[str, ...]:
        return (self.feature,) if self.other is None else (self.feature, self.other)


@dataclass(frozen=True)
class EffectModifier:
    """A continuous effect modifier: the unit's effect moves by `slope` per unit of the
    feature on [0, 1], around `center` (so the mean effect stays near the base effect);
    a steep slope makes the effect negative (harm) for some units."""

    feature: str
    slope: float
    center: float = 0.5


FEATURE_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "disease_severity": "disease_severity",
        "comorbidity_count": "comorbidity_count",
        "academic_hcp": "academic_hcp",
        "youth": "age_at_diagnosis",
    }
)
"""Features a DGP may use and the patient_journeys column each is a function of (`youth`
is (90 - age_at_diagnosis) / 72)."""
FEATURE_SCALES: Mapping[str, float] = MappingProxyType(
    {"disease_severity": 10, "comorbidity_count": 6, "academic_hcp": 1, "youth": 1}
)
"""Dividing a feature by its scale puts it on [0, 1]: baseline terms and effect modifiers
use that scale; propensity terms use the feature as stored (log-odds per unit)."""
HIDDEN_CONFOUNDER = "hidden_confounder"
"""The hidden confounder's name: a node marked unobserved in `graph_dot` and a column of
unit_truth, never of an analysis table."""
INSTRUMENT_COLUMN = "territory_rep_assigned"
"""The instrument's column in patient_journeys: the patient's territory had a field rep
assigned at the index date (assigned at random, with probability 1/2; NULL in variants
without the instrument knob). It moves engagement only, never initiation directly."""
INSTRUMENT_ASSIGNED_SHARE = 0.5
MEDIATOR_COLUMN = "support_program_enrolled"
"""The mediator's column in patient_journeys: the patient enrolled in the brand's support
program (NULL in variants without the mediator knob). Engagement acts on initiation only
through it, and nothing else that causes initiation causes it."""
MEDIATOR_BASE = 0.1
"""Probability of enrolling without engagement; engagement adds `DgpSpec.mediator`."""
HIDDEN_LOGIT_SPAN = 8.0
"""Log-odds of engagement between the lowest and the highest hidden confounder, per unit of
`DgpSpec.hidden` (at hidden = 0.5 the propensity's logit moves by 4 across its range)."""
DOSE_COLUMN = "engagement_dose"
"""The dose's column in patient_journeys: the intensity of the patient's engagement, 0 (not
engaged) to `DgpSpec.dose` (NULL in variants without the dose knob); engaged is dose > 0."""
DOSE_EC50 = 0.5
"""The dose-response's half-effect point as a share of the top dose: dose k of K gives the
share g(k) = (k/K) * (1 + DOSE_EC50) / (k/K + DOSE_EC50) of the unit's full effect (an
Emax curve: g(0) = 0, g(K/2) = 0.75, g(K) = 1; increasing and concave)."""
DOSE_CUT_SPACING = 1.0
"""Log-odds between the cut points of the engaged units' dose (an ordered logit located at
the logit of the unit's propensity, cut points centred on 0)."""
MAX_DOSE = 8
FOLLOWUP_DAY = 30
"""The second engagement decision of a variant with `feedback`: this many days after the
index date, once the disease activity has been measured again."""
FOLLOWUP_TREATMENT_COLUMN = "engaged_day30"
FOLLOWUP_ACTIVITY_COLUMN = "disease_activity_day30"
FEEDBACK_ACTIVITY_DROP = 0.3
"""Engagement at the index lowers the day-30 disease activity (on [0, 1]) by feedback x this."""
ACTIVITY_NOISE = 0.3
"""Day-30 activity = severity / 10 + U(-0.3, 0.3) (its own stream) - the drop, in [0, 1]:
enough of it is new since the index for the activity to confound the second decision."""
REENGAGE_LOGIT = (-1.0, 8.0, 1.0)
"""logit P(engaged at day 30) = a + b * (activity - 1/2) + c * engaged at the index: reps
return to patients whose disease is still active and whom they engaged before."""
ACTIVITY_OUTCOME = 0.5
"""The initiation probability moves by this times (day-30 activity - severity / 10)."""
OUTCOME_OBSERVED = "outcome_observed"
"""Whether a patient's outcome was ascertained (treatment_initiated IS NOT NULL): a node of
`graph_dot` in variants with the selection knob, a child of the treatment and the outcome."""
SELECTION_OUTCOME_SHARE = 0.8
SELECTION_ENGAGED_SHARE = 0.5
"""With `DgpSpec.selection` = s, a patient's outcome goes unrecorded (lost to follow-up)
with probability s * (1 - SELECTION_OUTCOME_SHARE * y) * (1 - SELECTION_ENGAGED_SHARE * t)
for outcome y and engagement t: patients who do not initiate and patients no rep follows
are lost most often (missing not at random: on the outcome itself)."""


@dataclass(frozen=True)
class DgpSpec:
    """A data-generating process as data, interpreted by one mechanism
    (`world.draw.unit_model`: the base equations of `world.dgps` and the causal mechanisms
    of `world.mechanisms`), and the truth it plants.

    Treatment: logistic propensity `propensity_intercept + confounding * sum(terms)`,
    clipped to `propensity_clip` (no terms and intercept 0: randomized at 0.5). Baseline
    initiation probability p0 = 0.05 + 0.5 * sum(baseline_terms), the weights summing to 1
    over features on [0, 1], so p0 stays in [0.05, 0.55]; with `noise` > 0 a share of it is
    an unobserved unit draw. Effect (risk difference p1 - p0): `true_ate`, or by segment
    (`segment_effects` by `segment_column`), plus `effect_modifiers`, times `effect_scale`.
    `form` "nonlinear" rewrites every linear term into a threshold and an interaction
    (`world.dgps.nonlinear_terms`). The graph follows from the terms: the treatment's
    parents are the columns of non-zero propensity terms, the outcome's those of the
    baseline terms, modifiers and segment column, and `adjustment_columns` (the outcome's
    parents besides the treatment) is the efficient backdoor set.

    With `hidden` > 0 a hidden confounder U (uniform on [0, 1], stored only in unit_truth)
    takes that share of the baseline (before `noise` takes its share) and adds
    `hidden * HIDDEN_LOGIT_SPAN * (U - 1/2)` to the propensity's logit: no set of observed
    columns is then valid, and `adjustment_columns` is only the observed part of the
    outcome's causes, what a backdoor analysis would (wrongly) adjust for. With
    `instrument` > 0 the propensity's logit rises by that much where INSTRUMENT_COLUMN is
    true (a randomized assignment, excluded from the outcome): an instrument. With
    `mediator` > 0 the effect passes wholly through MEDIATOR_COLUMN, on with probability
    MEDIATOR_BASE + mediator * engaged (one uniform per unit for both arms): the outcome
    probability jumps by the unit's effect / mediator when it is on, so the expected
    effect stays the unit's effect (where [0, 1] allows): a front-door route. With
    `dose` = K > 0 the treatment has versions: an engaged unit gets dose 1..K (DOSE_COLUMN)
    from an ordered logit located at the logit of its propensity (the same covariates, so
    the dose is confounded as engagement is; its own uniform, so each unit has a dose if
    engaged), and dose k gives the share g(k) (DOSE_EC50) of the unit's effect: the
    outcome probability at dose k is p0 + g(k) * effect, so the unit's effect of
    engagement is its effect times the expected g of its dose. The causes of the dose
    join the adjustment set: they move the outcome of the engaged through the dose. With
    `selection` > 0 the outcome goes missing not at random (SELECTION_OUTCOME_SHARE): one
    uniform per unit decides whether it would be recorded under either arm, the analysis
    tables hold NULL where it is not, and the truth states the effect for everyone
    (`true_ate`) and for the observed population (`true_ate_observed`). With
    `censor_days` > 0 the data cut moves that many days before DATA_CUT: nothing after it
    exists (initiations, refills and stops after it are dropped, outcome dates end at it),
    and a patient whose 120-day window is still open at the cut and who has not initiated
    by then has a NULL outcome (right-censored; one who has, a known one). The truth states
    the effect for everyone, for the patients whose window closed by the cut
    (`true_ate_followed`, what the censoring allows: their outcomes are all known) and for
    the recorded ones (`true_ate_observed`, what complete cases estimate when engagement is
    randomized). With `feedback` > 0 engagement is a time-varying treatment with
    treatment-confounder feedback: engagement at the index lowers the disease activity
    measured at FOLLOWUP_DAY (FOLLOWUP_ACTIVITY_COLUMN), reps engage again by that
    activity (FOLLOWUP_TREATMENT_COLUMN), and the outcome probability is p0 + effect x (the
    share of the two engagements received) + ACTIVITY_OUTCOME x (activity - severity / 10):
    the activity confounds the second engagement and carries part of the first one's
    effect. `y1` and `y0` are the outcomes engaged at both and at neither (common random
    numbers), the truth's effect is that regime contrast, and only the g-formula (or
    inverse weighting of both decisions) identifies it.
    """

    name: str
    code: str
    true_ate: float | None
    description: str
    baseline_terms: tuple[Term, ...]
    propensity_terms: tuple[Term, ...] = ()
    propensity_intercept: float = 0.0
    propensity_clip: tuple[float, float] = (0.05, 0.95)
    segment_column: str | None = None
    segment_effects: Mapping[str, float] | None = None
    lag_days: int = 0
    effect_modifiers: tuple[EffectModifier, ...] = ()
    confounding: float = 1.0
    effect_scale: float = 1.0
    noise: float = 0.0
    hidden: float = 0.0
    instrument: float = 0.0
    mediator: float = 0.0
    dose: int = 0
    selection: float = 0.0
    censor_days: int = 0
    feedback: float = 0.0
    form: str = "linear"
    variant: str | None = None  # the knobs that made it, e.g. "nonlinear=true,overlap=0.01"
    params: tuple[tuple[str, float], ...] = ()
    """The settings of mechanisms without a field of their own, by knob name (sorted):
    a new mechanism (world.mechanisms) keeps its knob's value here."""

    def param(self, name: str) -> float:
        """A mechanism's setting from `params` (0: off)."""
        return dict(self.params).get(name, 0.0)

    @property
    def label(self) -> str:
        """The DGP's name, with its knobs when it is a variant."""
        return f"{self.name}~{self.variant}" if self.variant else self.name

    @property
    def treatment_causes(self) -> tuple[str, ...]:
        """In the order of the outcome's parents, then any that only cause the treatment
        (the instrument last)."""
        causes = _columns(t for t in self.propensity_terms if t.weight * self.confounding != 0)
        shared = [c for c in self.adjustment_columns if c in causes]
        instrument = [INSTRUMENT_COLUMN] if self.instrument else []
        return tuple(dict.fromkeys([*shared, *causes, *instrument]))

    @property
    def outcome_causes(self) -> tuple[str, ...]:
        """The outcome's parents besides the treatment (and the dose)."""
        modifiers = [Term(m.slope, m.feature) for m in self.effect_modifiers]
        causes = _columns(t for t in (*self.baseline_terms, *modifiers) if t.weight != 0)
        return tuple(dict.fromkeys([*causes, *filter(None, [self.segment_column])]))

    @property
    def adjustment_columns(self) -> tuple[str, ...]:
        """The outcome's causes, then (with a dose) the dose's causes: what DoWhy's
        efficient adjustment picks, the parents of the outcome and of the dose."""
        return tuple(dict.fromkeys([*self.outcome_causes, *self.dose_causes]))

    @property
    def dose_causes(self) -> tuple[str, ...]:
        """The observed columns the engaged units' dose depends on besides engagement: the
        propensity's (the instrument moves engagement only)."""
        if not self.dose:
            return ()
        return _columns(t for t in self.propensity_terms if t.weight * self.confounding != 0)

    @property
    def confounders(self) -> tuple[str, ...]:
        """The columns that cause both the treatment and the outcome."""
        return tuple(c for c in self.treatment_causes if c in self.adjustment_columns)

    @property
    def adjustment_sets(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The valid backdoor sets among observed columns worth naming, by name:
        "efficient" (`adjustment_columns`, the outcome's causes: DoWhy's efficient-adjustment,
        the smallest asymptotic variance), "minimal" (the confounders alone: DoWhy's
        efficient-minimal-adjustment) and "treatment_causes" (the treatment's parents: what
        a propensity model needs). A set equal to one named before it is not repeated.
        Every observed covariate is a root of the graph, so any union of these is valid too.
        None with a hidden confounder: it opens a backdoor path no observed column blocks;
        none with `feedback`: the effect of engaging at both times has no backdoor set (the
        day-30 activity confounds the second engagement and mediates the first).
        """
        if self.hidden or self.feedback:
            return ()
        named = (
            ("efficient", self.adjustment_columns),
            ("minimal", self.confounders),
            ("treatment_causes", self.treatment_causes),
        )
        distinct: dict[frozenset[str], tuple[str, tuple[str, ...]]] = {}
        for name, columns in named:
            distinct.setdefault(frozenset(columns), (name, columns))
        return tuple(distinct.values())


def _columns(terms) -> tuple[str, ...]:
    return tuple(dict.fromkeys(FEATURE_COLUMNS[f] for t in terms for f in t.features))


DGPS: Mapping[str, DgpSpec] = MappingProxyType(
    {
        "simple_linear": DgpSpec(
            "simple_linear",
            "SL",
            0.40,
            "randomized engagement, outcome linear in covariates: baseline recovery",
            (Term(0.6, "disease_severity"), Term(0.4, "comorbidity_count")),
        ),
        "confounded": DgpSpec(
            "confounded",
            "CF",
            0.25,
            "engagement targeted by severity, academic HCPs and comorbidities, "
            "which also drive initiation: adjustment needed",
            (
                Term(0.6, "disease_severity"),
                Term(0.25, "academic_hcp"),
                Term(0.15, "comorbidity_count"),
            ),
            (
                Term(0.7, "disease_severity"),
                Term(1.5, "academic_hcp"),
                Term(0.3, "comorbidity_count"),
            ),
            propensity_intercept=-4.4,
        ),
        "heterogeneous": DgpSpec(
            "heterogeneous",
            "HT",
            None,
            "effect differs by region; the ATE is the sample-weighted mean of the CATEs",
            (Term(0.6, "disease_severity"), Term(0.4, "comorbidity_count")),
            (Term(0.2, "disease_severity"),),
            propensity_intercept=-1.0,
            segment_column="region",
            segment_effects=MappingProxyType(
                {"northeast": 0.10, "midwest": 0.20, "south": 0.30, "west": 0.40}
            ),
        ),
        "time_series": DgpSpec(
            "time_series",
            "TS",
            0.30,
            "engagement at t raises initiation only from t + lag on",
            (Term(0.6, "disease_severity"), Term(0.4, "comorbidity_count")),
            (Term(0.2, "disease_severity"),),
            propensity_intercept=-1.0,
            lag_days=30,
        ),
        "selection_bias": DgpSpec(
            "selection_bias",
            "SB",
            0.35,
            "HCPs select younger, sicker patients of academic practices for engagement "
            "(selection on observables): IPW/AIPW needed",
            (
                Term(0.35, "youth"),
                Term(0.45, "disease_severity"),
                Term(0.2, "academic_hcp"),
            ),
            (
                Term(0.35, "disease_severity"),
                Term(2.5, "youth"),
                Term(1.5, "academic_hcp"),
            ),
            propensity_intercept=-3.0,
            propensity_clip=(0.02, 0.98),
        ),
    }
)

# Patients per scenario. `full` gives about 3.5 million rows over all 15 scenarios.
SCALES: Mapping[str, int] = MappingProxyType({"small": 3_000, "full": 30_000})
MIN_PATIENTS = 100
HCPS_PER_PATIENT = 0.1

TREATMENT_TABLE = "patient_journeys"
TREATMENT_COLUMN = "engaged"
OUTCOME_COLUMN = "treatment_initiated"


METRIC_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "trx": "volume",
        "nrx": "volume",
        "market_share": "share",
        "conversion_rate": "rate",
        "hcp_engagement_score": "score",
    }
)
"""Every business metric and its kind (volumes are counts, shares and rates in [0, 1],
scores on 0-10)."""
METRIC_FIRST_MONTH = date(2023, 1, 1)
METRIC_MONTHS = 30
"""Monthly series from 2023-01 to 2025-06: a year of history before the journeys begin, so
every month of the journey window has a year-on-year change."""
REVENUE_PER_RX: Mapping[str, float] = MappingProxyType(
    {"remibrutinib": 450.0, "fabhalta": 2_100.0, "kisqali": 1_300.0}
)
COST_PER_ENGAGEMENT = 180.0
SIGNAL_TYPES: tuple[str, ...] = ("underperformer", "seasonality", "drift")


@dataclass(frozen=True)
class FeatureDef:
    name: str
    group: str
    value_type: str  # float, int, category, bool
    description: str


FEATURE_GROUPS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "hcp_demographics": ("hcp", "who the prescriber is and how many patients they see"),
        "patient_features": ("patient", "clinical and coverage facts at the patient's index date"),
        "brand_performance": ("brand_region", "monthly brand KPIs per region, after month end"),
        "causal_features": ("patient", "treatment, propensity and outcome probability"),
    }
)
"""Feature group -> (entity type, description)."""
FEATURES: tuple[FeatureDef, ...] = (
    FeatureDef("specialty_encoded", "hcp_demographics", "int", "index of the HCP's specialty"),
    FeatureDef("years_experience", "hcp_demographics", "int", "years in practice"),
    FeatureDef("academic_flag", "hcp_demographics", "bool", "practices at an academic center"),
    FeatureDef("patient_volume_monthly", "hcp_demographics", "float", "patients seen per month"),
    FeatureDef("disease_severity", "patient_features", "float", "severity 0-10 at index"),
    FeatureDef("age_at_diagnosis", "patient_features", "int", "age at diagnosis"),
    FeatureDef("comorbidity_count", "patient_features", "int", "number of comorbidities"),
    FeatureDef("prior_treatment_count", "patient_features", "int", "prior lines of therapy"),
    FeatureDef("insurance_tier", "patient_features", "category", "insurance type"),
    FeatureDef("trx_30d", "brand_performance", "float", "TRx in the month"),
    FeatureDef("nrx_30d", "brand_performance", "float", "NRx in the month"),
    FeatureDef("conversion_rate", "brand_performance", "float", "initiations per indexed patient"),
    FeatureDef("engagement_score", "causal_features", "float", "the patient's engagement score"),
    FeatureDef(
        "treatment_propensity", "causal_features", "float", "estimated engagement propensity"
    ),
    FeatureDef(
        "outcome_probability",
        "causal_features",
        "float",
        "estimated initiation probability given the engagement received (post-treatment)",
    ),
)
DRIFT_FEATURES: tuple[str, ...] = ("prior_treatment_count", "patient_volume_monthly")
"""Store-only features (not columns of an entity table) that a scenario may drift."""
FRESHNESS_STATUSES: tuple[str, ...] = ("fresh", "stale", "expired")


def _column_vocabulary() -> Mapping[str, tuple[str, ...]]:
    states = tuple(s for region in STATES_BY_REGION.values() for s in region)
    return MappingProxyType(
        {
            "brand": tuple(BRANDS),
            "dgp_type": tuple(DGPS),
            "specialty": ALL_SPECIALTIES,
            "practice_type": PRACTICE_TYPES,
            "practice_size": PRACTICE_SIZES,
            "region": REGIONS,
            "state": states,
            "preferred_channel": CHANNELS,
            "channel": CHANNELS,
            "adoption_stage": ADOPTION_STAGES,
            "gender": GENDERS,
            "insurance_type": INSURANCE_TYPES,
            "journey_stage": JOURNEY_STAGES,
            "data_split": SPLITS,
            "event_type": TREATMENT_EVENT_TYPES,
            "product": ALL_PRODUCTS,
            "intervention_type": INTERVENTION_TYPES,
            "outcome_type": OUTCOME_TYPES,
            "model_name": PREDICTION_MODELS,
            "trigger_type": TRIGGER_TYPES,
            "priority": TRIGGER_PRIORITIES,
            "status": TRIGGER_STATUSES,
            "metric_name": tuple(METRIC_TYPES),
            "metric_type": tuple(sorted(set(METRIC_TYPES.values()))),
            "signal_type": SIGNAL_TYPES,
            "group_name": tuple(FEATURE_GROUPS),
            "feature_name": tuple(f.name for f in FEATURES),
            "value_type": ("float", "int", "category", "bool"),
            "entity_type": ("hcp", "patient", "brand_region"),
            "freshness_status": FRESHNESS_STATUSES,
        }
    )


COLUMN_VOCABULARY = _column_vocabulary()
"""The allowed values of every enumerated column, whatever table it is in: the Pandera
schemas and the PostgreSQL CHECK constraints are both built from this."""


# --- HCP interventions (digital twins) ---------------------------------------------------


@dataclass(frozen=True)
class InterventionSpec:
    """One commercial intervention and its true effect on `prescribing_change`.

    `base_effect` is the relative change of the HCP's monthly TRx over the following 12
    weeks at the reference dose (intensity 1, 12 weeks), for a reference HCP (all
    multipliers 1). `delivery_share` is its share of the historical deliveries.
    """

    name: str
    base_effect: float
    delivery_share: float


INTERVENTIONS: Mapping[str, InterventionSpec] = MappingProxyType(
    {
        "email_campaign": InterventionSpec("email_campaign", 0.05, 0.30),
        "call_frequency_increase": InterventionSpec("call_frequency_increase", 0.08, 0.25),
        "speaker_program_invitation": InterventionSpec("speaker_program_invitation", 0.12, 0.10),
        "educational_content_share": InterventionSpec("educational_content_share", 0.06, 0.20),
        "peer_to_peer_referral": InterventionSpec("peer_to_peer_referral", 0.10, 0.15),
    }
)

EFFECT_MULTIPLIERS: Mapping[str, Mapping[object, float]] = MappingProxyType(
    {
        "specialty": MappingProxyType(
            {
                "allergy_immunology": 1.0,
                "dermatology": 0.85,
                "hematology": 1.1,
                "nephrology": 0.9,
                "medical_oncology": 1.0,
                "breast_oncology": 1.2,
            }
        ),
        "priority_tier": MappingProxyType({1: 1.3, 2: 1.1, 3: 0.9, 4: 0.7}),
        "region": MappingProxyType({"northeast": 1.1, "midwest": 0.95, "south": 0.9, "west": 1.05}),
        "adoption_stage": MappingProxyType(
            {
                "innovator": 1.5,
                "early_adopter": 1.3,
                "early_majority": 1.0,
                "late_majority": 0.75,
                "laggard": 0.5,
            }
        ),
    }
)
"""The true effect is base_effect x the product of these four multipliers x the dose."""

REFERENCE_INTENSITY = 1.0
REFERENCE_DURATION_WEEKS = 12
DOSE_INTENSITY_EXPONENT = 0.7
DOSE_DURATION_SCALE_WEEKS = 8.0
"""Dose response: intensity ** 0.7 x (1 - exp(-weeks / 8)) / (1 - exp(-12 / 8)): concave in
intensity, saturating in duration, exactly 1 at the reference dose."""
INTENSITY_RANGE = (0.1, 2.0)
DURATION_WEEKS_RANGE = (1, 52)
FREQUENCIES: tuple[str, ...] = ("weekly", "biweekly", "monthly", "quarterly")

HISTORY_PERIODS = 6
"""Quarterly delivery periods per HCP (2024-Q1 .. 2025-Q2, the journey calendar): at small
scale (300 HCPs) 1,800 history rows per scenario, 1,440 of them on the HCPs twins train on."""
HISTORY_INTENSITY_RANGE = (0.5, 1.5)
HISTORY_DURATION_WEEKS_RANGE = (4, 24)
DELIVERY_DRIVERS: tuple[str, ...] = ("decile", "priority_tier", "adoption_stage")
"""What the historical delivery policy targets; the untreated outcome depends on them too."""
TWIN_TYPES: tuple[str, ...] = ("hcp", "patient", "territory")
RECOMMENDATIONS: tuple[str, ...] = ("deploy", "do_not_deploy", "test_further")
MIN_EFFECT_THRESHOLD = 0.05
CONFIDENCE_THRESHOLD = 0.90
