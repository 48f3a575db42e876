"""Run a sweep on dask.distributed, saving every point as it arrives; resume after a crash.

``run_sweep`` submits one task per missing point to a Dask cluster -- a
``LocalCluster`` of worker processes by default, or an existing scheduler -- and writes
each result into the Zarr store (:mod:`isingsc.workflows.sweep.store`) the moment it comes back.
Killing the client (Ctrl-C, ``kill -9``) or a worker loses at most the points in flight:
``resume=True`` recomputes exactly the points whose status is still pending.  Dask
reschedules the task of a worker that died on another worker; a point whose task kills
workers repeatedly stays pending and is reported.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from isingsc.core import config
from isingsc.core.errors import IsingscError, ParameterError, check_positive_int
from isingsc.core.progress import logger, progress_enabled
from isingsc.workflows.sweep.quantities import compute_point
from isingsc.workflows.sweep.server import SERVER_MARK
from isingsc.workflows.sweep.spec import SweepSpec

if TYPE_CHECKING:
    from isingsc.workflows.sweep.store import SweepStore


@dataclass(frozen=True)
class SweepReport:
    """What a run did: points computed now, failed (error stored), still pending, in the store."""

    computed: int
    failed: int
    pending: int
    total: int
    path: Path
    damaged: tuple = ()  # (index, chunk file) of the damaged chunks found on --resume (recomputed)


def _worker_env(threads: int) -> dict:
    # the session's settings (backend) travel to the worker processes; one BLAS/kernel thread per
    # worker: the workers already fill the cores
    t = str(threads)
    env = config.environment_for_workers(config.current())
    env.update({"ISINGSC_NUM_THREADS": t, "OMP_NUM_THREADS": t, "OPENBLAS_NUM_THREADS": t, "MKL_NUM_THREADS": t})
    return env


#: Dask settings of the LocalCluster's workers.  The Nanny's default MALLOC_TRIM_THRESHOLD_=65536 makes glibc hand
#: every freed array back to the OS, so each new k-mesh array page-faults again: the points ran 30 % slower (a
#: value of None unsets it, which also keeps glibc's dynamic mmap threshold).  The statistical profiler (every
#: 10 ms) and the GIL monitor (every 1 ms) are diagnostics a sweep does not read.
LOCAL_WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
}


#: What the fork server of a local cluster imports once, before it forks the workers: Dask's worker, the sweep's
#: solvers and what they import on a first point (SciPy's root finders), the command line (multiprocessing runs
#: the parent's main module again in each worker: for the ``isingsc`` command that imports isingsc.cli), and last
#: the compiled kernels, loaded from Numba's cache (:mod:`isingsc.workflows.sweep.kernels`: Numba's CPU target
#: initialised once, 0.3 s that each worker's first point spent).  Each worker then starts with them loaded.  Not
#: xarray (with pandas and dask.array, which it imports with the first Dataset: 0.5-0.9 s, the server's critical
#: path): the Hc2 and nodal points return numbers, and a quantity that builds a Dataset imports it on the worker's
#: first point.
WORKER_PRELOAD = ("isingsc.workflows.sweep.server", "distributed", "scipy.optimize",
                  "isingsc.workflows.sweep.quantities", "isingsc.meanfield", "isingsc.topology.bulk", "isingsc.cli",
                  "isingsc.workflows.sweep.kernels")

_SERVER = {"started": False}
_SERVER_LOCK = threading.Lock()


def _start_method() -> str:
    """"forkserver" where the platform has it (Linux, macOS), else "spawn" (Windows)."""
    import multiprocessing

    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def start_worker_server(threads_per_worker: int = 1) -> None:
    """Start this process's fork server for local-cluster workers, once per process.

    The workers of a local cluster are forked from a server process (Python's ``forkserver`` start method) that
    has imported :data:`WORKER_PRELOAD`.  Started as soon as a sweep is known to need local workers, the server
    imports on an idle core while this process imports Dask and creates the store, and each worker starts with
    the solvers loaded.  The server is single-threaded (no event loop, no thread pools): forking it is safe,
    unlike forking this process, whose Dask threads run.  Its environment gets the workers' settings
    (:func:`_worker_env`, BLAS threads included) before NumPy loads there; it lives as long as this process,
    so later sweeps of the process fork from it at once (with the BLAS threads of the first).  No-op where the
    platform has no fork server (Windows: workers are spawned)."""
    import multiprocessing
    from multiprocessing import forkserver

    threads_per_worker = check_positive_int("threads_per_worker", threads_per_worker)
    if _start_method() != "forkserver":
        return
    with _SERVER_LOCK:
        if _SERVER["started"]:
            return
        multiprocessing.get_context("forkserver").set_forkserver_preload(list(WORKER_PRELOAD))
        env = {**_worker_env(threads_per_worker), SERVER_MARK: str(os.getpid())}
        saved = {key: os.environ.get(key) for key in env}
        # the server inherits this process's environment when it starts: the only moment the package writes
        # os.environ, restored at once (the server cannot be given an environment of its own)
        os.environ.update(env)
        try:
            forkserver.ensure_running()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        _SERVER["started"] = True


def check_scheduler_address(address: str) -> str:
    """Refuse a scheduler address that is not of the form [protocol://]host:port."""
    import re

    if not re.fullmatch(r"([a-z][a-z0-9+.-]*://)?[^\s:/]+(:\d{1,5})(/.*)?|[a-z]+://[^\s]+", str(address)):
        raise ParameterError("--scheduler", address, "a scheduler address such as tcp://host:8786")
    return address


def local_cluster(n_workers: int | None = None, threads_per_worker: int = 1, **kwargs):
    """A started ``LocalCluster`` of sweep workers: ``n_workers`` processes (default one per core) forked from
    this process's worker server (:func:`start_worker_server`, the solvers loaded), one task at a time each,
    ``threads_per_worker`` kernel and BLAS threads, the Dask settings :data:`LOCAL_WORKER_CONFIG`, no
    dashboard; ``kwargs`` go to ``LocalCluster`` (e.g. ``scheduler_port=8786`` for a cluster that later sweeps
    reach with ``--scheduler``)."""
    import dask
    from dask.distributed import LocalCluster

    workers = config.cpu_count() if n_workers is None else check_positive_int("n_workers", n_workers)
    threads_per_worker = check_positive_int("threads_per_worker", threads_per_worker)
    start_worker_server(threads_per_worker)
    with dask.config.set({**LOCAL_WORKER_CONFIG, "distributed.worker.multiprocessing-method": _start_method()}):
        # no dashboard; the scheduler's HTTP endpoints on a free port: on Dask's default 8787, taken by any other
        # cluster on the machine (a notebook's), the scheduler would move and print a warning with every sweep
        options = dict(dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=40)
        options.update(kwargs)
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            env=_worker_env(threads_per_worker), **options)


def _client(scheduler: str | None, n_workers: int | None, threads_per_worker: int):
    from dask.distributed import Client

    if scheduler:
        check_scheduler_address(scheduler)
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise IsingscError(f"--scheduler {scheduler}: cannot connect ({type(exc).__name__}: "
                               f"{' '.join(str(exc).split())})") from None
    cluster = local_cluster(n_workers, threads_per_worker)
    return Client(cluster), cluster


def _check_out(out: Path, resume: bool, overwrite: bool) -> None:
    """Refuse an ``out`` that prepare_store would refuse, before anything is started or written."""
    if out.exists() and not out.is_dir():
        raise ParameterError("--out", str(out), "a folder for the sweep store (this is a file)")
    if resume and not out.exists():
        raise ParameterError("--resume", str(out), "an existing sweep store to continue (none here: run without "
                             "--resume to start one)")
    if out.exists() and any(out.iterdir()) and not resume and not overwrite:
        raise ParameterError("--out", str(out), "a new or empty folder (or --resume to continue the "
                             "sweep stored there, --overwrite to replace it)")


def prepare_store(spec: SweepSpec, out, *, resume: bool = False, overwrite: bool = False) -> SweepStore:
    """Create the store at ``out`` or, with ``resume``, reopen it (same sweep required; its damaged chunks
    are reported and their points recomputed, the good points are kept)."""
    from isingsc.workflows.sweep.store import SweepStore  # (xarray and Zarr: imported once the workers start)

    out = Path(out)
    _check_out(out, resume, overwrite)
    if out.exists() and any(out.iterdir()):
        if resume:
            return SweepStore.open(out, spec)
        shutil.rmtree(out)
    elif out.exists():
        out.rmdir()
    return SweepStore.create(out, spec)


def _close(client, cluster) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


def run_sweep(spec: SweepSpec, out, *, resume: bool = False, overwrite: bool = False,
              scheduler: str | None = None, n_workers: int | None = None, threads_per_worker: int = 1,
              progress: bool = True, prefetch: tuple[str, ...] = ()) -> SweepReport:
    """Compute every missing point of ``spec`` into the store at ``out``; see the module docstring.

    A new sweep starts its workers while the store is created (a resumed one once it knows points are
    missing); the local cluster is closed in a background thread while the caller reads the store and plots
    (the process waits for it before it exits).  ``prefetch``: modules the caller needs after the sweep (its
    plotting), imported once the points are submitted, while the workers compute their first points."""
    _check_out(Path(out), resume, overwrite)
    if scheduler is None and not resume:  # workers will be needed: their server imports while this process works
        start_worker_server(threads_per_worker)  # (first: before this process imports Dask)
    from concurrent.futures import ThreadPoolExecutor

    from dask.distributed import as_completed
    from tqdm.auto import tqdm

    total = spec.n_points
    params = {index: values for index, values in spec.points()}
    computed = failed = 0
    with ThreadPoolExecutor(1, thread_name_prefix="isingsc-cluster-start") as pool:
        starting = None if resume else pool.submit(_client, scheduler, n_workers, threads_per_worker)
        try:
            store = prepare_store(spec, out, resume=resume, overwrite=overwrite)
        except BaseException:
            if starting is not None:
                _close(*starting.result())
            raise
        pending = store.pending()
        if starting is not None and not pending:
            _close(*starting.result())
            starting = None
        if starting is None and pending:
            starting = pool.submit(_client, scheduler, n_workers, threads_per_worker)
        client, cluster = starting.result() if pending else (None, None)
    if pending:
        futures = {}
        try:
            for index in pending:
                key = "isingsc-point-" + "-".join(map(str, index))
                fut = client.submit(compute_point, spec.model_spec, list(spec.quantities), params[index],
                                    key=key, pure=False, retries=0)
                futures[fut] = index
            for name in prefetch:  # (in this thread: no results can arrive before the first points are done)
                try:
                    import_module(name)
                except ImportError:  # raised again where the caller imports it, once the points are saved
                    pass
            with tqdm(total=total, initial=total - len(pending), unit="point", desc="sweep",
                      disable=not progress or not progress_enabled(), dynamic_ncols=True) as bar:
                for fut in as_completed(futures):
                    try:
                        values, error = fut.result()
                    except Exception:  # KilledWorker and the like: the point stays pending
                        bar.update(0)
                        continue
                    store.write(futures[fut], values, error)
                    logger.info("sweep point %s %s", futures[fut], error or "done")
                    computed += 1
                    failed += bool(error)
                    bar.update(1)
        finally:
            for fut in futures:
                fut.release()
            # every result is in the store: the workers shut down while the caller goes on (a non-daemon
            # thread, so the process still waits for them at exit)
            threading.Thread(target=_close, args=(client, cluster), name="isingsc-cluster-close").start()
    left = len(store.pending())
    return SweepReport(computed=computed, failed=failed, pending=left, total=total, path=Path(out),
                       damaged=tuple(getattr(store, "damaged", ())))
