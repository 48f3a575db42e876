"""Mean-field solver against BCS, Pauli (Chandrasekhar-Clogston) and Sarma physics, and brute-force k sums."""

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import digamma

from isingsc.core.errors import ConvergenceError, ParameterError
from isingsc.lattice.triangular import uniform_mesh
from isingsc.meanfield.pairing import PairingProblem, coupling_for_gap
from isingsc.models.paper import PAPER, IsingParams, heterostructure_model, intrinsic_ising_model, sc_model
from isingsc.meanfield.phase_diagram import hc2_points, quadrature_for, reference_state, tricritical_point
from isingsc.lattice.quadrature import QuadratureSpec
from isingsc.meanfield.transitions import critical_field, critical_temperature, instability_field, quartic_coefficient, solve_gap

BCS_RATIO = np.pi * np.exp(-np.euler_gamma)  # Delta0 / Tc = 1.7639 (weak coupling)
DELTA0 = 0.02


@pytest.fixture(scope="module")
def isolated():
    ref = reference_state(sc_model(PAPER), delta0=DELTA0)
    mesh = quadrature_for(sc_model(PAPER), ref.spec)
    return ref, PairingProblem(sc_model(PAPER), mesh, ref.v)


def test_bcs_gap_to_tc_ratio(isolated):
    ref, _ = isolated
    assert ref.delta0 / ref.tc == pytest.approx(BCS_RATIO, rel=0.01)


def test_zero_temperature_gap_is_self_consistent(isolated):
    ref, problem = isolated
    sol = solve_gap(problem, 0.0, delta_max=1.5 * DELTA0)
    assert sol.delta == pytest.approx(DELTA0, rel=1e-5)
    assert abs(sol.residual) < 1e-7 and sol.free_energy < 0


def test_gap_equation_is_the_derivative_of_the_free_energy(isolated):
    """Hellmann-Feynman residual equals (v/2) dOmega/dDelta by finite differences."""
    ref, problem = isolated
    T, vx, d, h = 0.4 * ref.tc, 0.3 * DELTA0, 0.6 * DELTA0, 1e-5
    fd = (problem.free_energy(d + h, [T], (vx, 0, 0))[0] - problem.free_energy(d - h, [T], (vx, 0, 0))[0]) / (2 * h)
    assert problem.residual(d, T, (vx, 0, 0)) == pytest.approx(0.5 * problem.v * fd, rel=1e-6)


def test_curvature_matches_free_energy_second_derivative(isolated):
    ref, problem = isolated
    T, vx, h = 0.7 * ref.tc, 0.2 * DELTA0, 2e-3 * DELTA0  # h large enough to beat round-off in Omega
    omega_h = problem.free_energy(h, [T], (vx, 0, 0))[0]
    assert problem.curvature([T], (vx, 0, 0))[0] == pytest.approx(2 * omega_h / h**2, rel=1e-4)


def test_pauli_limit_first_order_at_low_temperature(isolated):
    ref, problem = isolated
    cf = critical_field(problem, 0.02 * ref.tc, delta_max=1.5 * DELTA0, v_start=0.3 * DELTA0, v_max=3 * DELTA0)
    assert cf.order == "first"
    assert cf.field == pytest.approx(DELTA0 / np.sqrt(2), rel=0.02)  # Chandrasekhar-Clogston
    assert cf.instability_field == pytest.approx(DELTA0 / 2, rel=0.02)  # super-cooling field
    assert cf.delta_jump == pytest.approx(DELTA0, rel=0.02)  # T -> 0: the gap is field-independent until it jumps


def test_sarma_tricritical_point(isolated):
    ref, problem = isolated

    def b(t_ratio):
        T = t_ratio * ref.tc
        v2 = instability_field(problem, T, v_start=0.3 * DELTA0, v_max=3 * DELTA0)
        return quartic_coefficient(problem, T, v2, 0.02 * DELTA0)

    t_star = brentq(b, 0.45, 0.7, xtol=1e-4)
    assert t_star == pytest.approx(0.5615, abs=0.03)


