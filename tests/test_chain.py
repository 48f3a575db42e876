"""Magnetic (Shiba) chains on an Ising superconductor: isingsc.impurities.chain and its strip twin.

Host: the intrinsic Ising layer at mu = 2.5, beta_SO = 0.3 (hole pockets at K, K' with the spin-valley locked
Ising field 3 sqrt3 beta_SO) with a large pairing Delta = 0.3 |t|, so that decay lengths are a few sites.
Every reference is independent of the T-matrix code: the host's own FFT propagators, an explicit strip of host
lattice diagonalised with NumPy (converged in its width), symmetry algebra derived below, exact statements.
"""

from __future__ import annotations

import numpy as np
import pytest

import isingsc
from isingsc.core.errors import ParameterError
from isingsc.core.field import Field
from isingsc.correlations.host import HostGreensFunction
from isingsc.impurities.chain import GAP_RESOLUTION, MagneticChain, spiral, tilted
from isingsc.impurities.strip import ChainStrip, converged_strip

IN_PLANE = np.pi / 2


@pytest.fixture(scope="module")
def host():
    return HostGreensFunction(isingsc.model("intrinsic", mu=2.5, beta_so=0.3), delta=0.3)


@pytest.fixture(scope="module")
def chain(host):
    """The in-plane chain along a1 (the x axis) with J = 1.5 |t|; other J and moments share its G0_chain."""
    return MagneticChain(host, 1.5, tilted(IN_PLANE))


# ------------------------------------------------------------------ G0 along the chain
@pytest.mark.parametrize("direction, spacing, q, energy", [
    pytest.param((1, 0), 1, 0.7, 0.0, marks=pytest.mark.slow), ((1, 1), 2, 2.3, -0.05)])
def test_chain_green_function_is_the_bloch_sum_of_host_propagators(host, direction, spacing, q, energy):
    """G0_chain(q, E) = sum_j e^{-i q j} G0(j s d, E) (the definition), with G0(R, E) from the host's 2D FFT
    (host.propagators, an independent route) summed over |j| <= 60.  The neglected tail is bounded by the last
    terms times the geometric factor of their decay: |tail| <= 2 |G0(60)| / (1 - ratio), ratio = |G0(60)/G0(59)|."""
    c = MagneticChain(host, 1.0, (1.0, 0.0, 0.0), direction, spacing)
    j = np.arange(-60, 61)
    offsets = np.outer(j * spacing, direction)
    g = host.propagators(energy, offsets).values
    ref = np.einsum("j,jab->ab", np.exp(-1j * q * j), g)
    last = np.abs(g[-1]).max()
    ratio = min(0.999, last / np.abs(g[-2]).max())
    bound = 2 * last / (1 - ratio) + 1e-9
    assert np.abs(c.greens_function(q, energy) - ref).max() < bound
    assert bound < 5e-3 * np.abs(ref).max()  # the check means something


def test_chain_green_function_is_hermitian_and_particle_hole_symmetric(chain):
    """Inside the gap G0 is Hermitian; particle-hole symmetry tau_x G0(q, E)^* tau_x = -G0(-q, -E)."""
    g = chain.greens_function(0.9, 0.12)
    assert np.abs(g - g.conj().T).max() < 1e-12
    px = np.kron(np.array([[0, 1], [1, 0]]), np.eye(2))
    assert np.abs(px @ g.conj() @ px + chain.greens_function(-0.9, -0.12)).max() < 1e-9 * np.abs(g).max()


# ------------------------------------------------------------------ bands and gap against the strip
@pytest.mark.parametrize("J, theta", [pytest.param(1.5, IN_PLANE, marks=pytest.mark.slow), (1.5, np.pi / 4)])
def test_shiba_bands_equal_the_strip_sub_gap_energies(chain, J, theta):
    """The T-matrix roots of det(1 - G0_chain V) equal the sub-gap eigenvalues of the explicit strip (host
    lattice, 128 rows, impurities in the middle; dense NumPy diagonalisation) at the same q, within the strip's
    own finite-width error: that decays exponentially with W (bound states decay exponentially), so the error of
    W = 128 is below the change from W = 64 to 128 -- and below 1e-4 |t| (states up to 0.8 x the host gap)."""
    c = chain.with_(J=J, moments=tilted(theta))
    strip = ChainStrip(c, 128)
    narrower = ChainStrip(c, 64)
    window = 0.8 * c.host.gap
    compared = 0
    for q in (0.0, 0.3, 0.7, 2.0, 2.8, np.pi):
        bands = c.bands([q]).energy.values[0]
        bands = bands[np.isfinite(bands) & (np.abs(bands) < window)]
        ref = strip.subgap(q, window)
        assert len(bands) == len(ref) == len(narrower.subgap(q, window)), (q, bands, ref)
        compared += len(ref)
        if len(ref):
            error = np.abs(np.sort(bands) - ref).max()
            width_change = np.abs(narrower.subgap(q, window) - ref).max()
            assert error <= width_change + 1e-7 and error < 1e-4, (q, error, width_change)
    assert compared >= 4


