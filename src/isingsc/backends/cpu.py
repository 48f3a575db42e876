"""Compiled kernels of the mean-field hot loop, behind one small backend seam.

Every mean-field quantity is a Brillouin-zone sum over the eigenvalues of small
Nambu matrices that are *linear* in the pairing and the field,

    H(k; Delta, V) = H0(k) + Delta P + V . Z,                               (1)

with P (pairing vertex) and Z = (Zx, Zy, Zz) (Zeeman vertices) independent of k
for on-site pairing and Zeeman couplings.  :class:`LinearNambu` stores H0 on a
k mesh once and evaluates

* ``eigenvalues(delta, field)``  -- E_n(k), shape (n_k, N), ascending,
* ``pair_blocks(field)``        -- Delta = 0 particle/hole eigenpairs and the
  pairing matrix elements |<p|D|h>|^2 (the pair-susceptibility kernel),

and :func:`thermal_sum` / :func:`pair_curvature` reduce them over k for many
temperatures.  Eigenvalues come from a Numba-compiled Householder tridiagonalisation
(real symmetric or complex Hermitian, so a field at any in-plane angle stays on the fast
path) followed by the square-root-free rational QL; cyclic Jacobi where eigenvectors are
needed (real matrices; complex ones take NumPy/LAPACK there).  Work is split over k in
fixed blocks between threads (``ISINGSC_NUM_THREADS``), so every sum is bit-for-bit the
same for any thread count.

The backend seam: :func:`set_backend` / ``ISINGSC_BACKEND`` choose ``cpu`` or ``gpu``
(:mod:`isingsc.backends.gpu`, numba.cuda kernels compiled from the *same* device functions defined
here); :meth:`LinearNambu.eigenvalues`, :meth:`LinearNambu.condensation` and
:func:`eigvalsh` dispatch on it, and nothing else in the package knows which one runs.

Accuracy: both eigen-solvers are backward stable; eigenvalues agree with
LAPACK to ~1e-14 |t| (tested).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numba as nb
import numpy as np

from isingsc.core.errors import ConvergenceError, ParameterError

_EPS = np.finfo(float).eps
_BLOCK = 512  # k points per block of work (fixed: reproducible sums)


def n_threads() -> int:
    """Threads used by the kernels: ``ISINGSC_NUM_THREADS`` or the number of CPUs."""
    raw = os.environ.get("ISINGSC_NUM_THREADS", "")
    if raw:
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            raise ParameterError("ISINGSC_NUM_THREADS", raw, "an integer >= 1")
        return value
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


_POOL: ThreadPoolExecutor | None = None

BACKENDS = ("auto", "cpu", "gpu")
_BACKEND: str | None = None


def set_backend(name: str) -> str:
    """Select the backend of the hot path: ``cpu`` (Numba kernels), ``gpu`` (numba.cuda kernels on
    an NVIDIA GPU; raises if none is usable) or ``auto`` (the GPU when one is usable).  Overrides
    the environment variable ``ISINGSC_BACKEND``.  Returns the backend now active."""
    global _BACKEND
    if name not in BACKENDS:
        raise ParameterError("backend", name, " | ".join(BACKENDS))
    if name == "gpu":
        from isingsc.backends import gpu as gpu

        gpu.require()
    _BACKEND = name
    return active_backend()


def active_backend() -> str:
    """``cpu`` or ``gpu``: the selected backend (``set_backend``, else ``ISINGSC_BACKEND``, else auto)."""
    name = _BACKEND or os.environ.get("ISINGSC_BACKEND", "auto") or "auto"
    if name not in BACKENDS:
        raise ParameterError("ISINGSC_BACKEND", name, " | ".join(BACKENDS))
    if name == "cpu":
        return "cpu"
    from isingsc.backends import gpu as gpu

    if name == "gpu":
        gpu.require()
        return "gpu"
    return "gpu" if gpu.available() else "cpu"


def _over_k(nk: int, call) -> list:
    """``call(start, stop)`` on fixed blocks of ``_BLOCK`` k points, in threads (the compiled
    kernels release the GIL), results in block order.  The blocks do not depend on the number of
    threads, so sums of the partial results are bit-for-bit reproducible on any machine and in any
    sweep worker.  Threads rather than Numba's parallel backend keep compilation to seconds."""
    global _POOL
    edges = list(range(0, nk, _BLOCK)) + [nk]
    blocks = list(zip(edges[:-1], edges[1:])) or [(0, 0)]
    threads = min(n_threads(), len(blocks))
    if threads == 1:
        return [call(a, b) for a, b in blocks]
    if _POOL is None or _POOL._max_workers < threads:
        _POOL = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="isingsc-kernel")
    return list(_POOL.map(lambda ab: call(*ab), blocks))


