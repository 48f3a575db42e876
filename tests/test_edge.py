"""Semi-infinite edges: decimation against closed forms and finite ribbons, sum rule, flat bands.

Physics references (none of them is the code under test):
* a semi-infinite 1D chain with hopping t has the end-site Green's function
  g(w) = (w - sqrt(w^2 - 4t^2)) / (2 t^2) (the decaying root);
* a long finite ribbon, inverted directly, has the same first-layer Green's function
  up to reflections from the far edge, exp(-2 W eta / v);
* the single-band Ising superconductor with Vx > Delta has nodes on the Gamma-M lines
  where xi(k)^2 + Delta^2 = Vx^2 (S = 0 there); their projections on ky bound the
  flat bands, and the number of zero modes per edge equals |W(ky)|, the winding of the
  chiral off-diagonal block (computed here directly from the bulk Bloch Hamiltonian).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from isingsc.topology.edge import (SemiInfiniteEdge, decimate, edge_decay_length, edge_spectral_function,
                          edge_zero_modes)
from isingsc.core.errors import ConvergenceError, ParameterError
from isingsc.models.paper import PAPER, IsingParams, heterostructure_model, intrinsic_ising_model
from isingsc.topology.ribbon import Ribbon
from isingsc.models.base import SIGMA0, SIGMAX, TightBindingModel

# Single-band Ising superconductor with a large gap along the ky lines (short decay lengths).
ISING = IsingParams(t=-1.0, mu=-3.0, beta_so=1.0)
DELTA, VX = 0.25, 0.75  # Vx = 3 Delta
SQRT3 = np.sqrt(3.0)


def chain_model(offset, t=0.7, mu=0.4):
    """One spinful orbital, on-site -mu, a single bond `offset` (no pairing)."""
    return TightBindingModel("chain", ("c",), {(0, 0): -mu * SIGMA0, offset: t * SIGMA0})


def end_site_g(w, t):
    """Decaying root of t^2 g^2 - w g + 1 = 0 (end site of a semi-infinite chain)."""
    s = np.sqrt(w * w - 4 * t * t + 0j)
    g1, g2 = (w - s) / (2 * t * t), (w + s) / (2 * t * t)
    return np.where(np.abs(g1) < np.abs(g2), g1, g2)


def node_intervals(p=ISING, delta=DELTA, vx=VX):
    """ky intervals bounded by the projections of the Gamma-M nodes (radius r along Gamma-M).

    On Gamma-M, C = 1 + 2 cos(sqrt3 r / 2); nodes at xi = 2 t C - mu = +-sqrt(Vx^2 - Delta^2).
    The line along ky (kx = 0) projects to ky = r, the lines at +-30 deg to ky = r/2.
    """
    xi = np.sqrt(vx**2 - delta**2)
    c = (np.array([xi, -xi]) + p.mu) / (2 * p.t)
    r = np.sort(2 / SQRT3 * np.arccos((c - 1) / 2))
    return [(r[0], r[1]), (r[0] / 2, r[1] / 2)]


def winding(model, ky, delta, vx, n_q=4000):
    """Winding of det of the chiral off-diagonal block along the 1D chain at fixed ky."""
    chiral = np.kron(np.array([[0, -1j], [1j, 0]]), SIGMAX)  # tau_y sigma_x (Nambu: p/h major)
    _, u = np.linalg.eigh(chiral)
    q = np.linspace(-np.pi, np.pi, n_q + 1)
    h = Ribbon.oriented(model, 2).chain_hamiltonian(ky, q, delta, vx)[0]
    hc = u.conj().T @ h @ u
    assert np.abs(hc[:, :2, :2]).max() < 1e-12  # chiral symmetry
    phase = np.unwrap(np.angle(np.linalg.det(hc[:, :2, 2:])))
    return int(round((phase[-1] - phase[0]) / (2 * np.pi)))


# ---------------------------------------------------------------- closed forms
@pytest.mark.parametrize("edge, offset, chains", [("armchair-y", (1, 0), 2), ("zigzag-x", (0, 1), 1)])
def test_surface_greens_function_of_decoupled_chains(edge, offset, chains):
    """armchair-y: the bond a1 crosses two columns -> two chains in one principal layer."""
    t, mu = 0.7, 0.4
    se = SemiInfiniteEdge(chain_model(offset, t, mu), edge)
    assert se.span == chains
    z = np.array([-2.1, -0.3, 0.2, 1.5, 3.0]) + 0.01j
    for side in ("left", "right"):
        g = se.surface_greens_function([0.0, 0.9], z, side=side)
        tr = np.einsum("kzii->kz", g)
        # per chain: 2 spins x (particle at w = z + mu, hole at w = z - mu)
        expect = chains * 2 * (end_site_g(z + mu, t) + end_site_g(z - mu, t))
        assert np.allclose(tr, expect[None, :], atol=1e-9)


def test_decay_length_of_a_gapped_chain():
    """Evanescent root of t lambda^2 - (E + mu) lambda + t = 0; two columns per chain on armchair-y."""
    t, mu = 0.5, 1.6  # |mu| > 2|t|: gapped at E = 0
    lam = (mu - np.sqrt(mu * mu - 4 * t * t)) / (2 * t)
    for edge, offset, cols in [("armchair-y", (1, 0), 2), ("zigzag-x", (0, 1), 1)]:
        ds = edge_decay_length(chain_model(offset, t, mu), [0.3], edge=edge)
        assert ds.xi_columns.values[0] == pytest.approx(-cols / np.log(lam), rel=1e-9)
        assert ds.propagating.values[0] == 0


# ---------------------------------------------------------------- finite ribbon
@pytest.mark.parametrize("edge", ["armchair-y", "zigzag-x"])
def test_surface_greens_function_equals_long_finite_ribbon(edge):
    """Away from zero energy, with broadening: far-edge reflections ~ exp(-2 W eta / v) < 1e-8.

    v <= sum_alpha |alpha| ||h_alpha|| bounds the group velocity dE/dq (columns x |t|).
    """
    model = intrinsic_ising_model(ISING)
    se = SemiInfiniteEdge(model, edge, DELTA, VX)
    k, z = 0.8, 0.3 + 0.05j
    n = se.block_size
    blocks = Ribbon.oriented(model, 2, edge).column_blocks(k, DELTA, VX)
    v = sum(abs(a) * np.linalg.norm(b[0], 2) for a, b in blocks.items())
    W = int(np.ceil(v * np.log(1e8) / (2 * z.imag) / se.span)) * se.span
    rib = Ribbon.oriented(model, W, edge)
    h = rib.sparse_bdg_hamiltonian(k, DELTA, VX).tocsc()
    lu = splu((z * sp.identity(h.shape[0], format="csc") - h).tocsc())
    dim = h.shape[0]
    rhs = np.zeros((dim, 2 * n), dtype=complex)
    rhs[:n, :n] = np.eye(n)
    rhs[dim - n:, n:] = np.eye(n)
    x = lu.solve(rhs)
    g_fin_left, g_fin_right = x[:n, :n], x[dim - n:, n:]
    g = se.surface_greens_function(k, z, side="both")
    assert np.allclose(g["left"][0, 0], g_fin_left, atol=1e-6)
    assert np.allclose(g["right"][0, 0], g_fin_right, atol=1e-6)


def test_sum_rule_of_the_edge_spectral_function():
    """int A dE = N (states of the surface layer) within the derived tail + trapezoid bounds."""
    model = intrinsic_ising_model(ISING)
    se = SemiInfiniteEdge(model, "armchair-y", DELTA, VX)
    eta, ky = 0.05, 1.5
    bound = float(se.bandwidth_bound(ky)[0])
    e_max = bound + 10.0
    de = eta / 2
    e = np.arange(-e_max, e_max + de / 2, de)
    ds = se.spectral_function([ky], e, eta=eta)
    n = se.block_size
    tail = 2 * eta / np.pi * n / (e_max - bound)
    q = np.exp(-2 * np.pi * eta / de)
    trap = 2 * n * q / (1 - q)
    for side in ("left", "right"):
        integral = np.trapezoid(ds.A.sel(side=side).values[0], e)
        assert n - tail - trap <= integral <= n + trap
        assert integral == pytest.approx(n, abs=tail + trap)
    # resolved parts add up: particles = sum over orbitals; particles + holes = total
    assert np.allclose(ds.A_particle, ds.A_orbital.sum("orbital"))
    assert ds.attrs["layer_columns"] == 2 and ds.attrs["eta"] == eta
    assert ds.A.attrs["units"].startswith("states")


def test_spin_resolved_edge_spectrum_without_field_or_soc_is_unpolarised():
    model = intrinsic_ising_model(IsingParams(t=-1.0, mu=-3.0, beta_so=0.0))
    ds = edge_spectral_function(model, [0.4, 1.1], np.linspace(-1, 1, 5), delta=0.2, eta=0.05)
    assert np.abs(ds.A_spin).max() < 1e-12
    ds = edge_spectral_function(model, [0.4, 1.1], np.linspace(-1, 1, 5), delta=0.2,
                                field=0.3, eta=0.05)
    assert np.abs(ds.A_spin.sel(component="x")).max() > 1e-3  # the field polarises along x
    assert np.abs(ds.A_spin.sel(component=["y", "z"])).max() < 1e-12


# ---------------------------------------------------------------- flat bands, single band
def test_zero_modes_of_the_semi_infinite_edge_lie_on_the_node_intervals():
    model = intrinsic_ising_model(ISING)
    ky = np.linspace(-np.pi / SQRT3, np.pi / SQRT3, 241)
    zm = edge_zero_modes(model, ky, delta=DELTA, field=VX)
    n_left, n_right = zm.n_modes.sel(side="left").values, zm.n_modes.sel(side="right").values
    assert np.array_equal(n_left, n_right)
    # the decay length diverges at the interval ends: skip a margin there
    margin = 0.02
    inside = np.zeros(len(ky), bool)
    near_end = np.zeros(len(ky), bool)
    for lo, hi in node_intervals():
        for s in (1, -1):
            a, b = sorted((s * lo, s * hi))
            inside |= (ky > a + margin) & (ky < b - margin)
            near_end |= (np.abs(ky - a) <= margin) | (np.abs(ky - b) <= margin)
    assert np.all(n_left[inside] > 0)
    assert np.all(n_left[~inside & ~near_end] == 0)
    # and the count is |winding| wherever it is resolved
    for i in np.nonzero(~near_end)[0][::6]:
        assert n_left[i] == abs(winding(model, ky[i], DELTA, VX))
    # no field: gapped and trivial everywhere
    zm0 = edge_zero_modes(model, ky, delta=DELTA, field=0.0)
    assert zm0.n_modes.values.sum() == 0


def test_wide_sparse_ribbon_finds_the_same_zero_modes():
    """W = 1500 columns (6000 states, shift-invert): W/xi >= 10 in the middle of the intervals."""
    model = intrinsic_ising_model(ISING)
    (a1, b1), (a2, b2) = node_intervals()
    ky = np.array([0.5 * (a1 + b1), -0.5 * (a2 + b2), 0.3, 1.1])
    expect = [abs(winding(model, k, DELTA, VX)) for k in ky]
    assert expect == [1, 2, 0, 0]
    rib = Ribbon.oriented(model, 1500)
    ds = rib.edge_states(ky, DELTA, VX, method="sparse")
    assert ds.n_left.values.tolist() == expect
    assert ds.n_right.values.tolist() == expect
    assert np.all(ds.leak.values < 1e-6)  # resolved: no weight on the far half
    zm = edge_zero_modes(model, ky, delta=DELTA, field=VX)
    assert zm.n_modes.sel(side="left").values.tolist() == expect
    ds0 = rib.edge_states(ky[:2], DELTA, 0.0, method="sparse")
    assert ds0.n_left.values.sum() + ds0.n_right.values.sum() == 0


def test_zero_mode_count_is_stable_under_eta():
    """The 1/eta pole: the same count at two choices of eta, weights unchanged."""
    model = intrinsic_ising_model(ISING)
    ky = np.array([0.6, 0.76, 1.0, 1.5])
    a = edge_zero_modes(model, ky, delta=DELTA, field=VX, eta=1e-5)
    b = edge_zero_modes(model, ky, delta=DELTA, field=VX, eta=1e-4)
    assert np.array_equal(a.n_modes, b.n_modes)
    assert a.n_modes.values.tolist() == [[0, 2, 0, 1], [0, 2, 0, 1]]
    for side in ("left", "right"):
        for i, n in enumerate(a.n_modes.sel(side=side).values.astype(int)):
            wa = a.weight.sel(side=side).values[i, :n]
            wb = b.weight.sel(side=side).values[i, :n]
            assert np.all(wa > 1e-3) and np.allclose(wa, wb, rtol=1e-3)


# ---------------------------------------------------------------- the paper's heterostructure
def test_heterostructure_edge_has_a_zero_energy_peak_in_the_flat_band_range():
    """PAPER, Gamma = 0.5, Delta = 0.02, Vx = 4 Delta: flat band for 1.18 < |ky| < 1.26 (1/a)."""
    model = heterostructure_model(PAPER.with_(gamma=0.5))
    delta = 0.02
    ky = [1.24, -1.24, 1.0]
    e = np.linspace(-2e-4, 2e-4, 5)
    ds = edge_spectral_function(model, ky, e, delta=delta, field=4 * delta, eta=1e-5,
                                side="left")
    a = ds.A.sel(side="left").values
    assert np.all(np.argmax(a[:2], axis=1) == 2)  # peaked at E = 0
    assert np.all(a[:2, 2] > 100 * a[2, 2])
    zm = edge_zero_modes(model, ky, delta=delta, field=4 * delta)
    assert zm.n_modes.values.tolist() == [[1, 1, 0], [1, 1, 0]]


# ---------------------------------------------------------------- errors
def test_bad_edge_input():
    model = intrinsic_ising_model(ISING)
    with pytest.raises(ParameterError, match="edge"):
        SemiInfiniteEdge(model, "diagonal")
    with pytest.raises(ParameterError, match="Vx"):
        SemiInfiniteEdge(model, "armchair-y", 0.1, -0.2)
    with pytest.raises(ParameterError, match="delta"):
        SemiInfiniteEdge(model, "armchair-y", -0.1, 0.2)
    se = SemiInfiniteEdge(model, "zigzag-x", 0.1, 0.2)
    with pytest.raises(ParameterError, match="eta"):
        se.spectral_function([0.1], [0.0], eta=0.0)
    with pytest.raises(ParameterError, match="side"):
        se.spectral_function([0.1], [0.0], side="top")


def test_decimation_that_does_not_converge_raises():
    model = intrinsic_ising_model(ISING)
    h00, h10 = SemiInfiniteEdge(model, "armchair-y", DELTA, VX).layer_blocks([1.5])
    with pytest.raises(ConvergenceError, match="not converged"):
        decimate(h00, h10, 0.3 + 1e-9j, max_iter=3)
    with pytest.raises(ConvergenceError, match="Im z"):
        decimate(h00, h10, 0.3 + 0j)


def test_small_dense_ribbon_counts_only_where_it_is_wide_enough():
    """W = 120 (480 states, dense): a count is reported only where W >= 5 xi (xi: the longest decay
    length at E = 0, closed form of decay lengths tested above), and there it equals |W(ky)|; on the
    narrow-interval lines (xi up to ~500 columns) the ribbon gives NaN, not a confident 0."""
    model = intrinsic_ising_model(ISING)
    ky = np.linspace(0.05, np.pi / SQRT3 - 0.05, 23)
    rib = Ribbon.oriented(model, 120)
    ds = rib.edge_states(ky, DELTA, VX, method="dense")
    xi = edge_decay_length(model, ky, delta=DELTA, field=VX).xi_columns.values
    r = ds.resolved.values
    assert np.array_equal(r, 120 >= 5 * xi)
    assert np.isnan(ds.n_left.values[~r]).all() and np.isnan(ds.n_right.values[~r]).all()
    ref = np.array([abs(winding(model, k, DELTA, VX)) for k in ky])
    assert np.array_equal(ds.n_left.values[r], ref[r]) and np.array_equal(ds.n_right.values[r], ref[r])
    (lo, hi), _ = node_intervals()
    mid = (ky > lo + 0.02) & (ky < hi - 0.02)
    assert (r & mid).sum() >= 3 and (~r).sum() >= 3 and ref[r & mid].min() == 1


# --------------------------------------------------------------------- bulk-boundary correspondence
BBC_KY = np.array([0.3, 1.0, 1.1677, 1.20, 1.26, 1.31, 1.5, -1.20, -1.26])  # all W intervals, none on a node


def _bbc_models():
    from isingsc.models.paper import fit_effective_model

    return {"heterostructure": heterostructure_model(PAPER), "effective": fit_effective_model(PAPER).model()}


@pytest.mark.parametrize("name", ["heterostructure", "effective"])
def test_zero_modes_per_edge_equal_bulk_winding(name):
    """Paper parameters, Delta = 0.05, Vx = 4 Delta: the semi-infinite edge has |W(ky)| zero modes on
    each edge (W from isingsc.topology.bulk, independent code); Vx = 0: none, and W = 0."""
    from isingsc.topology.bulk import winding_number

    model = _bbc_models()[name]
    for vx in (0.2, 0.0):
        w = winding_number(model, 0.05, (vx, 0.0, 0.0), BBC_KY).winding.values
        modes = SemiInfiniteEdge(model, "armchair-y", 0.05, (vx, 0.0, 0.0)).zero_modes(BBC_KY).n_modes.values
        assert np.all(np.isfinite(w))
        assert np.array_equal(modes[0], np.abs(w)) and np.array_equal(modes[1], np.abs(w))
        assert (np.abs(w).max() == 2) if vx else not np.any(w)


@pytest.mark.parametrize("name", [pytest.param("heterostructure", marks=pytest.mark.slow), "effective"])
def test_wide_ribbon_zero_modes_equal_bulk_winding(name):
    """The same count from a finite ribbon: at the paper's parameters the edge modes decay over ~1e4
    columns, so it takes 1e5 columns (sparse shift-invert) to separate the two edges (W >= 5 xi:
    resolved).  The 8-orbital case takes ~25 s (slow)."""
    from isingsc.topology.bulk import winding_number

    model = _bbc_models()[name]
    ky = np.array([1.26])
    w = winding_number(model, 0.05, (0.2, 0.0, 0.0), ky).winding.values
    states = Ribbon.oriented(model, 100_000, "armchair-y").edge_states(ky, 0.05, (0.2, 0.0, 0.0), method="sparse")
    assert states.resolved.values[0]
    assert states.n_left.values[0] == states.n_right.values[0] == abs(w[0]) == 1
