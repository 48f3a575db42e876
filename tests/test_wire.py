"""A half-metal wire on an Ising superconductor: symmetry zeros of the induced pairing, the effective
Kitaev-like model and its Z2 index, the explicit wire-plus-host calculation (Majorana end states).

Independent references: exact symmetry statements (S_z conservation of the Ising host; spin-rotation
invariance of a conventional host; the mirror of a next-nearest-neighbour wire), the closed form
Sigma_12 = -t_c^2 sin(th) e^{-i ph} d_z,line for F = (Psi_s + d_z sigma_z) i sigma_y, Kitaev's phase
boundary |mu| < 2|t|, a brute-force uniform zone mesh in the a1, a2 basis as the twin of the wire's own lattice sums, and the monotonicity theorem E_exact <= E_static.
"""

from __future__ import annotations

import numpy as np
import pytest

from isingsc.core.errors import ParameterError
from isingsc.correlations.wire import BdGChain, HalfMetalWire, z2_index
from isingsc.lattice.triangular import LATTICE
from isingsc.models.catalogue import resolve

Q = np.array([-2.6, -1.1, -0.4, 0.3, 0.9, 2.2])
HOST = {"delta": 0.3}
WIRE = {"t_w": -0.5, "t_c": 1.0}


def _ising():
    return resolve("intrinsic", mu=1.0, beta_so=0.3)


def _polarisation(theta, phi):
    return (np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta))


@pytest.mark.parametrize("energy", [0.0, 0.12, 0.4 + 0.05j])
def test_out_of_plane_polarisation_gives_no_pairing(energy):
    """The Ising host conserves S_z: F has only up-down entries, so the equal-spin amplitude along z vanishes
    identically -- Sigma_12 = 0 for n = z at every q and energy, while the normal part does not."""
    wire = HalfMetalWire(_ising(), (0.0, 0.0, 1.0), **WIRE, **HOST, tol=1e-9)
    sigma = wire.self_energy(Q, energy)
    assert np.max(np.abs(sigma[:, 0, 1])) < 1e-14 and np.max(np.abs(sigma[:, 1, 0])) < 1e-14
    assert np.max(np.abs(sigma[:, 0, 0])) > 1e-2


@pytest.mark.slow
def test_pairing_goes_as_sin_theta_and_is_largest_in_plane():
    """chi^dagger F chi^* = sin(th) e^{-i ph} d_z for F = [[0, Psi + d_z], [-Psi + d_z, 0]] and chi = (cos th/2,
    e^{i ph} sin th/2): Sigma_12(th, ph) = sin th e^{-i ph} Sigma_12(pi/2, 0) exactly; odd in q (p-wave)."""
    ref = HalfMetalWire(_ising(), (1.0, 0.0, 0.0), **WIRE, **HOST, tol=1e-9).self_energy(Q, 0.0)[:, 0, 1]
    assert np.max(np.abs(ref)) > 0.05
    for theta, phi in ((0.4, 0.0), (np.pi / 2, -2.0), (2.8, 1.3)):
        wire = HalfMetalWire(_ising(), _polarisation(theta, phi), **WIRE, **HOST, tol=1e-9)
        np.testing.assert_allclose(wire.self_energy(Q, 0.0)[:, 0, 1], np.sin(theta) * np.exp(-1j * phi) * ref,
                                   atol=1e-8 * np.max(np.abs(ref)))
    minus = HalfMetalWire(_ising(), (1.0, 0.0, 0.0), **WIRE, **HOST, tol=1e-9).self_energy(-Q, 0.0)[:, 0, 1]
    assert np.max(np.abs(minus + ref)) < 1e-8 * np.max(np.abs(ref))


@pytest.mark.parametrize("theta, phi", [(0.6, 2.0)])
def test_conventional_host_gives_no_equal_spin_pairing(theta, phi):
    """Without spin-orbit coupling or field the host is spin-rotation invariant: F(R, E) = Psi_s(R, E) i sigma_y at
    every separation, and chi^dagger (i sigma_y) chi^* = chi_up^* chi_down^* - chi_down^* chi_up^* = 0 for any chi."""
    wire = HalfMetalWire("sc", _polarisation(theta, phi), **WIRE, **HOST, tol=1e-9)
    for energy in (0.0, 0.15):
        sigma = wire.self_energy(Q, energy)
        assert np.max(np.abs(sigma[:, 0, 1])) < 1e-14
    eff = wire.effective(n_q=16)
    assert eff.attrs["gap"] < 1e-9 and eff.attrs["index"] == 0  # no pairing: a metal, no invariant reported


