"""Before/after benchmark of the spine refactor (issue 14): the same workloads, old and new code, one run.

Run:  .venv/bin/python benchmarks/bench_spine.py [--baseline 8ca8952] [--quick]

The baseline is the commit before the refactor, extracted with ``git archive`` into a temporary folder
and imported through PYTHONPATH in a subprocess (its own API); the current tree runs in another
subprocess.  Both use the same virtual environment, kernels warmed up before timing.  Workloads:

1. the paper's Fig. 3a set: Hc2(T) for Gamma = 0, 0.2, 0.3, 0.4, 0.5 at Delta0 = 0.02 |t|, 40 (--quick: 10)
   temperatures each, converged to 0.5 %;
2. the intrinsic Ising layer mu = 2.7, beta_SO = 0.01, Delta0 = 0.02 (K pockets): Hc2(T), 20 temperatures,
   default tolerance (the old code stopped with "not converged");
3. Tc and Delta0 of the heterostructure (Gamma = 0.5), converged to 0.5 %;
4. the 12 points of bench_sweep.py (intrinsic layer mu = 2.7, beta_SO = 0 ... 0.02: Tc and Hc2 at 0.5 Tc,
   tol 2 %) as a serial loop of the sweep worker's function on one thread (max achieved tolerance, mean
   Hc2/HP printed).

Workloads 3 and 4 are short (about a second per point) and timed as the best of three runs, as timeit does; the
others once.  Prints a table: seconds old / new, the ratio, and the numbers each produced (with the achieved tolerance).
The plain-NumPy reference ratios of the mean-field solver are in bench_meanfield.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Workload 4, the same text for the old and the new code (after each one's imports).
SWEEP = r'''
spec = parse_sweep({"model": {"name": "intrinsic"}, "parameters": {"mu": 2.7, "delta0": 0.05},
                    "axes": {"beta_so": {"start": 0.0, "stop": 0.02, "num": 12}},
                    "compute": {"quantities": ["Tc", "Hc2"], "t_over_tc": 0.5, "tol": 0.02}})
compute_point(spec.model_spec, spec.quantities, dict(next(spec.points())[1]))  # warm-up
seconds = []
for _ in range(REPEATS):  # best of REPEATS: the workload is short and a shared machine is noisy
    t0 = time.perf_counter()
    pts = [compute_point(spec.model_spec, spec.quantities, dict(v))[0] for _, v in spec.points()]
    seconds.append(time.perf_counter() - t0)
out["sweep"] = [min(seconds), [max(p["achieved_tol"] for p in pts), sum(p["Hc2_over_HP"] for p in pts) / len(pts)]]
print(json.dumps(out))
'''

OLD = r'''
import json, sys, time
import numpy as np
from isingsc.models import PAPER, heterostructure_model, sc_model, intrinsic_ising_model, IsingParams
from isingsc.phase_diagram import converged_hc2, converge, default_spec, setup
from isingsc.transitions import critical_temperature, solve_gap
n_t = int(sys.argv[1])
REPEATS = 3
converged_hc2(sc_model(PAPER), sc_model(PAPER), delta0=0.02, n_points=3)  # warm-up
out = {}
t0 = time.perf_counter(); curves = []
for g in (0.0, 0.2, 0.3, 0.4, 0.5):
    m = sc_model(PAPER) if g == 0 else heterostructure_model(PAPER.with_(gamma=g))
    ds = converged_hc2(m, sc_model(PAPER), delta0=0.02, n_points=n_t)
    curves.append([float(ds.Hc2_over_HP.values[0]), float(ds.attrs["achieved_tolerance"])])
out["fig3a"] = [time.perf_counter() - t0, curves]
t0 = time.perf_counter()
try:
    m = intrinsic_ising_model(IsingParams(mu=2.7, beta_so=0.01))
    ds = converged_hc2(m, m, delta0=0.02, n_points=20)
    out["intrinsic"] = [time.perf_counter() - t0, [float(ds.Hc2_over_HP.values[0]), float(ds.attrs["achieved_tolerance"])]]
except Exception as exc:
    out["intrinsic"] = [time.perf_counter() - t0, f"failed: {exc}"]
m = heterostructure_model(PAPER)
def compute(spec, _prev):
    ref, problem = setup(m, sc_model(PAPER), delta0=0.02, spec=spec)
    return {"Tc": critical_temperature(problem, t_max=2 * ref.tc), "Delta0": solve_gap(problem, 0.0, delta_max=0.03).delta}
seconds = []
for _ in range(REPEATS):
    t0 = time.perf_counter()
    res, ach, _ = converge(compute, default_spec(0.02), 0.005)
    seconds.append(time.perf_counter() - t0)
out["tc"] = [min(seconds), [res["Tc"], res["Delta0"], ach]]
import os
os.environ["ISINGSC_NUM_THREADS"] = "1"
from isingsc.sweep import compute_point, parse_sweep
''' + SWEEP

NEW = r'''
import json, sys, time
import isingsc
from isingsc.models.paper import PAPER
n_t = int(sys.argv[1])
REPEATS = 3
isingsc.MeanField("sc", delta0=0.02).hc2(n_points=3)  # warm-up
out = {}
t0 = time.perf_counter(); curves = []
for g in (0.0, 0.2, 0.3, 0.4, 0.5):
    m = isingsc.model("sc" if g == 0 else "heterostructure", parameters=PAPER.with_(gamma=g))
    ds = isingsc.MeanField(m, delta0=0.02).hc2(n_points=n_t)
    curves.append([float(ds.Hc2_over_HP.values[0]), float(ds.attrs["achieved_tolerance"])])
out["fig3a"] = [time.perf_counter() - t0, curves]
t0 = time.perf_counter()
try:
    ds = isingsc.MeanField("intrinsic", mu=2.7, beta_so=0.01, delta0=0.02).hc2(n_points=20)
    out["intrinsic"] = [time.perf_counter() - t0, [float(ds.Hc2_over_HP.values[0]), float(ds.attrs["achieved_tolerance"])]]
except Exception as exc:
    out["intrinsic"] = [time.perf_counter() - t0, f"failed: {exc}"]
seconds = []
for _ in range(REPEATS):
    t0 = time.perf_counter()
    ds = isingsc.MeanField("heterostructure", delta0=0.02).tc()
    seconds.append(time.perf_counter() - t0)
out["tc"] = [min(seconds), [float(ds.Tc), float(ds.Delta0), float(ds.attrs["achieved_tolerance"])]]
from isingsc.core import config
config.configure(threads=1)
from isingsc.workflows.sweep import compute_point, parse_sweep
''' + SWEEP


def run(code: str, pythonpath: str | None, n_t: int) -> dict:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    proc = subprocess.run([sys.executable, "-c", code, str(n_t)], capture_output=True, text=True, env=env,
                          cwd=tempfile.gettempdir())
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="8ca8952", help="git revision of the old code (default: before the spine)")
    ap.add_argument("--quick", action="store_true", help="10 temperatures per Fig. 3a curve instead of 40")
    args = ap.parse_args()
    n_t = 10 if args.quick else 40
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "old.tar"
        subprocess.run(["git", "archive", "-o", str(archive), args.baseline, "src"], cwd=ROOT, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        t = time.perf_counter()
        old = run(OLD, str(Path(tmp) / "src"), n_t)
        new = run(NEW, None, n_t)
        wall = time.perf_counter() - t
    print(f"# isingsc spine benchmark: baseline {args.baseline} vs working tree, {n_t} temperatures per Fig. 3a "
          f"curve, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')} ({wall:.0f} s in all)")
    print(f"{'workload':<52} {'old [s]':>8} {'new [s]':>8} {'old/new':>8}")
    names = {"fig3a": f"Fig. 3a set (5 Gamma x {n_t} T, tol 0.5 %)",
             "intrinsic": "intrinsic mu=2.7 beta=0.01 Hc2(T), 20 T",
             "tc": "heterostructure Tc + Delta0 (tol 0.5 %)",
             "sweep": "12 sweep points Tc + Hc2(0.5 Tc), 1 thread, tol 2 %"}
    for key, label in names.items():
        print(f"{label:<52} {old[key][0]:8.1f} {new[key][0]:8.1f} {old[key][0] / new[key][0]:8.2f}")
    for key in names:
        print(f"  {key}: old {old[key][1]}\n  {key}: new {new[key][1]}")


if __name__ == "__main__":
    main()
