"""Parameter sweeps: sweep-file validation, the store, Dask execution, crash and resume.

The crash test kills a real ``isingsc sweep`` process group (client, scheduler and worker
processes) with SIGKILL while points are being written, resumes it, and requires the
resumed store to be identical to an uninterrupted run's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from isingsc.workflows.sweep import SweepFileError, load_sweep, parse_sweep
from isingsc.workflows.sweep.quantities import compute_point
from isingsc.workflows.sweep.store import DONE, FAILED, PENDING, SweepStore

ROOT = Path(__file__).resolve().parents[1]


# Tc of an intrinsic Ising layer at three values of beta_SO (cheap: ~2 s a point)
TC_SWEEP = """
[model]
name = "intrinsic"
[parameters]
mu = 2.7
delta0 = 0.05
[axes]
beta_so = [0.0, 0.01, 0.02]
t = [-1.0, -1.05]
[compute]
quantities = ["Tc"]
tol = 0.05
"""


def write(tmp_path: Path, text: str, name: str = "sweep.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-c", "from isingsc.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, **kw)


# ----------------------------------------------------------------- validation
BAD_FILES = [
    ("[model]\nname = 'graphene'\n[compute]\nquantities=['Tc']", "[model] name"),
    ("[modle]\nname = 'intrinsic'\n[compute]\nquantities=['Tc']", "unknown table"),
    ("[model]\nname='intrinsic'\n[parameters]\ngamma = 0.3\n[compute]\nquantities=['Tc']", "[parameters] gamma"),
    ("[model]\nname='heterostructure'\n[axes]\ngamma = {start=0, stop=0.5, num=0}\n[compute]\nquantities=['Tc']",
     "[axes] gamma.num"),
    ("[model]\nname='heterostructure'\n[axes]\ngamma = {start=-0.5, stop=0.5, num=3}\n[compute]\nquantities=['Tc']",
     "gamma"),
    ("[model]\nname='heterostructure'\n[axes]\nmu_tmd = []\n[compute]\nquantities=['Tc']", "[axes] mu_tmd"),
    ("[model]\nname='heterostructure'\n[axes]\nmu_tmd = [1, 'a']\n[compute]\nquantities=['Tc']", "[axes] mu_tmd[1]"),
    ("[model]\nname='heterostructure'\n[axes]\ngamma=[0.3]\n[compute]\nquantities=['Hc3']", "[compute] quantities"),
    ("[model]\nname='heterostructure'\n[axes]\ngamma=[0.3]\n[compute]\nquantities=[]", "[compute] quantities"),
    ("[model]\nname='heterostructure'\n[axes]\ngamma=[0.3]\n[compute]\nquantities=['Tc']\nt_over_tc = 1.5",
     "t_over_tc"),
    ("[model]\nname='heterostructure'\n[parameters]\ndelta0=0.02\nv=1.0\n[axes]\ngamma=[0.3]\n[compute]\n"
     "quantities=['Tc']", "delta0/v"),
    ("[model]\nname='heterostructure'\n[parameters]\ngamma=0.2\n[axes]\ngamma=[0.1]\n[compute]\nquantities=['Tc']",
     "[axes] gamma"),
    ("[model]\nname='heterostructure'\n[axes]\nt_sc=[-1.0, 0.0]\n[compute]\nquantities=['Tc']", "t_sc"),
    ("[model]\nname='heterostructure'\n[axes]\ngamma=[0.3]\n[compute]\nquantities=['Tc']\nmesh = 3", "[compute] mesh"),
    ("[model]\nname='heterostructure'\n[compute]\nquantities=['Tc']", "[axes]"),
    ("[model]\nname='effective'\n[axes]\ngamma=[0.3]\n[compute]\nquantities=['Tc']", "effective-fit"),
    ("not toml at all [", "not valid TOML"),
]


@pytest.mark.parametrize("text, key", BAD_FILES)
def test_bad_sweep_files_name_the_key(tmp_path, text, key):
    with pytest.raises(SweepFileError) as err:
        load_sweep(write(tmp_path, text))
    assert key in str(err.value) and "\n" not in str(err.value)


def test_bad_sweep_file_through_cli_writes_nothing(tmp_path):
    path = write(tmp_path, BAD_FILES[3][0])
    out = tmp_path / "out"
    proc = run_cli("sweep", path, "--out", out)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "[axes] gamma.num" in lines[0]
    assert not out.exists()


def test_ranges_lists_and_defaults(tmp_path):
    spec = load_sweep(write(tmp_path, """
        [model]
        name = "heterostructure"
        [axes]
        gamma = {start = 0.0, stop = 0.5, num = 6}
        mu_tmd = [2.8, 3.0]
        [compute]
        quantities = ["Hc2", "nodal"]
        t_over_tc = 0.1
    """))
    assert spec.shape == (6, 2) and spec.n_points == 12
    assert np.allclose(spec.axes["gamma"], np.linspace(0, 0.5, 6))
    assert spec.fixed["delta0"] == 0.02  # default pairing strength, as in isingsc hc2
    index, values = list(spec.points())[7]
    assert index == (3, 1) and values["gamma"] == pytest.approx(0.3) and values["mu_tmd"] == 3.0


# ----------------------------------------------------------------- points and the store
def test_failing_point_records_its_error_and_keeps_the_rest(tmp_path):
    """A coupling far too weak has no superconductivity in reach: the error is returned, not raised."""
    values, error = compute_point("intrinsic", ["Tc", "nodal"], {"mu": 2.7, "v": 1e-3, "tol": 0.05})
    assert error.startswith("ConvergenceError: no superconducting gap") and "Tc" not in values


def test_store_marks_points_and_refuses_a_different_sweep(tmp_path):
    spec = parse_sweep({"model": {"name": "intrinsic"}, "axes": {"beta_so": [0.0, 0.01]},
                        "compute": {"quantities": ["Tc"]}})
    store = SweepStore.create(tmp_path / "s.zarr", spec)
    assert store.pending() == [(0,), (1,)]
    store.write((1,), {"Tc": 0.03, "Tc_over_Tc0": 1.0}, "")
    store.write((0,), {}, "ConvergenceError: test")
    ds = store.dataset()
    assert list(ds["status"].values) == [FAILED, DONE] and store.pending() == []
    assert ds["Tc"].values[1] == 0.03 and np.isnan(ds["Tc"].values[0])
    assert str(ds["error"].values[0]) == "ConvergenceError: test"
    assert ds["Tc"].attrs["units"] == "|t|" and ds["beta_so"].attrs["units"] == "|t|"
    other = parse_sweep({"model": {"name": "intrinsic"}, "axes": {"beta_so": [0.0, 0.02]},
                         "compute": {"quantities": ["Tc"]}})
    with pytest.raises(Exception, match="different sweep"):
        SweepStore.open(tmp_path / "s.zarr", other)
    assert PENDING == 0


# ----------------------------------------------------------------- Dask runs, crash and resume
def _status(store: Path) -> np.ndarray | None:
    import zarr

    try:
        return np.asarray(zarr.open_group(str(store), mode="r")["status"][...])
    except Exception:
        return None


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """An uninterrupted run of TC_SWEEP through the CLI: (sweep file, store)."""
    tmp = tmp_path_factory.mktemp("reference")
    path = write(tmp, TC_SWEEP)
    env = dict(os.environ, ISINGSC_NUM_THREADS="1")
    ref = run_cli("sweep", path, "--out", tmp / "ref", "--workers", "1", "--quiet", env=env, timeout=300)
    assert ref.returncode == 0, ref.stderr
    return path, tmp / "ref" / "sweep.zarr"


@pytest.mark.slow  # ~50 s on 2 cores (three Dask runs, each starting worker processes)
def test_kill_9_mid_sweep_then_resume_equals_uninterrupted_run(tmp_path, reference_run):
    path, reference = reference_run
    env = dict(os.environ, ISINGSC_NUM_THREADS="1")
    # 2. a run killed with SIGKILL (client, scheduler and workers: the whole process group)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", "from isingsc.cli import main; main()", "sweep", str(path),
                             "--out", str(out), "--workers", "1", "--quiet"],
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    try:
        while time.time() < deadline:
            status = _status(out / "sweep.zarr")
            if status is not None and 1 <= (status != PENDING).sum() < status.size - 1:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the sweep did not reach the middle in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_before = (_status(out / "sweep.zarr") != PENDING).sum()
    assert 1 <= done_before < 6
    # 3. resume: only the missing points, then the same store as the uninterrupted run
    resumed = run_cli("sweep", path, "--out", out, "--resume", "--workers", "1", "--json", env=env, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    import json

    report = json.loads(resumed.stdout)
    assert report["computed_now"] == 6 - done_before and report["pending"] == 0
    with xr.open_zarr(out / "sweep.zarr") as a, xr.open_zarr(reference) as b:
        xr.testing.assert_identical(a.load(), b.load())
    # 4. without --resume the finished store is not touched
    again = run_cli("sweep", path, "--out", out, env=env)
    assert again.returncode == 2 and "--resume" in again.stderr


def test_resuming_a_finished_sweep_computes_nothing_and_keeps_the_store(tmp_path, reference_run):
    """--resume on a complete store starts no workers (the run decides after opening the store) and leaves every
    value as it was."""
    import json
    import shutil

    path, reference = reference_run
    out = tmp_path / "done"
    shutil.copytree(reference.parent, out)
    env = dict(os.environ, ISINGSC_NUM_THREADS="1")
    resumed = run_cli("sweep", path, "--out", out, "--resume", "--json", "--no-plot", env=env, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["computed_now"] == 0 and report["pending"] == 0
    with xr.open_zarr(out / "sweep.zarr") as a, xr.open_zarr(reference) as b:
        xr.testing.assert_identical(a.load(), b.load())


def test_two_axis_sweep_with_nodal_flag_and_plot(tmp_path):
    """Gamma x mu_SC (2 x 2) of the heterostructure: the nodal flag agrees with find_nodes directly."""
    path = write(tmp_path, """
        [model]
        name = "effective-fit"
        [parameters]
        topology_delta = 0.05
        [axes]
        gamma = [0.3, 0.5]
        vx_over_delta = [0.5, 4.0]
        [compute]
        quantities = ["nodal", "winding"]
    """)
    proc = run_cli("sweep", path, "--out", tmp_path / "o", "--workers", "2", "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr
    ds = xr.open_zarr(tmp_path / "o" / "sweep.zarr").load()
    assert (ds["status"].values == DONE).all()
    # below Vx = Z Delta (~0.97 Delta) the BdG spectrum is gapped; at 4 Delta there are nodes
    # with |W| = 1..2 flat bands (docs/topology.md: 12 nodes at Gamma = 0.5)
    assert (ds["nodal"].sel(vx_over_delta=0.5).values == 0).all()
    assert (ds["nodal"].sel(vx_over_delta=4.0).values == 1).all()
    assert ds["n_nodes"].sel(gamma=0.5, vx_over_delta=4.0) == 12
    assert (ds["max_abs_winding"].sel(vx_over_delta=0.5).values == 0).all()
    assert (ds["flat_band_fraction"].sel(vx_over_delta=4.0).values > 0).all()
    assert (tmp_path / "o" / "sweep.png").stat().st_size > 10_000


@pytest.mark.slow  # ~30 s on 2 cores (a reference run and a 2-worker cluster)
def test_worker_killed_mid_sweep_is_replaced_and_nothing_is_lost(tmp_path, reference_run):
    """SIGKILL to a worker process of a running cluster: Dask restarts it and reruns its task."""
    import threading

    from dask.distributed import Client, LocalCluster

    from isingsc.workflows.sweep import run_sweep

    path, reference = reference_run
    spec = load_sweep(path)
    out = tmp_path / "s.zarr"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      env={"ISINGSC_NUM_THREADS": "1"}, silence_logs=50) as cluster, Client(cluster) as client:
        victim = next(iter(client.run(os.getpid).values()))
        killed = threading.Event()

        def kill_when_started():
            deadline = time.time() + 240
            while time.time() < deadline:
                status = _status(out)
                if status is not None and (status != PENDING).sum() >= 1:
                    os.kill(victim, signal.SIGKILL)
                    killed.set()
                    return
                time.sleep(0.05)

        thread = threading.Thread(target=kill_when_started, daemon=True)
        thread.start()
        report = run_sweep(spec, out, scheduler=cluster.scheduler_address, progress=False)
        thread.join()
    assert killed.is_set()
    assert report.pending == 0 and report.failed == 0
    with xr.open_zarr(out) as a, xr.open_zarr(reference) as b:
        a, b = a.load(), b.load()
        a.attrs.pop("sweep_file"), b.attrs.pop("sweep_file")
        xr.testing.assert_identical(a, b)


def test_sweep_over_the_parameters_of_a_model_file(tmp_path):
    """[model] file = a TOML model file: its [parameters] become sweepable, its delta0 the default
    pairing; the K-pocket (WS2-like) layer at beta_SO = 0 is a Pauli-limited BCS layer, so Hc2 at
    0.5 Tc is on the first-order Pauli line of weak-coupling BCS (isingsc.experiment.pauli, an
    independent Matsubara-sum solution), within the sweep's tol = 0.02 and the lattice's
    strong-coupling correction (Delta0/Tc = 1.7637 against 1.7639)."""
    import shutil

    from isingsc.models.modelfile import packaged_model_path

    shutil.copy(packaged_model_path("ws2.toml"), tmp_path / "ws2.toml")
    spec = load_sweep(write(tmp_path, """
        [model]
        file = "ws2.toml"
        [axes]
        beta_so = [0.0, 0.033]
        [compute]
        quantities = ["Tc", "Hc2"]
        t_over_tc = 0.5
        tol = 0.02
    """))
    assert spec.model == "file" and spec.fixed["delta0"] == 0.03  # the file's suggested gap
    first, values = next(spec.points())
    result, error = compute_point(spec.model_spec, spec.quantities, values)
    assert error == "" and result["transition_order"] == 1.0
    from isingsc.experiment import pauli

    expected = pauli.first_order_field_reduced(0.5) / (pauli.gap_ratio("bcs") / np.sqrt(2))
    assert result["Hc2_over_HP"] == pytest.approx(expected, rel=0.02)
    # an unknown parameter of that file, and an edited file on --resume, are refused
    with pytest.raises(SweepFileError, match=r"\[axes\] gamma"):
        load_sweep(write(tmp_path, '[model]\nfile = "ws2.toml"\n[axes]\ngamma = [0.1]\n[compute]\nquantities = ["Tc"]',
                         "bad.toml"))
    with pytest.raises(SweepFileError, match=r"\[model\] file"):
        load_sweep(write(tmp_path, '[model]\nfile = "nope.toml"\n[compute]\nquantities = ["Tc"]', "bad2.toml"))
    store = SweepStore.create(tmp_path / "s.zarr", spec)
    (tmp_path / "ws2.toml").write_text((tmp_path / "ws2.toml").read_text().replace("mu_k = 2.5", "mu_k = 2.4"))
    with pytest.raises(Exception, match="different sweep"):
        SweepStore.open(store.path, load_sweep(tmp_path / "sweep.toml"))


def test_chern_and_channels_sweep_quantities_of_the_hole_doped_tmd():
    """The worker's function gives the Chern number of a chosen channel (index 5: p+ip triplet-z, the inter-pocket
    chiral state, |C| = 2) and the leading channel (index into channel x momentum), as the commands do; the
    model's own on-site s pairing (index 0) is trivial."""
    from isingsc.models.channels import channel_list

    assert channel_list()[4].label == "p+ip (triplet-z)"
    values, err = compute_point("hole-tmd", ("chern",), {"channel_index": 5.0, "chern_delta": 0.1})
    assert err == "" and abs(values["chern_number"]) == 2 and values["chern_gap"] > 0
    values, err = compute_point("hole-tmd", ("chern",), {"chern_delta": 0.05})
    assert err == "" and values["chern_number"] == 0
    values, err = compute_point("hole-tmd", ("chern",), {"channel_index": 6.0, "momentum_index": 1.0})
    assert "gapless" in err                      # a single-Q equal-spin state leaves the other pocket unpaired
    values, err = compute_point("hole-tmd", ("channels",), {"attraction": 0.5})
    labels = [f"{c.label} @ {q}" for c in channel_list() for q in ("0", "2K", "2K'")]
    assert err == "" and labels[int(values["leading_index"])] == "f (triplet-z) @ 0" and values["leading_Tc"] > 0