# ----------------------------------------------------------------- device functions
# Plain Python functions compiled twice: for the CPU here (Numba njit) and for the GPU in
# isingsc.backends.gpu (numba.cuda device functions).  One source of the linear algebra and of the
# thermodynamics, two targets.  They use only scalar math and in-place array writes.

def householder_tridiagonal(a, d, e):
    """Hermitian (or real symmetric) ``a`` -> real symmetric tridiagonal (d, e); ``a`` is overwritten.

    Column k: the Householder reflector H = 1 - tau v v^dagger with v = x - alpha e_1,
    alpha = -(x_0/|x_0|) |x| (no cancellation in v_0), applied to the trailing block as
    B <- B - v w^dagger - w v^dagger, w = p - K v, p = tau B v, K = tau (v^dagger p)/2.
    The complex sub-diagonal alpha_k is made real by a diagonal unitary, which keeps |alpha_k|:
    e[i] = |alpha_i| couples i and i + 1, e[n - 1] = 0.  Only the lower triangle of ``a`` is read
    (Hermiticity gives the rest); row k of ``a`` serves as workspace for p and w.
    """
    n = a.shape[0]
    for k in range(n - 2):
        xnorm2 = 0.0
        for i in range(k + 1, n):
            xnorm2 += a[i, k].real * a[i, k].real + a[i, k].imag * a[i, k].imag
        x0 = a[k + 1, k]
        ax0 = abs(x0)
        if xnorm2 - ax0 * ax0 <= 0.0:  # already tridiagonal in this column
            e[k] = ax0
            continue
        xnorm = math.sqrt(xnorm2)
        phase = x0 / ax0 if ax0 > 0.0 else 1.0 + 0.0 * x0
        a[k + 1, k] = x0 + phase * xnorm
        tau = 1.0 / (xnorm * (xnorm + ax0))  # 2 / |v|^2
        # p = tau B v from the lower triangle of B alone (B_ij = conj(B_ji))
        for i in range(k + 1, n):
            a[k, i] = 0.0 * x0
        for i in range(k + 1, n):
            vi = a[i, k]
            s = a[i, i] * vi
            for j in range(k + 1, i):
                s += a[i, j] * a[j, k]
                a[k, j] += a[i, j].conjugate() * vi
            a[k, i] += s
        kk = 0.0
        for i in range(k + 1, n):
            a[k, i] *= tau
            kk += (a[i, k].conjugate() * a[k, i]).real
        kk *= 0.5 * tau
        for i in range(k + 1, n):
            a[k, i] -= kk * a[i, k]
        # rank-2 update of the lower triangle only
        for i in range(k + 1, n):
            vi = a[i, k]
            wi = a[k, i]
            for j in range(k + 1, i + 1):
                a[i, j] -= vi * a[k, j].conjugate() + wi * a[j, k].conjugate()
        e[k] = xnorm
    for i in range(n):
        d[i] = a[i, i].real
    if n >= 2:
        e[n - 2] = abs(a[n - 1, n - 2])
    e[n - 1] = 0.0


