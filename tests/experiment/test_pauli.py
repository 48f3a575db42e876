"""Pauli limit, Sarma tricritical point and the Pauli-limited phase boundary.

Expected numbers are derived in the tests from constants and independent
formulas (brute-force Matsubara sums, GL and Sommerfeld expansions), never
from earlier output of the code.
"""

import math

import numpy as np
import pytest
import scipy.constants as sc
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import zeta

from isingsc.core.errors import ParameterError
from isingsc.experiment import pauli as P

GAMMA_E = np.euler_gamma
DELTA0 = math.pi * math.exp(-GAMMA_E)  # BCS Delta0 / k_B Tc


def test_pauli_slope_from_constants():
    # B_P/Tc = pi e^-gamma k_B / (sqrt2 mu_B), constants straight from CODATA (scipy)
    kb = sc.physical_constants["Boltzmann constant in eV/K"][0]
    mub = sc.physical_constants["Bohr magneton in eV/T"][0]
    expected = DELTA0 * kb / (math.sqrt(2) * mub)
    assert P.pauli_slope() == pytest.approx(expected, rel=1e-12)
    assert round(P.pauli_slope(), 4) == 1.8568  # SPEC.md / FORMULAS.md to 4 digits
    # Clogston: 2 Delta0 = 3.5 k_B Tc -> 1.84 T/K
    assert P.pauli_slope(variant="clogston") == pytest.approx(1.75 * kb / (math.sqrt(2) * mub), rel=1e-12)
    assert round(P.pauli_slope(variant="clogston"), 2) == 1.84
    # g enters as (g/2) mu_B: g = 1 doubles the field
    assert P.pauli_field(3.0, g=1.0) == pytest.approx(2 * P.pauli_field(3.0), rel=1e-14)
    assert P.tc_from_pauli_field(P.pauli_field(4.2)) == pytest.approx(4.2, rel=1e-14)


def test_gap_in_mev():
    kb_mev = sc.physical_constants["Boltzmann constant in eV/K"][0] * 1e3
    assert P.bcs_gap_mev(10.0) == pytest.approx(DELTA0 * kb_mev * 10.0, rel=1e-12)


@pytest.fixture(scope="module")
def brute_force_tricritical():
    """x* from Re sum_n (n + 1/2 + i x)^-3 = 0 summed directly (no polygamma), tail by the integral."""
    n = np.arange(200_000)

    def s3(x):
        N = len(n)
        return float(np.sum((1.0 / (n + 0.5 + 1j * x) ** 3).real) + (1.0 / (2 * (N + 1j * x) ** 2)).real)

    x_star = brentq(s3, 0.05, 1.0, xtol=1e-14)
    # ln(Tc/T*) = Re psi(1/2 + i x*) - psi(1/2) = sum_n x^2 / ((n+1/2)((n+1/2)^2 + x^2)), summed directly
    m = np.arange(2_000_000) + 0.5
    lnt = np.sum(x_star**2 / (m * (m * m + x_star**2))) + x_star**2 / (2 * (m[-1] + 0.5) ** 2)
    t_star = math.exp(-lnt)
    return x_star, t_star


def test_tricritical_point(brute_force_tricritical):
    x_star, t_star = brute_force_tricritical
    tri = P.tricritical_point()
    assert tri["x_star"] == pytest.approx(x_star, rel=1e-9)
    assert tri["T_over_Tc"] == pytest.approx(t_star, rel=1e-9)
    # 4 digits: T*/Tc = 0.5615 (the often-quoted 0.56 of Sarma / Saint-James et al.)
    assert round(tri["T_over_Tc"], 4) == 0.5615
    assert round(tri["T_over_Tc"], 2) == 0.56
    h_star = 2 * math.pi * t_star * x_star
    assert tri["h_over_kTc"] == pytest.approx(h_star, rel=1e-9)
    assert round(tri["h_over_kTc"], 2) == 1.07  # textbook mu_B H* = 1.07 k_B Tc
    assert tri["h_over_Delta0"] == pytest.approx(h_star / DELTA0, rel=1e-9)
    assert round(tri["h_over_Delta0"], 4) == 0.6082
    assert tri["B_over_BP"] == pytest.approx(h_star * math.sqrt(2) / DELTA0, rel=1e-9)
    # the quartic coefficient changes sign there, and the point lies on the second-order line
    for t, sign in ((t_star * 1.01, 1), (t_star * 0.99, -1)):
        assert sign * P.quartic_coefficient_reduced(t, P.second_order_field_reduced(t)) > 0
    assert P.second_order_field_reduced(t_star) == pytest.approx(h_star, rel=1e-9)


