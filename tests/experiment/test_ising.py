"""Clean Ising Hc2 and the Matsubara kernel with scattering: limits that test one formula by another."""

import math

import numpy as np
import pytest
from scipy.special import digamma

from isingsc.core.errors import ParameterError
from isingsc.experiment import ising as I
from isingsc.experiment import pauli as P
from isingsc.experiment import whh as W

DELTA0 = math.pi * math.exp(-np.euler_gamma)
PSI_HALF = -np.euler_gamma - 2 * math.log(2)  # DLMF 5.4.13
T_GRID = np.array([1e-3, 0.05, 0.2, 0.45, 0.7, 0.9, 0.99])


def test_clean_ising_reduces_to_pauli_second_order_line():
    # beta -> 0: the clean Ising equation becomes the Pauli second-order line, solved by a different
    # route (inverse of Re psi(1/2 + i x) in x = h/2piT) in isingsc.experiment.pauli
    h_pauli = P.second_order_field_reduced(T_GRID)
    for beta in (0.0, 1e-7):
        assert np.allclose(I.clean_ising_field_reduced(T_GRID, beta), h_pauli, rtol=1e-9, atol=0)
    # and the deviation grows smoothly (as beta^2) from there
    d1 = I.clean_ising_field_reduced(0.3, 1e-2) - P.second_order_field_reduced(0.3)
    d2 = I.clean_ising_field_reduced(0.3, 2e-2) - P.second_order_field_reduced(0.3)
    assert d1 > 0 and d2 / d1 == pytest.approx(4.0, rel=1e-3)


def test_clean_ising_near_tc():
    # first order in (1 - t): h^2 = beta^2 (1 - t) / [Re psi(1/2 + i beta/2pi) - psi(1/2)]  (h << beta),
    # and for beta >> 1 the bracket is ln(2 e^gamma beta / pi) + O((2 pi / beta)^2) (FORMULAS.md)
    beta, eps = 200.0, 1e-8
    h = I.clean_ising_field_reduced(1 - eps, beta)
    bracket = digamma(0.5 + 1j * beta / (2 * math.pi)).real - PSI_HALF
    assert h**2 == pytest.approx(beta**2 * (-math.log(1 - eps)) / bracket, rel=1e-6)
    assert h**2 == pytest.approx(beta**2 * eps / math.log(2 * math.exp(np.euler_gamma) * beta / math.pi), rel=1e-4)


@pytest.mark.parametrize("t", [1e-6, 1e-30, 1e-200])
def test_clean_ising_low_temperature_asymptote(t):
    # large x = rho/2piT: Re psi(1/2 + i x) = ln x + O(1/x^2)  =>  h^2 ln(2 rho / Delta0) = beta^2 ln(1/t):
    # Hc2 diverges logarithmically; no overflow down to t = 1e-200
    beta = 5.0
    h = I.clean_ising_field_reduced(t, beta)
    rho = math.hypot(beta, h)
    assert h**2 * math.log(2 * rho / DELTA0) == pytest.approx(beta**2 * math.log(1 / t), rel=1e-9)
    assert h > I.clean_ising_field_reduced(1e-3, beta)


def test_clean_ising_monotone_in_beta_and_t():
    h = I.clean_ising_field_reduced(np.full(5, 0.3), np.array([0.0, 1.0, 3.0, 10.0, 30.0]))
    assert np.all(np.diff(h) > 0)
    h = I.clean_ising_field_reduced(T_GRID, 10.0)
    assert np.all(np.diff(h) < 0)


KERNEL_CASES = [(3.0, 0.4, 10.0, 0.0, 0.0), (3.0, 0.4, 10.0, 0.5, 0.2), (2.0, 0.3, 0.0, 1.0, 0.0),
                (0.5, 0.7, 0.0, 1.0, 0.0), (5.0, 0.2, 4.0, 0.0, 8.0), (1.0, 0.5, 0.5, 1.0, 0.0)]


@pytest.mark.parametrize("h, t, beta, gs, giv", KERNEL_CASES)
def test_kernel_closed_form_equals_direct_matsubara_sum(h, t, beta, gs, giv):
    # the digamma closed form (roots of a cubic) against the brute-force sum of the defining series;
    # the sum is cut at w_N = 2000 max scale with the tail h^2/w^3 added (error ~ 1e-10)
    closed = I.pair_kernel_reduced(h, t, beta, gs, giv)
    brute = I.pair_kernel_sum_reduced(h, t, beta, gs, giv)
    assert closed == pytest.approx(brute, abs=1e-9)


