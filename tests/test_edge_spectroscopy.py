"""Edge spectroscopy: the zero-bias peak of the Majorana flat bands, against known results.

References (not the code under test):
* bulk-boundary correspondence: |W(ky)| zero modes per edge at each ky, W from the bulk chiral winding
  (isingsc.topology.bulk.winding_intervals: the nodes' projections bound its intervals); so the number of
  zero-energy states per unit length of edge is int dky/(2 pi) |W(ky)|: the length of the flat-band
  intervals weighted by |W|;
* a Majorana mode psi = tau_x psi^* (the 1D particle-hole symmetry P = tau_x K at fixed ky) has equal
  electron and hole weight on every site; in the C = sigma_x tau_y eigenspace it fixes the electron
  spinor of each site to e^{-i pi/4}(a |+x> + i b |-x>) with a, b real: fully spin polarised, in plane;
* the 1D time reversal T = sigma_x tau_z K at fixed ky makes every spin-z density of the edge vanish;
* normalised zero modes: their weights summed over all layers equal the number of modes; the tail
  decays with the longest evanescent decay length xi of the bulk chain at E = 0 (weight ~ e^{-2d/xi});
* a pole w/(E + i eta) of the Green's function: pi eta A(E = 0) -> w as eta -> 0 (eta << line gap).
"""

import numpy as np
import pytest

from isingsc.lattice.triangular import edge_momenta
from isingsc.spectroscopy.edge import EdgeSpectroscopy, ldos_field_scan, tail_decay_length
from isingsc.core.errors import ParameterError
from isingsc.models.paper import PAPER, IsingParams, fit_effective_model, heterostructure_model, intrinsic_ising_model

# The single-band test model of tests/test_edge.py: short decay lengths (10-100 columns).
ISING = IsingParams(t=-1.0, mu=-3.0, beta_so=1.0)
DELTA = 0.25


def _ends(intervals):
    """Sum over interval ends of |Delta W| (the jumps of W along ky, on the circle).  Where W changes
    (even only its sign, |W| unchanged) a node closes the line gap and the zero modes delocalise, so the
    count may fail in the grid cell next to it: at most |Delta W| modes over half a cell on average."""
    w = np.array([iv[2] for iv in intervals])
    return float(np.sum(np.abs(w - np.roll(w, 1))))


@pytest.mark.parametrize("ratio", [2.0, 3.0, 4.0])
def test_flat_band_density_is_the_winding_weighted_interval_length(ratio):
    """int dky/2pi n_modes(ky) = int dky/2pi |W(ky)|: the ky-integrated zero-bias weight is proportional to
    the length of the flat-band intervals weighted by |W| (here the intervals grow with Vx)."""
    es = EdgeSpectroscopy(intrinsic_ising_model(ISING), DELTA, ratio * DELTA, n_ky=400)
    zb = es.zero_bias_peak()
    a = zb.attrs
    expected = a["flat_band_density_from_winding"]
    assert expected > 0
    # midpoint rule on a step function: error <= (h/2) |jump| per interval end, h the ky spacing
    bound = 0.5 * es.dky * _ends(json_list(a["winding_intervals"])) / (2 * np.pi)
    assert abs(a["flat_band_density"] - expected) <= bound
    # the same on the other edge
    zr = es.zero_bias_peak(side="right", winding=False)
    assert np.array_equal(zr.n_modes.values, zb.n_modes.values)


def json_list(value):
    """winding_intervals attr back to [(lo, hi, W), ...] (a flat list once stored)."""
    v = np.asarray(value, dtype=float).reshape(-1, 3)
    return [tuple(r) for r in v]


def test_flat_band_density_of_the_effective_heterostructure_model():
    """The paper's parameters (fitted effective model), Delta = 0.05, Vx = 4 Delta (as the Fig. 4 tests)."""
    es = EdgeSpectroscopy(fit_effective_model(PAPER).model(), 0.05, 0.2, n_ky=300)
    zb = es.zero_bias_peak()
    a = zb.attrs
    bound = 0.5 * es.dky * _ends(json_list(a["winding_intervals"])) / (2 * np.pi)
    assert a["flat_band_density_from_winding"] > 0
    assert abs(a["flat_band_density"] - a["flat_band_density_from_winding"]) <= bound
    none = EdgeSpectroscopy(fit_effective_model(PAPER).model(), 0.05, 0.0, n_ky=300).zero_bias_peak()
    assert none.attrs["flat_band_density"] == 0 and none.attrs["flat_band_density_from_winding"] == 0


def test_flat_band_density_of_the_exact_heterostructure():
    """The exact 8-orbital heterostructure (PAPER, Gamma = 0.5), Delta = 0.05, Vx = 4 Delta (~5 s)."""
    es = EdgeSpectroscopy(heterostructure_model(PAPER), 0.05, 0.2, n_ky=600)
    a = es.zero_bias_peak().attrs
    bound = 0.5 * es.dky * _ends(json_list(a["winding_intervals"])) / (2 * np.pi)
    assert abs(a["flat_band_density"] - a["flat_band_density_from_winding"]) <= bound