@pytest.mark.slow
def test_gap_and_invariant_equal_the_converged_strip_on_both_sides_of_transitions(chain):
    """Gap and invariant from the topological Hamiltonian equal those of the strip, increased in width until its
    gap changes by < 1e-6 |t| and its invariant is stable: BDI at J = 1.5 (W = 1) and 2.5 (W = 0) -- a gap closing
    at q = pi lies between --, class D at theta = 45 deg, J = 1.5 (nu = 1) and 0.5 (nu = 0).  Also (-1)^W equals
    the Pfaffian sign (class BDI is a subclass of D)."""
    for J, theta, expected in [(1.5, IN_PLANE, 1), (2.5, IN_PLANE, 0), (1.5, np.pi / 4, 1), (0.5, np.pi / 4, 0)]:
        c = chain.with_(J=J, moments=tilted(theta))
        inv = c.invariant()
        strip = converged_strip(c, start=24, step=8, tol=1e-6)
        assert int(inv.invariant) == expected
        assert int(strip.invariant.values[-1]) == expected
        assert strip.attrs["symmetry_class"] == inv.attrs["symmetry_class"]
        assert abs(float(strip.gap.values[-1]) - float(inv.gap)) < 1e-5
        assert int(inv.pfaffian_sign) == (-1) ** int(inv.invariant)


# ------------------------------------------------------------------ symmetry class
def test_in_plane_moments_on_the_ising_host_are_class_bdi_with_the_papers_chiral_operator(chain, host):
    """With in-plane moments the Ising host keeps C = sigma_x tau_y: in Nambu form (hole block -h^*) the terms
    are xi tau_z, beta S sigma_z tau_0 (Ising SOC, odd in k), Delta sigma_y tau_y, J m_x sigma_x tau_z and
    J m_y sigma_y tau_0 (sigma_y^* = -sigma_y); sigma_x tau_y anticommutes with each.  The operator found by the
    null-space search must be +-C on every impurity (and nothing else, since C is unique up to sign here)."""
    c_op = np.kron(np.array([[0, -1j], [1j, 0]]), np.array([[0, 1], [1, 0]]))  # tau_y (x) sigma_x
    for moments in (tilted(IN_PLANE, 0.0), tilted(IN_PLANE, 0.7), spiral(1, 3)):
        c = chain.with_(moments=moments) if len(moments) == 1 else MagneticChain(host, 1.5, moments)
        ds = c.symmetry_class()
        assert ds.attrs["symmetry_class"] == "BDI"
        s = ds.chiral_real.values + 1j * ds.chiral_imag.values
        for a in range(c.cell):
            block = s[4 * a:4 * a + 4, 4 * a:4 * a + 4]
            assert min(np.abs(block - c_op).max(), np.abs(block + c_op).max()) < 1e-6


def test_in_plane_field_along_the_moments_keeps_bdi_and_tilted_moments_give_class_d(host, chain):
    """A Zeeman field along the in-plane moments adds V sigma_x tau_z, which anticommutes with C (BDI); a
    moment with an out-of-plane component adds J m_z sigma_z tau_z, which commutes with C: class D."""
    field_host = HostGreensFunction(host.resolved, 0.3, Field.in_plane(0.05, 0.0))
    assert MagneticChain(field_host, 1.5, tilted(IN_PLANE)).symmetry_class().attrs["symmetry_class"] == "BDI"
    assert chain.with_(moments=tilted(np.pi / 4)).symmetry_class().attrs["symmetry_class"] == "D"


