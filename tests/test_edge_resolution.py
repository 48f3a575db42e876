"""Issue 15: zero-mode counts at a resolution set by the gap of each ky line, or flagged unresolved.

References (none of them is the code under test):
* bulk-boundary correspondence: a BDI chain with winding W(ky) has |W(ky)| zero modes on each edge;
  W comes from isingsc.topology.bulk (the certified phase integral of det A along kx at fixed ky),
  code independent of the surface Green's function and of the ribbon;
* the number of zero-energy states per unit length of edge is int dky/(2 pi) |W(ky)| (the W intervals
  from the projected nodes); the midpoint rule on n_ky points misses at most (dky/2) |jump of |W||
  per jump (a step function);
* a rotation of the in-plane field about z, exp(-i sigma_z phi/2), commutes with the Ising SOC
  (sigma_z), the hoppings and the singlet pairing: every count is independent of the field angle;
* on a ky line through a projected node the line gap closes: no count can be resolved there.

The reported cases (issue 15, item 1) use the CLI's ky grid: n points symmetric about 0 in
[-pi/sqrt3, pi/sqrt3), period sqrt3 of the armchair-y edge.
"""

import math

import numpy as np
import pytest

from isingsc.core.field import Field
from isingsc.models.paper import (
    PAPER,
    IsingParams,
    fit_effective_model,
    heterostructure_model,
    intrinsic_ising_model,
)
from isingsc.spectroscopy.edge import EdgeSpectroscopy
from isingsc.topology.bulk import find_nodes, winding_intervals, winding_number
from isingsc.topology.edge import SemiInfiniteEdge
from isingsc.topology.ribbon import Ribbon

HET = PAPER.with_(gamma=0.343434, mu_tmd=2.83588, beta_so=0.27243)
HET_DELTA, HET_VX, HET_ANGLE = 0.0308379, 0.0819734, 13.9923
EFF = PAPER.with_(gamma=0.831339, mu_tmd=3.67997, beta_so=0.34002)
EFF_DELTA, EFF_VX, EFF_ANGLE = 0.0422632, 0.124809, 6.32415


def cli_grid(n, period=None):
    half = math.pi / (math.sqrt(3) if period is None else period)
    return np.linspace(-half, half, n, endpoint=False) + half / n


@pytest.fixture(scope="module")
def het_model():
    return heterostructure_model(HET)


@pytest.fixture(scope="module")
def eff_model():
    return fit_effective_model(EFF).model()


def assert_counts_equal_winding(model, delta, field, ky):
    """n_modes = |W| on every resolved line and both edges; returns the zero-mode Dataset."""
    w = winding_number(model, delta, field, ky).winding.values
    zm = SemiInfiniteEdge(model, "armchair-y", delta, field).zero_modes(ky)
    res = zm.resolved.values
    n = zm.n_modes.values
    assert np.all(np.isnan(n[~res])) and np.all(np.isfinite(n[res]))
    known = res & np.isfinite(w)[None, :]
    assert known.all(), "every line of the reported grids is resolved (smallest line gap ~2e-6 |t|)"
    assert np.array_equal(n[known], np.broadcast_to(np.abs(w), n.shape)[known])
    return zm, w


# ------------------------------------------------------------------ the reported cases
def test_heterostructure_121_ky_at_field_angle(het_model):
    """Reported: 4 of 121 ky differed from |W| (0 where |W| = 1, 2 where W = 0), field at 13.99 deg."""
    field = Field.in_plane(HET_VX, math.radians(HET_ANGLE))
    zm, w = assert_counts_equal_winding(het_model, HET_DELTA, field, cli_grid(121))
    assert np.sum(w != 0) >= 4 and set(np.unique(w)) >= {-1.0, 1.0}
    # the lines next to the projected nodes are among them: small gaps, resolved at their own eta
    assert zm.line_gap.values.min() < 1e-4
    small = zm.line_gap.values < 2e-4
    assert np.all(zm.eta.values[:, small] <= 1e-2 * zm.line_gap.values[small])


