"""Benchmark of the Chern-number and channel solvers (issue 19) against plain NumPy twins in the same run.

Run:  .venv/bin/python benchmarks/bench_chern.py

Workloads, on the hole-doped TMD (`hole-tmd`, WSe2-like defaults):
* Chern number of the inter-pocket chiral state (p+ip, triplet-z, Delta = 0.1 |t|; C = 2) and of the intra-pocket
  pair-density wave (sqrt3 x sqrt3 cell, 12 bands).  New: isingsc.topology.chern.Chern (gap first; 32^2 and 48^2
  coarse grids agreeing, plaquettes near the pockets subdivided).  Twin: the textbook uniform-grid Fukui-Hatsugai-
  Suzuki sum in plain NumPy on the n x n grid at which every link passes the same projector check
  (||P(k) - P(k')|| <= 0.5), found by doubling n from 32.
* Tc of the 13 channels x 3 pair momenta at v = 0.5.  New: PairingChannels.critical_temperatures (one normal-state
  diagonalisation per momentum and grid, compiled pair-susceptibility kernel, Brent in log T, grid refined to 1 %).
  Twin: plain NumPy, the same grid the solver ends on, chi(T) summed with numpy tanh per temperature, bisection.
Prints a table: seconds, the ratio, and the agreement.
"""

from __future__ import annotations

import os
import time

import numpy as np


def fhs_uniform(model, delta: float, n: int):
    """Plain NumPy FHS on an n x n grid: (C, largest projector distance of a link)."""
    rec = model.lattice.reciprocal
    f = np.arange(n) / n
    k = f[:, None, None] * rec[0] + f[None, :, None] * rec[1]
    e, v = np.linalg.eigh(model.bdg_hamiltonian(k, delta))
    u = v[..., : v.shape[-1] // 2]

    def link(axis):
        ov = np.swapaxes(u.conj(), -1, -2) @ np.roll(u, -1, axis=axis)
        smin = np.linalg.svd(ov, compute_uv=False)[..., -1]
        d = np.linalg.det(ov)
        return d / np.abs(d), np.sqrt(np.clip(1 - smin**2, 0, 1)).max()

    (u1, a1), (u2, a2) = link(0), link(1)
    flux = np.angle(u1 * np.roll(u2, -1, axis=0) * np.conj(np.roll(u1, -1, axis=1)) * np.conj(u2))
    return int(round(flux.sum() / (2 * np.pi))), max(a1, a2)


def twin_chern(model, delta: float):
    n = 32
    while True:
        c, angle = fhs_uniform(model, delta, n)
        if angle <= 0.5:
            return c, n
        n *= 2


def twin_tc(model, channel, q, v, n, t_min=2e-3, t_max=1.0):
    """Plain NumPy linearised gap equation on the n x n midpoint grid: the highest root of v chi(T) = 1."""
    from isingsc.models.channels import with_pairing

    rec = model.lattice.reciprocal
    f = (np.arange(n) + 0.5) / n
    k = (f[:, None, None] * rec[0] + f[None, :, None] * rec[1]).reshape(-1, 2)
    ep, up = np.linalg.eigh(model.hamiltonian(k + q / 2))
    eh, uh = np.linalg.eigh(-np.conj(model.hamiltonian(-k + q / 2)))
    d = with_pairing(model, channel).pairing_function(k, 1.0)
    p2 = np.abs(np.swapaxes(up.conj(), -1, -2) @ d @ uh) ** 2

    def chi(T):
        a, b = ep[:, :, None], eh[:, None, :]
        ga, gb = -np.tanh(a / (2 * T)) / 4, -np.tanh(b / (2 * T)) / 4
        diff = a - b
        small = np.abs(diff) < 1e-9
        quotient = np.where(small, -(1 - np.tanh(a / (2 * T)) ** 2) / (8 * T), (ga - gb) / np.where(small, 1, diff))
        return -0.5 * np.sum(2 * p2 * quotient) / len(k)

    if v * chi(t_min) < 1:
        return 0.0
    lo, hi = np.log(t_min), np.log(t_max)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if v * chi(np.exp(mid)) >= 1 else (lo, mid)
    return float(np.exp(0.5 * (lo + hi)))


def main() -> None:
    import isingsc
    from isingsc.channels import PairingChannels
    from isingsc.models.channels import channel_list, pair_density_wave, pair_momentum, with_pairing
    from isingsc.topology.chern import Chern

    model = isingsc.model("hole-tmd")
    rows = []
    for label, state in (("inter-pocket p+ip (triplet-z), 4 bands", with_pairing(model, "p+ip", spin="triplet-z")),
                         ("pair-density wave 2K + 2K', 12 bands", pair_density_wave(model, "p+ip", "triplet-down"))):
        t0 = time.perf_counter()
        ds = Chern(state, 0.1).chern_number()
        t_new = time.perf_counter() - t0
        t0 = time.perf_counter()
        c_twin, n_twin = twin_chern(state, 0.1)
        t_twin = time.perf_counter() - t0
        rows.append((f"Chern, {label}", t_new, f"uniform FHS {n_twin}^2", t_twin,
                     f"C = {int(ds.chern_number)} ({ds.attrs['grid']}) vs {c_twin}"))
    solver = PairingChannels(model, attraction=0.5)
    t0 = time.perf_counter()
    tcs = solver.critical_temperatures()
    t_new = time.perf_counter() - t0
    n = int(tcs.attrs["grid"].split("x")[0])
    t0 = time.perf_counter()
    worst = 0.0
    for ic, ch in enumerate(channel_list()):
        for iq, q in enumerate(("0", "2K", "2K'")):
            tc = twin_tc(model.model, ch, pair_momentum(q), 0.5, n)
            ref = float(tcs.Tc.values[ic, iq])
            worst = max(worst, abs(tc - ref) / max(ref, 2e-3))
    t_twin = time.perf_counter() - t0
    rows.append(("Tc of 13 channels x 3 momenta", t_new, f"NumPy tanh sums, {n}^2, bisection", t_twin,
                 f"max rel. difference {worst:.1e}; leading {tcs.attrs['leading_channel']}"))
    print(f"# isingsc Chern / channel benchmark, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print("| workload | isingsc (s) | twin | twin (s) | ratio | agreement |\n|---|---|---|---|---|---|")
    for name, a, twin, b, agree in rows:
        print(f"| {name} | {a:.2f} | {twin} | {b:.2f} | {b / a:.1f}x | {agree} |")


if __name__ == "__main__":
    main()