def test_local_workers_keep_glibc_malloc_defaults(tmp_path):
    """Dask's Nanny sets MALLOC_TRIM_THRESHOLD_=65536 by default, which made every new k-mesh array page-fault
    again (sweep points 30 % slower): the LocalCluster of a sweep unsets it (and the profilers it does not read)."""
    import dask
    from dask.distributed import Client, LocalCluster

    from isingsc.workflows.sweep.runner import LOCAL_WORKER_CONFIG

    with dask.config.set(LOCAL_WORKER_CONFIG):
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40)
    with cluster, Client(cluster) as client:
        env = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                  dask.config.get("distributed.worker.profile.enabled")))
    assert list(env.values()) == [(None, False)]


def test_a_sweep_beside_another_dask_cluster_prints_nothing(tmp_path):
    """Dask's scheduler serves HTTP on port 8787 by default and moves, with a warning, where another cluster (a
    notebook's) holds it: the sweep's own scheduler takes a free port, so a quiet sweep prints nothing."""
    import socket

    holder = socket.socket()
    try:
        holder.bind(("", 8787))
        holder.listen()
    except OSError:  # taken already, by another cluster: the situation the test is about
        pass
    try:
        one_point = TC_SWEEP.replace("beta_so = [0.0, 0.01, 0.02]\nt = [-1.0, -1.05]", "beta_so = [0.01]")
        assert one_point != TC_SWEEP
        path = write(tmp_path, one_point)
        run = run_cli("sweep", path, "--out", tmp_path / "out", "--workers", "1", "--quiet",
                      env=dict(os.environ, ISINGSC_NUM_THREADS="1"), timeout=300)
    finally:
        holder.close()
    assert run.returncode == 0, run.stderr
    assert run.stderr == "" and (tmp_path / "out" / "sweep.zarr").is_dir()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork server on this platform (workers are spawned)")
