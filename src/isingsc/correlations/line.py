"""The Green's function of a superconducting host on the sites of a line: the 1D zone integral shared by
magnetic chains (:mod:`isingsc.impurities.chain`) and half-metal wires (:mod:`isingsc.correlations.wire`).

**Geometry.**  The sites R_j = j s d (j integer), d = (d1, d2) a primitive integer direction of the lattice
(R = d1 a1 + d2 a2), s >= 1 the spacing in units of |d|; a supercell of M consecutive sites (M = 1: one site
per cell) repeats with L = M s d.  (d, d') is a unimodular basis of the lattice (:func:`lattice_direction`).

**Definition**, in the package's real-space convention (:mod:`isingsc.correlations.host`: G0(R, E) =
<R|G|0> = (1/N) sum_k e^{-ik.R} G0(k, E); the hopping T_R of a TightBindingModel is <R2 + R|H|R2>):

    G0_line(q, E)_ab = sum_Delta e^{-i q Delta} G0(r_a - r_b + Delta L, E)           (a, b = 0 ... M - 1)
                     = (1 / M s) sum_{m=0}^{M s - 1} int_0^1 dx' e^{-2 pi i x_m s (a - b)} G0(k(x_m, x'), E),
    x_m = (m - q / 2 pi) / (M s),     k . d = 2 pi x,  k . d' = 2 pi x'

(sum_Delta e^{-i (k.L + q) Delta} = 2 pi sum_m delta(k.L + q - 2 pi m), k.L = 2 pi M s x): the zone average
over the lines k . L = -q (mod 2 pi).  Values (M n, M n) on the host's kept indices (``host.indices``, n per
site), 1/|t|; q is the Bloch phase per supercell (period 2 pi).  For M = 1 the inverse is
G0(j s d, E) = (1 / 2 pi) int dq e^{iqj} G0_line(q, E).

**Convergence.**

* *Along x'* (one q): for real E in the host gap, or Im E > 0, the integrand is periodic and analytic in x',
  so the trapezoid rule on P points converges like exp(-2 pi w P), w the width in x' of the integrand's peak,
  w ~ sqrt(E_g^2 - E^2) / (v_max |dk/dx'|) (v_max a bound of |dH/dk|).  P starts where exp(-2 pi w P) begins to
  fall and is doubled (nested points) until two successive doublings change the result by less than ``tol``
  (relative, max norm) and the one before by less than sqrt(tol) (one agreement can be an accident before the
  peak is resolved): the change is then the error of the coarser sum, which the Chebyshev form uses (fewer
  points per energy); a single energy (:meth:`LineGreensFunction.__call__`) gets the finer one, already computed
  and far more accurate.
* *In energy* (:meth:`LineGreensFunction.chebyshev`): for |E| <= e_max < E_g, G0_line(q, E) = sum_m C_m(q)
  T_m(E / e_max) with every pole at |E| >= E_g outside the interval: the series converges like rho^-m,
  rho = a + sqrt(a^2 - 1), a = E_g / e_max; it is truncated at rho^-m < tol / 1e4.  The x' convergence is
  checked at E = -e_max, 0 and e_max (the integrand is least smooth at the ends).  One eigendecomposition of
  H_BdG per k then serves every energy of a root search, and K(q, E) for many (q, E) is one contraction.
* *In q* (:meth:`LineGreensFunction.separations`): the sites' propagators G0(j L, E) are the discrete Fourier
  transform of G0_line on N_q momenta, which returns G0(j L) plus its images G0((j + m N_q) L); they decay
  like exp(-kappa |R|), kappa ~ sqrt(E_g^2 - E^2) / v_F, so N_q is doubled until the values around N_q / 2
  are below ``tol`` relative to G0(0) at E = -e_top, 0, e_top.  The same coefficients give G0_line at any q
  (trigonometric interpolation, exact at the N_q momenta, in error by the images elsewhere).

Energies in |t|, G0 in 1/|t|.
"""

from __future__ import annotations

import math

import numpy as np

