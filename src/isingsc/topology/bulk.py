"""Bulk topology of the nodal Ising superconductor: symmetries, winding numbers, nodal points.

Paper Eq. (8) and the discussion after it.  Energies are in units of |t|,
momenta in 1/a (a = 1), as everywhere in the package.

Symmetries (paper basis [s_k up, s_k dn, s^dag_-k up, s^dag_-k dn], which is our
Nambu basis for one orbital; for N orbitals every operator is extended by the
identity over orbitals, ``kron(tau, kron(1_N, sigma))``):

* 1D "time reversal"   T = sigma_x tau_z K,  T H(kx, ky) T^-1 =  H(-kx, ky),  T^2 = +1
* 1D "particle-hole"   P = sigma_0 tau_x K,  P H(kx, ky) P^-1 = -H(-kx, ky),  P^2 = +1
* chiral               C = sigma_x tau_y  (= -i T P),  C H(kx, ky) C^-1 = -H(kx, ky)

so at fixed ky, H_ky(kx) is in class BDI.  The momentum map of T and P is
kx -> -kx at fixed ky: the Ising form factor S(k) = 2 sin(kx/2) [cos(kx/2) -
cos(sqrt3 ky / 2)] is odd under kx -> -kx and even under ky -> -ky, and
sigma_x K flips sigma_z while keeping sigma_x and sigma_y.  Consequently the
three operators are symmetries for a Zeeman field in *any* in-plane direction
(a field along y is sigma_y tau_0 in Nambu form and anticommutes with C too);
only an out-of-plane component V_z (sigma_z tau_z, commutes with C) breaks
them.  :func:`check_symmetries` verifies all of this numerically.

Winding number (class BDI at fixed ky).  In the eigenbasis of C (C = +1 block
first) H = [[0, A], [A^dagger, 0]] with A = P_+ H P_- mapping the C = -1 space
to the C = +1 space, and

    W(ky) = (1 / 2 pi i) \\oint d log det A(kx, ky),   kx from 0 to 4 pi (increasing).

The loop is closed because (4 pi, 0) = 2 b1 + b2 is a reciprocal-lattice
vector; no shorter purely-kx vector exists, so kx in [0, 4 pi) at fixed ky, with
ky in [-pi/sqrt3, pi/sqrt3), covers the Brillouin zone exactly once (the same
ky range as the armchair-y ribbon, period sqrt3).  The eigenvalues of H are
+-(singular values of A), so the gap along the line is min_kx sigma_min(A).

Sign convention: W is counted counter-clockwise in the complex det-A plane,
kx increasing, with the C = +1 eigenspace of C = sigma_x tau_y (exactly this
sign of C) as the row space of A.  Swapping the two eigenspaces (or C -> -C)
flips every W and every node charge.  The node charge q is the same winding
around a small counter-clockwise circle in the (kx, ky) plane; with these
conventions W(ky2) - W(ky1) = -sum of q over the nodes with ky1 < ky < ky2.

Phase unwrapping is certified, not heuristic: with L a bound on ||dH/dt|| along
the loop (t its parameter) and n = dim A, on a sampled interval of length h
with end-point singular values s_a, s_b,

    sigma_min >= m - L h / 2   (m = min(s_a, s_b)),
    |Delta arg det A| <= n L h / (m - L h / 2),

and an interval is accepted only when this bound is below pi/2 (so the wrapped
phase step is the true one); otherwise it is bisected.  Intervals that cannot
be certified at length below node_tol / (n L) imply a sampled gap below
node_tol: the line is flagged ``through_node`` and W is NaN there (never a
guessed integer).  For a :class:`~isingsc.models.base.TightBindingModel`, L
is the rigorous bound sum_R |R_x| ||T_R||; for other models it is estimated
numerically (max of a finite-difference derivative on a grid, times 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy import optimize

from isingsc.backends import determinants, eigvalsh
from isingsc.core.errors import ConvergenceError, ParameterError, check_positive_int, check_range
from isingsc.core.progress import track
from isingsc.lattice.triangular import LATTICE, SQRT3, edge_momenta, point_group_matrices
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.core.field import as_field
from isingsc.models.symmetry import chiral_basis, symmetry_operators
from isingsc.models.base import TightBindingModel, bond_sum, paired_bonds

if TYPE_CHECKING:  # xarray is imported where a Dataset is built (a sweep's workers count nodes: locate_nodes)
    import xarray as xr

#: Period of the fixed-ky loop: (4 pi, 0) = 2 b1 + b2.
KX_PERIOD = 4 * np.pi
#: Period of the line family in ky (the bulk image of the armchair-y ribbon BZ).
KY_PERIOD = 2 * np.pi / SQRT3
#: Default energy tolerance (|t|) below which a loop counts as passing through a node.
NODE_TOL = 1e-6

_FIELD_ALLOWED = ("an in-plane Zeeman field: scalar Vx >= 0, or (Vx, Vy[, 0]) with Vz = 0 "
                  "(the chiral symmetry C = sigma_x tau_y needs Vz = 0; the paper's case is "
                  "along x, Vy = Vz = 0)")
_MAX_CERTIFIED_PHASE = 0.5 * np.pi  # bound on the true phase change per accepted interval
_CHUNK = 20000  # k points per batched evaluation (memory)


# ----------------------------------------------------------------- operators
def _n_orbitals(model) -> int:
    if not hasattr(model, "bdg_hamiltonian") or not hasattr(model, "nambu_dim"):
        raise ParameterError("model", type(model).__name__,
                             "an object with bdg_hamiltonian(k, delta, field) and nambu_dim")
    nd = int(model.nambu_dim)
    if nd <= 0 or nd % 4:
        raise ParameterError("model", f"nambu_dim = {nd}", "nambu_dim a positive multiple of 4 "
                             "(spinful orbitals, particles then holes)")
    return nd // 4


# ----------------------------------------------------------------- validation
def _check_delta(delta) -> float:
    return check_range("delta", delta, lo=0.0, lo_open=True)


def _check_field(field) -> np.ndarray:
    """Scalar Vx >= 0, or an in-plane vector; returns the 3-vector."""
    if np.ndim(field) == 0:
        vx = check_range("field", field, lo=0.0)  # a scalar is the field along +x
        return np.array([vx, 0.0, 0.0])
    v = as_field(field).vector
    if v[2] != 0.0:
        raise ParameterError("field", tuple(float(x) for x in v), _FIELD_ALLOWED)
    return v


def _lipschitz(model) -> tuple[float, float]:
    """Bounds (L_x, L_grad) on ||dH_BdG/dkx|| and ||grad_k H_BdG|| (spectral norms), |t| a.

    For a TightBindingModel they are rigorous: dH/dk = sum_R i R T_R e^{ik.R} and
    the hole block has the same derivative norm, so L_x <= sum_R |R_x| ||T_R||.
    Pairing and Zeeman terms do not depend on k.
    """
    if isinstance(model, TightBindingModel):
        offs = np.array(list(model.hoppings), dtype=float) @ model.lattice.primitive
        norms = np.array([np.linalg.norm(m, 2) for m in model.hoppings.values()])
        return float(np.sum(np.abs(offs[:, 0]) * norms)), float(np.sum(np.hypot(*offs.T) * norms))
    # Any other model: finite differences on a grid, with a safety factor 2.
    kx = np.linspace(0, KX_PERIOD, 97)
    ky = np.linspace(-KY_PERIOD / 2, KY_PERIOD / 2, 25)
    k = np.stack(np.meshgrid(kx, ky, indexing="ij"), -1).reshape(-1, 2)
    eps = 1e-5
    out = []
    for e in (np.array([eps, 0.0]), np.array([0.0, eps])):
        dh = (model.bdg_hamiltonian(k + e, 0.0, 0.0) - model.bdg_hamiltonian(k - e, 0.0, 0.0)) / (2 * eps)
        out.append(np.linalg.norm(dh, 2, axis=(-2, -1)))
    grad = np.hypot(out[0], out[1])
    if not np.all(np.isfinite(grad)) or grad.max() > 1e3 * max(float(np.median(grad)), 1e-12):
        # H(k) has poles (the static effective model where a TMD band crosses zero):
        # det A has poles as well and its winding is not the invariant of the full model.
        raise ParameterError("model", getattr(model, "name", type(model).__name__),
                             "a model with bounded dH/dk on the Brillouin zone (the static effective "
                             "model has poles where a TMD band crosses zero energy: use the 8x8 "
                             "heterostructure, or TMD parameters without a TMD Fermi surface)")
    return 2.0 * float(out[0].max()), 2.0 * float(grad.max())


class _Chiral:
    """det A(k) and sigma_min(A(k)) for one model, pairing and field (batched in k)."""

    def __init__(self, model, delta: float, field: np.ndarray):
        # a Field (hashable): the model keeps its Zeeman matrix, no conversion per evaluation
        self.model, self.delta, self.field = model, delta, as_field(field)
        self.n_orb = _n_orbitals(model)
        self.n = 2 * self.n_orb  # dim A
        up, um = chiral_basis(self.n_orb)
        self.left, self.right = up.conj().T, um
        self._lip = None

    @property
    def lipschitz(self) -> tuple[float, float]:
        if self._lip is None:
            self._lip = _lipschitz(self.model)
        return self._lip

    def a_matrix(self, k) -> np.ndarray:
        """A(k) = U+^dagger H_BdG(k) U- (..., n, n)."""
        k = np.asarray(k, dtype=float)
        if self._fourier is not None:
            return bond_sum(k, self._fourier)
        return self.left @ self.model.bdg_hamiltonian(k, self.delta, self.field) @ self.right

    @cached_property
    def _fourier(self):
        """A(k) = sum_R e^{ik.R} A_R + A_c with A_R = U+^dagger B_R U-, A_c = U+^dagger B_0 U- from the model's
        :meth:`~isingsc.models.base.TightBindingModel.bdg_fourier` (a tight-binding model with on-site pairing),
        summed over +-R pairs (:func:`~isingsc.models.base.paired_bonds`: one cos and sin per pair instead of H(k) and
        H(-k)); None for any other model."""
        m = self.model
        if type(m) is not TightBindingModel or not m.onsite_pairing:  # (a subclass may build H its own way)
            return None
        offsets, blocks, onsite = m.bdg_fourier(self.delta, self.field)
        bonds = paired_bonds(offsets, self.left @ blocks @ self.right)
        return bonds._replace(constant=bonds.constant + self.left @ onsite @ self.right)

    def __call__(self, k, singular: bool = True, resolve_below: float | None = None):
        """(det A, sigma_min A) at k (..., 2); sigma_min only if ``singular``, and with ``resolve_below`` only
        where it may be <= resolve_below (elsewhere a lower bound above it, :func:`smallest_singular_value`)."""
        k = np.asarray(k, dtype=float)
        shape = k.shape[:-1]
        k = k.reshape(-1, 2)
        det = np.empty(len(k), dtype=complex)
        smin = np.empty(len(k)) if singular else None
        for i in range(0, len(k), _CHUNK):
            a = self.a_matrix(k[i:i + _CHUNK])
            det[i:i + _CHUNK] = determinants(a)
            if singular:
                smin[i:i + _CHUNK] = smallest_singular_value(a, resolve_below=resolve_below, det=det[i:i + _CHUNK])
        return det.reshape(shape), (smin.reshape(shape) if singular else None)

    def sigma(self, k) -> np.ndarray:
        """sigma_min A at k (..., 2), without det A."""
        k = np.asarray(k, dtype=float)
        return smallest_singular_value(self.a_matrix(k.reshape(-1, 2))).reshape(k.shape[:-1])


_EPS = np.finfo(float).eps

#: sigma_min from A^dagger A where sigma_min >= this x ||A||_F (its error there <= ~ m eps ||A|| / this), else the SVD.
GRAM_SIGMA_RATIO = 1e-2


def singular_value_bound(a: np.ndarray, det: np.ndarray | None = None) -> np.ndarray:
    """Lower bound on sigma_min of each matrix of ``a`` (..., m, m) from its determinant and Frobenius norm:

        sigma_min >= |det A| ((m - 1) / ||A||_F^2)^((m - 1) / 2),

    since |det A| = sigma_min prod_{i<m} sigma_i and, by the AM-GM inequality, prod_{i<m} sigma_i <=
    (sum_{i<m} sigma_i^2 / (m - 1))^((m - 1)/2) <= (||A||_F^2 / (m - 1))^((m - 1)/2).  Close to sigma_min where
    the other singular values are similar and much larger (sigma_min -> 0: the bound / sigma_min -> 1); ``det``:
    det A if already known (else computed)."""
    a = np.asarray(a)
    m = a.shape[-1]
    det = determinants(a) if det is None else np.asarray(det)
    if m == 1:
        return np.abs(det)
    fro2 = np.einsum("...ij,...ij->...", a.real, a.real) + np.einsum("...ij,...ij->...", a.imag, a.imag) \
        if np.iscomplexobj(a) else np.einsum("...ij,...ij->...", a, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(fro2 > 0, np.abs(det) * ((m - 1) / np.where(fro2 > 0, fro2, 1.0)) ** ((m - 1) / 2), 0.0)


def smallest_singular_value(a: np.ndarray, *, resolve_below: float | None = None,
                            det: np.ndarray | None = None) -> np.ndarray:
    """sigma_min of each matrix of the batch ``a`` (..., m, m) to the accuracy of the SVD (~ eps ||A||).

    As sqrt of the lowest eigenvalue of A^dagger A (the compiled eigenvalue kernel, ~5x faster than LAPACK's
    SVD on 4 x 4 batches) where that is accurate: the Gram matrix carries an error ~ m eps ||A||^2, so sigma
    carries ~ m eps ||A||^2 / sigma, below 1e-13 ||A|| for sigma >= GRAM_SIGMA_RATIO ||A||; the smaller values
    (near the nodes, where they decide) are min |E| of the Hermitian [[0, A], [A^dagger, 0]], whose eigenvalues
    are +-sigma_i, from the same backward-stable kernel (error ~ eps ||A||, as the SVD's).

    ``resolve_below``: only matrices whose :func:`singular_value_bound` (less its rounding error,
    64 eps ||A||_F) is <= resolve_below are solved; the others get that bound, a lower bound on sigma_min that
    exceeds resolve_below -- enough for a caller that only compares values up to resolve_below (a node scan:
    most of the zone is far from every zero).  ``det``: det A, if known, for the bound."""
    a = np.asarray(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2] or not np.all(np.isfinite(a)):
        raise ParameterError("a", a.shape, "finite square matrices, shape (..., m, m)")
    if resolve_below is not None and a.ndim > 2:
        resolve_below = check_range("resolve_below", resolve_below, lo=0.0)
        bound = np.asarray(singular_value_bound(a, det), dtype=float)
        far = bound - 64 * _EPS * np.linalg.norm(a, axis=(-2, -1)) > resolve_below
        if np.any(far):
            near = ~far
            if np.any(near):
                bound[near] = smallest_singular_value(a[near])
            return bound
    adag = np.conj(np.swapaxes(a, -1, -2))
    sigma = np.sqrt(np.maximum(eigvalsh(adag @ a)[..., 0], 0.0))
    small = sigma < GRAM_SIGMA_RATIO * np.linalg.norm(a, axis=(-2, -1))
    if np.any(small):
        m = a.shape[-1]
        h = np.zeros((int(small.sum()), 2 * m, 2 * m), dtype=np.result_type(a.dtype, complex))
        h[:, :m, m:], h[:, m:, :m] = a[small], adag[small]
        sigma[small] = np.min(np.abs(eigvalsh(h)), axis=-1)
    return sigma


def _check_periodic(chi: _Chiral) -> None:
    """H(kx + 4 pi, ky) = H(kx, ky): the fixed-ky loop must close."""
    k = np.array([[0.3, 0.2], [1.1, -0.7], [2.0, 1.3]])
    h0 = chi.model.bdg_hamiltonian(k, chi.delta, chi.field)
    h1 = chi.model.bdg_hamiltonian(k + [KX_PERIOD, 0.0], chi.delta, chi.field)
    if not np.allclose(h0, h1, atol=1e-10 * max(1.0, np.abs(h0).max())):
        raise ParameterError("model", getattr(chi.model, "name", type(chi.model).__name__),
                             "a model on the paper's triangular lattice (a1 = (1, 0)), "
                             "periodic under kx -> kx + 4 pi")


# ----------------------------------------------------------------- symmetries
def check_symmetries(model, delta: float, field, k=None, *, atol: float = 1e-9,
                     raise_on_failure: bool = True) -> dict[str, float]:
    """Residuals of the 1D symmetries of H(kx, ky) at sample momenta; raise if C is broken.

    Residuals (max abs entry, relative to max |H|):
      T: ||U_T H(kx, ky)^* U_T^dag - H(-kx, ky)||,
      P: ||U_P H(kx, ky)^* U_P^dag + H(-kx, ky)||,
      C: ||C H(kx, ky) C^dag + H(kx, ky)||.

    The winding number needs only C; T and P (class BDI rather than AIII) are
    reported.  If C is broken, ParameterError names ``field`` when the model is
    chiral at zero field (the field broke it: an out-of-plane component), else
    ``model`` (a term such as Rashba SOC breaks it).
    """
    n_orb = _n_orbitals(model)
    v = as_field(field).vector
    if k is None:
        k = np.random.default_rng(11).uniform(-4.0, 4.0, size=(8, 2))
    k = np.asarray(k, dtype=float).reshape(-1, 2)
    ops = symmetry_operators(n_orb)
    kmir = k * np.array([-1.0, 1.0])

    def residuals(vec):
        h = model.bdg_hamiltonian(k, delta, vec)
        hm = model.bdg_hamiltonian(kmir, delta, vec)
        scale = max(1.0, float(np.abs(h).max()))
        ut, up, c = ops["T"], ops["P"], ops["C"]
        return {"T": float(np.abs(ut @ h.conj() @ ut.conj().T - hm).max()) / scale,
                "P": float(np.abs(up @ h.conj() @ up.conj().T + hm).max()) / scale,
                "C": float(np.abs(c @ h @ c.conj().T + h).max()) / scale}

    res = residuals(v)
    if raise_on_failure and res["C"] > atol:
        if residuals(np.zeros(3))["C"] > atol:
            raise ParameterError("model", getattr(model, "name", type(model).__name__),
                                 "a model with the chiral symmetry C = sigma_x tau_y at zero field "
                                 "(spin terms only Ising sigma_z SOC and the Zeeman field)")
        raise ParameterError("field", tuple(float(x) for x in v), _FIELD_ALLOWED)
    return res


# ----------------------------------------------------------------- certified loop windings
def _loop_windings(chi: _Chiral, loop_k, n_loops: int, period: float, lip, *,
                   n_init: int, node_tol: float, max_points: int):
    """Certified winding of det A around n_loops closed loops k = loop_k(loop_index, t), t in [0, period).

    Returns (winding float array, min sampled sigma, t at min, unresolved bool, points per loop, samples)
    where samples = (loop, t, sigma) of all evaluated points.
    """
    n = chi.n
    lip_loop = np.maximum(np.broadcast_to(np.asarray(lip, dtype=float), (n_loops,)), 1e-12)
    h_min_loop = node_tol / (n * lip_loop)  # below: an uncertified interval implies a gap < node_tol
    t0 = np.linspace(0.0, period, n_init, endpoint=False)
    loops = np.repeat(np.arange(n_loops), n_init)
    ts = np.tile(t0, n_loops)
    d, s = chi(loop_k(loops, ts))
    d2, s2 = d.reshape(n_loops, n_init), s.reshape(n_loops, n_init)
    # intervals [t_j, t_{j+1}], the last one closing the loop at t = period (= t = 0)
    il, ta = loops, ts
    tb = ta + period / n_init
    da, sa = d, s
    db, sb = np.roll(d2, -1, axis=1).ravel(), np.roll(s2, -1, axis=1).ravel()
    phase = np.zeros(n_loops)
    unresolved = np.zeros(n_loops, dtype=bool)
    all_l, all_t, all_s = [loops], [ts], [s]
    count = np.full(n_loops, n_init)
    while il.size:
        h = tb - ta
        lip = lip_loop[il]
        margin = np.minimum(sa, sb) - 0.5 * lip * h
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = np.where(margin > 0, n * lip * h / np.where(margin > 0, margin, 1.0), np.inf)
        ok = bound < _MAX_CERTIFIED_PHASE
        # accepted intervals: the wrapped phase step is the true one
        np.add.at(phase, il[ok], np.angle(db[ok] * np.conj(da[ok])))
        bad = ~ok
        tiny = bad & (h < h_min_loop[il])
        unresolved[il[tiny]] = True
        refine = bad & ~tiny & ~unresolved[il]  # stop refining loops already through a node
        il, ta, tb, da, db, sa, sb = (x[refine] for x in (il, ta, tb, da, db, sa, sb))
        if not il.size:
            break
        tm = 0.5 * (ta + tb)
        dm, sm = chi(loop_k(il, tm))
        all_l.append(il)
        all_t.append(tm)
        all_s.append(sm)
        np.add.at(count, il, 1)
        if count.max() > max_points:
            raise ConvergenceError(f"winding refinement exceeded max_points = {max_points} on a loop "
                                   f"(smallest sampled gap {float(sm.min()):.3g}); raise max_points or node_tol")
        il = np.concatenate([il, il])
        ta, tb = np.concatenate([ta, tm]), np.concatenate([tm, tb])
        da, db = np.concatenate([da, dm]), np.concatenate([dm, db])
        sa, sb = np.concatenate([sa, sm]), np.concatenate([sm, sb])
    samples = tuple(np.concatenate(x) for x in (all_l, all_t, all_s))
    w = phase / (2 * np.pi)
    return w, unresolved, count, samples


def _refine_min_gap(chi: _Chiral, loop_k, n_loops: int, period: float, samples, iters: int = 45):
    """Minimum of sigma_min along each loop: best sample, then golden-section between its neighbours."""
    lp, t, s = samples
    order = np.lexsort((t, lp))
    lp, t, s = lp[order], t[order], s[order]
    starts = np.searchsorted(lp, np.arange(n_loops))
    ends = np.searchsorted(lp, np.arange(n_loops), side="right")
    best = np.array([a + int(np.argmin(s[a:b])) for a, b in zip(starts, ends)])
    prev = np.where(best > starts, best - 1, ends - 1)
    nxt = np.where(best < ends - 1, best + 1, starts)
    lo = t[prev] - np.where(best > starts, 0.0, period)  # wrap around the loop
    hi = t[nxt] + np.where(best < ends - 1, 0.0, period)
    idx = np.arange(n_loops)
    g = (np.sqrt(5.0) - 1) / 2
    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
    fc, fd = chi.sigma(loop_k(idx, c)), chi.sigma(loop_k(idx, d))
    for _ in range(iters):
        left = fc < fd  # the minimum is in [lo, d]: drop (d, hi]; else drop [lo, c)
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
        c_new = np.where(left, hi - g * (hi - lo), d)
        d_new = np.where(left, c, lo + g * (hi - lo))
        f_new = chi.sigma(loop_k(idx, np.where(left, c_new, d_new)))
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = c_new, d_new
    x1, x2, f1, f2 = c, d, fc, fd
    tbest = np.where(f1 < f2, x1, x2)
    gbest = np.minimum(f1, f2)
    # never report more than the best sample
    take = s[best] < gbest
    return np.where(take, s[best], gbest), np.mod(np.where(take, t[best], tbest), period)


def _check_integer(w: np.ndarray, mask: np.ndarray, what: str) -> np.ndarray:
    wi = np.rint(w)
    err = np.abs(w - wi)
    if np.any(err[~mask] > 1e-6):
        raise ConvergenceError(f"{what}: winding not an integer after refinement "
                               f"(max deviation {float(err[~mask].max()):.3g})")
    return wi


# ----------------------------------------------------------------- public: winding numbers
def winding_number(model, delta: float, field, ky, *, n_init: int = 128,
                   node_tol: float = NODE_TOL, max_points: int = 2_000_000,
                   check: bool = True) -> xr.Dataset:
    """Winding number W(ky) of the fixed-ky BDI Hamiltonian H_ky(kx), vectorised over ky.

        W(ky) = (1 / 2 pi i) \\oint_0^{4 pi} dkx d/dkx log det A(kx, ky)

    with A the (C = +1, C = -1) block of H in the eigenbasis of C = sigma_x tau_y
    (module docstring: sign convention and the certified unwrapping).

    Parameters
    ----------
    model : anything with ``bdg_hamiltonian(k, delta, field)`` and ``nambu_dim``
        (a TightBindingModel, the effective 4x4 model, ...).
    delta : pairing Delta > 0 (|t|).
    field : Zeeman energy: scalar Vx >= 0 (|t|), or an in-plane vector (Vx, Vy[, 0]).
    ky : momentum / momenta (1/a) of the lines.
    n_init : initial uniform kx samples per line (refined adaptively).
    node_tol : a line whose gap min_kx |E| is below this (|t|) is ``through_node``.

    Returns
    -------
    Dataset over ``ky`` with ``winding`` (float: integer, NaN through a node),
    ``through_node`` (bool), ``resolved`` (bool, not through_node), ``min_gap`` (min over
    kx of |E|, |t|), ``kx_min_gap`` (1/a, in [0, 4 pi)) and ``n_points`` (kx samples used).

    Notes
    -----
    Resolution rule: the kx sampling of each line is set by its own gap through the
    certified unwrapping (module docstring): an interval of length h (1/a) is accepted
    only if n L h / (m - L h / 2) < pi/2, m the smaller of sigma_min(A) (|t|) at its ends and
    L (|t| a) the bound on ||dH/dkx||, so near a gap g the step is h ~ g / (n L) and the
    number of points grows as the gap closes.  A line whose gap cannot be certified above
    ``node_tol`` (|t|) is not resolved: W is NaN, ``through_node`` True, ``resolved`` False
    -- never a guessed integer.
    """
    delta = _check_delta(delta)
    v = _check_field(field)
    node_tol = check_range("node_tol", node_tol, lo=0.0, lo_open=True)
    n_init = check_positive_int("n_init", n_init, 4)
    ky_arr = np.atleast_1d(np.asarray(ky, dtype=float))
    if ky_arr.ndim != 1 or not np.all(np.isfinite(ky_arr)):
        raise ParameterError("ky", ky, "finite momenta (1/a), a scalar or 1D array")
    chi = _Chiral(model, delta, v)
    if check:
        check_symmetries(model, delta, v)
        _check_periodic(chi)

    def loop_k(i, t):
        return np.stack([t, ky_arr[i]], axis=-1)

    lx, _ = chi.lipschitz
    w, unresolved, count, samples = _loop_windings(chi, loop_k, len(ky_arr), KX_PERIOD, lx,
                                                   n_init=n_init, node_tol=node_tol,
                                                   max_points=max_points)
    gap, kx_gap = _refine_min_gap(chi, loop_k, len(ky_arr), KX_PERIOD, samples)
    node = unresolved | (gap < node_tol)
    wi = _check_integer(w, node, "winding_number")
    wi = np.where(node, np.nan, wi + 0.0)  # (+ 0.0: no negative zeros)
    import xarray as xr

    ds = xr.Dataset(
        {"winding": ("ky", wi, {"long_name": "winding number W(ky) (NaN: line through a node)",
                                "units": "1"}),
         "through_node": ("ky", node, {"long_name": "min |E| along the line < node_tol"}),
         "resolved": ("ky", ~node, {"long_name": "W certified (the line gap is above node_tol)"}),
         "min_gap": ("ky", gap, {"long_name": "min over kx of |E|", "units": "|t|"}),
         "kx_min_gap": ("ky", kx_gap, {"long_name": "kx of the minimum gap", "units": MOMENTUM_UNITS}),
         "n_points": ("ky", count, {"long_name": "kx samples used on the line"})},
        coords={"ky": ("ky", ky_arr, {"units": MOMENTUM_UNITS})})
    return finalize(ds, model=_describable(model), delta=delta, **as_field(v).attrs(), node_tol=node_tol,
                    n_init=n_init, kx_loop="[0, 4 pi) at fixed ky",
                    sign_convention="W = (1/2 pi i) oint dlog det A, kx increasing, "
                                    "A = <C=+1|H|C=-1>, C = sigma_x tau_y")


def _describable(model):
    return model if hasattr(model, "describe") else None


# ----------------------------------------------------------------- nodes
def _fold_ky(ky):
    """ky folded into the line family [-pi/sqrt3, pi/sqrt3)."""
    return np.mod(np.asarray(ky) + KY_PERIOD / 2, KY_PERIOD) - KY_PERIOD / 2


def _torus_distance(k1, k2):
    """Distance between k points modulo the reciprocal lattice, shape broadcast (...)."""
    d = LATTICE.fold_to_bz(np.asarray(k1) - np.asarray(k2))
    return np.hypot(d[..., 0], d[..., 1])


def _distinct(k: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    """The points of k (n, 2) in order, each dropped if an earlier point kept is within ``tol`` of it (modulo the
    reciprocal lattice)."""
    close = _torus_distance(k[:, None, :], k[None, :, :]) < tol
    kept: list[int] = []
    for i in range(len(k)):
        if not close[i, kept].any():
            kept.append(i)
    return k[kept].reshape(-1, 2)


def _winding_around(chi: _Chiral, centers: np.ndarray, radii: np.ndarray, node_tol: float,
                    max_points: int = 200_000):
    """Counter-clockwise winding of det A around circles; (charges, resolved)."""
    _, lgrad = chi.lipschitz

    def loop_k(i, t):
        return centers[i] + radii[i, None] * np.stack([np.cos(t), np.sin(t)], axis=-1)

    w, unresolved, _, samples = _loop_windings(chi, loop_k, len(centers), 2 * np.pi,
                                               radii * lgrad, n_init=32,
                                               node_tol=node_tol, max_points=max_points)
    lp, _, s = samples
    smin = np.full(len(centers), np.inf)
    np.minimum.at(smin, lp, s)
    bad = unresolved | (smin < node_tol)
    return _check_integer(w, bad, "node charge"), ~bad


def _batched_newton(chi: _Chiral, k0: np.ndarray, max_step: float, iters: int = 30,
                    h: float = 1e-7):
    """Newton's method on F(k) = (Re, Im) det A(k) = 0 for many starts at once.

    Forward-difference Jacobian, steps clipped to ``max_step``; returns (k, converged)
    where converged means the last step was below 1e-12 (1/a).
    """
    k = np.array(k0, dtype=float)
    conv = np.zeros(len(k), dtype=bool)
    active = np.ones(len(k), dtype=bool)
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    for _ in range(iters):
        ka = k[active]
        if not len(ka):
            break
        pts = np.stack([ka, ka + ex, ka + ey], axis=1)
        det = chi(pts, singular=False)[0]
        f = np.stack([det[:, 0].real, det[:, 0].imag], -1)
        jx = (det[:, 1] - det[:, 0]) / h  # forward differences: O(h) Jacobian error only
        jy = (det[:, 2] - det[:, 0]) / h  # slows Newton's last digits, not its root
        jac = np.stack([np.stack([jx.real, jy.real], -1), np.stack([jx.imag, jy.imag], -1)], -2)
        with np.errstate(all="ignore"):
            good = np.abs(np.linalg.det(jac)) > 0
            step = np.zeros_like(ka)
            step[good] = np.linalg.solve(jac[good], f[good][..., None])[..., 0]
        size = np.linalg.norm(step, axis=-1)
        clip = np.where(size > max_step, max_step / np.where(size > 0, size, 1.0), 1.0)
        ka = ka - step * clip[:, None]
        idx = np.nonzero(active)[0]
        k[idx] = ka
        done = good & (size < 1e-12)
        conv[idx[done]] = True
        lost = np.linalg.norm(ka - k0[idx], axis=-1) > 4 * max_step  # wandered off: not its root
        active[idx[done | lost | ~good | ~np.all(np.isfinite(ka), axis=-1)]] = False
    return k, conv


def _plaquette_charges(d: np.ndarray) -> np.ndarray:
    """Winding of det A around each plaquette of a grid (..., nx+1, ny+1) -> (..., nx, ny).

    Counter-clockwise: bottom edge (x increasing), right edge, top edge, left edge;
    each step is the wrapped phase difference.
    """
    dx = np.angle(d[..., 1:, :] * np.conj(d[..., :-1, :]))
    dy = np.angle(d[..., :, 1:] * np.conj(d[..., :, :-1]))
    w = (dx[..., :, :-1] + dy[..., 1:, :] - dx[..., :, 1:] - dy[..., :-1, :]) / (2 * np.pi)
    return np.rint(w).astype(int)


def _plaquette_centres(x0: float, y0: float, h, idx) -> np.ndarray:
    i, j = idx
    return np.stack([x0 + (i + 0.5) * h[0], y0 + (j + 0.5) * h[1]], axis=-1).reshape(-1, 2)


def _gamma_m_seeds(chi: _Chiral, step: float, c3v: bool = False) -> np.ndarray:
    """Zeros of det A along the six Gamma-M rays (S = 0 there), as Newton starts.

    In the chiral basis det A is real on these rays for the paper's models (checked
    here; otherwise the small local minima of sigma_min are returned).  Sign changes
    of Re det A on a grid of ``step`` are bracketed and solved with brentq; a local
    minimum of |Re det A| without sign change (a node pair closer than ``step``) is
    searched with a bounded 1D minimisation, and split into two roots if it crosses zero.
    With ``c3v`` (det A(g k) = det A(k) for g in C3v, checked by the caller) the six rays are images of
    the first: it is searched alone and its seeds mapped by the six operations.
    """
    length = 2 * np.pi / SQRT3  # |Gamma M|
    r = np.linspace(0.0, length, int(np.ceil(length / step)) + 1)
    ang = np.pi / 6 + np.arange(1 if c3v else 6) * np.pi / 3
    u = np.stack([np.cos(ang), np.sin(ang)], -1)
    k = r[None, :, None] * u[:, None, :]  # (6, nr, 2)
    det, _ = chi(k, singular=False)
    if np.abs(det.imag).max() > 1e-9 * max(1.0, float(np.abs(det).max())):
        lgrad = chi.lipschitz[1]
        sm = chi.sigma(k)
        mid = sm[:, 1:-1]
        a, b = np.nonzero((mid <= sm[:, :-2]) & (mid <= sm[:, 2:]) & (mid < lgrad * (r[1] - r[0])))
        return _images(k[a, b + 1], c3v)
    f = det.real
    out = []
    for ray in range(len(ang)):
        def fr(x, ray=ray):
            return float(chi(x * u[ray][None, :], singular=False)[0][0].real)

        fv = f[ray]
        for i in np.nonzero(np.sign(fv[:-1]) * np.sign(fv[1:]) < 0)[0]:
            out.append(optimize.brentq(fr, r[i], r[i + 1], xtol=1e-15) * u[ray])
        av = np.abs(fv)
        # a local minimum of |f| whose three samples share one sign (if the middle one has the
        # other sign, both crossings were bracketed above)
        for i in np.nonzero((av[1:-1] < av[:-2]) & (av[1:-1] < av[2:])
                            & (np.sign(fv[:-2]) == np.sign(fv[2:]))
                            & (np.sign(fv[1:-1]) == np.sign(fv[2:])))[0] + 1:
            sgn = np.sign(fv[i])
            res = optimize.minimize_scalar(lambda x: sgn * fr(x), bounds=(r[i - 1], r[i + 1]),
                                           method="bounded", options={"xatol": 1e-13})
            if res.fun < 0:  # crossed zero: a close pair, one root on each side
                out.append(optimize.brentq(fr, r[i - 1], res.x, xtol=1e-15) * u[ray])
                out.append(optimize.brentq(fr, res.x, r[i + 1], xtol=1e-15) * u[ray])
    return _images(np.array(out).reshape(-1, 2), c3v)


def _images(k: np.ndarray, c3v: bool) -> np.ndarray:
    """k and, with ``c3v``, its images under the C3v operations (the identity first)."""
    return np.concatenate([k @ g.T for g in point_group_matrices("C3v")]) if c3v else k


def _a_invariant(chi: _Chiral, ops) -> bool:
    """A(g k) = A(k) for every 2 x 2 matrix g of ``ops`` (checked at sample k): det A and sigma_min are
    invariant, and the zeros of det A map onto zeros."""
    k = np.random.default_rng(6).uniform(-4.0, 4.0, size=(6, 2))
    a = chi.a_matrix(k)
    tol = 1e-12 * max(1.0, float(np.abs(a).max()))
    return all(np.allclose(chi.a_matrix(k @ np.asarray(g).T), a, rtol=0.0, atol=tol) for g in ops)


def _orbits(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each node the index of its orbit's representative (the first of the orbit in ``nodes``) and the
    C3v operation (index into point_group_matrices("C3v")) that maps the representative onto it, matched on
    the torus to 1e-7 1/a; a node whose images are not all in ``nodes`` represents itself."""
    m = len(nodes)
    ops = point_group_matrices("C3v")
    rep, op = np.arange(m), np.zeros(m, dtype=int)
    done = np.zeros(m, dtype=bool)
    for i in range(m):
        if done[i]:
            continue
        done[i] = True
        images = LATTICE.fold_to_bz(np.stack([nodes[i] @ g.T for g in ops]))
        dist = _torus_distance(images[:, None, :], nodes[None, :, :])  # (ops, m)
        members = {}
        for o in range(1, len(ops)):
            j = int(np.argmin(np.where(done, np.inf, dist[o])))
            if dist[o, j] < 1e-7 and not done[j]:
                members[j] = o
        for j, o in members.items():
            rep[j], op[j], done[j] = i, o, True
    return rep, op