def tridiagonal_eigenvalues(d, e):
    """Ascending eigenvalues of the symmetric tridiagonal (d, e) into ``d``; ``e`` is destroyed.

    Rational (square-root-free) QL of Reinsch / Pal-Walker-Kahan, EISPACK ``tqlrat``: it works on
    the squared off-diagonals e_i^2 (e[i] couples i and i + 1, e[n - 1] = 0), needs one square
    root per iteration instead of one per rotation, and leaves the eigenvalues sorted.
    Absolute accuracy ~eps max|T|, like LAPACK's dsterf.  Returns False if an eigenvalue needs
    more than 30 iterations.
    """
    n = d.shape[0]
    for i in range(n):
        e[i] = e[i] * e[i]
    f = 0.0
    t = 0.0
    b = 0.0
    c = 0.0
    for l in range(n):
        j = 0
        h = abs(d[l]) + math.sqrt(e[l])
        if t <= h:
            t = h
            b = _EPS * t
            c = b * b
        m = l
        while e[m] > c:  # e[n - 1] = 0 ends the search
            m += 1
        if m != l:
            while True:
                if j == 30:
                    return False
                j += 1
                s = math.sqrt(e[l])
                g = d[l]
                p = (d[l + 1] - g) / (2.0 * s)
                r = math.sqrt(p * p + 1.0)
                d[l] = s / (p + (r if p >= 0.0 else -r))
                h = g - d[l]
                for i in range(l + 1, n):
                    d[i] -= h
                f += h
                g = d[m]
                if g == 0.0:
                    g = b
                h = g
                s = 0.0
                for i in range(m - 1, l - 1, -1):
                    p = g * h
                    r = p + e[i]
                    e[i + 1] = s * r
                    s = e[i] / r
                    d[i + 1] = h + s * (h + d[i])
                    g = d[i] - e[i] / g
                    if g == 0.0:
                        g = b
                    h = g * p / r
                e[l] = s * g
                d[l] = h
                if h == 0.0 or abs(e[l]) <= abs(c / h):
                    break
                e[l] = h * e[l]
                if e[l] == 0.0:
                    break
        p = d[l] + f
        i = l
        while i > 0 and p < d[i - 1]:  # insert into the sorted eigenvalues found so far
            d[i] = d[i - 1]
            i -= 1
        d[i] = p
    return True


def level_free_energy_difference(x, x0, t):
    """G_T(x) - G_T(x0) for quasiparticle energies |E| = x, x0 (|t|), G_T(E) = -(T/2) ln(2 cosh(E/2T)).

    Written as -(T/2)[(y - y0) + ln(1 + e^{-2y}) - ln(1 + e^{-2y0})], y = x/2T: no overflow and,
    for x close to x0, no cancellation of two O(x) terms.  T = 0: -(x - x0)/4.
    """
    if t > 0.0:
        y = x / (2.0 * t)
        y0 = x0 / (2.0 * t)
        return -(t / 2.0) * ((y - y0) + (math.log1p(math.exp(-2.0 * y)) - math.log1p(math.exp(-2.0 * y0))))
    return -(x - x0) / 4.0


def assemble(h, shift, a):
    """a = h + shift (the matrix of one k point, into a reused workspace)."""
    n = a.shape[0]
    for i in range(n):
        for j in range(n):
            a[i, j] = h[i, j] + shift[i, j]


def _cpu(function):
    return nb.njit(cache=True, nogil=True)(function)


_householder = _cpu(householder_tridiagonal)
_tridiagonal = _cpu(tridiagonal_eigenvalues)
_level = _cpu(level_free_energy_difference)
_assemble = _cpu(assemble)


def jacobi_eigh(a, v):
    """Cyclic Jacobi: diagonalise the real symmetric ``a`` in place, eigenvectors in the columns of ``v``.

    Converged when the off-diagonal weight is below eps^2 of the total.  Returns False otherwise.
    """
    n = a.shape[0]
    for i in range(n):
        for j in range(n):
            v[i, j] = 1.0 if i == j else 0.0
    for _sweep in range(60):
        off = 0.0
        tot = 0.0
        for i in range(n):
            tot += a[i, i] * a[i, i]
            for j in range(i + 1, n):
                off += a[i, j] * a[i, j]
        if off <= 1e-32 * (tot + off):
            return True
        for p in range(n - 1):
            for q in range(p + 1, n):
                apq = a[p, q]
                if apq == 0.0:
                    continue
                diff = a[q, q] - a[p, p]
                if abs(apq) * 1e100 < abs(diff):  # tiny angle: t = apq/diff (theta^2 would overflow)
                    t = apq / diff
                else:
                    theta = diff / (2.0 * apq)
                    t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
                    if theta < 0.0:
                        t = -t
                c = 1.0 / math.sqrt(t * t + 1.0)
                s = t * c
                a[p, p] -= t * apq
                a[q, q] += t * apq
                a[p, q] = 0.0
                a[q, p] = 0.0
                for r in range(n):
                    if r != p and r != q:
                        g = a[r, p]
                        h = a[r, q]
                        a[r, p] = c * g - s * h
                        a[p, r] = a[r, p]
                        a[r, q] = s * g + c * h
                        a[q, r] = a[r, q]
                for r in range(n):
                    g = v[r, p]
                    h = v[r, q]
                    v[r, p] = c * g - s * h
                    v[r, q] = s * g + c * h
    return False


