"""Bulk topology (paper Eq. 8 and after): symmetries, winding numbers W(ky), nodal points.

Physics is checked against what is known independently of the winding machinery:
the closed-form nodes of the single-band Ising superconductor, a sector
decomposition on the Gamma-M lines for the 8x8 heterostructure, Vx = 0 being
trivial, and the Schur-complement relation between the 8x8 and the effective model.
"""

import numpy as np
import pytest
from scipy.optimize import brentq

from isingsc.core.errors import ParameterError
from isingsc.lattice.triangular import LATTICE, structure_factors
from isingsc.models.paper import (PAPER, IsingParams, effective_model, heterostructure_model,
                            intrinsic_ising_model)
from isingsc.core.results import load, save
from isingsc.models.base import SIGMA0, SIGMAX, SIGMAY, TightBindingModel
from isingsc.topology.bulk import (KX_PERIOD, KY_PERIOD, check_symmetries, chiral_basis, find_nodes,
                              phase_diagram_gamma, phase_diagram_mu, symmetry_operators,
                              winding_intervals, winding_number)

# single-band Ising superconductor used throughout (t = -1)
MU, BETA, DELTA_I = 0.3, 0.4, 0.1
# heterostructure: the paper's parameters (Gamma = 0.5), a pairing of our choice, Vx = 4 Delta
DELTA_H = 0.05
GM_ANGLES = np.pi / 6 + np.arange(6) * np.pi / 3  # the six Gamma-M rays
GM_LENGTH = 2 * np.pi / np.sqrt(3)


@pytest.fixture(scope="module")
def intrinsic():
    return intrinsic_ising_model(IsingParams(mu=MU, beta_so=BETA))


@pytest.fixture(scope="module")
def hetero():
    return heterostructure_model(PAPER)


@pytest.fixture(scope="module")
def hetero_nodes(hetero):
    return find_nodes(hetero, DELTA_H, 4 * DELTA_H)


def _fold(ky):
    return np.mod(np.asarray(ky) + KY_PERIOD / 2, KY_PERIOD) - KY_PERIOD / 2


# ------------------------------------------------------------------ operators
def test_operators_are_the_papers_in_our_basis():
    ops = symmetry_operators(1)
    z = np.zeros((2, 2))
    # basis [up, dn, hole-up, hole-dn] = the paper's [s_k up, s_k dn, s^dag_-k up, s^dag_-k dn]
    assert np.allclose(ops["T"], np.block([[SIGMAX, z], [z, -SIGMAX]]))  # sigma_x tau_z
    assert np.allclose(ops["P"], np.block([[z, SIGMA0], [SIGMA0, z]]))  # sigma_0 tau_x
    assert np.allclose(ops["C"], np.block([[z, -1j * SIGMAX], [1j * SIGMAX, z]]))  # sigma_x tau_y
    for n in (1, 2):
        ops = symmetry_operators(n)
        eye = np.eye(4 * n)
        assert np.allclose(ops["T"] @ ops["T"].conj(), eye)  # T^2 = +1
        assert np.allclose(ops["P"] @ ops["P"].conj(), eye)  # P^2 = +1
        assert np.allclose(ops["C"] @ ops["C"], eye) and np.allclose(ops["C"], ops["C"].conj().T)
        assert np.allclose(ops["T"] @ ops["P"].conj(), 1j * ops["C"])  # C = -i T P
        up, um = chiral_basis(n)
        u = np.hstack([up, um])
        assert np.allclose(u.conj().T @ u, eye)
        assert np.allclose(ops["C"] @ up, up) and np.allclose(ops["C"] @ um, -um)


