"""Model builders: validation, Hermiticity, particle-hole symmetry, closed forms and the self-energy."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from isingsc.core.errors import ParameterError
from isingsc.normal.greens import embedded_self_energy, greens_function, sc_greens_function_dyson, tmd_self_energy
from isingsc.lattice.triangular import LATTICE, structure_factors
from isingsc.models.paper import (PAPER, HeterostructureParams, IsingParams, effective_model,
                            heterostructure_bdg_closed_form, heterostructure_model, induced_ising_soc,
                            intrinsic_ising_model, sc_model, tmd_model)
from isingsc.models.base import SIGMAX, SIGMAZ, TightBindingModel

from .conftest import finite, heterostructure_params, k_point

TAU_X = np.array([[0, 1], [1, 0]])
field = st.tuples(st.floats(-1, 1), st.floats(-1, 1))


def _all_nambu_models(params):
    return [heterostructure_model(params), sc_model(params), tmd_model(params),
            intrinsic_ising_model(IsingParams(params.t_sc, params.mu_sc, params.beta_so))]


@given(params=heterostructure_params(), k=k_point, delta=st.complex_numbers(max_magnitude=1.0), v=field)
def test_nambu_hermitian_and_particle_hole(params, k, delta, v):
    k = np.array(k)
    for model in _all_nambu_models(params):
        h = model.bdg_hamiltonian(k, delta, v)
        h_minus = model.bdg_hamiltonian(-k, delta, v)
        assert np.allclose(h, h.conj().T, atol=1e-12)
        px = np.kron(TAU_X, np.eye(model.dim))
        # P = tau_x K:  P H(k)^* P^-1 = -H(-k)
        assert np.allclose(px @ h.conj() @ px, -h_minus, atol=1e-12)
        # the spectrum is therefore symmetric: E_n(k) = -E_m(-k)
        assert np.allclose(np.linalg.eigvalsh(h), -np.linalg.eigvalsh(h_minus)[::-1], atol=1e-10)


@given(params=heterostructure_params(), k=k_point, delta=st.complex_numbers(max_magnitude=1.0), v=field)
def test_closed_form_matches_general_tight_binding(params, k, delta, v):
    k = np.array(k)
    c, s = structure_factors(k)
    h_general = heterostructure_model(params).bdg_hamiltonian(k, delta, v)
    assert np.allclose(heterostructure_bdg_closed_form(params, c, s, delta, v), h_general, atol=1e-12)


@given(k=k_point)
def test_tmd_is_paper_eq1(k):
    k = np.array(k)
    c, s = structure_factors(k)
    h = tmd_model(PAPER).hamiltonian(k)
    expected = (2 * PAPER.t_tmd * c - PAPER.mu_tmd) * np.eye(2) + 2 * PAPER.beta_so * s * SIGMAZ
    assert np.allclose(h, expected, atol=1e-12)


def test_sc_bdg_is_paper_eq3():
    k = np.array([0.7, -0.3])
    c, _ = structure_factors(k)
    delta, vx = 0.13, 0.07
    sy = np.array([[0, -1j], [1j, 0]])
    tz, ty = np.diag([1, -1]), np.array([[0, -1j], [1j, 0]])
    expected = ((2 * PAPER.t_sc * c - PAPER.mu_sc) * np.kron(tz, np.eye(2)) + delta * np.kron(ty, sy)
                + vx * np.kron(tz, SIGMAX))
    assert np.allclose(sc_model(PAPER).bdg_hamiltonian(k, delta, vx), expected, atol=1e-12)


def test_tmd_ising_field_at_k_is_3sqrt3_beta():
    """The paper's "3 sqrt3 beta_SO at K" is the Ising field 2 beta |S(K)|; the full splitting is twice that."""
    h = tmd_model(PAPER).hamiltonian(LATTICE.high_symmetry_points["K"])
    assert abs(0.5 * np.trace(h @ SIGMAZ).real) == pytest.approx(3 * np.sqrt(3) * PAPER.beta_so)
    e = np.linalg.eigvalsh(h)
    assert e[1] - e[0] == pytest.approx(6 * np.sqrt(3) * PAPER.beta_so)


@given(params=heterostructure_params(), k=k_point, z=st.complex_numbers(max_magnitude=3.0), v=field)
def test_8x8_sc_block_equals_dyson_with_tmd_self_energy(params, k, z, v):
    """G_SC from the 8x8 inverse equals (z - H_BdG - Gamma^2 tau_z G_TMD tau_z)^-1 to 1e-10."""
    z = complex(z.real, abs(z.imag) + 0.05)  # retarded side, away from the real axis
    k = np.array(k)
    model = heterostructure_model(params)
    idx = model.nambu_indices("sc")
    g_full = greens_function(model, k, z, 0.17, v)[np.ix_(idx, idx)]
    g_dyson = sc_greens_function_dyson(params, k, z, 0.17, v)
    assert np.allclose(g_full, g_dyson, atol=1e-10 * max(1.0, np.abs(g_full).max()))
    # and the generic Schur-complement self-energy is the same object
    assert np.allclose(embedded_self_energy(model, "sc", k, z, 0.17, v), tmd_self_energy(params, k, z, v),
                       atol=1e-10 * max(1.0, np.abs(g_full).max()))