def embed_hermitian(h, b):
    """b = [[Re h, -Im h], [Im h, Re h]]: the real symmetric 2N x 2N form of the Hermitian ``h``.

    Each eigenvalue E of h appears twice in b, with eigenvectors (x, y) and (-y, x) for
    u = x + i y; so sum over b's eigenpairs of (v_a^2 + v_{N+a}^2)/2 at energy E is the weight
    |u_a|^2 of h's, whatever basis a solver picks in the doubled (or any degenerate) subspace.
    """
    n = h.shape[0]
    for i in range(n):
        for j in range(n):
            re = h[i, j].real
            im = h[i, j].imag
            b[i, j] = re
            b[i + n, j + n] = re
            b[i, j + n] = -im
            b[i + n, j] = im


_jacobi_eigh = _cpu(jacobi_eigh)


# ----------------------------------------------------------------- batched drivers
@nb.njit(cache=True, nogil=True)
def _eigenvalues(h0, shift, out):
    """out[k] = ascending eigenvalues of h0[k] + shift (real symmetric or complex Hermitian,
    both of one dtype); returns the number of QL failures."""
    nk, n, _ = h0.shape
    fails = 0
    a = np.empty_like(shift)
    d = np.empty(n)
    e = np.empty(n)
    for kk in range(nk):
        _assemble(h0[kk], shift, a)
        _householder(a, d, e)
        if not _tridiagonal(d, e):
            fails += 1
        out[kk] = d
    return fails


@nb.njit(cache=True, nogil=True)
def _sorted_eigh(a, v, w, vs):
    """Jacobi on ``a``; ascending eigenvalues into w and the matching vectors into vs."""
    ok = _jacobi_eigh(a, v)
    n = a.shape[0]
    for i in range(n):
        w[i] = a[i, i]
    order = np.argsort(w)
    for j in range(n):
        for i in range(n):
            vs[i, j] = v[i, order[j]]
    w[:] = w[order]
    return ok


@nb.njit(cache=True, nogil=True)
def _squared_elements(u, m, w, reverse, work, out):
    """out[i, j] = (u[:, i]^T m w[:, j'])^2 with j' = j, or n - 1 - j if ``reverse``."""
    n = u.shape[0]
    for i in range(n):
        for j in range(n):
            jj = n - 1 - j if reverse else j
            s = 0.0
            for b in range(n):
                s += m[i, b] * w[b, jj]
            work[i, j] = s
    for i in range(n):
        for j in range(n):
            s = 0.0
            for a in range(n):
                s += u[a, i] * work[a, j]
            out[i, j] = s * s


@nb.njit(cache=True, nogil=True)
def _pair_blocks(hp, hh, shift_p, shift_h, m_block, related, e_p, e_h, p2):
    """Delta = 0 particle/hole eigenpairs of hp[k] + shift_p, hh[k] + shift_h and
    p2[k, i, j] = |<p_i| D |h_j>|^2 with ``m_block`` = D; returns the number of Jacobi failures.

    ``related``: the hole block is -W (particle block) W^T for a fixed orthogonal W (``hh`` is
    then not used and ``m_block`` = D W): e_h = -reversed(e_p), U_h = W U_p with reversed
    columns, so one diagonalisation per k serves both blocks.
    """
    nk, n, _ = hp.shape
    fails = 0
    a = np.empty((n, n))
    v = np.empty((n, n))
    up = np.empty((n, n))
    uh = np.empty((n, n))
    w = np.empty(n)
    work = np.empty((n, n))
    for kk in range(nk):
        _assemble(hp[kk], shift_p, a)
        if not _sorted_eigh(a, v, w, up):
            fails += 1
        e_p[kk] = w
        if related:
            for i in range(n):
                e_h[kk, i] = -w[n - 1 - i]
            _squared_elements(up, m_block, up, True, work, p2[kk])
            continue
        _assemble(hh[kk], shift_h, a)
        if not _sorted_eigh(a, v, w, uh):
            fails += 1
        e_h[kk] = w
        _squared_elements(up, m_block, uh, False, work, p2[kk])
    return fails


