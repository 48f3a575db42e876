"""The host's real-space Green's function G0(R, E) against a brute-force twin and exact statements.

* brute force: the dense real-space BdG Hamiltonian of an L x L torus, built from the model's hoppings
  site by site (no k space), inverted at E: for a host with a large gap (short decay length) it equals
  the infinite-lattice G0 up to the images at distance L, ~ exp(-kappa L);
* two independent quadratures agree: the zone rays of ``local`` and the FFT grid of ``propagators``;
* exact gaps: a spin-conserving Ising layer has E_g = Delta at zero field (each spin sector is a BCS
  problem in xi_k +- beta_k, which crosses zero on its Fermi surface) and E_g = Delta - |V_z| in an
  out-of-plane field (V_z sigma_z shifts the (c_up, c_down^dagger) sector by +V_z rigidly);
* symmetries: Hermitian inside the gap, G0(-R) = G0(R)^dagger, particle-hole G0(R, -E) =
  -tau_x G0(R, E)^* tau_x.
"""

import numpy as np
import pytest

import isingsc
from isingsc.core.errors import ParameterError
from isingsc.correlations.host import HostGreensFunction

TAU_X = np.kron(np.array([[0, 1], [1, 0]]), np.eye(2))


def torus_greens(model, delta, L, energy):
    """<R|(E - H)^-1|0> on an L x L torus from the real-space hoppings (dense inverse)."""
    m = model.model
    d = m.dim
    n_sites = L * L
    h = np.zeros((d * n_sites, d * n_sites), dtype=complex)

    def site(n1, n2):
        return (n1 % L) * L + (n2 % L)

    for (r1, r2), t in m.hoppings.items():
        for n1 in range(L):
            for n2 in range(L):
                a, b = site(n1 + r1, n2 + r2), site(n1, n2)  # T_R connects R2 -> R1 = R2 + R
                h[a * d:(a + 1) * d, b * d:(b + 1) * d] += t
    pair = m.pairing_matrix(delta)
    big = np.zeros((2 * d * n_sites, 2 * d * n_sites), dtype=complex)
    nd = d * n_sites
    big[:nd, :nd] = h
    big[nd:, nd:] = -h.conj()
    for s in range(n_sites):
        big[s * d:(s + 1) * d, nd + s * d:nd + (s + 1) * d] = pair
        big[nd + s * d:nd + (s + 1) * d, s * d:(s + 1) * d] = pair.conj().T
    g = np.linalg.inv(energy * np.eye(len(big)) - big)
    return g, d, nd, site


ISING = {"mu": 1.0, "beta_so": 0.3}


@pytest.mark.parametrize("name, params", [("sc", {}), ("intrinsic", ISING)])
def test_propagators_equal_the_dense_inverse_of_a_large_torus(name, params):
    model = isingsc.model(name, **params)
    delta, energy = 2.5, 0.3  # a large gap: short decay length, torus images ~ e^{-L/xi} ~ 1e-8 at L = 24
    host = HostGreensFunction(model, delta=delta, tol=1e-11)
    L = 24
    g, d, nd, site = torus_greens(model, delta, L, energy)
    offsets = [(0, 0), (1, 0), (0, 1), (-1, 2), (2, -1)]
    got = host.propagators(energy, offsets)
    assert got.achieved < 1e-10
    orb = model.model.pairing_orbitals[0]
    up, dn = model.model.spin_indices(orb)
    idx = np.array([up, dn])
    for (n1, n2), val in zip(offsets, got.values):
        a, b = site(n1, n2), site(0, 0)
        rows = np.concatenate([a * d + idx, nd + a * d + idx])
        cols = np.concatenate([b * d + idx, nd + b * d + idx])
        np.testing.assert_allclose(val, g[np.ix_(rows, cols)], atol=1e-7)


def test_local_quadrature_and_fft_grid_agree():
    host = HostGreensFunction(isingsc.model("intrinsic", **ISING), delta=0.25, tol=1e-10)
    for energy in (0.0, 0.15):
        a = host.local(energy)
        b = host.propagators(energy, [(0, 0)])
        assert a.achieved < 1e-10 and b.achieved < 1e-10
        np.testing.assert_allclose(b.values[0], a.values, atol=1e-9 * np.abs(a.values).max())


def test_gap_is_delta_at_zero_field_and_delta_minus_vz_out_of_plane():
    model = isingsc.model("intrinsic", **ISING)
    assert HostGreensFunction(model, delta=0.1).gap == pytest.approx(0.1, rel=1e-9)
    host = HostGreensFunction(model, delta=0.1, field=(0, 0, 0.03))
    assert host.gap == pytest.approx(0.07, rel=1e-8)