def test_momentum_map_and_the_4pi_loop(hetero):
    k = np.random.default_rng(3).uniform(-4, 4, size=(20, 2))
    _, s = structure_factors(k)
    assert np.allclose(structure_factors(k * [-1, 1])[1], -s)  # S odd in kx
    assert np.allclose(structure_factors(k * [1, -1])[1], s)  # S even in ky
    b1, b2 = LATTICE.reciprocal
    assert np.allclose(2 * b1 + b2, [KX_PERIOD, 0.0])
    h = hetero.bdg_hamiltonian(k, DELTA_H, 0.2)
    assert np.allclose(hetero.bdg_hamiltonian(k + [KX_PERIOD, 0], DELTA_H, 0.2), h, atol=1e-12)
    assert not np.allclose(hetero.bdg_hamiltonian(k + [KX_PERIOD / 2, 0], DELTA_H, 0.2), h)
    # T maps kx -> -kx at fixed ky (not k -> k): its residual against H(kx, ky) is large
    ut = symmetry_operators(2)["T"]
    assert np.abs(ut @ h.conj() @ ut.conj().T - h).max() > 0.1
    assert np.abs(ut @ h.conj() @ ut.conj().T - hetero.bdg_hamiltonian(k * [-1, 1], DELTA_H, 0.2)).max() < 1e-12


def test_symmetry_checks(hetero, intrinsic):
    for model in (hetero, intrinsic):
        res = check_symmetries(model, 0.05, 0.2)
        assert max(res.values()) < 1e-12
        # an in-plane field along y keeps T, P and C (sigma_x K keeps sigma_y; sigma_y tau_0 anticommutes with C)
        assert max(check_symmetries(model, 0.05, (0.0, 0.2, 0.0)).values()) < 1e-12
    with pytest.raises(ParameterError, match="field"):
        check_symmetries(hetero, 0.05, (0.2, 0.0, 0.05))  # V_z sigma_z tau_z commutes with C
    res = check_symmetries(hetero, 0.05, (0.2, 0.0, 0.05), raise_on_failure=False)
    assert res["C"] > 1e-3 and res["T"] > 1e-3
    # Rashba SOC breaks C without any field: the error names the model
    hop = {(0, 0): 0.2 * SIGMA0}
    for off in ((1, 0), (-1, 1), (0, -1)):
        r = np.array(off, dtype=float) @ LATTICE.primitive
        hop[off] = -SIGMA0 + 0.3j * (r[1] * SIGMAX - r[0] * SIGMAY)
    rashba = TightBindingModel("rashba", ("a",), hop, pairing_orbitals=("a",))
    with pytest.raises(ParameterError, match="model"):
        check_symmetries(rashba, 0.05, 0.2)


# ------------------------------------------------------------------ Vx = 0 (and Vx < Delta): trivial
def test_zero_field_is_gapped_and_trivial(hetero, intrinsic):
    ky = np.linspace(-KY_PERIOD / 2, KY_PERIOD / 2, 9)
    for model, delta in ((hetero, DELTA_H), (intrinsic, DELTA_I)):
        w = winding_number(model, delta, 0.0, ky)
        assert not w["through_node"].any()
        assert np.all(w["winding"].values == 0)
        assert np.all(w["min_gap"].values > 1e-3)
    assert find_nodes(intrinsic, DELTA_I, 0.0).sizes["node"] == 0
    # below the threshold Vx = Delta of the single band there are no nodes either
    assert find_nodes(intrinsic, DELTA_I, 0.9 * DELTA_I).sizes["node"] == 0
    w = winding_number(intrinsic, DELTA_I, 0.9 * DELTA_I, ky)
    assert np.all(w["winding"].values == 0)


# ------------------------------------------------------------------ single-band Ising SC: closed form
def _xi(k):
    return -2 * structure_factors(k)[0] - MU


def _analytic_radii(vx):
    """Nodes of the single band on a Gamma-M ray: S = 0 and xi^2 + Delta^2 = Vx^2."""
    u = np.array([0.0, 1.0])  # the ray at 90 degrees; C3v makes the other five identical
    f = lambda r: _xi(r * u) ** 2 + DELTA_I**2 - vx**2  # noqa: E731
    r = np.linspace(0.0, GM_LENGTH, 20001)
    fv = f(r[:, None])
    idx = np.nonzero(np.sign(fv[:-1]) != np.sign(fv[1:]))[0]
    return np.array([brentq(f, r[i], r[i + 1], xtol=1e-15) for i in idx])


