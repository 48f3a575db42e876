"""A magnetic impurity in a superconducting host (Yu-Shiba-Rusinov states) by the T-matrix.

Every check is against something derived independently of the code under test:

* the wide-band (Shiba) closed form E(J, U, g, nu0), with nu0 and g computed here by a polar
  Brillouin-zone integral of the bare band (no package code), approached linearly in Delta;
* exact diagonalisation of the finite periodic lattice with the impurity (scipy.sparse eigsh,
  shift-invert at 0; dense eigh for the LDOS), built here from the Bloch Hamiltonian by an FFT;
* exact symmetry statements proved in the docstrings (moment-direction independence at zero field,
  the exact Zeeman shift for a moment and a field both along z, spin-rotation invariance without SOC).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import brentq
from scipy.sparse.linalg import eigsh

import isingsc
from isingsc.core.errors import ParameterError
from isingsc.correlations.host import HostGreensFunction
from isingsc.impurities.single import (MagneticImpurity, bound_states_versus_exchange,
                                       bound_states_versus_field_direction, moment_direction)

SQ3 = np.sqrt(3.0)
NN = np.array([[1.0, 0.0], [-0.5, SQ3 / 2], [-0.5, -SQ3 / 2]])


# ------------------------------------------------------------------ independent references
def _band(k, t=-1.0, mu=0.0):
    """xi(k) = 2 t sum_i cos(k.R_i) - mu of the isolated layer (paper Eq. 3), written out here."""
    return 2 * t * np.cos(np.asarray(k) @ NN.T).sum(-1) - mu


def _nu0_and_g(t=-1.0, mu=0.0, n_theta=48, n_k=60):
    """nu0 (normal DOS per spin per site at E = 0) and g = Re G^R_normal(R=0, 0) = -P (1/N) sum_k 1/xi_k.

    Polar coordinates around Gamma (the Fermi line is star-shaped around it): with the cell area
    A = sqrt3/2, nu0 = A/(2 pi)^2 int dtheta k_F / |d xi/dk_r|, and
    g = -A/(2 pi)^2 int dtheta P int_0^{k_max(theta)} k dk / xi, the principal value taken by
    subtracting c/(k - k_F), c = k_F / xi'(k_F) (whose P.V. integral is c ln((k_max - k_F)/k_F));
    k_max(theta) is the hexagonal zone boundary, smooth between corners (Gauss panels of 60 degrees).
    """
    x, w = np.polynomial.legendre.leggauss(n_theta)
    xk, wk = np.polynomial.legendre.leggauss(n_k)
    nu = g = 0.0
    for p in range(6):
        for th, wt in zip(np.pi / 3 * (p + (x + 1) / 2), w * np.pi / 6):
            d = np.array([np.cos(th), np.sin(th)])
            kmax = (2 * np.pi / SQ3) / np.cos(th % (np.pi / 3) - np.pi / 6)

            def f(r, d=d):
                return _band(np.asarray(r)[..., None] * d, t, mu)

            kf = brentq(f, 1e-9, kmax, xtol=1e-15)
            dxi = (f(kf + 1e-5) - f(kf - 1e-5)) / 2e-5
            nu += wt * kf / abs(dxi)
            c = kf / dxi
            total = c * np.log((kmax - kf) / kf)
            for lo, hi in ((0.0, kf), (kf, kmax)):
                r = lo + (hi - lo) * (xk + 1) / 2
                total += np.sum(wk * (hi - lo) / 2 * (r / f(r) - c / (r - kf)))
            g += wt * total
    area = SQ3 / 2 / (2 * np.pi) ** 2
    return nu * area, -g * area


def _shiba(J, U, delta, nu0, g):
    """Wide-band bound-state energy |E| (derived in test_continuum_and_lattice_shiba_limits)."""
    q = (1 - g * U) ** 2 - g**2 * J**2 + np.pi**2 * nu0**2 * (U**2 - J**2)
    return delta * abs(q) / np.sqrt(q**2 + 4 * np.pi**2 * nu0**2 * J**2)


def _torus_hamiltonian(model, delta, field, L, orbital_indices, V):
    """Sparse BdG Hamiltonian of the L x L periodic lattice with V on the site 0.

    <R1|H|R2> = B(R1 - R2), B(d) = (1/N) sum_k e^{ik.d} H_BdG(k) on the L x L grid k = (i b1 + j b2)/L
    (numpy's ifft2: exact for the torus); site index n1 L + n2, Nambu index inside the site."""
    frac = np.stack(np.meshgrid(np.arange(L), np.arange(L), indexing="ij"), -1).reshape(-1, 2) / L
    k = frac @ (2 * np.pi * np.linalg.inv(np.array([[1.0, 0.0], [0.5, SQ3 / 2]])).T)
    hk = model.bdg_hamiltonian(k, delta, field).reshape(L, L, model.nambu_dim, model.nambu_dim)
    blocks = np.fft.ifft2(hk, axes=(0, 1))
    nd = model.nambu_dim
    n1, n2 = np.meshgrid(np.arange(L), np.arange(L), indexing="ij")
    src = (n1 * L + n2).ravel()
    mat = sp.csr_matrix((L * L * nd, L * L * nd), dtype=complex)
    for d1 in range(L):
        for d2 in range(L):
            b = blocks[d1, d2]
            if np.max(np.abs(b)) < 1e-13:
                continue
            dst = (((n1 + d1) % L) * L + (n2 + d2) % L).ravel()
            shift = sp.csr_matrix((np.ones(L * L), (dst, src)), shape=(L * L, L * L))
            mat = mat + sp.kron(shift, sp.csr_matrix(b))
    imp = np.zeros((nd, nd), dtype=complex)
    imp[np.ix_(orbital_indices, orbital_indices)] = V
    e00 = sp.csr_matrix(([1.0], ([0], [0])), shape=(L * L, L * L))
    return (mat + sp.kron(e00, sp.csr_matrix(imp))).tocsc()


def _in_gap_eigenvalues(h, gap, n=2):
    """The n eigenvalues of the sparse Hermitian h closest to 0 (shift-invert at 0), those inside the gap.
    (Asking for more than the bound states makes ARPACK fight the degenerate continuum edge of a torus.)"""
    w = eigsh(h, k=n, sigma=0.0, which="LM", ncv=32, return_eigenvectors=False)
    return np.sort(w[np.abs(w) < gap * (1 - 1e-9)])


# ------------------------------------------------------------------ the Shiba limits
@pytest.mark.slow
def test_continuum_and_lattice_shiba_limits():
    """Wide-band limit.  In the sector (c_up, c_down^dagger) (moment along z) the impurity is
    V = J + U tau_z and the host's local Green's function, for Delta << bandwidth, is
    G0(E) = -pi nu0 (E - Delta tau_x)/s + g tau_z, s = sqrt(Delta^2 - E^2) (the tau_0 and tau_x parts
    from int d xi / (E^2 - xi^2 - Delta^2) = -pi/s; the tau_z part from the particle-hole asymmetry,
    -P int nu(xi)/xi = Re G^R_normal(0) = g).  Writing G0 = A + B tau_x + g tau_z (A = -a E/s,
    B = a Delta/s, a = pi nu0, A^2 - B^2 = -a^2):
        det(1 - G0 V) = (1 - g U)^2 - g^2 J^2 + a^2 (U^2 - J^2) + 2 a J E / s,
    so with Q = (1 - g U)^2 - g^2 J^2 + pi^2 nu0^2 (U^2 - J^2) and alpha = pi nu0 J:
        E / s = -Q / (2 alpha)   =>   |E| / Delta = |Q| / sqrt(Q^2 + 4 alpha^2),
    the Shiba result (1 - alpha^2)/(1 + alpha^2) at U = g = 0.  The corrections are O(Delta / W): the
    code must approach the formula linearly in Delta (nu0, g computed independently above).  The
    singular V (U = -J) is included."""
    nu0, g = _nu0_and_g()
    assert nu0 == pytest.approx(0.106553062946, rel=1e-9) and g < 0
    cases = ((1.0, 0.0), (2.0, 0.0), (1.0, 0.5), (1.5, -1.5))
    errors = {}
    for delta in (0.02, 0.01):
        host = HostGreensFunction("sc", delta=delta)
        for J, U in cases:
            ds = MagneticImpurity(host, J, (0, 0, 1), U).bound_states()
            e = ds.energy.values
            assert len(e) == 2 and e[0] == pytest.approx(-e[1], abs=1e-13)  # a particle-hole pair
            errors[delta, J, U] = abs(e[1] - _shiba(J, U, delta, nu0, g)) / delta
            assert ds.attrs["achieved_tolerance"] < 1e-10
    for J, U in cases:  # linear convergence to the wide-band formula
        assert 1.6 < errors[0.02, J, U] / errors[0.01, J, U] < 2.4, errors
    # the continuum Shiba form itself (U = 0, g neglected): alpha = pi nu0 J small keeps g^2 J^2 small
    alpha = np.pi * nu0 * 0.5
    e = MagneticImpurity(HostGreensFunction("sc", delta=0.01), 0.5).bound_states().energy_over_delta.values
    assert e[1] == pytest.approx((1 - alpha**2) / (1 + alpha**2), abs=(g * 0.5) ** 2 + 0.01)


def test_lattice_shiba_form_at_small_delta():
    """The closed form of test_continuum_and_lattice_shiba_limits at Delta = 0.02 |t| (bandwidth W = 9 |t|):
    |E - E_wide-band| / Delta = O(Delta / W); bounded here by 0.25 Delta / |t| (the measured constant is
    ~0.18 for the singular U = -J case, ~0.01 for U = 0), including the potential term and the
    particle-hole asymmetry g."""
    nu0, g = _nu0_and_g(n_theta=32, n_k=40)
    delta = 0.02
    host = HostGreensFunction("sc", delta=delta)
    for J, U in ((1.0, 0.5), (1.5, -1.5)):
        ds = MagneticImpurity(host, J, (0, 0, 1), U).bound_states()
        e = ds.energy.values
        assert len(e) == 2 and e[0] == pytest.approx(-e[1], abs=1e-13)
        assert abs(e[1] - _shiba(J, U, delta, nu0, g)) / delta < 0.25 * delta


# ------------------------------------------------------------------ exact diagonalisation
@pytest.mark.slow
@pytest.mark.parametrize("model, moment, field", [
    ("sc", (0, 0, 1), None),
    ("intrinsic", (1 / np.sqrt(2), 0, 1 / np.sqrt(2)), (0.02, 0.0, 0.01)),
])
def test_t_matrix_on_a_finite_lattice_equals_exact_diagonalisation(model, moment, field):
    """On the L x L torus the T-matrix with the torus Green's function is an identity, not an
    approximation: the eigenvalues of H0 + V outside spec(H0) are exactly the zeros of
    det(1 - G0_torus(E) V).  Dense ED (L = 10: every in-gap eigenvalue, so the count too) and sparse ED
    (L = 40, eigsh shift-invert at 0) of the lattice built here must equal the T-matrix with
    lattice_size = L to machine precision."""
    resolved = isingsc.model(model, **({"beta_so": 0.2, "mu": 1.0} if model == "intrinsic" else {}))
    delta, J = 0.2, 1.4
    for L in (10, 40):
        imp = MagneticImpurity(resolved, J, moment, 0.3, delta=delta, field=field, lattice_size=L)
        ds = imp.bound_states()
        host = imp.host
        h = _torus_hamiltonian(host.model, delta, host.field, L, host.indices, imp.potential)
        if L == 10:
            w = np.linalg.eigvalsh(h.toarray())
            ed = w[np.abs(w) < ds.attrs["gap"] * (1 - 1e-9)]
        else:
            ed = _in_gap_eigenvalues(h, ds.attrs["gap"], n=ds.sizes["state"])
        assert len(ed) == ds.sizes["state"] >= 2
        np.testing.assert_allclose(ds.energy.values, ed, rtol=0, atol=1e-11)


@pytest.mark.slow
def test_finite_lattices_approach_the_infinite_host():
    """ED of L x L lattices approaches the infinite-host T-matrix as L grows past the bound state's decay
    length xi = v_F / sqrt(Delta^2 - E^2) (~ 8-10 sites here: v_F ~ 2 |t| a at mu = 0, Delta = 0.25), with
    finite-size oscillations on the way: measured 0.075, 0.048, 0.0094 |t| at L = 8, 16, 32, i.e. a factor
    ~5 per 16 sites, exp(-16/xi) with xi ~ 10."""
    delta, J = 0.25, 1.5
    e_inf = MagneticImpurity("sc", J, delta=delta).bound_states().energy.values
    resolved = isingsc.model("sc")
    errors = []
    for L in (8, 16, 32):
        imp = MagneticImpurity(resolved, J, delta=delta, lattice_size=L)
        gap = imp.gap
        h = _torus_hamiltonian(imp.host.model, delta, imp.host.field, L, imp.host.indices, imp.potential)
        ed = _in_gap_eigenvalues(h, gap)
        errors.append(np.max(np.abs(ed[-1] - e_inf[-1])))
    assert errors[2] < errors[1] < errors[0] and errors[2] < 0.2 * errors[1], errors


def test_ldos_on_a_finite_lattice_equals_dense_exact_diagonalisation():
    """rho(R, E) = -(1/pi) Im sum_n |psi_n(R, particle)|^2 / (E + i eta - E_n) from the dense eigenvectors
    of the torus with the impurity must equal G0 + G0 T G0 (same torus) at every site and energy;
    the LDOS map and the site list agree; at T = 0 the tip conductance is the LDOS itself."""
    L, delta, J, eta = 8, 0.2, 1.5, 0.05
    resolved = isingsc.model("sc")
    imp = MagneticImpurity(resolved, J, (0.6, 0.0, 0.8), 0.2, delta=delta, lattice_size=L)
    h = _torus_hamiltonian(imp.host.model, delta, imp.host.field, L, imp.host.indices, imp.potential).toarray()
    e_n, psi = np.linalg.eigh(h)
    nd = imp.host.model.nambu_dim
    sites = np.array([[0, 0], [1, 0], [0, 2], [-3, 1]])
    energies = np.array([-0.3, -0.05, 0.0, 0.12, 0.5])
    weight = np.stack([np.sum(np.abs(psi[((n1 % L) * L + n2 % L) * nd + np.arange(2)]) ** 2, axis=0)
                       for n1, n2 in sites])  # (site, n): particle weight of the orbital on site R
    ref = -np.imag(weight @ (1.0 / (energies[None, :] + 1j * eta - e_n[:, None]))) / np.pi
    ds = imp.ldos(energies, eta, sites)
    np.testing.assert_allclose(ds.ldos.values, ref, rtol=1e-10, atol=1e-12)
    m = imp.ldos_map(0.12, eta, 8)
    for (n1, n2), value in zip(sites, ds.ldos.values[:, 3]):
        assert float(m.ldos.sel(n1=n1, n2=n2)) == pytest.approx(value, rel=1e-10)
    bias = np.linspace(-0.3, 0.3, 7)
    c = imp.conductance(bias, 0.0, eta, site=(1, 0), n_energy=61)
    np.testing.assert_allclose(c.dIdV.values, imp.ldos(bias, eta, [(1, 0)]).ldos.values[0], rtol=1e-10)


def test_ldos_map_of_the_infinite_host_matches_the_site_list_and_heals():
    """The map (one FFT grid) and the site list (another) agree; far from the impurity the LDOS tends to
    the clean host's; the on-site LDOS at a bound state's energy exceeds the host's (a resonance)."""
    delta, eta = 0.3, 0.06
    imp = MagneticImpurity("sc", 1.5, delta=delta, tol=1e-8)
    e = float(imp.bound_states().energy.values[-1])
    m = imp.ldos_map(e, eta, 24)
    s = imp.ldos([e], eta, [(0, 0), (3, -2), (-12, -12)])
    for (n1, n2), v in zip([(0, 0), (3, -2), (-12, -12)], s.ldos.values[:, 0]):
        assert float(m.ldos.sel(n1=n1, n2=n2)) == pytest.approx(v, rel=1e-6)
    assert s.ldos.values[0, 0] > 3 * float(m.ldos_host)
    assert abs(s.ldos.values[2, 0] - float(m.ldos_host)) < 0.02 * float(m.ldos_host)


# ------------------------------------------------------------------ exact statements
@pytest.mark.slow
def test_zero_field_energy_does_not_depend_on_the_moment_direction():
    """At zero field the local Green's function of an Ising host is spin-isotropic: H(k) = xi(k) +
    beta S(k) sigma_z with S(-k) = -S(k), so in G0(0, E) = (1/N) sum_k (E - H_BdG(k))^-1 the terms odd in
    S sigma_z cancel between k and -k and the even ones carry sigma_z^2 = 1: G0(0) is sigma_0 in the
    particle and hole blocks and the singlet form in the anomalous ones.  A global spin rotation
    (U on particles, U^* on holes) leaves that G0(0) invariant and turns J m.sigma into J (R m).sigma, so
    det(1 - G0 V) and the bound-state energies do not depend on m."""
    h = HostGreensFunction(isingsc.model("intrinsic", beta_so=0.3, mu=1.0), delta=0.1)
    ref = MagneticImpurity(h, 1.2, (0, 0, 1)).bound_states().energy.values
    for m in ((1, 0, 0), moment_direction(0.7, 2.1)):
        np.testing.assert_allclose(MagneticImpurity(h, 1.2, m).bound_states().energy.values, ref,
                                   rtol=0, atol=1e-10 * 0.1)


@pytest.mark.slow
def test_out_of_plane_moment_and_field_shift_by_the_zeeman_energy():
    """With the moment and the field along z, sigma_z is conserved (Ising SOC is sigma_z too): in the
    sector (c_up, c_down^dagger) the field adds V_z to the particle (up) and -(-V_z) = +V_z to the hole
    (down), i.e. V_z times the identity, so every energy of that sector -- the bound state with
    quasiparticle spin +1 -- moves by exactly +V_z (and its partner of spin -1 by -V_z)."""
    resolved = isingsc.model("intrinsic", beta_so=0.3, mu=1.0)
    delta, vz = 0.1, 0.02
    zero = MagneticImpurity(resolved, 2.0, (0, 0, 1), delta=delta).bound_states()
    with_field = MagneticImpurity(resolved, 2.0, (0, 0, 1), delta=delta, field=(0, 0, vz)).bound_states()
    for ds in (zero, with_field):
        np.testing.assert_allclose(np.abs(ds.spin.sel(component="z").values), 1.0, atol=1e-9)
    up0 = zero.energy.values[zero.spin.sel(component="z").values > 0]
    up1 = with_field.energy.values[with_field.spin.sel(component="z").values > 0]
    assert up1 == pytest.approx(up0 + vz, abs=1e-10 * delta)


@pytest.mark.slow
def test_field_direction_response_with_and_without_ising_soc():
    """Moment parallel to the field (a free classical spin).  Without SOC (catalogue "sc") the host is
    spin-rotation invariant, so rotating the field and the moment together changes nothing: E(theta)
    is independent of the field direction (to the tolerance) and equals E at theta = 0, where the
    sigma_z argument gives exactly E(0 field) +- V.  With Ising SOC the out-of-plane response is the
    same exact +-V, while an in-plane field is quenched by the Ising field (measured, printed).

    The Ising host in an in-plane field converges slowly in k (the Zeeman-split Fermi surfaces nearly touch
    on the Gamma-M lines), so it is solved at tol = 1e-6 on G0: the bound-state energies are then good to
    ~1e-6 x |dE/dG0| ~ 1e-5 |t|, which sets the comparison below."""
    delta, strength, J = 0.05, 0.01, 2.0
    angles = np.array([0.0, np.pi / 4, np.pi / 2])
    out = {}
    for name, params, tol in (("sc", {}, 1e-10), ("intrinsic", {"beta_so": 0.3, "mu": 1.0}, 1e-6)):
        resolved = isingsc.model(name, **params)
        zero = MagneticImpurity(resolved, J, (0, 0, 1), delta=delta, tol=tol).bound_states().energy.values.max()
        ds = bound_states_versus_field_direction(resolved, J, strength, angles, delta=delta, tol=tol)
        positive = [float(ds.energy.values[(ds.field_polar.values == a) & (ds.energy.values > 0)].min())
                    for a in angles]
        out[name] = np.array(positive) - zero
        print(name, "shift / V at polar angle 0, 45, 90 deg:", out[name] / strength)
    assert abs(abs(out["sc"][0]) - strength) < 1e-9 and np.ptp(out["sc"]) < 1e-9
    assert abs(abs(out["intrinsic"][0]) - strength) < 1e-5
    assert abs(out["intrinsic"][2]) < 0.5 * strength


def test_exchange_scan_crosses_zero_at_the_quantum_phase_transition():
    """E(J) of the positive state decreases, reaches 0 and comes back (the ground-state parity change):
    the count is always one particle-hole pair, and E/Delta at small J approaches 1 from below."""
    host = HostGreensFunction("sc", delta=0.05)
    ds = bound_states_versus_exchange(host, [0.5, 2.0, 4.0, 8.0])
    assert list(ds.n_bound_states.values) == [2, 2, 2, 2]
    pos = ds.energy_over_delta.values[ds.energy.values > 0]
    assert 0.9 < pos[0] < 1 and pos[1] < pos[0]


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kwargs, name", [
    ({"J": 101.0}, "J"), ({"J": float("nan")}, "J"), ({"U": -1e3}, "U"),
    ({"moment": (1, 1, 0)}, "moment"), ({"moment": (1, 0)}, "moment"), ({"lattice_size": 1}, "lattice_size"),
])
def test_bad_parameters_are_refused_before_any_work(kwargs, name):
    args = {"J": 1.0, "moment": (0, 0, 1), **kwargs}
    with pytest.raises(ParameterError, match=name):
        MagneticImpurity("sc", args.pop("J"), **args)


