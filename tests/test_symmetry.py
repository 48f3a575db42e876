"""The k-space symmetries documented in isingsc.lattice.triangular, tested on the Hamiltonians.

C3v acting on k alone is exact in any in-plane field; k -> -k is a symmetry of the
spectrum through U = (n.sigma) tau_z for a field along n.  These decide which
symmetry-reduced meshes solvers may use.
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from isingsc.lattice.triangular import reduced_mesh, uniform_mesh
from isingsc.models.paper import heterostructure_model
from isingsc.core.field import Field
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ

from .conftest import heterostructure_params, k_point


def _rot(th):
    return np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])


C3V = [_rot(2 * np.pi / 3), _rot(4 * np.pi / 3), np.diag([1.0, -1.0]),
       _rot(2 * np.pi / 3) @ np.diag([1.0, -1.0]), _rot(4 * np.pi / 3) @ np.diag([1.0, -1.0])]


@given(params=heterostructure_params(), k=k_point, v=st.floats(0, 1), phi=st.floats(0, 2 * np.pi),
       delta=st.floats(0, 0.5))
def test_c3v_on_k_alone_is_exact_in_any_in_plane_field(params, k, v, phi, delta):
    model = heterostructure_model(params)
    k = np.array(k)
    h = model.bdg_hamiltonian(k, delta, Field.in_plane(v, phi))
    for g in C3V:
        assert np.allclose(model.bdg_hamiltonian(g @ k, delta, Field.in_plane(v, phi)), h, atol=1e-11)


@given(params=heterostructure_params(), k=k_point, v=st.floats(0, 1), phi=st.floats(0, 2 * np.pi),
       delta=st.floats(0, 0.5))
def test_inversion_through_spin_rotation_about_the_field(params, k, v, phi, delta):
    model = heterostructure_model(params)
    k = np.array(k)
    n_sigma = np.cos(phi) * SIGMAX + np.sin(phi) * SIGMAY
    # Nambu: particle block rotated by n.sigma, hole block by (n.sigma)^* with the tau_z sign
    u = np.kron(np.diag([1.0, -1.0]), np.eye(1))
    layers = len(model.orbitals)
    U = np.block([[np.kron(np.eye(layers), n_sigma), np.zeros((2 * layers, 2 * layers))],
                  [np.zeros((2 * layers, 2 * layers)), -np.kron(np.eye(layers), n_sigma.conj())]])
    del u
    field = Field.in_plane(v, phi)
    h, h_minus = model.bdg_hamiltonian(k, delta, field), model.bdg_hamiltonian(-k, delta, field)
    assert np.allclose(U @ h @ U.conj().T, h_minus, atol=1e-11)


def test_out_of_plane_field_breaks_k_to_minus_k_for_the_spectrum():
    """Documented limit: a field with a z component lifts E(k) = E(-k) (so D6 meshes are invalid)."""
    model = heterostructure_model()
    k = np.array([1.0, 0.3])
    e1 = np.linalg.eigvalsh(model.bdg_hamiltonian(k, 0.05, (0.0, 0.0, 0.3)))
    e2 = np.linalg.eigvalsh(model.bdg_hamiltonian(-k, 0.05, (0.0, 0.0, 0.3)))
    assert not np.allclose(e1, e2, atol=1e-6)


def test_d6_reduced_free_energy_sum_equals_full_mesh_in_field():
    """A spectrum-only BZ sum (the free-energy kernel) over the D6 wedge equals the full sum at Vx != 0."""
    model = heterostructure_model()
    T = 0.05

    def kernel(k):
        e = np.linalg.eigvalsh(model.bdg_hamiltonian(k, 0.1, Field.in_plane(0.2, 0.7)))
        return np.log(2 * np.cosh(e / (2 * T))).sum(-1)

    full, red = uniform_mesh(18), reduced_mesh(18, "D6")
    assert red.average(kernel(red.k)) == pytest.approx(full.average(kernel(full.k)), rel=1e-12)


def test_spin_z_spectral_weight_is_odd_under_k_to_minus_k():
    model = heterostructure_model()
    k = np.array([1.3, 0.4])
    for kk, sign in ((k, 1), (-k, -1)):
        e, u = np.linalg.eigh(model.bdg_hamiltonian(kk))
        sz = np.einsum("an,ab,bn->n", u[:2].conj(), SIGMAZ, u[:2]).real
        if sign == 1:
            ref = sz
        else:
            assert np.allclose(sz, -ref, atol=1e-10)


def test_reduced_sums_refuse_models_without_the_symmetry():
    """A model whose spectrum breaks D6/C3v (here a Rashba-like sigma_y hopping) is never summed on the
    irreducible wedge: the mean-field quadrature falls back to half the zone (exact for on-site singlet
    pairing by k -> -k; checked against the full zone in tests/test_families.py), and the spin-resolved
    DOS is summed on the full mesh instead of the C3v-reduced one (whose orbit sums it would get wrong)."""
    from isingsc.lattice.quadrature import QuadratureSpec
    from isingsc.lattice.triangular import uniform_mesh
    from isingsc.meanfield.quadrature import quadrature_for
    from isingsc.models.base import TightBindingModel
    from isingsc.normal.greens import density_of_states, dos_dataset

    hop = {(0, 0): 0.0 * SIGMAX, (1, 0): -1.0 * np.eye(2) + 0.3j * SIGMAY, (0, 1): -1.0 * np.eye(2)}
    model = TightBindingModel("anisotropic", ("sc",), hop, pairing_orbitals=("sc",))
    mesh = quadrature_for(model, QuadratureSpec()).mesh()
    assert mesh.group.startswith("C2") and mesh.weights.sum() == pytest.approx(1.0, abs=1e-12)
    ds = dos_dataset(model, [0.0, 0.4], eta=0.1, n_k=12, orbital="sc")
    assert "C3v" not in ds.attrs["kmesh"] and "144 points" in ds.attrs["kmesh"]
    full = density_of_states(model, uniform_mesh(12), [0.0, 0.4], 0.1, "sc")
    np.testing.assert_allclose(ds.dos_up.values, full[:, 0], rtol=1e-12)
    np.testing.assert_allclose(ds.dos_down.values, full[:, 1], rtol=1e-12)
    reduced = density_of_states(model, reduced_mesh(12, "C3v"), [0.0, 0.4], 0.1, "sc")
    assert not np.allclose(reduced, full, rtol=0.05)  # the orbit sums would be wrong for this model
    # a C3v-symmetric model keeps the reduced mesh
    assert "C3v" in dos_dataset(heterostructure_model(), [0.0], eta=0.1, n_k=12, orbital="sc").attrs["kmesh"]
