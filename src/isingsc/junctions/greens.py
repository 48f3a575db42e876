"""Josephson currents from the electrodes' Green's functions, summed over a pole expansion of f(E).

The link formula
----------------
Split a junction into two parts L and R coupled by V (Nambu blocks V_RL, V_LR = V_RL^dag), with the
phase phi on R's pairing.  The gauge W = 1_L (+) U, U = exp(i phi tau_z / 2) on R, moves the phase onto
the link: H'(phi) = H_L (+) H_R + [[0, V_LR U], [U^dag V_RL, 0]], the same spectrum, so

    dF/dphi = T sum_{omega_n > 0} 2 Re (1/2) Tr[G(i omega_n) dH'/dphi]
            = T sum_{omega_n > 0} Re { Tr[G_RL V_LR U (i tau_z/2)] - Tr[G_LR (i tau_z/2) U^dag V_RL] },

from F = sum_n G_T(E_n) (all Nambu levels, G_T(E) = -(T/2) ln 2cosh(E/2T)), G_T'(E) = (f(E) - 1/2)/2 and
f(H) - 1/2 = T sum_n (i omega_n - H)^-1 (symmetric sum), G(-i omega) = G(i omega)^dag.  With g_L, g_R
the uncoupled Green's functions of the two surfaces (the only places V touches),

    G_LL = (g_L^-1 - V_LR' g_R V_RL')^-1,   G_RL = g_R V_RL' G_LL,   G_LR = G_LL V_LR' g_R,
    V_LR' = V_LR U,  V_RL' = U^dag V_RL.

The current is I = (2e/hbar) dF/dphi; the ``current`` variables hold 2 dF/dphi in e|t|/hbar.

Pole expansion of the Fermi function (T. Ozaki, Phys. Rev. B 75, 035123 (2007))
--------------------------------------------------------------------------------
    f(x) = 1/2 - sum_{p=1}^{N} R_p [1/(x - i z_p) + 1/(x + i z_p)],    x = E/T,

z_p = 1/b_p and R_p = |v_{1p}|^2 / (4 b_p^2) from the positive eigenvalues b_p and eigenvectors v_p of the
2N x 2N tridiagonal matrix B_{n,n+1} = 1/(2 sqrt((2n-1)(2n+1))).  The Matsubara sum (z_n = (2n+1) pi,
R_n = 1) becomes T sum_{omega_n > 0} h(i omega_n) -> T sum_p R_p h(i z_p T): the poles spread
geometrically, so tens of them reach energies ~1000 T at any temperature.  ``n_poles`` is raised until
the current changes by less than ``tol`` (the change is stored in attrs).

Electrodes
----------
* :class:`VerticalGreens` -- the vertical junction of :class:`~isingsc.junctions.vertical.Junction`
  cut between its last left layer and the right electrode: g_L, g_R the bare Green's functions of the
  two sides at k (dense inverses), the same k mesh.  Agrees with the Hellmann-Feynman current.
* :class:`LateralJunction` -- two semi-infinite half-planes of one model facing each other across an
  edge (``SemiInfiniteEdge``: the Lopez Sancho decimation of :mod:`isingsc.topology.edge`), coupled by
  ``coupling`` x the lattice's own inter-layer block H10 (coupling = 1: a perfect lattice, the ballistic
  limit; coupling << 1: a tunnel junction).  k along the edge is conserved; the current is averaged over
  the edge's Brillouin zone (per edge period).  :meth:`LateralJunction.normal_conductance` is the
  normal-state Landauer conductance of the link (Caroli formula) in e^2/hbar, with which
  I_c R_N is formed (Ambegaokar-Baratoff in the tunnel limit).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import xarray as xr
from scipy.linalg import eigh_tridiagonal

from isingsc.core.errors import (
    ConvergenceError,
    ParameterError,
    check_positive_int,
    check_range,
)
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.junctions.vertical import (
    CURRENT_UNITS,
    PHASE_UNITS,
    Junction,
    check_phases,
    check_temperature,
)
from isingsc.models.catalogue import as_resolved
from isingsc.topology.edge import SemiInfiniteEdge, decimate

#: Starting number of poles of the Fermi function and the cap.
N_POLES = 16
MAX_POLES = 512


@lru_cache(maxsize=32)
def fermi_poles(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Ozaki's continued-fraction poles z_p > 0 (in units of T) and residues R_p of the Fermi function:
    f(x) = 1/2 - sum_p R_p [1/(x - i z_p) + 1/(x + i z_p)], x = E/T (``n`` poles in the upper half plane)."""
    n = check_positive_int("n_poles", n, 1)
    m = 2 * n
    j = np.arange(1, m)
    off = 1.0 / (2.0 * np.sqrt((2 * j - 1.0) * (2 * j + 1.0)))
    b, v = eigh_tridiagonal(np.zeros(m), off)
    pos = b > 0
    b, v = b[pos], v[:, pos]
    z = 1.0 / b
    r = np.abs(v[0]) ** 2 / (4.0 * b * b)
    order = np.argsort(z)
    return z[order], r[order]