from isingsc.core.errors import (
    ConvergenceError,
    ParameterError,
    check_positive_int,
    check_range,
)
from isingsc.correlations.host import _check_energy
from isingsc.lattice.triangular import LATTICE

#: x' points of the first trapezoid level and the most doublings.
FIRST_POINTS = 16
MAX_LEVEL = 12
#: Largest spacing (units of |d|) and supercell (sites per period) of a line.
MAX_SPACING = 50
MAX_CELL = 24
#: Most momenta of :meth:`LineGreensFunction.separations`.
MAX_MOMENTA = 8192
#: Most Chebyshev terms.
MAX_CHEBYSHEV = 4000
#: k points per batch of eigendecompositions (memory).
_CHUNK = 1 << 16


def lattice_direction(direction) -> tuple[tuple[int, int], tuple[int, int]]:
    """(d, d'): the primitive integer direction d = (d1, d2) (R = d1 a1 + d2 a2) and a complement d' with
    det[d; d'] = d1 d2' - d2 d1' = +1, so that (d, d') is a unimodular basis of the lattice.  ParameterError
    ("direction") for a zero, non-integer or non-primitive (gcd != 1) direction, or |d_i| > 50."""
    allowed = "two integers (d1, d2), not both 0, with gcd 1 (a primitive lattice direction, |d_i| <= 50)"
    try:
        arr = np.asarray(direction, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ParameterError("direction", direction, allowed) from None
    if arr.shape != (2,) or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)) or np.any(np.abs(arr) > 50):
        raise ParameterError("direction", direction, allowed)
    d1, d2 = int(arr[0]), int(arr[1])
    if (d1, d2) == (0, 0) or math.gcd(d1, d2) != 1:
        raise ParameterError("direction", (d1, d2), allowed)
    g, x, y = _egcd(d1, d2)  # d1 x + d2 y = g = 1
    e, f = -y * g, x * g
    assert d1 * f - d2 * e == 1
    return (d1, d2), (e, f)


