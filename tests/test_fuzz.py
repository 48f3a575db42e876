"""Fuzz suite: random physical parameters for every catalogue model, the invariants that must hold whatever
the parameters, and a time bound on every run.

The draws come from a seeded generator (reproducible); each model's parameters are drawn in physical
ranges around its defaults, the pairing Delta0 in 0.015-0.04 |t| and the field angle anywhere in the plane.
Every run must end with a result or one :class:`~isingsc.core.errors.IsingscError` (a physics refusal,
or a convergence failure that says what it achieved) within ``TIME_BOUND`` seconds -- never a crash,
never NaN.  Invariants checked (each holds for any weak-coupling mean-field superconductor):

* Tc > 0, and Tc grows with the pairing strength v (the pair susceptibility is monotone in v);
* Delta(T) <= Delta(0) (the gap of the global minimum decreases with temperature at zero field);
* Hc2 >= 0, decreasing in T, and -> 0 at Tc: Hc2(0.995 Tc) is a small fraction of Hc2(0.1 Tc);
* the converged numbers report an achieved tolerance below the requested one.

The default run draws one parameter set for a few models (fast); ``-m slow`` runs every model with more
draws.  Zero modes against the winding number, the flat-band density and tunnelling spectra on random
draws: tests/test_fuzz_topology.py.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from isingsc.core.errors import IsingscError
from isingsc.meanfield import MeanField
from isingsc.models.catalogue import get, resolve

SEED = 20261201
#: Seconds any one run (Tc, gap or a 3-temperature Hc2) may take on the 2-core test machine.
TIME_BOUND = 240.0

#: Ranges of the parameters drawn per model (the others keep their defaults).
RANGES = {
    "heterostructure": {"gamma": (0.1, 0.8), "mu_tmd": (2.6, 3.6), "beta_so": (0.2, 0.7)},
    "eq8-static": {"gamma": (0.1, 0.6), "mu_tmd": (3.2, 4.0), "beta_so": (0.2, 0.5)},
    "effective-fit": {"gamma": (0.2, 0.8), "mu_tmd": (2.6, 3.6), "beta_so": (0.2, 0.7)},
    "intrinsic": {"mu": (-4.5, 2.5), "beta_so": (0.0, 0.05)},
    "sc": {"mu_sc": (-2.0, 1.0)},
    "type-ii": {"beta_so": (0.05, 0.3), "t_orb": (0.0, 0.15)},
    "stanene": {"beta_so": (0.01, 0.06)},
    "pdte2": {"alpha_r": (0.0, 0.2)},
    "mote2": {"lambda_z": (0.05, 0.3), "alpha_x": (0.0, 0.15)},
    "nbse2": {"beta_so": (0.01, 0.05), "mu_k": (2.2, 2.8)},
    "ws2": {"beta_so": (0.01, 0.05), "mu_k": (2.2, 2.8)},
    "hole-tmd": {"beta_so": (0.015, 0.05), "mu": (2.95, 3.1)},
}
FAST = ("heterostructure", "intrinsic", "ws2", "pdte2")


def draw(name: str, i: int):
    rng = np.random.default_rng([SEED, i, sum(map(ord, name))])
    params = {k: float(rng.uniform(*r)) for k, r in RANGES[name].items()}
    return params, float(rng.uniform(0.015, 0.04)), float(rng.uniform(0.0, 2 * np.pi))


def timed(fn):
    start = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND, f"{elapsed:.0f} s > {TIME_BOUND:g} s"
    return out


def check_meanfield(name: str, i: int) -> None:
    params, delta0, angle = draw(name, i)
    try:
        model = resolve(name, overrides=params)
        mf = MeanField(model, delta0=delta0)
        tc = timed(mf.tc)
    except IsingscError as exc:  # a physics refusal (e.g. no Fermi surface) is a valid outcome: one line
        assert "\n" not in str(exc) and str(exc)
        return
    Tc, d0 = float(tc.Tc), float(tc.Delta0)
    assert Tc > 0 and d0 > 0 and tc.attrs["achieved_tolerance"] <= tc.attrs["tolerance"]
    # monotone in the pairing strength
    stronger = timed(MeanField(model, v=1.1 * tc.attrs["v"]).tc)
    assert float(stronger.Tc) > Tc
    # the gap decreases with temperature
    half = timed(lambda: mf.gap(0.5 * Tc))
    assert float(half.delta) <= d0 * (1 + 2 * mf.tol)
    # Hc2 >= 0, decreasing in T, vanishing at Tc
    ds = timed(lambda: mf.hc2(t_over_tc=[0.1, 0.5, 0.995], angle=angle))
    h = ds.Hc2.values
    assert np.all(np.isfinite(h)) and np.all(h >= 0)
    assert h[0] >= h[1] * (1 - 2 * mf.tol) and h[1] > h[2]
    assert h[2] < 0.3 * h[0]
    assert set(ds.transition_order.values) <= {"first", "second"}
    assert ds.attrs["achieved_tolerance"] <= ds.attrs["tolerance"]


@pytest.mark.parametrize("name", FAST)
def test_meanfield_invariants_on_a_random_draw(name):
    check_meanfield(name, 0)


@pytest.mark.slow
@pytest.mark.parametrize("i", range(3))
@pytest.mark.parametrize("name", sorted(RANGES))
def test_meanfield_invariants_every_model(name, i):
    check_meanfield(name, i + 1)


def test_draw_ranges_are_parameters_of_the_models():
    for name, ranges in RANGES.items():
        assert set(ranges) <= set(get(name).parameter_names), name
    assert set(RANGES) | {"tmd"} == set(names_with_entries())


def names_with_entries():
    from isingsc.models.catalogue import names

    return names()
