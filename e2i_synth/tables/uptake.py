"""A brand's launch uptake by calendar month, from the catalog's Bass coefficients
(`catalog.Uptake`, the one source of every ramp): the share of the steady flow of new
patients (NRx) a month reaches, and the share of the steady TRx that flow's prescriptions
and refills reach.

A patient who starts refills each following month with probability `REFILL_PERSISTENCE`,
so the steady NRx/TRx is 1 - REFILL_PERSISTENCE (the plan's NEW_RX_SHARE): in the launch
month every script is new, and NRx/TRx falls toward its steady level as the patients of
the months before refill. A month's new-patient share is the Bass curve F read at the
middle of the month's days from the launch on (0 before the launch month), so monthly
series ramp continuously from the launch, with no step."""

from __future__ import annotations

from datetime import date

import numpy as np

from e2i_synth.catalog import BRANDS, Uptake

DAYS_PER_MONTH = 365.2425 / 12
NEW_RX_SHARE = 0.22
"""Steady-state NRx / TRx."""
REFILL_PERSISTENCE = 1 - NEW_RX_SHARE
"""The monthly probability that a patient on therapy refills (geometric persistence: a
patient's expected scripts are 1 / NEW_RX_SHARE, about 4.5)."""
STEADY_UPTAKE = 0.9
"""A month is at steady state once the brand's new-patient uptake (Bass F) reaches this
share of its steady flow: from then on the brand's monthly TRx is within its catalog range
(`catalog.Brand.trx_per_month`)."""


def bass_share(months: np.ndarray, uptake: Uptake) -> np.ndarray:
    """Bass's cumulative adoption F(t) = (1 - e^(-(p+q)t)) / (1 + (q/p) e^(-(p+q)t)) at
    `months` since launch (0 at and before it)."""
    decay = np.exp(-(uptake.p + uptake.q) * np.maximum(np.asarray(months, float), 0.0))
    return (1 - decay) / (1 + uptake.q / uptake.p * decay)


def _months_since(months: np.ndarray, launch: date) -> np.ndarray:
    """Months since `launch` at the middle of each calendar month's days from the launch
    on; NaN for months before the launch month."""
    first = np.asarray(months, "datetime64[M]").astype("datetime64[D]")
    end = (np.asarray(months, "datetime64[M]") + 1).astype("datetime64[D]")
    start = np.maximum(first, np.datetime64(launch, "D"))
    middle = (start - np.datetime64(launch, "D")).astype(float) + (end - start).astype(float) / 2
    return np.where(end > start, middle / DAYS_PER_MONTH, np.nan)


def new_patient_uptake(brand: str, months: np.ndarray) -> np.ndarray:
    """The share of the steady flow of new patients (NRx) each calendar month reaches."""
    since = _months_since(months, BRANDS[brand].population.launch)
    return np.where(np.isnan(since), 0.0, bass_share(np.nan_to_num(since), _uptake(brand)))


def prescription_uptake(brand: str, months: np.ndarray) -> np.ndarray:
    """The share of the steady TRx each calendar month reaches: the new-patient uptake of
    every month since the launch, each cohort persisting with REFILL_PERSISTENCE a month,
    normalised so the steady flow gives 1 (0 before the launch month)."""
    months = np.asarray(months, "datetime64[M]")
    launch = np.datetime64(BRANDS[brand].population.launch, "M")
    since = (months - launch).astype(int)
    history = launch + np.arange(max(int(since.max(initial=0)), 0) + 1)
    kernel = NEW_RX_SHARE * REFILL_PERSISTENCE ** np.arange(len(history))
    total = np.convolve(new_patient_uptake(brand, history), kernel)[: len(history)]
    return np.where(since >= 0, total[np.maximum(since, 0)], 0.0)


def steady_months(brand: str, months: np.ndarray) -> np.ndarray:
    """Whether each calendar month's new-patient uptake has reached STEADY_UPTAKE."""
    return new_patient_uptake(brand, months) >= STEADY_UPTAKE


def _uptake(brand: str) -> Uptake:
    return BRANDS[brand].population.uptake
