"""The built-in estimators by short name: the registry the benchmark runs by default
(`estimators.BASELINES` resolves each name to its function there) and the command line's
help lists. Names only, so the help loads none of the estimators' scientific stack."""

from __future__ import annotations

import importlib.util

ALWAYS = (
    "naive",
    "ols",
    "ipw",
    "aipw",
    "dowhy_linear",
    "dowhy_iv",
    "dowhy_frontdoor",
    "frontdoor",
    "g_formula",
    "ols_days_covered",
    "ols_refills",
    "kaplan_meier",
)
"""Each runs wherever its route exists (the IV estimator only on variants with an
instrument, the front-door ones only with a mediator, the g-formula only with a
time-varying engagement, the outcome-type ones only with outcome types;
`estimators.route_needed`)."""
WHERE_INSTALLED = {"econml_forest": "econml"}
"""Estimators whose package is optional, and that package."""


def built_in_names() -> tuple[str, ...]:
    """The built-ins this installation runs: every one of `ALWAYS`, then each optional one
    whose package is installed."""
    optional = (
        name
        for name, package in WHERE_INSTALLED.items()
        if importlib.util.find_spec(package) is not None
    )
    return (*ALWAYS, *optional)


def built_ins_help() -> str:
    """The built-ins as the `--estimator` help lists them."""
    optional = ", ".join(f"{n} (with {p} installed)" for n, p in WHERE_INSTALLED.items())
    return f"{', '.join(ALWAYS)}, {optional}"
