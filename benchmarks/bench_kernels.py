"""Benchmark of the batched 8x8 eigenvalue kernel (issue 6): isingsc.backends.cpu.eigvalsh against
numpy.linalg.eigvalsh on the same random Hermitian matrices, measured in the same run.

Run:  .venv/bin/python benchmarks/bench_kernels.py [--n 200000] [--gpu-n 1000000]

CPU: complex128 and float64 batches, 1 thread and all threads (ISINGSC_NUM_THREADS).
GPU: when a CUDA GPU is usable (isingsc.backends.gpu.available()), the numba.cuda kernel on a batch of
--gpu-n matrices (timed after a warm-up that compiles it), against numpy on the CPU.
Prints a table of matrices per second and ratios; agreement with LAPACK is checked.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from isingsc.backends import eigvalsh, gpu, select_backend
from isingsc.core import config


def batch(n: int, complex_: bool, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(n, 8, 8))
    if complex_:
        h = h + 1j * rng.normal(size=(n, 8, 8))
    return np.ascontiguousarray(h + np.swapaxes(h.conj(), 1, 2))


def rate(fn, h, repeat: int = 3) -> tuple[float, np.ndarray]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(h)
        best = min(best, time.perf_counter() - t)
    return len(h) / best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--gpu-n", type=int, default=1_000_000)
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"# isingsc kernel benchmark: {platform.processor() or platform.machine()}, {cores} cores, "
          f"numpy {np.__version__}, {time.strftime('%Y-%m-%d')}")
    select_backend("cpu")
    eigvalsh(batch(1000, True))  # compile / load the cache
    eigvalsh(batch(1000, False))
    rows = []
    for complex_ in (True, False):
        h = batch(args.n, complex_)
        np_rate, ref = rate(np.linalg.eigvalsh, h)
        for threads in sorted({1, cores}):
            config.configure(threads=threads)
            ours, out = rate(eigvalsh, h)
            err = float(np.max(np.abs(out - ref)))
            rows.append(("complex128" if complex_ else "float64", f"cpu x{threads}", ours, np_rate, err))
    if gpu.available():
        select_backend("gpu")
        for complex_ in (True, False):
            h = batch(args.gpu_n, complex_, seed=1)
            eigvalsh(h[:1000])
            np_rate, ref = rate(np.linalg.eigvalsh, h[:200_000], repeat=1)
            ours, out = rate(eigvalsh, h)
            err = float(np.max(np.abs(out[:200_000] - ref)))
            rows.append(("complex128" if complex_ else "float64", f"gpu {gpu.device_name()}", ours, np_rate, err))
    else:
        print("# no CUDA GPU usable here: GPU rows skipped")
    print(f"{'dtype':<11} {'backend':<22} {'isingsc [1/s]':>14} {'numpy [1/s]':>13} {'ratio':>7} {'max |dE|':>9}")
    for dtype, backend, ours, np_rate, err in rows:
        print(f"{dtype:<11} {backend:<22} {ours:14.3e} {np_rate:13.3e} {ours / np_rate:7.2f} {err:9.1e}")


if __name__ == "__main__":
    main()