def test_quartic_coefficient_zero_field_is_gl():
    # GL: Omega = a D^2 + c4 D^4 with c4 = 7 zeta(3) / (16 pi^2 T^2)
    for t in (0.3, 0.9, 1.0):
        assert P.quartic_coefficient_reduced(t, 0.0) == pytest.approx(7 * zeta(3) / (16 * math.pi**2 * t**2), rel=1e-12)


def test_second_order_line_limits():
    # T -> 0: h2 -> Delta0/2 (the super-cooling field); corrections O(t^2) are far below 1e-10 at t = 1e-8
    assert P.second_order_field_reduced(1e-8) == pytest.approx(DELTA0 / 2, rel=1e-10)
    assert P.second_order_field_reduced(1e-300) == pytest.approx(DELTA0 / 2, rel=1e-12)  # no overflow
    # near Tc: Re psi(1/2 + i x) - psi(1/2) = 7 zeta(3) x^2 + O(x^4)  =>  h^2 = (2 pi t)^2 (1 - t) / (7 zeta(3))
    for eps in (1e-6, 1e-8):
        t = 1 - eps
        expected = 2 * math.pi * t * math.sqrt(-math.log(t) / (7 * zeta(3)))
        assert P.second_order_field_reduced(t) == pytest.approx(expected, rel=10 * eps)
    assert P.second_order_field_reduced(1.0) == 0.0


def _free_energy_xi_integral(delta, t, h):
    """Omega_S - Omega_N per N0 from the xi integral of -T sum ln 2cosh(E_sigma / 2T) (independent of the
    Matsubara form): D^2 int tanh(xi/2)/xi - 2 int sum_sigma T [ln2cosh((E+s h)/2T) - ln2cosh((xi+s h)/2T)]."""
    def l2c(x):
        return np.logaddexp(x, -x)

    def f(xi):
        e = math.hypot(xi, delta)
        cond = delta**2 * (math.tanh(xi / 2) / xi if xi > 0 else 0.5)
        qp = sum(t * (l2c((e + s * h) / (2 * t)) - l2c((xi + s * h) / (2 * t))) for s in (1, -1))
        return cond - 2 * qp

    lam = 400.0
    val = sum(quad(f, a, b, limit=400, epsabs=1e-11, epsrel=1e-10)[0]
              for a, b in ((0, 1), (1, 5), (5, 30), (30, lam)))
    return val + delta**4 / (8 * lam**2)  # tail of D^4 / (4 xi^3)


@pytest.mark.parametrize("delta, t, h", [(1.2, 0.3, 0.5), (0.7, 0.6, 1.0), (1.6, 0.1, 0.3), (0.4, 0.5, 1.3)])
def test_free_energy_matches_xi_integral(delta, t, h):
    assert P.free_energy_reduced(delta, t, h) == pytest.approx(_free_energy_xi_integral(delta, t, h), rel=2e-6, abs=1e-9)


def test_gap_function_is_derivative_of_free_energy():
    d, t, h, e = 1.1, 0.4, 0.8, 1e-5
    num = (P.free_energy_reduced(d + e, t, h) - P.free_energy_reduced(d - e, t, h)) / (4 * d * e)
    assert P.gap_function_reduced(d, t, h) == pytest.approx(num, rel=1e-6)


