"""Imported last by the fork server of local sweep workers (:data:`~isingsc.workflows.sweep.runner.WORKER_PRELOAD`):
loads the compiled kernels from Numba's on-disk cache (:func:`isingsc.backends.cpu.compile_kernels`, which compiles
them where the cache lacks them), so that every worker forked from the server starts with Numba's CPU target
initialised and the kernels loaded.  Each worker's first point otherwise spent about 0.3 s on that, once per worker
process; the server does it once, while the command still creates the store and the scheduler.  Importing this
module anywhere else does the same (0.3 s once per process, nothing written when the cache is current)."""

from __future__ import annotations

from isingsc.backends.cpu import compile_kernels

compile_kernels()