@given(params=heterostructure_params(), k=k_point)
def test_induced_ising_soc_equals_sigma_z_part_of_numerical_self_energy(params, k):
    k = np.array(k)
    c, s = structure_factors(k)
    a = 2 * params.t_tmd * c - params.mu_tmd
    b = 2 * params.beta_so * s
    if abs(a * a - b * b) < 1e-3:  # a TMD band at zero energy: pole (tested separately)
        return
    sigma = tmd_self_energy(params, k, 0.0)
    numerical_z = 0.5 * np.trace(sigma[:2, :2] @ SIGMAZ).real  # sigma_z coefficient, particle block
    analytic = induced_ising_soc(params, k)
    assert numerical_z == pytest.approx(analytic, abs=1e-10 * max(1.0, abs(analytic)))


def test_induced_soc_is_odd_and_vanishes_on_gamma_m():
    k = np.array([[1.1, 0.4], [0.0, 2.0], [np.pi, np.pi / np.sqrt(3)]])
    soc = induced_ising_soc(PAPER, k)
    assert np.allclose(induced_ising_soc(PAPER, -k), -soc)
    assert np.allclose(soc[1:], 0.0, atol=1e-15)
    assert abs(soc[0]) > 1e-4


def test_effective_model_is_bdg_plus_static_self_energy():
    k = np.array([0.9, 0.2])
    eff = effective_model(PAPER).bdg_hamiltonian(k, 0.05, 0.03)
    expected = sc_model(PAPER).bdg_hamiltonian(k, 0.05, 0.03) + tmd_self_energy(PAPER, k, 0.0, 0.03)
    assert np.allclose(eff, expected, atol=1e-12)


def test_field_on_tmd_option():
    k = np.array([0.3, 0.1])
    on = heterostructure_model(PAPER).bdg_hamiltonian(k, 0.0, 0.2)
    off = heterostructure_model(PAPER.with_(field_on_tmd=False)).bdg_hamiltonian(k, 0.0, 0.2)
    diff = on - off
    assert np.allclose(diff[2:4, 2:4], 0.2 * SIGMAX) and np.allclose(diff[0:2, 0:2], 0)


@pytest.mark.parametrize("kwargs, name", [
    ({"gamma": -1.0}, "gamma"), ({"t_sc": 0.0}, "t_sc"), ({"t_tmd": 0}, "t_tmd"),
    ({"mu_tmd": float("nan")}, "mu_tmd"), ({"beta_so": float("inf")}, "beta_so"), ({"mu_sc": "x"}, "mu_sc"),
])
def test_invalid_parameters_name_themselves(kwargs, name):
    with pytest.raises(ParameterError, match=name) as err:
        HeterostructureParams(**kwargs)
    assert "allowed range" in str(err.value)


def test_tight_binding_rejects_bad_hoppings():
    with pytest.raises(ParameterError, match="Hermitian"):
        TightBindingModel("x", ("a",), {(0, 0): np.array([[0, 1], [0, 0]])})
    with pytest.raises(ParameterError, match="2x2"):
        TightBindingModel("x", ("a",), {(1, 0): np.eye(3)})
    with pytest.raises(ParameterError, match="pairing_orbitals"):
        TightBindingModel("x", ("a",), {(0, 0): np.eye(2)}, pairing_orbitals=("b",))


@given(t=st.floats(-2, -0.1), mu=finite, k=k_point)
def test_derivative_matches_finite_difference(t, mu, k):
    model = intrinsic_ising_model(IsingParams(t, mu, 0.3))
    k = np.array(k)
    d = model.hamiltonian_derivative(k)
    h = 1e-6
    for a in range(2):
        dk = np.zeros(2); dk[a] = h
        fd = (model.hamiltonian(k + dk) - model.hamiltonian(k - dk)) / (2 * h)
        assert np.allclose(d[a], fd, atol=1e-6)


