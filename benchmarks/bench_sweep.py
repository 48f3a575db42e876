"""Benchmark of sweeps on dask.distributed (issue 6): points per second against the number of workers.

Run:  .venv/bin/python benchmarks/bench_sweep.py [--points 12]

The sweep: Tc and Hc2(0.5 Tc) of an intrinsic Ising layer (mu = 2.7, Delta0 = 0.05 |t|) over
--points values of beta_SO in [0, 0.02], converged to tol = 0.02.  Baseline, in the same run: a
plain serial loop over the same points in this process (no Dask, no store).  Then isingsc.workflows.sweep
on a LocalCluster with 1 and 2 worker processes (one kernel thread each), store writes included.
Prints a table of wall times, points/s and speed-up over the serial loop.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time

import numpy as np

from isingsc.core import config
from isingsc.workflows.sweep import compute_point, parse_sweep, run_sweep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=12)
    args = ap.parse_args()
    spec = parse_sweep({"model": {"name": "intrinsic"}, "parameters": {"mu": 2.7, "delta0": 0.05},
                        "axes": {"beta_so": {"start": 0.0, "stop": 0.02, "num": args.points}},
                        "compute": {"quantities": ["Tc", "Hc2"], "t_over_tc": 0.5, "tol": 0.02}})
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"# isingsc sweep benchmark: {platform.machine()}, {cores} cores, {time.strftime('%Y-%m-%d')}, "
          f"{spec.n_points} points (Tc + Hc2, intrinsic Ising layer)")
    config.configure(threads=1)
    compute_point(spec.model_spec, spec.quantities, dict(next(spec.points())[1]))  # warm caches and compilation
    t = time.perf_counter()
    serial = {idx: compute_point(spec.model_spec, spec.quantities, values)[0] for idx, values in spec.points()}
    rows = [("serial loop (no Dask)", 1, time.perf_counter() - t)]
    tmp = tempfile.mkdtemp()
    try:
        for workers in (1, 2):
            out = os.path.join(tmp, f"w{workers}.zarr")
            t = time.perf_counter()
            run_sweep(spec, out, n_workers=workers, progress=False)
            rows.append(("isingsc sweep, LocalCluster", workers, time.perf_counter() - t))
            import xarray as xr

            with xr.open_zarr(out) as ds:
                same = all(np.array_equal(ds["Tc"].values[idx], serial[idx]["Tc"]) for idx in serial)
            assert same, "sweep results differ from the serial loop"
    finally:
        shutil.rmtree(tmp)
    base = rows[0][2]
    print(f"{'run':<30} {'workers':>7} {'wall [s]':>9} {'points/s':>9} {'speed-up':>9}")
    for name, workers, wall in rows:
        print(f"{name:<30} {workers:>7} {wall:9.1f} {spec.n_points / wall:9.2f} {base / wall:9.2f}")
    print("# results bit-identical to the serial loop: yes")


if __name__ == "__main__":
    main()
