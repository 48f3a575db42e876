"""Normal-metal probes: the BTK formula against its known limits, the edge junction against golden-rule
tunnelling, unitarity, the quantised Majorana zero-bias peak and selective equal-spin Andreev reflection.

References (not the code under test):
* BTK (PRB 25, 4515 (1982)): Z = 0 gives G_NS/G_NN = 2 inside the gap and 2|E|/(|E| + sqrt(E^2 - D^2))
  outside; for |E| < D, A = D^2/(E^2 + (D^2 - E^2)(1 + 2Z^2)^2) and B = 1 - A; Z -> infinity gives the BCS
  (Dynes) DOS with corrections O(1/Z^2); Delta = 0 gives 1;
* Fermi's golden rule: G = 4 pi gamma A_e,contact(E) + O(gamma^2) for a weakly coupled lead;
* unitarity of S where the superconductor has no states at E; no Andreev reflection in the normal state;
* a Majorana zero mode gives resonant Andreev reflection, G(0) = 2 e^2/h per mode (tunnelling limit),
  |W(ky)| modes at ky (bulk winding, isingsc.topology.bulk);
* a single Majorana is fully spin polarised on a site (in plane); electrons with spin along it are
  Andreev reflected, antiparallel ones normally reflected (He, Ng, Lee & Law, PRL 112, 037001 (2014)).
"""

import numpy as np
import pytest

from isingsc.topology.edge import SemiInfiniteEdge
from isingsc.spectroscopy.edge import EdgeSpectroscopy
from isingsc.core.errors import ParameterError
from isingsc.models.paper import PAPER, IsingParams, heterostructure_model, intrinsic_ising_model
from isingsc.spectroscopy.bulk import dynes_dos
from isingsc.topology.bulk import winding_number
from isingsc.spectroscopy.tunnelling import (EdgeJunction, barrier_strength, btk_coefficients, btk_conductance,
                                edge_conductance_spectrum, normal_state_conductance, transparency)

ISING = IsingParams(t=-1.0, mu=-3.0, beta_so=1.0)
DELTA = 0.25
KY = np.array([1.5, -0.76, 1.0, 0.3])  # |W| = 1, 2, 0, 0 at Vx = 3 Delta (tests/test_edge.py)


# ---------------------------------------------------------------- BTK
def test_btk_transparent_contact():
    e = np.array([-0.9, -0.3, 0.0, 0.5, 0.99])
    assert np.allclose(btk_conductance(e, 1.0, 0.0), 2.0)
    e = np.array([-3.0, -1.2, 1.01, 1.5, 4.0])
    ae = np.abs(e)
    assert np.allclose(btk_conductance(e, 1.0, 0.0), 2 * ae / (ae + np.sqrt(e * e - 1)))


def test_btk_in_gap_closed_form_and_charge_conservation():
    e = np.linspace(-0.95, 0.95, 39)
    for z in (0.3, 1.0, 3.0):
        a, b = btk_coefficients(e, 1.0, z)
        assert np.allclose(a, 1 / (e**2 + (1 - e**2) * (1 + 2 * z * z) ** 2))
        assert np.allclose(a + b, 1.0)
    # above the gap quasiparticles enter the superconductor: A + B < 1
    a, b = btk_coefficients(np.array([1.2, 2.0]), 1.0, 0.5)
    assert np.all(a + b < 1)


def test_btk_tunnelling_limit_is_the_dynes_dos():
    e = np.linspace(-3, 3, 61)
    for gamma in (0.0, 0.05):
        e_use = e[np.abs(np.abs(e) - 1) > 1e-9] if gamma == 0 else e
        d = dynes_dos(e_use, 1.0, gamma)
        err = [np.abs(btk_conductance(e_use, 1.0, z, gamma) - d).max() for z in (30.0, 300.0)]
        assert err[1] < 1e-3 and err[1] < err[0] / 50  # O(1/Z^2): 100x smaller for 10x the barrier


