"""Zero-mode profiles of the semi-infinite strip (SemiInfiniteEdge.zero_mode_profile) against what is known.

References (none of them is the code under test):
* a finite ribbon wide compared with the decay length holds, on each edge, the same zero mode up to
  corrections exp(-W/xi) from the far edge: its eigenvectors (sparse shift-invert,
  Ribbon.edge_state_profiles) give the same weight per column near that edge;
* a BDI line with winding W(ky) has |W(ky)| zero modes on each edge (bulk-boundary correspondence;
  W from the bulk Bloch Hamiltonian, isingsc.topology.bulk.winding_number);
* far from the edge the weight decays as |mu_max|^(2n), mu_max the slowest decaying solution of the
  bulk chain, sum_alpha h_alpha mu^(-alpha) phi = 0 (computed here from the column blocks as a
  polynomial eigenvalue problem per column, not the principal-layer pencil the code uses);
* the weights are probabilities: over many decay lengths they sum to 1.
"""

import numpy as np
import pytest
import scipy.linalg as sla

from isingsc.core.errors import ConvergenceError, ParameterError
from isingsc.models.catalogue import resolve
from isingsc.models.paper import PAPER, IsingParams, intrinsic_ising_model
from isingsc.topology.bulk import winding_number
from isingsc.topology.edge import SemiInfiniteEdge
from isingsc.topology.ribbon import Ribbon

# Single-band Ising superconductor with a large gap on the ky lines: decay lengths of 10-100 columns.
ISING_PARAMS = IsingParams(t=-1.0, mu=-3.0, beta_so=1.0)
ISING = intrinsic_ising_model(ISING_PARAMS)
ISING_DELTA, ISING_VX = 0.25, 0.75  # Vx = 3 Delta: nodes, flat bands with W = 1 and W = -2
PAPER_MODEL = resolve("heterostructure", parameters=PAPER).model


def node_ky(p=ISING_PARAMS, delta=ISING_DELTA, vx=ISING_VX):
    """ky projection of the inner Gamma-M node along ky (kx = 0): 2 t C(r) - mu = -sqrt(Vx^2 - Delta^2) with
    C = 1 + 2 cos(sqrt3 r / 2) on Gamma-M (there S = 0, so the Ising SOC vanishes)."""
    xi = np.sqrt(vx**2 - delta**2)
    c = (np.array([xi, -xi]) + p.mu) / (2 * p.t)
    return float(np.min(2 / np.sqrt(3) * np.arccos((c - 1) / 2)))


def edge_weights(ds, edge):
    """Weight per column of the modes of one edge, summed over the modes (basis independent)."""
    return ds.weight.values[ds.edge.values == edge].sum(0)


def slowest_mu(model, ky, delta, vx):
    """|mu| of the slowest decaying (|mu| < 1) solutions of sum_alpha h_alpha(ky) mu^(s - alpha) phi = 0.

    Companion linearisation of the degree-2s matrix polynomial sum_p C_p mu^p, C_p = h_(s - p), as a
    generalised eigenproblem (C_2s may be singular); sorted descending.
    """
    blocks = {a: b[0] for a, b in Ribbon.oriented(model, 2, "armchair-y").column_blocks(ky, delta, vx).items()}
    s, D = max(blocks), blocks[0].shape[0]
    coef = [blocks.get(s - p, np.zeros((D, D))) for p in range(2 * s + 1)]
    n = 2 * s * D
    a = np.zeros((n, n), dtype=complex)
    b = np.eye(n, dtype=complex)
    a[:-D, D:] = np.eye(n - D)
    for p in range(2 * s):
        a[-D:, p * D:(p + 1) * D] = -coef[p]
    b[-D:, -D:] = coef[2 * s]
    mu = sla.eigvals(a, b)
    mu = np.abs(mu[np.isfinite(mu)])
    return np.sort(mu[mu < 1])[::-1]