def golden_section_min(f, lo, hi, iters: int = 64, *, proceed=None, lipschitz: float | None = None,
                       level: float | None = None, f_lo=None, f_hi=None):
    """Vectorised golden-section search for min f(i, x) on [lo_i, hi_i]; returns (x, f(x)) per entry.

    ``f(i, x)`` evaluates entries i (positions 0 .. n-1) at x.  ``proceed(act, lo, hi, f_min)`` -> boolean
    mask over the active entries ``act`` that still need refining (default: all, for ``iters`` steps).

    ``lipschitz`` L and ``level``: f is L-Lipschitz, and an entry stops once f > ``level`` is certified on its
    whole bracket.  Between two points x1 < x2 with values f1, f2 (or lower bounds on them)
    min f >= (f1 + f2 - L (x2 - x1)) / 2, and next to a point x1 alone min f >= f1 - L |x - x1|: the bound of the
    bracket is the least over its three pieces [lo, c], [c, d], [d, hi], with the values at the ends where known
    (an end is always a point evaluated before, or the initial end with ``f_lo`` / ``f_hi`` given: NaN where not).
    """
    g = (np.sqrt(5.0) - 1) / 2
    idx = np.arange(len(lo))
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
    fc, fd = f(idx, c), f(idx, d)
    certify = lipschitz is not None and level is not None
    if certify:
        f_lo = np.full(len(lo), np.nan) if f_lo is None else np.array(f_lo, dtype=float)
        f_hi = np.full(len(lo), np.nan) if f_hi is None else np.array(f_hi, dtype=float)
    act = idx
    for _ in range(iters):
        if proceed is not None:
            act = act[proceed(act, lo[act], hi[act], np.minimum(fc[act], fd[act]))]
        if certify:
            act = act[_lipschitz_bound(lipschitz, lo[act], c[act], d[act], hi[act], f_lo[act], fc[act], fd[act],
                                       f_hi[act]) <= level]
        if not act.size:
            break
        left = fc[act] < fd[act]
        h_, l_, c_, d_ = hi[act], lo[act], c[act], d[act]
        if certify:  # the end that moves takes the value of the interior point it moves to
            f_hi[act] = np.where(left, fd[act], f_hi[act])
            f_lo[act] = np.where(left, f_lo[act], fc[act])
        h_, l_ = np.where(left, d_, h_), np.where(left, l_, c_)
        c_new = np.where(left, h_ - g * (h_ - l_), d_)
        d_new = np.where(left, c_, l_ + g * (h_ - l_))
        f_new = f(act, np.where(left, c_new, d_new))
        fc[act], fd[act] = np.where(left, f_new, fd[act]), np.where(left, fc[act], f_new)
        hi[act], lo[act], c[act], d[act] = h_, l_, c_new, d_new
    return np.where(fc < fd, c, d), np.minimum(fc, fd)