def test_zero_bias_peak_absent_without_field_present_at_four_delta():
    """Exact heterostructure (PAPER, Delta = 0.05), tunnelling into the SC layer at the edge: the ky-integrated
    LDOS has a gap and no peak at E = 0 for Vx = 0 (W = 0 everywhere) and a zero-bias peak at Vx = 4 Delta."""
    model = heterostructure_model(PAPER)
    eta = 0.05 / 25
    e = np.array([-1.0, -4 * eta, -2 * eta, 0.0, 2 * eta, 4 * eta, 1.0]) * np.array([0.05, 1, 1, 1, 1, 1, 0.05])
    scan = ldos_field_scan(model, 0.05, [0.0, 0.2], e, eta, n_ky=36)
    n0, n4 = scan.N_edge.values
    # Vx = 0: the in-gap LDOS at E = 0 is small next to the coherence peaks at +-Delta, and not a maximum
    assert n0[3] < n0[2] and n0[3] < n0[4] and n0[3] < 0.05 * min(n0[0], n0[-1])
    assert np.argmax(n4[1:-1]) == 2 and n4[3] > 1.5 * max(n4[1], n4[-2])  # the peak
    # spin-resolved parts add up
    assert np.allclose(scan.N_edge_spin.values.sum(-1), scan.N_edge.values)
    assert scan.N_edge.attrs["units"] == "states / |t| / a of edge"


def test_majorana_modes_are_half_electron_and_locally_spin_polarised_in_plane():
    es = EdgeSpectroscopy(intrinsic_ising_model(ISING), DELTA, 3 * DELTA, n_ky=120)
    zb = es.zero_bias_peak(winding=False)
    has = zb.n_modes.values > 0
    single = zb.n_modes.values == 1
    assert has.sum() > 10 and single.sum() > 5
    w, we = zb.weight.values[has], zb.weight_electron.values[has]
    assert np.allclose(we, w / 2, rtol=1e-6)
    assert np.allclose(zb.weight_hole.values[has], w / 2, rtol=1e-6)
    assert np.all(np.abs(zb.local_polarisation_min.values[single] - 1) < 1e-6)
    # spin in plane: the z density vanishes (relative to the electron weight; bulk leakage ~ (eta/E_g)^2)
    assert np.all(np.abs(zb.spin.values[has, 2]) < 1e-5 * we)


def test_ldos_pole_weight_equals_the_zero_mode_weight():
    """pi eta A_e(ky, 0) -> w_e(ky) for eta << line gap (a simple pole at E = 0)."""
    model = intrinsic_ising_model(ISING)
    ky = [1.5, -0.76, 1.0]  # |W| = 1, 2 and 0 (tests/test_edge.py)
    es = EdgeSpectroscopy(model, DELTA, 3 * DELTA, ky=ky)
    zb = es.zero_bias_peak(winding=False)
    assert zb.n_modes.values.tolist() == [1, 2, 0]
    # eta = 1e-5: << the line gaps (>= 0.048 here, so (eta/E_g)^2 < 1e-7) and >> the rounding floor of the
    # decimated zero-mode energy (~1e-8 B, docs/edges.md)
    eta = 1e-5
    a0 = es.ldos([0.0], eta).A.values[:, 0]
    assert np.allclose(np.pi * eta * a0[:2], zb.weight_electron.values[:2], rtol=1e-5)
    assert np.pi * eta * a0[2] < 1e-8


def test_depth_profile_holds_each_mode_once_and_decays_with_the_evanescent_length():
    model = intrinsic_ising_model(ISING)
    es = EdgeSpectroscopy(model, DELTA, 3 * DELTA, ky=[1.5, -0.76, 1.45, 1.0])
    prof = es.depth_profile(es.ky, 400)
    total = prof.cumulative_weight.values[:, -1]
    # 400 layers = 800 columns >> xi (<= 100 columns): each normalised mode counted once
    assert np.allclose(total, [1, 2, 1, 0], atol=1e-4)
    assert np.allclose(prof.weight_electron.values.sum(1), total / 2, atol=1e-4)
    xi = tail_decay_length(prof.isel(ky=[0, 1, 2]))
    ref = es.edge.decay_length(es.ky[:3]).xi.values
    # the tail is the slowest evanescent channel; sub-leading channels bias the fitted slope by a few %
    assert np.allclose(xi, ref, rtol=0.05)
    assert prof.distance.attrs["units"] == "a"


def test_ky_grid_and_bad_input():
    ky = edge_momenta(np.sqrt(3), 4)
    assert np.allclose(np.diff(ky), 2 * np.pi / np.sqrt(3) / 4) and np.isclose(ky.sum(), 0.0)
    es = EdgeSpectroscopy(intrinsic_ising_model(ISING), DELTA, 0.5, ky=[1.0])
    assert "N_edge" not in es.ldos([0.0], 0.01)  # explicit momenta: no ky integral
    assert "flat_band_density" not in es.zero_bias_peak(winding=False).attrs  # a ky integral: not on explicit ky
    with pytest.raises(ParameterError, match="side"):
        es.ldos([0.0], 0.01, side="top")
    with pytest.raises(ParameterError, match="eta"):
        es.ldos([0.0], 0.0)
    with pytest.raises(ParameterError, match="field"):
        EdgeSpectroscopy(intrinsic_ising_model(ISING), DELTA, float("nan"))
    with pytest.raises(ParameterError, match="field strength"):
        ldos_field_scan(intrinsic_ising_model(ISING), DELTA, [-0.5], [0.0], 0.01)
    with pytest.raises(ParameterError, match="n_ky"):
        edge_momenta(1.0, 1)
