"""Compiled CPU kernels of the mean-field hot loop (the GPU twin: :mod:`isingsc.backends.gpu`).

Every mean-field quantity is a Brillouin-zone sum over the eigenvalues of small
Nambu matrices that are *linear* in the pairing and the field,

    H(k; Delta, V) = H0(k) + Delta P + V . Z,                               (1)

with P (pairing vertex) and Z = (Zx, Zy, Zz) (Zeeman vertices) independent of k
for on-site pairing and Zeeman couplings.  :class:`~isingsc.backends.dispatch.LinearNambu`
stores H0 on a k mesh once and evaluates

* ``eigenvalues(delta, field)``  -- E_n(k), shape (n_k, N), ascending,
* ``pair_blocks(field)``        -- Delta = 0 particle/hole eigenpairs and the
  pairing matrix elements |<p|D|h>|^2 (the pair-susceptibility kernel),

and :func:`thermal_sum` / :func:`pair_curvature` reduce them over k for many
temperatures.  Eigenvalues come from a Numba-compiled Householder tridiagonalisation
(real symmetric or complex Hermitian, so a field at any in-plane angle stays on the fast
path) followed by the square-root-free rational QL; cyclic Jacobi where eigenvectors are
needed (real matrices; complex ones take NumPy/LAPACK there).  Work is split over k in
fixed blocks of :data:`BLOCK_SIZE` between threads (the ``threads`` setting of
:mod:`isingsc.core.config`), so every sum is bit-for-bit the same for any thread count.

The device functions here are plain Python compiled twice: by Numba for the CPU and by numba.cuda
for the GPU (:mod:`isingsc.backends.gpu`); which one runs is decided in one place,
:mod:`isingsc.backends.dispatch` (the ``backend`` setting), and nothing else in the package knows.

Accuracy: both eigen-solvers are backward stable; eigenvalues agree with
LAPACK to ~1e-14 |t| (tested).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numba as nb
import numpy as np

from isingsc.core import config
from isingsc.core.errors import ConvergenceError

_EPS = np.finfo(float).eps
BLOCK_SIZE = 512  # k points per block of work (fixed, whatever the thread count: reproducible sums)


def n_threads() -> int:
    """Threads used by the kernels: the ``threads`` setting (:mod:`isingsc.core.config`), else every CPU."""
    return config.threads()


_POOL: ThreadPoolExecutor | None = None


def over_k(nk: int, call) -> list:
    """``call(start, stop)`` on fixed blocks of ``BLOCK_SIZE`` k points, in threads (the compiled
    kernels release the GIL), results in block order.  The blocks do not depend on the number of
    threads, so sums of the partial results are bit-for-bit reproducible on any machine and in any
    sweep worker.  Threads rather than Numba's parallel backend keep compilation to seconds."""
    global _POOL
    edges = list(range(0, nk, BLOCK_SIZE)) + [nk]
    blocks = list(zip(edges[:-1], edges[1:])) or [(0, 0)]
    if len(blocks) == 1:  # (the settings are not read: compile_kernels in a fork server leaves them to the workers)
        return [call(*blocks[0])]
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


def thermal_level(x, t):
    """ln(1 + e^{-x/t}) for a level |E| = x >= 0 at temperature t > 0 (|t|): the thermal part of
    G_T(E) = -(T/2) ln(2 cosh(E/2T)) = -x/4 - (T/2) ln(1 + e^{-x/T}).

    Bit for bit ``log1p(exp(-x/t))``, but without the transcendental functions where they cannot change
    the result: e^{-z} underflows to 0 for z > 745.2, and log1p(u) rounds to u for u < 2^-54 (z > 37.5; the cut
    is at 40).  Most levels of a Brillouin-zone sum at low T lie far from the Fermi level (|E| >> T): this is
    where the thermal sums spent their time.
    """
    z = x / t
    if z > 745.2:
        return 0.0
    if z > 40.0:
        return math.exp(-z)
    return math.log1p(math.exp(-z))