@pytest.mark.parametrize("model, delta, vx, ky, width, n_cols", [
    (ISING, ISING_DELTA, ISING_VX, 1.5, 400, 200),  # xi = 19 columns, W = 1
    (PAPER_MODEL, 0.3, 1.0, 1.52, 12_000, 2000),  # the exact heterostructure, xi = 1.4e3 columns, W = -1
], ids=["ising", "heterostructure"])
def test_profile_equals_the_wide_finite_ribbon(model, delta, vx, ky, width, n_cols):
    """Both edges: the semi-infinite profile equals the finite ribbon's zero mode near its own edge."""
    ds = SemiInfiniteEdge(model, "armchair-y", delta, vx).zero_mode_profile(ky, n_cols)
    prof = Ribbon.oriented(model, width, "armchair-y").edge_state_profiles(ky, delta, vx, method="sparse")
    assert width > 8 * ds.attrs["decay_length"]
    for edge in (1, -1):
        rib = prof.weight.values[prof.edge.values == edge].sum(0)
        rib = (rib if edge > 0 else rib[::-1])[:n_cols]
        new = edge_weights(ds, edge)
        assert rib.sum() > 0.9 and new.shape == (n_cols,)
        rib, new = rib / rib.sum(), new / new.sum()
        assert np.max(np.abs(rib - new) / new) < 1e-6


def test_the_weights_are_probabilities():
    """Normalised over the half-infinite strip: over ~100 decay lengths they sum to 1; the tail is reported."""
    edge = SemiInfiniteEdge(ISING, "armchair-y", ISING_DELTA, ISING_VX)
    full = edge.zero_mode_profile(1.5, 4000)
    assert np.allclose(full.weight.values.sum(1), 1.0, atol=1e-12, rtol=0)
    short = edge.zero_mode_profile(1.5, 37)  # an odd number of columns: half a principal layer
    assert np.allclose(short.weight.values, full.weight.values[:, :37], rtol=1e-12, atol=0)
    assert np.allclose(short.weight_beyond.values, full.weight.values[:, 37:].sum(1), rtol=1e-10, atol=0)
    assert list(short.distance.values) == list(range(1, 38))
    assert short.weight.attrs["units"] == "probability per column"
    assert short.distance.attrs["units"] == "columns from the mode's edge"
    assert short.attrs["k"] == 1.5 and short.attrs["columns"] == 37


@pytest.mark.parametrize("model, delta, vx, kys", [
    (ISING, ISING_DELTA, ISING_VX, np.linspace(0.05, 1.8, 24)),
    (PAPER_MODEL, 0.05, 0.2, np.array([0.9, 1.18, 1.2, 1.23, 1.26, 1.29, 1.4])),
    (PAPER_MODEL, 0.3, 1.0, np.array([0.8, 0.97, 1.07, 1.2, 1.3, 1.4, 1.5, 1.7])),
], ids=["ising", "heterostructure-fig4", "heterostructure-large-gap"])
def test_number_of_zero_modes_per_edge_is_the_winding(model, delta, vx, kys):
    """|W(ky)| zero modes on each edge where W != 0; a clear ParameterError naming ky where W = 0."""
    w = winding_number(model, delta, vx, kys)
    assert bool(w.resolved.all())
    edge = SemiInfiniteEdge(model, "armchair-y", delta, vx)
    seen = set()
    for ky, wk in zip(kys, w.winding.values):
        seen.add(abs(int(wk)))
        if wk == 0:
            with pytest.raises(ParameterError) as err:
                edge.zero_mode_profile(ky, 10)
            assert err.value.name == "ky" and "no zero mode" in str(err.value)
            continue
        ds = edge.zero_mode_profile(ky, 10)
        assert (ds.edge.values == 1).sum() == abs(wk) and (ds.edge.values == -1).sum() == abs(wk)
    assert {0, 1} <= seen