def test_zero_temperature_condensation_energy():
    # T -> 0, h = 0: Omega_S - Omega_N = -D0^2/2 + (pi^2/3) T^2 (normal-state Sommerfeld term)
    t = 0.02
    d = P.zero_field_gap_reduced(t)
    # Delta(T) - Delta0 ~ exp(-Delta0/T) = e^-88 here; the Matsubara sums are cut at w_N = 200 Delta with
    # the leading tail added, which leaves a relative error ~ (1/200)^4 ~ 1e-9
    assert d == pytest.approx(DELTA0, rel=1e-9)
    assert P.free_energy_reduced(d, t, 0.0) == pytest.approx(-DELTA0**2 / 2 + math.pi**2 / 3 * t**2, rel=1e-9)


@pytest.mark.parametrize("t", [0.03, 0.05])
def test_first_order_line_low_temperature(t):
    # equal energies -D0^2/2 + h^2 + (pi^2/3) T^2 = 0 up to quasiparticle terms ~ exp(-(D0 - h)/T) < 1e-4
    expected = math.sqrt(DELTA0**2 / 2 - math.pi**2 / 3 * t**2)
    assert P.first_order_field_reduced(t) == pytest.approx(expected, rel=1e-5)


def test_first_order_line_above_second_order_and_meets_it_at_tstar():
    t_star = P.tricritical_point()["T_over_Tc"]
    for t in (0.2, 0.4, 0.5):
        assert P.first_order_field_reduced(t) > P.second_order_field_reduced(t)
    gap_far = P.first_order_field_reduced(t_star - 0.1) - P.second_order_field_reduced(t_star - 0.1)
    gap_near = P.first_order_field_reduced(t_star - 0.02) - P.second_order_field_reduced(t_star - 0.02)
    assert 0 < gap_near < gap_far / 10  # h1 - h2 = O((T* - T)^2)
    with pytest.raises(ParameterError, match="T\\*/Tc"):
        P.first_order_field_reduced(0.6)


def test_cached_table_matches_exact():
    t = np.array([0.025, 0.15, 0.37, 0.52, 0.58, 0.8, 0.97])
    exact = P.physical_field_reduced(t, exact=True)
    assert np.allclose(P.physical_field_reduced(t), exact, rtol=1e-4, atol=0)


def test_lab_units_and_dataset(tmp_path):
    tc = 4.0
    bp = P.pauli_field(tc)
    b = P.pauli_limited_hc2(0.05 * tc, tc)
    # near T = 0 the thermodynamic field is the Pauli field (within the Sommerfeld correction)
    assert b / bp == pytest.approx(math.sqrt(1 - 2 * math.pi**2 / 3 * 0.05**2 / DELTA0**2), rel=1e-5)
    assert P.pauli_limited_hc2(0.9 * tc, tc) == pytest.approx(
        P.pauli_limited_hc2(0.9 * tc, tc, transition="second-order"), rel=1e-14)
    ds = P.pauli_limited_curve(tc, n_points=12)
    assert ds["Hc2"].attrs["units"] == "T" and ds["T"].attrs["units"] == "K"
    from isingsc.experiment.results import load, save
    back = load(save(ds, tmp_path / "p.nc"))
    assert back.attrs["Tc_K"] == tc and back.attrs["tricritical_T_over_Tc"] == ds.attrs["tricritical_T_over_Tc"]
    assert np.allclose(back.Hc2, ds.Hc2)


@pytest.mark.parametrize("call, name", [
    (lambda: P.pauli_field(-1.0), "Tc"),
    (lambda: P.pauli_field(3.0, g=0.0), "g"),
    (lambda: P.pauli_field(3.0, variant="sarma"), "variant"),
    (lambda: P.pauli_limited_hc2(5.0, 3.0), "T/Tc"),
    (lambda: P.pauli_limited_hc2(0.0, 3.0), "T/Tc"),
    (lambda: P.pauli_limited_hc2(1.0, 3.0, transition="third"), "transition"),
])
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ParameterError) as exc:
        call()
    assert name in str(exc.value) and "allowed range" in str(exc.value)