# ----------------------------------------------------------------- thermodynamic reductions
@nb.njit(cache=True, nogil=True)
def _thermal_difference(energies, reference, weights, temperatures):
    """sum_k w_k sum_n [G_T(E_kn) - G_T(E0_kn)] for every T (both spectra ascending).

    Summing the per-k differences (~Delta^2/xi) instead of differencing two O(1) sums
    keeps the rounding noise ~1e-17 |t| instead of ~1e-14 |t|: condensation energies
    near a second-order line (~1e-15 |t|) stay resolved.
    """
    nk, n = energies.shape
    nt = temperatures.shape[0]
    partial = np.zeros(nt)
    for kk in range(nk):
        for it in range(nt):
            s = 0.0
            for i in range(n):
                s += _level(abs(energies[kk, i]), abs(reference[kk, i]), temperatures[it])
            partial[it] += weights[kk] * s
    return partial


@nb.njit(cache=True, nogil=True)
def _pair_curvature(e_p, e_h, p2, weights, temperatures):
    """sum_k w_k sum_ij 2 p2_ij (G'_T(a_i) - G'_T(b_j)) / (a_i - b_j), G'_T(E) = -tanh(E/2T)/4.

    The divided difference is evaluated as
    (tanh x - tanh y)/(x - y) = [sinh(x - y)/(x - y)] / (cosh x cosh y) when x, y are
    close (no cancellation; exact G''_T on degenerate pairs) and directly otherwise.
    """
    nk, n = e_p.shape
    nt = temperatures.shape[0]
    partial = np.zeros(nt)
    for kk in range(nk):
        for it in range(nt):
            t = temperatures[it]
            s = 0.0
            for i in range(n):
                x = e_p[kk, i] / (2.0 * t)
                for j in range(n):
                    y = e_h[kk, j] / (2.0 * t)
                    dxy = x - y
                    if abs(dxy) < 0.1:
                        if abs(x) > 300.0 or abs(y) > 300.0:
                            q = 0.0
                        else:
                            sinhc = 1.0 if dxy == 0.0 else np.sinh(dxy) / dxy
                            q = sinhc / (np.cosh(x) * np.cosh(y))
                    else:
                        q = (np.tanh(x) - np.tanh(y)) / dxy
                    # (G'(a) - G'(b)) / (a - b) = -(1/4) q / (2T)
                    s += p2[kk, i, j] * (-0.125 * q / t)
            partial[it] += 2.0 * weights[kk] * s
    return partial


def thermal_sum(energies: np.ndarray, weights: np.ndarray, temperatures) -> np.ndarray:
    """< sum_n G_T(E_n(k)) >_BZ for each temperature (|t| per site), shape (n_T,).

    As the difference from E = 0 states plus their exact value G_T(0) = -(T/2) ln 2.
    """
    t = np.atleast_1d(np.asarray(temperatures, dtype=float))
    e = np.ascontiguousarray(energies, dtype=float)
    w = np.ascontiguousarray(weights, dtype=float)
    return thermal_difference(e, np.zeros_like(e), w, t) - e.shape[1] * w.sum() * t * np.log(2.0) / 2