def test_kernel_at_double_root():
    # beta = 0, Gamma_iv = 0: P = (w + G)(w^2 + G w + h^2) has a double root at h = G/2
    g = 2.0
    val = I.pair_kernel_reduced(g / 2, 0.4, 0.0, g, 0.0)
    assert val == pytest.approx(I.pair_kernel_sum_reduced(g / 2, 0.4, 0.0, g, 0.0), abs=1e-8)


def test_kernel_without_scattering_is_clean_formula():
    h, t, beta = np.array([0.5, 2.0, 8.0]), np.array([0.2, 0.5, 0.8]), np.array([3.0, 10.0, 0.0])
    assert np.allclose(I.pair_kernel_reduced(h, t, beta), I.clean_ising_equation(h, t, beta), rtol=0, atol=1e-12)
    # and the field solved from the kernel approaches the clean one as the rates -> 0
    t = np.array([0.1, 0.4, 0.8])
    clean = I.clean_ising_field_reduced(t, 20.0)
    for rate, tol in ((1e-4, 1e-3), (1e-7, 1e-6)):
        sc = I.scattering_field_reduced(t, 20.0, rate, rate)
        assert np.all(sc < clean) and np.allclose(sc, clean, rtol=tol)


def _whh_spin_only_brute(t, alpha_hbar_over_t, lambda_so_over_t, n=400_000):
    """WHH Eq. (40) with the orbital term removed (hbar -> 0 in A and C, alpha hbar fixed), summed over nu in Z."""
    x = np.abs(2 * np.arange(-n, n) + 1.0)
    terms = 1 / x - 1 / (x + alpha_hbar_over_t**2 / (x + lambda_so_over_t))
    tail = 2 * alpha_hbar_over_t**2 / (2 * (2 * n) ** 2)  # sum_{x > 2n} B^2/x^3 over both signs
    return float(np.sum(terms)) + tail - math.log(1 / t)


def test_kernel_beta_zero_is_spin_only_whh():
    # mapping: x = w/(pi T), (alpha hbar / t)^2 = h^2/(pi t)^2, lambda_so/t = Gamma_s/(pi t)
    for h, t, gs in ((1.0, 0.5, 0.7), (2.5, 0.2, 3.0), (0.3, 0.9, 0.0)):
        whh = _whh_spin_only_brute(t, h / (math.pi * t), gs / (math.pi * t))
        assert I.pair_kernel_reduced(h, t, 0.0, gs, 0.0) == pytest.approx(whh, abs=1e-8)


def test_whh_orbital_limit_is_0693():
    # WHH: Hc2(0) = 0.693 Tc |dHc2/dT|; analytically (pi^2/4) hbar(0) with psi(1/2 + hbar/2t) ~ ln(hbar/2t):
    # hbar(0) = 2 e^psi(1/2) = e^-gamma / 2
    assert W.whh_hbar(1e-9) == pytest.approx(math.exp(-np.euler_gamma) / 2, rel=1e-8)
    assert W.whh_hc2(1e-9, 1.0, 1.0) == pytest.approx(math.pi**2 / 8 * math.exp(-np.euler_gamma), rel=1e-8)
    assert round(W.whh_hc2(1e-9, 1.0, 1.0), 3) == 0.693


def test_whh_closed_form_matches_brute_force():
    # WHH Eq. (40) summed directly over nu (orbital + Pauli + spin-orbit) at a trial field
    for hbar, t, alpha, lam in ((0.1, 0.5, 1.0, 0.5), (0.2, 0.3, 0.0, 0.0), (0.05, 0.8, 3.0, 2.0)):
        n = 400_000
        x = np.abs(2 * np.arange(-n, n) + 1.0)
        a, b, c = hbar / t, alpha * hbar / t, (hbar + lam) / t
        s = np.sum(1 / x - 1 / (x + a + b * b / (x + c)))
        s += 2 * a / (2 * n)  # tail of (A + B^2/x)/x^2 ~ A/x^2: sum over x > 2n of both signs
        assert W.whh_equation(hbar, t, alpha, lam) == pytest.approx(s - math.log(1 / t), abs=1e-6)


def test_klb_limit():
    # beta = 0 and Gamma_s >> h, T: 1/(w + h^2/(w + G)) -> 1/(w + h^2/G), Klemm-Luther-Beasley;
    # the neglected term is O(w / G): the discrepancy must fall as G grows
    t = np.array([0.1, 0.5, 0.9])
    errs = []
    for gs in (1e4, 1e6):
        errs.append(np.max(np.abs(I.scattering_field_reduced(t, 0.0, gs) / I.klb_field_reduced(t, gs) - 1)))
    assert errs[1] < errs[0] / 30 and errs[1] < 1e-5
    # T -> 0: B/B_P = sqrt(hbar/(3 Delta0 tau_so)) = sqrt(Gamma_s / Delta0)   (FORMULAS.md limit 3)
    gs = 50.0
    assert I.klb_field_reduced(1e-9, gs) / (DELTA0 / math.sqrt(2)) == pytest.approx(math.sqrt(gs / DELTA0), rel=1e-8)