def test_spectrum_on_gamma_m_is_closed_form(intrinsic):
    vx = 0.3
    r = np.linspace(0.1, 3.5, 7)
    for ang in GM_ANGLES[:2]:
        k = r[:, None] * [np.cos(ang), np.sin(ang)]
        assert np.allclose(structure_factors(k)[1], 0, atol=1e-12)
        e = np.sort(np.abs(np.linalg.eigvalsh(intrinsic.bdg_hamiltonian(k, DELTA_I, vx))), axis=1)
        q = np.sqrt(_xi(k) ** 2 + DELTA_I**2)[:, None]
        expected = np.sort(np.abs(np.concatenate([vx + q, vx - q, -vx + q, -vx - q], 1)), axis=1)
        assert np.allclose(e, expected, atol=1e-12)


def test_intrinsic_nodes_match_closed_form(intrinsic):
    vx = 0.3
    radii = _analytic_radii(vx)
    assert len(radii) == 2
    nodes = find_nodes(intrinsic, DELTA_I, vx)
    k = np.stack([nodes["kx"].values, nodes["ky"].values], -1)
    assert len(k) == 12 and nodes.attrs["gapless_lines"] == 0  # 2 per ray, 6 rays
    assert nodes["isolated"].all()
    r = np.linalg.norm(k, axis=1)
    # on the Gamma-M lines (angle 30 deg mod 60 deg) to 1e-8 across, at the analytic radius to 1e-8
    ang = np.arctan2(k[:, 1], k[:, 0])
    off_line = r * np.abs(np.sin(np.mod(ang, np.pi / 3) - np.pi / 6))
    assert off_line.max() < 1e-8
    assert np.min(np.abs(r[:, None] - radii[None, :]), axis=1).max() < 1e-8
    assert np.bincount(np.argmin(np.abs(r[:, None] - radii[None, :]), axis=1)).tolist() == [6, 6]
    assert np.all(nodes["k_error"].values < 1e-10)
    # charges: +-1, nodes at k and -k carry opposite charges, total zero
    q = nodes["charge"].values
    assert set(np.abs(q)) == {1} and q.sum() == 0
    for a in range(len(k)):
        d = np.linalg.norm(LATTICE.fold_to_bz(k + k[a]), axis=1)
        assert q[np.argmin(d)] == -q[a]


def test_intrinsic_winding_nonzero_exactly_between_node_projections(intrinsic):
    vx = 0.3
    r1, r2 = _analytic_radii(vx)
    # ky projections: the 90/270-degree rays give ky = +-r (folded), the 30/150/210/330 ones +-r/2
    intervals = [sorted(_fold([s * r1, s * r2])) for s in (1, -1)]
    intervals += [[r1 / 2, r2 / 2], [-r2 / 2, -r1 / 2]]
    edges = np.concatenate(intervals)
    ky = np.linspace(-KY_PERIOD / 2, KY_PERIOD / 2, 121, endpoint=False) + 1e-3
    ky = ky[np.min(np.abs(ky[:, None] - edges[None, :]), axis=1) > 2e-3]
    w = winding_number(intrinsic, DELTA_I, vx, ky)
    assert not w["through_node"].any()
    wv = w["winding"].values
    assert np.all(wv == np.rint(wv))
    inside = np.zeros(len(ky), dtype=bool)
    for lo, hi in intervals:
        inside |= (ky > lo) & (ky < hi)
    assert inside.sum() >= 6
    assert np.all((wv != 0) == inside)
    # W(ky) = W(-ky): the mirror ky -> -ky is a symmetry of H(k)
    assert np.array_equal(winding_number(intrinsic, DELTA_I, vx, -ky)["winding"].values, wv)


