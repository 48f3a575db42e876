"""GPU backend of the mean-field hot path (NVIDIA, numba.cuda), behind :mod:`isingsc.backends.dispatch`.

Nothing here is physics of its own: the device functions are the *same Python source* as the
CPU kernels (:func:`isingsc.backends.cpu.householder_tridiagonal`, :func:`~isingsc.backends.cpu.tridiagonal_eigenvalues`,
:func:`~isingsc.backends.cpu.level_free_energy_difference`),
compiled for the GPU with ``numba.cuda.jit(device=True)``.  Each GPU thread keeps one N x N Nambu
matrix in its local memory (registers for N = 8): assemble H0(k) + shift, Householder to
tridiagonal, rational QL, and -- for :func:`condensation` -- the thermal sums of every
temperature, accumulated with atomic adds; for :func:`orbital_spectral_function` (DOS and
spectral maps) cyclic Jacobi (:func:`~isingsc.backends.cpu.jacobi_eigh`) on H, or on its real
2N x 2N form (:func:`~isingsc.backends.cpu.embed_hermitian`) when H is complex.

Selected by ``isingsc.config.configure(backend="gpu")``, ``ISINGSC_BACKEND=gpu`` or ``--backend gpu``;
``auto`` uses it when :func:`available`.  The tests run these kernels in Numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``), so the code path is checked on machines without a GPU; speed is
measured only on a real GPU (benchmarks/bench_gpu.py).  Results agree with the CPU backend to
rounding (atomic adds make the order of the k sum, hence the last bits, run-dependent).
"""

from __future__ import annotations

import math
import os
from functools import lru_cache

import numpy as np

from isingsc.core.errors import ConvergenceError, IsingscError
from isingsc.backends import cpu as K

_THREADS = 128
cuda = None  # numba.cuda, set on first use


class GPUUnavailableError(IsingscError):
    """The GPU backend was requested but no usable CUDA device (or numba.cuda) is present."""


@lru_cache(maxsize=1)
def _cuda():
    try:
        from numba import cuda
    except Exception as exc:  # numba without its CUDA target
        raise GPUUnavailableError(f"numba.cuda cannot be imported ({exc}); install isingsc[gpu]") from None
    return cuda