def test_gapless_host_is_refused_with_the_gap_named():
    host = HostGreensFunction("intrinsic", delta=0.05, field=(0, 0, 0.08))
    with pytest.raises(isingsc.ParameterError, match="host gap"):
        host.local(0.0)


def test_energy_outside_the_gap_is_refused():
    host = HostGreensFunction("intrinsic", delta=0.1)
    with pytest.raises(isingsc.ParameterError, match="energy"):
        host.local(0.2)
    with pytest.raises(isingsc.ParameterError, match="energy"):
        host.local(0.05 - 0.01j)


def test_hermitian_inside_the_gap_reciprocal_and_particle_hole_symmetric():
    host = HostGreensFunction(isingsc.model("intrinsic", **ISING), delta=0.3, field=(0.1, 0.0, 0.0), tol=1e-9)
    e = 0.1
    g = host.propagators(e, [(2, 1), (-2, -1), (0, 0)]).values
    gm = host.propagators(-e, [(2, 1)]).values
    np.testing.assert_allclose(g[2], g[2].conj().T, atol=1e-9)
    np.testing.assert_allclose(g[1], g[0].conj().T, atol=1e-9)
    np.testing.assert_allclose(gm[0], -TAU_X @ g[0].conj() @ TAU_X, atol=1e-9)


def test_bad_parameters_name_themselves():
    with pytest.raises(isingsc.ParameterError, match="delta"):
        HostGreensFunction("intrinsic", delta=-0.1)
    with pytest.raises(isingsc.ParameterError, match="orbitals"):
        HostGreensFunction("intrinsic", orbitals=("nope",))
    with pytest.raises(isingsc.ModelCapabilityError):
        HostGreensFunction("tmd")
    with pytest.raises(isingsc.ParameterError, match="offsets"):
        HostGreensFunction("intrinsic", delta=0.1).propagators(0.0, [1, 2, 3])


def test_one_host_value_serves_the_greens_function_and_the_pair_amplitudes():
    """A SuperconductingHost passed to HostGreensFunction and PairingCorrelations is shared (one gap, one set of
    quadratures); its gap is Delta for the isolated layer; a host given with its own delta is a new host."""
    from isingsc.correlations.amplitudes import PairingCorrelations
    from isingsc.correlations.host import SuperconductingHost

    host = SuperconductingHost("sc", 0.2)
    g, f = HostGreensFunction(host), PairingCorrelations(host)
    assert g.host is host and f.host is host
    assert g.gap == f.gap == pytest.approx(0.2, rel=1e-10)
    assert HostGreensFunction(host, delta=0.1).host is not host
    with pytest.raises(ParameterError, match="orbitals"):
        HostGreensFunction(host, orbitals="nosuch")


@pytest.mark.parametrize("name, delta, size", [("ws2", 0.03, 768), ("intrinsic", 0.05, 1024)])
def test_k_pocket_and_ising_hosts_match_the_periodic_lattice(name, delta, size):
    """G0(0, E) of hosts with Ising SOC (K pockets: ws2; a Gamma pocket: the intrinsic layer) from the zone
    quadrature equals the L x L periodic lattice's exact sum (L = 768, 1024: its image error decays like
    exp(-kappa L), far below the tolerance), and the whole-zone rays equal the wedge symmetrised by the spin
    representation of D6.  (The K' disk is not the image of K under k -> -k for a Green's function: a quadrature
    that counted K twice was 12 % off for ws2.)"""
    from isingsc.correlations.host import BlochSum
    from isingsc.lattice.quadrature import QuadratureSpec

    params = {"mu": 1.0, "beta_so": 0.3} if name == "intrinsic" else {}
    host = HostGreensFunction(isingsc.model(name, **params), delta, tol=1e-8)
    energy = 0.4 * host.gap
    ref = host.torus_sum(size)(energy)
    value = host.local(energy).values
    assert np.abs(value - ref).max() <= 1e-6 * np.abs(ref).max()
    assert host.host.spin_representation is not None and len(host.host.spin_representation) == 12
    spec = QuadratureSpec(energy_scale=delta / 4, n_theta=12, order=8)
    mesh = host.host.quadrature(spec, zone="full").mesh()
    whole = BlochSum(host, mesh.k, mesh.weights, "whole zone")(energy)
    np.testing.assert_allclose(host.zone_sum(spec)(energy), whole, rtol=0, atol=1e-12 * np.abs(whole).max())
