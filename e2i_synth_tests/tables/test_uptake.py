"""The launch uptake every ramp reads: Bass's curve (checked against its differential
equation solved by SciPy), the TRx it implies (checked against the recursion of cohorts
refilling, run by SciPy's linear filter) and the steady-state months."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.signal import lfilter

from e2i_synth.catalog import BRANDS, UPTAKE_SOURCE, Uptake
from e2i_synth.tables.uptake import (
    NEW_RX_SHARE,
    REFILL_PERSISTENCE,
    STEADY_UPTAKE,
    bass_share,
    new_patient_uptake,
    prescription_uptake,
    steady_months,
)

CALENDAR = np.datetime64("2023-01", "M") + np.arange(30)


@given(st.floats(0.005, 0.1), st.floats(0.05, 0.9))
def test_bass_share_solves_the_bass_equation(p, q):
    """dF/dt = (p + q F)(1 - F), F(0) = 0: the closed form is its solution."""
    months = np.linspace(0, 36, 73)
    ode = solve_ivp(
        lambda _, f: (p + q * f) * (1 - f), (0, 36), [0.0], t_eval=months, rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(bass_share(months, Uptake(p, q)), ode.y[0], atol=1e-7)


def test_nothing_before_the_launch_month():
    for brand, spec in BRANDS.items():
        launch = np.datetime64(spec.population.launch, "M")
        before = launch > CALENDAR
        assert (new_patient_uptake(brand, CALENDAR)[before] == 0).all()
        assert (prescription_uptake(brand, CALENDAR)[before] == 0).all()
        assert (prescription_uptake(brand, CALENDAR)[~before] > 0).all()


def test_trx_uptake_is_the_refilling_cohorts_of_every_month_since_launch():
    """G_t = r G_(t-1) + (1 - r) F_t from the launch month: the cohorts of new patients,
    each refilling with probability r a month, as a share of the steady TRx."""
    for brand, spec in BRANDS.items():
        launch = np.datetime64(spec.population.launch, "M")
        history = np.arange(launch, CALENDAR[-1] + 1)
        new = new_patient_uptake(brand, history)
        expected = lfilter([1 - REFILL_PERSISTENCE], [1, -REFILL_PERSISTENCE], new)
        np.testing.assert_allclose(
            prescription_uptake(brand, history), expected, rtol=1e-10, atol=1e-12
        )


def test_nrx_share_of_trx_is_one_at_launch_and_falls_to_its_steady_level():
    for brand in ("remibrutinib", "fabhalta"):
        new, total = new_patient_uptake(brand, CALENDAR), prescription_uptake(brand, CALENDAR)
        launched = total > 0
        share = NEW_RX_SHARE * new[launched] / total[launched]
        assert abs(share[0] - 1) < 1e-9
        assert (np.diff(share) < 0).all() and share[-1] < 0.26
    kisqali = prescription_uptake("kisqali", CALENDAR)  # launched in 2017: steady
    np.testing.assert_allclose(kisqali, 1, atol=1e-6)


def test_steady_months_are_those_the_catalog_states():
    """The catalog's source says a launch reaches 90% of its steady flow of new patients
    within 9-11 months: the first steady month is 9 to 11 months after the launch month."""
    assert "9-11 months" in UPTAKE_SOURCE
    for brand in ("remibrutinib", "fabhalta"):
        steady = steady_months(brand, CALENDAR)
        launch = np.datetime64(BRANDS[brand].population.launch, "M")
        first = (CALENDAR[steady][0] - launch).astype(int)
        assert 9 <= first <= 11
        assert (new_patient_uptake(brand, CALENDAR)[steady] >= STEADY_UPTAKE).all()
        assert steady[np.argmax(steady) :].all()  # steady from then on