def level_difference(x, x0, l0, t):
    """G_T(x) - G_T(x0) at t > 0 given l0 = thermal_level(x0, t), computed once for a reference level that
    many spectra are compared with (|t|).  See :func:`level_free_energy_difference`."""
    return -(t / 2.0) * ((0.5 * (x / t) - 0.5 * (x0 / t)) + (_thermal_level(x, t) - l0))


def level_free_energy_difference(x, x0, t):
    """G_T(x) - G_T(x0) for quasiparticle energies |E| = x, x0 (|t|), G_T(E) = -(T/2) ln(2 cosh(E/2T)).

    Written as -(T/2)[(y - y0) + ln(1 + e^{-2y}) - ln(1 + e^{-2y0})], y = x/2T: no overflow and,
    for x close to x0, no cancellation of two O(x) terms.  T = 0: -(x - x0)/4.
    """
    if t > 0.0:
        return _level_difference(x, x0, _thermal_level(x0, t), t)
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
_thermal_level = _cpu(thermal_level)
_level_difference = _cpu(level_difference)
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
        for i in range(n):  # element by element: slice assignment costs a second of compilation
            out[kk, i] = d[i]
    return fails


@nb.njit(cache=True, nogil=True)
def _determinants(a, out):
    """out[k] = det a[k] (complex m x m) by Gaussian elimination with partial pivoting on |Re| + |Im| (LAPACK's
    zgetrf pivoting), the product of the pivots with the sign of the row swaps."""
    nk, m, _ = a.shape
    w = np.empty((m, m), dtype=np.complex128)
    for kk in range(nk):
        for i in range(m):
            for j in range(m):
                w[i, j] = a[kk, i, j]
        det = 1.0 + 0.0j
        for c in range(m):
            p = c
            best = abs(w[c, c].real) + abs(w[c, c].imag)
            for r in range(c + 1, m):
                size = abs(w[r, c].real) + abs(w[r, c].imag)
                if size > best:
                    best, p = size, r
            if best == 0.0:  # a zero column below the diagonal: singular
                det = 0.0 + 0.0j
                break
            if p != c:
                for j in range(c, m):
                    w[c, j], w[p, j] = w[p, j], w[c, j]
                det = -det
            pivot = w[c, c]
            det *= pivot
            for r in range(c + 1, m):
                factor = w[r, c] / pivot
                for j in range(c + 1, m):
                    w[r, j] -= factor * w[c, j]
        out[kk] = det


@nb.njit(cache=True, nogil=True)
def _chiral_levels(a0, shift, out):
    """out[k] = the ascending spectrum -s_m .. -s_1, s_1 .. s_m of [[0, A], [A^dagger, 0]], A = a0[k] + shift
    (complex m x m), from the eigenvalues s_i^2 of the Hermitian A^dagger A; returns the QL failures."""
    nk, m, _ = a0.shape
    a = np.empty((m, m), dtype=np.complex128)
    g = np.empty((m, m), dtype=np.complex128)
    d = np.empty(m)
    e = np.empty(m)
    fails = 0
    for kk in range(nk):
        _assemble(a0[kk], shift, a)
        for i in range(m):  # the lower triangle of A^dagger A (all the Householder step reads)
            for j in range(i + 1):
                s = 0.0 * a[0, 0]
                for r in range(m):
                    s += a[r, i].conjugate() * a[r, j]
                g[i, j] = s
        _householder(g, d, e)
        if not _tridiagonal(d, e):
            fails += 1
        for i in range(m):  # d ascending: s_1 <= ... <= s_m; a rounding-negative s^2 is a zero level
            x = math.sqrt(d[i]) if d[i] > 0.0 else 0.0
            out[kk, m - 1 - i] = -x
            out[kk, m + i] = x
    return fails


