"""Bulk tunnelling spectroscopy against known results.

References (none is the code under test):
* BCS / Dynes DOS N_s(E)/N_n(0) = Re[z/sqrt(z^2 - Delta^2)], z = E + i Gamma: a Lorentzian broadening
  eta of the spectral function is the retarded Green's function at E + i eta, and for a flat normal DOS
  the xi integral of -(1/pi) Im G_ee(xi, E + i eta) is exactly this form with Gamma = eta;
* Zeeman-split BCS (no spin-orbit coupling): spin +-n along the field sees N_s(E -+ V), peaks at
  +-Delta +-V; at T = 0 and V < Delta the gap is field independent (no quasiparticles are excited);
* singlet pairing with Ising SOC alone (zero field) has E = sqrt((xi +- beta S)^2 + Delta^2): the same
  DOS as BCS for a flat normal DOS;
* spectral sum rules: per k, sum_n |<o s|n>|^2 = 1 (completeness); the DOS of every spin-orbital
  integrates to 1 over all energies;
* Sommerfeld: int N(E) [-f'(E - V)] dE = N(V) + (pi^2/6) T^2 N''(V) + O(T^4); -f' integrates to 1, so
  int (dI/dV - 1) dV = int (N - 1) dE;
* the SC-layer Green's function of the heterostructure from the TMD self-energy (paper Eq. 4).
"""

import dataclasses

import numpy as np
import pytest
from scipy import integrate

import isingsc

from isingsc.core.errors import ParameterError
from isingsc.models.paper import PAPER, IsingParams, fit_effective_model, heterostructure_model, intrinsic_ising_model
from isingsc.spectroscopy.bulk import (BulkSpectroscopy, dos_mesh, dynes_dos, fermi, lattice_dos, resolved_weights,
                                  thermal_conductance, zeeman_split_dynes)

DELTA0, ETA = 0.02, 0.001
# A small electron pocket (band bottom at xi = -1): its normal DOS is nearly flat around E_F, so the
# lattice BCS DOS is close to the flat-band (Dynes) form.
POCKET = IsingParams(t=-1.0, mu=-5.0, beta_so=0.0)


def normal_variation(bs, xi1):
    """delta_n = max |N_n(E)/N_n(0) - 1| over |E| <= xi1 (inside the DOS window: same mesh and eta), and a
    function tail(E) = (eta/pi) int_{|xi| > xi1} |N_n(xi)/N_n(0) - 1| / (|xi| - |E|)^2 dxi bounding the
    contribution of the Lorentzian tails of A(xi, E) ~ (eta/pi)/(xi -+ E)^2 from beyond xi1 (the normal DOS
    there from a mesh resolving eta_w = 0.05 across the whole band)."""
    assert xi1 <= bs.window
    e = np.linspace(-xi1, xi1, 201)
    delta_n = float(np.abs(bs.dos(e, 0.0).sum(1) / bs.normal_dos0.sum() - 1).max())
    wide_mesh = dos_mesh(bs.model, 0.05, 10.0, n_theta=4, angular_panels=1)
    xi = np.linspace(-12, 12, 2401)
    nw = lattice_dos(bs.model, wide_mesh, xi, 0.05, orbital=bs.orbital).sum(1)
    nw = np.abs(nw / nw[1200] - 1)
    out = np.abs(xi) > xi1

    def tail(energy):
        energy = np.abs(np.atleast_1d(energy))[:, None]
        return ETA / np.pi * np.trapezoid(np.where(out, nw, 0.0) / np.maximum(np.abs(xi) - energy, 1e-9) ** 2,
                                          xi, axis=1)
    return delta_n, tail


def bcs_bound(d, delta_n, tail, e):
    """|N_s(E)/N_n(0) - D(E)| = |int dxi [N_n(xi)/N_n(0) - 1] A(xi, E)| with A >= 0, int A dxi = D(E):
    <= delta_n D(E) from |xi| <= xi1, plus tail(E) from beyond; plus the histogram error of the DOS
    module, 3.2e-4 of 1/(pi eta) per unit weight (documented), i.e. 3.2e-4 (D + 1) here."""
    return delta_n * d + tail(e) + 3.2e-4 * (d + 1)


