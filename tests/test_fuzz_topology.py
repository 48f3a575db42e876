"""Fuzz suite, second part: zero modes, flat-band density and tunnelling spectra on random physical parameters.

Draws come from the seeded generator of tests/test_fuzz.py (the same parameter ranges per model) plus a
pairing Delta, an in-plane Zeeman field V and its angle.  Invariants (none compares the code with itself):

* bulk-boundary correspondence: on every ky line whose count is resolved, each armchair edge carries
  |W(ky)| zero modes, W from the winding number of det A along kx (isingsc.topology.bulk: certified
  phase integral, code independent of the surface Green's function); a line is unresolved only where
  its bulk line gap is below 1e-4 |t| (too small for any feasible broadening), and then it is flagged
  (NaN), never counted;
* the zero-energy edge states per unit length of edge, int dky/2pi |W(ky)| (the exact W intervals
  between projected nodes), equal the flat-band density of the edge spectroscopy within the midpoint
  rule's bound on a step function (dky/2 per jump of |W|), or that density is NaN with the unresolved
  lines counted;
* far from the gap the tunnelling conductance of the superconductor equals the normal state's at the
  same field: |dI/dV_S / dI/dV_N - 1| <= Delta^2/E^2 at |E| >= 6 Delta0 (BCS: E/sqrt(E^2 - Delta^2) - 1
  = Delta^2/2E^2 + ..., a factor 2 for the slope of the normal DOS and the Zeeman shift), with the DOS
  quadrature resolving the broadening out to those biases (the fuzz found spectra beyond the DOS window
  under-resolved: the window now follows the bias);
* every run ends within the fuzz suite's time bound.

The default run draws one case for two models; ``-m slow`` every chiral real-space model, three draws.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from isingsc.core.errors import IsingscError
from isingsc.core.field import Field
from isingsc.models.catalogue import get, names, resolve
from isingsc.spectroscopy.bulk import BulkSpectroscopy
from isingsc.spectroscopy.edge import EdgeSpectroscopy
from isingsc.topology.bulk import winding_intervals, winding_number
from isingsc.topology.edge import SemiInfiniteEdge

from .test_fuzz import RANGES, SEED, timed

#: Models with a chiral symmetry and a real-space lattice: the ones with edge zero modes counted by W.
CHIRAL = [n for n in names() if n in RANGES and get(n).facts.chiral and get(n).facts.real_space]
FAST = ("heterostructure", "intrinsic")
#: |t|: a line with a larger bulk gap must be resolved (10x the edge module's documented limit).
UNRESOLVED_GAP = 1e-4


def draw(name: str, i: int):
    """Model parameters (test_fuzz's ranges), Delta in 0.03-0.08 |t|, V in 0-5 Delta, angle in [0, 2pi)."""
    rng = np.random.default_rng([SEED, 1000 + i, sum(map(ord, name))])
    params = {k: float(rng.uniform(*r)) for k, r in RANGES[name].items()}
    delta = float(rng.uniform(0.03, 0.08))
    return params, delta, float(rng.uniform(0.0, 5.0)) * delta, float(rng.uniform(0.0, 2 * np.pi))


def ky_grid(n: int) -> np.ndarray:
    """n lines, midpoints of a uniform grid over the armchair-y edge's zone [-pi/sqrt3, pi/sqrt3)."""
    half = math.pi / math.sqrt(3)
    return np.linspace(-half, half, n, endpoint=False) + half / n


def check_zero_modes(name: str, i: int) -> None:
    params, delta, v, angle = draw(name, i)
    model = resolve(name, overrides=params).model
    field = Field.in_plane(v, angle)
    ky = ky_grid(31)
    w = timed(lambda: winding_number(model, delta, field, ky))
    zm = timed(lambda: SemiInfiniteEdge(model, "armchair-y", delta, field).zero_modes(ky))
    res, n = zm.resolved.values, zm.n_modes.values
    assert np.all(np.isnan(n[~res])) and np.all(np.isfinite(n[res]))
    # unresolved only where the bulk line gap is tiny (the edge module's stated limit: E_g below ~1e-6 .. 1e-5
    # |t|; a Zeeman field beyond the gap of a layer without spin-orbit coupling closes it on whole lines)
    gap = np.broadcast_to(w.min_gap.values, n.shape)
    assert np.all(gap[~res] < UNRESOLVED_GAP), f"unresolved lines with bulk line gaps {gap[~res].max():.3g} |t|"
    both = res & w.resolved.values[None, :]
    expected = np.broadcast_to(np.abs(w.winding.values), n.shape)
    assert np.array_equal(n[both], expected[both])


def check_flat_band_density(name: str, i: int) -> None:
    params, delta, v, _ = draw(name, i)
    model = resolve(name, overrides=params).model
    es = EdgeSpectroscopy(model, delta, v, n_ky=120)
    zb = timed(lambda: es.zero_bias_peak(winding=False))
    iv = timed(lambda: winding_intervals(model, delta, v))
    wi = np.abs(iv.winding.values)
    if not np.all(np.isfinite(wi)):
        return  # a W interval the bulk could not certify: no exact reference for this draw
    exact = float(np.sum(wi * (iv.ky_hi.values - iv.ky_lo.values))) / (2 * np.pi)
    bound = 0.5 * es.dky * float(np.sum(np.abs(wi - np.roll(wi, 1)))) / (2 * np.pi)
    a = zb.attrs
    if a["unresolved_lines"]:
        assert np.isnan(a["flat_band_density"])
    else:
        assert abs(a["flat_band_density"] - exact) <= bound + 1e-12


def check_conductance_far_from_the_gap(name: str, i: int) -> bool | None:
    """Returns whether any bias was in the regime of the statement (None: the run was refused in one line)."""
    params, delta, v, angle = draw(name, i)
    model = resolve(name, overrides=params)
    bs = BulkSpectroscopy(model, delta0=delta / 2, eta=delta / 20, angle=angle)  # eta = Delta0/10: E >> eta
    T = 0.1 * bs.ref.tc
    strength = min(v, 0.5 * bs.ref.pauli_field)  # superconducting at 0.1 Tc whatever the Ising protection
    bias = np.linspace(6, 8, 21) * bs.ref.delta0
    bias = np.concatenate([-bias[::-1], bias])
    try:
        sc = timed(lambda: bs.spectrum(T, strength, bias=bias))
        normal = timed(lambda: bs.spectrum(T, strength, bias=bias, delta=0.0))
    except IsingscError as exc:  # e.g. a whole-zone DOS quadrature over the point limit: one line naming eta
        assert "\n" not in str(exc) and str(exc)
        return None
    d = float(sc.delta.values.ravel()[0])
    assert d > 0
    g_s, g_n = sc.dIdV.values.ravel(), normal.dIdV.values.ravel()
    # The regime of the statement: inside the band (the normal DOS within 2x of N(0)) and a normal DOS that
    # varies slowly, |d ln N / d ln E| <= 1: pairing moves the states at E by ~Delta^2/2E, which changes the
    # DOS by |d ln N/d ln E| Delta^2/2E^2 (a band edge of a small K pocket within the range is excluded).
    half = len(bias) // 2  # negative and positive biases, each on its own
    slow = np.concatenate([_slowly_varying(g_n[:half], bias[:half]), _slowly_varying(g_n[half:], bias[half:])])
    inside = (g_n > 0.5) & (g_n < 2.0) & slow
    assert np.all(np.abs(g_s[inside] / g_n[inside] - 1) <= (d / np.abs(bias[inside])) ** 2)
    return bool(inside.any())


def _slowly_varying(g, e) -> np.ndarray:
    """|d ln g / d ln |e|| <= 1 at each point and its neighbours (finite differences on the grid)."""
    slope = np.abs(np.gradient(np.log(np.maximum(g, 1e-12)), np.log(np.abs(e))))
    return np.convolve(slope <= 1.0, np.ones(3), mode="same") == 3


CASES = {"zero_modes": check_zero_modes, "flat_band_density": check_flat_band_density,
         "conductance": check_conductance_far_from_the_gap}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", FAST)
def test_edge_and_spectrum_invariants_on_a_random_draw(name, case):
    outcome = CASES[case](name, 0)
    assert outcome is not False  # the fast draws are inside each check's regime


#: Known failures, each (model, case, draw): reason.  The DOS quadrature of dos_mesh is not refined until
#: converged: on this draw (WS2-like, mu_K = 2.49, Delta0 = 0.034 |t|) its normal DOS at 6-8 Delta0 wiggles by
#: ~3 % (a 9x finer mesh, growth 1.05 and 4 x 24 angular nodes, gives a smooth curve that obeys the bound).
KNOWN = {("ws2", "conductance", 3): "DOS quadrature under-resolved at 6-8 Delta0 (wiggles ~3 %): not yet converged "
                                    "by refinement"}
SLOW_CASES = [pytest.param(n, c, i, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[n, c, i])]
                           if (n, c, i) in KNOWN else [], id=f"{n}-{c}-{i}")
              for n in CHIRAL for c in CASES for i in (1, 2, 3)]


@pytest.mark.slow
@pytest.mark.parametrize("name, case, i", SLOW_CASES)
def test_edge_and_spectrum_invariants_every_chiral_model(name, case, i):
    CASES[case](name, i)


def test_the_chiral_models_are_fuzzed():
    assert {"heterostructure", "effective-fit", "intrinsic", "sc", "nbse2", "ws2"} <= set(CHIRAL)
    assert "eq8-static" not in CHIRAL and "pdte2" not in CHIRAL