def test_heterostructure_61_ky_semi_infinite_ribbon_method(het_model):
    """Reported (``ribbon``, semi-infinite method, 61 ky): 2 lines differed, one with 2 modes where W = 0."""
    field = Field.in_plane(HET_VX, math.radians(HET_ANGLE))
    ky = cli_grid(61)
    zm, w = assert_counts_equal_winding(het_model, HET_DELTA, field, ky)
    # the W = 0 line next to the W = -2 interval (line gap ~2e-6 |t|, decay length ~2e6 columns)
    i = int(np.argmin(np.abs(ky - 1.189377)))
    assert w[i] == 0 and zm.line_gap.values[i] < 1e-5
    assert zm.n_modes.values[:, i].tolist() == [0.0, 0.0]


def test_effective_model_121_ky_at_field_angle(eff_model):
    """Reported: 2 of 121 ky differed (fitted effective model, field at 6.32 deg)."""
    field = Field.in_plane(EFF_VX, math.radians(EFF_ANGLE))
    _, w = assert_counts_equal_winding(eff_model, EFF_DELTA, field, cli_grid(121))
    assert np.any(w != 0)


def test_counts_do_not_depend_on_the_field_angle(eff_model):
    """Spin rotation about z: the same W and the same counts at 0, 6.32, 45 and 90 degrees."""
    ky = cli_grid(121)
    counts = []
    for angle in (0.0, EFF_ANGLE, 45.0, 90.0):
        field = Field.in_plane(EFF_VX, math.radians(angle))
        zm, _ = assert_counts_equal_winding(eff_model, EFF_DELTA, field, ky)
        counts.append(zm.n_modes.values)
        assert zm.attrs["chiral"] == 1  # C = sigma_x tau_y holds for every in-plane direction
    assert all(np.array_equal(c, counts[0]) for c in counts[1:])


def test_flat_band_density_of_the_reported_case(het_model):
    """Reported: 0.0308 zero-energy states per a of edge against 0.0209 from int |W| dky / 2 pi (600 ky,
    field along x).  Now equal within the midpoint-rule bound of the W step function."""
    es = EdgeSpectroscopy(het_model, HET_DELTA, HET_VX, n_ky=600)
    zb = es.zero_bias_peak(winding=False)
    a = zb.attrs
    assert zb.resolved.values.all() and a["unresolved_lines"] == 0
    iv = winding_intervals(het_model, HET_DELTA, HET_VX)
    w = iv.winding.values
    assert np.all(np.isfinite(w))
    exact = float(np.sum(np.abs(w) * (iv.ky_hi.values - iv.ky_lo.values))) / (2 * np.pi)
    assert exact == pytest.approx(0.0209, abs=1e-4)
    jumps = float(np.sum(np.abs(np.abs(w) - np.roll(np.abs(w), 1))))
    bound = 0.5 * es.dky * jumps / (2 * np.pi)
    assert abs(a["flat_band_density"] - exact) <= bound
    assert a["flat_band_density"] == a["flat_band_density_resolved"]


# ------------------------------------------------------------------ the flag
def test_lines_on_a_projected_node_are_unresolved(het_model):
    """A line through a node has no gap: no count (NaN, resolved False), the same as the winding number;
    a line 1e-2 away is resolved and equals |W|."""
    field = Field.in_plane(HET_VX, math.radians(HET_ANGLE))
    nodes = find_nodes(het_model, HET_DELTA, field)
    y0 = float(nodes.ky_line.values[np.argmax(nodes.ky_line.values)])
    ky = np.array([y0, y0 + 1e-12, y0 - 1e-11, y0 - 1e-2])
    se = SemiInfiniteEdge(het_model, "armchair-y", HET_DELTA, field)
    zm = se.zero_modes(ky)
    assert zm.resolved.values[:, :3].sum() == 0 and np.isnan(zm.n_modes.values[:, :3]).all()
    assert np.all(zm.status.values[:, :3] > 0)
    w = winding_number(het_model, HET_DELTA, field, ky)
    assert w.through_node.values[:3].all() and not w.resolved.values[:3].any()
    assert zm.resolved.values[:, 3].all() and zm.n_modes.values[0, 3] == abs(w.winding.values[3])
    # the zero-bias peak reports the same line as unresolved (explicit momenta: no ky integral)
    zb = EdgeSpectroscopy(het_model, HET_DELTA, HET_VX, ky=[y0]).zero_bias_peak(winding=False)
    assert not zb.resolved.values[0] and np.isnan(zb.n_modes.values[0])


