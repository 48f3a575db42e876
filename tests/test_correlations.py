"""Pairing correlations F(k, z) of a host: closed forms, symmetries, Fermi-surface and on-site averages.

The closed forms (derived in docs/correlations.md and in the docstring of isingsc.correlations.amplitudes)
for the one-orbital Ising layer H = xi_k + beta_k sigma_z + V sigma_x with pairing Delta (-i sigma_y):
with E_pm^2 = xi^2 + beta^2 + V^2 + Delta^2 pm 2 sqrt(xi^2 beta^2 + xi^2 V^2 + V^2 Delta^2) and
D = (z^2 - E_+^2)(z^2 - E_-^2),

    Psi_s = -Delta (z^2 - xi^2 - beta^2 - Delta^2 + V^2) / D,
    d_x = -2 z V Delta / D,  d_y = -2 i V beta Delta / D,  d_z = -2 xi beta Delta / D,

obtained from G = (z + H)(z^2 - A + 2K) / D with H^2 = A + 2K, K^2 = B^2 (the three terms of K
anticommute).  xi = 2 t C(k) - mu and beta = 2 beta_SO S(k) are computed here from the structure factors,
independently of the model builder.
"""

from __future__ import annotations

import numpy as np
import pytest

from isingsc.core.errors import ModelCapabilityError, ParameterError
from isingsc.correlations.amplitudes import (
    PairingCorrelations,
    complex_part,
    pair_matrix,
    rotate,
    singlet_triplet,
    spin_rotation,
)
from isingsc.correlations.host import HostGreensFunction
from isingsc.lattice.triangular import LATTICE, structure_factors
from isingsc.models.catalogue import resolve

MU, BETA, DELTA = 1.0, 0.1, 0.1


def _ising(beta=BETA, mu=MU):
    return resolve("intrinsic", mu=mu, beta_so=beta)


def closed_form(k, z, delta=DELTA, beta_so=BETA, mu=MU, v=0.0, t=-1.0):
    """(Psi_s, d) of the two-band Ising layer in an in-plane field V along x (see the module docstring)."""
    c, s = structure_factors(k)
    xi, beta = 2 * t * c - mu, 2 * beta_so * s
    a = xi**2 + beta**2 + v**2 + delta**2
    b = np.sqrt(xi**2 * beta**2 + xi**2 * v**2 + v**2 * delta**2)
    den = (z**2 - (a + 2 * b)) * (z**2 - (a - 2 * b))
    psi = -delta * (z**2 - xi**2 - beta**2 - delta**2 + v**2) / den
    d = np.stack([-2 * z * v * delta / den, -2j * v * beta * delta / den, -2 * xi * beta * delta / den], axis=-1)
    return psi, d


K_POINTS = np.random.default_rng(3).uniform(-4.0, 4.0, size=(12, 2))
Z_VALUES = [0.0, 0.04, 0.3 + 0.02j, 0.25j, -0.05 + 0.01j]


@pytest.mark.parametrize("z", Z_VALUES)
def test_zero_field_closed_form_and_matrix_inverse(z):
    """Psi_s, d_z = -(Delta/2)[1/(z^2 - E_+^2) +- 1/(z^2 - E_-^2)], d_x = d_y = 0, on the real axis (inside the
    gap exactly, outside with eta), on the Matsubara axis z = i omega; and F equals the particle-hole block
    of numpy's inverse of z - H_BdG(k)."""
    pc = PairingCorrelations(_ising(), delta=DELTA)
    f = pc.anomalous(K_POINTS, z)[:, 0]
    psi, d = singlet_triplet(f)
    xi = -2 * structure_factors(K_POINTS)[0] - MU
    beta = 2 * BETA * structure_factors(K_POINTS)[1]
    ep2, em2 = (xi + beta) ** 2 + DELTA**2, (xi - beta) ** 2 + DELTA**2
    scale = np.max(np.abs(psi))
    np.testing.assert_allclose(psi, -DELTA / 2 * (1 / (z * z - ep2) + 1 / (z * z - em2)), atol=1e-12 * scale)
    np.testing.assert_allclose(d[:, 2], -DELTA / 2 * (1 / (z * z - ep2) - 1 / (z * z - em2)), atol=1e-12 * scale)
    assert np.max(np.abs(d[:, :2])) < 1e-13 * scale
    h = pc.model.bdg_hamiltonian(K_POINTS, DELTA)
    g = np.linalg.inv(z * np.eye(4) - h)
    np.testing.assert_allclose(f, g[:, :2, 2:], atol=1e-12 * scale)
    np.testing.assert_allclose(pair_matrix(psi, d), f, atol=1e-13 * scale)


