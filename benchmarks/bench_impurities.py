"""Benchmark of the single magnetic impurity (issue 16): the package against plain NumPy, one run.

Run:  .venv/bin/python benchmarks/bench_impurities.py [--delta 0.05] [--J 1.0]

1. a YSR energy to 1e-10 relative: ``MagneticImpurity("sc", J, delta=Delta).bound_states()`` (and, timed
   with its gap, on the Ising layer ``intrinsic`` with mu = 1, beta_SO = 0.3) (the host's gap
   computed first and timed apart; the bound-state search timed cold, i.e. with its zone quadratures, and
   warm, i.e. a second impurity on the same host) against a plain NumPy version: the local Green's function
   as the mean of (E - H_BdG(k))^-1 over a uniform L x L grid of the zone (L = 512 and 1024: the grid error
   decays like exp(-kappa L)), det(1 - G0 V) solved by brentq;
2. a 256 x 256 LDOS map at the YSR energy: ``MagneticImpurity.ldos_map`` once the host's FFT grid is built
   (the grid timed apart) against a plain loop over the sites (one 4x4 product per site), same grid.

Prints a table: seconds, and the numbers each produced.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy.optimize import brentq

from isingsc.correlations.host import HostGreensFunction
from isingsc.impurities.single import MagneticImpurity
from isingsc.lattice.triangular import uniform_mesh


def plain_ysr(model, delta, J, L, bracket):
    """Plain NumPy: G0 = mean_k (E - H(k))^-1 on an L x L grid, the positive root of det(1 - G0 V)."""
    k = uniform_mesh(L).k
    idx = model.nambu_indices(model.pairing_orbitals[0])
    V = np.diag([J, -J, -J, J]).astype(complex)  # J sigma_z on (up, down), -(J sigma_z)^* on the holes

    def det(e):
        g = np.zeros((4, 4), dtype=complex)
        for chunk in np.array_split(k, max(1, len(k) // 65536)):
            h = model.bdg_hamiltonian(chunk, delta)
            g += np.linalg.inv(e * np.eye(h.shape[-1]) - h)[:, idx][:, :, idx].sum(0)
        g /= len(k)
        return float(np.real(np.linalg.det(np.eye(4) - g @ V)))

    return brentq(det, *bracket, xtol=1e-15)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--delta", type=float, default=0.05)
    ap.add_argument("--J", type=float, default=1.0)
    args = ap.parse_args()
    rows = []
    # one-time costs of the process, not of the computation: the first xarray Dataset imports its backends
    import xarray as xr

    from isingsc.core.results import finalize

    finalize(xr.Dataset({"x": ("i", np.zeros(2))}))
    host = HostGreensFunction("sc", delta=args.delta)
    t = time.perf_counter()
    gap = host.gap
    rows.append(("host gap (HostGreensFunction.gap)", time.perf_counter() - t, f"E_g = {gap:.12g}"))
    t = time.perf_counter()
    ds = MagneticImpurity(host, args.J).bound_states()
    rows.append(("YSR energy, cold (quadratures + roots)", time.perf_counter() - t,
                 f"E = {ds.energy.values[-1]:.15g} (achieved {ds.attrs['achieved_tolerance']:.1e})"))
    t = time.perf_counter()
    ds2 = MagneticImpurity(host, args.J * 1.0000001).bound_states()
    rows.append(("YSR energy, warm (same host, another J)", time.perf_counter() - t,
                 f"E = {ds2.energy.values[-1]:.15g}"))
    # the same on an Ising host (Ising SOC breaks the sixfold invariance of H(k): the whole zone is integrated)
    import isingsc

    t = time.perf_counter()
    ising = HostGreensFunction(isingsc.model("intrinsic", mu=1.0, beta_so=0.3), delta=args.delta)
    di = MagneticImpurity(ising, args.J).bound_states()
    rows.append(("YSR energy, fresh Ising host (intrinsic, mu 1, beta 0.3)", time.perf_counter() - t,
                 f"E = {di.energy.values[-1]:.15g} (achieved {di.attrs['achieved_tolerance']:.1e})"))
    e = float(ds.energy.values[-1])
    for L in (512, 1024):
        t = time.perf_counter()
        ep = plain_ysr(host.model, args.delta, args.J, L, (e - 0.05 * args.delta, e + 0.05 * args.delta))
        rows.append((f"plain NumPy, {L} x {L} grid + brentq", time.perf_counter() - t,
                     f"E = {ep:.15g} (rel. diff {abs(ep - e) / e:.1e})"))
    imp = MagneticImpurity(host, args.J)
    t = time.perf_counter()
    grid = host.grid(complex(e, gap / 10), 257)
    rows.append(("host FFT grid for the map (host.grid, 257^2)", time.perf_counter() - t, grid.resolution))
    from unittest import mock

    with mock.patch.object(host, "grid", return_value=grid):
        t = time.perf_counter()
        m = imp.ldos_map(e, gap / 10, 256)
        rows.append(("LDOS map 256 x 256 (after the grid)", time.perf_counter() - t,
                     f"rho(0) = {float(m.ldos.sel(n1=0, n2=0)):.12g}"))
    g = grid.values
    c = g.shape[0] // 2
    T = np.linalg.solve(np.eye(4) - imp.potential @ g[c, c], imp.potential)
    t = time.perf_counter()
    rho = np.empty((256, 256))
    for i in range(256):
        for j in range(256):
            a, b = i - 128, j - 128
            G = g[c, c] + g[c + a, c + b] @ T @ g[c - a, c - b]
            rho[i, j] = -np.trace(G[:2, :2]).imag / np.pi
    rows.append(("plain NumPy loop over 256 x 256 sites", time.perf_counter() - t,
                 f"max |diff| = {np.max(np.abs(rho - m.ldos.values)):.1e}"))
    print(f"# isingsc impurity benchmark: sc host, Delta = {args.delta:g} |t|, J = {args.J:g} |t|, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print(f"{'workload':<48} {'seconds':>8}  result")
    for name, sec, res in rows:
        print(f"{name:<48} {sec:8.3f}  {res}")


if __name__ == "__main__":
    main()