def fermi_from_poles(x, n: int) -> np.ndarray:
    """f(x) from :func:`fermi_poles` (for checks): 1/2 - sum_p R_p 2x / (x^2 + z_p^2)."""
    z, r = fermi_poles(n)
    x = np.asarray(x, dtype=float)[..., None]
    return 0.5 - np.sum(r * 2 * x / (x * x + z * z), axis=-1)


def _tau_z(n_particle: int, n_blocks: int = 1) -> np.ndarray:
    """tau_z over ``n_blocks`` Nambu blocks, each [n_particle particles, n_particle holes]."""
    return np.tile(np.concatenate([np.ones(n_particle), -np.ones(n_particle)]), n_blocks)


def link_derivative(g_l, g_r, v_rl, tau_r, phi) -> np.ndarray:
    """Re {Tr[G_RL V_LR' (i tau_z/2)] - Tr[G_LR (i tau_z/2) V_RL']} (module docstring): the summand of
    dF/dphi at one frequency; g_l (..., nL, nL), g_r (..., nR, nR), v_rl (..., nR, nL), tau_r (nR,)."""
    u = np.exp(0.5j * phi * tau_r)
    v_rl_p = np.conj(u)[:, None] * v_rl  # U^dag V_RL
    v_lr_p = np.conj(np.swapaxes(v_rl_p, -1, -2))  # V_LR U
    sigma = v_lr_p @ g_r @ v_rl_p
    eye = np.eye(g_l.shape[-1])
    g_ll = np.linalg.solve(eye - g_l @ sigma, g_l)
    g_rl = g_r @ v_rl_p @ g_ll
    g_lr = g_ll @ v_lr_p @ g_r
    it = 0.5j * tau_r
    a = np.einsum("...ij,...ji->...", g_rl, v_lr_p * it)
    b = np.einsum("...ij,...ji->...", g_lr * it, v_rl_p)
    return np.real(a - b)


class _PoleSum:
    """dF/dphi = T sum_p R_p S(i z_p T) with S from a callback, n_poles raised until converged."""

    def __init__(self, tol: float):
        self.tol = check_range("tol", tol, lo=1e-12, hi=0.1)

    def run(self, summand, phases, T):
        n = N_POLES
        prev = self._sum(summand, phases, T, n)
        while n < MAX_POLES:
            n *= 2
            cur = self._sum(summand, phases, T, n)
            change = float(np.abs(cur - prev).max() / max(np.abs(cur).max(), 1e-300))
            if change <= self.tol:
                return cur, n, change
            prev = cur
        raise ConvergenceError(f"pole sum of the Fermi function not converged with {MAX_POLES} poles",
                               quantity="dF/dphi", achieved=change, requested=self.tol)

    @staticmethod
    def _sum(summand, phases, T, n):
        z, r = fermi_poles(n)
        out = np.zeros(len(phases))
        for zp, rp in zip(z, r):
            out += rp * T * summand(1j * zp * T)
        return out


