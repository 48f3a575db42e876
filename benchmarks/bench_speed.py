"""Issue 18 benchmark: the previous release against the working tree, and a plain NumPy twin, in one run.

Run:  .venv/bin/python benchmarks/bench_speed.py [--baseline ae1a625] [--quick] [--paper] [--sweep-grid N] [--repeat R]

Both trees are copied to a temporary folder (``git archive`` of the baseline, a copy of the working tree's
``src``) as an installation leaves them (Python bytecode compiled, Numba's caches empty until the kernel step of
workload 1) and imported through
PYTHONPATH in subprocesses: the same virtual environment, each tree's own API.  Workloads:

1. **first call**: ``isingsc tc --model heterostructure`` in a fresh copy after ``make install``'s steps (bytecode;
   ``compile_kernels`` where the tree has it, timed) and again (cached): the cost of the first call after
   installation; also the working tree's first call without the kernel step (the kernels compile at that call);
2. **Fig. 3a set**: Hc2(T) for Gamma = 0, 0.2, 0.3, 0.4, 0.5 at Delta0 = 0.02 |t|, 40 temperatures each, every
   curve converged to 0.5 % (kernels warm); the largest relative difference of the two trees' curves;
3. **reproduce**: ``isingsc reproduce --force`` (fast quality, the default figures), wall time and peak
   resident memory; with ``--paper`` also ``--quality paper`` for the working tree;
4. **sweep**: the 6 x 6 example sweep ``examples/sweeps/gamma_mu_tmd.toml`` (2 Dask workers), ``--repeat`` times
   for each tree, the trees alternating (a machine whose speed drifts slows both alike): the median wall time,
   the range, and the largest relative difference of Hc2 between the trees; with ``--sweep-grid N`` also the
   same sweep on N x N points (the per-point speed, start-up amortised);
5. **plain NumPy twin** (this process): the second-order field V2(T) of the heterostructure at Gamma = 0.5 from the
   Delta = 0 pair susceptibility on a uniform n x n Brillouin-zone mesh (``numpy.linalg.eigh`` of the 4 x 4
   particle and hole blocks, Brent's method in V), n doubled until it agrees with isingsc to 0.5 %; its time per
   point against isingsc's per point of the same curve (whose every point is also the first-order search).

Prints a table; copy it into benchmarks/RESULTS.md.  Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GAMMAS = (0.0, 0.2, 0.3, 0.4, 0.5)

FIG3A = r'''
import json, sys, time
import isingsc
n_t = int(sys.argv[1])
if hasattr(isingsc, "MeanField"):  # the API since the spine (issue 14)
    from isingsc.models.paper import PAPER
    def curve(g, n):
        m = isingsc.model("sc" if g == 0 else "heterostructure", parameters=PAPER.with_(gamma=g))
        return isingsc.MeanField(m, delta0=0.02).hc2(n_points=n)
else:  # before it (8ca8952, the code issue 18 measured)
    from isingsc.models import PAPER, heterostructure_model, sc_model
    from isingsc.phase_diagram import converged_hc2
    def curve(g, n):
        m = sc_model(PAPER) if g == 0 else heterostructure_model(PAPER.with_(gamma=g))
        return converged_hc2(m, sc_model(PAPER), delta0=0.02, n_points=n)
curve(0.0, 3)  # warm-up (compiled kernels loaded)
t0 = time.perf_counter(); curves = {}
for g in (0.0, 0.2, 0.3, 0.4, 0.5):
    t = time.perf_counter()
    ds = curve(g, n_t)
    curves[str(g)] = {"seconds": time.perf_counter() - t, "Hc2_over_HP": ds.Hc2_over_HP.values.tolist(),
                      "achieved": float(ds.attrs["achieved_tolerance"])}
print(json.dumps({"seconds": time.perf_counter() - t0, "curves": curves}))
'''


def run(args: list[str], pythonpath: Path, cwd: Path) -> str:
    """stdout of one subprocess with ``pythonpath`` first on the path."""
    proc = subprocess.run(args, env=dict(os.environ, PYTHONPATH=str(pythonpath)), cwd=cwd, capture_output=True,
                          text=True)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def cli(tree: Path, *args: str) -> list[str]:
    """The isingsc command line of a tree, with peak memory printed to stderr at exit."""
    code = ("import resource, sys, atexit\n"
            "atexit.register(lambda: print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "file=sys.stderr))\n"
            "from isingsc.cli import main\nsys.argv = ['isingsc'] + sys.argv[1:]\nmain()")
    return [sys.executable, "-c", code, *args]


def run_cli(tree: Path, work: Path, *args: str) -> tuple[float, float]:
    """(wall s, peak MB) of ``isingsc args`` with ``tree`` first on the path."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    t0 = time.perf_counter()
    proc = subprocess.run(cli(tree, *args), env=env, cwd=work, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"isingsc {' '.join(args)} ({tree}) failed:\n{proc.stderr[-3000:]}")
    rss = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("MAXRSS")]
    return wall, (rss[-1] / 1024 if rss else float("nan"))