def test_strong_soc_abrikosov_gorkov_limit():
    # beta >> w, Gamma: pair breaker Gamma_pb = h^2 (G_s + G_iv)/beta^2.  Neglected terms are of order
    # (h/beta)^2 ln(beta/2 pi T): the discrepancy must shrink as (beta, Gamma) grow with h/beta -> 0
    t = np.array([0.1, 0.5, 0.9])
    errs = []
    for beta, gs, giv in ((1e6, 600.0, 400.0), (1e7, 6e3, 4e3)):
        errs.append(np.max(np.abs(I.scattering_field_reduced(t, beta, gs, giv) /
                                  I.strong_soc_field_reduced(t, beta, gs, giv) - 1)))
        h = I.strong_soc_field_reduced(t, beta, gs, giv)
        assert errs[-1] < np.max(10 * (h / beta) ** 2 * np.log(beta / (2 * np.pi * t)))
    assert errs[1] < errs[0] / 5
    # only the sum G_s + G_iv matters in this limit
    a = I.scattering_field_reduced(t, 1e7, 1e4, 0.0)
    b = I.scattering_field_reduced(t, 1e7, 3e3, 7e3)
    assert np.allclose(a, b, rtol=1e-5)


def test_scattering_finite_at_zero_temperature_clean_diverges():
    assert I.scattering_field_reduced(1e-12, 10.0, 0.5) == pytest.approx(I.scattering_field_reduced(1e-9, 10.0, 0.5), rel=1e-6)
    assert I.clean_ising_field_reduced(1e-12, 10.0) > 1.5 * I.clean_ising_field_reduced(1e-3, 10.0)


def test_lab_units_and_conventions(tmp_path):
    tc = 3.0
    T = np.array([0.5, 1.5, 2.9])
    half = I.ising_hc2(T, tc, 2.0)
    assert np.allclose(I.ising_hc2(T, tc, 4.0, convention="full"), half, rtol=1e-14)
    assert I.beta_from_splitting(4.0) == 2.0 and I.splitting_from_beta(2.0) == 4.0
    # beta = 0 is the Pauli second-order line in tesla
    assert np.allclose(I.ising_hc2(T, tc, 0.0), P.pauli_limited_hc2(T, tc, transition="second-order"), rtol=1e-9)
    # scattering-free kernel in lab units = clean formula
    assert np.allclose(I.ising_scattering_hc2(T, tc, 2.0), half, rtol=1e-10)
    assert I.ising_hc2(tc, tc, 2.0) == 0.0
    # tau conversions: hbar/(3 tau) in meV, hbar = 6.582119569e-13 meV s (CODATA)
    assert I.gamma_so_from_tau_so(1e-12) == pytest.approx(6.582119569e-13 / 3e-12, rel=1e-9)
    assert I.tau_so_from_gamma_so(I.gamma_so_from_tau_so(2e-13)) == pytest.approx(2e-13, rel=1e-14)
    ds = I.ising_hc2_curve(tc, 2.0, 0.1, n_points=10)
    from isingsc.experiment.results import load, save
    back = load(save(ds, tmp_path / "i.nc"))
    assert back.attrs["beta_so_meV"] == 2.0 and back.attrs["soc_splitting_meV"] == 4.0
    assert np.allclose(back.Hc2, ds.Hc2) and back.Hc2.attrs["units"] == "T"


@pytest.mark.parametrize("call, name", [
    (lambda: I.ising_hc2(0.0, 3.0, 1.0), "T"),
    (lambda: I.ising_hc2(3.5, 3.0, 1.0), "T"),
    (lambda: I.ising_hc2(1.0, 3.0, -1.0), "beta_so"),
    (lambda: I.ising_hc2(1.0, 3.0, 1.0, convention="quarter"), "convention"),
    (lambda: I.ising_scattering_hc2(1.0, 3.0, 1.0, -0.1), "gamma_so"),
    (lambda: I.ising_hc2(1.0, float("nan"), 1.0), "Tc"),
    (lambda: I.klb_hc2(1.0, 3.0, 0.0), "gamma_so"),
])
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ParameterError) as exc:
        call()
    assert name in str(exc.value) and "allowed range" in str(exc.value)