def test_intrinsic_winding_jumps_by_node_charges(intrinsic):
    vx = 0.3
    nodes = find_nodes(intrinsic, DELTA_I, vx)
    iv = winding_intervals(intrinsic, DELTA_I, vx, nodes)
    w = iv["winding"].values
    assert np.all(np.isfinite(w)) and np.all(w == np.rint(w))
    # crossing the line of a node (ky increasing) changes W by minus its charge
    assert np.array_equal(w - np.roll(w, 1), -iv["charge_at_lo"].values)
    assert set(np.abs(w).astype(int)) == {0, 1, 2}  # one node per line (90 deg) or two (+-kx)
    # symmetric in ky
    mid = iv["ky_mid"].values
    for a in range(len(mid)):
        b = np.argmin(np.abs(mid + mid[a]))
        if abs(mid[b] + mid[a]) < 1e-9:
            assert w[a] == w[b]


def test_lines_through_or_near_a_node_are_flagged(intrinsic):
    nodes = find_nodes(intrinsic, DELTA_I, 0.3)
    y0 = float(nodes["ky_line"].values[0])
    w = winding_number(intrinsic, DELTA_I, 0.3, [y0, y0 + 1e-9, y0 + 1e-3, y0 - 1e-3])
    assert w["through_node"].values.tolist() == [True, True, False, False]
    assert w["resolved"].values.tolist() == [False, False, True, True]
    assert np.isnan(w["winding"].values[:2]).all()
    assert np.all(w["min_gap"].values[:2] < 1e-6)
    assert np.all(np.isfinite(w["winding"].values[2:]))
    # the two sides differ by the charge on that line
    q = int(nodes["charge"].values[np.abs(nodes["ky_line"].values - y0) < 1e-9].sum())
    assert w["winding"].values[2] - w["winding"].values[3] == -q


# ------------------------------------------------------------------ heterostructure (8x8)
def _sector_roots(model, delta, vx, angle):
    """Zeros of the spectrum on a Gamma-M ray without the chiral machinery.

    On Gamma-M, S = 0 and O = sigma_x tau_z commutes with H (Zeeman along x): in each
    sector O = +-1 the Hermitian block H_eta has real det, which changes sign at a node.
    """
    n = model.nambu_dim // 4
    o = np.kron(np.diag([1.0, -1.0]), np.kron(np.eye(n), SIGMAX))
    evals, q = np.linalg.eigh(o)
    u = np.array([np.cos(angle), np.sin(angle)])
    roots = []
    for sector in (evals < 0, evals > 0):
        qs = q[:, sector]

        def f(r, qs=qs):
            h = model.bdg_hamiltonian(np.multiply.outer(r, u), delta, vx)
            assert np.allclose(o @ h, h @ o, atol=1e-12)
            return np.linalg.det(qs.conj().T @ h @ qs).real

        r = np.linspace(1e-3, GM_LENGTH, 3001)
        fv = f(r)
        for i in np.nonzero(np.sign(fv[:-1]) != np.sign(fv[1:]))[0]:
            roots.append(brentq(lambda x, f=f: float(f(x)), r[i], r[i + 1], xtol=1e-15))
    # each node is a zero in both sectors (particle-hole maps one onto the other)
    roots = np.sort(roots)
    return roots[np.concatenate([[True], np.diff(roots) > 1e-9])]


def test_heterostructure_nodes_on_gamma_m(hetero, hetero_nodes):
    nodes = hetero_nodes
    k = np.stack([nodes["kx"].values, nodes["ky"].values], -1)
    assert len(k) == 12 and nodes["isolated"].all() and nodes.attrs["gapless_lines"] == 0
    assert np.abs(structure_factors(k)[1]).max() < 1e-9  # the Ising SOC vanishes there
    assert np.all(nodes["gap"].values < 1e-12)
    q = nodes["charge"].values
    assert set(np.abs(q)) == {1} and q.sum() == 0
    # located to 1e-8 against an independent sector calculation on the 90-degree ray
    on_ray = np.abs(k[:, 0]) < 1e-9
    ray = np.sort(np.abs(k[on_ray, 1]))
    expected = _sector_roots(hetero, DELTA_H, 4 * DELTA_H, np.pi / 2)
    assert len(expected) == 2
    assert np.allclose(np.unique(np.round(ray, 10)), expected, atol=1e-8, rtol=0)


