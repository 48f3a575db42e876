"""Vertical (momentum-conserving) Josephson junctions between two electrodes of any catalogue model.

The stack
---------
Two electrodes (each a :class:`~isingsc.models.base.NambuModel`: a monolayer of the intrinsic Ising
superconductor as NbSe2, a family model, a model file) face each other through a barrier.  The
in-plane momentum k is conserved (aligned van der Waals flakes), so the junction is a small Nambu
matrix per k.  In the particle sector, with layers L, B_1 .. B_N, R (N >= 0 explicit
ferromagnetic-insulator layers),

    H(k) = | H_L(k)   T                      |
           | T^dag    H_B(k)   T             |        T = t0 + t_m m.sigma   (spin-dependent tunnelling,
           |          T^dag    ...      T    |                               m a unit vector, on every
           |                   T^dag  H_R(k) |                               orbital of a contact)
    H_B(k) = (U + 2 t_b C(k)) sigma_0 + J m.sigma  (insulator gap U > 0 above E_F, exchange J along m)

and the Nambu matrix of the stack is [[H(k), D], [D^dag, -H(-k)^*]] in the package's basis
(particles of every layer, then holes), D = diag(D_L, 0, .., 0, D_R e^{i phi}) with the electrodes'
own pairing blocks (on-site singlet Delta (-i sigma_y) on their pairing orbitals).  phi is the phase
of the right electrode relative to the left one.  The electrodes keep a fixed gap Delta (not
self-consistent: the proximity change of Delta at a tunnel barrier is of order t0^2 and is left out).

Stacking: the right electrode rotated by ``stacking`` (a multiple of 60 deg, so that the two lattices
coincide and k stays a good quantum number) has H_R'(k) = U H_R(R^-1 k) U^dag with
U = exp(-i stacking sigma_z / 2) on every orbital.  For the Ising SOC 2 beta S(k) sigma_z,
S(R_60 k) = -S(k): the 60-degree (2H-like) stacking reverses the Ising field of the right electrode.

Free energy and current
-----------------------
Per unit cell (k_B = 1, energies in |t|), with E_n(k, phi) the Nambu eigenvalues of the stack,

    F(phi, T) = < sum_n G_T(E_n(k, phi)) >_BZ,      G_T(E) = -(T/2) ln(2 cosh(E / 2T))

(the BdG doubling counted once: sum over all 2 x dim eigenvalues with the factor 1/2), and the
supercurrent by Hellmann-Feynman (no finite differences)

    I(phi) = (2e/hbar) dF/dphi = (2e/hbar) < sum_n G_T'(E_n) <n| dH/dphi |n> >_BZ,
    G_T'(E) = -(1/4) tanh(E / 2T),   dH/dphi = [[0, i D_R e^{i phi}], [-i D_R^dag e^{-i phi}, 0]] (right electrode).

Units: F in |t| per unit cell of the junction area; the current in e|t|/hbar per unit cell (the
``current`` variable is 2 dF/dphi, i.e. I in units of e|t|/hbar; the current density is that
divided by the cell area sqrt(3)/2 a^2).

Brillouin-zone quadrature: the package's polar quadrature
(:func:`isingsc.meanfield.quadrature.quadrature_for`) with radial panels graded around the Fermi
crossings of the stack's normal-state bands (the integrand is peaked within ~Delta of them), over half
the zone (exact: particle-hole symmetry E_n(-k) = -E_m(k) makes sum_n G_T(E_n) even in k).  The
quadrature is refined (:meth:`QuadratureSpec.refined`) until the current at 8 check phases changes by
less than ``tol`` of its largest value (at the 4 check phases (2j + 1) pi/8, j = 0..3); the achieved change is
stored in the attrs.

Eigenvalues (free energies, ground-state searches) go through :func:`isingsc.backends.dispatch.eigvalsh`
(the compiled kernels, or the GPU); eigenvectors (the Hellmann-Feynman current) through LAPACK, over
threads in the package's fixed k blocks (:func:`isingsc.backends.cpu.over_k`).

Ground state
------------
The minimum of F(phi) on a grid of phases, refined by Brent's method on the zero of I(phi).  "0" and
"pi" when the minimum is at 0 or pi (within ``PHASE_TOLERANCE``); "phi0" for a pair of degenerate minima
+-phi0 (F even in phi), "anomalous" for a single minimum elsewhere (F not even: broken symmetries).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import xarray as xr
from scipy.optimize import brentq, minimize_scalar

from isingsc.backends import dispatch
from isingsc.backends.cpu import over_k
from isingsc.core.errors import (
    ConvergenceError,
    ParameterError,
    check_finite,
    check_range,
    check_unit_vector,
)
from isingsc.core.field import direction
from isingsc.core.results import finalize
from isingsc.lattice.quadrature import QuadratureSpec
from isingsc.lattice.triangular import structure_factors
from isingsc.models.base import SIGMA0, SIGMAX, SIGMAY, SIGMAZ, TightBindingModel
from isingsc.models.catalogue import as_resolved
from isingsc.models.symmetry import SymmetryFacts

#: Units of the current variable (2 dF/dphi).
CURRENT_UNITS = "e|t|/hbar per unit cell (I = (2e/hbar) dF/dphi)"
FREE_ENERGY_UNITS = "|t| per unit cell"
PHASE_UNITS = "rad"
#: A ground-state phase within this of 0 or pi (rad) is classified as 0 or pi.
PHASE_TOLERANCE = 1e-4
#: Phases accepted: |phi| <= PHASE_LIMIT (rad).
PHASE_LIMIT = 2 * np.pi
#: Phases where the k convergence of the current is checked.
CHECK_PHASES = (2 * np.arange(4) + 1) * np.pi / 8
#: The Fourier-series current is accepted when it agrees with Hellmann-Feynman within this x tol (relative).
FOURIER_CHECK = 0.1
GROUND_STATES = ("0", "pi", "phi0", "anomalous")


def check_temperature(T) -> float:
    return check_range("T", T, lo=0.0, lo_open=True, hi=10.0)


def check_phases(phases) -> np.ndarray:
    p = np.atleast_1d(np.asarray(phases, dtype=float))
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)) or np.any(np.abs(p) > PHASE_LIMIT):
        raise ParameterError("phases", f"{p.size} values" if p.size > 4 else p.tolist(),
                             f"finite phases with |phi| <= 2 pi = {PHASE_LIMIT:.6g} rad")
    return p


@dataclass(frozen=True)
class Barrier:
    """The barrier between the electrodes (energies in |t|).

    t0 : spin-independent tunnelling amplitude; t_m : spin-dependent amplitude along m
    (T = t0 + t_m m.sigma on each interface); m : unit vector of the magnetisation;
    layers : number N >= 0 of explicit ferromagnetic-insulator layers (0: the electrodes touch
    through T); exchange : J of those layers (J m.sigma); gap : their on-site energy U above the
    Fermi level; hopping : their in-plane nearest-neighbour hopping t_b (2 t_b C(k)).
    """

    t0: float = 0.05
    t_m: float = 0.0
    m: tuple = (0.0, 0.0, 1.0)
    layers: int = 0
    exchange: float = 0.0
    gap: float = 2.0
    hopping: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "t0", check_finite("t0", self.t0))
        object.__setattr__(self, "t_m", check_finite("t_m", self.t_m))
        object.__setattr__(self, "m", tuple(check_unit_vector("m", self.m).tolist()))
        if isinstance(self.layers, bool) or not float(self.layers).is_integer() or self.layers < 0:
            raise ParameterError("layers", self.layers, "a barrier thickness in layers: an integer >= 0")
        object.__setattr__(self, "layers", int(self.layers))
        object.__setattr__(self, "exchange", check_finite("exchange", self.exchange))
        object.__setattr__(self, "gap", check_finite("gap", self.gap))
        object.__setattr__(self, "hopping", check_finite("hopping", self.hopping))
        if self.t0 == 0.0 and self.t_m == 0.0:
            raise ParameterError("t0", 0.0, "t0 != 0 or t_m != 0 (a barrier that couples the electrodes)")

    @classmethod
    def magnetic(cls, t0: float, t_m: float, theta: float, azimuth: float = 0.0, **kwargs) -> Barrier:
        """A barrier with m at polar angle theta from z (rad) and azimuth (rad)."""
        return cls(t0=t0, t_m=t_m, m=tuple(direction(theta, azimuth)), **kwargs)

    def with_(self, **changes) -> Barrier:
        return replace(self, **changes)

    @property
    def tunnelling(self) -> np.ndarray:
        """T = t0 sigma_0 + t_m m.sigma (2 x 2)."""
        mx, my, mz = self.m
        return self.t0 * SIGMA0 + self.t_m * (mx * SIGMAX + my * SIGMAY + mz * SIGMAZ)

    def layer_hamiltonian(self, k) -> np.ndarray:
        """H_B(k) = (U + 2 t_b C(k)) sigma_0 + J m.sigma of one insulator layer, shape (..., 2, 2)."""
        c, _ = structure_factors(k)
        mx, my, mz = self.m
        spin = self.exchange * (mx * SIGMAX + my * SIGMAY + mz * SIGMAZ)
        return (self.gap + 2 * self.hopping * c)[..., None, None] * SIGMA0 + spin

    def as_attrs(self) -> dict:
        return {"barrier_t0": self.t0, "barrier_t_m": self.t_m, "barrier_m": list(self.m),
                "barrier_layers": self.layers, "barrier_exchange": self.exchange, "barrier_gap": self.gap,
                "barrier_hopping": self.hopping}


def _rotation(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def check_stacking(stacking) -> float:
    s = check_finite("stacking", stacking)
    n = s / (np.pi / 3)
    if abs(n - round(n)) > 1e-9:
        raise ParameterError("stacking", s, "a multiple of pi/3 rad (0 = aligned, pi/3 = 60 deg): "
                             "commensurate lattices, so that k is conserved")
    return s


class _StackModel:
    """The normal state of the whole stack as a NambuModel (what the quadrature chooser needs)."""

    zeeman_coupling: tuple

    def __init__(self, junction: Junction):
        self.junction = junction
        j = junction
        self.name = f"junction({j.left.name}|{j.right.name})"
        lo = tuple(f"L:{o}" for o in j.left_model.orbitals)
        ro = tuple(f"R:{o}" for o in j.right_model.orbitals)
        bo = tuple(f"B{i + 1}" for i in range(j.barrier.layers))
        self.orbitals = lo + bo + ro
        self.pairing_orbitals = tuple(f"L:{o}" for o in j.left_model.pairing_orbitals) + \
            tuple(f"R:{o}" for o in j.right_model.pairing_orbitals)
        self.zeeman_coupling = (1.0,) * len(self.orbitals)

    @property
    def dim(self) -> int:
        return 2 * len(self.orbitals)

    @property
    def nambu_dim(self) -> int:
        return 2 * self.dim

    def hamiltonian(self, k, field=None) -> np.ndarray:
        return self.junction.normal_block(np.asarray(k, dtype=float))

    def bdg_hamiltonian(self, k, delta: complex = 0.0, field=None) -> np.ndarray:
        h0, d = self.junction.bdg_blocks(np.asarray(k, dtype=float))
        return h0 + d + np.conj(np.swapaxes(d, -1, -2))

    def nambu_indices(self, orbital: str) -> np.ndarray:
        o = self.orbitals.index(orbital)
        return np.array([2 * o, 2 * o + 1, 2 * o + self.dim, 2 * o + 1 + self.dim])

    def describe(self) -> dict:
        return {"model": self.name}


class Junction:
    """A vertical Josephson junction: ``left`` | barrier | ``right``, momentum conserving.

    Parameters
    ----------
    left, right : catalogue names, ResolvedModels or NambuModels (``right`` default: the same as left).
        For an Ising electrode pass its parameters, e.g. ``isingsc.model("intrinsic", mu=1.0, beta_so=0.3)``.
    barrier : a :class:`Barrier` (default t0 = 0.05, no magnetism).
    stacking : rotation of the right electrode (rad, a multiple of pi/3).
    delta : the electrodes' gap Delta (|t|), one number or (Delta_L, Delta_R); default each model's Delta0.
    spec : the first :class:`QuadratureSpec` (default energy_scale = min(Delta), n_theta 6, order 4).
    tol : relative k convergence of the current (default 1e-2; the angular quadrature converges slowly
        where the Ising splitting vanishes on Gamma-M and the spin-split Fermi surfaces touch).
    """

    def __init__(self, left, right=None, barrier: Barrier | None = None, stacking: float = 0.0, delta=None,
                 spec: QuadratureSpec | None = None, tol: float = 1e-2):
        self.left = as_resolved(left)
        self.right = self.left if right is None else as_resolved(right)
        for side, r in (("left", self.left), ("right", self.right)):
            r.require("pairing")
        self.barrier = Barrier() if barrier is None else barrier
        if not isinstance(self.barrier, Barrier):
            raise ParameterError("barrier", type(self.barrier).__name__, "a junctions.Barrier")
        self.stacking = check_stacking(stacking)
        if delta is None:
            d = (self.left.delta0, self.right.delta0)
        else:
            d = np.broadcast_to(np.asarray(delta, dtype=float), (2,)) if np.ndim(delta) <= 1 else None
            if d is None or np.size(delta) > 2:
                raise ParameterError("delta", delta, "a gap Delta > 0 (|t|) or a pair (Delta_L, Delta_R)")
        self.delta = tuple(check_range("delta", x, lo=0.0, lo_open=True, hi=1.0) for x in d)
        self.tol = check_range("tol", tol, lo=1e-8, hi=1.0)
        self.spec = spec or QuadratureSpec(energy_scale=min(self.delta), n_theta=6, order=4)
        if not isinstance(self.spec, QuadratureSpec):
            raise ParameterError("spec", type(self.spec).__name__, "a QuadratureSpec")
        self.left_model, self.right_model = self.left.model, self.right.model
        if self.barrier.layers == 0 and self.left_model.dim != self.right_model.dim:
            raise ParameterError("right", self.right.name, "an electrode with as many orbitals as the left one "
                                 "(direct tunnelling is orbital-diagonal), or a barrier with layers >= 1")
        self.stack = _StackModel(self)
        self._meshes: dict = {}
        self._h0: dict = {}

    # ------------------------------------------------------------------ the Hamiltonian
    def variant(self, **barrier_changes) -> Junction:
        """The same electrodes with the barrier changed (``Barrier.with_``); the k meshes are shared."""
        new = Junction.__new__(Junction)
        new.__dict__.update(self.__dict__)
        new.barrier = self.barrier.with_(**barrier_changes)
        new.stack = _StackModel(new)
        new._meshes = {k: v for k, v in self._meshes.items() if isinstance(k, int)}
        new._h0 = {}
        return new

    @cached_property
    def _spin_rotation(self) -> np.ndarray:
        u = np.diag([np.exp(-0.5j * self.stacking), np.exp(0.5j * self.stacking)])
        n = len(self.right_model.orbitals)
        u = np.kron(np.eye(n), u)
        return np.block([[u, np.zeros_like(u)], [np.zeros_like(u), u.conj()]])

    def _electrode(self, side: str, k, normal_only: bool = False):
        """(particle block H(k), hole block -H(-k)^*, pairing block D) of one electrode at the stack's k
        (the right one rotated by ``stacking``); hole and pairing blocks None with ``normal_only``."""
        model = self.left_model if side == "left" else self.right_model
        delta = self.delta[0] if side == "left" else self.delta[1]
        if side == "right" and self.stacking != 0.0:
            k = k @ _rotation(-self.stacking).T
        if normal_only or isinstance(model, TightBindingModel):
            hp = np.asarray(model.hamiltonian(k, None))
            hh = dd = None
            if not normal_only:  # a lattice model: -H(-k)^* and the k-independent on-site pairing
                hh = -np.conj(np.asarray(model.hamiltonian(-k, None)))
                dd = np.broadcast_to(model.pairing_matrix(delta), hp.shape)
        else:  # any other NambuModel: its own BdG matrix
            b = np.asarray(model.bdg_hamiltonian(k, delta, None))
            d = model.dim
            hp, hh, dd = b[..., :d, :d], b[..., d:, d:], b[..., :d, d:]
        if side == "right" and self.stacking != 0.0:
            u = self._spin_rotation[:model.dim, :model.dim]
            hp = u @ hp @ u.conj().T
            if not normal_only:
                hh = u.conj() @ hh @ u.T
                dd = u @ dd @ u.T
        return hp, hh, dd

    def normal_block(self, k) -> np.ndarray:
        """The stack's normal-state (particle) Hamiltonian H(k), shape (..., n, n), n = stack.dim."""
        k = np.asarray(k, dtype=float)
        hl = self._electrode("left", k, True)[0]
        hr = self._electrode("right", k, True)[0]
        return self._assemble(k, hl, hr)

    def _assemble(self, k, hl, hr) -> np.ndarray:
        b = self.barrier
        dl, dr = self.left_model.dim, self.right_model.dim
        nb = b.layers
        n = dl + 2 * nb + dr
        h = np.zeros(k.shape[:-1] + (n, n), dtype=complex)
        h[..., :dl, :dl] = hl
        r0 = dl + 2 * nb
        h[..., r0:, r0:] = hr
        if nb:
            hb = b.layer_hamiltonian(k)
            for i in range(nb):
                s = dl + 2 * i
                h[..., s:s + 2, s:s + 2] = hb
        # interfaces: each contact couples to the next one through T on every orbital
        t = b.tunnelling
        contacts = [(0, dl)] + [(dl + 2 * i, dl + 2 * i + 2) for i in range(nb)] + [(r0, n)]
        for (a0, a1), (c0, c1) in itertools.pairwise(contacts):
            na, nc = (a1 - a0) // 2, (c1 - c0) // 2
            # equal orbital counts: orbital-diagonal; an electrode and one insulator layer: every orbital to it
            coupling = np.kron(np.eye(na) if na == nc else np.ones((na, nc)), t)
            h[..., a0:a1, c0:c1] = coupling
            h[..., c0:c1, a0:a1] = coupling.conj().T
        return h

    def bdg_blocks(self, k) -> tuple[np.ndarray, np.ndarray]:
        """(H0(k), P(k)): the stack's Nambu matrix is H0 + e^{i phi} P + e^{-i phi} P^dag, P the right
        electrode's pairing block (particle rows, hole columns).  Shapes (..., N, N), N = nambu dim."""
        k = np.asarray(k, dtype=float)
        lp, lh, ld = self._electrode("left", k)
        rp, rh, rd = self._electrode("right", k)
        dl, dr = self.left_model.dim, self.right_model.dim
        hp = self._assemble(k, lp, rp)
        # the hole block of every normal term is -h(-k)^*: the electrodes' own, and -H_B(-k)^*, -T^* of the barrier
        hm = -np.conj(self._assemble(-k, np.zeros_like(lp), np.zeros_like(rp)))
        n = hp.shape[-1]
        hm[..., :dl, :dl] = lh
        hm[..., n - dr:, n - dr:] = rh
        h = np.zeros(k.shape[:-1] + (2 * n, 2 * n), dtype=complex)
        p = np.zeros_like(h)
        h[..., :n, :n] = hp
        h[..., n:, n:] = hm
        h[..., :dl, n:n + dl] = ld
        h[..., n:n + dl, :dl] = np.conj(np.swapaxes(ld, -1, -2))
        p[..., n - dr:n, 2 * n - dr:] = rd
        return h, p

    # ------------------------------------------------------------------ quadrature
    def quadrature(self, level: int = 0):
        """The BZ mesh at refinement ``level`` (0: ``spec``; each level :meth:`QuadratureSpec.refined`)."""
        from isingsc.meanfield.quadrature import quadrature_for

        key = level
        if key not in self._meshes:
            spec = self.spec
            for _ in range(level):
                spec = spec.refined()
            pockets = tuple(sorted(set(self.left.facts.pockets) | set(self.right.facts.pockets)))
            facts = SymmetryFacts(d6_in_plane=False, chiral=False, pockets=pockets)
            quad = quadrature_for(self.stack, spec, facts=facts, zone="half", label=self.stack.name)
            self._meshes[key] = quad.mesh()
        return self._meshes[key]

    def _blocks_on(self, level: int):
        if level not in self._h0:
            mesh = self.quadrature(level)
            hs, ps = [], []
            for s in range(0, len(mesh), 8192):
                h, p = self.bdg_blocks(mesh.k[s:s + 8192])
                hs.append(h)
                ps.append(p)
            self._h0[level] = (np.concatenate(hs), np.concatenate(ps))
        return self._h0[level]

    def hamiltonian(self, k, phi: float) -> np.ndarray:
        """The stack's Nambu matrix at k and phase phi (rad), shape (..., N, N)."""
        h, p = self.bdg_blocks(k)
        e = np.exp(1j * phi)
        return h + e * p + np.conj(e * np.swapaxes(p, -1, -2))

    # ------------------------------------------------------------------ kernels
    @cached_property
    def _right_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Particle rows and hole columns of the right electrode in the stack's Nambu matrix."""
        n = self.stack.dim
        dr = self.right_model.dim
        rows = np.arange(n - dr, n)
        return rows, rows + n

    @staticmethod
    def _g(e, T):
        """G_T(E) = -(T/2) ln(2 cosh(E/2T)), overflow-free."""
        a = np.abs(e)
        return -a / 4 - (T / 2) * np.log1p(np.exp(-a / T))

    def _free_energy(self, level: int, phases, T) -> np.ndarray:
        """F(phi) - F(0) for each phase (|t| per cell): eigenvalues only, per-k differences (no cancellation)."""
        h, p = self._blocks_on(level)
        w = self.quadrature(level).weights
        e0 = dispatch.eigvalsh(h + p + np.conj(np.swapaxes(p, -1, -2)))
        g0 = self._g(e0, T)
        out = []
        for phi in phases:
            z = np.exp(1j * phi)
            e = dispatch.eigvalsh(h + z * p + np.conj(z * np.swapaxes(p, -1, -2)))
            out.append(float(w @ (self._g(e, T) - g0).sum(-1)))
        return np.array(out)

    def _current(self, level: int, phases, T) -> np.ndarray:
        """dF/dphi by Hellmann-Feynman at each phase (|t| per cell per rad)."""
        return self._sums(level, phases, T, free_energy=False)[0]

    def _sums(self, level: int, phases, T, free_energy: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """(dF/dphi, F(phi) - F(0)) at each phase from one eigen-decomposition per (k, phase): the current by
        Hellmann-Feynman, the free energy as per-k differences from the phase-0 spectrum."""
        h, p = self._blocks_on(level)
        w = self.quadrature(level).weights
        rows, cols = self._right_rows
        g0 = self._g(dispatch.eigvalsh(h + p + np.conj(np.swapaxes(p, -1, -2))), T) if free_energy else None
        cur, fe = [], []
        for phi in phases:
            z = np.exp(1j * phi)

            def block(a, b, z=z):
                pz = z * p[a:b]
                e, u = np.linalg.eigh(h[a:b] + pz + np.conj(np.swapaxes(pz, -1, -2)))
                # <n| dH/dphi |n> = 2 Re <n| i z P |n> = -2 Im <u_p| z P_R |u_h> (P lives on the right
                # electrode's particle rows and hole columns only)
                pu = pz[:, rows][:, :, cols] @ u[:, cols, :]
                de = -2 * np.imag(np.sum(u[:, rows, :].conj() * pu, axis=1))
                d = float(w[a:b] @ (-0.25 * np.tanh(e / (2 * T)) * de).sum(-1))
                f = float(w[a:b] @ (self._g(e, T) - g0[a:b]).sum(-1)) if free_energy else 0.0
                return d, f

            parts = over_k(len(w), block)
            cur.append(sum(x[0] for x in parts))
            fe.append(sum(x[1] for x in parts))
        return np.array(cur), (np.array(fe) if free_energy else None)

    def _converged_level(self, T) -> tuple[int, float]:
        """The first refinement level whose current at CHECK_PHASES agrees with the next one within tol."""
        key = ("level", float(T))
        if key in self._meshes:
            return self._meshes[key]
        prev = self._current(0, CHECK_PHASES, T)
        achieved = np.inf
        for level in range(1, 5):
            cur = self._current(level, CHECK_PHASES, T)
            scale = max(np.abs(cur).max(), 1e-300)
            achieved = float(np.abs(cur - prev).max() / scale)
            if achieved <= self.tol:
                self._meshes[key] = (level - 1, achieved)
                self._meshes[("hf", level - 1, float(T))] = prev  # dF/dphi at CHECK_PHASES (Hellmann-Feynman)
                return level - 1, achieved
            prev = cur
        raise ConvergenceError(f"junction current not converged in k after 4 refinements (change {achieved:.2g})",
                               quantity="I(phi)", achieved=achieved, requested=self.tol,
                               resolution=self.quadrature(4).describe(), suggestion="raise tol or T")

    # ------------------------------------------------------------------ results
    def _attrs(self, T, level, achieved) -> dict:
        mesh = self.quadrature(level)
        spec = self.spec
        for _ in range(level):
            spec = spec.refined()
        out = {"left_model": self.left.name, "right_model": self.right.name,
               "left_parameters": str(dict(self.left.parameters)),
               "right_parameters": str(dict(self.right.parameters)),
               "stacking": self.stacking, "delta_left": self.delta[0], "delta_right": self.delta[1],
               "temperature": float(T), "quadrature": spec.describe(), "k_points": len(mesh),
               "tolerance": self.tol, "achieved_convergence": achieved,
               "convergence_measure": "max |I_level - I_refined| / max |I| at phases (2j+1) pi/8, j = 0..3",
               "current_units": CURRENT_UNITS, "phase_convention": "phi = phase of the right electrode minus "
               "the left one's", "self_consistent": 0}
        out.update(self.barrier.as_attrs())
        return out

    def current_phase(self, phases=None, T: float | None = None) -> xr.Dataset:
        """I(phi) and F(phi) - F(0) at ``phases`` (rad, |phi| <= 2 pi; default 64 in [-pi, pi)).

        Variables: ``current`` (2 dF/dphi, e|t|/hbar per unit cell), ``free_energy`` (|t| per cell).
        """
        phases = np.linspace(-np.pi, np.pi, 64, endpoint=False) if phases is None else check_phases(phases)
        T = check_temperature(T)
        level, achieved = self._converged_level(T)
        spectral = self._fourier_current(level, phases, T)
        if spectral is None:
            d, f = self._sums(level, phases, T)
            method = "Hellmann-Feynman at every phase"
        else:
            d, f, deviation = spectral
            method = ("derivative of the Fourier series of F(phi) on the uniform phase grid (F from the per-k "
                      f"spectra), within {deviation:.1e} x max|I| of Hellmann-Feynman at phases (2j+1) pi/8")
        i = 2 * d
        ds = xr.Dataset({"current": ("phase", i, {"units": CURRENT_UNITS, "long_name": "supercurrent"}),
                         "free_energy": ("phase", f, {"units": FREE_ENERGY_UNITS,
                                                      "long_name": "F(phi) - F(0)"})},
                        coords={"phase": ("phase", phases, {"units": PHASE_UNITS})})
        return finalize(ds, model=self.left, current_method=method, **self._attrs(T, level, achieved))

    def _fourier_current(self, level: int, phases, T):
        """(dF/dphi, F(phi) - F(0), deviation) on a uniform grid of one period (n >= 16 phases) from
        eigenvalues only: F(phi) is smooth and 2 pi-periodic, so the derivative of its trigonometric
        interpolant converges exponentially in n; it is accepted when it agrees with the Hellmann-Feynman
        current at CHECK_PHASES within FOURIER_CHECK x tol (relative to max |dF/dphi|), else None (the caller
        then diagonalises with eigenvectors at every phase)."""
        p = np.asarray(phases, dtype=float)
        n = len(p)
        if n < 16:
            return None
        start = float(p.min())
        order = np.argsort(p)
        grid = p[order]
        if not (np.allclose(np.diff(grid), 2 * np.pi / n, rtol=0, atol=1e-12)):
            return None
        f = self._free_energy(level, grid, T)
        c = np.fft.fft(f) / n
        m = np.fft.fftfreq(n, d=1.0 / n)
        if n % 2 == 0:
            c[n // 2] = 0.0  # the Nyquist term has no unique derivative: its share is checked below

        def derivative(x):
            return np.real(np.exp(1j * np.outer(x - start, m)) @ (1j * m * c))

        hf = self._meshes.get(("hf", level, float(T)))
        if hf is None:
            hf = self._current(level, CHECK_PHASES, T)
        estimate = derivative(np.asarray(CHECK_PHASES))
        scale = max(float(np.abs(derivative(grid)).max()), float(np.abs(hf).max()), 1e-300)
        deviation = float(np.abs(estimate - hf).max()) / scale
        if deviation > FOURIER_CHECK * self.tol:
            return None
        d = np.empty(n)
        fe = np.empty(n)
        d[order] = derivative(grid)
        fe[order] = f
        return d, fe, deviation

    def summary(self, T: float, phases=None) -> xr.Dataset:
        """Everything a command prints: the CPR (phase, current, free_energy) of :meth:`current_phase` merged
        with :meth:`ground_state` (ground_state_phase, ground_state, free_energy_pi_minus_0, critical_current,
        critical_phase); the attrs hold the parameters, the class and the convergence."""
        cpr = self.current_phase(phases, T)
        p = cpr.phase.values
        n = len(p)
        step = 2 * np.pi / n
        order = np.argsort(np.mod(p + np.pi, 2 * np.pi))
        grid = np.mod(p[order] + np.pi, 2 * np.pi) - np.pi
        if n >= 16 and np.allclose(np.diff(grid), step, rtol=0, atol=1e-12) and abs(grid[0] + np.pi) < 1e-12:
            # a uniform grid over one period from -pi: the ground-state search starts from its free energy
            level, achieved = self._converged_level(check_temperature(T))
            gs = self._ground_state(T, level, achieved, n, grid=grid, f=cpr.free_energy.values[order])
        else:
            gs = self.ground_state(T)
        ds = xr.merge([cpr, gs], combine_attrs="override")
        ds.attrs["ground_state_class"] = gs.attrs["ground_state_class"]
        return ds

    def harmonics(self, T: float, n: int = 8, n_phases: int = 64) -> xr.Dataset:
        """Fourier components of the CPR on ``n_phases`` phases in [0, 2 pi):
        I(phi) = sum_m [I_m sin(m phi) + J_m cos(m phi)], F(phi) = -sum_m [E_m cos(m phi) + S_m sin(m phi)] + c.
        E_m = I_m / (2 m) (I = 2 dF/dphi)."""
        T = check_temperature(T)
        if not 1 <= n < n_phases // 2:
            raise ParameterError("n", n, f"1 <= n < n_phases/2 = {n_phases // 2}")
        phases = 2 * np.pi * np.arange(n_phases) / n_phases
        cpr = self.current_phase(phases - np.where(phases > np.pi, 2 * np.pi, 0.0), T)
        c = np.fft.rfft(cpr.current.values) / n_phases
        m = np.arange(1, n + 1)
        sine = -2 * c.imag[1:n + 1]
        cosine = 2 * c.real[1:n + 1]
        ds = xr.Dataset({"sine": ("harmonic", sine, {"units": CURRENT_UNITS, "long_name": "I_m (sin m phi)"}),
                         "cosine": ("harmonic", cosine, {"units": CURRENT_UNITS, "long_name": "J_m (cos m phi)"}),
                         "coupling": ("harmonic", sine / (2 * m), {"units": FREE_ENERGY_UNITS,
                                                                   "long_name": "E_m: F = -sum E_m cos m phi"})},
                        coords={"harmonic": ("harmonic", m, {"units": "1"})})
        ds.attrs.update(cpr.attrs)
        return ds

    def ground_state(self, T: float, n_grid: int = 48) -> xr.Dataset:
        """Ground-state phase (global minimum of F), its class (0, pi, phi0, anomalous), F(pi) - F(0),
        and the critical current."""
        T = check_temperature(T)
        level, achieved = self._converged_level(T)
        return self._ground_state(T, level, achieved, n_grid)

    def _ground_state(self, T, level, achieved, n_grid=48, grid=None, f=None) -> xr.Dataset:
        if grid is None:  # (or a uniform grid of one period from -pi with its F(phi) - F(0))
            grid = np.linspace(-np.pi, np.pi, n_grid, endpoint=False)
            f = self._free_energy(level, grid, T)
        i_min = int(np.argmin(f))
        phi = self._refine_minimum(level, T, grid, f, i_min)
        f_pi_0 = float(self._free_energy(level, [np.pi], T)[0])
        kind, phi = self._classify(level, T, phi, grid, f)
        ic, phi_c = self._critical(level, T, grid, f)
        ds = xr.Dataset({"ground_state_phase": ((), phi, {"units": PHASE_UNITS}),
                         "ground_state": ((), GROUND_STATES.index(kind), {"units": "1",
                                          "flag_meanings": " ".join(GROUND_STATES)}),
                         "free_energy_pi_minus_0": ((), f_pi_0, {"units": FREE_ENERGY_UNITS}),
                         "critical_current": ((), ic, {"units": CURRENT_UNITS}),
                         "critical_phase": ((), phi_c, {"units": PHASE_UNITS})})
        return finalize(ds, model=self.left, ground_state_class=kind, **self._attrs(T, level, achieved))

    def _refine_minimum(self, level, T, grid, f, i):
        n = len(grid)
        a, b = grid[i] - 2 * np.pi / n, grid[i] + 2 * np.pi / n
        ia, ib = self._current(level, [a, b], T)
        if ia < 0 < ib:
            phi = brentq(lambda x: self._current(level, [x], T)[0], a, b, xtol=1e-10)
        else:  # flat or noisy: fall back to the grid point
            phi = grid[i]
        return float((phi + np.pi) % (2 * np.pi) - np.pi)

    def _classify(self, level, T, phi, grid, f):
        if abs(phi) < PHASE_TOLERANCE:
            return "0", 0.0
        if abs(abs(phi) - np.pi) < PHASE_TOLERANCE:
            return "pi", float(np.pi)
        # degenerate partner at -phi?
        f_pm = self._free_energy(level, [phi, -phi], T)
        scale = max(np.ptp(f), 1e-300)
        if abs(f_pm[0] - f_pm[1]) <= 1e-6 * scale:
            return "phi0", abs(phi)
        return "anomalous", phi

    def _critical(self, level, T, grid, f=None):
        """max |I|: located on the Fourier interpolant of F on ``grid`` (eigenvalues only), then refined
        on the Hellmann-Feynman current by a bounded search around it."""
        f = self._free_energy(level, grid, T) if f is None else f
        n = len(grid)
        c = np.fft.rfft(f)
        m = np.fft.rfftfreq(n, d=1.0 / n)
        fine = np.linspace(-np.pi, np.pi, 16 * n, endpoint=False)
        # 2 dF/dphi of the trigonometric interpolant (grid starts at -pi)
        est = np.zeros_like(fine)
        for mm, cc in zip(m[1:], c[1:]):
            wgt = 1.0 if (n % 2 or mm < n / 2) else 0.5
            est += wgt * 2 * (2 / n) * np.real(1j * mm * cc * np.exp(1j * mm * (fine + np.pi)))
        i = int(np.argmax(np.abs(est)))
        sign = np.sign(est[i]) or 1.0
        h = 2 * np.pi / n
        res = minimize_scalar(lambda x: -sign * 2 * self._current(level, [x], T)[0],
                              bounds=(fine[i] - h, fine[i] + h), method="bounded", options={"xatol": 1e-5})
        return float(-res.fun), float(res.x)

    def critical_current(self, T: float, n_grid: int = 48) -> float:
        """max_phi |I(phi)| (e|t|/hbar per unit cell)."""
        T = check_temperature(T)
        level, _ = self._converged_level(T)
        return self._critical(level, T, np.linspace(-np.pi, np.pi, n_grid, endpoint=False))[0]

    def ground_state_map(self, T: float, *, n_grid: int = 32, **axes) -> xr.Dataset:
        """Ground state over a grid of barrier parameters and/or temperatures.

        ``axes``: one or two of ``theta`` (polar angle of m from z, rad; azimuth of the barrier's m kept),
        ``ratio`` (t_m / t0 at fixed t0), ``layers``, ``exchange`` (|t|), ``T`` (|t|; then the argument
        T is ignored).  The k mesh of this junction is reused for every point (converged at this junction
        and checked again at the map's first and last points; the worse is stored).
        """
        if not 1 <= len(axes) <= 2:
            raise ParameterError("axes", tuple(axes), "one or two of theta, ratio, layers, exchange, T")
        allowed = ("theta", "ratio", "layers", "exchange", "T")
        values = {}
        for name, v in axes.items():
            if name not in allowed:
                raise ParameterError(name, v, "one of " + ", ".join(allowed))
            arr = np.atleast_1d(np.asarray(v, dtype=float))
            if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
                raise ParameterError(name, v, "a 1D array of finite values")
            if name == "T" and np.any(arr <= 0):
                raise ParameterError("T", arr.min(), "T > 0 (|t|)")
            if name == "layers" and (np.any(arr < 0) or np.any(arr != np.round(arr))):
                raise ParameterError("layers", arr.tolist(), "integers >= 0 (barrier thickness in layers)")
            values[name] = arr
        if "T" not in values:
            T = check_temperature(T)
        names = list(values)
        shape = tuple(len(values[n]) for n in names)
        az = np.arctan2(self.barrier.m[1], self.barrier.m[0])

        def junction_at(point):
            changes = {}
            for name, x in point.items():
                if name == "theta":
                    changes["m"] = tuple(direction(x, az))
                elif name == "ratio":
                    changes["t_m"] = x * self.barrier.t0
                elif name == "layers":
                    changes["layers"] = int(x)
                elif name == "exchange":
                    changes["exchange"] = x
            return self.variant(**changes) if changes else self

        t_ref = float(values["T"].min()) if "T" in values else T
        level, achieved = self._converged_level(t_ref)
        phase = np.empty(shape)
        kind = np.empty(shape, dtype=int)
        dF = np.empty(shape)
        ic = np.empty(shape)
        for idx in np.ndindex(shape):
            point = {n: values[n][i] for n, i in zip(names, idx)}
            j = junction_at(point)
            t_here = point.get("T", T)
            ds = j._ground_state(t_here, level, achieved, n_grid)
            phase[idx] = float(ds.ground_state_phase)
            kind[idx] = int(ds.ground_state)
            dF[idx] = float(ds.free_energy_pi_minus_0)
            ic[idx] = float(ds.critical_current)
        # convergence at the last point of the map as well
        last = {n: values[n][-1] for n in names}
        jl = junction_at(last)
        _, achieved_last = jl._converged_level(last.get("T", T))
        units = {"theta": "rad", "ratio": "1", "layers": "layers", "exchange": "|t|", "T": "|t|"}
        dims = tuple(names)
        ds = xr.Dataset({"ground_state_phase": (dims, phase, {"units": PHASE_UNITS}),
                         "ground_state": (dims, kind, {"units": "1", "flag_meanings": " ".join(GROUND_STATES)}),
                         "free_energy_pi_minus_0": (dims, dF, {"units": FREE_ENERGY_UNITS}),
                         "critical_current": (dims, ic, {"units": CURRENT_UNITS})},
                        coords={n: (n, values[n], {"units": units[n]}) for n in names})
        attrs = self._attrs(t_ref, level, max(achieved, achieved_last))
        return finalize(ds, model=self.left, **attrs)


__all__ = [
    "CURRENT_UNITS",
    "GROUND_STATES",
    "Barrier",
    "Junction",
    "check_phases",
    "check_temperature",
]