def test_an_eta_not_small_against_the_line_gap_is_flagged(het_model):
    """The old default eta_1 ~ 1e-6 B ~ 7.5e-6 |t| on the W = 0 line next to a node (gap ~9e-5 |t|) counted
    2 modes; given explicitly it now violates the rule (eta <= 1e-2 E_g) and is reported, not counted."""
    field = Field.in_plane(HET_VX, math.radians(HET_ANGLE))
    ky = cli_grid(121)
    i = int(np.argmin(np.abs(ky - 1.169226)))
    se = SemiInfiniteEdge(het_model, "armchair-y", HET_DELTA, field)
    assert winding_number(het_model, HET_DELTA, field, ky[i:i + 1]).winding.values[0] == 0
    old = se.zero_modes(ky[i:i + 1], eta=7.5e-6)
    assert not old.resolved.values.any() and np.isnan(old.n_modes.values).all()
    assert old.status.values.tolist() == [[6], [6]]
    new = se.zero_modes(ky[i:i + 1])
    assert new.resolved.values.all() and new.n_modes.values.tolist() == [[0.0], [0.0]]


def test_narrow_finite_ribbon_is_unresolved_wide_enough_one_counts():
    """Finite ribbon, single-band model, field at 30 deg: the count is reported only where W >= 5 xi
    (xi the longest evanescent decay length at E = 0), and there it equals |W(ky)|."""
    model = intrinsic_ising_model(IsingParams(t=-1.0, mu=-3.0, beta_so=1.0))
    field = Field.in_plane(0.75, math.radians(30.0))
    ky = cli_grid(10)
    w = np.abs(winding_number(model, 0.25, field, ky).winding.values)
    xi = SemiInfiniteEdge(model, "armchair-y", 0.25, field).decay_length(ky).xi_columns.values
    for width in (120, 1200):
        ds = Ribbon.oriented(model, width).edge_states(ky, 0.25, field, method="sparse")
        assert np.array_equal(ds.resolved.values, width >= 5 * xi)
        r = ds.resolved.values
        assert np.array_equal(ds.n_left.values[r], w[r]) and np.array_equal(ds.n_right.values[r], w[r])
        assert np.isnan(ds.n_left.values[~r]).all()
    assert (~(120 >= 5 * xi)).any() and (1200 >= 5 * xi).all() and w.max() > 0


def test_flat_band_density_is_nan_not_a_wrong_number_when_a_line_is_unresolved():
    """Single-band model (Vx = 3 Delta): one grid line moved onto a projected node.  The density is then
    NaN; the resolved lines still sum to int |W| dky / 2 pi within the midpoint-rule bound."""
    model = intrinsic_ising_model(IsingParams(t=-1.0, mu=-3.0, beta_so=1.0))
    es = EdgeSpectroscopy(model, 0.25, 0.75, n_ky=120)
    y0 = float(find_nodes(model, 0.25, 0.75).ky_line.values.max())
    i = int(np.argmin(np.abs(es.ky - y0)))
    es.ky[i] = y0
    zb = es.zero_bias_peak(winding=False)
    a = zb.attrs
    assert np.isnan(a["flat_band_density"]) and a["unresolved_lines"] == 1
    assert not zb.resolved.values[i] and zb.resolved.values.sum() == 119
    w = np.abs(winding_number(model, 0.25, 0.75, np.delete(es.ky, i)).winding.values)
    assert np.array_equal(np.delete(zb.n_modes.values, i), w)
    assert a["flat_band_density_resolved"] == pytest.approx(w.sum() * es.dky / (2 * np.pi), rel=1e-12)
