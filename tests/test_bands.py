"""Bands and Fermi contours against the closed-form dispersions of paper Eqs. (1) and (3)."""

import numpy as np
import pytest

from isingsc.normal.bands import band_structure, fermi_contours, inside_bz
from isingsc.lattice.triangular import structure_factors
from isingsc.models.paper import PAPER, heterostructure_model, sc_model, tmd_model


def test_tmd_bands_are_eq1_with_spin_labels():
    ds = band_structure(tmd_model(PAPER))
    c, s = structure_factors(np.stack([ds.kx, ds.ky], -1))
    xi, b = 2 * PAPER.t_tmd * c - PAPER.mu_tmd, 2 * PAPER.beta_so * s
    assert np.allclose(ds.energy.values, np.sort(np.stack([xi - np.abs(b), xi + np.abs(b)], -1)), atol=1e-12)
    # away from the Γ-M line the upper band's spin is sign(b)
    split = np.abs(b) > 1e-6
    assert np.allclose(ds.spin_z.values[split, 1], np.sign(b[split]))


def test_coupled_bands_reduce_to_layers_at_zero_gamma():
    ds = band_structure(heterostructure_model(PAPER.with_(gamma=0.0)))
    sc = band_structure(sc_model(PAPER))
    tmd = band_structure(tmd_model(PAPER))
    both = np.sort(np.concatenate([sc.energy.values, tmd.energy.values], axis=1), axis=1)
    assert np.allclose(ds.energy.values, both, atol=1e-12)
    assert np.allclose(ds.orbital_weight.sum("orbital"), 1.0)


def test_fermi_contours_lie_on_the_fermi_surface_inside_the_zone():
    for model, n_segments in ((sc_model(PAPER), 2), (tmd_model(PAPER), 6)):
        ds = fermi_contours(model, n_grid=201)
        k = np.stack([ds.kx.values, ds.ky.values], -1)
        assert inside_bz(k).all()
        e = np.linalg.eigvalsh(model.hamiltonian(k))[np.arange(len(k)), ds.band.values]
        # linear interpolation error of marching squares: ~ curvature * spacing^2
        h = ds.attrs["grid_spacing"]
        assert np.abs(e).max() < 10 * h**2 * 9  # |d2E/dk2| <= 2|t| * 4.5 for this lattice
        assert len(np.unique(ds.segment)) == n_segments


def test_tmd_pockets_have_opposite_spin_at_k_and_k_prime():
    ds = fermi_contours(tmd_model(PAPER), n_grid=151)
    right = ds.kx.values > 3.0  # near K = (4pi/3, 0)
    left = ds.kx.values < -3.0  # near K'
    assert np.allclose(ds.spin_z.values[right], -1.0) and np.allclose(ds.spin_z.values[left], 1.0)


def test_sc_fermi_surface_encloses_half_filling_area():
    """mu_SC = 0: C(k) = 0 contour; its enclosed area fraction equals the mesh fraction with 2tC - mu < 0."""
    ds = fermi_contours(sc_model(PAPER), n_grid=301)
    seg = ds.segment.values == ds.segment.values[0]
    x, y = ds.kx.values[seg], ds.ky.values[seg]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    from isingsc.lattice.triangular import LATTICE, uniform_mesh
    mesh = uniform_mesh(400)
    c, _ = structure_factors(mesh.k)
    assert area / LATTICE.bz_area == pytest.approx(np.mean(2 * PAPER.t_sc * c - PAPER.mu_sc < 0), abs=2e-3)