def _lipschitz_bound(lip: float, lo, c, d, hi, f_lo, fc, fd, f_hi) -> np.ndarray:
    """Lower bound on an L-Lipschitz f over [lo, hi] from f(c), f(d) (lo < c < d < hi) and f(lo), f(hi) where not
    NaN: the least of the bounds of [lo, c], [c, d] and [d, hi] (:func:`golden_section_min`)."""
    with np.errstate(invalid="ignore"):
        left = np.where(np.isnan(f_lo), fc - lip * (c - lo), 0.5 * (f_lo + fc - lip * (c - lo)))
        right = np.where(np.isnan(f_hi), fd - lip * (hi - d), 0.5 * (fd + f_hi - lip * (hi - d)))
    return np.minimum(np.minimum(left, right), 0.5 * (fc + fd - lip * (d - c)))


def _rows_through_zero_lines(chi: _Chiral, xs: np.ndarray, ys: np.ndarray, s: np.ndarray,
                             node_tol: float) -> np.ndarray:
    """ky of the grid rows that cross a line of zeros of det A (empty if none); ``s``: sigma_min on the grid
    ``xs`` x ``ys``, exact at least where it is <= L_x h_x (above, any value above that).

    A line of zeros (an unpaired Fermi surface, a Bogoliubov Fermi surface) is invisible to the
    plaquette charges when det A is real there (it changes sign, or touches zero, without
    winding; rounding then decides whether a plaquette reads +-1, so the old detection depended on
    the machine).  It is detected directly:

    1. on every row ky = y_j of the scan, each local minimum of the sampled sigma_min(A) that is
       <= L_x h_x (a zero within the neighbouring cells would force sigma <= L_x h_x / 2 at a sample;
       sigma_min is L_x-Lipschitz) is refined by a golden-section search between its neighbours;
    2. a row whose refined minimum is below ``node_tol`` crosses a zero at (x*, y_j); it crosses a
       *line* of zeros if the lines ky = y_j +- dy (dy = 1e-3 h_y) also have a zero (below
       ``node_tol``) within h_x of x*.  An isolated node close to a row gives a gap ~ |v| dy >>
       node_tol there, so it is not mistaken for a line.
    """
    lx = chi.lipschitz[0]
    hx, hy = xs[1] - xs[0], ys[1] - ys[0]
    sp = s[:-1]  # the last sample repeats the first (kx + 4 pi)
    before, after = np.roll(sp, 1, axis=0), np.roll(sp, -1, axis=0)  # sigma (or a lower bound) at x -+ h_x
    loc = (sp <= before) & (sp <= after) & (sp <= lx * hx)
    ii, jj = np.nonzero(loc)
    order = np.argsort(sp[ii, jj], kind="stable")  # smallest samples first
    ii, jj = ii[order], jj[order]

    def sigma_on(y):
        return lambda i, x: chi.sigma(np.stack([x, y[i]], axis=-1))

    for start in range(0, ii.size, 256):  # stop at the first chunk that proves a line
        ci, cj = ii[start:start + 256], jj[start:start + 256]
        # the bracket's ends are the neighbouring samples: their values (lower bounds) sharpen the certificate
        x_star, f_star = golden_section_min(sigma_on(ys[cj]), xs[ci] - hx, xs[ci] + hx, lipschitz=lx,
                                            level=node_tol, f_lo=before[ci, cj], f_hi=after[ci, cj])
        hit = f_star < node_tol
        if not hit.any():
            continue
        xh, yh = x_star[hit], ys[cj][hit]
        confirmed = np.zeros(len(xh), dtype=bool)
        for dy in (1e-3 * hy, -1e-3 * hy):
            _, f_n = golden_section_min(sigma_on(yh + dy), xh - hx, xh + hx, lipschitz=lx, level=node_tol)
            confirmed |= f_n < node_tol
        if confirmed.any():
            return np.unique(yh[confirmed])
    return np.zeros(0)