@nb.njit(cache=True, nogil=True)
def _sorted_eigh(a, v, w, vs):
    """Jacobi on ``a``; ascending eigenvalues into w and the matching vectors into vs."""
    ok = _jacobi_eigh(a, v)
    n = a.shape[0]
    # the rank of each eigenvalue (ties in index order): a stable ascending order without np.argsort, whose
    # compilation costs a second; n <= 16
    for j in range(n):
        x = a[j, j]
        r = 0
        for i in range(n):
            y = a[i, i]
            if y < x or (y == x and i < j):
                r += 1
        w[r] = x
        for i in range(n):
            vs[i, r] = v[i, j]
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
        for i in range(n):
            e_p[kk, i] = w[i]
        if related:
            for i in range(n):
                e_h[kk, i] = -w[n - 1 - i]
            # ``related`` (True here), not a literal True: one compiled specialisation serves both calls
            _squared_elements(up, m_block, up, related, work, p2[kk])
            continue
        _assemble(hh[kk], shift_h, a)
        if not _sorted_eigh(a, v, w, uh):
            fails += 1
        for i in range(n):
            e_h[kk, i] = w[i]
        _squared_elements(up, m_block, uh, related, work, p2[kk])  # related is False here
    return fails


# ----------------------------------------------------------------- thermodynamic reductions
@nb.njit(cache=True, nogil=True)
def _thermal_differences(energies, reference, weights, temperatures, start, stop):
    """partial[T, d] = sum_k w_k sum_n [G_T(E_dkn) - G_T(E0_kn)] over k in [start, stop) for every T and spectrum
    d (all ascending); the reference level's thermal term once per (k, T) for all d.  (The whole arrays and the
    block's bounds, not slices: one compiled specialisation for every call.)

    Summing the per-k differences (~Delta^2/xi) instead of differencing two O(1) sums
    keeps the rounding noise ~1e-17 |t| instead of ~1e-14 |t|: condensation energies
    near a second-order line (~1e-15 |t|) stay resolved.
    """
    nd, _, n = energies.shape
    nt = temperatures.shape[0]
    partial = np.zeros((nt, nd))
    l0 = np.empty(n)
    for kk in range(start, stop):
        for it in range(nt):
            t = temperatures[it]
            if t > 0.0:
                for i in range(n):
                    l0[i] = _thermal_level(abs(reference[kk, i]), t)
            for d in range(nd):
                s = 0.0
                for i in range(n):
                    if t > 0.0:
                        s += _level_difference(abs(energies[d, kk, i]), abs(reference[kk, i]), l0[i], t)
                    else:
                        s += _level(abs(energies[d, kk, i]), abs(reference[kk, i]), t)
                partial[it, d] += weights[kk] * s
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
    return thermal_differences(np.asarray(energies)[None], reference, weights, temperatures)[:, 0]


#: Spectra compared with one reference per kernel call: at most this many floats of them at a time.
STACK_FLOATS = 4_000_000


def thermal_differences(energies: np.ndarray, reference: np.ndarray, weights: np.ndarray, temperatures) -> np.ndarray:
    """< sum_n [G_T(E_dn(k)) - G_T(E0_n(k))] >_BZ for each temperature and each spectrum d of ``energies``
    (n_d, n_k, N), shape (n_T, n_d), |t| per site; bit for bit :func:`thermal_difference` of each spectrum."""
    t = np.ascontiguousarray(np.atleast_1d(temperatures), dtype=float)
    e, e0 = np.ascontiguousarray(energies, dtype=float), np.ascontiguousarray(reference, dtype=float)
    w = np.ascontiguousarray(weights, dtype=float)
    return sum(over_k(e.shape[1], lambda a, b: _thermal_differences(e, e0, w, t, a, b)))


def pair_curvature(e_particle, e_hole, p2, weights, temperatures) -> np.ndarray:
    """< sum_ij 2 |P_ij|^2 (G'_T(a_i) - G'_T(b_j)) / (a_i - b_j) >_BZ for each T > 0."""
    t = np.ascontiguousarray(np.atleast_1d(temperatures), dtype=float)
    ep, eh = np.ascontiguousarray(e_particle, dtype=float), np.ascontiguousarray(e_hole, dtype=float)
    p2, w = np.ascontiguousarray(p2, dtype=float), np.ascontiguousarray(weights, dtype=float)
    return sum(over_k(len(ep), lambda a, b: _pair_curvature(ep[a:b], eh[a:b], p2[a:b], w[a:b], t)))