class VerticalGreens:
    """The current of a vertical :class:`Junction` from Green's functions (the link formula).

    The stack is cut between the right electrode and the rest (left electrode and barrier layers);
    g_L(i w) = (i w - H_LL(k))^-1 and g_R(i w) = (i w - H_RR(k))^-1 (phase-free), on the junction's
    converged k mesh.  ``tol``: convergence of the pole sum.
    """

    def __init__(self, junction: Junction, tol: float = 1e-6):
        if not isinstance(junction, Junction):
            raise ParameterError("junction", type(junction).__name__, "a junctions.Junction")
        self.junction = junction
        self.poles = _PoleSum(tol)

    def current_phase(self, phases, T: float, level: int | None = None) -> xr.Dataset:
        """2 dF/dphi (e|t|/hbar per unit cell) at ``phases`` (rad) and temperature T (|t|); ``level``: the
        junction's quadrature level (default: its converged level at T)."""
        phases = check_phases(phases)
        T = check_temperature(T)
        j = self.junction
        if level is None:
            level, _ = j._converged_level(T)
        h, p = j._blocks_on(level)
        w = j.quadrature(level).weights
        n = j.stack.dim
        dr = j.right_model.dim
        r_idx = np.concatenate([np.arange(n - dr, n), np.arange(2 * n - dr, 2 * n)])
        l_idx = np.setdiff1d(np.arange(2 * n), r_idx)
        h0 = h + p + np.conj(np.swapaxes(p, -1, -2))  # phase 0: the phase is put on the link
        h_ll = h0[:, l_idx][:, :, l_idx]
        h_rr = h0[:, r_idx][:, :, r_idx]
        v_rl = h0[:, r_idx][:, :, l_idx]
        tau_r = _tau_z(dr)
        eye_l, eye_r = np.eye(len(l_idx)), np.eye(len(r_idx))

        def summand(iw):
            g_l = np.linalg.inv(iw * eye_l - h_ll)
            g_r = np.linalg.inv(iw * eye_r - h_rr)
            return np.array([w @ link_derivative(g_l, g_r, v_rl, tau_r, phi) for phi in phases])

        d, n_poles, change = self.poles.run(summand, phases, T)
        ds = xr.Dataset({"current": ("phase", 2 * d, {"units": CURRENT_UNITS})},
                        coords={"phase": ("phase", phases, {"units": PHASE_UNITS})})
        return finalize(ds, model=j.left, method="Green's functions, link formula, Ozaki poles",
                        n_poles=n_poles, pole_convergence=change, k_points=len(w), temperature=T)