def test_btk_normal_state_and_thermal_smearing():
    assert np.allclose(btk_conductance(np.linspace(-2, 2, 9), 0.0, 0.7), 1.0)
    v = np.linspace(-3, 3, 61)
    warm = btk_conductance(v, 1.0, 0.0, 0.0, temperature=0.3)
    assert warm.max() < 2.0 and warm[30] < 2.0 and np.allclose(warm, warm[::-1], atol=1e-9)
    assert transparency(barrier_strength(0.25)) == pytest.approx(0.25)
    with pytest.raises(ParameterError, match="Z"):
        btk_conductance([0.0], 1.0, -1.0)


# ---------------------------------------------------------------- the edge junction
@pytest.fixture(scope="module")
def edge():
    return SemiInfiniteEdge(intrinsic_ising_model(ISING), "armchair-y", DELTA, 3 * DELTA)


def test_golden_rule_in_the_tunnelling_limit(edge):
    """G / (4 pi gamma A_e) -> 1 with corrections linear in gamma (A_e from the edge LDOS module)."""
    es = EdgeSpectroscopy(edge.model, DELTA, 3 * DELTA, ky=KY)
    e = np.array([0.3, 0.5, -0.4, 0.9])
    a = es.ldos(e, 1e-3, orbital="all").A.values
    dev = []
    for gamma in (1e-3, 1e-2):
        g = EdgeJunction(edge, gamma, "layer").conductance(KY, e, eta=1e-3).G.values
        dev.append(np.abs(g / (4 * np.pi * gamma * a) - 1).max())
    assert dev[0] < 5e-3 and 0.05 < dev[0] / dev[1] < 0.2  # first order in gamma


def test_unitarity_in_the_gap_and_no_andreev_reflection_in_the_normal_state():
    model = intrinsic_ising_model(ISING)
    gapped = SemiInfiniteEdge(model, "armchair-y", DELTA, 0.0)  # Vx = 0: |E| >= Delta everywhere
    ds = EdgeJunction(gapped, 0.1, "layer").conductance(KY, [0.0, 0.5 * DELTA], eta=1e-10)
    assert ds.unitarity_defect.values.max() < 1e-6
    assert np.allclose(ds.G.values, 2 * ds.G_andreev.values, atol=1e-6)  # G = 2 Tr r_he^dag r_he
    normal = SemiInfiniteEdge(model, "armchair-y", 0.0, 0.3)
    dn = EdgeJunction(normal, 0.1, "layer").conductance(KY, [0.0, 0.4], eta=1e-6)
    assert np.all(dn.G_andreev.values == 0.0) and np.all(dn.G.values <= dn.attrs["channels"] + 1e-9)


def test_majorana_zero_bias_peak_is_quantised(edge):
    """G(E = 0, ky) = 2 |W(ky)| e^2/h in the tunnelling limit (gamma = 0.01); off-resonant channels add
    O(gamma^2) (measured at the W = 0 momenta, < 1e-3)."""
    w = np.abs(winding_number(edge.model, DELTA, 3 * DELTA, KY).winding.values)
    assert w.tolist() == [1, 2, 0, 0]
    for contact in ("site", "layer"):
        g = EdgeJunction(edge, 0.01, contact).conductance(KY, [0.0]).G.values[:, 0]
        assert np.all(np.abs(g - 2 * w) < 3e-3)
    # away from zero bias the resonance is gone (its width is ~ 2 gamma w_contact ~ 1e-3 here)
    g = EdgeJunction(edge, 0.01, "site").conductance(KY[:1], [0.05]).G.values
    assert g.max() < 0.1