def _c3v_invariant(chi: _Chiral) -> bool:
    """det A(g k) = det A(k) for the C3v operations g (checked at sample k)?"""
    k = np.random.default_rng(5).uniform(-4.0, 4.0, size=(6, 2))
    ref = chi(k, singular=False)[0]
    tol = 1e-9 * max(1.0, float(np.abs(ref).max()))
    return all(np.allclose(chi(k @ g.T, singular=False)[0], ref, atol=tol)
               for g in point_group_matrices("C3v"))


class Nodes(NamedTuple):
    """The zeros of :func:`locate_nodes` as arrays over the nodes, sorted by (ky_line, kx): ``k`` (n, 2) in the
    first BZ (1/a), ``ky_line``, ``charge``, ``isolated``, ``gap`` (|t|), ``k_error`` (1/a); ``gapless_lines``
    (lines of zeros found), ``zero_line_rows`` and the ``scan_grid`` (nx, ny)."""

    k: np.ndarray
    ky_line: np.ndarray
    charge: np.ndarray
    isolated: np.ndarray
    gap: np.ndarray
    k_error: np.ndarray
    gapless_lines: bool
    zero_line_rows: int
    scan_grid: tuple[int, int]


def find_nodes(model, delta: float, field, *, spacing: float = 0.03, tol: float = 1e-12,
               node_tol: float = NODE_TOL, max_nodes: int = 100, symmetrize: bool = True,
               check: bool = True) -> xr.Dataset:
    """Zeros of the bulk BdG spectrum in the 2D Brillouin zone, with their topological charge: the Dataset of
    :func:`locate_nodes` (over ``node``: kx, ky, ky_line, charge, isolated, gap, k_error; ``gapless_lines``,
    ``zero_line_rows``, the scan grid and the tolerances in attrs)."""
    found = locate_nodes(model, delta, field, spacing=spacing, tol=tol, node_tol=node_tol, max_nodes=max_nodes,
                         symmetrize=symmetrize, check=check)
    import xarray as xr

    ds = xr.Dataset(
        {"kx": ("node", found.k[:, 0], {"units": MOMENTUM_UNITS}),
         "ky": ("node", found.k[:, 1], {"units": MOMENTUM_UNITS}),
         "ky_line": ("node", found.ky_line, {"units": MOMENTUM_UNITS,
                                             "long_name": "ky folded into [-pi/sqrt3, pi/sqrt3)"}),
         "charge": ("node", found.charge,
                    {"long_name": "winding of det A around the node (counter-clockwise); "
                                  "0 if not isolated"}),
         "isolated": ("node", found.isolated, {"long_name": "an isolated nodal point (its charge loop "
                                                            "avoids other zeros)"}),
         "gap": ("node", found.gap, {"units": "|t|", "long_name": "min |E| at the node"}),
         "k_error": ("node", found.k_error, {"units": MOMENTUM_UNITS, "long_name": "Newton error estimate"})},
        coords={"node": ("node", np.arange(len(found.k)))})
    return finalize(ds, model=_describable(model), delta=_check_delta(delta), **as_field(_check_field(field)).attrs(),
                    spacing=spacing, scan_grid=list(found.scan_grid), tol=tol, node_tol=node_tol,
                    gapless_lines=int(found.gapless_lines), zero_line_rows=found.zero_line_rows)