def test_next_nearest_neighbour_wire_has_no_induced_pairing():
    """A wire along a1 + a2 lies in a vertical mirror plane of the Ising host (S(k) odd, sigma_z odd under it),
    which maps each line k . a_w = q onto itself: the line average of d_z vanishes."""
    wire = HalfMetalWire(_ising(), (1.0, 0.0, 0.0), direction=(1, 1), **WIRE, **HOST, tol=1e-9)
    sigma = wire.self_energy(Q, 0.0)
    assert np.max(np.abs(sigma[:, 0, 1])) < 1e-10 * np.max(np.abs(sigma[:, 0, 0]))


def _brute_propagator(model, delta, energy, offsets, n):
    """G0(R, E) = <R|G|0> = (1/N) sum_k e^{-i k.R} (E - H_BdG(k))^-1 on a uniform n x n mesh (the periodic trapezoid
    rule; the package's convention, isingsc.correlations.host)."""
    frac = np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1).reshape(-1, 2) / n
    k = LATTICE.fractional_to_cartesian(frac)
    g = np.linalg.inv(energy * np.eye(4) - model.model.bdg_hamiltonian(k, delta))
    r = np.asarray(offsets, dtype=float) @ LATTICE.primitive
    return np.einsum("mk,kab->mab", np.exp(-1j * r @ k.T), g) / len(k)


@pytest.mark.slow
def test_wire_lattice_sums_match_a_brute_force_mesh():
    """Sigma_N(E) of the wire (its LineGreensFunction: 1D zone integrals, converged by doubling) against t_c^2 tau_z P G0(m a1, E)
    P^dagger tau_z from a plain uniform n x n mesh of the zone in the a1, a2 basis (n = 384 and 512 agree to
    1e-9: the sum is spectrally convergent for in-gap energies): two independent lattice sums, same convention
    G0(R) = (1/N) sum_k e^{-ik.R} G0(k) = <R|G|0> as the package's real-space Hamiltonian (a TightBindingModel's
    T_R = <R2 + R|H|R2>, H(k) = sum_R T_R e^{ik.R})."""
    wire = HalfMetalWire(_ising(), (0.6, 0.8, 0.0), **WIRE, **HOST, tol=1e-9)
    n = 5
    offsets = [[m, 0] for m in range(-(n - 1), n)]
    for energy in (0.0, 0.1):
        sigma = wire.chain_self_energy(n, energy)
        g = [_brute_propagator(_ising(), HOST["delta"], energy, offsets, size) for size in (384, 512)]
        assert np.max(np.abs(g[1] - g[0])) < 1e-9 * np.max(np.abs(g[1]))
        blocks = np.einsum("ai,mij,bj->mab", wire.coupling, g[1], wire.coupling.conj())
        for i in range(n):
            for j in range(n):
                np.testing.assert_allclose(sigma[2 * i:2 * i + 2, 2 * j:2 * j + 2], blocks[i - j + n - 1],
                                           atol=1e-8 * np.max(np.abs(blocks)))


def test_kitaev_chain_index_against_the_phase_boundary():
    """Kitaev's chain is topological for |mu| < 2|t| (Delta != 0): the Pfaffian index of BdGChain.kitaev on random
    draws, and the open chain's lowest energy decays exponentially with N only in that phase."""
    rng = np.random.default_rng(11)
    for _ in range(60):
        mu, t = rng.uniform(-3, 3), rng.uniform(-1.5, 1.5)
        delta = rng.uniform(0.1, 1.0) * np.exp(1j * rng.uniform(0, 2 * np.pi))
        if abs(abs(mu) - 2 * abs(t)) < 1e-3:
            continue
        chain = BdGChain.kitaev(mu, t, delta)
        assert chain.index() == (-1 if abs(mu) < 2 * abs(t) else 1)
        h = chain.hamiltonian(np.array([0.3]))[0]
        np.testing.assert_allclose(np.linalg.eigvalsh(h)[1],
                                   np.hypot(2 * t * np.cos(0.3) - mu, 2 * abs(delta) * np.sin(0.3)), rtol=1e-12)
    top, trivial = BdGChain.kitaev(0.5, 1.0, 0.4), BdGChain.kitaev(2.5, 1.0, 0.4)
    e_top = [np.min(np.abs(np.linalg.eigvalsh(top.finite(n)))) for n in (10, 20, 30)]
    e_triv = [np.min(np.abs(np.linalg.eigvalsh(trivial.finite(n)))) for n in (10, 20, 30)]
    assert e_top[2] < 1e-3 * e_top[0] and min(e_triv) > 0.3
    assert z2_index(top.hamiltonian(0.0), top.hamiltonian(np.pi)) == -1