def test_heterostructure_winding_between_node_projections(hetero, hetero_nodes):
    iv = winding_intervals(hetero, DELTA_H, 4 * DELTA_H, hetero_nodes)
    w = iv["winding"].values
    assert np.all(np.isfinite(w)) and np.all(w == np.rint(w))
    assert np.array_equal(w - np.roll(w, 1), -iv["charge_at_lo"].values)
    proj = np.abs(hetero_nodes["ky_line"].values)
    lo, hi = proj.min(), proj.max()
    mid = iv["ky_mid"].values
    inside = (np.abs(mid) > lo) & (np.abs(mid) < hi)
    assert np.all(w[~inside] == 0) and np.any(w[inside] != 0)
    # W is constant on each interval (sample two more lines inside each non-trivial one)
    sel = np.nonzero(w != 0)[0]
    a, b = iv["ky_lo"].values[sel], iv["ky_hi"].values[sel]
    ky = np.concatenate([a + 0.2 * (b - a), a + 0.8 * (b - a)])
    w2 = winding_number(hetero, DELTA_H, 4 * DELTA_H, _fold(ky))["winding"].values
    assert np.array_equal(w2, np.concatenate([w[sel], w[sel]]))
    # the same W for the field along y (spin rotation about z; C stays a symmetry)
    wy = winding_number(hetero, DELTA_H, (0.0, 4 * DELTA_H, 0.0), mid)["winding"].values
    assert np.array_equal(wy, w)


def test_effective_model_agrees_when_the_tmd_has_no_fermi_surface():
    # det A(8x8) = det A(TMD) det A(eff) (Schur complement); a gapped TMD adds no winding
    params = PAPER.with_(mu_tmd=6.0)
    eff, full = effective_model(params), heterostructure_model(params)
    ky = np.array([-1.26, -1.20, -1.165, 0.0, 1.175, 1.25])
    w8 = winding_number(full, DELTA_H, 4 * DELTA_H, ky)["winding"].values
    we = winding_number(eff, DELTA_H, 4 * DELTA_H, ky)["winding"].values
    assert np.array_equal(w8, we) and np.any(w8 != 0)
    # with the paper's TMD (Fermi pockets at +-K) the static model has poles: refused
    with pytest.raises(ParameterError, match="model"):
        winding_number(effective_model(PAPER), DELTA_H, 4 * DELTA_H, [0.0])


# ------------------------------------------------------------------ phase diagrams, results
def test_phase_diagrams_small():
    ds = phase_diagram_gamma(vx_over_delta=[0.5, 4.0], gamma=[0.5], delta=DELTA_H, spacing=0.06,
                             n_ky=4)
    assert ds["phase"].dims == ("vx_over_delta", "gamma")
    assert ds["phase"].values[:, 0].tolist() == [0, 1]
    assert ds["nodal"].values[:, 0].tolist() == [0, 1]
    assert ds["max_abs_winding"].values[:, 0].tolist() == [0.0, 2.0]
    assert ds["n_nodes"].values[1, 0] == 12
    assert ds.attrs["delta"] == DELTA_H and ds["gamma"].attrs["units"] == "|t|"
    mu = phase_diagram_mu(vx_over_delta=[0.0], mu_sc=[0.0], delta=DELTA_H, spacing=0.08, n_ky=2)
    assert mu["phase"].dims == ("vx_over_delta", "mu_sc") and mu["phase"].item() == 0
    assert mu.attrs["param_gamma"] == 0.5


def test_uncoupled_tmd_is_a_line_of_zeros(hetero):
    # Gamma = 0: the TMD is an unpaired metal, its Fermi surface a line of zeros (not nodes)
    nodes = find_nodes(heterostructure_model(PAPER.with_(gamma=0.0)), DELTA_H, 0.0, spacing=0.2)
    assert nodes.attrs["gapless_lines"] == 1


