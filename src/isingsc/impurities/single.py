"""One magnetic impurity (Yu-Shiba-Rusinov states) in an infinite superconducting host, by the T-matrix.

A classical spin of unit direction m with exchange J (and an optional potential U) on the site R = 0
acts on the host orbitals of that site (``host.indices``, per orbital [up, down, hole-up, hole-down])
through the Nambu potential

    V = diag(h, -h^*) per orbital,     h = J m.sigma + U                                   (|t|)

(the package's convention: an on-site normal term h enters the hole block as -h^*).  With the host's
Green's function G0(R, E) (:class:`~isingsc.correlations.host.HostGreensFunction`; the Zeeman field
is part of the host, so the impurity site feels it as every host site does):

* **bound states** are the zeros of det(1 - G0(0, E) V) inside the gap.  On the range of V
  (V = Q v Q^dagger, v the non-zero eigenvalues) Sylvester's identity gives
  det(1 - G0 V) = det(v) det K(E) with

      K(E) = v^-1 - Q^dagger G0(0, E) Q,

  Hermitian for real E in the gap.  Since dG0/dE = -P (E - H)^-2 P^dagger = -B B^dagger
  (B = P (E - H)^-1 of full row rank), dK/dE is positive definite: every ordered eigenvalue
  lambda_i(E) of K increases strictly (Weyl), crosses zero at most once, and the number of bound
  states in (a, b) is the number of negative eigenvalues at a minus that at b (Sylvester's law of
  inertia).  Each crossing branch is bracketed and solved with brentq (no broadening, no scan).
  A singular V (U = +-J, J = U = 0) is handled by the restriction to its range.
* **LDOS** rho(R, E) = -(1/pi) Im tr_particle G(R, R, E + i eta) with
  G(R, R) = G0(0) + G0(R) T G0(-R), T = (1 - V G0(0))^-1 V (G0(R) = <R|G0|0>).
* **tip dI/dV** = int rho(R, E) [-f'(E - eV)] dE at the junction temperature
  (:func:`isingsc.spectroscopy.bulk.thermal_conductance`).

``lattice_size = L`` replaces the infinite host by the finite L x L periodic lattice (the same host
Hamiltonian summed over the L x L grid of momenta k = (i b1 + j b2)/L): the T-matrix is then exact
for that finite lattice (equal to the exact diagonalisation of the lattice with the impurity).

The bound-state search evaluates G0(0, E) with :meth:`~isingsc.correlations.host.HostGreensFunction.local`
(one spectral decomposition per Brillouin-zone quadrature, shared by nearby energies, refined until two
successive quadratures agree to the host's ``tol`` at every energy the root search asks for), so that
each energy of the search costs two weighted sums, not a new quadrature.

Energies in |t|, lengths in lattice constants a, spin expectations in units of hbar/2.
Sources: L. Yu, Acta Phys. Sin. 21, 75 (1965); H. Shiba, Prog. Theor. Phys. 40, 435 (1968);
A. I. Rusinov, JETP Lett. 9, 85 (1969); Salkola, Balatsky, Schrieffer, PRB 55, 12648 (1997);
G. Sharma and S. Tewari, PRB 94, 094515 (2016) (Ising superconductors; review Sec. 5).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from isingsc.core.errors import (
    ConvergenceError,
    ParameterError,
    check_positive_int,
    check_range,
    check_unit_vector,
)
from isingsc.core.field import as_field, direction
from isingsc.core.results import finalize
from isingsc.correlations.host import HostGreensFunction
from isingsc.lattice.triangular import LATTICE
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ

#: Near the gap edge, where G0 may not converge to the host's tolerance, the inertia of K(E) (the number of
#: bound states below E) is taken from G0 converged to CERTIFY_TOL when every |eigenvalue| of K exceeds
#: CERTIFY_SAFETY x (the achieved relative change) x ||Q^dagger G0 Q|| (Weyl: the count is then exact).
CERTIFY_TOL = 1e-3
CERTIFY_SAFETY = 10.0
#: Largest |J| and |U| accepted (|t|).
MAX_EXCHANGE = 100.0
#: The default bound-state window is (-(1 - EDGE_MARGIN) E_g, (1 - EDGE_MARGIN) E_g): states closer to
#: the gap edge than this fraction of the gap extend over > 1/sqrt(2 EDGE_MARGIN) ~ 7 coherence lengths
#: and merge with the continuum edge (ask for them with an explicit window; the quadrature there needs
#: k resolution ~ sqrt(2 EDGE_MARGIN) E_g / v_F, which in-plane fields on Ising hosts make expensive).
EDGE_MARGIN = 1e-2
#: Margins tried in turn when the default window's edges need a quadrature beyond the memory limit (a host
#: whose gap is small against Delta, e.g. the heterostructure's proximitised TMD band); the window used is
#: in the result's attrs.
WIDER_MARGINS = (0.05, 0.2)
#: Largest finite lattice (lattice_size) and LDOS map side.
MAX_LATTICE = 2048
MAX_MAP = 1023
#: Largest number of energies of one LDOS / conductance call.
MAX_ENERGIES = 20001
#: Eigenvalues of V below this fraction of its largest are treated as zero (V restricted to its range).
RANGE_CUTOFF = 1e-12
SPIN = (SIGMAX, SIGMAY, SIGMAZ)


def moment_direction(polar: float, azimuth: float = 0.0) -> np.ndarray:
    """Unit vector (sin th cos ph, sin th sin ph, cos th) of polar angle th from z and azimuth ph (rad)."""
    th = check_range("moment polar angle", polar, lo=-2 * math.pi, hi=2 * math.pi)
    ph = check_range("moment azimuth", azimuth, lo=-4 * math.pi, hi=4 * math.pi)
    return direction(th, ph)


def impurity_potential(J: float, moment, U: float = 0.0, n_orbitals: int = 1) -> np.ndarray:
    """Nambu potential V = diag(h, -h^*), h = J m.sigma + U, on ``n_orbitals`` orbitals, in the order of
    ``HostGreensFunction.indices`` (per orbital [up, down, hole-up, hole-down]); shape (4 n, 4 n), |t|."""
    m = check_unit_vector("moment", moment)
    h = J * (m[0] * SIGMAX + m[1] * SIGMAY + m[2] * SIGMAZ) + U * np.eye(2)
    block = np.zeros((4, 4), dtype=complex)
    block[:2, :2] = h
    block[2:, 2:] = -h.conj()
    return np.kron(np.eye(n_orbitals), block)


class MagneticImpurity:
    """A classical magnetic impurity (exchange J along the unit vector ``moment``, potential U) on the site
    R = 0 of a superconducting host, solved by the T-matrix.

    Parameters
    ----------
    host : a :class:`~isingsc.correlations.host.HostGreensFunction`, or a model (catalogue name,
        ResolvedModel, NambuModel) from which one is built with ``delta``, ``field``, ``orbitals``, ``tol``.
    J : exchange energy (|t|), |J| <= 100; the impurity adds J m.sigma on each host orbital of the site.
    moment : unit 3-vector m (any direction; :func:`moment_direction` from angles in radians).
    U : potential scattering (|t|), |U| <= 100.
    lattice_size : None (the infinite host) or L: the finite L x L periodic lattice (2 <= L <= 2048).
    """

    def __init__(self, host, J: float, moment=(0.0, 0.0, 1.0), U: float = 0.0, *, delta: float | None = None,
                 field=None, orbitals=None, tol: float = 1e-10, lattice_size: int | None = None):
        self.J = check_range("J", J, lo=-MAX_EXCHANGE, hi=MAX_EXCHANGE)
        self.U = check_range("U", U, lo=-MAX_EXCHANGE, hi=MAX_EXCHANGE)
        self.moment = check_unit_vector("moment", moment)
        if lattice_size is not None:
            lattice_size = check_positive_int("lattice_size", lattice_size, 2)
            if lattice_size > MAX_LATTICE:
                raise ParameterError("lattice_size", lattice_size, f"an integer 2 ... {MAX_LATTICE}")
        self.lattice_size = lattice_size
        if isinstance(host, HostGreensFunction):
            if delta is not None or field is not None or orbitals is not None:
                raise ParameterError("delta/field/orbitals", (delta, field, orbitals),
                                     "None when a HostGreensFunction is given (they are the host's)")
            self.host = host
        else:
            self.host = HostGreensFunction(host, delta, as_field(field), orbitals=orbitals, tol=tol)
        self.potential = impurity_potential(self.J, self.moment, self.U, len(self.host.orbitals))
        n = len(self.host.indices)
        # particle components of host.indices (per orbital: up, down)
        self._particle = np.array([i for i in range(n) if i % 4 < 2])

    # ------------------------------------------------------------------ helpers
    def describe(self) -> dict:
        """Attrs of a result: the host's plus the impurity's parameters."""
        out = dict(self.host.describe())
        out.update(J=self.J, U=self.U, moment=list(self.moment),
                   host=("infinite" if self.lattice_size is None else
                         f"{self.lattice_size} x {self.lattice_size} periodic lattice"),
                   method="T-matrix: bound states det(1 - G0 V) = 0 by inertia counts + brentq")
        out.update(self.host.field.attrs())
        return out

    @property
    def gap(self) -> float:
        """The host's quasiparticle gap (|t|); for a finite lattice, its smallest |E| on the L x L grid."""
        if self.lattice_size is not None:
            g = float(np.min(np.abs(self.host.torus_sum(self.lattice_size).energies)))
            if g <= 0:
                raise ParameterError("host gap", g, "a gapped host")
            return g
        return self.host.gap

    def _range(self):
        """(Q, v): V = Q diag(v) Q^dagger on its range."""
        v, q = np.linalg.eigh(self.potential)
        keep = np.abs(v) > RANGE_CUTOFF * max(float(np.max(np.abs(v))), 1e-300)
        return q[:, keep], v[keep]

    # ------------------------------------------------------------------ bound states
    def bound_states(self, window=None) -> xr.Dataset:
        """All sub-gap bound states in ``window`` = (a, b), -E_g < a < b < E_g (default
        +-(1 - EDGE_MARGIN) E_g): the zeros of det(1 - G0(0, E) V), exact (no broadening).

        Returns a Dataset over ``state`` (ascending energy): ``energy`` (|t|), ``energy_over_delta``,
        ``energy_over_gap``, and the character of each state on the impurity site (its amplitude
        phi = G0(0, E) Q w, w the null vector of K(E)): ``particle_weight`` sum|u|^2 / sum(|u|^2 + |v|^2),
        ``spin`` (u^dag sigma u - v^dag sigma^* v) / sum(|u|^2 + |v|^2) (hbar/2; the quasiparticle's spin),
        ``orbital_weight`` per host orbital.  attrs: the count, the window, the achieved tolerance of
        G0 (relative change between the last two quadratures at the roots; the inertia of K at the window
        ends is certified: every |eigenvalue| exceeds CERTIFY_SAFETY x its error estimate)."""
        gap = self.gap  # raises ParameterError("host gap") for a gapless host, before any other work
        if window is None:
            a, b = -(1 - EDGE_MARGIN) * gap, (1 - EDGE_MARGIN) * gap
        else:
            try:
                a, b = (float(x) for x in window)
            except (TypeError, ValueError):
                raise ParameterError("window", window, f"(a, b) with -{gap:.6g} < a < b < {gap:.6g} |t|") from None
            if not (math.isfinite(a) and math.isfinite(b) and -gap < a < b < gap):
                raise ParameterError("window", window, f"(a, b) with -E_g < a < b < E_g = {gap:.6g} |t| "
                                     "(inside the host gap)")
        q, v = self._range()
        if len(v) == 0:  # no potential at all
            return self._states_dataset([], [], a, b, gap, 0.0, "no potential (J = U = 0)")
        vinv = np.diag(1.0 / v)

        achieved = [0.0]
        if self.lattice_size is not None:
            torus = self.host.torus_sum(self.lattice_size)
            local, resolution = torus, torus.resolution
        else:
            resolution = []

            def certified(p) -> bool:
                """Every |eigenvalue| of K from this G0 exceeds CERTIFY_SAFETY x its error bound (Weyl)."""
                g = q.conj().T @ p.values @ q
                margin = float(np.min(np.abs(np.linalg.eigvalsh(vinv - 0.5 * (g + g.conj().T)))))
                return margin > CERTIFY_SAFETY * p.achieved * float(np.linalg.norm(g, 2))

            def local(energy):
                if energy == a or energy == b:
                    # a window edge: only the inertia of K matters there; the quadratures the search builds
                    # anyway (those of E = 0) often certify it, which saves the edge's much finer ones
                    p = self.host.estimate(energy, gap)
                    if certified(p):
                        return p.values
                try:
                    p = self.host.local(energy)  # converged to the host's tol at every energy of the search
                except ConvergenceError:
                    # near the gap edge G0 may not reach tol; a looser G0 certifies the inertia when its
                    # eigenvalues are far enough from zero
                    p = self.host.local(energy, tol=CERTIFY_TOL)
                    if not certified(p):
                        raise
                    return p.values
                achieved[0] = max(achieved[0], p.achieved)
                resolution[:] = [p.resolution]
                return p.values

        def kernel(energy):
            k = vinv - q.conj().T @ local(energy) @ q
            return 0.5 * (k + k.conj().T)

        margins = WIDER_MARGINS if window is None and self.lattice_size is None else ()
        while True:
            try:
                roots, vectors = self._roots(kernel, a, b)
                break
            except ConvergenceError:
                # the default window's edges need the finest quadratures (the integrand's width there is
                # sqrt(E_g^2 - E^2)); a host whose small gap makes them too large gets a narrower window,
                # stated in the result (states within the margin of the gap edge are not searched)
                if not margins:
                    raise
                b = (1 - margins[0]) * gap
                a, margins = -b, margins[1:]
        res = resolution if isinstance(resolution, str) else (resolution[0] if resolution else "")
        return self._states_dataset(roots, vectors, a, b, gap, achieved[0], res, local, q)

    @classmethod
    def _roots(cls, kernel, a: float, b: float):
        """Zeros of the ordered eigenvalues of the Hermitian, strictly increasing K(E) in (a, b).

        For a symmetric window only (0, b) is searched: the BdG particle-hole symmetry (V and the host
        are particle-hole symmetric by construction) maps each root E to -E, so the roots in (a, 0) are
        the mirror images (their count is checked by the inertia at a)."""
        if a == -b:
            n0 = int(np.sum(np.linalg.eigvalsh(kernel(0.0)) < 0))
            na = int(np.sum(np.linalg.eigvalsh(kernel(a)) < 0))
            roots, vectors = cls._roots(kernel, 0.0, b)
            if na - n0 == len(roots):
                mirrored = [(-e, None) for e in roots[::-1]]
                pairs = mirrored + list(zip(roots, vectors))
                return [e for e, _ in pairs], [v if v is not None else _null_vector(kernel(e)) for e, v in pairs]
        la, lb = np.linalg.eigvalsh(kernel(a)), np.linalg.eigvalsh(kernel(b))
        na, nb = int(np.sum(la < 0)), int(np.sum(lb < 0))
        if nb > na:
            raise ConvergenceError(f"the eigenvalues of K(E) = V^-1 - G0(E) decrease between {a:.6g} and {b:.6g}: "
                                   "G0 is not accurate enough (they must increase)", quantity="K(E) inertia")
        roots, vectors = [], []
        for i in range(nb, na):  # branch i: lambda_i(a) < 0 < lambda_i(b)
            def branch(e, i=i):
                return float(np.linalg.eigvalsh(kernel(e))[i])

            e0 = brentq(branch, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
            _, x = np.linalg.eigh(kernel(e0))
            roots.append(e0)
            vectors.append(x[:, i])
        order = np.argsort(roots)
        return [roots[j] for j in order], [vectors[j] for j in order]

    def _states_dataset(self, roots, vectors, a, b, gap, achieved, resolution, spectral=None, q=None):
        host = self.host
        n_orb = len(host.orbitals)
        energies = np.asarray(roots, dtype=float)
        pw = np.zeros(len(roots))
        spin = np.zeros((len(roots), 3))
        ow = np.zeros((len(roots), n_orb))
        for s, (e0, w) in enumerate(zip(roots, vectors)):
            phi = spectral(e0) @ (q @ w)  # amplitude on the impurity site, per host index
            norm = float(np.sum(np.abs(phi) ** 2))
            blocks = phi.reshape(n_orb, 4)
            u, vv = blocks[:, :2], blocks[:, 2:]
            pw[s] = float(np.sum(np.abs(u) ** 2)) / norm
            for c, sig in enumerate(SPIN):
                spin[s, c] = float(np.real(np.einsum("oa,ab,ob->", u.conj(), sig, u)
                                           - np.einsum("oa,ab,ob->", vv.conj(), sig.conj(), vv))) / norm
            ow[s] = np.sum(np.abs(blocks) ** 2, axis=1) / norm
        ds = xr.Dataset(
            {"energy": ("state", energies, {"units": "|t|", "long_name": "bound-state energy E"}),
             "energy_over_delta": ("state", energies / host.delta, {"units": "Delta (host pairing amplitude)"}),
             "energy_over_gap": ("state", energies / gap, {"units": "E_g (host quasiparticle gap)"}),
             "particle_weight": ("state", pw, {"units": "1", "long_name": "particle weight on the impurity site"}),
             "spin": (("state", "component"), spin, {"units": "hbar/2", "long_name": "quasiparticle spin on the "
                                                                                     "impurity site, normalised"}),
             "orbital_weight": (("state", "orbital"), ow, {"units": "1"})},
            coords={"state": ("state", np.arange(len(roots)), {"units": "1"}),
                    "component": ("component", ["x", "y", "z"], {"units": "1"}),
                    "orbital": ("orbital", list(host.orbitals), {"units": "1"})})
        return finalize(ds, model=self, gap=gap, window=[a, b], n_bound_states=len(roots),
                        achieved_tolerance=achieved, tolerance=host.tol, resolution=resolution,
                        root_tolerance="brentq xtol 1e-15 |t|, rtol 4 eps")

    # ------------------------------------------------------------------ LDOS
    def _check_eta(self, eta) -> float:
        return check_range("eta", eta, lo=0.0, hi=1.0, lo_open=True)

    def _propagators(self, z: complex, offsets: np.ndarray) -> tuple[np.ndarray, float, str]:
        if self.lattice_size is None:
            p = self.host.propagators(z, offsets)
            return p.values, p.achieved, p.resolution
        L = self.lattice_size
        g = self.host.torus_grid(z, L)
        return g[offsets[:, 0] % L, offsets[:, 1] % L], 0.0, f"{L} x {L} periodic lattice (exact)"

    def _t_matrix(self, g00: np.ndarray) -> np.ndarray:
        n = len(g00)
        return np.linalg.solve(np.eye(n) - self.potential @ g00, self.potential)

    def ldos(self, energies, eta: float, sites=((0, 0),)) -> xr.Dataset:
        """LDOS rho(R, E) = -(1/pi) Im tr_particle G(R, R, E + i eta) at the ``sites`` (integer offsets
        (n1, n2): R = n1 a1 + n2 a2), with G(R, R) = G0(0) + G0(R) T G0(-R), T = (1 - V G0(0))^-1 V,
        summed over the host orbitals; ``ldos_host`` is the clean host's.  States per |t| per site.
        Each energy costs one converged FFT grid of the host (host.propagators)."""
        eta = self._check_eta(eta)
        e = _energies(energies)
        sites = _sites(sites)
        m = len(sites)
        offsets = np.concatenate([np.zeros((1, 2), dtype=int), sites, -sites])
        rho = np.empty((m, len(e)))
        rho0 = np.empty(len(e))
        worst, resolution = 0.0, ""
        p = self._particle
        for j, ej in enumerate(e):
            g, achieved, resolution = self._propagators(complex(ej, eta), offsets)
            worst = max(worst, achieved)
            g00, g_r, g_mr = g[0], g[1:m + 1], g[m + 1:]
            t = self._t_matrix(g00)
            corr = np.einsum("sab,bc,sca->s", g_r[:, p, :], t, g_mr[:, :, p])
            rho[:, j] = -(np.trace(g00[np.ix_(p, p)]).imag + corr.imag) / np.pi
            rho0[j] = -np.trace(g00[np.ix_(p, p)]).imag / np.pi
        x, y = _cartesian(sites)
        ds = xr.Dataset(
            {"ldos": (("site", "energy"), rho, {"units": "states/|t| per site", "long_name": "LDOS with impurity"}),
             "ldos_host": ("energy", rho0, {"units": "states/|t| per site", "long_name": "clean host LDOS"})},
            coords={"site": ("site", np.arange(m), {"units": "1"}), "energy": ("energy", e, {"units": "|t|"}),
                    "n1": ("site", sites[:, 0], {"units": "a1"}), "n2": ("site", sites[:, 1], {"units": "a2"}),
                    "x": ("site", x, {"units": "a"}), "y": ("site", y, {"units": "a"})})
        return finalize(ds, model=self, eta=eta, achieved_tolerance=worst, tolerance=self.host.tol,
                        resolution=resolution)

    def ldos_map(self, energy: float, eta: float, size: int = 64) -> xr.Dataset:
        """LDOS map rho(R, E) on the size x size sites n1, n2 in range(-size//2, size - size//2) around the
        impurity (one converged FFT grid of the host, then vectorised 4x4 products).  States per |t| per site."""
        eta = self._check_eta(eta)
        e0 = check_range("energy", energy, lo=-10.0, hi=10.0)
        if isinstance(size, bool) or int(size) != size or not 1 <= int(size) <= MAX_MAP:
            raise ParameterError("size", size, f"an integer 1 ... {MAX_MAP}")
        size = int(size)
        gsize = size + 1 if size % 2 == 0 else size  # a symmetric grid holds R and -R
        z = complex(e0, eta)
        if self.lattice_size is None:
            p = self.host.grid(z, gsize)
            grid, achieved, resolution = p.values, p.achieved, p.resolution
        else:
            L = self.lattice_size
            full = self.host.torus_grid(z, L)
            ns = np.arange(-(gsize // 2), gsize - gsize // 2)
            grid = full[np.ix_(ns % L, ns % L)]
            achieved, resolution = 0.0, f"{L} x {L} periodic lattice (exact)"
        rho, rho0 = self._map_from_grid(grid, size)
        ns = np.arange(-(size // 2), size - size // 2)
        n1, n2 = np.meshgrid(ns, ns, indexing="ij")
        x, y = _cartesian(np.stack([n1, n2], -1))
        ds = xr.Dataset(
            {"ldos": (("n1", "n2"), rho, {"units": "states/|t| per site", "long_name": "LDOS with impurity"}),
             "ldos_host": ((), rho0, {"units": "states/|t| per site", "long_name": "clean host LDOS"})},
            coords={"n1": ("n1", ns, {"units": "a1"}), "n2": ("n2", ns, {"units": "a2"}),
                    "x": (("n1", "n2"), x, {"units": "a"}), "y": (("n1", "n2"), y, {"units": "a"})})
        return finalize(ds, model=self, energy=e0, eta=eta, achieved_tolerance=achieved, tolerance=self.host.tol,
                        resolution=resolution)

    def _map_from_grid(self, grid: np.ndarray, size: int):
        """rho over the map from G0 on the symmetric gsize grid (vectorised: one batched matmul)."""
        c = grid.shape[0] // 2  # index of offset 0 in the symmetric grid
        g00 = grid[c, c]
        t = self._t_matrix(g00)
        p = self._particle
        lo = c - size // 2
        sl = slice(lo, lo + size)
        g_r = grid[sl, sl][:, :, p, :]  # G0(R) particle rows
        flipped = grid[::-1, ::-1]  # G0(-R) at the position of R
        g_mr = flipped[sl, sl][:, :, :, p]
        corr = np.einsum("xyab,xyba->xy", g_r @ t, g_mr)
        rho0 = -np.trace(g00[np.ix_(p, p)]).imag / np.pi
        return rho0 - corr.imag / np.pi, float(rho0)

    # ------------------------------------------------------------------ tip conductance
    def conductance(self, bias, temperature: float, eta: float, site=(0, 0), n_energy: int | None = None) -> xr.Dataset:
        """Tip dI/dV(V) = int rho(R, E) [-f'(E - eV)] dE at the junction ``temperature`` (|t|, k_B = 1), from the
        LDOS on a uniform energy grid (default spacing min(eta, T)/4 over the bias range +- 20 T; or
        ``n_energy`` points) by :func:`isingsc.spectroscopy.bulk.thermal_conductance`.  In states per |t| per
        site (dI/dV / (G_tip-junction constant)); ``dIdV_host``: the clean host's."""
        from isingsc.spectroscopy.bulk import thermal_conductance

        T = check_range("temperature", temperature, lo=0.0, hi=1.0)
        eta = self._check_eta(eta)
        v = _energies(bias, "bias")
        site = _sites([site])
        lo, hi = float(v.min()) - 20 * T, float(v.max()) + 20 * T
        if n_energy is None:
            step = min(eta, T) / 4 if T > 0 else eta / 4
            n = math.ceil((hi - lo) / step) + 1
        else:
            n = check_positive_int("n_energy", n_energy, 2)
        if n > MAX_ENERGIES:
            raise ParameterError("n_energy", n, f"at most {MAX_ENERGIES} energies (a wider eta or temperature, or "
                                 "a narrower bias range)")
        if hi - lo <= 0:
            lo, hi = lo - eta, hi + eta
        grid = np.linspace(lo, hi, max(n, 2))
        rho = self.ldos(grid, eta, site)
        g = thermal_conductance(grid, rho.ldos.values[0], v, T)
        g0 = thermal_conductance(grid, rho.ldos_host.values, v, T)
        ds = xr.Dataset(
            {"dIdV": ("bias", g, {"units": "states/|t| per site (dI/dV over the tip constant)"}),
             "dIdV_host": ("bias", g0, {"units": "states/|t| per site"})},
            coords={"bias": ("bias", v, {"units": "|t| (eV)"})})
        return finalize(ds, model=self, temperature=T, eta=eta, site=list(site[0]), n_energy=len(grid),
                        energy_grid=[lo, hi], achieved_tolerance=rho.attrs["achieved_tolerance"],
                        tolerance=self.host.tol, resolution=rho.attrs["resolution"])


# ------------------------------------------------------------------ scans
def bound_states_versus_exchange(host, exchanges, moment=(0.0, 0.0, 1.0), U: float = 0.0) -> xr.Dataset:
    """Bound-state energies for each J of ``exchanges`` (|t|) on one host: flat over ``state`` with the
    ``J`` of each state (the count may change with J), and ``n_bound_states`` per J."""
    js = _energies(exchanges, "exchanges")
    for j in js:
        check_range("J", j, lo=-MAX_EXCHANGE, hi=MAX_EXCHANGE)
    check_unit_vector("moment", moment)
    host = host if isinstance(host, HostGreensFunction) else HostGreensFunction(host)
    _ = host.gap  # a gapless host is refused before the scan
    rows, counts, worst = [], [], 0.0
    for j in js:
        ds = MagneticImpurity(host, float(j), moment, U).bound_states()
        counts.append(ds.sizes["state"])
        worst = max(worst, float(ds.attrs["achieved_tolerance"]))
        rows += [(float(j), float(e), float(pw)) for e, pw in zip(ds.energy.values, ds.particle_weight.values)]
    arr = np.array(rows).reshape(-1, 3)
    out = xr.Dataset(
        {"energy": ("state", arr[:, 1], {"units": "|t|"}),
         "energy_over_delta": ("state", arr[:, 1] / host.delta, {"units": "Delta"}),
         "particle_weight": ("state", arr[:, 2], {"units": "1"}),
         "n_bound_states": ("exchange", np.array(counts), {"units": "1"})},
        coords={"state": ("state", np.arange(len(arr)), {"units": "1"}),
                "J": ("state", arr[:, 0], {"units": "|t|"}),
                "exchange": ("exchange", js, {"units": "|t|"})})
    return finalize(out, model=host, U=U, moment=list(check_unit_vector("moment", moment)), gap=host.gap,
                    achieved_tolerance=worst, tolerance=host.tol)


def bound_states_versus_field_direction(model, J: float, strength: float, polar_angles, *, azimuth: float = 0.0,
                                        moment=None, U: float = 0.0, delta: float | None = None,
                                        orbitals=None, tol: float = 1e-10) -> xr.Dataset:
    """Bound-state energies against the polar angle theta (rad, from z) of a Zeeman field of energy
    ``strength`` (|t|) at in-plane ``azimuth``: V = strength (sin th cos ph, sin th sin ph, cos th).
    ``moment``: a fixed unit vector, or None for a moment parallel to the field (a free classical spin
    aligned by it).  Flat over ``state`` with the ``field_polar`` of each state; ``gap`` per angle."""
    J = check_range("J", J, lo=-MAX_EXCHANGE, hi=MAX_EXCHANGE)
    strength = check_range("field strength", strength, lo=0.0, hi=5.0)
    ths = _energies(polar_angles, "polar_angles")
    fixed = None if moment is None else check_unit_vector("moment", moment)
    rows, gaps, counts, worst, name = [], [], [], 0.0, ""
    for th in ths:
        direction = moment_direction(float(th), azimuth)
        imp = MagneticImpurity(model, J, direction if fixed is None else fixed, U, delta=delta,
                               field=strength * direction, orbitals=orbitals, tol=tol)
        ds = imp.bound_states()
        gaps.append(float(ds.attrs["gap"]))
        counts.append(ds.sizes["state"])
        worst = max(worst, float(ds.attrs["achieved_tolerance"]))
        rows += [(float(th), float(e)) for e in ds.energy.values]
        host = imp.host
        name = host.resolved.name
    arr = np.array(rows).reshape(-1, 2)
    out = xr.Dataset(
        {"energy": ("state", arr[:, 1], {"units": "|t|"}),
         "energy_over_delta": ("state", arr[:, 1] / host.delta, {"units": "Delta"}),
         "gap": ("angle", np.array(gaps), {"units": "|t|"}),
         "n_bound_states": ("angle", np.array(counts), {"units": "1"})},
        coords={"state": ("state", np.arange(len(arr)), {"units": "1"}),
                "field_polar": ("state", arr[:, 0], {"units": "rad"}),
                "angle": ("angle", ths, {"units": "rad", "long_name": "field polar angle from z"})})
    return finalize(out, model=host.resolved, host_name=name, J=J, U=U, delta=host.delta, field_strength=strength,
                    field_azimuth=azimuth, moment="parallel to the field" if fixed is None else list(fixed),
                    achieved_tolerance=worst, tolerance=tol)


# ------------------------------------------------------------------ small helpers
def _null_vector(k: np.ndarray) -> np.ndarray:
    """The eigenvector of the Hermitian ``k`` whose eigenvalue is closest to zero."""
    w, x = np.linalg.eigh(k)
    return x[:, int(np.argmin(np.abs(w)))]


def _energies(values, name: str = "energies") -> np.ndarray:
    try:
        e = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise ParameterError(name, values, "finite real numbers") from None
    if e.ndim != 1 or len(e) == 0 or len(e) > MAX_ENERGIES or not np.all(np.isfinite(e)):
        raise ParameterError(name, f"{e.size} values", f"1 ... {MAX_ENERGIES} finite real numbers")
    return e


def _sites(sites) -> np.ndarray:
    s = np.asarray(sites)
    if s.ndim == 1 and s.shape == (2,):
        s = s[None]
    if s.ndim != 2 or s.shape[1] != 2 or len(s) == 0 or not np.all(np.isfinite(s)) \
            or not np.all(np.equal(np.mod(s, 1), 0)) or np.max(np.abs(s)) > MAX_MAP // 2:
        raise ParameterError("sites", np.shape(sites), f"integer offsets (n1, n2), shape (m, 2), |n| <= {MAX_MAP // 2}")
    return s.astype(int)


def _cartesian(n: np.ndarray):
    r = np.asarray(n, dtype=float) @ LATTICE.primitive
    return r[..., 0], r[..., 1]


__all__ = ["EDGE_MARGIN", "MAX_EXCHANGE", "MagneticImpurity", "bound_states_versus_exchange",
           "bound_states_versus_field_direction", "impurity_potential", "moment_direction"]