#: `make install`'s kernel step, where the tree has it (compile_kernels: Numba's cache filled at installation).
INSTALL_KERNELS = ("import importlib.util\n"
                   "if importlib.util.find_spec('isingsc.backends'):\n"
                   "    import isingsc.backends.cpu as cpu\n"
                   "    if hasattr(cpu, 'compile_kernels'):\n        cpu.compile_kernels()\n")


def install_kernels(tree: Path) -> float:
    """Run `make install`'s kernel step in ``tree`` (nothing where the tree has none); its wall time (s)."""
    t0 = time.perf_counter()
    run([sys.executable, "-c", INSTALL_KERNELS], tree / "src", tree)
    return time.perf_counter() - t0


def copy_tree(baseline: str | None, dest: Path) -> Path:
    """``src`` of the baseline commit (git archive) or of the working tree, without Numba caches."""
    if baseline:
        archive = dest.with_suffix(".tar")
        subprocess.run(["git", "archive", "-o", str(archive), baseline, "src", "examples"], cwd=ROOT, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
    else:
        shutil.copytree(ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "examples", dest / "examples")
    # as installed (`make install`, or pip for a regular install): Python bytecode compiled, Numba's caches empty
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "src")], check=True, capture_output=True)
    return dest


# ----------------------------------------------------------------- the plain NumPy twin
def plain_v2(model, n: int, v: float, T: float, bracket: tuple[float, float]) -> float:
    """V2: Omega''(0; T, V) = 2/v + < sum_ij 2 |<p_i|D|h_j>|^2 (G'(a_i) - G'(b_j)) / (a_i - b_j) > = 0 on a
    uniform n x n mesh, G'(E) = -tanh(E/2T)/4, Brent's method in V."""
    from scipy.optimize import brentq

    from isingsc.core.field import Field

    b1 = np.array([2 * np.pi, 2 * np.pi / np.sqrt(3)])
    b2 = np.array([0.0, 4 * np.pi / np.sqrt(3)])
    x = (np.arange(n) + 0.5) / n
    k = (x[:, None, None] * b1 + x[None, :, None] * b2).reshape(-1, 2)
    half = model.nambu_dim // 2
    k0 = np.zeros((1, 2))
    d_block = (model.bdg_hamiltonian(k0, 1.0, 0.0) - model.bdg_hamiltonian(k0, 0.0, 0.0))[0][:half, half:]

    def curvature(vx):
        h = model.bdg_hamiltonian(k, 0.0, Field.in_plane(vx, 0.0))
        e_p, u_p = np.linalg.eigh(h[:, :half, :half])
        e_h, u_h = np.linalg.eigh(h[:, half:, half:])
        p2 = np.abs(np.swapaxes(u_p, -1, -2).conj() @ d_block @ u_h) ** 2
        a, b = e_p[:, :, None], e_h[:, None, :]
        ga, gb = -np.tanh(a / (2 * T)) / 4, -np.tanh(b / (2 * T)) / 4
        diff = a - b
        close = np.abs(diff) < 1e-9
        # degenerate pairs: G''(E) = -(1 - tanh^2(E/2T)) / (8T) (no cosh overflow)
        q = np.where(close, -(1 - np.tanh(a / (2 * T)) ** 2) / (8 * T), (ga - gb) / np.where(close, 1.0, diff))
        return 2 / v + 2 * np.sum(p2 * q) / len(k)

    return brentq(curvature, *bracket, xtol=1e-8)