def test_local_workers_start_from_a_server_with_the_solvers_loaded():
    """The workers of a local sweep are forked from a server that imported the solvers and loaded the compiled
    kernels once (on an idle core, while the sweep creates its store): a worker has them before its first task, with
    its own kernel threads (loading the kernels in the server did not fix the server's thread setting), and the
    server's environment was set only for its start."""
    from dask.distributed import Client

    from isingsc.workflows.sweep.runner import local_cluster, start_worker_server

    before = dict(os.environ)
    start_worker_server(1)  # (Dask's Nanny itself then writes its pre-spawn settings into os.environ)
    assert dict(os.environ) == before
    cluster = local_cluster(n_workers=1, threads_per_worker=2)

    def probe():
        import sys as sys_

        loaded = all(name in sys_.modules for name in ("isingsc.meanfield.solver", "isingsc.topology.bulk",
                                                       "scipy.optimize", "isingsc.workflows.sweep.kernels"))
        from isingsc.core import config

        return loaded, config.threads(), os.environ.get("ISINGSC_FORK_SERVER")

    with cluster, Client(cluster) as client:
        assert list(client.run(probe).values()) == [(True, 2, None)]


def test_the_fork_server_mark_acts_only_in_the_server():
    """isingsc.workflows.sweep.server lets the fork server leave at once at its exit (a pipe reading the command's
    output closes with the command, not 0.4 s later); only a process marked with its parent's id is the server:
    anywhere else (no mark, or a stale one) importing it keeps the exit status."""
    code = "import sys, isingsc.workflows.sweep.server; sys.exit(3)"
    for mark in (None, "1", str(os.getpid() + 1)):
        env = {k: v for k, v in os.environ.items() if k != "ISINGSC_FORK_SERVER"}
        if mark:
            env["ISINGSC_FORK_SERVER"] = mark
        assert subprocess.run([sys.executable, "-c", code], env=env, timeout=120).returncode == 3
    env = dict(os.environ, ISINGSC_FORK_SERVER=str(os.getpid()))  # the child's parent: this process
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=120).returncode == 0