class LateralJunction:
    """Two semi-infinite half-planes of ``model`` across an edge, coupled by ``coupling`` x H10.

    Parameters
    ----------
    model : catalogue name, ResolvedModel or TightBindingModel (real space needed).
    edge : "zigzag-x" (edges along x, period a) or "armchair-y" (edges along y, period sqrt3 a).
    coupling : the link's hopping relative to the lattice's own (1: transparent, << 1: tunnel).
    delta : the gap Delta (|t|), default the model's Delta0 (not self-consistent, uniform up to the link).
    eta_tol : decimation tolerance; tol : convergence of the pole sum.
    """

    def __init__(self, model, edge: str = "zigzag-x", coupling: float = 1.0, delta: float | None = None,
                 tol: float = 1e-6):
        self.model = as_resolved(model)
        self.model.require("real-space")
        self.model.require("pairing")
        self.coupling = check_range("coupling", coupling, lo=0.0, lo_open=True, hi=10.0)
        self.delta = check_range("delta", self.model.delta0 if delta is None else delta, lo=0.0, lo_open=True,
                                 hi=1.0)
        self.edge = SemiInfiniteEdge(self.model.model, edge, self.delta, 0.0)
        self.normal_edge = SemiInfiniteEdge(self.model.model, edge, 0.0, 0.0)
        self.poles = _PoleSum(tol)

    def momenta(self, n_k: int) -> np.ndarray:
        """n_k momenta along the edge (uniform, the edge's Brillouin zone), 1/a."""
        return self.edge.ribbon.momenta(check_positive_int("n_k", n_k, 1))

    def _surfaces(self, edge, k, z):
        """(g of the left half-plane's last layer, g of the right half-plane's first layer, V_RL), (n_k, n_z, N, N)."""
        h00, h10 = edge.layer_blocks(k)
        g_plus, g_minus, _ = decimate(h00[:, None], h10[:, None], z[None, :], max_iter=200)
        # g_minus: the chain extending to -infinity (the left half-plane's surface); g_plus: to +infinity
        return g_minus, g_plus, self.coupling * h10[:, None]

    def current_phase(self, phases, T: float, k=None, n_k: int = 1) -> xr.Dataset:
        """2 dF/dphi (e|t|/hbar per edge period) at ``phases``, averaged over the momenta ``k`` along the edge
        (default ``n_k`` uniform ones; n_k = 1: k = -pi/period... the single line k = momenta(1))."""
        phases = check_phases(phases)
        T = check_temperature(T)
        k = self.momenta(n_k) if k is None else np.atleast_1d(np.asarray(k, dtype=float))
        n_block = self.edge.block_size
        tau = _tau_z(self.model.model.dim, n_block // self.model.model.nambu_dim)

        def summand(iw):
            g_l, g_r, v = self._surfaces(self.edge, k, np.array([iw]))
            return np.array([link_derivative(g_l, g_r, v, tau, phi).mean() for phi in phases])

        d, n_poles, change = self.poles.run(summand, phases, T)
        ds = xr.Dataset({"current": ("phase", 2 * d, {"units": "e|t|/hbar per edge period "
                                                               "(I = (2e/hbar) dF/dphi)"})},
                        coords={"phase": ("phase", phases, {"units": PHASE_UNITS})})
        return finalize(ds, model=self.model, method="Green's functions (Lopez Sancho), link formula, Ozaki poles",
                        n_poles=n_poles, pole_convergence=change, temperature=T, delta=self.delta,
                        coupling=self.coupling, edge=self.edge.edge, n_k=len(k), momentum_units=MOMENTUM_UNITS)

    def normal_conductance(self, k=None, n_k: int = 1, energy: float = 0.0, eta: float = 1e-6) -> float:
        """Landauer conductance of the link in the normal state (Delta = 0) at ``energy``, e^2/hbar per edge
        period: G = (1/2 pi) <Tr[Gamma_L G_LR Gamma_R G_LR^dag]>_k over the particle sector,
        Gamma = -i (g^-1 - g^-1^dag) of each bare surface (Caroli formula)."""
        eta = check_range("eta", eta, lo=0.0, lo_open=True, hi=0.1)
        k = self.momenta(n_k) if k is None else np.atleast_1d(np.asarray(k, dtype=float))
        z = np.array([energy + 1j * eta])
        g_l, g_r, v = self._surfaces(self.normal_edge, k, z)
        d = self.model.model.dim
        nb = self.edge.block_size // self.model.model.nambu_dim
        part = np.concatenate([np.arange(c * 2 * d, c * 2 * d + d) for c in range(nb)])
        g_l = g_l[..., part[:, None], part]
        g_r = g_r[..., part[:, None], part]
        v_rl = v[..., part[:, None], part]
        v_lr = np.conj(np.swapaxes(v_rl, -1, -2))
        eye = np.eye(len(part))
        g_ll = np.linalg.solve(eye - g_l @ v_lr @ g_r @ v_rl, g_l)
        g_lr = g_ll @ v_lr @ g_r

        def gamma(g):
            gi = np.linalg.inv(g)
            return -1j * (gi - np.conj(np.swapaxes(gi, -1, -2))) - 2 * eta * eye

        t = np.einsum("...ij,...jk,...kl,...li->...", gamma(g_l), g_lr, gamma(g_r), np.conj(np.swapaxes(g_lr, -1, -2)))
        return float(np.real(t).mean() / (2 * np.pi))


__all__ = ["LateralJunction", "VerticalGreens", "fermi_from_poles", "fermi_poles", "link_derivative"]
