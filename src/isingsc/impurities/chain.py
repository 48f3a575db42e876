"""Chains of classical magnetic moments (Shiba chains) in an infinite superconducting host.

Review Sec. 5: Sharma & Tewari, PRB 94, 094515 (2016); Zhang & Aji, PRB 94, 060501 (2016) -- a chain of
magnetic impurities on an Ising superconductor is a 1D topological superconductor when the moments have an
in-plane component.  Everything here is exact for the lattice host (no finite host, no broadening):

* **Geometry.**  Impurity j sits at R_j = j s d, d = (d1, d2) a primitive integer direction of the triangular
  lattice (R = n1 a1 + n2 a2), s >= 1 the spacing in units of |d|.  A texture of M moments m_0 ... m_{M-1}
  (unit vectors; M = 1 collinear, M = b for the commensurate spiral of pitch 2 pi a / b) repeats with the
  supercell L = M s d.
* **Impurity potential** on the host orbitals ``host.indices`` (per orbital [up, down, hole-up, hole-down]):

      V_j = diag(h_j, -h_j^*),   h_j = J m_j . sigma + U          (|t|)

  (the Nambu hole block of an on-site normal term h is -h^*, models/base.py).
* **Chain Green's function** G0_chain(q, E)_ab = sum_Delta e^{-i q Delta} G0(r_a - r_b + Delta L, E) (q in
  [0, 2 pi) per supercell, the package's G0(R) = <R|G|0>): the host's
  :class:`~isingsc.correlations.line.LineGreensFunction` on the supercell (the 1D zone integral, converged to
  ``tol``; its convergence is stated there), as a Chebyshev series in E on |E| <= e_max = (1 - EDGE_MARGIN) E_g
  per q, so one eigendecomposition per k serves every energy of a root search.  Everything that does not
  depend on J, U or the moments (the line, its Chebyshev forms on the gap scan's momenta, G0_chain(q, 0)) is
  shared by :meth:`MagneticChain.with_`.
* **Shiba bands**: det(1 - G0_chain(q, E) V) = 0, i.e. a zero eigenvalue of the Hermitian matrix

      K(q, E) = v^-1 - W^dagger G0_chain(q, E) W      (V = W diag(v) W^dagger, v != 0)

  whose eigenvalues increase monotonically with E (dG0/dE = -G0 G0 restricted to the impurity sites is
  negative semidefinite).  The number of bands in (E1, E2) is N_-(E1) - N_-(E2) (N_- the number of negative
  eigenvalues) and the k-th root is the zero of the k-th sorted eigenvalue (scipy ``brentq``).
* **Gap** = min_q (lowest non-negative band energy), capped by the host gap (a PH image covers negative
  energies: E(q) <-> -E(-q)); bands within ``EDGE_MARGIN`` of the host gap count as continuum.  On the scan's
  momenta the lowest root is found for all q at once (bisection on E with batched inertia counts of K), the
  minimum then refined by Brent's method in q.
* **Topological Hamiltonian** H_top(q) = -G_imp(q, 0)^-1 = V - G0_chain(q, 0)^-1, defined where
  G0_chain(q, 0) has no zeros (smallest singular value above ``ZERO_RESOLUTION`` of the largest); its zero
  modes are the E = 0 Shiba states.  Particle-hole symmetry tau_x H_top(q)^* tau_x = -H_top(-q) always
  (class D); a *unitary chiral operator* S (S H_top S^-1 = -H_top at every q, S^2 = 1) is searched for as the
  null space of the linear equations S H_top(q) + H_top(q) S = 0 at several q, S site-local (a block per
  impurity).  Found (with T = S P, T^2 = +1): class **BDI**, invariant the winding

      W = (1 / 2 pi i) oint d log det A(q),   A = U_+^dagger H_top U_-   (U_+- the S = +-1 eigenvectors),

  q from 0 to 2 pi; none: class **D**, invariant nu = 0 / 1 from sign Pf[A(0)] Pf[A(pi)] = +1 / -1 with
  A the Majorana form of H_top (:func:`isingsc.correlations.wire.z2_index`, pfapack).  An invariant is only
  reported on a gapped chain.
* **Finite chain** of N impurities in the infinite host: the N n x N n T-matrix problem with the propagators
  G0((i - j) s d, E) = (1 / N_q) sum_q e^{i q (i - j)} G0_chain(q, E) (single-site cell;
  :meth:`~isingsc.correlations.line.LineGreensFunction.separations`: N_q doubled until the images at N_q s d
  are below ``tol``), same root finding: end-state energies and their weight per site.

Energies in |t|, lengths in the lattice constant a, momenta q per supercell (dimensionless, period 2 pi),
angles in radians.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy import linalg, optimize

from isingsc.core.errors import (
    ParameterError,
    check_positive_int,
    check_range,
    check_unit_vector,
)
from isingsc.core.field import direction
from isingsc.core.results import finalize
from isingsc.correlations.line import (
    LineGreensFunction,
    chebyshev_basis,
    lattice_direction,
)
from isingsc.correlations.wire import z2_index
from isingsc.impurities.single import impurity_potential
from isingsc.lattice.triangular import LATTICE
from isingsc.models.base import SIGMAX

#: A chain whose gap (|t|) is below this is gapless: no invariant is reported.
GAP_RESOLUTION = 1e-6
#: Bound states closer than this fraction of the host gap to its edge count as continuum.
EDGE_MARGIN = 2e-2
#: G0_chain(q, 0) with sigma_min / sigma_max below this has a zero: no topological Hamiltonian.
ZERO_RESOLUTION = 1e-8
#: Largest spacing (units of |d|), supercell (moments per period), exchange and potential (|t|).
MAX_SPACING = 20
MAX_CELL = 12
MAX_EXCHANGE = 100.0
MAX_SITES = 400
#: Momenta at which the chiral operator is searched for.
_SYMMETRY_Q = (0.0, 0.4137, 1.2931, 2.2057, np.pi, 4.1143, 5.6291)
MOMENTUM_UNITS = "1 (Bloch phase per supercell of the chain, period 2 pi)"
ENERGY = "|t|"


# ------------------------------------------------------------------ input
def check_moments(moments) -> np.ndarray:
    """The texture as an (M, 3) array of unit vectors (one moment: M = 1).  ParameterError ("moments") unless
    every row is a finite unit 3-vector (:func:`~isingsc.core.errors.check_unit_vector`) and 1 <= M <= MAX_CELL."""
    allowed = f"a unit 3-vector or 1 ... {MAX_CELL} of them (|m| = 1)"
    try:
        m = np.asarray(moments, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("moments", moments, allowed) from None
    if m.ndim == 1:
        m = m[None]
    if m.ndim != 2 or m.shape[1] != 3 or not 1 <= m.shape[0] <= MAX_CELL:
        raise ParameterError("moments", np.asarray(moments).tolist() if np.size(moments) < 40 else np.shape(moments),
                             allowed)
    return np.array([check_unit_vector("moments", row) for row in m])


def tilted(theta: float, phi: float = 0.0) -> np.ndarray:
    """One moment at polar angle theta from z and azimuth phi from x (rad): (sin th cos ph, sin th sin ph, cos th)."""
    th = check_range("theta", theta, lo=-4 * np.pi, hi=4 * np.pi)
    ph = check_range("phi", phi, lo=-4 * np.pi, hi=4 * np.pi)
    return direction(th, ph)[None]


def spiral(a: int, b: int, phi0: float = 0.0, theta: float = np.pi / 2) -> np.ndarray:
    """The commensurate spiral m_j = (sin th cos(j p + phi0), sin th sin(j p + phi0), cos th), p = 2 pi a / b,
    as its supercell of b moments (theta = pi/2: in plane).  ParameterError unless 1 <= b <= MAX_CELL."""
    b = check_positive_int("pitch denominator b", b, 1)
    if b > MAX_CELL:
        raise ParameterError("pitch denominator b", b, f"1 <= b <= {MAX_CELL}")
    if isinstance(a, bool) or int(a) != a:
        raise ParameterError("pitch numerator a", a, "an integer")
    th = check_range("theta", theta, lo=-4 * np.pi, hi=4 * np.pi)
    ph = phi0 + 2 * np.pi * int(a) / b * np.arange(b)
    return np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th) * np.ones(b)], -1)


def chain_potential(moments: np.ndarray, J: float, U: float, n_orbitals: int) -> np.ndarray:
    """Block-diagonal V (M n x M n) of a supercell: :func:`~isingsc.impurities.single.impurity_potential` of
    each moment."""
    return linalg.block_diag(*[impurity_potential(J, m, U, n_orbitals) for m in moments])


def phase_winding(values: np.ndarray) -> float:
    """(1 / 2 pi) sum of the wrapped phase steps of a closed loop of complex numbers (first point not repeated)."""
    ph = np.angle(np.concatenate([values, values[:1]]))
    return float(np.sum(np.angle(np.exp(1j * np.diff(ph)))) / (2 * np.pi))


# ------------------------------------------------------------------ the solver
class _Attrs:
    """A dict of attrs in the shape :func:`~isingsc.core.results.finalize` takes as ``model``."""

    def __init__(self, attrs: dict):
        self._attrs = attrs

    def describe(self) -> dict:
        return dict(self._attrs)


@dataclass(frozen=True)
class SymmetryInfo:
    """The symmetry class of a chain: "BDI" (with its chiral operator S, S^2 = 1) or "D" (S None)."""

    symmetry_class: str
    chiral: np.ndarray | None
    residual: float
    nullity: int


class MagneticChain:
    """A chain of classical moments in an infinite superconducting host (module docstring).

    Parameters
    ----------
    host : a :class:`~isingsc.correlations.host.HostGreensFunction` (or a model, then built with ``delta``,
        ``field``): the host, its pairing, field and the orbitals the moments couple to.
    J : exchange energy (|t|), 0 < J <= MAX_EXCHANGE.
    moments : a unit 3-vector (collinear chain) or an (M, 3) texture supercell (:func:`tilted`, :func:`spiral`).
    direction : primitive lattice direction (d1, d2) of the chain, R = d1 a1 + d2 a2.
    spacing : impurity spacing in units of |d|, 1 ... MAX_SPACING.
    U : potential scattering (|t|).
    tol : relative tolerance of the Green's functions (default the host's).

    All input is checked before any work.  Results are xarray Datasets (energies |t|).
    """

    def __init__(self, host, J: float, moments=(1.0, 0.0, 0.0), direction=(1, 0), spacing: int = 1, U: float = 0.0,
                 *, delta: float | None = None, field=None, tol: float | None = None, _kernels=None):
        self.J = check_range("J", J, lo=0.0, hi=MAX_EXCHANGE, lo_open=True)
        self.U = check_range("U", U, lo=-MAX_EXCHANGE, hi=MAX_EXCHANGE)
        if isinstance(spacing, bool) or not isinstance(spacing, (int, np.integer, float)) or spacing != int(spacing) \
                or not 1 <= int(spacing) <= MAX_SPACING:
            raise ParameterError("spacing", spacing, f"an integer 1 ... {MAX_SPACING} (units of |d|)")
        self.spacing = int(spacing)
        self.direction, self.complement = lattice_direction(direction)
        self.moments = check_moments(moments)
        if tol is not None:
            tol = check_range("tol", tol, lo=1e-14, hi=1e-2)
        if not hasattr(host, "indices") or not hasattr(host, "propagators"):
            from isingsc.correlations.host import HostGreensFunction

            host = HostGreensFunction(host, delta, field)
        self.host = host
        self.tol = host.tol if tol is None else tol
        self.cell = len(self.moments)
        self.n = len(host.indices)
        self.n_orbitals = self.n // 4
        self.V = chain_potential(self.moments, self.J, self.U, self.n_orbitals)
        v, w = np.linalg.eigh(self.V)
        keep = np.abs(v) > 1e-12 * max(1.0, float(np.abs(v).max()))
        self._v_inv, self._w = 1.0 / v[keep], w[:, keep]
        #: everything that does not depend on J, U or the moments (shared by :meth:`with_`)
        self._kernels = {} if _kernels is None else _kernels
        self._symmetry: SymmetryInfo | None = None
        self._gap = None

    # ------------------------------------------------------------------ helpers
    def with_(self, **changes) -> MagneticChain:
        """The same host and geometry with other J, U or moments (sharing everything J-independent: the host's
        line Green's function, its Chebyshev forms and G0_chain(q, 0))."""
        args = {"J": self.J, "moments": self.moments, "U": self.U}
        for key in changes:
            if key not in args:
                raise ParameterError("changes", key, "J, U or moments")
        args.update(changes)
        same = check_moments(args["moments"]).shape[0] == self.cell
        return MagneticChain(self.host, args["J"], args["moments"], self.direction, self.spacing, args["U"],
                             tol=self.tol, _kernels=self._kernels if same else None)

    @property
    def e_max(self) -> float:
        """Largest |E| searched for bound states: (1 - EDGE_MARGIN) x host gap (|t|)."""
        return (1.0 - EDGE_MARGIN) * self.host.gap

    def _line(self, cell: int) -> LineGreensFunction:
        key = ("line", cell)
        if key not in self._kernels:
            self._kernels[key] = LineGreensFunction(self.host, self.direction, self.spacing, cell, tol=self.tol)
        return self._kernels[key]

    @property
    def line(self) -> LineGreensFunction:
        """The host's :class:`~isingsc.correlations.line.LineGreensFunction` on the chain's supercell."""
        return self._line(self.cell)

    def _resolution(self) -> str:
        return (f"1D zone integral: {self.cell * self.spacing} lines x up to {self.line.max_points} trapezoid points "
                f"(converged at |E| <= {self.e_max:.6g} |t|)")

    def describe(self) -> dict:
        """Attrs: host, chain geometry, exchange, moments, tolerance."""
        out = dict(self.host.describe())
        out.update(J=self.J, U=self.U, direction=list(self.direction), spacing=self.spacing, cell=self.cell,
                   moments=self.moments.ravel().tolist(), chain_tol=self.tol,
                   period_length=float(self.cell * self.spacing * np.linalg.norm(
                       self.direction[0] * LATTICE.primitive[0] + self.direction[1] * LATTICE.primitive[1])),
                   host_gap=self.host.gap, edge_margin=EDGE_MARGIN)
        return out

    def _greens(self, q: float, energy, top: float | None = None) -> np.ndarray:
        """G0_chain(q, E) from its Chebyshev form on |E| <= top (default e_max)."""
        top = self.e_max if top is None else top
        c = self.line.chebyshev(float(q), top)
        return np.tensordot(chebyshev_basis(energy / top, len(c)), c, axes=(0, 0))

    def greens_function(self, q: float, energy: float) -> np.ndarray:
        """G0_chain(q, E) on the impurity orbitals of one supercell, (M n, M n) (1/|t|), |E| <= e_max."""
        energy = check_range("energy", energy, lo=-self.e_max, hi=self.e_max)
        return self._greens(q, energy)

    def _k_matrix(self, g: np.ndarray) -> np.ndarray:
        return np.diag(self._v_inv) - self._w.conj().T @ g @ self._w

    def _eigs(self, q: float, energy: float, top: float | None = None) -> np.ndarray:
        return np.linalg.eigvalsh(self._k_matrix(self._greens(q, energy, top)))

    @staticmethod
    def _negatives(values: np.ndarray) -> int:
        return int(np.sum(values < 0))

    # ------------------------------------------------------------------ bands and gap
    def _roots(self, q: float, lo: float, hi: float) -> np.ndarray:
        """All band energies at q in (lo, hi), ascending."""
        n_lo, n_hi = self._negatives(self._eigs(q, lo)), self._negatives(self._eigs(q, hi))
        out = []
        for k in range(n_hi, n_lo):
            out.append(optimize.brentq(lambda e, k=k: self._eigs(q, e)[k], lo, hi, xtol=1e-15, rtol=1e-15,
                                       maxiter=200))
        return np.sort(np.asarray(out, dtype=float))

    def lowest_energy(self, q: float, top: float | None = None) -> float:
        """The lowest non-negative band energy at q (|t|) below ``top`` (default e_max); the host gap where no band
        lies in [0, e_max) (``top`` itself for a smaller ``top``)."""
        top = self.e_max if top is None else top
        eig0 = self._eigs(q, 0.0, top)
        n0 = self._negatives(eig0)
        if n0 < len(eig0) and abs(eig0[n0]) == 0.0:
            return 0.0
        n1 = self._negatives(self._eigs(q, top, top))
        if n1 >= n0:
            return float(self.host.gap) if top == self.e_max else float(top)
        return float(optimize.brentq(lambda e: self._eigs(q, e, top)[n0 - 1], 0.0, top, xtol=1e-15, rtol=1e-15,
                                     maxiter=200))

    def _grid_coefficients(self, n_q: int) -> np.ndarray:
        """Chebyshev coefficients of G0_chain(q, E) on |E| <= e_max at q = 2 pi i / n_q, (n_q, n_c, dim, dim)
        (J-independent: cached with the host's line)."""
        key = ("grid", self.cell, n_q)
        if key not in self._kernels:
            self._kernels[key] = np.array([self.line.chebyshev(2 * np.pi * i / n_q, self.e_max) for i in range(n_q)])
        return self._kernels[key]

    def _lowest_on_grid(self, coefficients: np.ndarray) -> np.ndarray:
        """lowest_energy at every q of a grid at once: the eigenvalues of K(q, E) increase with E, so the lowest
        non-negative root is that of the (N_-(0) - 1)-th eigenvalue (N_- the number of negative ones) when
        N_-(e_max) < N_-(0); found by bisection on E for all q together (batched eigvalsh), to 1e-15 |t|."""
        top = self.e_max
        n_c = coefficients.shape[1]

        def eigs(energy, rows):
            g = np.einsum("qc,qcab->qab", chebyshev_basis(energy / top, n_c), coefficients[rows])
            return np.linalg.eigvalsh(np.diag(self._v_inv) - self._w.conj().T @ g @ self._w)

        n_q = len(coefficients)
        every = np.arange(n_q)
        eig0 = eigs(np.zeros(n_q), every)
        n0 = np.sum(eig0 < 0, axis=1)
        at_zero = (n0 < eig0.shape[1]) & (np.abs(eig0[every, np.minimum(n0, eig0.shape[1] - 1)]) == 0.0)
        n1 = np.sum(eigs(np.full(n_q, top), every) < 0, axis=1)
        out = np.where(at_zero, 0.0, float(self.host.gap))
        rows = every[(n1 < n0) & ~at_zero]
        if len(rows):
            lo, hi = np.zeros(len(rows)), np.full(len(rows), top)
            branch = n0[rows] - 1
            for _ in range(80):
                if np.all(hi - lo <= 1e-15 * (1.0 + hi)):
                    break
                mid = 0.5 * (lo + hi)
                negative = eigs(mid, rows)[np.arange(len(rows)), branch] < 0
                lo, hi = np.where(negative, mid, lo), np.where(negative, hi, mid)
            out[rows] = 0.5 * (lo + hi)
        return out

    def bands(self, q=None) -> xr.Dataset:
        """Shiba bands: every root of det(1 - G0_chain(q, E) V) with |E| < e_max at each q.

        energy (q, band) |t| (ascending; padded with NaN beyond n_bands(q), which says how many there are)."""
        q = np.linspace(-np.pi, np.pi, 129) if q is None else np.atleast_1d(np.asarray(q, dtype=float))
        if q.ndim != 1 or not np.all(np.isfinite(q)):
            raise ParameterError("q", q, "finite momenta (1D array)")
        roots = [self._roots(float(x), -self.e_max, self.e_max) for x in q]
        width = max([len(r) for r in roots] + [1])
        energy = np.full((len(q), width), np.nan)
        for i, r in enumerate(roots):
            energy[i, :len(r)] = r
        ds = xr.Dataset({"energy": (("q", "band"), energy, {"units": ENERGY, "long_name": "Shiba band energy",
                                                             "note": "NaN beyond n_bands(q)"}),
                         "n_bands": ("q", np.array([len(r) for r in roots]), {"units": "1"})},
                        coords={"q": ("q", q, {"units": MOMENTUM_UNITS}), "band": ("band", np.arange(width),
                                                                                   {"units": "1"})})
        return finalize(ds, model=_Attrs(self.describe()), resolution=self._resolution(),
                        achieved_tolerance=self.line.achieved, window=self.e_max)

    def gap(self, n_q: int = 64) -> xr.Dataset:
        """The chain's gap E_gap = min_q E_+(q) (E_+ the lowest non-negative band energy, capped by the host gap).

        E_+ on ``n_q`` momenta in [0, 2 pi) (all at once, :meth:`_lowest_on_grid`), the minimum refined by
        Brent's method between the neighbours of the smallest sample (to 1e-12 in q), with the Chebyshev form of
        G0_chain on the narrowest of |E| <= (0.5, 0.75, 0.9) x host gap, e_max that holds the minimum with a
        margin (fewer points and terms than at e_max; J-independent, shared by :meth:`with_`).
        gap (|t|), q_min, lowest (q) = E_+(q)."""
        n_q = check_positive_int("n_q", n_q, 8)
        if self._gap is not None and self._gap[0] == n_q:
            return self._gap[1]
        q = 2 * np.pi * np.arange(n_q) / n_q
        low = self._lowest_on_grid(self._grid_coefficients(n_q))
        i = int(np.argmin(low))
        best_q, best = float(q[i]), float(low[i])
        if best > 0.0 and best < self.host.gap:
            top = next((f * self.host.gap for f in (0.5, 0.75, 0.9) if best < 0.8 * f * self.host.gap), self.e_max)
            step = 2 * np.pi / n_q
            r = optimize.minimize_scalar(lambda x: self.lowest_energy(x, top), bounds=(best_q - step, best_q + step),
                                         method="bounded", options={"xatol": 1e-12})
            if r.fun < best:
                best_q, best = float(np.mod(r.x, 2 * np.pi)), float(r.fun)
        ds = xr.Dataset({"gap": ((), best, {"units": ENERGY, "long_name": "chain gap min_q E_+(q)"}),
                         "q_min": ((), best_q, {"units": MOMENTUM_UNITS}),
                         "host_gap": ((), float(self.host.gap), {"units": ENERGY}),
                         "lowest": ("q", low, {"units": ENERGY, "long_name": "lowest non-negative band energy"})},
                        coords={"q": ("q", q, {"units": MOMENTUM_UNITS})})
        ds = finalize(ds, model=_Attrs(self.describe()), gapless=int(best < GAP_RESOLUTION), gap_resolution=GAP_RESOLUTION,
                      resolution=self._resolution(), achieved_tolerance=self.line.achieved)
        self._gap = (n_q, ds)
        return ds

    # ------------------------------------------------------------------ topological Hamiltonian
    def _at_zero(self, q: float) -> tuple[np.ndarray, float]:
        """(G0_chain(q, 0), sigma_min / sigma_max of it), converged at E = 0 alone; J-independent, cached."""
        cache = self._kernels.setdefault(("zero", self.cell), {})
        key = round(float(np.mod(q, 2 * np.pi)), 14)
        if key not in cache:
            g = self.line(key, 0.0)
            s = np.linalg.svd(g, compute_uv=False)
            cache[key] = (g, float(s[-1] / s[0]))
        return cache[key]

    def topological_hamiltonian(self, q: float) -> np.ndarray:
        """H_top(q) = V - G0_chain(q, 0)^-1 (|t|), (M n, M n).  ParameterError where G0_chain(q, 0) has a zero
        (sigma_min / sigma_max < ZERO_RESOLUTION): the Green's-function invariant is undefined there."""
        g, ratio = self._at_zero(q)
        if ratio < ZERO_RESOLUTION:
            raise ParameterError("chain Green's function", ratio,
                                 f"sigma_min / sigma_max of G0_chain(q, 0) >= {ZERO_RESOLUTION:g}",
                                 reason=f"G0_chain(q = {q:.6g}, E = 0) has a zero (sigma_min / sigma_max = "
                                        f"{ratio:.2g}): the topological Hamiltonian -G^-1 is undefined; "
                                        "use the strip (isingsc.impurities.strip)")
        h = self.V - np.linalg.inv(g)
        return 0.5 * (h + h.conj().T)

    def symmetry(self) -> SymmetryInfo:
        """Search for a site-local unitary chiral operator of H_top (module docstring)."""
        if self._symmetry is not None:
            return self._symmetry
        hs = [self.topological_hamiltonian(q) for q in _SYMMETRY_Q]
        self._symmetry = find_chiral_operator(hs, self.n, self.cell)
        return self._symmetry

    def symmetry_class(self) -> xr.Dataset:
        """Symmetry class "BDI" (chiral operator found: chiral_real/imag, its matrix) or "D"."""
        info = self.symmetry()
        data = {"residual": ((), info.residual, {"units": "1", "long_name": "max |S H + H S| / max |H|"})}
        if info.chiral is not None:
            data["chiral_real"] = (("row", "col"), info.chiral.real, {"units": "1"})
            data["chiral_imag"] = (("row", "col"), info.chiral.imag, {"units": "1"})
        ds = xr.Dataset(data)
        return finalize(ds, model=_Attrs(self.describe()), symmetry_class=info.symmetry_class, chiral_nullity=info.nullity)

    def _winding(self, s: np.ndarray) -> tuple[int, float]:
        e, u = np.linalg.eigh(s)
        up, um = u[:, e > 0], u[:, e < 0]

        def det_a(q):
            return np.linalg.det(up.conj().T @ self.topological_hamiltonian(q) @ um)

        qs = list(2 * np.pi * np.arange(64) / 64)
        vals = [det_a(q) for q in qs]
        i = 0
        while i < len(qs):  # refine where a phase step is not small (the loop must be resolved)
            j = (i + 1) % len(qs)
            step = abs(np.angle(vals[j] / vals[i]))
            q_next = qs[j] if j else 2 * np.pi
            if step > np.pi / 8 and q_next - qs[i] > 1e-9:
                mid = 0.5 * (qs[i] + q_next)
                qs.insert(i + 1, mid)
                vals.insert(i + 1, det_a(mid))
                continue
            i += 1
        w = phase_winding(np.asarray(vals))
        return round(w), abs(w - round(w))

    def invariant(self, n_q: int = 64) -> xr.Dataset:
        """The chain's invariant from its topological Hamiltonian, only on a gapped chain.

        BDI: the winding W (integer, q from 0 to 2 pi); D: nu = 0 / 1 from sign Pf A(0) Pf A(pi).  Also
        pfaffian_sign (both classes: (-1)^W in BDI), gap (|t|), min_singular (smallest sigma_min / sigma_max
        of G0_chain(q, 0) met).  ParameterError ("chain gap") on a gapless chain, or where G0_chain has zeros."""
        gap = float(self.gap(n_q).gap)
        if gap < GAP_RESOLUTION:
            raise ParameterError("chain gap", gap, f">= {GAP_RESOLUTION:g} |t|",
                                 reason=f"the chain is gapless (gap {gap:.3g} |t| < {GAP_RESOLUTION:g} |t|): at a "
                                        "phase transition no invariant is defined")
        info = self.symmetry()
        sign = z2_index(self.topological_hamiltonian(0.0), self.topological_hamiltonian(np.pi), half=2)
        winding, off = (None, 0.0)
        if info.symmetry_class == "BDI":
            winding, off = self._winding(info.chiral)
            value = winding
        else:
            value = 0 if sign > 0 else 1
        smin = min(ratio for _, ratio in self._kernels[("zero", self.cell)].values())
        data = {"invariant": ((), int(value), {"units": "1", "long_name": "winding W (BDI) or Z2 nu (D)"}),
                "pfaffian_sign": ((), int(sign), {"units": "1"}),
                "gap": ((), gap, {"units": ENERGY}),
                "min_singular": ((), smin, {"units": "1", "long_name": "min sigma_min/sigma_max of G0_chain(q, 0)"})}
        ds = xr.Dataset(data)
        return finalize(ds, model=_Attrs(self.describe()), symmetry_class=info.symmetry_class, topological=int(value != 0),
                        majoranas_per_end=abs(int(value)), winding_deviation=off, method="topological Hamiltonian "
                        "-G_imp(q, 0)^-1", resolution=self._resolution(),
                        achieved_tolerance=self.line.achieved)

    # ------------------------------------------------------------------ finite chains
    def _site_propagators(self, n_sites: int, e_top: float):
        """Callable E -> G0(n s d, E) for n = -(N-1) ... N-1, (2N-1, n, n), |E| <= e_top: the separations of the
        single-site line (:meth:`~isingsc.correlations.line.LineGreensFunction.separations`, momenta doubled
        until the images are below tol).  Returns (callable, achieved, number of momenta)."""
        sep = self._line(1).separations(e_top, reach=n_sites)
        return (lambda energy: sep.values(energy, n_sites - 1)), sep.achieved, sep.n_q

    def _finite_matrices(self, n_sites: int):
        moments = self.moments[np.arange(n_sites) % self.cell]
        V = chain_potential(moments, self.J, self.U, self.n_orbitals)
        v, w = np.linalg.eigh(V)
        keep = np.abs(v) > 1e-12 * max(1.0, float(np.abs(v).max()))
        return V, 1.0 / v[keep], w[:, keep]

    def end_states(self, n_sites: int, n_states: int = 4, window: float = 0.8) -> xr.Dataset:
        """The lowest ``n_states`` non-negative sub-gap energies (below ``window`` x host gap) of a finite chain
        of ``n_sites`` impurities in the infinite host and their weight per impurity site.

        energy (state) |t|; weight (state, site): |psi(R_j)|^2 on the impurity orbitals, normalised to 1 over
        the sites (psi = G0 W phi, phi the null vector of K(E)); the end states of a topological chain are the
        lowest pair, split by ~ exp(-N s |d| / xi)."""
        n_sites = check_positive_int("n_sites", n_sites, 2)
        if n_sites > MAX_SITES:
            raise ParameterError("n_sites", n_sites, f"2 <= N <= {MAX_SITES}")
        n_states = check_positive_int("n_states", n_states, 1)
        window = check_range("window", window, lo=0.0, hi=1.0 - EDGE_MARGIN, lo_open=True)
        e_top = window * self.host.gap
        g_of, change, n_q = self._site_propagators(n_sites, e_top)
        n = self.n
        idx = np.arange(n_sites)
        sep = idx[:, None] - idx[None, :] + (n_sites - 1)
        _, v_inv, w = self._finite_matrices(n_sites)

        def k_matrix(energy):
            g = g_of(energy)  # G0(R_i - R_j), R_i - R_j = (i - j) s d
            big = g[sep].transpose(0, 2, 1, 3).reshape(n_sites * n, n_sites * n)
            return np.diag(v_inv) - w.conj().T @ big @ w, big

        def eig(energy, k):
            return np.linalg.eigvalsh(k_matrix(energy)[0])[k]

        e0 = np.linalg.eigvalsh(k_matrix(0.0)[0])
        n0 = self._negatives(e0)
        n1 = self._negatives(np.linalg.eigvalsh(k_matrix(e_top)[0]))
        energies, weights = [], []
        for j in range(min(n_states, n0 - n1)):
            k = n0 - 1 - j
            lo = 0.0
            if eig(lo, k) >= 0:  # an exact zero (numerically): the root is at E = 0
                root = 0.0
            else:
                root = optimize.brentq(lambda e, k=k: eig(e, k), lo, e_top, xtol=1e-16, rtol=1e-15, maxiter=300)
            km, big = k_matrix(root)
            vals, vecs = np.linalg.eigh(km)
            phi = vecs[:, np.argmin(np.abs(vals))]
            psi = (big @ (w @ phi)).reshape(n_sites, n)  # psi = G0 V psi on the impurity sites, V psi = W phi
            wt = np.sum(np.abs(psi) ** 2, axis=1)
            energies.append(root)
            weights.append(wt / wt.sum())
        if not energies:
            energies, weights = [np.nan], [np.full(n_sites, np.nan)]
        ds = xr.Dataset({"energy": ("state", np.asarray(energies), {"units": ENERGY,
                                                                    "long_name": "sub-gap energy (>= 0)"}),
                         "weight": (("state", "site"), np.asarray(weights), {"units": "1",
                                                                             "long_name": "weight per impurity"})},
                        coords={"state": ("state", np.arange(len(energies)), {"units": "1"}),
                                "site": ("site", np.arange(n_sites), {"units": "1 (impurity index j)"})})
        return finalize(ds, model=_Attrs(self.describe()), n_sites=n_sites, n_subgap=int(n0 - n1), n_q=n_q,
                        achieved_tolerance=change, e_top=e_top, note="energy NaN: no sub-gap state in [0, e_top)" if
                        n0 == n1 else "")

    # ------------------------------------------------------------------ phase diagrams
    def phase_point(self) -> dict:
        """{gap (|t|), symmetry_class, invariant (None when gapless)} of this chain."""
        gap = float(self.gap().gap)
        info = self.symmetry()
        if gap < GAP_RESOLUTION:
            return {"gap": gap, "symmetry_class": info.symmetry_class, "invariant": None}
        return {"gap": gap, "symmetry_class": info.symmetry_class, "invariant": int(self.invariant().invariant)}

    def phase_diagram(self, J_values, angles, phi: float = 0.0) -> xr.Dataset:
        """Gap, invariant and class over exchange J (|t|) and the moments' polar angle theta (rad from z, at
        azimuth ``phi``; collinear chains).  invariant is NaN where the chain is gapless (``gapless`` = 1)."""
        J_values = np.atleast_1d(np.asarray(J_values, dtype=float))
        angles = np.atleast_1d(np.asarray(angles, dtype=float))
        for j in J_values:
            check_range("J", j, lo=0.0, hi=MAX_EXCHANGE, lo_open=True)
        for a in angles:
            check_range("theta", a, lo=-4 * np.pi, hi=4 * np.pi)
        gap = np.zeros((len(J_values), len(angles)))
        inv = np.full_like(gap, np.nan)
        cls = np.zeros(gap.shape, dtype=int)
        for i, j in enumerate(J_values):
            for k, a in enumerate(angles):
                p = self.with_(J=float(j), moments=tilted(a, phi)).phase_point()
                gap[i, k] = p["gap"]
                cls[i, k] = 1 if p["symmetry_class"] == "BDI" else 0
                if p["invariant"] is not None:
                    inv[i, k] = p["invariant"]
        ds = xr.Dataset({"gap": (("J", "theta"), gap, {"units": ENERGY}),
                         "invariant": (("J", "theta"), inv, {"units": "1", "note": "NaN where gapless"}),
                         "gapless": (("J", "theta"), (gap < GAP_RESOLUTION).astype(int), {"units": "1"}),
                         "chiral": (("J", "theta"), cls, {"units": "1", "long_name": "1: class BDI, 0: class D"})},
                        coords={"J": ("J", J_values, {"units": ENERGY}),
                                "theta": ("theta", angles, {"units": "rad (polar angle of the moments from z)"})})
        attrs = self.describe()
        for key in ("J", "moments"):
            attrs.pop(key)
        return finalize(ds, model=_Attrs(attrs), phi=phi, gap_resolution=GAP_RESOLUTION)


def find_chiral_operator(hamiltonians, n: int, cell: int, tol: float = 1e-8) -> SymmetryInfo:
    """A site-local Hermitian unitary S (blocks n x n per impurity) with S H + H S = 0 for all ``hamiltonians``
    and S^2 = 1, and T = S tau_x K squaring to +1 (class BDI); else class D.  The null space of the stacked
    linear equations (H^T (x) 1 + 1 (x) H) vec S = 0 restricted to block-diagonal S, by SVD."""
    dim = n * cell
    blocks = [(a * n, (a + 1) * n) for a in range(cell)]
    # the unknowns: the entries of each diagonal block
    cols = []
    for a0, a1 in blocks:
        for i in range(a0, a1):
            for j in range(a0, a1):
                cols.append((i, j))
    scale = max(float(np.abs(h).max()) for h in hamiltonians)
    rows = []
    for h in hamiltonians:
        hn = h / scale
        eye = np.eye(dim)
        full = np.kron(hn.T, eye) + np.kron(eye, hn)  # acts on vec(S) column-major: index j * dim + i
        rows.append(full[:, [j * dim + i for i, j in cols]])
    a = np.concatenate(rows)
    _, s, vh = np.linalg.svd(a, full_matrices=False)  # rows >= columns: vh is square either way
    s = np.concatenate([s, np.zeros(vh.shape[0] - len(s))])
    null = vh[s < tol].conj()
    mats = []
    for vec in null:
        m = np.zeros((dim, dim), dtype=complex)
        for (i, j), x in zip(cols, vec):
            m[i, j] = x
        mats += [m + m.conj().T, 1j * (m - m.conj().T)]
    # real-linear Hermitian basis (Gram-Schmidt on the Frobenius inner product)
    basis = []
    for m in mats:
        for b in basis:
            m = m - np.real(np.vdot(b, m)) * b
        if np.linalg.norm(m) > 1e-6:
            basis.append(m / np.linalg.norm(m))
    p = _particle_hole(dim)
    for cand in basis:
        sq = cand @ cand
        c = np.real(np.trace(sq)) / dim
        if c <= 0 or np.abs(sq - c * np.eye(dim)).max() > 1e-6 * c:
            continue
        op = cand / np.sqrt(c)
        # remove the arbitrary sign: the first nonzero diagonal-block trace against sigma_x tau_y-like choice
        t = op @ p @ op.conj() @ p
        if np.abs(t - np.eye(dim)).max() < 1e-6:
            res = max(float(np.abs(op @ h + h @ op).max() / np.abs(h).max()) for h in hamiltonians)
            return SymmetryInfo("BDI", _fix_sign(op), res, len(basis))
    res = float(s[-1]) if len(s) else 0.0
    return SymmetryInfo("D", None, res, len(basis))


def _particle_hole(dim: int) -> np.ndarray:
    """U_P = tau_x per [up, down, hole-up, hole-down] block (P = U_P K)."""
    return np.kron(np.eye(dim // 4), np.kron(SIGMAX, np.eye(2)))


def _fix_sign(op: np.ndarray) -> np.ndarray:
    """S and -S are both chiral operators; fix the sign so that the W convention is reproducible: the first
    impurity's block has a positive overlap with sigma_x tau_y (the paper's C), or else a positive first
    nonzero entry."""
    cref = np.kron(np.array([[0, -1j], [1j, 0]]), SIGMAX)  # tau_y (x) sigma_x in [particle, hole] x spin
    ov = np.real(np.vdot(cref, op[:4, :4]))
    if abs(ov) > 1e-8:
        return op if ov > 0 else -op
    flat = op.ravel()
    first = flat[np.argmax(np.abs(flat) > 1e-8)]
    return op if np.real(first) + np.imag(first) >= 0 else -op


__all__ = ["EDGE_MARGIN", "GAP_RESOLUTION", "ZERO_RESOLUTION", "MagneticChain", "SymmetryInfo", "chain_potential",
           "check_moments", "find_chiral_operator", "lattice_direction",
           "spiral", "tilted"]