def thermal_difference(energies: np.ndarray, reference: np.ndarray, weights: np.ndarray, temperatures) -> np.ndarray:
    """< sum_n [G_T(E_n(k)) - G_T(E0_n(k))] >_BZ for each temperature (|t| per site), low-noise."""
    t = np.ascontiguousarray(np.atleast_1d(temperatures), dtype=float)
    e, e0 = np.ascontiguousarray(energies, dtype=float), np.ascontiguousarray(reference, dtype=float)
    w = np.ascontiguousarray(weights, dtype=float)
    return sum(_over_k(len(e), lambda a, b: _thermal_difference(e[a:b], e0[a:b], w[a:b], t)))


def pair_curvature(e_particle, e_hole, p2, weights, temperatures) -> np.ndarray:
    """< sum_ij 2 |P_ij|^2 (G'_T(a_i) - G'_T(b_j)) / (a_i - b_j) >_BZ for each T > 0."""
    t = np.ascontiguousarray(np.atleast_1d(temperatures), dtype=float)
    ep, eh = np.ascontiguousarray(e_particle, dtype=float), np.ascontiguousarray(e_hole, dtype=float)
    p2, w = np.ascontiguousarray(p2, dtype=float), np.ascontiguousarray(weights, dtype=float)
    return sum(_over_k(len(ep), lambda a, b: _pair_curvature(ep[a:b], eh[a:b], p2[a:b], w[a:b], t)))