@pytest.fixture(scope="module")
def pocket():
    return BulkSpectroscopy(intrinsic_ising_model(POCKET), delta0=DELTA0, eta=ETA, window=0.3)


# ---------------------------------------------------------------- analytic forms and the thermal convolution
def test_dynes_dos_limits_and_state_conservation():
    e = np.array([-3.0, -1.5, -0.5, 0.0, 0.5, 1.5, 3.0])
    assert np.allclose(dynes_dos(e, 1.0, 0.0), np.where(np.abs(e) > 1, np.abs(e) / np.sqrt(np.abs(e**2 - 1) + 0j).real, 0))
    assert np.isinf(dynes_dos(1.0, 1.0, 0.0))
    assert np.allclose(dynes_dos(e, 0.0, 0.1), 1.0)  # normal state
    # int (N - 1) dE = 0 (analytic in the upper half plane, N - 1 ~ Delta^2/(2 z^2)); the tails beyond
    # +-L carry Delta^2/L + O(L^-3)
    L, g = 400.0, 0.05
    x = np.linspace(-L, L, 1_600_001)
    total = np.trapezoid(dynes_dos(x, 1.0, g) - 1, x) + 1.0 / L
    assert abs(total) < 1e-4


def test_zeeman_split_dynes_shifts_each_spin():
    e = np.linspace(-3, 3, 601)
    up, dn = zeeman_split_dynes(e, 1.0, 0.02, 0.3)
    assert e[np.argmax(up * (e > 0))] == pytest.approx(1.3, abs=0.011)
    assert e[np.argmax(dn * (e > 0))] == pytest.approx(0.7, abs=0.011)
    assert np.allclose(up, dn[::-1])  # N_s(E - V) = N_s(-E - V) mirrored


def test_thermal_conductance_zero_temperature_is_the_dos():
    e = np.linspace(-4, 4, 4001)
    n = dynes_dos(e, 1.0, 0.05)
    v = e[::37]
    assert np.allclose(thermal_conductance(e, n, v, 0.0), n[::37], atol=1e-14)
    # Sommerfeld: |G - N| <= (pi^2/6) T^2 max|N''| + O(T^4) (exact integration of the linear interpolant)
    T = 1e-3
    d2 = np.abs(np.gradient(np.gradient(n, e), e)).max()
    assert np.abs(thermal_conductance(e, n, v, T) - n[::37]).max() <= 1.01 * np.pi**2 / 6 * T * T * d2


def test_thermal_conductance_against_direct_quadrature():
    delta, gamma, T = 1.0, 0.05, 0.2
    e = np.linspace(-12, 12, 48001)
    n = dynes_dos(e, delta, gamma)
    v = np.array([-2.0, -1.0, 0.0, 0.7, 1.2, 3.0])  # grid step h = 5e-4
    g = thermal_conductance(e, n, v, T)
    kernel = lambda x, V: dynes_dos(x, delta, gamma) / (4 * T * np.cosh((x - V) / (2 * T)) ** 2)  # noqa: E731
    ref = np.array([integrate.quad(kernel, V - 40 * T, V + 40 * T, args=(V,), points=[-1, 1], limit=400,
                                   epsabs=1e-12)[0] for V in v])
    # interpolation error of the piecewise-linear N: (h^2/8) max|N''|, h = 5e-4
    d2 = np.abs(np.gradient(np.gradient(n, e), e)).max()
    assert np.abs(g - ref).max() <= (5e-4) ** 2 / 8 * d2 + 1e-9
    # -f' integrates to one: int (G - 1) dV = int (N - 1) dE on the same window (away from its ends)
    vv = np.linspace(-10, 10, 801)
    inner = (e >= -10) & (e <= 10)
    gg = thermal_conductance(e, n, vv, T)
    assert np.trapezoid(gg - 1, vv) == pytest.approx(np.trapezoid(n[inner] - 1, e[inner]), abs=2e-3)