def test_line_of_zeros_detection_does_not_depend_on_rounding_or_spacing(hetero):
    """Gamma = 0: det A is real on the unpaired TMD Fermi surface (no plaquette winding), so the old
    detection hinged on rounding-level imaginary parts (+-pi phase steps): 1 on one machine, 0 on another.
    The zeros are found directly now, at every spacing.  Independent check: a line of zeros is crossed
    by a continuum of fixed-ky lines (each through_node), an isolated node by single lines only."""
    uncoupled = heterostructure_model(PAPER.with_(gamma=0.0))
    for spacing in (0.2, 0.1, 0.05):
        nodes = find_nodes(uncoupled, DELTA_H, 0.0, spacing=spacing)
        assert nodes.attrs["gapless_lines"] == 1 and nodes.attrs["zero_line_rows"] >= 1
    ky = np.linspace(-0.5, 0.5, 7)
    assert winding_number(uncoupled, DELTA_H, 0.0, ky)["through_node"].all()
    # coupled (Gamma = 0.5): gapped at Vx = 0, isolated nodes at 4 Delta -- no lines either way
    for vx in (0.0, 4 * DELTA_H):
        assert find_nodes(hetero, DELTA_H, vx, spacing=0.1).attrs["gapless_lines"] == 0


def test_golden_section_certificate_is_a_valid_lipschitz_bound_and_stops_early():
    """f_i(x) = a_i + |x - x_i| (1-Lipschitz, minimum a_i at x_i): with ``lipschitz`` and ``level`` an entry
    whose minimum is below the level is still found (f < level, at x_i), an entry stopped early has its minimum
    above the level (checked against the closed form), and the bound from both neighbours (with the bracket's end
    values) stops sooner than the one-sided bound min(f) - L (hi - lo) of the search before."""
    from isingsc.topology.bulk import golden_section_min

    rng = np.random.default_rng(4)
    n = 400
    x0, a = rng.uniform(-0.9, 0.9, n), np.concatenate([rng.uniform(-1e-3, -1e-5, 40), rng.uniform(1e-4, 0.3, n - 40)])
    level = 1e-6
    calls = {}

    def run(key, **kw):
        calls[key] = 0

        def f(i, x):
            calls[key] += len(i)
            return a[i] + np.abs(x - x0[i])
        return golden_section_min(f, np.full(n, -1.0), np.full(n, 1.0), **kw)

    old = run("old", proceed=lambda act, lo, hi, fm: fm - (hi - lo) <= level)
    new = run("new", lipschitz=1.0, level=level)
    ends = run("ends", lipschitz=1.0, level=level, f_lo=a + np.abs(-1 - x0), f_hi=a + np.abs(1 - x0))
    below = a < level
    for x, fmin in (old, new, ends):
        assert np.all((fmin < level) == below)  # the zeros found, nothing else
        assert np.allclose(x[below], x0[below], atol=1e-9) and np.all(fmin >= a)
    assert calls["ends"] < calls["new"] < 0.85 * calls["old"]


def test_results_round_trip(tmp_path, intrinsic):
    w = winding_number(intrinsic, DELTA_I, 0.3, [0.0, 1.1])
    back = load(save(w, tmp_path / "w.nc"))
    assert np.array_equal(back["winding"].values, w["winding"].values)
    assert back["ky"].attrs["units"] == "1/a"
    assert back.attrs["field_strength"] == pytest.approx(0.3) and back.attrs["field_angle"] == 0.0
    assert np.allclose(back.attrs["field_direction"], [1.0, 0.0, 0.0])


# ------------------------------------------------------------------ bad input
def test_bad_input(intrinsic):
    with pytest.raises(ParameterError, match="field"):
        winding_number(intrinsic, 0.1, -0.2, [0.0])  # Vx < 0
    with pytest.raises(ParameterError, match="field"):
        find_nodes(intrinsic, 0.1, (0.2, 0.0, 0.1))  # out-of-plane component
    with pytest.raises(ParameterError, match="delta"):
        winding_number(intrinsic, 0.0, 0.2, [0.0])
    with pytest.raises(ParameterError, match="delta"):
        find_nodes(intrinsic, -0.1, 0.2)
    with pytest.raises(ParameterError, match="ky"):
        winding_number(intrinsic, 0.1, 0.2, [np.nan])
    with pytest.raises(ParameterError, match="model"):
        winding_number(object(), 0.1, 0.2, [0.0])
    with pytest.raises(ParameterError, match="vx_over_delta"):
        phase_diagram_gamma(vx_over_delta=[-1.0], gamma=[0.5])
    with pytest.raises(ParameterError, match="axis"):
        from isingsc.topology.bulk import topological_phase_diagram
        topological_phase_diagram([1.0], "field_on_tmd", [1.0])