@pytest.mark.parametrize("z", [0.03, 0.2j, 0.4 + 0.05j])
def test_in_plane_field_closed_form(z):
    """With V sigma_x the d-vector gains d_x = -2 z V Delta / D (even in k, odd in z) and d_y = -2i V beta Delta / D
    (odd in k); through the Dataset API (real/imaginary parts joined by complex_part)."""
    v = 0.04
    pc = PairingCorrelations(_ising(), delta=DELTA, field=(v, 0.0, 0.0))
    if np.imag(z) > 0 and np.real(z) != 0:
        ds = pc.at(K_POINTS, np.real(z), eta=np.imag(z))
    elif np.real(z) == 0:
        ds = pc.at(K_POINTS, np.imag(z), matsubara=True)
    else:
        ds = pc.at(K_POINTS, z)
    psi = complex_part(ds, "psi_s").values[0, :, 0]
    d = complex_part(ds, "d").values[0, :, 0]
    psi_cf, d_cf = closed_form(K_POINTS, z, v=v)
    scale = np.max(np.abs(psi_cf))
    np.testing.assert_allclose(psi, psi_cf, atol=1e-11 * scale)
    np.testing.assert_allclose(d, d_cf, atol=1e-11 * scale)
    assert np.max(np.abs(d[:, :2])) > 1e-3 * scale  # the field's triplet components are there


@pytest.mark.parametrize("name, field", [("intrinsic", None), ("heterostructure", (0.01, 0.0, 0.0)),
                                         ("nbse2", (0.0, 0.02, 0.0)), ("pdte2", (0.01, 0.01, 0.005)),
                                         ("type-ii", None)])
def test_fermi_statistics_identity(name, field):
    """F(k, z) = -F(-k, -z)^T for any host (fermion antisymmetry with particle-hole symmetry):
    Psi_s(k, z) = Psi_s(-k, -z), d(k, z) = -d(-k, -z)."""
    model = _ising() if name == "intrinsic" else resolve(name)
    pc = PairingCorrelations(model, delta=0.05, field=field)
    for z in (0.013, 0.2 + 0.03j, 0.1j):
        f = pc.anomalous(K_POINTS[:6], z)
        fm = pc.anomalous(-K_POINTS[:6], -z)
        np.testing.assert_allclose(f, -np.swapaxes(fm, -1, -2), atol=1e-11 * np.max(np.abs(f)))


def test_d_z_is_odd_in_k_at_zero_field():
    """At zero field F is even in z (time reversal), so d_z(k, z) = -d_z(-k, z) and Psi_s(k) = Psi_s(-k)."""
    pc = PairingCorrelations(_ising(), delta=DELTA)
    ds, dm = pc.at(K_POINTS, [0.0, 0.05]), pc.at(-K_POINTS, [0.0, 0.05])
    np.testing.assert_allclose(ds.d_re.values, -dm.d_re.values, atol=1e-13)
    np.testing.assert_allclose(ds.psi_s_re.values, dm.psi_s_re.values, atol=1e-12)
    assert np.max(np.abs(ds.d_re.sel(component="z").values)) > 1e-2