@pytest.fixture(scope="module")
def topological_wire():
    return HalfMetalWire(_ising(), (1.0, 0.0, 0.0), mu_w=0.0, **WIRE, **HOST, tol=1e-6)


@pytest.mark.slow
def test_effective_model_index_and_kitaev_form(topological_wire):
    """The static H_eff(q) = h_w(q) + Sigma(q, 0): Pfaffian index -1 at mu_w = 0 and +1 at mu_w = 1.0 (the
    renormalised band eps_eff has opposite / equal signs at q = 0 and pi); the induced pairing is odd in q;
    its nearest-neighbour Kitaev chain gives the same phase, consistent with |mu_eff| < 2|t_eff|."""
    eff = topological_wire.effective(n_q=32)
    assert eff.attrs["index"] == -1 and eff.attrs["eps_eff_0"] * eff.attrs["eps_eff_pi"] < 0
    assert eff.attrs["kitaev_index"] == -1 and eff.attrs["kitaev_topological"] == 1
    assert eff.attrs["pairing_odd_residual"] < 1e-9 and eff.attrs["gap"] > 0.05
    assert abs(eff.attrs["delta_eff_im"]) > 0.05
    trivial = HalfMetalWire(_ising(), (1.0, 0.0, 0.0), mu_w=1.0, **WIRE, **HOST, tol=1e-6).effective(n_q=32)
    assert trivial.attrs["index"] == 1 and trivial.attrs["kitaev_index"] == 1
    assert trivial.attrs["kitaev_topological"] == 0
    # the same couplings from both routes: sign and size of the induced pairing
    assert np.sign(trivial.attrs["delta_eff_im"]) == np.sign(eff.attrs["delta_eff_im"])


@pytest.mark.slow
def test_majorana_end_states_of_the_explicit_calculation(topological_wire):
    """Exact Sigma_N(E): in the topological phase one state per wire falls into (0, E) for a small E and its
    energy decays exponentially with N, below the static model's (E_exact <= E_static: dM/dE >= 1), at the same
    decay length; its weight sits at both ends."""
    sizes = [8, 16, 24, 32]
    split = topological_wire.splitting(sizes)
    e, es = split.energy.values, split.energy_static.values
    assert np.all(e <= es * (1 + 1e-9)) and np.all(e > 0)
    assert e[-1] < 0.25 * e[0]
    assert abs(split.attrs["decay_length"] / split.attrs["decay_length_static"] - 1) < 0.05
    z = split.wire_weight.values
    np.testing.assert_allclose(e / es, z, rtol=0.05)  # E_exact ~ Z E_static near zero energy
    b = topological_wire.bound_states(32, 1)
    profile = b.profile.values
    ends = profile[:6].sum() + profile[-6:].sum()
    assert ends > 0.6 and abs(profile[:6].sum() - profile[-6:].sum()) < 0.1
    assert topological_wire.count_states(32, 0.01) == 1


@pytest.mark.slow
def test_trivial_wire_has_no_zero_modes():
    """In the trivial phase no state of a finite wire lies in (0, 0.05] |t| (Sylvester inertia of M(E))."""
    wire = HalfMetalWire(_ising(), (1.0, 0.0, 0.0), mu_w=1.0, **WIRE, **HOST, tol=1e-6)
    for n in (12, 24):
        assert wire.count_states(n, 0.05) == 0


def test_bad_input_names_the_parameter():
    with pytest.raises(ParameterError, match="polarisation"):
        HalfMetalWire(_ising(), (1.0, 1.0, 0.0), **HOST)
    with pytest.raises(ParameterError, match="t_c"):
        HalfMetalWire(_ising(), t_c=-0.1, **HOST)
    with pytest.raises(ParameterError, match="direction"):
        HalfMetalWire(_ising(), direction=(2, 0), **HOST)
    with pytest.raises(ParameterError, match="t_w"):
        HalfMetalWire(_ising(), t_w=0.0, **HOST)
    with pytest.raises(ParameterError, match="window"):
        HalfMetalWire(_ising(), window=1.0, **HOST)
    wire = HalfMetalWire(_ising(), **HOST)
    with pytest.raises(ParameterError, match="n_sites"):
        wire.bound_states(1)
    with pytest.raises(ParameterError, match="energy"):
        wire.self_energy(Q, 0.5)  # outside the host gap, real
    with pytest.raises(ParameterError, match="sizes"):
        wire.splitting([10])
    with pytest.raises(ParameterError, match="model"):
        HalfMetalWire("eq8-static", **HOST)  # k space only: no lattice to put a wire on