def locate_nodes(model, delta: float, field, *, spacing: float = 0.03, tol: float = 1e-12,
                 node_tol: float = NODE_TOL, max_nodes: int = 100, symmetrize: bool = True,
                 check: bool = True) -> Nodes:
    """Zeros of the bulk BdG spectrum in the 2D Brillouin zone, with their topological charge, as arrays
    (:class:`Nodes`; :func:`find_nodes` gives the Dataset).

    Method (details and tolerances in docs/topology.md):

    1. det A is sampled on a rectangular grid of the fundamental domain
       kx in [0, 4 pi], ky in [-pi/sqrt3, pi/sqrt3] (step ~``spacing`` 1/a, offset by
       irrational fractions so that no grid line is a symmetry line).  Each plaquette's
       winding of det A (sum of wrapped phase steps) is the charge inside; plaquettes
       with charge != 0 are candidates, and around each small local minimum of
       sigma_min(A) the plaquettes are resampled 4x finer (a pair may share one).
    2. On the six Gamma-M rays (S = 0) det A is real: its sign changes on a grid of
       spacing/20 are solved with brentq, local minima of |det A| are split into
       pairs if they cross zero (pairs just born at the transition).
    3. Candidates are refined by a vectorised Newton iteration on (Re, Im) det A = 0
       and polished with scipy's MINPACK hybrid method (xtol = ``tol``); roots are
       folded into the first BZ, de-duplicated and kept if sigma_min(A) < ``node_tol``.
       With ``symmetrize`` and H(g k) = H(k) for g in C3v (checked), images are added.
    4. The charge q is the counter-clockwise winding of det A around a circle (radius
       a fifth of the distance to the nearest other node, at most spacing/5; shrunk if
       q = 0), with the certified loop winding.  ``k_error`` is one Newton step
       |J^-1 F| (typically 1e-13 1/a or less).

    More than ``max_nodes`` zeros, a zero whose circle of radius spacing/2 crosses
    another zero, or a row of the scan grid that crosses a line of zeros (a zero below
    ``node_tol`` on the row and on the lines ky +- 1e-3 h_y beside it; attrs
    ``zero_line_rows`` counts the rows found, the search stopping at the first batch of
    256 candidates that holds one) means lines of zeros (Bogoliubov Fermi surfaces,
    an unpaired layer): ``attrs["gapless_lines"] = 1``.  Node pairs much closer than ``spacing`` off the
    Gamma-M lines may be missed; refine ``spacing``.

    Returns
    -------
    Dataset over ``node``: ``kx``, ``ky`` (first BZ, 1/a), ``ky_line`` (ky folded
    into [-pi/sqrt3, pi/sqrt3), the fixed-ky line the node lies on), ``charge``
    (int; 0 if not ``isolated``), ``isolated`` (its charge loop stays ``node_tol``
    away from other zeros), ``gap`` (sigma_min(A) at the node, |t|) and ``k_error``
    (1/a); sorted by (ky_line, kx).
    """
    delta = _check_delta(delta)
    v = _check_field(field)
    spacing = check_range("spacing", spacing, lo=1e-4, hi=0.5)
    tol = check_range("tol", tol, lo=0.0, lo_open=True, hi=1e-6)
    node_tol = check_range("node_tol", node_tol, lo=0.0, lo_open=True)
    max_nodes = check_positive_int("max_nodes", max_nodes, 1)
    chi = _Chiral(model, delta, v)
    if check:
        check_symmetries(model, delta, v)
        _check_periodic(chi)
    nx = int(np.ceil(KX_PERIOD / spacing))
    ny = 2 * int(np.ceil(KY_PERIOD / (2 * spacing)))  # even: the rows are symmetric about ky = 0
    # an irrational offset keeps the columns off kx = 0 and the grid points off the Gamma-M lines; the rows sit
    # half a step off ky = 0 and ky = +-pi/sqrt3 (ky_j = -pi/sqrt3 + (j + 1/2) h_y): row ny - 1 - j mirrors row j
    x0 = (np.sqrt(2) - 1) * 0.37 * KX_PERIOD / nx
    xs = x0 + np.arange(nx + 1) * KX_PERIOD / nx
    ys = -KY_PERIOD / 2 + (np.arange(ny + 1) + 0.5) * KY_PERIOD / ny
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
    h = KX_PERIOD / nx, KY_PERIOD / ny
    _, lgrad = chi.lipschitz
    # sigma_min decides only where it is small (the local minima below 0.5 L spacing seed the finer scan,
    # those below L_x h_x the zero-line search): elsewhere a lower bound above both suffices
    level = max(0.5 * lgrad * spacing, chi.lipschitz[0] * h[0])
    mirror = _a_invariant(chi, [np.diag([1.0, -1.0])])
    if mirror:  # A(kx, -ky) = A(kx, ky): the rows ky < 0 are computed, the others are their mirror images
        half = ny // 2
        dh, sh = chi(grid[:, :half], resolve_below=level)
        d, s = (np.concatenate([x, x[:, ::-1], x[:, :1]], axis=1) for x in (dh, sh))  # row ny = row 0 (period)
    else:
        d, s = chi(grid, resolve_below=level)
    q = _plaquette_charges(d)
    starts = [_plaquette_centres(xs[0], ys[0], h, np.nonzero(q))]
    # Small local minima of sigma_min may hide a pair of opposite charges in one
    # plaquette: resample the 2 x 2 plaquettes around each on a grid sub_ times finer.
    inner = s[1:-1, 1:-1]
    neigh = np.stack([s[1 + a:s.shape[0] - 1 + a, 1 + b:s.shape[1] - 1 + b]
                      for a in (-1, 0, 1) for b in (-1, 0, 1) if (a, b) != (0, 0)])
    ci, cj = np.nonzero((inner <= neigh.min(axis=0)) & (inner < 0.5 * lgrad * spacing))
    if ci.size:
        sub = 4
        off = np.arange(2 * sub + 1) / sub - 1.0  # -1 .. 1 in units of the main spacing
        gx = xs[ci + 1][:, None] + off[None, :] * h[0]  # (nc, 2 sub + 1)
        gy = ys[cj + 1][:, None] + off[None, :] * h[1]
        pts = np.stack(np.broadcast_arrays(gx[:, :, None], gy[:, None, :]), axis=-1)
        qs = _plaquette_charges(chi(pts, singular=False)[0])  # (nc, 2 sub, 2 sub)
        c, a, b = np.nonzero(qs)
        starts.append(np.stack([gx[c, a] + 0.5 * h[0] / sub, gy[c, b] + 0.5 * h[1] / sub], -1))
    # Nodes sit on the Gamma-M lines for the paper's models (S = 0 there): a fine 1D
    # scan of sigma_min along the six Gamma-M rays seeds pairs too close for the 2D grid.
    c3v = _c3v_invariant(chi)
    starts.append(_gamma_m_seeds(chi, spacing / 20, c3v=c3v))
    starts = np.concatenate(starts)
    # scale of det A so that the residual tolerance is meaningful
    scale = float(np.median(np.abs(d))) or 1.0
    if len(starts):
        kr, conv = _batched_newton(chi, starts, max_step=0.5 * spacing)
        keep = conv & (np.linalg.norm(kr - starts, axis=-1) <= 2 * spacing)
        roots = kr[keep]  # a root far from its start has its own plaquette
    else:
        roots = np.zeros((0, 2))

    def residual(kvec):
        dd = chi(kvec[None, :], singular=False)[0][0] / scale
        return [dd.real, dd.imag]

    nodes = np.zeros((0, 2))
    if len(roots):
        roots = LATTICE.fold_to_bz(roots)
        nodes = _distinct(roots[chi.sigma(roots) < node_tol])
    if symmetrize and 0 < len(nodes) <= max_nodes and c3v:
        # H(g k) = H(k) for g in C3v (k acted on alone): the images of a node are
        # nodes, so a node of an orbit missed by the scan (a pair just born) is restored.
        nodes = _distinct(np.concatenate([nodes] + [LATTICE.fold_to_bz(nodes @ g.T)
                                                    for g in point_group_matrices("C3v")[1:]]))
    m = len(nodes)
    # Too many zeros: lines of zeros (Bogoliubov Fermi surfaces, an unpaired normal
    # layer at Gamma = 0), not isolated nodes; charges are not computed then.
    # A zero line crossing the rows of the grid (det A real there, e.g. the decoupled TMD
    # at Gamma = 0, has no plaquette charge): found row by row, see _rows_through_zero_lines.
    if mirror:  # a mirrored row crosses the same zeros as its image
        zero_rows = _rows_through_zero_lines(chi, xs, ys[:half], s[:, :half], node_tol)
        zero_rows = np.unique(np.concatenate([zero_rows, -zero_rows]))
    else:
        zero_rows = _rows_through_zero_lines(chi, xs, ys, s, node_tol)
    lines = m > max_nodes or zero_rows.size > 0
    charge = np.zeros(m, dtype=int)
    isolated = np.zeros(m, dtype=bool)
    err = np.full(m, np.nan)
    if m and not lines:
        # With A(g k) = A(k) for g in C3v the nodes come in orbits: a representative of each is polished and
        # its loops run; an image g k0 is g applied to it, with the charge det(g) q (det A(g k) = det A(k): the
        # image of a counter-clockwise circle runs clockwise for a mirror) and the same loop gaps.
        rep, op = _orbits(nodes) if c3v and _a_invariant(chi, point_group_matrices("C3v")) else \
            (np.arange(m), np.zeros(m, dtype=int))
        ops = point_group_matrices("C3v")
        sign = np.array([round(np.linalg.det(ops[o])) for o in op])
        own = rep == np.arange(m)
        for a in np.nonzero(own)[0]:
            kr = nodes[a]
            # polish with MINPACK's hybrid method (scipy) to xtol = tol
            sol = optimize.root(residual, kr, method="hybr", options={"xtol": tol})
            if np.linalg.norm(sol.x - kr) < 1e-6:
                nodes[a] = sol.x
            # Newton error estimate |J^-1 F| with a central-difference Jacobian
            f0 = np.array(residual(nodes[a]))
            hh = 1e-6
            jac = np.column_stack([(np.array(residual(nodes[a] + e)) - np.array(residual(nodes[a] - e)))
                                   / (2 * hh) for e in (np.array([hh, 0.0]), np.array([0.0, hh]))])
            try:
                err[a] = float(np.linalg.norm(np.linalg.solve(jac, f0)))
            except np.linalg.LinAlgError:  # higher-order zero: no linear estimate
                pass
        for j in np.nonzero(~own)[0]:
            nodes[j] = LATTICE.fold_to_bz(nodes[rep[j]] @ ops[op[j]].T)
            err[j] = err[rep[j]]
        if m > 1:
            dist = _torus_distance(nodes[:, None, :], nodes[None, :, :])
            np.fill_diagonal(dist, np.inf)
            nearest = dist.min(axis=1)
        else:
            nearest = np.full(1, np.inf)
        reps = np.nonzero(own)[0]
        radii = np.minimum(0.2 * nearest, 0.2 * spacing)[reps]
        q, iso = _winding_around(chi, nodes[reps], radii, node_tol)
        for _ in range(6):
            # charge 0 around a simple zero: an unresolved partner inside the loop; shrink it
            redo = iso & (q == 0) & np.isfinite(err[reps])
            if not redo.any():
                break
            radii = np.where(redo, 0.1 * radii, radii)
            q[redo], iso[redo] = _winding_around(chi, nodes[reps][redo], radii[redo], node_tol)
        where = np.searchsorted(reps, rep)  # each node's representative among reps
        isolated = iso[where]
        charge = np.where(isolated, sign * q[where], 0).astype(int)
        # A zero on a line of zeros: every circle around it crosses the line.  A circle
        # of radius spacing/2 avoids isolated nodes (a pair just born lies inside it).
        _, clear = _winding_around(chi, nodes[reps], np.full(len(reps), 0.5 * spacing), node_tol)
        lines = not np.all(clear)
    gap = chi.sigma(nodes) if m else np.zeros(0)
    ky_line = _fold_ky(nodes[:, 1])
    order = np.lexsort((nodes[:, 0], np.round(ky_line, 12)))
    nodes, charge, gap, err, ky_line, isolated = (x[order] for x in
                                                  (nodes, charge, gap, err, ky_line, isolated))
    return Nodes(k=nodes, ky_line=ky_line, charge=charge, isolated=isolated, gap=gap, k_error=err,
                 gapless_lines=bool(lines), zero_line_rows=int(zero_rows.size), scan_grid=(nx, ny))