def test_fitted_effective_model_agrees_with_the_exact_heterostructure():
    """Issue 4: the well-defined Eq. (8)-form model (fitted t~, mu~, beta~, pairing factor Z) and the
    exact 8-orbital model give the same nodal points (within the k error the fit's rms error
    implies, rms / v_F ~ 2e-3 /a) and the same W(ky) on lines away from the node projections."""
    from isingsc.models.paper import fit_effective_model

    delta, field = 0.05, (0.2, 0.0, 0.0)
    exact = heterostructure_model(PAPER)
    fit = fit_effective_model(PAPER)
    eff = fit.model()
    r_exact = np.unique(np.round(np.hypot(*[find_nodes(exact, delta, field)[c].values for c in ("kx", "ky")]), 6))
    r_eff = np.unique(np.round(np.hypot(*[find_nodes(eff, delta, field)[c].values for c in ("kx", "ky")]), 6))
    assert len(r_exact) == len(r_eff) == 2
    assert np.allclose(r_exact, r_eff, atol=5e-3)
    ky = np.array([0.5, 1.0, 1.19, 1.2, 1.25, 1.28, 1.32])  # >= 0.01 from every node projection
    w_exact = winding_number(exact, delta, field, ky).winding.values
    w_eff = winding_number(eff, delta, field, ky).winding.values
    assert np.array_equal(w_exact, w_eff) and np.any(w_exact != 0)


def test_node_pairs_just_born_on_gamma_m_are_found():
    """Regression (found by a Gamma x mu_TMD sweep): at Vx just above Z Delta a node pair on a
    Gamma-M ray is closer than the search step and the middle sample has the other sign.  The
    pairs must be found, with opposite charges (the total charge on the torus is zero)."""
    model = heterostructure_model(PAPER.with_(gamma=0.4, mu_tmd=3.1))
    nodes = find_nodes(model, 0.05, (0.985 * 0.05, 0.0, 0.0))
    assert nodes.sizes["node"] == 12
    assert nodes["charge"].values.sum() == 0 and set(np.abs(nodes["charge"].values)) == {1}


def test_smallest_singular_value_agrees_with_the_svd_also_near_zero():
    """sigma_min from A^dagger A where that is accurate and from the Hermitian [[0, A], [A^dagger, 0]] where it is
    small: within a few eps ||A|| of LAPACK's SVD for generic, nearly singular and exactly singular matrices."""
    from isingsc.topology.bulk import smallest_singular_value

    rng = np.random.default_rng(4)
    a = rng.normal(size=(400, 4, 4)) + 1j * rng.normal(size=(400, 4, 4))
    u, s, vh = np.linalg.svd(a)
    s[100:200, -1] = 10.0 ** rng.uniform(-14, -3, 100)  # nearly singular
    s[200:220, -1] = 0.0  # singular
    a = (u * s[:, None, :]) @ vh
    exact = np.linalg.svd(a, compute_uv=False)[:, -1]
    ours = smallest_singular_value(a)
    norm = np.linalg.norm(a, axis=(-2, -1))
    assert np.all(np.abs(ours - exact) <= 64 * np.finfo(float).eps * norm)