def eigvalsh(h: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of a batch of Hermitian matrices, shape (..., N, N) -> (..., N).

    Drop-in for ``numpy.linalg.eigvalsh`` on many small matrices: the compiled Householder + QL
    kernel over threads (real symmetric or complex Hermitian; the full matrix is read, so it must
    be Hermitian), or the GPU backend when it is active.
    """
    h = np.asarray(h)
    if h.ndim < 2 or h.shape[-1] != h.shape[-2]:
        raise ParameterError("h", h.shape, "an array of square matrices, shape (..., N, N)")
    batch = np.ascontiguousarray(h.reshape((-1,) + h.shape[-2:]), dtype=complex if np.iscomplexobj(h) else float)
    shift = np.zeros(h.shape[-2:], dtype=batch.dtype)
    if active_backend() == "gpu":
        from isingsc.backends import gpu as gpu

        return gpu.eigenvalues(batch, shift).reshape(h.shape[:-1])
    out = np.empty(batch.shape[:2])
    if sum(_over_k(len(out), lambda a, b: _eigenvalues(batch[a:b], shift, out[a:b]))):
        raise ConvergenceError("tridiagonal QL eigenvalue iteration did not converge")
    return out.reshape(h.shape[:-1])


def orbital_spectral_function(h: np.ndarray, indices, omega, eta: float) -> np.ndarray:
    """A_s(k, omega) = sum_n |u_{i_s, n}(k)|^2 (eta/pi) / ((omega - E_n(k))^2 + eta^2) for each basis
    index i_s in ``indices``: shape (..., n_omega, len(indices)), states / |t|.

    ``h``: Hermitian matrices (..., N, N) (|t|), E_n and u_n their eigenpairs.  The kernel of the
    spin-resolved DOS and of the spectral maps (:mod:`isingsc.normal.greens`): LAPACK on the CPU, a
    Jacobi kernel per k on the GPU backend.
    """
    h = np.asarray(h)
    idx = np.asarray(indices, dtype=np.int64)
    omega = np.atleast_1d(np.asarray(omega, dtype=float))
    if active_backend() == "gpu":
        from isingsc.backends import gpu as gpu

        batch = np.ascontiguousarray(h.reshape((-1,) + h.shape[-2:]))
        out = gpu.orbital_spectral_function(batch, idx, omega, float(eta))
        return out.reshape(h.shape[:-2] + out.shape[1:])
    e, u = np.linalg.eigh(h)
    w = np.abs(u[..., idx, :]) ** 2  # (..., S, N)
    x = omega[:, None] - e[..., None, :]  # (..., W, N)
    line = (eta / np.pi) / (x * x + eta * eta)
    return np.einsum("...wn,...sn->...ws", line, w)


# ----------------------------------------------------------------- the linear Nambu operator
@dataclass(frozen=True)
class LinearNambu:
    """H(k; Delta, V) = H0(k) + Delta P + sum_a V_a Z_a on a fixed k mesh (Eq. 1).

    h0 : (n_k, N, N); pairing : (N, N); zeeman : (3, N, N).  Built by
    :meth:`from_model`, which verifies the decomposition against the model.
    """

    h0: np.ndarray
    pairing: np.ndarray
    zeeman: np.ndarray

    @classmethod
    def from_model(cls, model, k: np.ndarray) -> "LinearNambu | None":
        """Decompose ``model.bdg_hamiltonian`` on the mesh, or None if it is not of the form (1)
        (e.g. the static effective model, whose self-energy depends on the field non-linearly)."""
        k = np.asarray(k, dtype=float)
        k0 = np.zeros((1, 2))
        base = model.bdg_hamiltonian(k0, 0.0, 0.0)[0]
        pairing = model.bdg_hamiltonian(k0, 1.0, 0.0)[0] - base
        zeeman = np.stack([model.bdg_hamiltonian(k0, 0.0, np.eye(3)[a])[0] - base for a in range(3)])
        # check (1) on sample points with a random pairing and field
        rng = np.random.default_rng(7)
        ks = np.concatenate([k[:: max(1, len(k) // 64)], rng.uniform(-4, 4, (8, 2))])
        delta, field = 0.37, np.array([0.23, -0.11, 0.05])
        exact = model.bdg_hamiltonian(ks, delta, field)
        linear = (model.bdg_hamiltonian(ks, 0.0, 0.0) + delta * pairing
                  + np.tensordot(field, zeeman, axes=1))
        if not np.allclose(exact, linear, rtol=0, atol=1e-12):
            return None
        h0 = np.concatenate([model.bdg_hamiltonian(k[s:s + 8192], 0.0, 0.0)
                             for s in range(0, len(k), 8192)]) if len(k) else np.zeros((0,) + base.shape)
        # real up to rounding of the Bloch phases (field along x): keep the fast real path
        if np.max(np.abs(h0.imag), initial=0.0) < 1e-13 * max(1.0, np.max(np.abs(h0.real), initial=0.0)):
            h0 = np.ascontiguousarray(h0.real)
        return cls(h0=h0, pairing=pairing, zeeman=zeeman)

    @property
    def dim(self) -> int:
        return self.h0.shape[-1]

    def _shift(self, delta: float, field_vector) -> np.ndarray:
        return delta * self.pairing + np.tensordot(np.asarray(field_vector, dtype=float), self.zeeman, axes=1)

    def eigenvalues(self, delta: float, field_vector) -> np.ndarray:
        """Ascending Nambu eigenvalues E_n(k), shape (n_k, N), units |t|.

        Real matrices (field along x) and complex Hermitian ones (a y component) both run in
        the compiled Householder + QL kernel, or on the GPU backend when it is selected.
        """
        shift = self._shift(delta, field_vector)
        h0, shift = self._matching(shift)
        if active_backend() == "gpu":
            from isingsc.backends import gpu as gpu

            return gpu.eigenvalues(h0, shift)
        out = np.empty(h0.shape[:2])
        if sum(_over_k(len(out), lambda a, b: _eigenvalues(h0[a:b], shift, out[a:b]))):
            raise ConvergenceError("tridiagonal QL eigenvalue iteration did not converge")
        return out

    def _matching(self, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """H0 and the shift in one dtype: real if both are, else complex (H0's copy cached)."""
        if np.isrealobj(self.h0) and not np.any(shift.imag):
            return self.h0, np.ascontiguousarray(shift.real)
        return self._h0_complex, np.ascontiguousarray(shift, dtype=complex)

    @cached_property
    def _h0_complex(self) -> np.ndarray:
        return np.ascontiguousarray(self.h0, dtype=complex)

    def condensation(self, deltas, temperatures, field_vector, weights, normal=None) -> np.ndarray:
        """sum_k w_k sum_n [G_T(E_n(k; Delta_i, V)) - G_T(E_n(k; 0, V))] for every (T, Delta_i),
        shape (n_T, n_Delta), |t| per site; ``weights`` are the mesh weights w_k, ``normal``
        optionally the Delta = 0 spectrum at this field.

        The hot path of the free energy and the gap equation: a diagonalisation per (Delta, k)
        and the thermal sums, on the CPU kernels or fused on the GPU backend.
        """
        t = np.ascontiguousarray(np.atleast_1d(temperatures), dtype=float)
        deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
        w = np.ascontiguousarray(weights, dtype=float)
        if active_backend() == "gpu":
            from isingsc.backends import gpu as gpu

            shifts = np.stack([self._shift(d, field_vector) for d in deltas])
            h0, shifts = self._matching_many(shifts)
            e0 = normal if normal is not None else self.eigenvalues(0.0, field_vector)
            return gpu.condensation(h0, shifts, np.ascontiguousarray(e0), w, t)
        e0 = normal if normal is not None else self.eigenvalues(0.0, field_vector)
        cols = [thermal_difference(self.eigenvalues(d, field_vector), e0, w, t) for d in deltas]
        return np.stack(cols, axis=-1)

    def _matching_many(self, shifts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if np.isrealobj(self.h0) and not np.any(shifts.imag):
            return self.h0, np.ascontiguousarray(shifts.real)
        return self._h0_complex, np.ascontiguousarray(shifts, dtype=complex)

    def _hole_relation(self, shift_p, shift_h):
        """W = 1_orbitals x sigma_x if the hole block equals -W (particle block) W^T on the whole mesh.

        This holds for real Hamiltonians whose spin-dependent terms are sigma_z-odd in k and the
        field along x (time reversal combined with a pi rotation about x): h(-k) = W h(k) W^T.
        Checked for H0 once (cached) and for the field term at every call.
        """
        w = self._sigma_x_relation
        if w is None or np.max(np.abs(shift_h + w @ shift_p @ w)) > 1e-13 * max(1.0, np.max(np.abs(shift_p))):
            return None
        return w

    @cached_property
    def _sigma_x_relation(self):
        n = self.dim // 2
        w = np.kron(np.eye(n // 2), np.array([[0.0, 1.0], [1.0, 0.0]]))
        if not np.isrealobj(self.h0):
            return None
        hp, hh = self.h0[:, :n, :n], self.h0[:, n:, n:]
        scale = max(1.0, float(np.max(np.abs(hp), initial=0.0)))
        return w if np.max(np.abs(hh + w @ hp @ w), initial=0.0) < 1e-12 * scale else None

    def pair_blocks(self, field_vector):
        """Delta = 0: particle and hole eigenvalues (n_k, n) and |<p_i|D|h_j>|^2 (n_k, n, n), n = N/2."""
        n = self.dim // 2
        shift = self._shift(0.0, field_vector)
        d_block = self.pairing[:n, n:]
        if np.isrealobj(self.h0) and not np.any(shift.imag) and not np.any(d_block.imag):
            nk = len(self.h0)
            e_p, e_h, p2 = np.empty((nk, n)), np.empty((nk, n)), np.empty((nk, n, n))
            shift_p = np.ascontiguousarray(shift.real[:n, :n])
            shift_h = np.ascontiguousarray(shift.real[n:, n:])
            hp = np.ascontiguousarray(self.h0[:, :n, :n])
            w = self._hole_relation(shift_p, shift_h)
            related = w is not None
            m_block = np.ascontiguousarray(d_block.real @ w if related else d_block.real)
            hh = hp if related else np.ascontiguousarray(self.h0[:, n:, n:])
            fails = _over_k(nk, lambda a, b: _pair_blocks(hp[a:b], hh[a:b], shift_p, shift_h, m_block, related,
                                                          e_p[a:b], e_h[a:b], p2[a:b]))
            if sum(fails):
                raise ConvergenceError("Jacobi eigen-decomposition did not converge")
            return e_p, e_h, p2
        eps, ehs, p2s = [], [], []
        for s in range(0, len(self.h0), 8192):
            h = self.h0[s:s + 8192] + shift
            e_p, u_p = np.linalg.eigh(h[:, :n, :n])
            e_h, u_h = np.linalg.eigh(h[:, n:, n:])
            eps.append(e_p)
            ehs.append(e_h)
            p2s.append(np.abs(np.swapaxes(u_p.conj(), -1, -2) @ (d_block @ u_h)) ** 2)
        return np.concatenate(eps), np.concatenate(ehs), np.concatenate(p2s)