def winding_intervals(model, delta: float, field, nodes: xr.Dataset | None = None, *,
                      spacing: float = 0.03, n_init: int = 128,
                      node_tol: float = NODE_TOL) -> xr.Dataset:
    """W(ky) as a piecewise-constant function: the ky projections of the nodes bound its intervals.

    W can only change where a fixed-ky line crosses a node, so W is evaluated
    once per interval between consecutive distinct ``ky_line`` values of the
    nodes (at its midpoint), on the circle [-pi/sqrt3, pi/sqrt3) (the last
    interval wraps around).  ``nodes`` defaults to :func:`find_nodes`.

    Returns a Dataset over ``interval`` with ``ky_lo``, ``ky_hi`` (the upper end
    may exceed pi/sqrt3 for the wrapping interval), ``ky_mid``, ``winding``,
    ``min_gap`` and ``charge_at_lo`` (sum of node charges on the line ky_lo).
    With the module's conventions W(interval i) - W(interval i-1) = -charge_at_lo(i).
    """
    if nodes is None:
        nodes = find_nodes(model, delta, field, spacing=spacing, node_tol=node_tol)
    kyl = np.asarray(nodes["ky_line"].values, dtype=float)
    ch = np.asarray(nodes["charge"].values, dtype=int)
    brk: list[float] = []
    for y in np.sort(kyl):
        if not brk or y - brk[-1] > 1e-9:
            brk.append(float(y))
    if brk:
        lo = np.array(brk)
        hi = np.append(lo[1:], lo[0] + KY_PERIOD)
        q = np.array([int(ch[np.abs(kyl - y) <= 1e-9].sum()) for y in lo])
    else:
        lo, hi, q = np.array([-KY_PERIOD / 2]), np.array([KY_PERIOD / 2]), np.zeros(1, dtype=int)
    mid = 0.5 * (lo + hi)
    wn = winding_number(model, delta, field, _fold_ky(mid), n_init=n_init, node_tol=node_tol)
    import xarray as xr

    ds = xr.Dataset(
        {"ky_lo": ("interval", lo, {"units": MOMENTUM_UNITS}),
         "ky_hi": ("interval", hi, {"units": MOMENTUM_UNITS}),
         "ky_mid": ("interval", _fold_ky(mid), {"units": MOMENTUM_UNITS}),
         "winding": ("interval", wn["winding"].values, {"units": "1"}),
         "min_gap": ("interval", wn["min_gap"].values, {"units": "|t|"}),
         "charge_at_lo": ("interval", q, {"long_name": "sum of node charges on the line ky = ky_lo"})},
        coords={"interval": ("interval", np.arange(len(lo)))})
    return finalize(ds, model=_describable(model), delta=float(delta), **as_field(field).attrs(),
                    node_tol=node_tol, n_nodes=int(len(kyl)))