def test_singular_value_bound_is_a_lower_bound_and_tight_for_one_small_value():
    """|det A| ((m-1)/||A||_F^2)^((m-1)/2) <= sigma_min (AM-GM on the other singular values), for generic,
    graded and nearly singular matrices; with the other singular values equal to s it is sigma_min (1 + sigma_min^2
    / ((m-1) s^2))^(-(m-1)/2), which tends to sigma_min as sigma_min / s -> 0."""
    from isingsc.topology.bulk import singular_value_bound

    rng = np.random.default_rng(8)
    for m in (2, 3, 4, 6):
        a = rng.normal(size=(300, m, m)) + 1j * rng.normal(size=(300, m, m))
        u, s, vh = np.linalg.svd(a)
        s[100:200] *= 10.0 ** rng.uniform(-6, 3, (100, m))  # graded spectra
        s[200:, -1] = 10.0 ** rng.uniform(-12, -2, 100)
        a = (u * s[:, None, :]) @ vh
        exact = np.linalg.svd(a, compute_uv=False)[:, -1]
        bound = singular_value_bound(a)
        assert np.all(bound <= exact * (1 + 1e-9) + 64 * np.finfo(float).eps * np.linalg.norm(a, axis=(-2, -1)))
    u, _, vh = np.linalg.svd(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))
    for smin in (1e-1, 1e-3, 1e-6):
        a = (u * np.array([2.0, 2.0, 2.0, smin])) @ vh
        expected = smin * (1 + smin**2 / (3 * 4.0)) ** -1.5
        assert abs(singular_value_bound(a[None])[0] / expected - 1) < 1e-9


def test_smallest_singular_value_resolve_below_is_exact_up_to_the_level():
    """With resolve_below = L every sigma_min <= L is the full computation's (bit for bit), and every other entry
    is a lower bound on sigma_min that exceeds L: comparisons of values up to L are unchanged."""
    from isingsc.topology.bulk import smallest_singular_value

    rng = np.random.default_rng(9)
    a = rng.normal(size=(2000, 4, 4)) + 1j * rng.normal(size=(2000, 4, 4))
    full = smallest_singular_value(a)
    level = float(np.quantile(full, 0.3))
    part = smallest_singular_value(a, resolve_below=level)
    low = full <= level
    assert low.any() and (~low).any()
    np.testing.assert_array_equal(part[low], full[low])
    assert np.all(part[~low] > level) and np.all(part[~low] <= full[~low] * (1 + 1e-12))
    assert np.sum(part != full) > 0.5 * np.sum(~low)  # most of the others were skipped (the bound is cheap)


@pytest.mark.parametrize("gamma, mu_tmd", [(0.4, 3.1), (0.6, 2.5)])
def test_node_charges_match_a_brute_force_winding_of_det_a(gamma, mu_tmd):
    """Each node's charge (find_nodes runs the certified loop around one node per C3v orbit and maps it: det(g) q
    for the image g k0) equals the winding of det A(k) = det(U+^dag H_BdG(k) U-) summed over 4000 steps of a
    circle of radius 1e-3 around it, from the Hamiltonian directly; and the positions are zeros of det A."""
    model = heterostructure_model(PAPER.with_(gamma=gamma, mu_tmd=mu_tmd))
    delta, field = 0.05, (0.985 * 0.05, 0.0, 0.0)
    nodes = find_nodes(model, delta, field)
    assert nodes.sizes["node"] == 12 and nodes.attrs["gapless_lines"] == 0
    up, um = chiral_basis(model.nambu_dim // 4)
    t = np.linspace(0.0, 2 * np.pi, 4001)
    for kx, ky, q in zip(nodes.kx.values, nodes.ky.values, nodes.charge.values):
        k = np.stack([kx + 1e-3 * np.cos(t), ky + 1e-3 * np.sin(t)], -1)
        det = np.linalg.det(up.conj().T @ model.bdg_hamiltonian(k, delta, field) @ um)
        winding = np.sum(np.angle(det[1:] / det[:-1])) / (2 * np.pi)
        assert abs(winding - q) < 1e-6 and q in (-1, 1)
        scale = np.abs(det).max()
        at = np.linalg.det(up.conj().T @ model.bdg_hamiltonian(np.array([[kx, ky]]), delta, field)[0] @ um)
        assert abs(at) < 1e-9 * scale