def simulated() -> bool:
    """True when Numba's CUDA simulator stands in for a GPU (tests only)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "") == "1"


@lru_cache(maxsize=1)
def available() -> bool:
    """A CUDA device usable by numba.cuda (or the simulator, when explicitly enabled)."""
    try:
        return bool(_cuda().is_available())
    except Exception:
        return False


def require() -> None:
    """Raise :class:`GPUUnavailableError` with the reason if the GPU backend cannot run."""
    if not available():
        raise GPUUnavailableError("backend 'gpu' requested but no CUDA GPU is usable here "
                                  "(numba.cuda.is_available() is False); use --backend cpu or auto")


def device_name() -> str:
    if simulated():
        return "numba CUDA simulator"
    return _cuda().get_current_device().name.decode() if available() else "none"


def _rebound(function, **names):
    """A copy of ``function`` whose global ``names`` refer to the given objects (device functions in place of the
    CPU dispatchers it calls)."""
    import types as pytypes

    return pytypes.FunctionType(function.__code__, {**function.__globals__, **names}, function.__name__,
                                function.__defaults__, function.__closure__)


@lru_cache(maxsize=None)
def _compiled(n: int, complex_matrices: bool):
    """Kernels for N x N matrices (local arrays need the size at compile time)."""
    global cuda  # a module global: the CUDA simulator swaps it inside kernels (closures it would miss)
    cuda = _cuda()
    from numba import types

    mtype = types.complex128 if complex_matrices else types.float64
    householder = cuda.jit(device=True)(K.householder_tridiagonal)
    tridiagonal = cuda.jit(device=True)(K.tridiagonal_eigenvalues)
    # the thermal level functions call each other by their CPU names: rebind those names to the device versions
    thermal_level = cuda.jit(device=True)(K.thermal_level)
    level_difference = cuda.jit(device=True)(_rebound(K.level_difference, _thermal_level=thermal_level))
    level = cuda.jit(device=True)(_rebound(K.level_free_energy_difference, _thermal_level=thermal_level,
                                           _level_difference=level_difference))
    assemble = cuda.jit(device=True)(K.assemble)

    @cuda.jit
    def eigenvalues_kernel(h0, shift, out, fails):
        k = cuda.grid(1)
        if k >= h0.shape[0]:
            return
        a = cuda.local.array((n, n), mtype)
        d = cuda.local.array(n, types.float64)
        e = cuda.local.array(n, types.float64)
        assemble(h0[k], shift, a)
        householder(a, d, e)
        if not tridiagonal(d, e):
            cuda.atomic.add(fails, 0, 1)
        for i in range(n):
            out[k, i] = d[i]

    @cuda.jit
    def condensation_kernel(h0, shifts, e0, weights, temperatures, out, fails):
        # one thread per (Delta_j, k): out[T, j] += w_k sum_n [G_T(E_n(k; Delta_j)) - G_T(E0_n(k))]
        idx = cuda.grid(1)
        nk = h0.shape[0]
        if idx >= nk * shifts.shape[0]:
            return
        j = idx // nk
        k = idx - j * nk
        a = cuda.local.array((n, n), mtype)
        d = cuda.local.array(n, types.float64)
        e = cuda.local.array(n, types.float64)
        assemble(h0[k], shifts[j], a)
        householder(a, d, e)
        if not tridiagonal(d, e):
            cuda.atomic.add(fails, 0, 1)
        for it in range(temperatures.shape[0]):
            s = 0.0
            for i in range(n):
                s += level(abs(d[i]), abs(e0[k, i]), temperatures[it])
            cuda.atomic.add(out, (it, j), weights[k] * s)

    m = 2 * n if complex_matrices else n  # complex Hermitian -> real symmetric 2N x 2N
    jacobi = cuda.jit(device=True)(K.jacobi_eigh)
    embed = cuda.jit(device=True)(K.embed_hermitian)

    @cuda.jit
    def spectral_kernel(h, idx, omega, eta, out, fails):
        # one thread per k: Jacobi eigenpairs, then A_s(omega) = sum_j weight_sj L(omega - E_j)
        k = cuda.grid(1)
        if k >= h.shape[0]:
            return
        b = cuda.local.array((m, m), types.float64)
        v = cuda.local.array((m, m), types.float64)
        if complex_matrices:
            embed(h[k], b)
        else:
            for i in range(n):
                for j in range(n):
                    b[i, j] = h[k, i, j].real
        if not jacobi(b, v):
            cuda.atomic.add(fails, 0, 1)
        for iw in range(omega.shape[0]):
            for s in range(idx.shape[0]):
                a = idx[s]
                acc = 0.0
                for j in range(m):
                    wgt = v[a, j] * v[a, j]
                    if complex_matrices:  # both copies of a doubled eigenvalue carry half the weight
                        wgt = 0.5 * (wgt + v[a + n, j] * v[a + n, j])
                    x = omega[iw] - b[j, j]
                    acc += wgt * (eta / math.pi) / (x * x + eta * eta)
                out[k, iw, s] = acc

    return eigenvalues_kernel, condensation_kernel, spectral_kernel


_RESIDENT: dict = {}


def _device(array: np.ndarray):
    """Device copy of ``array``; large constant arrays (H0 on the mesh) are uploaded once and kept
    (with a reference to the host array, so that the key cannot be reused) for the next calls."""
    array = np.ascontiguousarray(array)
    if array.nbytes <= (1 << 16):
        return _cuda().to_device(array)
    key = (array.ctypes.data, array.shape, array.dtype.str)
    if key not in _RESIDENT:
        while len(_RESIDENT) >= 4:
            _RESIDENT.pop(next(iter(_RESIDENT)))
        _RESIDENT[key] = (array, _cuda().to_device(array))
    return _RESIDENT[key][1]


def _blocks(n: int) -> int:
    return max(1, math.ceil(n / _THREADS))


def eigenvalues(h0: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of h0[k] + shift for every k, shape (n_k, N), on the GPU."""
    require()
    n = h0.shape[-1]
    eig_kernel, _, _ = _compiled(n, bool(np.iscomplexobj(h0)))
    out = _cuda().device_array((len(h0), n), dtype=np.float64)
    fails = _cuda().to_device(np.zeros(1, dtype=np.int64))
    if len(h0):
        eig_kernel[_blocks(len(h0)), _THREADS](_device(h0), np.ascontiguousarray(shift), out, fails)
    if fails.copy_to_host()[0]:
        raise ConvergenceError("tridiagonal QL eigenvalue iteration did not converge (GPU)")
    return out.copy_to_host()


def condensation(h0: np.ndarray, shifts: np.ndarray, e0: np.ndarray, weights: np.ndarray,
                 temperatures: np.ndarray) -> np.ndarray:
    """sum_k w_k sum_n [G_T(E_n(k; shift_j)) - G_T(e0[k, n])] for every (T, j), shape (n_T, n_shift)."""
    require()
    n = h0.shape[-1]
    _, cond_kernel, _ = _compiled(n, bool(np.iscomplexobj(h0)))
    out = _cuda().to_device(np.zeros((len(temperatures), len(shifts))))
    fails = _cuda().to_device(np.zeros(1, dtype=np.int64))
    total = len(h0) * len(shifts)
    if total:
        cond_kernel[_blocks(total), _THREADS](_device(h0), np.ascontiguousarray(shifts), np.ascontiguousarray(e0),
                                              np.ascontiguousarray(weights), np.ascontiguousarray(temperatures),
                                              out, fails)
    if fails.copy_to_host()[0]:
        raise ConvergenceError("tridiagonal QL eigenvalue iteration did not converge (GPU)")
    return out.copy_to_host()


def orbital_spectral_function(h: np.ndarray, indices: np.ndarray, omega: np.ndarray, eta: float) -> np.ndarray:
    """A_s(k, omega) of :func:`isingsc.backends.cpu.orbital_spectral_function` for a batch h (n_k, N, N)."""
    require()
    n = h.shape[-1]
    *_, kernel = _compiled(n, bool(np.iscomplexobj(h)))
    out = _cuda().device_array((len(h), len(omega), len(indices)), dtype=np.float64)
    fails = _cuda().to_device(np.zeros(1, dtype=np.int64))
    if len(h):
        kernel[_blocks(len(h)), _THREADS](_cuda().to_device(np.ascontiguousarray(h)), np.ascontiguousarray(indices),
                                          np.ascontiguousarray(omega), eta, out, fails)
    if fails.copy_to_host()[0]:
        raise ConvergenceError("Jacobi eigen-decomposition did not converge (GPU)")
    return out.copy_to_host()