def test_a_sweep_starts_its_workers_before_importing_xarray():
    """The command line and the sweep runner import xarray and Zarr (0.3 s) only once the workers' server has
    been started, so that it imports on the other core meanwhile."""
    code = ("import sys, isingsc.cli\nfrom isingsc.workflows.sweep import load_sweep, run_sweep\n"
            "print(sorted(m for m in ('xarray', 'zarr', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


def test_the_sweep_command_starts_the_workers_server_before_importing_dask_or_numba(tmp_path):
    """``isingsc sweep`` starts the workers' fork server before this process imports Dask, Numba or xarray
    (about 1 s together): the server's own imports are the start-up's critical path, and run on the other core
    meanwhile.  The probe records the modules loaded at the moment of the call and ends the process there."""
    code = ("import os, sys\nfrom isingsc.workflows.sweep import runner\n"
            "def probe(*args, **kwargs):\n"
            "    heavy = ('distributed', 'dask', 'numba', 'xarray', 'zarr', 'pandas', 'scipy.optimize')\n"
            "    print(sorted(m for m in heavy if m in sys.modules), flush=True)\n    os._exit(0)\n"
            "runner.start_worker_server = probe\nfrom isingsc.cli import main\n"
            f"sys.argv = ['isingsc', 'sweep', {str(ROOT / 'examples/sweeps/gamma_mu_tmd.toml')!r}, '--out', "
            f"{str(tmp_path / 'out')!r}, '--quiet']\nmain()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_prefetch_imports_the_callers_modules_during_the_sweep(tmp_path, monkeypatch):
    """run_sweep(prefetch=...) imports the modules the caller needs afterwards (the command's plotting) while the
    workers compute; a module that cannot be imported is left for the caller's own import: the points are saved."""
    from isingsc.workflows.sweep import run_sweep

    (tmp_path / "isingsc_prefetch_probe.py").write_text("import time\nIMPORTED_AT = time.time()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    one_point = TC_SWEEP.replace("beta_so = [0.0, 0.01, 0.02]\nt = [-1.0, -1.05]", "beta_so = [0.01]")
    spec = load_sweep(write(tmp_path, one_point))
    report = run_sweep(spec, tmp_path / "out.zarr", n_workers=1, progress=False,
                       prefetch=("isingsc_prefetch_probe", "isingsc_no_such_module"))
    assert report.computed == 1 and report.pending == 0 and report.failed == 0
    assert "isingsc_prefetch_probe" in sys.modules
    monkeypatch.delitem(sys.modules, "isingsc_prefetch_probe")


@pytest.mark.parametrize("kwargs, name", [({"n_workers": 0}, "n_workers"),
                                          ({"threads_per_worker": 0}, "threads_per_worker"),
                                          ({"threads_per_worker": 1.5}, "threads_per_worker")])
def test_local_cluster_refuses_bad_counts_before_starting_anything(kwargs, name):
    from isingsc.core.errors import ParameterError
    from isingsc.workflows.sweep.runner import local_cluster

    with pytest.raises(ParameterError, match=name):
        local_cluster(**kwargs)


def test_an_hc2_and_nodal_point_reads_the_apis_numbers_without_importing_xarray():
    """A worker computing the example sweep's quantities (Hc2 at 0.1 Tc and the nodal flag) gets the numbers of
    ``MeanField.hc2`` and ``find_nodes`` bit for bit (from ``hc2_points`` and ``locate_nodes``), and never imports
    xarray, pandas or dask.array (0.5-0.9 s that the workers' fork server no longer spends before forking)."""
    from isingsc.core.field import Field
    from isingsc.meanfield import MeanField
    from isingsc.topology.bulk import find_nodes
    from isingsc.workflows.sweep.spec import resolve_point, settings_of

    spec = load_sweep(ROOT / "examples/sweeps/gamma_mu_tmd.toml")
    index, values = next(iter(spec.points()))
    code = ("import sys\nfrom isingsc.workflows.sweep import load_sweep\n"
            "from isingsc.workflows.sweep.quantities import compute_point\n"
            f"spec = load_sweep({str(ROOT / 'examples/sweeps/gamma_mu_tmd.toml')!r})\n"
            "index, values = next(iter(spec.points()))\n"
            "result, error = compute_point(spec.model_spec, list(spec.quantities), values)\n"
            "assert error == '' and result['Hc2'] > 0, error\n"
            "print(sorted(m for m in ('xarray', 'pandas', 'dask.array', 'zarr') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
    result, error = compute_point(spec.model_spec, list(spec.quantities), values)
    assert error == ""
    resolved, settings = resolve_point(spec.model_spec, values), settings_of(values)
    ds = MeanField(resolved, delta0=values["delta0"], tol=settings["tol"]).hc2(t_over_tc=[settings["t_over_tc"]])
    assert result["Hc2"] == float(ds.Hc2[0]) and result["Hc2_over_HP"] == float(ds.Hc2_over_HP[0])
    assert result["achieved_tol"] == ds.attrs["achieved_tolerance"]
    delta = settings["topology_delta"]
    nodes = find_nodes(resolved.model, delta, Field.in_plane(settings["vx_over_delta"] * delta))
    assert result["n_nodes"] == nodes.sizes["node"]
