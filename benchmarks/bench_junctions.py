"""Benchmark of the vertical Josephson junction (issue 17): a full current-phase relation, converged in k.

Run:  .venv/bin/python benchmarks/bench_junctions.py [--quick]

Workload: two intrinsic Ising layers (mu = 1, beta_SO = 0.3), Delta = 0.05 |t|, T = 0.01 |t|, barrier
t0 = 0.05, t_m = 0.08 with m in plane, I(phi) at 64 phases in [-pi, pi), converged to 1 % in k.

* library: :class:`isingsc.junctions.Junction` (polar quadrature graded at the Fermi crossings, refined until
  the current at 4 check phases changes by < tol; free energy on the compiled eigenvalue kernels, current by
  Hellmann-Feynman with LAPACK eigenvectors over threads);
* plain NumPy: the same 8 x 8 Nambu matrix written out by hand on a uniform n x n Monkhorst-Pack mesh,
  np.linalg.eigh and the Hellmann-Feynman sum, n doubled from 48 until the current at the same check phases
  changes by < tol; then the 64 phases on that mesh.

Prints a table: seconds, k points, achieved convergence, max |I| and the largest difference between the two CPRs
(relative to max |I|).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

TOL = 1e-2
DELTA, T, T0, TM, MU, BETA = 0.05, 0.01, 0.05, 0.08, 1.0, 0.3
M = np.array([1.0, 0.0, 0.0])
CHECK = (2 * np.arange(4) + 1) * np.pi / 8


def numpy_cpr(phases, n):
    """2 dF/dphi (e|t|/hbar per cell) on a uniform n x n mesh, everything by hand."""
    b1 = 2 * np.pi * np.array([1.0, -1 / np.sqrt(3)])
    b2 = 2 * np.pi * np.array([0.0, 2 / np.sqrt(3)])
    i, j = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5, indexing="ij")
    k = (i.ravel()[:, None] * b1 + j.ravel()[:, None] * b2) / n
    r = np.array([[1.0, 0.0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
    ph = k @ r.T
    xi = -2 * np.cos(ph).sum(-1) - MU
    beta = 2 * BETA * np.sin(ph).sum(-1)
    sx = np.array([[0, 1], [1, 0]], complex)
    sy = np.array([[0, -1j], [1j, 0]], complex)
    sz = np.diag([1.0, -1.0]).astype(complex)
    tun = T0 * np.eye(2) + TM * (M[0] * sx + M[1] * sy + M[2] * sz)
    nk = len(xi)
    hp = np.zeros((nk, 4, 4), complex)
    for s0 in (0, 2):
        hp[:, s0, s0] = xi + beta
        hp[:, s0 + 1, s0 + 1] = xi - beta
    hp[:, :2, 2:] = tun
    hp[:, 2:, :2] = tun.conj().T
    # H(-k): xi even, beta odd
    hm = hp.copy()
    for s0 in (0, 2):
        hm[:, s0, s0] = xi - beta
        hm[:, s0 + 1, s0 + 1] = xi + beta
    d = DELTA * np.array([[0, -1], [1, 0]], complex)  # Delta (-i sigma_y)
    out = []
    for phi in phases:
        h = np.zeros((nk, 8, 8), complex)
        h[:, :4, :4] = hp
        h[:, 4:, 4:] = -hm.conj()
        h[:, 0:2, 4:6] = d
        h[:, 2:4, 6:8] = d * np.exp(1j * phi)
        h[:, 4:, :4] = np.conj(np.swapaxes(h[:, :4, 4:], -1, -2))
        e, u = np.linalg.eigh(h)
        v = np.zeros((8, 8), complex)
        v[2:4, 6:8] = 1j * d * np.exp(1j * phi)
        v[6:8, 2:4] = v[2:4, 6:8].conj().T
        de = np.real(np.einsum("kin,ij,kjn->kn", u.conj(), v, u))
        out.append(2 * np.mean((-0.25 * np.tanh(e / (2 * T)) * de).sum(-1)))
    return np.array(out)


def numpy_converged(phases):
    n, prev = 48, numpy_cpr(CHECK, 48)
    while True:
        n *= 2
        cur = numpy_cpr(CHECK, n)
        change = np.abs(cur - prev).max() / np.abs(cur).max()
        if change < TOL or n >= 1536:
            return numpy_cpr(phases, n // 2), (n // 2) ** 2, change
        prev = cur


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="16 phases instead of 64")
    args = parser.parse_args()
    import isingsc
    from isingsc.junctions.vertical import Barrier, Junction

    phases = np.linspace(-np.pi, np.pi, 16 if args.quick else 64, endpoint=False)
    model = isingsc.model("intrinsic", mu=MU, beta_so=BETA)
    Junction(model, barrier=Barrier(t0=T0, t_m=TM, m=tuple(M)), delta=DELTA).current_phase([0.3], T)  # warm-up
    t = time.perf_counter()
    j = Junction(model, barrier=Barrier(t0=T0, t_m=TM, m=tuple(M)), delta=DELTA, tol=TOL)
    lib = j.current_phase(phases, T)
    t_lib = time.perf_counter() - t
    t = time.perf_counter()
    ref, n_ref, ch_ref = numpy_converged(phases)
    t_np = time.perf_counter() - t
    i_lib = lib.current.values
    scale = np.abs(i_lib).max()
    print(f"{'implementation':<14} {'seconds':>8} {'k points':>9} {'achieved':>9} {'max|I|':>11}")
    print(f"{'isingsc':<14} {t_lib:8.2f} {lib.attrs['k_points']:9d} {lib.attrs['achieved_convergence']:9.2g} "
          f"{scale:11.4g}")
    print(f"{'plain numpy':<14} {t_np:8.2f} {n_ref:9d} {ch_ref:9.2g} {np.abs(ref).max():11.4g}")
    print(f"speed-up {t_np / t_lib:.2g}x; max |I_isingsc - I_numpy| / max|I| = {np.abs(i_lib - ref).max() / scale:.2g}"
          f" ({len(phases)} phases)")


if __name__ == "__main__":
    main()