def test_the_winding_two_region_has_two_modes_per_edge():
    ky = 0.77
    assert winding_number(ISING, ISING_DELTA, ISING_VX, [ky]).winding.values[0] == -2
    ds = SemiInfiniteEdge(ISING, "armchair-y", ISING_DELTA, ISING_VX).zero_mode_profile(ky, 400)
    assert list(ds.edge.values) == [1, 1, -1, -1]
    # orthonormal modes: each one sums to 1 over the strip
    assert np.allclose(ds.weight.values.sum(1) + ds.weight_beyond.values, 1.0, atol=1e-10)


def test_decay_rate_is_that_of_the_slowest_evanescent_solution():
    """ky = 1.7 (W = 1): the slowest |mu| is non-degenerate, so w(n+1)/w(n) -> |mu_max|^2 exactly."""
    ky = 1.7
    mu = slowest_mu(ISING, ky, ISING_DELTA, ISING_VX)
    assert mu[0] > mu[1] * 1.02  # non-degenerate
    ds = SemiInfiniteEdge(ISING, "armchair-y", ISING_DELTA, ISING_VX).zero_mode_profile(ky, 1200)
    for edge in (1, -1):
        w = edge_weights(ds, edge)
        rate = -0.5 * np.log(w[1100] / w[1099])
        assert rate == pytest.approx(-np.log(mu[0]), rel=1e-8)
    assert ds.attrs["decay_length"] == pytest.approx(-1 / np.log(mu[0]), rel=1e-8)


def test_decay_rate_of_the_paper_profile():
    """Fig. 4's ky = 1.26 at Vx = 4 Delta: a degenerate pair of slowest solutions (an oscillating tail);
    the envelope fitted over 10-20 decay lengths decays at the rate of the slowest |mu|."""
    delta, ky = 0.05, 1.26
    mu = slowest_mu(PAPER_MODEL, ky, delta, 4 * delta)
    xi = -1 / np.log(mu[0])
    ds = SemiInfiniteEdge(PAPER_MODEL, "armchair-y", delta, 4 * delta).zero_mode_profile(ky, int(20 * xi))
    n = ds.distance.values
    sel = n > 10 * xi
    for edge in (1, -1):
        slope = np.polyfit(n[sel], np.log(edge_weights(ds, edge)[sel]), 1)[0]
        assert -slope / 2 == pytest.approx(1 / xi, rel=1e-3)
    assert ds.attrs["decay_length"] == pytest.approx(xi, rel=1e-8)


@pytest.mark.parametrize("ky, columns, side, name", [
    (1.0, 10, "both", "ky"),  # W = 0: no zero mode
    (node_ky(), 10, "both", "ky"),  # a node projection: the line is gapless at E = 0
    (np.nan, 10, "both", "ky"),
    (1.5, 0, "both", "columns"),
    (1.5, -4, "both", "columns"),
    (1.5, 2.5, "both", "columns"),
    (1.5, 10, "top", "side"),
])
def test_bad_input_is_one_clear_error(ky, columns, side, name):
    edge = SemiInfiniteEdge(ISING, "armchair-y", ISING_DELTA, ISING_VX)
    with pytest.raises(ParameterError) as err:
        edge.zero_mode_profile(ky, columns, side)
    assert err.value.name == name and len(str(err.value).splitlines()) == 1


def test_an_unresolved_decay_is_refused():
    """1e-11 from a node projection (line gap 3e-11 |t|, decay length ~1e10 columns) the slowest |lambda| is
    within 1e-9 of 1: ConvergenceError, not a profile; 1e-13 from it the line is gapless to rounding."""
    edge = SemiInfiniteEdge(ISING, "armchair-y", ISING_DELTA, ISING_VX)
    with pytest.raises(ConvergenceError) as err:
        edge.zero_mode_profile(node_ky() + 1e-11, 10)
    assert len(str(err.value).splitlines()) == 1 and "ky = " in str(err.value)
    assert "decay not resolved" in str(err.value)
    with pytest.raises(ParameterError) as err:
        edge.zero_mode_profile(node_ky() + 1e-13, 10)
    assert err.value.name == "ky"
    assert edge.zero_mode_profile(node_ky() + 1e-8, 10).attrs["decay_length"] > 1e7  # still resolved