def plain_twin(quick: bool) -> list[dict]:
    import isingsc
    from isingsc.models.paper import PAPER

    model = isingsc.model("heterostructure", parameters=PAPER.with_(gamma=0.5))
    # the kernels loaded (or compiled) first, on another model: the time per point is the solver's alone
    isingsc.MeanField(isingsc.model("intrinsic"), delta0=0.02).hc2(n_points=3)
    mf = isingsc.MeanField(model, delta0=0.02)
    t0 = time.perf_counter()
    ds = mf.hc2(n_points=40)
    per_point = (time.perf_counter() - t0) / 40
    v = float(ds.attrs["v"])
    rows = []
    for idx in ((10, 30) if quick else (5, 20, 35)):
        T, target = float(ds["T"].values[idx]), float(ds.instability_field.values[idx])
        for n in (100, 200, 400, 800):
            t = time.perf_counter()
            v2 = plain_v2(model.model, n, v, T, (0.5 * target, 1.5 * target))
            dt = time.perf_counter() - t
            err = abs(v2 / target - 1)
            if err <= 0.005 or n == 800:
                rows.append({"T": T, "n": n, "seconds": dt, "error": err, "isingsc_per_point": per_point})
                break
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="ae1a625", help="git revision of the previous release (default ae1a625)")
    ap.add_argument("--quick", action="store_true", help="10 temperatures per Fig. 3a curve, two plain points")
    ap.add_argument("--paper", action="store_true", help="also time `reproduce --quality paper` (working tree)")
    ap.add_argument("--sweep-grid", type=int, default=0, metavar="N",
                    help="also time the example sweep on an N x N grid (the same axis ranges) for both trees")
    ap.add_argument("--repeat", type=int, default=3, metavar="R",
                    help="runs of the example sweep per tree, alternating (default 3; the median is reported)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat: an integer >= 1")
    n_t = 10 if args.quick else 40
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"old": copy_tree(args.baseline, Path(tmp) / "old"), "new": copy_tree(None, Path(tmp) / "new")}
        for name, tree in trees.items():
            src, work = tree / "src", tree
            r: dict = {}
            if name == "new":  # the first call where the kernels compile at that call (no kernel step at install)
                cold = copy_tree(None, Path(tmp) / "cold")
                r["first_call_cold"] = run_cli(cold / "src", cold, "tc", "--model", "heterostructure")[0]
            r["install_kernels"] = install_kernels(tree)
            r["first_call"] = run_cli(src, work, "tc", "--model", "heterostructure")[0]
            r["warm_call"] = min(run_cli(src, work, "tc", "--model", "heterostructure")[0] for _ in range(2))
            fig = json.loads(run([sys.executable, "-c", FIG3A, str(n_t)], src, work).strip().splitlines()[-1])
            r["fig3a"] = fig
            r["reproduce"] = run_cli(src, work, "reproduce", "--out", str(tree / "rep"), "--force", "-q")
            if args.sweep_grid:
                toml = (ROOT / "examples/sweeps/gamma_mu_tmd.toml").read_text().replace("num = 6", f"num = {args.sweep_grid}")
                (tree / "grid.toml").write_text(toml)
                r["sweep_grid"] = run_cli(src, work, "sweep", "grid.toml", "--out", str(tree / "swg"), "--workers", "2")
            if args.paper and name == "new":
                r["paper"] = run_cli(src, work, "reproduce", "--out", str(tree / "paper"), "--force", "-q",
                                     "--quality", "paper")
            results[name] = r
        for rep in range(args.repeat):  # the trees alternate
            for name, tree in trees.items():
                out = tree / f"sw{rep}"
                results[name].setdefault("sweeps", []).append(
                    run_cli(tree / "src", tree, "sweep", "examples/sweeps/gamma_mu_tmd.toml", "--out", str(out),
                            "--workers", "2"))
                if rep == 0:
                    import xarray as xr

                    results[name]["sweep_hc2"] = xr.open_zarr(out / "sweep.zarr").Hc2.values.ravel().tolist()
        for r in results.values():
            walls = sorted(w for w, _ in r["sweeps"])
            r["sweep"] = (float(np.median(walls)), max(m for _, m in r["sweeps"]), walls[0], walls[-1])
    plain = plain_twin(args.quick)
    old, new = results["old"], results["new"]
    fig_diff = max(float(np.max(np.abs(np.array(new["fig3a"]["curves"][g]["Hc2_over_HP"])
                                       / np.array(old["fig3a"]["curves"][g]["Hc2_over_HP"]) - 1)))
                   for g in new["fig3a"]["curves"])
    sweep_diff = float(np.nanmax(np.abs(np.array(new["sweep_hc2"]) / np.array(old["sweep_hc2"]) - 1)))
    print(f"# isingsc speed benchmark (issue 18): baseline {args.baseline} vs working tree; {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{time.strftime('%Y-%m-%d')}")
    print("| workload | previous [s] | now [s] | previous/now | notes |")
    print("|---|---|---|---|---|")
    print(f"| first call `isingsc tc --model heterostructure` after installation (fresh copy, `make install`'s steps) | "
          f"{old['first_call']:.1f} | {new['first_call']:.1f} | {old['first_call'] / new['first_call']:.2f} | warm call "
          f"{old['warm_call']:.1f} / {new['warm_call']:.1f} s: first minus warm {old['first_call'] - old['warm_call']:.1f} / "
          f"{new['first_call'] - new['warm_call']:.1f} s; kernels compiled at install {old['install_kernels']:.1f} / "
          f"{new['install_kernels']:.1f} s; without that step the first call takes {new['first_call_cold']:.1f} s "
          f"(first minus warm {new['first_call_cold'] - new['warm_call']:.1f} s) |")
    ach = max(c["achieved"] for c in new["fig3a"]["curves"].values())
    print(f"| Fig. 3a set (5 Gamma x {n_t} T, tol 0.5 %) | {old['fig3a']['seconds']:.1f} | {new['fig3a']['seconds']:.1f} | "
          f"{old['fig3a']['seconds'] / new['fig3a']['seconds']:.2f} | curves agree to {fig_diff:.1e}; achieved <= {ach:.1e} |")
    print(f"| `isingsc reproduce --force` (fast) | {old['reproduce'][0]:.1f} | {new['reproduce'][0]:.1f} | "
          f"{old['reproduce'][0] / new['reproduce'][0]:.2f} | peak memory {old['reproduce'][1]:.0f} / "
          f"{new['reproduce'][1]:.0f} MB |")
    print(f"| 6 x 6 example sweep, 2 workers (median of {args.repeat}) | {old['sweep'][0]:.1f} | {new['sweep'][0]:.1f} | "
          f"{old['sweep'][0] / new['sweep'][0]:.2f} | ranges {old['sweep'][2]:.1f}-{old['sweep'][3]:.1f} / "
          f"{new['sweep'][2]:.1f}-{new['sweep'][3]:.1f} s; Hc2 agree to {sweep_diff:.1e}; peak memory (client) "
          f"{old['sweep'][1]:.0f} / {new['sweep'][1]:.0f} MB |")
    if "sweep_grid" in new:
        n, per_old, per_new = args.sweep_grid, old["sweep_grid"][0], new["sweep_grid"][0]
        print(f"| the same sweep on {n} x {n} points, 2 workers | {per_old:.1f} | {per_new:.1f} | {per_old / per_new:.2f} | "
              f"{n * n / per_old:.2f} / {n * n / per_new:.2f} points per second |")
    if "paper" in new:
        print(f"| `isingsc reproduce --force --quality paper` | - | {new['paper'][0]:.1f} | - | peak memory "
              f"{new['paper'][1]:.0f} MB |")
    print()
    print("| plain NumPy V2 point (Gamma = 0.5) | uniform mesh | plain [s] | error vs isingsc | isingsc per point [s] "
          "| plain/isingsc |")
    print("|---|---|---|---|---|---|")
    for row in plain:
        print(f"| T = {row['T']:.5f} | {row['n']}^2 | {row['seconds']:.2f} | {row['error']:.1e} | "
              f"{row['isingsc_per_point']:.3f} | {row['seconds'] / row['isingsc_per_point']:.0f} |")
    for g in GAMMAS:
        print(f"  Gamma = {g}: {old['fig3a']['curves'][str(g)]['seconds']:.2f} s -> "
              f"{new['fig3a']['curves'][str(g)]['seconds']:.2f} s")


if __name__ == "__main__":
    main()