def test_fermi_function_limits():
    assert fermi(0.0, 0.1) == 0.5 and fermi(-1.0, 0.0) == 1.0 and fermi(1.0, 0.0) == 0.0
    x = np.linspace(-1, 1, 11)
    assert np.allclose(fermi(x, 0.1) + fermi(-x, 0.1), 1.0)


# ---------------------------------------------------------------- the lattice DOS
def test_bcs_dos_of_the_self_consistent_state_at_zero_temperature_and_field(pocket):
    """T = 0, H = 0: Delta = Delta0 (v is fixed by it) and N(E)/N_n(0) is the Dynes form with Gamma = eta."""
    gap = pocket.gap(0.0, 0.0)
    assert gap.delta == pytest.approx(DELTA0, rel=1e-5)
    e = np.linspace(-4 * DELTA0, 4 * DELTA0, 321)
    n = pocket.dos(e, gap.delta).sum(1) / pocket.normal_dos0.sum()
    d = dynes_dos(e, gap.delta, ETA)
    delta_n, tail = normal_variation(pocket, 0.3)
    assert delta_n < 0.05 and np.all(np.abs(n - d) <= bcs_bound(d, delta_n, tail, e))
    # coherence peak where the Dynes form has it (Delta + O(eta)), within one grid step
    assert abs(abs(e[np.argmax(n)]) - abs(e[np.argmax(d)])) <= e[1] - e[0] + 1e-12


def test_zeeman_split_bcs_at_small_field(pocket):
    """Gamma = 0 (no SOC), T = 0, V = 0.3 Delta0: Delta unchanged; n_+-(E) = N_s(E -+ V), peaks at +-Delta +-V."""
    v = 0.3 * DELTA0
    gap = pocket.gap(0.0, v)
    assert gap.delta == pytest.approx(DELTA0, rel=1e-5)
    e = np.linspace(-4 * DELTA0, 4 * DELTA0, 321)
    n = pocket.dos(e, gap.delta, v) / pocket.normal_dos0
    up, dn = zeeman_split_dynes(e, gap.delta, ETA, v)
    delta_n, tail = normal_variation(pocket, 0.3)
    assert np.all(np.abs(n[:, 0] - up) <= bcs_bound(up, delta_n, tail, e))
    assert np.all(np.abs(n[:, 1] - dn) <= bcs_bound(dn, delta_n, tail, e))
    total = n.sum(1) / 2
    peaks = e[1:-1][(total[1:-1] > total[:-2]) & (total[1:-1] > total[2:]) & (total[1:-1] > 1.2)]
    expect = np.sort([-DELTA0 - v, -DELTA0 + v, DELTA0 - v, DELTA0 + v])
    assert len(peaks) == 4 and np.allclose(np.sort(peaks), expect, atol=e[1] - e[0])


def test_ising_soc_without_field_leaves_the_bcs_dos():
    """The fitted effective model of the paper's heterostructure (Ising SOC beta~ S on the SC band, pairing
    Z Delta): at zero field its DOS is BCS with the gap Z Delta."""
    fit = fit_effective_model(PAPER)
    resolved = dataclasses.replace(isingsc.model("effective-fit"), model=fit.model(),
                                   reference=intrinsic_ising_model(IsingParams(t=-1.0, mu=0.0)))
    bs = BulkSpectroscopy(resolved, delta0=DELTA0, eta=ETA, window=0.2)
    gap = bs.gap(0.0, 0.0)
    e = np.linspace(-4 * DELTA0, 4 * DELTA0, 161)
    n = bs.dos(e, gap.delta).sum(1) / bs.normal_dos0.sum()
    d = dynes_dos(e, fit.pairing_factor * gap.delta, ETA)
    delta_n, tail = normal_variation(bs, 0.2)
    assert np.all(np.abs(n - d) <= bcs_bound(d, delta_n, tail, e))