def test_fitted_effective_model_limits():
    """Gamma = 0: the fit returns the isolated SC layer exactly; small Gamma: the induced Ising SOC and
    the chemical-potential shift of second-order perturbation theory, Sigma(0) = -Gamma^2 H_TMD^-1."""
    from isingsc.lattice.triangular import structure_factors
    from isingsc.models.paper import fit_effective_model

    bare = fit_effective_model(PAPER.with_(gamma=0.0))
    assert bare.params.t == pytest.approx(PAPER.t_sc, abs=1e-10)
    assert bare.params.mu == pytest.approx(PAPER.mu_sc, abs=1e-10)
    assert bare.params.beta_so == pytest.approx(0.0, abs=1e-12) and bare.pairing_factor == pytest.approx(1.0)
    g = 0.1
    fit = fit_effective_model(PAPER.with_(gamma=g))
    # second order on the bare SC Fermi surface (C = 0): TMD spin bands e_s = a + s b,
    # Sigma_s = -g^2 / e_s, SC weight 1 - g^2 / e_s^2
    from isingsc.normal.bands import fermi_contours
    fs = fermi_contours(sc_model(PAPER), n_grid=301)
    c, s = structure_factors(np.stack([fs.kx.values, fs.ky.values], -1))
    a, b = 2 * PAPER.t_tmd * c - PAPER.mu_tmd, 2 * PAPER.beta_so * s
    sigma_mean = -g**2 * a / (a * a - b * b)
    induced = g**2 * b / (a * a - b * b)  # = 2 beta~ S on the Fermi surface
    assert -fit.params.mu == pytest.approx(np.mean(sigma_mean), rel=0.05)
    assert fit.params.beta_so == pytest.approx(np.sum(induced * 2 * s) / np.sum((2 * s) ** 2), rel=0.05)
    assert 1 - fit.pairing_factor == pytest.approx(np.mean(g**2 * (1 / (a + b) ** 2 + 1 / (a - b) ** 2) / 2), rel=0.05)
    assert fit.rms_error < 0.01 * fit.window
    model = fit.model()
    k = np.array([[0.7, 0.3]])
    assert np.allclose(model.pairing_matrix(1.0), fit.pairing_factor * (-1j) * np.array([[0, -1j], [1j, 0]]))
    c, s = structure_factors(k)
    h = model.hamiltonian(k)[0]
    assert h[0, 0].real == pytest.approx(2 * fit.params.t * c[0] - fit.params.mu + 2 * fit.params.beta_so * s[0])


def test_fingerprint_follows_the_hamiltonian_not_the_name():
    """Two models with the same H_BdG share a fingerprint (the key of cached reference states); any change of a
    hopping, a Zeeman coupling or the pairing changes it."""
    base = dict(orbitals=("a",), hoppings={(0, 0): -0.5 * np.eye(2), (1, 0): -np.eye(2)}, pairing_orbitals=("a",))
    m = TightBindingModel(name="one", **base)
    assert TightBindingModel(name="two", **base).fingerprint == m.fingerprint
    changed = [TightBindingModel(name="one", **{**base, "hoppings": {(0, 0): -0.5 * np.eye(2), (1, 0): -1.01 * np.eye(2)}}),
               TightBindingModel(name="one", **base, zeeman_coupling=(0.5,)),
               TightBindingModel(name="one", **base, pairing_scale=0.9),
               TightBindingModel(name="one", **{**base, "pairing_orbitals": ()})]
    assert len({c.fingerprint for c in changed} | {m.fingerprint}) == 5


@pytest.mark.parametrize("delta, field", [(0.0, (0.0, 0.0, 0.0)), (0.05, (0.03, 0.0, 0.0)), (0.02, (0.01, 0.02, 0.015))])
def test_bdg_fourier_components_rebuild_the_bdg_hamiltonian(delta, field):
    """sum_R e^{ik.R} B_R + B_0 equals bdg_hamiltonian at random k (the hole block's -T_R^* included), for the
    8 x 8 heterostructure with pairing and a field in any direction."""
    from isingsc.models.paper import heterostructure_model

    model = heterostructure_model(PAPER.with_(gamma=0.4))
    k = np.random.default_rng(21).uniform(-5.0, 5.0, (40, 2))
    offsets, blocks, onsite = model.bdg_fourier(delta, np.array(field))
    rebuilt = np.einsum("kr,rab->kab", np.exp(1j * (k @ offsets.T)), blocks) + onsite
    assert np.allclose(rebuilt, model.bdg_hamiltonian(k, delta, np.array(field)), rtol=0, atol=1e-13)


def test_bond_sum_over_pairs_equals_the_fourier_sum():
    """paired_bonds + bond_sum (one cos and sin per +-R pair) against sum_R e^{ik.R} M_R computed directly, at k and
    -k, for random complex matrices with every -R present; a sum missing a -R is refused."""
    from isingsc.models.base import bond_sum, paired_bonds

    rng = np.random.default_rng(9)
    half = np.array([[1.0, 0.0], [0.5, 0.8660254037844386], [-0.5, 0.8660254037844386], [2.0, 0.3]])
    offsets = np.concatenate([half, -half, [[0.0, 0.0]]])
    mats = rng.normal(size=(9, 3, 3)) + 1j * rng.normal(size=(9, 3, 3))
    k = rng.uniform(-4, 4, size=(50, 2))
    for sign in (1, -1):
        direct = np.einsum("kr,rab->kab", np.exp(1j * sign * (k @ offsets.T)), mats)
        assert np.allclose(bond_sum(k, paired_bonds(offsets, mats), sign=sign), direct, atol=1e-13, rtol=0)
    with pytest.raises(ParameterError, match="offsets"):
        paired_bonds(offsets[:5], mats[:5])
