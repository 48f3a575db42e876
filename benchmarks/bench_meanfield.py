"""Benchmark of the mean-field solver (issue 3): the Fig. 3a set against a plain NumPy implementation.

Run:  .venv/bin/python benchmarks/bench_meanfield.py            (about 10 minutes on 2 cores)
      .venv/bin/python benchmarks/bench_meanfield.py --quick    (smaller plain meshes, ~3 minutes)

1. isingsc: the full Fig. 3a set -- Hc2(T) for Gamma = 0, 0.2, 0.3, 0.4, 0.5 at Delta0 = 0.02 |t|,
   40 temperatures each, every curve converged to 0.5 % by quadrature refinement
   (isingsc.MeanField.hc2).  The compiled kernels are warmed up first (Numba compiles
   once per installation and caches; the first run of a fresh install takes ~15 s longer).
2. plain NumPy, same run: the self-consistent gap Delta(T, V) at subset points by fixed-point
   iteration Delta <- v F(Delta) on a full uniform n x n k mesh with numpy.linalg.eigh, for
   growing n until it agrees with the converged isingsc value to 0.5 % ("equal accuracy");
   against isingsc's global-minimum gap solver on its converged quadrature.  A plain Hc2 point
   costs at least ~10 such gap solutions (bisection in the field to 0.5 %), so the per-point
   ratio of Hc2 points is estimated as 10 x plain gap time / isingsc Hc2 time per point.
Prints a table with times, mesh sizes, agreement and ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from isingsc.core.config import threads as n_threads
from isingsc.core.field import Field
from isingsc.lattice.triangular import uniform_mesh
from isingsc.meanfield import MeanField, default_spec, solve_gap
from isingsc.models.catalogue import resolve
from isingsc.models.paper import PAPER

DELTA0 = 0.02
GAMMAS = (0.0, 0.2, 0.3, 0.4, 0.5)
TOL = 0.005


def model_for(gamma):
    return resolve("sc" if gamma == 0 else "heterostructure", parameters=PAPER.with_(gamma=gamma))


def plain_gap(model, n, v, T, vx, delta_start, iters=500, tol=1e-5):
    """Fixed-point iteration Delta <- v F(Delta) on a uniform n x n mesh with numpy.linalg.eigh,
    stopped when a step changes Delta by less than tol x Delta0 (ample for 0.5 % accuracy)."""
    model = model.model
    k = uniform_mesh(n).k
    P = model.bdg_hamiltonian(np.zeros(2), 1.0) - model.bdg_hamiltonian(np.zeros(2), 0.0)
    d = delta_start
    for it in range(iters):
        f = 0.0
        for s in range(0, len(k), 65536):
            e, u = np.linalg.eigh(model.bdg_hamiltonian(k[s:s + 65536], d, (vx, 0, 0)))
            pnn = np.einsum("kan,kan->kn", u.conj(), P @ u).real
            f += (np.tanh(e / (2 * T)) * pnn).sum()
        new = v * f / len(k) / 8.0
        if abs(new - d) < tol * DELTA0:
            return new, it + 1
        d = new
    return d, iters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-temperatures", type=int, default=40)
    ap.add_argument("--quick", action="store_true", help="plain meshes up to 400^2 only")
    args = ap.parse_args()
    rows = []

    def report(name, dt, mesh):
        rows.append((name, dt, mesh))
        print(f"  ... {name}: {dt:.2f} s ({mesh})", flush=True)

    # warm-up: compile (or load from cache) the kernels outside the timed region
    MeanField(model_for(0.0), delta0=DELTA0).hc2(n_points=3)

    t0 = time.perf_counter()
    n_points, curves = 0, {}
    for g in GAMMAS:
        t = time.perf_counter()
        ds = MeanField(model_for(g), delta0=DELTA0, tol=TOL).hc2(n_points=args.n_temperatures)
        dt = time.perf_counter() - t
        n_points += ds.sizes["T"]
        curves[g] = ds
        report((f"isingsc Hc2 curve, Gamma={g} ({ds.sizes['T']} T, "
                f"achieved {ds.attrs['achieved_tolerance']:.1e})"), dt, ds.attrs["kmesh"].split(",")[0])
    total = time.perf_counter() - t0
    per_point = total / n_points

    # plain NumPy gap solutions at subset points, meshes grown to equal accuracy
    subset = [(0.0, 0.5, 0.5), (0.5, 0.2, 0.5)]  # (Gamma, T/Tc0, V/HP)
    sizes = (100, 200, 400) if args.quick else (100, 200, 400, 800)
    ratios = []
    for g, t_ratio, h_ratio in subset:
        model = model_for(g)
        mf = MeanField(model, delta0=DELTA0, spec=default_spec(DELTA0).refined())
        ref = mf.reference_state()
        T, vx = t_ratio * ref.tc, h_ratio * ref.pauli_field
        prob = mf.problem_for(T, [Field.in_plane(vx)])
        t = time.perf_counter()
        d_fast = solve_gap(prob, T, Field.in_plane(vx), delta_max=1.5 * DELTA0).delta
        dt_f = time.perf_counter() - t
        report(f"isingsc gap, Gamma={g}, T={t_ratio}Tc0, V={h_ratio}HP: Delta/Delta0={d_fast / DELTA0:.5f}",
               dt_f, f"{len(prob.mesh)} k")
        for n in sizes:
            t = time.perf_counter()
            d_plain, its = plain_gap(model, n, ref.v, T, vx, DELTA0)
            dt_p = time.perf_counter() - t
            err = abs(d_plain / d_fast - 1)
            report(f"  plain NumPy gap, n={n}: Delta/Delta0={d_plain / DELTA0:.5f} (error {err:.1e}, "
                   f"{its} iterations)", dt_p, f"{n * n} k")
            if err <= TOL:
                ratios.append((g, dt_p / dt_f, n, True, dt_p))
                break
        else:
            # not at equal accuracy yet: the time at the largest n is a lower bound
            ratios.append((g, dt_p / dt_f, n, False, dt_p))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores ({n_threads()} kernel threads), "
          f"Python {platform.python_version()}, NumPy {np.__version__}, {time.strftime('%Y-%m-%d')}")
    print(f"{'task':96s} {'time (s)':>9s} {'mesh':>10s}")
    for name, dt, m in rows:
        print(f"{name:96s} {dt:9.2f} {m:>10s}")
    print(f"\nfull Fig. 3a set: {total:.1f} s for {n_points} Hc2 points converged to {TOL:g} "
          f"({per_point:.3f} s/point); goal <= 60 s: {'met' if total <= 60 else 'NOT met'}")
    for g, r, n, equal, _ in ratios:
        tag = "at equal accuracy (0.5 %)" if equal else f"lower bound (plain {n}^2 mesh still > 0.5 % off)"
        print(f"gap solution, Gamma={g}: plain/isingsc = {r:.0f}x {tag}")
    plain_time = min(t for *_, t in ratios)
    print(f"Hc2 point: isingsc {per_point:.3f} s; plain >= 10 gap solutions (bisection in V to 0.5 %) "
          f">= {10 * plain_time:.0f} s: ratio >= {10 * plain_time / per_point:.0f}x (estimate)")


if __name__ == "__main__":
    main()