def test_spectral_sum_rules_of_the_heterostructure():
    model = heterostructure_model(PAPER)
    rng = np.random.default_rng(3)
    k = rng.uniform(-4, 4, (20, 2))
    for orbitals, count in ((("sc",), 1), (("sc", "tmd"), 2)):
        _, w = resolved_weights(model, k, 0.05, np.array([0.2, 0.0, 0.0]), orbitals, np.array([1.0, 0, 0]))
        assert np.allclose(w.sum(-1), count, atol=1e-12)  # completeness, per k and spin
    # int N_s dE over [-E_max, E_max] = 1 per spin-orbital, less the Lorentzian tails beyond the window
    eta = 0.05
    mesh = dos_mesh(model, eta, 0.1, n_theta=4, angular_panels=1)
    b = 12.0  # |E_n| <= |xi| + |Gamma|-mixing + Delta + V < 12 for these parameters (bands within [-9, 9])
    e_max = b + 10
    e = np.linspace(-e_max, e_max, int(2 * e_max / (eta / 2)) + 1)
    for orbital, count in (("sc", 1), ("all", 2)):
        n = lattice_dos(model, mesh, e, eta, 0.05, 0.2, orbital=orbital)
        total = np.trapezoid(n, e, axis=0)
        tail = (2 * eta / np.pi) / (e_max - b)
        assert np.all(total <= count * (1 + 1e-6)) and np.all(total >= count * (1 - tail - 1e-6))


def test_lattice_dos_equals_the_dyson_green_function_of_the_sc_layer():
    """N_s(E) of the SC layer of the 8x8 model = -(1/pi) Im Tr_e (E + i eta - H_SC - Sigma_TMD)^-1 (paper Eq. 4)."""
    from isingsc.normal.greens import sc_greens_function_dyson
    from isingsc.lattice.triangular import KMesh

    model = heterostructure_model(PAPER)
    eta, delta, vx = 0.01, 0.05, 0.1
    mesh = dos_mesh(model, eta, 0.1, n_theta=3, angular_panels=1)
    sub = KMesh(k=mesh.k[::7], weights=mesh.weights[::7] / mesh.weights[::7].sum(), n=0, group="D6")
    e = np.array([-0.12, -0.03, 0.0, 0.04, 0.09])
    n = lattice_dos(model, sub, e, eta, delta, vx).sum(1)
    ref = []
    for x in e:
        g = sc_greens_function_dyson(PAPER, sub.k, x + 1j * eta, delta, (vx, 0.0, 0.0))
        ref.append(-(np.einsum("kii->k", g[:, :2, :2]).imag / np.pi) @ sub.weights)
    # histogram + interpolation error <= 2 (h^2/8) int|L''| N_max, int|L''| = 0.827/eta^2, h = eta/40 (module docs)
    bound = 2 * (1 / 40) ** 2 / 8 * 0.827 * max(n.max(), 1.0) * 2
    assert np.allclose(n, ref, atol=bound, rtol=0)


def test_dIdV_tends_to_the_dos_as_the_junction_temperature_vanishes(pocket):
    bias = np.linspace(-3 * DELTA0, 3 * DELTA0, 61)
    ds = pocket.spectrum(0.0, 0.0, bias=bias, t_junction=0.0)
    assert np.allclose(ds.dIdV.values, np.interp(bias, ds.energy.values, ds.dos.values), atol=1e-12)
    assert ds.attrs["eta"] == ETA and "kmesh" in ds.attrs and ds.dIdV.attrs["units"] == "1"
    warm = pocket.spectrum(0.0, 0.0, bias=bias, t_junction=0.2 * pocket.ref.tc)
    assert warm.dIdV.max() < ds.dIdV.max()  # thermal smearing lowers the coherence peaks