def test_d_z_vanishes_on_the_bare_fermi_surface():
    """d_z = -2 xi beta Delta / D vanishes where xi_k = 0, the Fermi surface of the layer without Ising SOC
    (found here as the Fermi points of the beta_SO = 0 model, located to ~1e-13 on the quadrature's rays)."""
    bare = PairingCorrelations(_ising(beta=0.0), delta=DELTA).fermi_surface(0.0)
    k = np.stack([bare.kx.values, bare.ky.values], -1)
    xi = -2 * structure_factors(k)[0] - MU
    assert np.max(np.abs(xi)) < 1e-10
    ds = PairingCorrelations(_ising(), delta=DELTA).at(k, [0.0, 0.07, 0.2])
    psi = np.abs(ds.psi_s_re.values).max()
    assert np.max(np.abs(complex_part(ds, "d").values)) < 1e-8 * psi


def test_fermi_surface_averages_of_the_ising_layer():
    """On the spin-split Fermi surfaces xi +- beta = 0 (spin s = +-1) at z = 0: E_s = Delta, E_-s^2 = 4 beta^2 +
    Delta^2, so d_z = s 2 beta^2 / (Delta (4 beta^2 + Delta^2)) point by point: its Fermi-surface average
    vanishes (the two spins carry equal weight), the spin-weighted one does not."""
    pc = PairingCorrelations(_ising(), delta=DELTA, tol=1e-6)
    ds = pc.fermi_surface(0.0)
    k = np.stack([ds.kx.values, ds.ky.values], -1)
    beta = 2 * BETA * structure_factors(k)[1]
    s = ds.spin_z.values
    np.testing.assert_allclose(np.abs(s), 1.0, atol=1e-12)
    expected = s * 2 * beta**2 / (DELTA * (4 * beta**2 + DELTA**2))
    np.testing.assert_allclose(ds.d_re.sel(component="z").values[0, :, 0], expected, atol=1e-9)
    psi = float(ds.psi_s_fs_re.values[0, 0])
    assert abs(float(ds.d_fs_re.sel(component="z").values[0, 0])) < 1e-6 * abs(psi)
    spin_avg = float(ds.d_spin_re.sel(component="z").values[0, 0])
    w = ds.weight.values
    np.testing.assert_allclose(spin_avg, np.sum(w * s * expected), rtol=1e-9)
    assert spin_avg > 0.1 * abs(psi)
    assert ds.attrs["achieved"] < 1e-6


def _uniform_average(fn, n):
    frac = (np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1).reshape(-1, 2)) / n
    return fn(LATTICE.fractional_to_cartesian(frac)).mean(axis=0)


def test_on_site_amplitude_is_pure_singlet_quick():
    """As below, at a 1e-5 tolerance: d(R = 0) = 0 and Psi_s(R = 0) = the uniform-mesh average of the closed form."""
    delta = 0.2
    ds = PairingCorrelations(_ising(), delta=delta, tol=1e-5).local(0.05)
    psi = complex_part(ds, "psi_s").values[0, 0]
    assert np.max(np.abs(complex_part(ds, "d").values)) < 1e-6 * abs(psi)
    ref = _uniform_average(lambda k: closed_form(k, 0.05, delta=delta)[0], 384)
    np.testing.assert_allclose(psi, ref, rtol=1e-5)


@pytest.mark.slow
def test_on_site_amplitude_is_pure_singlet():
    """The zone average of d_z (odd in k) vanishes: the on-site pair amplitude is a singlet.  Psi_s(R = 0) is
    checked against the closed form averaged on uniform L x L meshes (the periodic trapezoid rule, spectrally
    convergent for an in-gap energy: L = 384 and 768 agree to 1e-10 at Delta = 0.2) and against the lead's HostGreensFunction."""
    delta = 0.2
    pc = PairingCorrelations(_ising(), delta=delta, tol=1e-9)
    ds = pc.local([0.0, 0.06])
    psi = complex_part(ds, "psi_s").values[0]
    d = complex_part(ds, "d").values[0]
    assert np.max(np.abs(d)) < 1e-9 * np.max(np.abs(psi))
    for i, e in enumerate((0.0, 0.06)):
        ref = [_uniform_average(lambda k, e=e: closed_form(k, e, delta=delta)[0], n) for n in (384, 768)]
        assert abs(ref[1] - ref[0]) < 1e-10 * abs(ref[1])
        np.testing.assert_allclose(psi[i], ref[1], rtol=1e-8)
    g = HostGreensFunction(_ising(), delta=delta, tol=1e-10).local(0.06).values
    psi_host, _d_host = singlet_triplet(g[:2, 2:])
    np.testing.assert_allclose(psi[1], psi_host, rtol=1e-8)
    assert ds.attrs["achieved"] < 1e-9


