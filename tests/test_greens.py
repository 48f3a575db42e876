"""Green's functions and DOS: symmetries, sum rules and the BCS limit."""

import numpy as np
import pytest

from isingsc.core.errors import ParameterError
from isingsc.normal.greens import (density_of_states, dos_dataset, greens_function, spectral_function,
                            spectral_map)
from isingsc.lattice.triangular import reduced_mesh
from isingsc.models.paper import PAPER, heterostructure_model, sc_model


@pytest.fixture(scope="module")
def normal_map():
    return spectral_map(heterostructure_model(PAPER), n_grid=61, eta=0.05)


def test_spectral_function_is_minus_im_g_over_pi():
    """Eigen-decomposition route equals direct inversion of (omega + i eta - H)."""
    model = heterostructure_model(PAPER)
    k = np.array([[0.4, 1.2], [2.0, -0.3]])
    omega, eta = np.array([-0.3, 0.0, 0.11]), 0.02
    a = spectral_function(model, k, omega, eta, delta=0.05, field=0.03)
    for j, w in enumerate(omega):
        g = greens_function(model, k, w + 1j * eta, 0.05, 0.03)
        direct = -np.imag(np.diagonal(g, axis1=-2, axis2=-1)[..., :2]) / np.pi
        assert np.allclose(a[:, j, :], direct, atol=1e-12)


def test_rho3_odd_in_k_and_zero_on_gamma_m(normal_map):
    rho3 = normal_map.rho_3.values
    kx, ky = normal_map.kx.values, normal_map.ky.values
    assert np.allclose(kx, -kx[::-1]) and np.allclose(ky, -ky[::-1])  # grid symmetric about 0
    assert np.allclose(rho3[::-1, ::-1], -rho3, atol=1e-12)
    # the ky axis (kx = 0) is a Γ-M line
    mid = len(kx) // 2
    assert kx[mid] == pytest.approx(0.0, abs=1e-12)
    assert np.allclose(rho3[mid, :], 0.0, atol=1e-12)
    # ... and rho_3 is not trivially zero elsewhere (induced Ising SOC)
    assert np.abs(rho3).max() > 0.1 * normal_map.rho_0.values.max()


def test_rho3_zero_on_all_gamma_m_lines():
    model = heterostructure_model(PAPER)
    t = np.linspace(-3, 3, 41)
    for angle in np.pi / 6 + np.arange(3) * np.pi / 3:
        k = t[:, None] * np.array([np.cos(angle), np.sin(angle)])
        a = spectral_function(model, k, [0.0, 0.2], 0.05)
        assert np.allclose(a[..., 0], a[..., 1], atol=1e-12)


def test_rho3_vanishes_without_coupling():
    m = spectral_map(heterostructure_model(PAPER.with_(gamma=0.0)), n_grid=21, eta=0.05)
    assert np.abs(m.rho_3.values).max() < 1e-12


def test_spectral_sum_rule_per_spin_per_k():
    """integral A_sigma(k, omega) d omega = 1 up to the Lorentzian tail outside the window (from inversion)."""
    model = heterostructure_model(PAPER)
    eta, W = 0.05, 40.0
    omega = np.linspace(-W, W, 400001)
    for k in ([0.3, 0.9], [4 * np.pi / 3, 0.0]):
        h = model.bdg_hamiltonian(np.array(k), 0.1, 0.05)
        e_max = np.abs(np.linalg.eigvalsh(h)).max()
        a = spectral_function(model, np.array(k), omega, eta, delta=0.1, field=0.05)
        total = np.trapezoid(a, omega, axis=0)
        tail_bound = 2 * eta / (np.pi * (W - e_max))  # integral of the Lorentzian beyond |omega| > W
        assert np.all(np.abs(total - 1.0) < tail_bound + 1e-6)
        assert np.all(total < 1.0)


def test_bcs_gap_edges_in_the_dos_of_the_isolated_sc():
    """Isolated SC, Vx = 0: coherence peaks at +-Delta, no states inside the gap, and the
    spectral weight removed from the gap reappears above it (states are conserved:
    integral of N_s equals that of N_n over a window much wider than Delta).
    """
    delta, eta = 0.2, 0.01
    model = sc_model(PAPER)
    mesh = reduced_mesh(300, "C3v")
    omega = np.linspace(-1.5, 1.5, 1501)
    n_s = density_of_states(model, mesh, omega, eta, delta=delta).sum(-1)
    n_n = density_of_states(model, mesh, omega, eta).sum(-1)
    positive = omega >= 0
    peak = omega[positive][np.argmax(n_s[positive])]
    assert abs(peak - delta) < 0.02 * delta + eta
    peak_neg = omega[~positive][np.argmax(n_s[~positive])]
    assert abs(peak_neg + delta) < 0.02 * delta + eta
    inside = np.abs(omega) < 0.5 * delta
    n0 = n_n[np.argmin(np.abs(omega))]
    assert np.all(n_s[inside] < 0.1 * n0)
    # the broadened BCS form N0 Re[z/sqrt(z^2 - Delta^2)] gives the same in-gap weight scale
    z = 1j * eta
    assert n_s[np.argmin(np.abs(omega))] == pytest.approx(n0 * np.real(z / np.sqrt(z * z - delta**2)), rel=0.3)
    # a k state with |xi_k| <= W has both Nambu partners (weights u^2 + v^2 = 1) at |E| <= sqrt(W^2 + Delta^2)
    W = 1.0  # 5 Delta
    win_n, win_s = np.abs(omega) <= W, np.abs(omega) <= np.sqrt(W**2 + delta**2)
    assert np.trapezoid(n_s[win_s], omega[win_s]) == pytest.approx(np.trapezoid(n_n[win_n], omega[win_n]), rel=0.005)


def test_dos_normalisation_and_zeeman_splitting():
    """Per spin, the DOS integrates to 1; a field shifts spin-up/down DOS by -+Vx (normal state)."""
    model = sc_model(PAPER)
    omega = np.linspace(-8.0, 8.0, 8001)
    ds = dos_dataset(model, omega, eta=0.05, n_k=60)
    assert np.trapezoid(ds.dos_up.values, omega) == pytest.approx(1.0, abs=0.01)
    vx = 0.3
    up = dos_dataset(model, omega, eta=0.05, n_k=60, field=(0.0, 0.0, vx))  # field along z: spin is a good quantum number
    shift = np.interp(omega, omega + vx, ds.dos_up.values)  # N0(omega - Vx)
    assert np.allclose(up.dos_up.values[200:-200], shift[200:-200], atol=1e-6)


def test_bad_broadening():
    with pytest.raises(ParameterError, match="eta"):
        spectral_map(heterostructure_model(), n_grid=11, eta=0.0)
    with pytest.raises(ParameterError, match="eta"):
        dos_dataset(sc_model(), [0.0], eta=-1.0, n_k=10)
