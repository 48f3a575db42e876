"""Benchmark of the mean-field solver (issue 3): the Fig. 3a set against a plain NumPy implementation.

Run:  .venv/bin/python benchmarks/bench_meanfield.py [--n-temperatures 40] [--plain-n 900]

* isingsc: Hc2(T) for Gamma = 0, 0.2, 0.3, 0.4, 0.5 at Delta0 = 0.02 |t| (wedge ray quadrature,
  pair susceptibility, root finding).
* plain NumPy (same run): full uniform k mesh (n x n), numpy.linalg.eigvalsh, fixed-point
  iteration of the gap equation at each (T, V), bisection in V for Hc2 -- on a subset
  (Gamma = 0: Tc; Gamma = 0.5: Hc2 at T = 0.5 Tc0), timed per point.
Prints a table with times, the time per point of each method, their ratio and the agreement.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from isingsc.lattice import uniform_mesh
from isingsc.models import PAPER, heterostructure_model, sc_model
from isingsc.phase_diagram import hc2_points, setup

DELTA0 = 0.02
GAMMAS = (0.0, 0.2, 0.3, 0.4, 0.5)


def plain_gap(model, k, v, T, vx, delta_start, iters=400, tol=1e-7):
    """Fixed-point iteration Delta <- v F(Delta) on a uniform mesh with numpy.linalg.eigh."""
    P = model.bdg_hamiltonian(np.zeros(2), 1.0) - model.bdg_hamiltonian(np.zeros(2), 0.0)
    d = delta_start
    for _ in range(iters):
        f = 0.0
        for s in range(0, len(k), 65536):
            e, u = np.linalg.eigh(model.bdg_hamiltonian(k[s:s + 65536], d, (vx, 0, 0)))
            pnn = np.einsum("kan,kan->kn", u.conj(), P @ u).real
            f += (np.tanh(e / (2 * T)) * pnn).sum()
        new = v * f / len(k) / 8.0
        if abs(new - d) < tol * DELTA0:
            return new
        d = new
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-temperatures", type=int, default=40)
    ap.add_argument("--plain-n", type=int, default=600, help="uniform mesh size of the plain implementation")
    args = ap.parse_args()
    rows = []
    t0 = time.perf_counter()
    n_points = 0
    results = {}
    for g in GAMMAS:
        model = sc_model(PAPER) if g == 0 else heterostructure_model(PAPER.with_(gamma=g))
        t = time.perf_counter()
        ref, problem = setup(model, sc_model(PAPER), delta0=DELTA0)
        pts = hc2_points(problem, ref, n_points=args.n_temperatures)
        dt = time.perf_counter() - t
        n_points += len(pts["T"])
        results[g] = (ref, problem, pts)
        rows.append((f"isingsc Hc2 curve, Gamma={g}", dt, len(pts["T"]), f"{len(problem.mesh)} k"))
    total_fast = time.perf_counter() - t0
    per_point_fast = total_fast / n_points

    # plain NumPy on a subset: the self-consistent gap at (T, V) points, fixed-point iteration
    # on a uniform mesh, against isingsc's global-minimum solver at the same points
    from isingsc.transitions import solve_gap
    mesh = uniform_mesh(args.plain_n)
    subset = [(0.0, 0.5, 0.5), (0.5, 0.3, 1.0)]  # (Gamma, T/Tc0, V/HP)
    plain_time = fast_time = 0.0
    for g, t_ratio, h_ratio in subset:
        ref, prob, _ = results[g]
        T, vx = t_ratio * ref.tc, h_ratio * ref.pauli_field
        model = sc_model(PAPER) if g == 0 else heterostructure_model(PAPER.with_(gamma=g))
        t = time.perf_counter()
        d_plain = plain_gap(model, mesh.k, ref.v, T, vx, DELTA0)
        dt_p = time.perf_counter() - t
        t = time.perf_counter()
        d_fast = solve_gap(prob, T, vx, delta_max=1.5 * DELTA0).delta
        dt_f = time.perf_counter() - t
        plain_time += dt_p
        fast_time += dt_f
        rows.append((f"plain NumPy gap, Gamma={g}, T={t_ratio}Tc0, V={h_ratio}HP", dt_p, 1, f"{len(mesh)} k"))
        rows.append((f"isingsc gap,     Gamma={g}, T={t_ratio}Tc0, V={h_ratio}HP", dt_f, 1, f"{len(prob.mesh)} k"))
        rows.append((f"   Delta/Delta0: plain {d_plain / DELTA0:.5f}  isingsc {d_fast / DELTA0:.5f}", 0.0, 0, ""))

    print(f"machine: {platform.machine()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}")
    print(f"{'task':60s} {'time (s)':>9s} {'points':>7s} {'mesh':>10s}")
    for name, dt, n, m in rows:
        print(f"{name:60s} {dt:9.2f} {n:7d} {m:>10s}")
    print(f"\nfull Fig. 3a set: {total_fast:.1f} s for {n_points} Hc2 points ({per_point_fast:.2f} s/point)")
    print(f"gap solutions on the subset: plain NumPy {plain_time:.1f} s, isingsc {fast_time:.2f} s, "
          f"ratio {plain_time / fast_time:.1f}x")


if __name__ == "__main__":
    main()