@pytest.mark.slow
def test_on_site_triplet_in_a_field_is_odd_in_frequency():
    """In a field V along x the on-site amplitude keeps d_y = d_z = 0 (odd in k) but gains d_x = -2 z V Delta <1/D>:
    odd in z, zero at z = 0 -- the odd-frequency s-wave triplet; at z = i omega it is checked against the
    closed form averaged on a uniform mesh."""
    v, delta = 0.05, 0.2
    pc = PairingCorrelations(_ising(), delta=delta, field=(v, 0.0, 0.0), tol=1e-7)
    ds = pc.local([0.1, 0.3], matsubara=True)
    d = complex_part(ds, "d").values[0]
    psi = complex_part(ds, "psi_s").values[0]
    assert np.max(np.abs(d[:, 1:])) < 1e-8 * np.max(np.abs(psi))
    for i, w in enumerate((0.1, 0.3)):
        ref = _uniform_average(lambda k, w=w: closed_form(k, 1j * w, delta=delta, v=v)[1][..., 0], 384)
        np.testing.assert_allclose(d[i, 0], ref, rtol=1e-6)
    d0 = complex_part(pc.local(0.0), "d").values[0, 0]
    assert np.max(np.abs(d0)) < 1e-8 * np.max(np.abs(psi))


def test_rotation_to_an_in_plane_axis_gives_equal_spin_pairs():
    """F_n = U F U^T with U of rows <n+|, <n-|: for d = d_z z and n = (sin th cos ph, sin th sin ph, cos th),
    F_n = [[d_z sin th e^{-i ph}, Psi + d_z cos th], [-Psi + d_z cos th, -d_z sin th e^{i ph}]] (review Sec. 5;
    the review prints the diagonal with the other sign: ours at ph = pi).  Along x: equal-spin pairs only."""
    pc = PairingCorrelations(_ising(), delta=DELTA)
    f = pc.anomalous(K_POINTS, 0.02)[:, 0]
    psi, d = singlet_triplet(f)
    dz = d[:, 2]
    for th, ph in ((np.pi / 2, 0.0), (0.7, 0.3), (2.5, -1.2), (0.0, 0.0), (np.pi / 2, np.pi)):
        n = (np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th))
        u = spin_rotation(n)
        np.testing.assert_allclose(u @ (n[0] * np.array([[0, 1], [1, 0]]) + n[1] * np.array([[0, -1j], [1j, 0]])
                                        + n[2] * np.diag([1, -1])) @ u.conj().T, np.diag([1, -1]), atol=1e-14)
        fn = rotate(f, n)
        expected = np.stack([np.stack([dz * np.sin(th) * np.exp(-1j * ph), psi + dz * np.cos(th)], -1),
                             np.stack([-psi + dz * np.cos(th), -dz * np.sin(th) * np.exp(1j * ph)], -1)], -2)
        np.testing.assert_allclose(fn, expected, atol=1e-13 * np.max(np.abs(f)))
        psi_n, d_n = singlet_triplet(fn)  # the singlet is invariant, d rotates: d_n . z = d . n
        np.testing.assert_allclose(psi_n, psi, atol=1e-13 * np.max(np.abs(f)))
        np.testing.assert_allclose(d_n[:, 2], d @ np.asarray(n), atol=1e-13 * np.max(np.abs(f)))
    # the review's printed F_theta (x-z plane) is ours at azimuth pi
    th = 0.9
    review = np.stack([np.stack([-dz * np.sin(th), psi + dz * np.cos(th)], -1),
                       np.stack([-psi + dz * np.cos(th), dz * np.sin(th)], -1)], -2)
    np.testing.assert_allclose(rotate(f, (-np.sin(th), 0.0, np.cos(th))), review, atol=1e-13 * np.max(np.abs(f)))
    ds = pc.at(K_POINTS, 0.02, axis=(1.0, 0.0, 0.0))
    fx = complex_part(ds, "f").values[0, :, 0]
    np.testing.assert_allclose(fx[:, 0, 0], dz, atol=1e-13)
    np.testing.assert_allclose(fx[:, 1, 1], -dz, atol=1e-13)