def test_selective_equal_spin_andreev_reflection(edge):
    """Single-site contact, one Majorana (|W| = 1): only electrons with spin along the Majorana's spin on
    that site are Andreev reflected (G_par = 2, G_anti = 0); its spin is in plane and equals the zero-mode
    spin computed from the surface Green's function pole (isingsc.spectroscopy.edge)."""
    sel = EdgeJunction(edge, 0.01, "site").spin_selectivity(KY)
    assert sel.selectivity.values[0] == pytest.approx(1.0, abs=1e-4)
    assert sel.G_parallel.values[0] == pytest.approx(2.0, abs=1e-3)
    assert sel.G_antiparallel.values[0] == pytest.approx(0.0, abs=1e-3)
    zb = EdgeSpectroscopy(edge.model, DELTA, 3 * DELTA, ky=KY[:1]).zero_bias_peak(winding=False)
    site = zb.spin_site.sel(column=0).values[0, 0]  # outermost column, the (only) orbital
    n_m = site / np.linalg.norm(site)
    assert abs(n_m[2]) < 1e-9  # the Majorana's spin is in plane
    # the lead's self-energy -i gamma dresses the resonance: the reflected spin axis tilts by O(gamma)
    dev = [np.linalg.norm(EdgeJunction(edge, g, "site").spin_selectivity(KY[:1]).axis.values[0] - n_m)
           for g in (1e-3, 1e-2)]
    assert dev[0] < 1e-3 and 5 < dev[1] / dev[0] < 20
    # two Majoranas at one site (|W| = 2) take both spin channels: no selectivity
    assert sel.selectivity.values[1] < 1e-4 and sel.G.values[1] == pytest.approx(4.0, abs=3e-3)


def test_ky_integrated_zero_bias_conductance_counts_the_flat_band_states(edge):
    """int dky/2pi G(ky, 0) = 2 e^2/h per zero mode per a of edge = 2 x the flat-band density, up to the
    ky near the interval ends where the resonance (width ~ gamma w_contact -> 0 there) is narrower than eta."""
    junction = EdgeJunction(edge, 0.05, "site")
    spec = edge_conductance_spectrum(junction, [-1e-3, 0.0, 1e-3], n_ky=200, eta=1e-7)
    zb = EdgeSpectroscopy(edge.model, DELTA, 3 * DELTA, n_ky=200).zero_bias_peak(winding=False)
    g0 = float(spec.G.values[1])
    dky = 2 * np.pi / np.sqrt(3) / 200
    # each of the 8 interval ends may lose at most one ky cell of |dW| <= 2 modes, 2 e^2/h each
    assert abs(g0 - 2 * zb.attrs["flat_band_density"]) <= 8 * 2 * 2 * dky / (2 * np.pi)
    assert spec.G_over_GN.values[1] > 1.0  # a zero-bias conductance peak above the normal state
    assert np.allclose(spec.G_spin.values.sum(-1), spec.G.values)


def test_normal_state_conductance_and_bad_input(edge):
    gn = normal_state_conductance(EdgeJunction(edge, 0.05, "site"), KY, [0.0, 0.3])
    assert np.all(gn >= 0) and np.all(gn <= 2 + 1e-9)  # two electron channels (spin) at one site
    with pytest.raises(ParameterError, match="contact"):
        EdgeJunction(edge, 0.1, "tip")
    with pytest.raises(ParameterError, match="coupling"):
        EdgeJunction(edge, 0.0)
    with pytest.raises(ParameterError, match="side"):
        EdgeJunction(edge, 0.1, side="top")
    with pytest.raises(ParameterError, match="edge"):
        EdgeJunction("armchair-y", 0.1)
    with pytest.raises(ParameterError, match="energies"):
        edge_conductance_spectrum(EdgeJunction(edge, 0.1), [0.0, 0.1], n_ky=4, temperature=0.01)


def test_zero_bias_peak_of_the_paper_heterostructure():
    """PAPER (Gamma = 0.5), Delta = 0.05, Vx = 4 Delta: G(0) = 2|W| at flat-band momenta (|W| = 1 at 1.26,
    |W| = 2 at 1.167, from isingsc.topology.bulk) for a point contact on the SC orbital of the outer column.  The
    weaker of the two modes at 1.167 has a contact weight ~1e-5, so its resonance (width ~ gamma w) must
    stay >> eta = 1e-9: gamma = 0.1.  The single Majorana is spin selective."""
    model = heterostructure_model(PAPER)
    edge = SemiInfiniteEdge(model, "armchair-y", 0.05, 0.2)
    ky = np.array([1.26, 1.167])
    w = np.abs(winding_number(model, 0.05, 0.2, ky).winding.values)
    assert w.tolist() == [1, 2]
    sel = EdgeJunction(edge, 0.1, "site").spin_selectivity(ky)
    assert np.all(np.abs(sel.G.values - 2 * w) < 2e-3)
    assert sel.selectivity.values[0] > 0.999