def _egcd(a: int, b: int) -> tuple[int, int, int]:
    """(g, x, y) with a x + b y = g = gcd(a, b) >= 0 (extended Euclid)."""
    if b == 0:
        return (a, 1, 0) if a >= 0 else (-a, -1, 0)
    g, x, y = _egcd(b, a % b)
    return g, y, x - (a // b) * y


def velocity_bound(host) -> float:
    """An upper bound of ||dH_BdG/dk|| (|t| a): sum_R |R| ||T_R|| for a model with hoppings, else twice the
    largest finite-difference derivative on a 24 x 24 grid."""
    model = host.model
    if hasattr(model, "hoppings"):
        a = LATTICE.primitive
        return max(1e-12, float(sum(np.linalg.norm(np.asarray(r) @ a) * np.linalg.norm(t, 2)
                                    for r, t in model.hoppings.items())))
    frac = (np.stack(np.meshgrid(np.arange(24), np.arange(24), indexing="ij"), -1).reshape(-1, 2) + 0.5) / 24
    k = LATTICE.fractional_to_cartesian(frac)
    step = 1e-5
    out = 0.0
    for e in np.eye(2):
        d = (host.hamiltonian(k + step * e) - host.hamiltonian(k - step * e)) / (2 * step)
        out = max(out, float(np.abs(np.linalg.eigvalsh(d)).max()))
    return 2 * out


def chebyshev_basis(x, n_terms: int, derivative: bool = False) -> np.ndarray:
    """T_m(x) (or dT_m/dx = m U_{m-1}(x) with ``derivative``) for m < n_terms, shape x.shape + (n_terms,);
    x is clipped to [-1, 1]."""
    x = np.clip(np.asarray(x, dtype=float), -1.0, 1.0)
    if not derivative:
        return np.cos(np.arange(n_terms) * np.arccos(x)[..., None])
    out = np.zeros(x.shape + (n_terms,))
    u_prev, u = np.zeros_like(x), np.ones_like(x)  # U_{-1}, U_0
    for m in range(1, n_terms):
        out[..., m] = m * u
        u_prev, u = u, 2 * x * u - u_prev
    return out


class LineGreensFunction:
    """G0_line(q, E) of the sites R_j = j s d of a host, M per supercell (module docstring).

    Parameters
    ----------
    host : a :class:`~isingsc.correlations.host.HostGreensFunction` (its model, Delta, field, kept orbitals,
        gap and tolerance).
    direction : primitive lattice direction (d1, d2) of the line, R = d1 a1 + d2 a2.
    spacing : s, sites every s |d| (1 ... MAX_SPACING).
    cell : M, sites per supercell (1 ... MAX_CELL).
    tol : relative tolerance of every converged value (default the host's).
    """

    def __init__(self, host, direction=(1, 0), spacing: int = 1, cell: int = 1, *, tol: float | None = None):
        self.host = host
        self.direction, self.complement = lattice_direction(direction)
        self.spacing = check_positive_int("spacing", spacing, 1)
        if self.spacing > MAX_SPACING:
            raise ParameterError("spacing", spacing, f"an integer 1 ... {MAX_SPACING}")
        self.cell = check_positive_int("cell", cell, 1)
        if self.cell > MAX_CELL:
            raise ParameterError("cell", cell, f"an integer 1 ... {MAX_CELL}")
        self.tol = host.tol if tol is None else check_range("tol", tol, lo=1e-14, hi=1e-2)
        a = LATTICE.primitive
        basis = np.array([self.direction[0] * a[0] + self.direction[1] * a[1],
                          self.complement[0] * a[0] + self.complement[1] * a[1]])
        self._kmap = 2 * np.pi * np.linalg.inv(basis)  # k = kmap @ (x, x')
        self.n = len(host.indices)
        self.dim = self.cell * self.n
        self._velocity: float | None = None
        self._chebyshev: dict = {}
        self._separations: dict = {}
        self.max_points = 0
        self.achieved = 0.0

    # ------------------------------------------------------------------ the 1D zone integral
    def describe(self) -> dict:
        """Attrs: the line's geometry and tolerance."""
        return {"line_direction": list(self.direction), "line_spacing": self.spacing, "line_cell": self.cell,
                "line_tol": self.tol}

    def _start_level(self, energies) -> int:
        """The first level at which the trapezoid error exp(-2 pi w P) starts to fall, w the peak width in x'
        at the least smooth energy of ``energies`` (real in the gap, or complex with Im > 0)."""
        if self._velocity is None:
            self._velocity = velocity_bound(self.host)
        gap = self.host.gap
        widths = []
        for z in np.atleast_1d(np.asarray(energies, dtype=complex)):
            inside = math.sqrt(max(gap * gap - z.real * z.real, 0.0)) if abs(z.real) < gap else 0.0
            widths.append(max(inside, abs(z.imag), 1e-15))
        width = min(widths) / (self._velocity * np.linalg.norm(self._kmap[:, 1]))
        return int(np.clip(np.ceil(np.log2(1.5 / (2 * np.pi * width * FIRST_POINTS))), 0, MAX_LEVEL - 2))

    @staticmethod
    def _level_points(level: int) -> np.ndarray:
        if level == 0:
            return np.arange(FIRST_POINTS) / FIRST_POINTS
        n = FIRST_POINTS * 2 ** (level - 1)
        return (np.arange(n) + 0.5) / n

    def _points(self, level: int) -> int:
        """x' points of the trapezoid rule up to ``level`` (all lines together: times M s)."""
        return FIRST_POINTS * 2 ** level * self.cell * self.spacing

    def _block(self, q: np.ndarray, level: int):
        """(energies (nq, T), amplitudes (nq, dim, T)) of the new x' points of one level on the lines of each q,
        T = M s x points x N (every eigenstate of every point)."""
        ms = self.cell * self.spacing
        xm = (np.arange(ms)[None, :] - q[:, None] / (2 * np.pi)) / ms  # (nq, ms)
        xp = self._level_points(level)
        x = np.broadcast_to(xm[:, :, None], (len(q), ms, len(xp))).reshape(-1)
        xx = np.stack([x, np.broadcast_to(xp, (len(q), ms, len(xp))).reshape(-1)], -1)
        k = xx @ self._kmap.T
        big = self.host.model.nambu_dim
        e = np.empty((len(k), big))
        u = np.empty((len(k), self.n, big), dtype=complex)
        for start in range(0, len(k), _CHUNK):
            ee, uu = np.linalg.eigh(self.host.hamiltonian(k[start:start + _CHUNK]))
            e[start:start + _CHUNK], u[start:start + _CHUNK] = ee, uu[:, self.host.indices, :]
        phase = np.exp(-2j * np.pi * np.outer(x, self.spacing * np.arange(self.cell)))  # (P, M)
        amp = (phase[:, :, None, None] * u[:, None]).reshape(len(q), ms * len(xp), self.dim, big)
        return e.reshape(len(q), -1), np.ascontiguousarray(amp.transpose(0, 2, 1, 3).reshape(len(q), self.dim, -1))

    def _sum(self, blocks, z, upto: int, power: int = 1) -> np.ndarray:
        """G0_line (power 1) or sum u u^dagger / (z - E)^2 = -dG0/dE (power 2) of the trapezoid rule up to level
        ``upto``: (nq, dim, dim)."""
        e = np.concatenate([b[0] for b in blocks[:upto + 1]], axis=1)
        amp = np.concatenate([b[1] for b in blocks[:upto + 1]], axis=2)
        w = 1.0 / (z - e) ** power
        return (amp * w[:, None, :]) @ amp.conj().transpose(0, 2, 1) / self._points(upto)

    def _converged(self, q: np.ndarray, energies, what: str):
        """(blocks, level, change): trapezoid levels 0 ... level + 1 for every q; the sum up to ``level`` is
        converged to tol at every energy of ``energies`` (``change``, its error; module docstring), the sum up
        to level + 1 (exponential convergence) far below."""
        start = self._start_level(energies)
        blocks = [self._block(q, level) for level in range(start + 1)]
        change, before = np.inf, np.inf
        for level in range(start + 1, MAX_LEVEL + 1):
            blocks.append(self._block(q, level))
            change = 0.0
            for z in energies:
                fine, coarse = self._sum(blocks, z, level), self._sum(blocks, z, level - 1)
                scale = np.maximum(np.abs(fine).max(axis=(1, 2)), 1e-300)
                change = max(change, float(np.max(np.abs(fine - coarse).max(axis=(1, 2)) / scale)))
            if change < self.tol and before < self.tol ** 0.5:
                self.max_points = max(self.max_points, FIRST_POINTS * 2 ** (level - 1))
                self.achieved = max(self.achieved, change)
                return blocks, level - 1, change
            before = change
        raise ConvergenceError(f"{what} on the 1D zone integral: relative change {change:.2g} with "
                               f"{FIRST_POINTS * 2 ** MAX_LEVEL} points", quantity=what, achieved=change,
                               requested=self.tol, resolution=f"{FIRST_POINTS * 2 ** MAX_LEVEL} x' points per line",
                               suggestion="raise tol, or energies farther from the host gap edge")

    def __call__(self, q, energy, power: int = 1) -> np.ndarray:
        """G0_line(q, z) (power 1) or -dG0_line/dE = sum u u^dagger / (z - E)^2 (power 2), converged to tol at z,
        for one energy (real inside the host gap, or Im z > 0) and q a scalar or an array: shape q.shape +
        (dim, dim) (1/|t|, 1/|t|^2)."""
        z = _check_energy(energy, lambda: self.host.gap)  # the host's own check
        q = np.asarray(q, dtype=float)
        flat = np.atleast_1d(q).ravel()
        blocks, level, _ = self._converged(flat, [z], "G0_line(q, E)")
        # the finer sum: already computed, its error far below the change that certified the coarser one
        return self._sum(blocks, z, level + 1, power).reshape(q.shape + (self.dim, self.dim))

    # ------------------------------------------------------------------ Chebyshev form in energy
    def chebyshev_terms(self, e_max: float) -> int:
        """Number of Chebyshev terms of G0_line on |E| <= e_max (module docstring)."""
        a = self.host.gap / e_max
        rho = a + math.sqrt(a * a - 1.0)
        return int(min(MAX_CHEBYSHEV, math.ceil(math.log(1e4 / self.tol) / math.log(rho)) + 1))

    def _check_top(self, e_max) -> float:
        return check_range("e_max", e_max, lo=0.0, hi=self.host.gap, lo_open=True, hi_open=True)

    def chebyshev(self, q: float, e_max: float) -> np.ndarray:
        """C_m(q), (n_c, dim, dim): G0_line(q, E) = sum_m C_m T_m(E / e_max) for |E| <= e_max < E_g, converged in
        x' at E = -e_max, 0, e_max; cached per (q, e_max)."""
        e_max = self._check_top(e_max)
        key = (round(float(np.mod(q, 2 * np.pi)), 14), e_max)
        if key not in self._chebyshev:
            qq = np.array([key[0]])
            blocks, level, _ = self._converged(qq, (-e_max, 0.0, e_max), f"G0_line(q = {key[0]:.6g})")
            e = np.concatenate([b[0][0] for b in blocks[:level + 1]])
            amp = np.concatenate([b[1][0] for b in blocks[:level + 1]], axis=1) / np.sqrt(self._points(level))
            self._chebyshev[key] = self._coefficients(e, amp, e_max)
        return self._chebyshev[key]

    def _coefficients(self, e: np.ndarray, amp: np.ndarray, e_max: float) -> np.ndarray:
        """C_m = sum_p c_m(E_p) u_p u_p^dagger with 1/(x - a) = -sgn(a) / sqrt(a^2 - 1) [1 + 2 sum_{m>=1}
        (sgn(a) r)^m T_m(x)], a = E_p / e_max, r = |a| - sqrt(a^2 - 1) (|a| > 1: every pole outside)."""
        n_cheb = self.chebyshev_terms(e_max)
        a = e / e_max
        root = np.sqrt(a * a - 1.0)
        sign = np.sign(a)
        base = sign * (np.abs(a) - root)
        c = np.empty((n_cheb, len(e)))
        c[0] = -sign / (root * e_max)
        for m in range(1, n_cheb):
            c[m] = c[m - 1] * base
        c[1:] *= 2.0
        dim = self.dim
        out = np.zeros((n_cheb, dim * dim), dtype=complex)
        for start in range(0, len(e), 4096):  # outer products in chunks (memory)
            u = amp[:, start:start + 4096]
            outer = (u[:, None, :] * u.conj()[None, :, :]).reshape(dim * dim, -1)
            block = c[:, start:start + 4096]
            out += block @ np.ascontiguousarray(outer.real.T) + 1j * (block @ np.ascontiguousarray(outer.imag.T))
        return out.reshape(n_cheb, dim, dim)

    # ------------------------------------------------------------------ the sites' propagators
    def separations(self, e_top: float, reach: int = 0) -> LineSeparations:
        """G0(j L, E) for |E| <= e_top and every |j| < N_q / 2 (at least ``reach``), as Chebyshev series, from
        N_q momenta (doubled until the images are below tol; module docstring).  Cached: a computed set with
        e_top' >= e_top and enough reach is reused."""
        e_top = self._check_top(e_top)
        reach = check_positive_int("reach", reach, 0)
        for (top, _), value in self._separations.items():
            if top == e_top and value.reach >= reach:
                return value
        n_q = 16
        while n_q < 2 * reach + 2:
            n_q *= 2
        change = np.inf
        while n_q <= MAX_MOMENTA:
            c = np.array([self.chebyshev(2 * np.pi * i / n_q, e_top) for i in range(n_q)])
            full = np.fft.ifft(c, axis=0)  # (n_q, n_c, dim, dim): G0(j L) for j mod n_q
            tail = np.arange(n_q // 2 - max(1, n_q // 16), n_q // 2 + max(1, n_q // 16) + 1)
            change = 0.0
            for x in (-1.0, 0.0, 1.0):
                basis = chebyshev_basis(x, full.shape[1])
                far = np.tensordot(full[tail % n_q], basis, axes=(1, 0))
                near = np.tensordot(full[0], basis, axes=(0, 0))
                change = max(change, float(np.abs(far).max() / np.abs(near).max()))
            if change < self.tol:
                out = LineSeparations(self, e_top, full, change)
                self._separations[(e_top, n_q)] = out
                return out
            n_q *= 2
        raise ConvergenceError(f"propagators along the line: images {change:.2g} of G0(0) with {n_q // 2} momenta",
                               quantity="G0(j L, E)", achieved=change, requested=self.tol,
                               suggestion="a smaller e_top (energies farther from the gap edge) or a larger tol")


class LineSeparations:
    """G0(j L, E) = (1/N_q) sum_q e^{iqj} G0_line(q, E) for |j| < N_q / 2 and |E| <= e_top, as Chebyshev series
    (from :meth:`LineGreensFunction.separations`); ``achieved``: the images' size relative to G0(0)."""

    def __init__(self, line: LineGreensFunction, e_top: float, full: np.ndarray, achieved: float):
        self.line, self.e_top, self.achieved = line, e_top, achieved
        self.n_q = full.shape[0]
        self.reach = self.n_q // 2 - 1
        self.n_terms = full.shape[1]
        self._full = full
        self._grid = {i: line.chebyshev(2 * np.pi * i / self.n_q, e_top) for i in range(self.n_q)}
        js = np.arange(-self.reach, self.reach + 1)
        self._js = js
        self._signed = full[js % self.n_q]

    def resolution(self) -> str:
        return (f"1D zone integral: {self.line.cell * self.line.spacing} lines x up to {self.line.max_points} "
                f"trapezoid points, {self.n_q} momenta (|E| <= {self.e_top:.6g} |t|)")

    def basis(self, energy, derivative: bool = False) -> np.ndarray:
        """T_m(E / e_top) (or d/dE of it), shape E.shape + (n_c,)."""
        energy = np.asarray(energy, dtype=float)
        b = chebyshev_basis(energy / self.e_top, self.n_terms, derivative)
        return b / self.e_top if derivative else b

    def coefficients(self, q: float) -> np.ndarray:
        """Chebyshev coefficients of G0_line(q, E), (n_c, dim, dim): exact on the N_q momenta, the trigonometric
        interpolation sum_j e^{-iqj} G0(j L) elsewhere."""
        x = float(np.mod(q, 2 * np.pi)) * self.n_q / (2 * np.pi)
        i = round(x)
        if abs(x - i) < 1e-12:
            return self._grid[i % self.n_q]
        return np.tensordot(np.exp(-1j * q * self._js), self._signed, axes=(0, 0))

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(q (N_q,), coefficients (N_q, n_c, dim, dim)) on the exact momenta q = 2 pi i / N_q."""
        return 2 * np.pi * np.arange(self.n_q) / self.n_q, np.array([self._grid[i] for i in range(self.n_q)])

    def line_at(self, q: float, energy: float) -> np.ndarray:
        """G0_line(q, E), (dim, dim) (1/|t|), |E| <= e_top."""
        return np.tensordot(self.basis(energy), self.coefficients(q), axes=(0, 0))

    def values(self, energy: float, reach: int, derivative: bool = False) -> np.ndarray:
        """G0(j L, E) (or dG0/dE) for j = -reach ... reach, (2 reach + 1, dim, dim)."""
        if reach > self.reach:
            raise ParameterError("reach", reach, f"<= {self.reach} (momenta of this set: {self.n_q})")
        js = np.arange(-reach, reach + 1)
        return np.tensordot(self._full[js % self.n_q], self.basis(energy, derivative), axes=(1, 0))


__all__ = ["LineGreensFunction", "LineSeparations", "chebyshev_basis", "lattice_direction", "velocity_bound"]
