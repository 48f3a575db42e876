"""Run-time settings of the package: compute backend, kernel threads, progress bars.

One small API instead of module globals and environment rewriting::

    import isingsc
    with isingsc.config.using(backend="cpu", threads=1):
        ...                                   # restored on exit
    isingsc.config.configure(progress=False)  # for the rest of the session

The environment variables ``ISINGSC_BACKEND`` (auto | cpu | gpu) and ``ISINGSC_NUM_THREADS`` (an
integer >= 1) give the defaults of a fresh process (read once, when this module is imported); they
are how the settings reach sweep workers, which are separate processes.  Nothing in the package
writes to ``os.environ``, except the sweep runner for the instant it starts its workers' fork server
(:func:`isingsc.workflows.sweep.runner.start_worker_server`; the server inherits the environment and
cannot be given one of its own).

Settings are process-wide (the kernels' thread pool and the GPU context are), not per thread.

**BLAS threads.** The kernels split the k sums over their own threads; NumPy's BLAS (OpenBLAS) would
start threads of its own for the matrix products around them, which spin-wait after each call and
take the cores from the kernels (the Fig. 3a set ran 17 % slower on 2 cores).  The mean-field solvers
and ``reproduce`` therefore run BLAS on one thread while they work (:func:`single_threaded_blas`, via
threadpoolctl, restored on exit); elsewhere (a dense ribbon's LAPACK eigensolver) BLAS keeps its threads.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

from isingsc.core.errors import ParameterError

BACKENDS = ("auto", "cpu", "gpu")


@dataclass(frozen=True)
class Settings:
    """backend: auto | cpu | gpu; threads: kernel threads (None: every CPU this process may use);
    progress: progress bars on stderr (None: only when stderr is a terminal)."""

    backend: str = "auto"
    threads: int | None = None
    progress: bool | None = None

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ParameterError("backend", self.backend, " | ".join(BACKENDS))
        if self.threads is not None:
            try:
                bad = isinstance(self.threads, bool) or int(self.threads) != self.threads or self.threads < 1
            except (TypeError, ValueError):  # not a number at all ("zero", a list, ...)
                bad = True
            if bad:
                raise ParameterError("threads", self.threads, "an integer >= 1 (or None: all CPUs)")
            object.__setattr__(self, "threads", int(self.threads))
        if self.progress is not None:
            object.__setattr__(self, "progress", bool(self.progress))


def _from_environment() -> Settings:
    backend = os.environ.get("ISINGSC_BACKEND", "") or "auto"
    if backend not in BACKENDS:
        raise ParameterError("ISINGSC_BACKEND", backend, " | ".join(BACKENDS))
    raw = os.environ.get("ISINGSC_NUM_THREADS", "")
    threads = None
    if raw:
        try:
            threads = int(raw)
        except ValueError:
            threads = 0
        if threads < 1:
            raise ParameterError("ISINGSC_NUM_THREADS", raw, "an integer >= 1")
    return Settings(backend=backend, threads=threads)


_current: Settings | None = None


def current() -> Settings:
    """The settings in force (the environment's defaults until changed)."""
    global _current
    if _current is None:
        _current = _from_environment()
    return _current


def configure(**changes) -> Settings:
    """Change settings for the rest of the process (``backend=``, ``threads=``, ``progress=``)."""
    global _current
    unknown = sorted(set(changes) - {f.name for f in fields(Settings)})
    if unknown:
        raise ParameterError("setting", unknown[0], "one of " + ", ".join(f.name for f in fields(Settings)))
    _current = replace(current(), **changes)
    return _current


@contextmanager
def using(**changes):
    """Change settings inside a ``with`` block; the previous ones are restored on exit."""
    global _current
    before = current()
    configure(**changes)
    try:
        yield _current
    finally:
        _current = before


def cpu_count() -> int:
    """CPUs this process may use (its affinity mask where the platform has one)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def threads() -> int:
    """Kernel threads in force: the setting, else every CPU this process may use."""
    return current().threads or cpu_count()


_BLAS_CONTROLLER = None


def _blas_controller():
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER = ThreadpoolController()
    return _BLAS_CONTROLLER


@contextmanager
def single_threaded_blas():
    """BLAS (NumPy's linear algebra) on one thread inside the block, the previous limits restored on exit:
    the kernels' own threads fill the cores (see the module docstring).  Nested use is cheap (~10 us)."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield



def environment_for_workers(settings: Settings | None = None) -> dict[str, str]:
    """Environment entries that carry the settings to a worker process (sweeps)."""
    s = settings or current()
    env = {"ISINGSC_BACKEND": s.backend}
    if s.threads is not None:
        env["ISINGSC_NUM_THREADS"] = str(s.threads)
    return env