def test_real_axis_limit_and_matsubara_continuation():
    """F(E + i eta) -> F(E) linearly in eta inside the gap; F(i omega) of the Dataset equals the same resolvent
    at z = i omega, and for a real Hamiltonian F(i omega) = F(-i omega)^* (analytic continuation)."""
    pc = PairingCorrelations(_ising(), delta=DELTA)
    exact = complex_part(pc.at(K_POINTS, 0.05), "psi_s").values
    errors = [np.max(np.abs(complex_part(pc.at(K_POINTS, 0.05, eta=eta), "psi_s").values - exact))
              for eta in (1e-4, 5e-5)]
    assert errors[0] < 1e-2 * np.max(np.abs(exact)) and abs(errors[0] / errors[1] - 2.0) < 0.05
    mats = complex_part(pc.at(K_POINTS, [0.2, -0.2], matsubara=True), "psi_s").values[0]
    np.testing.assert_allclose(mats[:, 0], closed_form(K_POINTS, 0.2j)[0], rtol=1e-11)
    np.testing.assert_allclose(mats[:, 0], np.conj(mats[:, 1]), rtol=1e-12)


def test_zone_map_and_datasets_carry_units_and_convergence(tmp_path):
    from isingsc.core.results import load, save

    pc = PairingCorrelations(_ising(), delta=DELTA)
    ds = pc.zone_map(0.0, n_grid=24)
    assert ds.sizes["kx"] == 24 and int(ds.inside_zone.sum()) > 0
    dz = ds.d_re.sel(component="z").values[0]
    np.testing.assert_allclose(dz, -dz[::-1, ::-1], atol=1e-12)  # odd in k (the grid is symmetric about 0)
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs, name
    back = load(save(ds, tmp_path / "map.nc"))
    np.testing.assert_allclose(back.d_re.values, ds.d_re.values)
    assert "achieved" in pc.local(0.0).attrs and "resolution" in pc.fermi_surface(0.0).attrs


def test_bad_input_names_the_parameter():
    pc = PairingCorrelations(_ising(), delta=DELTA)
    with pytest.raises(ParameterError, match="axis"):
        pc.at(K_POINTS, 0.0, axis=(1.0, 1.0, 0.0))
    with pytest.raises(ParameterError, match="eta"):
        pc.at(K_POINTS, 0.0, eta=0.0)
    with pytest.raises(ParameterError, match="eta"):
        pc.at(K_POINTS, 0.0, eta=-0.1)
    with pytest.raises(ParameterError, match="eta"):
        pc.at(K_POINTS, 0.1, eta=0.01, matsubara=True)
    with pytest.raises(ParameterError, match="energy"):
        pc.local(0.5)  # a real energy outside the gap without broadening
    with pytest.raises(ParameterError, match="energy"):
        pc.at(K_POINTS, float("nan"))
    with pytest.raises(ParameterError, match="delta"):
        PairingCorrelations(_ising(), delta=0.0)
    with pytest.raises(ParameterError, match="orbitals"):
        PairingCorrelations(_ising(), orbitals="nope")
    with pytest.raises(ModelCapabilityError, match="no pairing"):
        PairingCorrelations("tmd")
    with pytest.raises(ParameterError, match="n_grid"):
        pc.zone_map(0.0, n_grid=3)