def test_metastable_branches_between_supercooling_and_superheating(isolated):
    ref, problem = isolated
    T = 0.05 * ref.tc
    # between V2 = Delta0/2 and V1 = Delta0/sqrt2: superconducting, normal state metastable
    sc = solve_gap(problem, T, 0.62 * DELTA0, delta_max=1.5 * DELTA0)
    assert sc.delta == pytest.approx(DELTA0, rel=0.02)
    assert any(d == 0.0 for d, _ in sc.metastable)
    # between V1 and the superheating field Delta0: normal, superconducting branch metastable
    normal = solve_gap(problem, T, 0.8 * DELTA0, delta_max=1.5 * DELTA0)
    assert normal.delta == 0.0
    assert any(d > 0.9 * DELTA0 and f > 0 for d, f in normal.metastable)


def test_ray_quadrature_equals_brute_force_k_sum():
    """At a temperature a uniform mesh can resolve, the wedge quadrature reproduces the full-BZ sum."""
    model = heterostructure_model(PAPER)
    mesh = quadrature_for(model, QuadratureSpec(energy_scale=0.01))
    brute = uniform_mesh(480)
    T, d, vx = 0.08, 0.1, 0.05
    rays, full = (PairingProblem(model, m, 1.0).free_energy(d, [T], (vx, 0, 0))[0] for m in (mesh, brute))
    assert rays == pytest.approx(full, rel=2e-4)


def test_tc_from_susceptibility_equals_vanishing_gap(isolated):
    """Two independent routes to Tc: Omega''(0) = 0 and the temperature where the minimum leaves Delta = 0."""
    ref, problem = isolated
    just_below = solve_gap(problem, 0.995 * ref.tc, delta_max=1.5 * DELTA0)
    just_above = solve_gap(problem, 1.005 * ref.tc, delta_max=1.5 * DELTA0)
    assert just_below.delta > 0 and just_above.delta == 0.0
    # BCS: Delta(T) ~ 3.06 Tc sqrt(1 - T/Tc) near Tc
    assert just_below.delta == pytest.approx(3.06 * ref.tc * np.sqrt(0.005), rel=0.05)


def _clean_ising_field(t, beta, tc):
    """Clean Ising Hc2 formula (SPEC.md): ln(T/Tc) + V^2/(b^2+V^2)[Re psi(1/2 + i sqrt(b^2+V^2)/(2 pi T)) - psi(1/2)] = 0."""
    T = t * tc
    g = lambda v: np.log(t) + v * v / (beta**2 + v * v) * (
        np.real(digamma(0.5 + 1j * np.sqrt(beta**2 + v * v) / (2 * np.pi * T))) - digamma(0.5))
    return brentq(g, 1e-9 * tc, 1e4 * tc)


def test_intrinsic_ising_model_with_small_k_pockets_follows_the_clean_ising_formula():
    """Small hole pockets around +-K (mu close to the band top 3|t|), where S(k) ~ S(K).

    The effective Ising field is the DOS-weighted average of 2 beta |S| on the Fermi
    surface.  Deviations come from the variation of S and of the DOS across the pocket
    (~ (q_F a)^2, here ~ 4 %), so we ask for 5 %.
    """
    params = IsingParams(t=-1.0, mu=2.7, beta_so=0.01)
    model = intrinsic_ising_model(params)
    ref = reference_state(model, delta0=DELTA0)
    problem = PairingProblem(model, quadrature_for(model, ref.spec), ref.v)
    # beta_eff: Ising field averaged over the Fermi surface with weight 1/|grad E|
    from isingsc.normal.bands import fermi_contours
    from isingsc.lattice.triangular import structure_factors
    fs = fermi_contours(intrinsic_ising_model(IsingParams(-1.0, 2.7, 0.0)), n_grid=401)
    k = np.stack([fs.kx.values, fs.ky.values], -1)
    _, s = structure_factors(k)
    beta_eff = np.mean(2 * params.beta_so * np.abs(s))
    temps = np.array([0.4, 0.6, 0.8, 0.9]) * ref.tc
    pts = hc2_points(problem, ref, temperatures=temps)
    assert set(pts["order"]) == {"second"}
    for t, h in zip(pts["T"], pts["Hc2"]):
        assert h == pytest.approx(_clean_ising_field(t / ref.tc, beta_eff, ref.tc), rel=0.05)
    # and the enhancement over the Pauli field is large
    assert pts["Hc2"][0] > 2 * ref.pauli_field