def test_window_outside_the_gap_and_gapless_host_are_refused():
    imp = MagneticImpurity("sc", 1.0, delta=0.05)
    for window in ((-0.06, 0.01), (0.0, 0.05), (0.02, 0.01)):
        with pytest.raises(ParameterError, match="window"):
            imp.bound_states(window)
    gapless = MagneticImpurity("sc", 1.0, delta=0.05, field=(0.0, 0.0, 0.08))  # Zeeman beyond the gap
    with pytest.raises(ParameterError, match="host gap"):
        gapless.bound_states()
    with pytest.raises(ParameterError, match="eta"):
        imp.ldos([0.0], 0.0)


@pytest.mark.slow
def test_the_paper_heterostructure_works_as_a_host():
    """The heterostructure's gap is set by the proximitised TMD band (E_g ~ 0.05 Delta): its quadrature needs fine
    panels (~0.6 million k points in the wedge, ~20 s) but converges; the bound states it reports lie inside the
    gap and the window used is stated."""
    ds = MagneticImpurity("heterostructure", 1.0, (0, 0, 1), tol=1e-8).bound_states()
    gap = float(ds.attrs["gap"])
    a, b = ds.attrs["window"]
    assert 0.0 < gap < 0.1 * 0.02  # the catalogue's Delta0 = 0.02 |t|
    assert -gap < a < 0.0 < b < gap and ds.attrs["achieved_tolerance"] <= 1e-8
    assert np.all(np.abs(ds.energy.values) < b)