# ----------------------------------------------------------------- phase diagrams
def topological_phase_diagram(vx_over_delta: Sequence[float], axis: str, values: Sequence[float], *,
                              params=None, delta: float = 0.05, spacing: float = 0.05,
                              n_ky: int = 4, node_tol: float = NODE_TOL) -> xr.Dataset:
    """Nodal-phase flag and max |W| of the heterostructure over (Vx/Delta, ``axis``).

    For each point the 8x8 heterostructure (``params`` with ``axis`` replaced,
    default the paper's) at pairing ``delta`` (|t|, held fixed, not solved
    self-consistently) and field Vx = (Vx/Delta) * delta along x:
    ``phase`` (0 gapped, 1 nodal points, 2 lines of zeros), ``nodal`` (phase == 1),
    ``n_nodes`` (from :func:`find_nodes` at ``spacing``), ``max_abs_winding`` over
    the node intervals and ``n_ky`` extra uniform lines (NaN lines skipped), and
    ``min_gap`` (smallest line gap found, |t|).  At Gamma = 0 the TMD is a
    decoupled normal metal (its Fermi surface is a line of zeros): phase 2.

    Parameters
    ----------
    vx_over_delta : field values Vx/Delta >= 0.
    axis : ``"mu_sc"`` or ``"gamma"`` (any float field of HeterostructureParams works).
    values : values of that parameter (|t|).
    """
    from isingsc.models.paper import PAPER, heterostructure_model

    params = PAPER if params is None else params
    delta = _check_delta(delta)
    if not hasattr(params, axis) or isinstance(getattr(params, axis), bool):
        raise ParameterError("axis", axis, "a numeric HeterostructureParams field, e.g. 'mu_sc' or 'gamma'")
    ratios = np.atleast_1d(np.asarray(vx_over_delta, dtype=float))
    vals = np.atleast_1d(np.asarray(values, dtype=float))
    if ratios.ndim != 1 or not np.all(np.isfinite(ratios)) or np.any(ratios < 0):
        raise ParameterError("vx_over_delta", vx_over_delta, "finite values >= 0")
    if vals.ndim != 1 or not np.all(np.isfinite(vals)):
        raise ParameterError(axis, values, "finite values")
    ky_grid = edge_momenta(2 * np.pi / KY_PERIOD, n_ky, minimum=1)
    shape = (len(ratios), len(vals))
    phase = np.zeros(shape, dtype=np.int8)
    n_nodes = np.zeros(shape, dtype=int)
    wmax = np.zeros(shape)
    gmin = np.zeros(shape)
    for j, val in enumerate(track(vals, f"phase diagram over {axis}")):
        model = heterostructure_model(params.with_(**{axis: float(val)}))
        for i, r in enumerate(ratios):
            field = float(r) * delta
            nodes = find_nodes(model, delta, field, spacing=spacing, node_tol=node_tol)
            wg = winding_number(model, delta, field, ky_grid, node_tol=node_tol, check=False)
            w_all, g_all = [wg["winding"].values], [wg["min_gap"].values]
            if nodes.attrs["gapless_lines"]:
                phase[i, j] = 2
            else:
                phase[i, j] = 1 if nodes.sizes["node"] else 0
                iv = winding_intervals(model, delta, field, nodes, node_tol=node_tol)
                w_all.append(iv["winding"].values)
                g_all.append(iv["min_gap"].values)
            w_all = np.concatenate(w_all)
            n_nodes[i, j] = nodes.sizes["node"]
            wmax[i, j] = np.nanmax(np.abs(w_all)) if np.any(np.isfinite(w_all)) else np.nan
            gmin[i, j] = float(np.min(np.concatenate(g_all)))
    dims = ("vx_over_delta", axis)
    import xarray as xr

    ds = xr.Dataset(
        {"phase": (dims, phase, {"long_name": "0 gapped, 1 nodal points, 2 lines of zeros "
                                              "(Bogoliubov Fermi surfaces / unpaired normal layer)"}),
         "nodal": (dims, (phase == 1).astype(np.int8), {"long_name": "nodal-point phase"}),
         "n_nodes": (dims, n_nodes, {"long_name": "number of zeros found in the BZ "
                                                  "(> max_nodes: lines)"}),
         "max_abs_winding": (dims, wmax, {"long_name": "max over the ky lines evaluated of |W(ky)|",
                                          "units": "1"}),
         "min_gap": (dims, gmin, {"long_name": "smallest gap along the lines evaluated",
                                  "units": "|t|"})},
        coords={"vx_over_delta": ("vx_over_delta", ratios, {"units": "1",
                                                            "long_name": "Zeeman energy Vx / Delta"}),
                axis: (axis, vals, {"units": "|t|"})})
    return finalize(ds, model=None, delta=delta, spacing=spacing, n_ky=n_ky, node_tol=node_tol,
                    pairing="fixed (not self-consistent)", field_direction="x",
                    **{f"param_{k}": v for k, v in params.as_attrs().items() if k != axis})


def phase_diagram_mu(vx_over_delta=np.linspace(0.0, 6.0, 7), mu_sc=np.linspace(-1.0, 1.0, 5),
                     **kwargs) -> xr.Dataset:
    """:func:`topological_phase_diagram` over (Vx/Delta, mu_SC) (coarse default grid)."""
    return topological_phase_diagram(vx_over_delta, "mu_sc", mu_sc, **kwargs)


def phase_diagram_gamma(vx_over_delta=np.linspace(0.0, 6.0, 7), gamma=np.linspace(0.0, 1.0, 5),
                        **kwargs) -> xr.Dataset:
    """:func:`topological_phase_diagram` over (Vx/Delta, Gamma) (coarse default grid)."""
    return topological_phase_diagram(vx_over_delta, "gamma", gamma, **kwargs)


__all__ = ["KX_PERIOD", "KY_PERIOD", "NODE_TOL", "Nodes", "check_symmetries", "chiral_basis", "find_nodes", "locate_nodes",
           "phase_diagram_gamma", "phase_diagram_mu", "symmetry_operators",
           "topological_phase_diagram", "winding_intervals", "winding_number"]