def test_heterostructure_small_gap_regime():
    """Gamma = 0.5, Delta0 = 0.02: Tc drops, Hc2(0.1 Tc) well above HP, second order at low T."""
    ref = reference_state(sc_model(PAPER), delta0=DELTA0)
    model = heterostructure_model(PAPER.with_(gamma=0.5))
    problem = PairingProblem(model, quadrature_for(model, ref.spec), ref.v)
    tc = critical_temperature(problem, t_max=ref.tc)
    assert tc < ref.tc
    pts = hc2_points(problem, ref, temperatures=[0.1 * ref.tc])
    assert pts["order"][0] == "second"
    assert pts["Hc2"][0] / ref.pauli_field > 1.3


def test_bad_input(isolated):
    ref, problem = isolated
    with pytest.raises(ParameterError, match="T"):
        solve_gap(problem, -0.01, delta_max=0.03)
    with pytest.raises(ParameterError, match="vx"):
        solve_gap(problem, 0.01, -0.1, delta_max=0.03)
    with pytest.raises(ParameterError, match="v"):
        PairingProblem(sc_model(), problem.mesh, -1.0)
    with pytest.raises(ParameterError, match="delta0"):
        coupling_for_gap(sc_model(), problem.mesh, 0.0)
    with pytest.raises(ConvergenceError, match="delta_max"):
        solve_gap(problem, 0.001, delta_max=0.005)


def test_disconnected_first_order_transition_agrees_with_the_global_minimum():
    """Gamma = 0.2, T = 0.05 Tc0: the quartic coefficient on the instability line is positive, yet a
    superconducting minimum far from Delta = 0 is below the normal state there.  Hc2 (root finding)
    must coincide with the field where the global-minimum gap solver drops to Delta = 0."""
    ref = reference_state(sc_model(PAPER), delta0=DELTA0)
    model = heterostructure_model(PAPER.with_(gamma=0.2))
    problem = PairingProblem(model, quadrature_for(model, ref.spec), ref.v)
    T = 0.05 * ref.tc
    pts = hc2_points(problem, ref, temperatures=[T])
    assert pts["order"][0] == "first" and pts["Hc2"][0] > pts["V2"][0]
    v1 = pts["Hc2"][0]
    below = solve_gap(problem, T, v1 * (1 - 2e-3), delta_max=1.5 * DELTA0)
    above = solve_gap(problem, T, v1 * (1 + 2e-3), delta_max=1.5 * DELTA0)
    assert below.delta == pytest.approx(pts["delta_jump"][0], rel=0.02)
    assert above.delta == 0.0 and any(d > 0 for d, _ in above.metastable)


def test_warm_starts_do_not_change_the_critical_fields(isolated):
    """Guesses from a coarser pass only start the root searches: same Hc2 and order as from scratch."""
    ref, problem = isolated
    coarse = PairingProblem(sc_model(PAPER), quadrature_for(sc_model(PAPER), QuadratureSpec(0.01, 4, 4, 3.0)), ref.v)
    temps = np.array([0.1, 0.3, 0.6, 0.9]) * ref.tc
    guess = hc2_points(coarse, ref, temperatures=temps)
    cold = hc2_points(problem, ref, temperatures=temps)
    warm = hc2_points(problem, ref, temperatures=temps, guess=guess)
    assert list(cold["order"]) == list(warm["order"]) == ["first", "first", "second", "second"]
    assert np.allclose(warm["Hc2"], cold["Hc2"], rtol=1e-5)


def test_too_coarse_uniform_mesh_is_refused_with_a_suggested_size():
    with pytest.raises(ParameterError, match=r"mesh.*n >= \d+"):
        coupling_for_gap(sc_model(PAPER), uniform_mesh(60), DELTA0)
    # a mesh that resolves a large gap is accepted
    assert coupling_for_gap(sc_model(PAPER), uniform_mesh(120), 0.5) > 0
