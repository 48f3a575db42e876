"""Lattice, Brillouin zone and k-meshes: checked against geometry, not against the code."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from isingsc.core.errors import ParameterError
from isingsc.lattice.triangular import (LATTICE, NN_VECTORS, SYMMETRY_GROUPS, high_symmetry_path, reduced_mesh,
                             structure_factors, uniform_mesh)

from .conftest import k_point


def test_reciprocal_vectors_are_dual():
    assert np.allclose(LATTICE.primitive @ LATTICE.reciprocal.T, 2 * np.pi * np.eye(2))
    # BZ area (2 pi)^2 / (sqrt3/2) for the triangular lattice of unit constant
    assert LATTICE.bz_area == pytest.approx(8 * np.pi**2 / np.sqrt(3))


def test_nn_vectors_are_lattice_vectors_of_unit_length():
    frac = NN_VECTORS @ np.linalg.inv(LATTICE.primitive)
    assert np.allclose(frac, np.rint(frac))
    assert np.allclose(np.linalg.norm(NN_VECTORS, axis=1), 1.0)


def test_structure_factors_at_high_symmetry_points():
    hs = LATTICE.high_symmetry_points
    c, s = structure_factors(hs["K"])
    assert c == pytest.approx(-1.5) and s == pytest.approx(-1.5 * np.sqrt(3))
    c, s = structure_factors(hs["K'"])
    assert s == pytest.approx(1.5 * np.sqrt(3))
    c, s = structure_factors(hs["Γ"])
    assert (c, s) == (pytest.approx(3.0), pytest.approx(0.0))
    c, s = structure_factors(hs["M"])
    assert c == pytest.approx(-1.0) and s == pytest.approx(0.0, abs=1e-14)


def test_k_points_are_zone_corners_and_m_midpoints():
    # |K| = 4pi/3 and K is equidistant from Gamma and the neighbouring zone centres b1 + b2 ... images
    b = LATTICE.reciprocal
    K = LATTICE.high_symmetry_points["K"]
    images = [b[0], b[0] + b[1], -b[1], -b[0], -(b[0] + b[1]), b[1]]
    dists = sorted(np.linalg.norm(K - g) for g in images)
    assert dists[0] == pytest.approx(np.linalg.norm(K)) and dists[1] == pytest.approx(np.linalg.norm(K))
    M = LATTICE.high_symmetry_points["M"]
    assert any(np.allclose(2 * M, g) for g in images)


@given(t=st.floats(-10, 10))
def test_s_vanishes_on_gamma_m_lines(t):
    for angle in np.pi / 6 + np.arange(6) * np.pi / 3:  # the six Γ-M directions
        k = t * np.array([np.cos(angle), np.sin(angle)])
        assert abs(structure_factors(k)[1]) < 1e-12 * max(1.0, abs(t))


@given(k=k_point)
def test_structure_factor_point_group(k):
    k = np.array(k)
    c, s = structure_factors(k)
    rot = lambda th: np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    c3, s3 = structure_factors(rot(2 * np.pi / 3) @ k)
    assert c3 == pytest.approx(c, abs=1e-12) and s3 == pytest.approx(s, abs=1e-12)
    c6, s6 = structure_factors(rot(np.pi / 3) @ k)  # C6 = C3 * inversion: S odd, C even
    assert c6 == pytest.approx(c, abs=1e-12) and s6 == pytest.approx(-s, abs=1e-12)
    cm, sm = structure_factors(k * np.array([1, -1]))  # mirror ky -> -ky keeps S
    assert sm == pytest.approx(s, abs=1e-12)


def test_fold_to_bz_is_periodic_and_idempotent(rng):
    k = rng.uniform(-20, 20, size=(200, 2))
    f = LATTICE.fold_to_bz(k)
    assert np.allclose(structure_factors(f), structure_factors(k), atol=1e-10)
    assert np.allclose(LATTICE.fold_to_bz(f), f)
    assert np.all(np.linalg.norm(f, axis=1) <= 4 * np.pi / 3 + 1e-9)


@pytest.mark.parametrize("n", [6, 9, 12])
def test_uniform_mesh_covers_zone_once(n):
    mesh = uniform_mesh(n)
    assert len(mesh) == n * n and mesh.weights.sum() == pytest.approx(1.0)
    folded = LATTICE.fold_to_bz(mesh.k)
    # distinct points of the zone (no double counting modulo reciprocal vectors)
    frac = np.mod(np.rint(LATTICE.cartesian_to_fractional(folded) * n), n)
    assert len({tuple(x) for x in frac.astype(int)}) == n * n
    # discrete orthogonality: <exp(i k.R)> = 0 for lattice vectors R not in n * lattice
    for R in ([1, 0], [2, 3], [n - 1, 1]):
        r = np.array(R) @ LATTICE.primitive
        assert abs(mesh.average(np.exp(1j * mesh.k @ r))) < 1e-12


@pytest.mark.parametrize("group", sorted(SYMMETRY_GROUPS))
@pytest.mark.parametrize("n", [6, 12, 13])
def test_reduced_mesh_sums_agree_with_full_mesh(group, n):
    """Sums of group-invariant functions over the reduced mesh equal the full-mesh sums."""
    full = uniform_mesh(n)
    red = reduced_mesh(n, group)
    assert red.weights.sum() == pytest.approx(1.0)
    c_full, s_full = structure_factors(full.k)
    c_red, s_red = structure_factors(red.k)
    # C and any function of C, |S| are D6-invariant; S itself only C3v-invariant
    f = lambda c, s: np.cos(c) + c**3 * s**2 + np.abs(s) ** 1.5
    assert red.average(f(c_red, s_red)) == pytest.approx(full.average(f(c_full, s_full)), rel=1e-12)
    if group in ("C1", "C3v"):
        g = lambda c, s: s**3 + c * s
        assert red.average(g(c_red, s_red)) == pytest.approx(full.average(g(c_full, s_full)), abs=1e-12)
    if group != "C1":
        assert len(red) < len(full)


def test_reduced_mesh_would_fail_for_a_non_invariant_function():
    """The D6 reduction must not reproduce sums of functions that break the symmetry (the test can fail)."""
    full, red = uniform_mesh(12), reduced_mesh(12, "D6")
    f = lambda k: np.cos(k[:, 0]) * (k[:, 0] > 0.1)
    assert abs(red.average(f(red.k)) - full.average(f(full.k))) > 1e-3


def test_path_and_bad_input():
    path = high_symmetry_path()
    assert path.labels == ("Γ", "K", "M", "Γ")
    assert np.allclose(path.k[0], 0) and np.allclose(path.k[-1], 0)
    assert path.tick_positions[1] == pytest.approx(4 * np.pi / 3)
    with pytest.raises(ParameterError, match="labels"):
        high_symmetry_path(("Γ", "X"))
    with pytest.raises(ParameterError, match="n"):
        uniform_mesh(0)
    with pytest.raises(ParameterError, match="group"):
        reduced_mesh(6, "D4h")