def test_out_of_plane_moments_on_the_pure_ising_host_are_trivial_or_gapless(chain):
    """Moments along z on a host that conserves sigma_z (Ising SOC only, no in-plane field): H splits into the
    blocks (c_up, c^dagger_down) and (c_down, c^dagger_up), exchanged by particle-hole symmetry.  In the
    Majorana basis Pf A(q) = +-det h_up(q) at q = 0, pi, with h_up(q) Hermitian and continuous in q; on a gapped
    chain det h_up never vanishes, so it has one sign on [0, pi] and nu = 0.  A band crossing E = 0 (allowed,
    nothing pins it) makes the chain gapless instead.  So: never a non-trivial invariant."""
    seen = {"trivial": 0, "gapless": 0}
    for J in (0.5, 1.0, 2.0, 3.5, 4.5):
        c = chain.with_(J=J, moments=tilted(0.0))
        p = c.phase_point()
        if p["invariant"] is None:
            assert p["gap"] < GAP_RESOLUTION
            seen["gapless"] += 1
        else:
            assert p["invariant"] == 0
            seen["trivial"] += 1
    assert seen["trivial"] and seen["gapless"]  # both cases occur in this scan


# ------------------------------------------------------------------ refusal at a gap closing
def test_invariant_refused_at_the_gap_closing(chain):
    """Between J = 1 (W = 0) and J = 1.5 (W = 1) the gap closes at q = pi.  There det(1 - G0_chain(pi, 0) J M) = 0
    with V = J M (M = diag(m.sigma, -(m.sigma)^*)), i.e. 1/J is a real eigenvalue of G0_chain(pi, 0) M: J_c in
    closed form.  At J_c the chain is gapless and the invariant must be refused, not returned."""
    m = np.array([[0, 1], [1, 0]], dtype=complex)  # m = x: m.sigma = sigma_x, -(sigma_x)^* = -sigma_x
    big_m = np.zeros((4, 4), dtype=complex)
    big_m[:2, :2], big_m[2:, 2:] = m, -m
    lam = np.linalg.eigvals(chain.greens_function(np.pi, 0.0) @ big_m)
    candidates = [1 / x.real for x in lam if abs(x.imag) < 1e-9 and 1.0 < 1 / x.real < 1.5]
    assert candidates
    critical = chain.with_(J=candidates[0])
    assert float(critical.gap().gap) < GAP_RESOLUTION
    with pytest.raises(ParameterError, match="chain gap"):
        critical.invariant()
    assert critical.phase_point()["invariant"] is None


# ------------------------------------------------------------------ finite chains
@pytest.mark.slow
def test_end_states_are_at_zero_energy_exactly_where_the_invariant_is_non_trivial(chain):
    """Finite chains of N impurities in the infinite host (T-matrix): in the topological phase (W = 1) the lowest
    state splits like exp(-N / xi) (the ratio E(N + 8) / E(N) is small and the log-slope is negative) and its
    weight sits at both ends; in the trivial phase (W = 0) no state comes near zero (all above 0.25 x the chain
    gap)."""
    topo = chain.with_(J=1.5)
    energies = [float(topo.end_states(n, 2, window=0.6).energy.values[0]) for n in (8, 16, 24)]
    assert energies[1] < 0.2 * energies[0] and energies[2] < 0.2 * energies[1]
    ds = topo.end_states(24, 1, window=0.6)
    w = ds.weight.values[0]
    assert w[0] + w[-1] > 10 * w[10:14].sum() / 4
    trivial = chain.with_(J=2.5)
    gap = float(trivial.gap().gap)
    for n in (8, 16):
        assert float(trivial.end_states(n, 1, window=0.6).energy.values[0]) > 0.25 * gap


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kwargs, name", [
    ({"J": 0.0}, "J"), ({"J": -1.0}, "J"), ({"J": 1e3}, "J"), ({"J": float("nan")}, "J"),
    ({"spacing": 0}, "spacing"), ({"spacing": 21}, "spacing"), ({"spacing": 1.5}, "spacing"),
    ({"moments": (1.0, 1.0, 0.0)}, "moments"), ({"moments": (0.0, 0.0, 0.0)}, "moments"),
    ({"moments": [[1, 0, 0]] * 13}, "moments"), ({"direction": (0, 0)}, "direction"),
    ({"direction": (2, 2)}, "direction"), ({"direction": (1.5, 0)}, "direction"), ({"U": float("inf")}, "U"),
])
def test_bad_input_names_the_parameter_before_any_work(kwargs, name):
    """Checked in the constructor, before the host's gap (the first computation) is evaluated."""
    host = HostGreensFunction("intrinsic", 0.3)
    args = {"J": 1.0, "moments": (1.0, 0.0, 0.0), "direction": (1, 0), "spacing": 1, "U": 0.0}
    args.update(kwargs)
    with pytest.raises(ParameterError) as err:
        MagneticChain(host, **args)
    assert err.value.name == name
    assert "gap" not in vars(host)  # nothing computed


def test_finite_chain_needs_two_sites(chain):
    with pytest.raises(ParameterError) as err:
        chain.end_states(1)
    assert err.value.name == "n_sites"