def chiral_levels(a0: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The spectrum of chiral Nambu matrices [[0, A], [A^dagger, 0]], A = a0[k] + shift (complex, (n_k, m, m)),
    ascending, shape (n_k, 2m): +-sqrt of the eigenvalues of A^dagger A (an m x m problem instead of a 2m x 2m
    one, 3-4x faster).  Squaring costs accuracy near zero: a level E carries an error ~ eps ||A||^2 / |E|
    (~ sqrt(eps) ||A|| at E = 0), which moves a thermal term G_T(E) (even and smooth in E) by at most
    ~ eps ||A||^2 / (8 max(|E|, T)): the free-energy sums' use, not a spectrum's (:func:`eigenvalues`)."""
    out = np.empty((a0.shape[0], 2 * a0.shape[1]))
    if sum(over_k(len(out), lambda a, b: _chiral_levels(a0[a:b], shift, out[a:b]))):
        raise ConvergenceError("tridiagonal QL eigenvalue iteration did not converge")
    return out


def determinants(a: np.ndarray) -> np.ndarray:
    """det of each complex matrix of the batch ``a`` (n, m, m), shape (n,): LU with partial pivoting (as LAPACK's,
    without NumPy's detour through log|det|), over threads in fixed blocks."""
    a = np.ascontiguousarray(a, dtype=complex)
    out = np.empty(len(a), dtype=complex)
    over_k(len(a), lambda lo, hi: _determinants(a[lo:hi], out[lo:hi]))
    return out


def eigenvalues(h0: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of H0(k) + shift for a batch H0 (n_k, N, N) of real symmetric or complex
    Hermitian matrices (same dtype as ``shift``), over threads in fixed blocks; shape (n_k, N)."""
    out = np.empty(h0.shape[:2])
    if sum(over_k(len(out), lambda a, b: _eigenvalues(h0[a:b], shift, out[a:b]))):
        raise ConvergenceError("tridiagonal QL eigenvalue iteration did not converge")
    return out


def compile_kernels() -> None:
    """Compile every kernel specialisation the package calls (real and complex Hamiltonians, the chiral levels,
    the determinants, the pair blocks, the thermal and pair-susceptibility sums) into Numba's on-disk cache, on tiny inputs.

    ``make install`` runs it, so that the first command after installation loads the kernels instead of
    compiling them (seconds); a later call only checks the cache.  The dispatch layer passes C-contiguous
    float64 / complex128 arrays, the only layouts compiled here."""
    eye = np.eye(4)
    for dtype in (float, complex):
        eigenvalues(np.ascontiguousarray(np.stack([eye, 2 * eye]), dtype=dtype), np.zeros((4, 4), dtype=dtype))
    chiral_levels(np.ascontiguousarray(np.stack([np.eye(2), 2 * np.eye(2)]), dtype=complex),
                  np.zeros((2, 2), dtype=complex))
    determinants(np.stack([np.eye(2), 2 * np.eye(2)]))
    levels, weights = np.array([[-1.0, 1.0], [-2.0, 2.0]]), np.array([0.5, 0.5])
    thermal_difference(levels, np.zeros_like(levels), weights, [0.1])
    pair_curvature(levels, levels, np.ones((2, 2, 2)), weights, [0.1])
    hp = np.ascontiguousarray(np.stack([np.diag([1.0, 2.0]), np.diag([-1.0, 3.0])]))
    shift, block = np.zeros((2, 2)), np.array([[0.0, 1.0], [-1.0, 0.0]])
    for related in (True, False):
        e_p, e_h, p2 = np.empty((2, 2)), np.empty((2, 2)), np.empty((2, 2, 2))
        _pair_blocks(hp, hp, shift, shift, block, related, e_p, e_h, p2)