def test_spin_axis_not_along_the_field_is_refused(pocket):
    """rho along z is odd under k -> -k in an in-plane field: the D6 wedge would be wrong."""
    model = intrinsic_ising_model(IsingParams(t=-1.0, mu=-3.0, beta_so=0.5))
    mesh = dos_mesh(model, 0.05, 0.1, n_theta=3, angular_panels=1)
    with pytest.raises(ParameterError, match="spin-resolved"):
        lattice_dos(model, mesh, [0.0], 0.05, 0.1, 0.2, axis=(0.0, 0.0, 1.0))


def test_bad_input():
    with pytest.raises(ParameterError, match="eta"):
        dos_mesh(intrinsic_ising_model(POCKET), 0.0, 0.1)
    with pytest.raises(ParameterError, match="energies"):
        thermal_conductance([0.0, 0.0, 1.0], [1, 1, 1], [0.0], 0.1)
    with pytest.raises(ParameterError, match="dos"):
        thermal_conductance([0.0, 0.5, 1.0], [1, np.nan, 1], [0.0], 0.1)
    with pytest.raises(ParameterError, match="temperature"):
        thermal_conductance([0.0, 0.5, 1.0], [1, 1, 1], [0.0], -0.1)
    with pytest.raises(ParameterError, match="orbital"):
        lattice_dos(intrinsic_ising_model(POCKET), dos_mesh(intrinsic_ising_model(POCKET), 0.05, 0.1), [0.0], 0.05,
                    orbital="tmd")


# ---------------------------------------------------------------- gap against field
def test_gap_versus_field_pauli_jumps_ising_closes_continuously():
    """T = 0.1 Tc0: the isolated SC layer (no SOC) is Pauli limited: Delta stays at its zero-field value
    and jumps to zero at Hc2 ~ HP (first order, T < T* = 0.56 Tc); the Ising superconductor (fitted effective
    model of the heterostructure, Gamma = 0.5, Delta0 = 0.02) loses its gap continuously beyond HP."""
    from isingsc.models.paper import sc_model
    from isingsc.spectroscopy.bulk import gap_versus_field

    ref = sc_model(PAPER)
    pauli = BulkSpectroscopy(ref, delta0=DELTA0, eta=ETA)  # a bare model: its own reference
    T = 0.1 * pauli.ref.tc
    h = np.linspace(0.0, 1.3, 14)
    d = np.array([pauli.gap(T, x * pauli.ref.pauli_field).delta for x in h])
    below = h < 0.95
    assert np.allclose(d[below], d[0], rtol=1e-3)  # flat below the Pauli field (T << Tc)
    assert np.all(d[h > 1.0] == 0.0)
    ising = BulkSpectroscopy("effective-fit", delta0=DELTA0, eta=ETA)  # the catalogue's reference: sc_model(PAPER)
    assert np.allclose(ising.meanfield.model.reference.bdg_hamiltonian(np.ones((3, 2)), 0.1, 0.05),
                       ref.bdg_hamiltonian(np.ones((3, 2)), 0.1, 0.05))
    assert np.allclose(ising.model.bdg_hamiltonian(np.ones((3, 2)), 0.1, 0.05),
                       fit_effective_model(PAPER).model().bdg_hamiltonian(np.ones((3, 2)), 0.1, 0.05))
    ds = gap_versus_field(ising, T, [0.0, 0.6, 1.0, 1.3], bias=np.linspace(-0.08, 0.08, 41))
    assert ds.attrs["transition_order"] == "second" and ds.attrs["Hc2_over_HP"] > 1.3
    assert np.all(np.diff(ds.delta.values) < 0) and ds.delta.values[-1] > 0
    # the quasiparticle gap closes once Vx exceeds the gap on the Gamma-M lines (nodal phase), while Delta > 0
    assert ds.spectral_gap.values[-1] < 0.05 * ds.delta.values[-1]
