"""Ribbons (strips) built automatically from a :class:`~isingsc.models.base.TightBindingModel`.

A ribbon is periodic along a lattice translation ``T`` (integer coordinates in
a1, a2) and open along a complementary vector ``U`` with det[U; T] = +-1, so every
lattice vector R is uniquely R = alpha U + beta T.  Sites are m U + n T with
m = 0 .. W-1 ("columns"); Bloch's theorem along T gives the W*dim x W*dim matrix

    H_{m m'}(k) = sum_{R: alpha = m' - m} T_R exp(i k beta |T|),

k the momentum along T in [-pi/|T|, pi/|T|].  The paper's Fig. 4 strip has edges
along y: T = 2 a2 - a1 = (0, sqrt3) (period sqrt3) and U = a2 (columns at x = m/2).
The Nambu doubling and the Zeeman field follow from the same model data.

Wide ribbons (issue 4)
----------------------
The dense matrices above are for small widths.  For wide ribbons (up to ~1e5
columns) the same Hamiltonian is assembled as a scipy.sparse matrix in the
*column-major* basis (index = m * D + a, D = model.nambu_dim, a the model's
Nambu index: particles then holes), where it is block-banded: column m couples
only to columns m +- 1 .. m +- ``span``.  The states nearest zero energy come
from shift-invert Lanczos (ARPACK, sigma = 0) with a banded LU (LAPACK
zgbtrf/zgbtrs), O(W) memory and time.  The same data are available as plain
blocks (:meth:`Ribbon.hopping_blocks`, :meth:`Ribbon.column_blocks`) for
kwant/pythtb users and for the semi-infinite edge (:mod:`isingsc.topology.edge`).

Zero-mode counting on a finite ribbon (:meth:`Ribbon.edge_states`)
------------------------------------------------------------------
At each k, with E_g(k) the gap of the infinite 1D chain along that k line
(:meth:`Ribbon.bulk_gap`), a state of a finite ribbon with |E| < E_g must be
built from evanescent waves, i.e. bound to an edge (or, in a ribbon too narrow
for its decay length, to both).  Their number is found without eigenvectors by
Sylvester's law of inertia (:meth:`Ribbon.count_states`), and exactly that
many are computed (shift-invert at sigma = 0).

A zero mode bound to one edge with (amplitude) decay length xi couples to its
partner on the opposite edge through its tail, exp(-W/xi), so a left/right
pair is split by |E| ~ E_g exp(-W/xi), whereas a bulk state has |E| >= E_g.
Step 1 keeps the in-gap states with

    |E_n| < E_thr,n = E_g exp(-W / (2 xi_n)),

the logarithmic mid-point between the two scales; xi_n is estimated from the
state's own profile rho_n(m): with d(m) = min(m, W-1-m) the distance to the
nearer edge and <d> = sum_m rho_n(m) d(m), a lattice exponential
rho ~ exp(-2 d/xi) has <d> = 1/(exp(2/xi) - 1), hence xi_n = 2/ln(1 + 1/<d>).
A delocalised state has <d> ~ W/4, xi_n ~ W/2 and E_thr ~ E_g/e.

Step 1 alone cannot tell a split zero-mode pair from an ordinary Andreev bound
state whose energy happens to be small (near the ends of a flat-band interval
the edge band leaves zero linearly), nor from a pair of edge modes hybridised
across a ribbon narrower than their decay length.  Step 2 uses what
distinguishes a resolved zero mode: (a) it has zero energy *on its own edge*
and its energy in the ribbon comes only from the coupling to the other edge;
(b) it is localised, with weight ~exp(-W/xi) on the far half.  The candidates
are rotated into edge-resolved states by diagonalising the left-half
projector inside their span (a split pair (L +- R)/sqrt2 becomes L and R), H is
projected on each edge's block and diagonalised there.  An edge state counts
when (a) its intra-edge energy is no larger than the inter-edge coupling
||H_LR|| (for a zero-mode pair O(E_g exp(-2W/xi)) against O(E_g exp(-W/xi));
for a bound state at energy epsilon, epsilon against an exponentially small
coupling), and (b) its far-half weight is below sqrt(exp(-W/xi)/2), the
logarithmic mid-point between the localised value exp(-W/xi) and the
delocalised value 1/2 (xi from its own profile as above).  Both comparisons
have a rounding floor: eps ||H|| sqrt(dim) for energies, eps sqrt(dim) for
weights.  When xi is not small compared with W (the paper's parameters at
widths of a few hundred columns) nothing passes: the ribbon is too narrow to
resolve the flat band.

Resolution rule (issue 15).  A count is reported (``resolved``) only when

    E_g(k) > 0,  no propagating channel at E = 0,  W >= n_xi xi_bulk(k),  n_xi = 5,

xi_bulk (columns) being the longest evanescent decay length of the infinite chain
at E = 0 (:meth:`Ribbon.decay_length`, the transfer-matrix eigenvalues), and, with
chiral symmetry C = sigma_x tau_y (any in-plane field), when the modes counted on
each edge have one chirality: C restricted to them has eigenvalues of one sign,
|c| >= 1/2 (a resolved zero mode has |c| = 1 - O(exp(-W/xi)); an Andreev pair at
+-E on one edge spans C = +1 and C = -1).  Otherwise ``n_left``/``n_right`` are NaN:
a ribbon narrower than a few decay lengths does not tell a zero mode from its
partner across the ribbon, so it gives no count at all rather than 0.
E_g(k) is certified (:meth:`Ribbon.bulk_gap`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import xarray as xr
from scipy.linalg import lapack
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, LinearOperator, eigsh

from isingsc.core.errors import (ConvergenceError, ModelCapabilityError, ParameterError, check_positive_int,
                                 check_range)
from isingsc.backends import eigvalsh
from isingsc.core.field import as_field
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ, TightBindingModel, nambu
from isingsc.topology.bulk import golden_section_min

#: Edge orientations: (periodic T, open U) in lattice coordinates.
ORIENTATIONS = {
    "armchair-y": ((-1, 2), (0, 1)),  # edges along y (paper Fig. 4), period sqrt3
    "zigzag-x": ((1, 0), (0, 1)),  # edges along x, period 1
}


#: Entries of the bulk-gap search diagonalised per batch (bounds the memory of wide scans).
_GAP_CHUNK = 2048

SPIN_COMPONENTS = ("x", "y", "z")

#: Resolution rule of the finite-ribbon count: the width must be at least this many decay lengths.
WIDTH_DECAY_LENGTHS = 5.0


def check_delta(delta) -> float:
    """Pairing amplitude Delta >= 0 (real; its phase is a gauge choice)."""
    return check_range("delta", delta, lo=0.0)


def check_field(field) -> np.ndarray:
    """Zeeman field: a scalar Vx >= 0 (the Zeeman energy along +x) or a vector (Vx, Vy[, Vz])."""
    if np.ndim(field) == 0:
        vx = check_range("Vx", field)
        if vx < 0:
            raise ParameterError("Vx", vx, "Vx >= 0 (a scalar is the Zeeman energy along +x; "
                                 "give a vector (Vx, Vy, Vz) for other directions)")
    return as_field(field).vector


def check_edge(edge: str) -> str:
    """An edge orientation name from :data:`ORIENTATIONS`."""
    if not isinstance(edge, str) or edge not in ORIENTATIONS:
        raise ParameterError("edge", edge, " | ".join(ORIENTATIONS))
    return edge


class _BandedLU:
    """LU factorisation of a banded sparse matrix A - sigma (LAPACK zgbtrf), solves with zgbtrs."""

    def __init__(self, matrix: sp.spmatrix, sigma: float):
        coo = matrix.tocoo()
        off = coo.row - coo.col
        self.n = matrix.shape[0]
        self.kl, self.ku = int(max(0, off.max())), int(max(0, -off.min()))
        ab = np.zeros((2 * self.kl + self.ku + 1, self.n), dtype=complex)
        ab[self.kl + self.ku + off, coo.col] = coo.data
        ab[self.kl + self.ku, :] -= sigma
        self.lu, self.piv, info = lapack.zgbtrf(ab, self.kl, self.ku, overwrite_ab=True)
        self.singular = info > 0
        if info < 0:  # pragma: no cover - argument error inside LAPACK
            raise ConvergenceError(f"zgbtrf failed (info = {info})")

    def solve(self, b):
        x, info = lapack.zgbtrs(self.lu, self.kl, self.ku, np.asarray(b, dtype=complex), self.piv)
        return x


def _mean_distance_to_xi(mean_d):
    """Amplitude decay length xi from the mean distance <d> of rho ~ exp(-2 d/xi), d = 0, 1, ...

    <d> = 1/(exp(2/xi) - 1)  =>  xi = 2 / ln(1 + 1/<d>)   (exact for a lattice exponential).
    """
    mean_d = np.asarray(mean_d, dtype=float)
    out = np.zeros_like(mean_d)
    pos = mean_d > 0
    out[pos] = 2.0 / np.log1p(1.0 / mean_d[pos])
    return out


@dataclass(frozen=True)
class Ribbon:
    """A strip of ``width`` columns of ``model`` periodic along ``periodic`` and open along ``open_``."""

    model: TightBindingModel
    width: int
    periodic: tuple[int, int] = ORIENTATIONS["armchair-y"][0]
    open_: tuple[int, int] = ORIENTATIONS["armchair-y"][1]
    closed: bool = False  # True: wrap the open direction too (a torus; for tests against the bulk)

    def __post_init__(self):
        check_positive_int("width", self.width, 2)
        det = self.open_[0] * self.periodic[1] - self.open_[1] * self.periodic[0]
        if abs(det) != 1:
            raise ParameterError("open_/periodic", (self.open_, self.periodic),
                                 "two lattice vectors spanning a primitive cell (det = +-1)")

    @classmethod
    def oriented(cls, model, width: int, edge: str = "armchair-y", closed: bool = False) -> "Ribbon":
        t, u = ORIENTATIONS[check_edge(edge)]
        return cls(model, width, t, u, closed)

    @property
    def period(self) -> float:
        """|T| in units of a."""
        return float(np.linalg.norm(np.array(self.periodic) @ self.model.lattice.primitive))

    def _decompose(self, offset):
        basis = np.array([self.open_, self.periodic], dtype=float).T  # columns U, T
        alpha, beta = np.linalg.solve(basis, np.array(offset, dtype=float))
        return int(round(alpha)), int(round(beta))

    def hamiltonian(self, k, field=0.0) -> np.ndarray:
        """Normal-state ribbon Bloch Hamiltonian, shape (n_k, W dim, W dim), k along T (1/a)."""
        k = np.atleast_1d(np.asarray(k, dtype=float))
        out = self._assemble(self.model.hoppings, k)
        out += np.kron(np.eye(self.width), self.model.zeeman_matrix(field))
        return out

    def _assemble(self, terms, k: np.ndarray) -> np.ndarray:
        # one (W dim)^2 block matrix from lattice terms T_R (hoppings or pairing amplitudes)
        dim, W = self.model.dim, self.width
        out = np.zeros((len(k), W * dim, W * dim), dtype=complex)
        for offset, mat in terms.items():
            alpha, beta = self._decompose(offset)
            phase = np.exp(1j * k * beta * self.period)[:, None, None]
            for m in range(W):
                mp = m + alpha
                if self.closed:
                    mp %= W
                elif not 0 <= mp < W:
                    continue
                # H_{m', m} collects T_R for R from column m to column m' = m + alpha
                out[:, mp * dim:(mp + 1) * dim, m * dim:(m + 1) * dim] += phase * mat
        return out

    def bdg_hamiltonian(self, k, delta: complex = 0.0, field=0.0) -> np.ndarray:
        """Nambu ribbon Hamiltonian [[h(k), D], [D^dagger, -h(-k)^*]], shape (n_k, 2 W dim, 2 W dim)."""
        k = np.atleast_1d(np.asarray(k, dtype=float))
        if getattr(self.model, "onsite_pairing", True):
            pairing = np.kron(np.eye(self.width), self.model.pairing_matrix(delta))
        else:  # bonds of a pairing channel: the same column structure as the hoppings
            pairing = self._assemble(self._pairing_terms(), k) * (delta * self.model.pairing_scale)
        return nambu(self.hamiltonian(k, field), self.hamiltonian(-k, field), pairing)

    def _pairing_terms(self) -> dict:
        if any(self.model.pair_momentum):
            raise ModelCapabilityError(self.model.name, "ribbon with pairing at finite momentum",
                                       "a ribbon is periodic along its edge only for Q = 0: build the "
                                       "commensurate supercell (isingsc.models.channels.supercell) first")
        return self.model.pairing_terms

    def momenta(self, n: int) -> np.ndarray:
        """n momenta along T covering [-pi/|T|, pi/|T|)."""
        return np.linspace(-np.pi, np.pi, check_positive_int("n", n, 1), endpoint=False) / self.period

    # ------------------------------------------------------------ plain blocks
    @property
    def span(self) -> int:
        """Largest number of columns one hopping crosses (>= 1): the principal-layer width.

        "armchair-y": the bond a1 = 2 U - T crosses two columns, so span = 2;
        "zigzag-x": span = 1.
        """
        return max([1] + [abs(self._decompose(off)[0]) for off in self.model.hoppings])

    @property
    def column_spacing(self) -> float:
        """Distance between neighbouring columns normal to the edge (units of a): cell area / |T|."""
        area = abs(np.linalg.det(self.model.lattice.primitive))
        return float(area / self.period)

    def hopping_blocks(self, delta: float = 0.0, field=0.0) -> dict[tuple[int, int], np.ndarray]:
        """Real-space Nambu blocks between columns, keyed by (alpha, beta).

        The block B_(alpha, beta) (shape (D, D), D = model.nambu_dim, the model's Nambu
        basis: particles then holes) couples the site of column m and translation n
        to the site of column m + alpha and translation n + beta:
        H[(m + alpha, n + beta), (m, n)] = B_(alpha, beta).  (0, 0) is the on-site block
        (Zeeman and pairing included); the hole part of a hopping T_R is -T_R^*.
        This is the form kwant (``syst[site_b, site_a] = B``) and pythtb take.
        """
        delta = check_delta(delta)
        field = check_field(field)
        dim = self.model.dim
        out: dict[tuple[int, int], np.ndarray] = {(0, 0): np.zeros((2 * dim, 2 * dim), dtype=complex)}
        for offset, mat in self.model.hoppings.items():
            blk = out.setdefault(self._decompose(offset), np.zeros((2 * dim, 2 * dim), dtype=complex))
            blk[:dim, :dim] += mat
            blk[dim:, dim:] -= mat.conj()
        onsite = out[(0, 0)]
        zee = self.model.zeeman_matrix(field)
        onsite[:dim, :dim] += zee
        onsite[dim:, dim:] -= zee.conj()
        if getattr(self.model, "onsite_pairing", True):
            pair = self.model.pairing_matrix(delta)
            onsite[:dim, dim:] += pair
            onsite[dim:, :dim] += pair.conj().T
            return out
        scale = delta * self.model.pairing_scale
        for offset, mat in self._pairing_terms().items():
            # D_R joins the particle of column m to the hole of column m + alpha; its Hermitian partner
            # (the hole-particle element) sits in the block of the reverse bond
            fwd = out.setdefault(self._decompose(offset), np.zeros((2 * dim, 2 * dim), dtype=complex))
            fwd[:dim, dim:] += scale * mat
            rev = out.setdefault(self._decompose((-offset[0], -offset[1])), np.zeros((2 * dim, 2 * dim), dtype=complex))
            rev[dim:, :dim] += np.conj(scale * mat).T
        return out

    def column_blocks(self, k, delta: float = 0.0, field=0.0) -> dict[int, np.ndarray]:
        """Bloch-summed Nambu blocks h_alpha(k) = sum_beta B_(alpha,beta) exp(i k beta |T|).

        Shape (n_k, D, D) each; the ribbon Hamiltonian is H_{m + alpha, m} = h_alpha(k),
        alpha = -span .. span; h_0 is the on-site column block, h_{-alpha} = h_alpha^dagger.
        """
        k = np.atleast_1d(np.asarray(k, dtype=float))
        out: dict[int, np.ndarray] = {}
        for (alpha, beta), blk in self.hopping_blocks(delta, field).items():
            term = np.exp(1j * k * beta * self.period)[:, None, None] * blk
            out[alpha] = out[alpha] + term if alpha in out else term
        return out

    # ------------------------------------------------------------ sparse matrix
    def nambu_permutation(self) -> np.ndarray:
        """The permutation ``perm`` with ``H_dense = H_column[perm][:, perm]`` (dense order: all particles, then
        all holes; column order: column-major Nambu blocks)."""
        dim, W = self.model.dim, self.width
        part, m, j = np.meshgrid(np.arange(2), np.arange(W), np.arange(dim), indexing="ij")
        return (m * 2 * dim + part * dim + j).ravel()

    def sparse_bdg_hamiltonian(self, k: float, delta: float = 0.0, field=0.0,
                               order: str = "column") -> sp.csr_matrix:
        """Nambu ribbon Hamiltonian at one momentum k as a sparse (CSR) matrix.

        ``order="column"`` (default): column-major basis, index m * D + a, block-banded
        (half-bandwidth about span * D).  ``order="nambu"``: the basis of
        :meth:`bdg_hamiltonian` (all particles, then all holes), for comparisons.
        """
        if order not in ("column", "nambu"):
            raise ParameterError("order", order, "column | nambu")
        k = check_range("k", k)
        D, W = self.model.nambu_dim, self.width
        rows, cols, vals = [], [], []
        for alpha, blk in self.column_blocks(k, delta, field).items():
            b = blk[0]
            r, c = np.nonzero(b)
            if len(r) == 0:
                continue
            m = np.arange(W)
            mp = m + alpha
            if self.closed:
                mp %= W
            else:
                keep = (mp >= 0) & (mp < W)
                m, mp = m[keep], mp[keep]
            rows.append((mp[:, None] * D + r).ravel())
            cols.append((m[:, None] * D + c).ravel())
            vals.append(np.broadcast_to(b[r, c], (len(m), len(r))).ravel())
        h = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(W * D, W * D)).tocsr()  # duplicates (closed, small W) are summed
        if order == "nambu":
            perm = self.nambu_permutation()
            h = h[perm][:, perm]
        return h

    # ------------------------------------------------------------ low-energy states
    def low_energy_states(self, k: float, delta: float = 0.0, field=0.0, n_states: int = 8,
                          method: str = "auto") -> tuple[np.ndarray, np.ndarray]:
        """The ``n_states`` eigenpairs nearest E = 0 at momentum k, sorted by |E|.

        Returns energies (n,) and eigenvectors (W D, n) in the column-major basis.
        ``method``: "dense" (full diagonalisation, small widths), "sparse" (shift-invert
        Lanczos at sigma = 0 with a banded LU: O(W) memory and time), or "auto"
        (dense up to W D = 500, where LAPACK's O(n^3) is still faster).  The sparse
        energies are converged to 1e-8 relative (ARPACK tol on 1/E), far below any
        threshold used here.
        """
        if method not in ("auto", "dense", "sparse"):
            raise ParameterError("method", method, "auto | dense | sparse")
        h = self.sparse_bdg_hamiltonian(k, delta, field)
        n = h.shape[0]
        n_states = min(check_positive_int("n_states", n_states, 1), n)
        if method == "dense" or (method == "auto" and n <= 500) or n_states >= n - 1:
            e, v = np.linalg.eigh(h.toarray())
        else:
            e, v = self._shift_invert(h, n_states)
        order = np.argsort(np.abs(e), kind="stable")[:n_states]
        return e[order], v[:, order]

    @staticmethod
    def _shift_invert(h: sp.csr_matrix, n_states: int) -> tuple[np.ndarray, np.ndarray]:
        n = h.shape[0]
        scale = float(np.abs(h.data).max()) if h.nnz else 1.0
        sigma = 0.0
        lu = _BandedLU(h, sigma)
        if lu.singular:  # an exactly zero pivot: shift off by a rounding-level amount
            sigma = 16 * np.finfo(float).eps * scale * np.sqrt(n)
            lu = _BandedLU(h, sigma)
        op = LinearOperator((n, n), matvec=lu.solve, dtype=complex)
        v0 = np.random.default_rng(0).standard_normal(n) + 0j
        try:
            e, v = eigsh(h, k=n_states, sigma=sigma, which="LM", OPinv=op, v0=v0, tol=1e-8)
        except (ArpackNoConvergence, ArpackError) as exc:
            raise ConvergenceError(f"shift-invert Lanczos (ARPACK) failed at sigma = {sigma:g}: {exc}") from None
        return np.real(e), v

    # ------------------------------------------------------------ the bulk along a k line
    def chain_hamiltonian(self, k, q, delta: float = 0.0, field=0.0) -> np.ndarray:
        """Bloch Hamiltonian of the infinite 1D chain of columns, H(k, q) = sum_alpha h_alpha(k) e^{-i q alpha}.

        q (per column, in [-pi, pi)) is the momentum conjugate to the column index;
        shape (n_k, n_q, D, D).
        """
        q = np.atleast_1d(np.asarray(q, dtype=float))
        out = 0
        for alpha, blk in self.column_blocks(k, delta, field).items():
            out = out + blk[:, None] * np.exp(-1j * q * alpha)[None, :, None, None]
        return out

    def bulk_gap(self, k, delta: float = 0.0, field=0.0, n_q: int = 128, bounds: bool = False):
        """E_g(k) = min_q min_n |E_n(k, q)|: the gap of the infinite chain along this k line (|t|).

        Certified, not sampled: f(q) = min_n |E_n(k, q)| is v-Lipschitz in q (Weyl; v =
        sum_alpha |alpha| ||h_alpha(k)|| (|t| x columns) bounds ||dH/dq||), so on a cell [a, b]
        with end values f_a, f_b, f >= (f_a + f_b - v (b - a)) / 2.  From ``n_q`` equal cells,
        every cell whose bound is below half the smallest value found is bisected (all k at
        once) until none is left, or until the smallest value is below 1e-12 v (a line through
        a node, to rounding: the bound is then not refined and may be 0).  The value is then
        polished by golden-section searches in the four cells with the lowest end values.
        Returns E_g, the smallest value found (an upper bound, within ~1e-8 of the minimum);
        with ``bounds`` the tuple (E_g, E_g_lower), E_g_lower >= E_g / 2 the certified lower
        bound.  Shape (n_k,).
        """
        k = np.atleast_1d(np.asarray(k, dtype=float))
        n_q = check_positive_int("n_q", n_q, 8)
        blocks = self.column_blocks(k, delta, field)
        alphas = np.array(sorted(blocks))
        stack = np.stack([blocks[a] for a in alphas], axis=1)  # (n_k, n_alpha, D, D)
        vel = sum(abs(a) * np.linalg.norm(b, 2, axis=(-2, -1)) for a, b in blocks.items())

        def f(idx, x):  # min |E| of H(k[idx], x), vectorised in chunks (stack[idx] would copy a block per entry)
            idx, x = np.broadcast_arrays(idx, x)
            flat_i, flat_x = idx.ravel(), x.ravel()
            out = np.empty(flat_i.shape)
            for s in range(0, len(flat_i), _GAP_CHUNK):
                i, xx = flat_i[s:s + _GAP_CHUNK], flat_x[s:s + _GAP_CHUNK]
                h = np.einsum("na,naij->nij", np.exp(-1j * xx[:, None] * alphas), stack[i])
                out[s:s + _GAP_CHUNK] = np.abs(eigvalsh(h)).min(-1)  # the compiled kernel: many small matrices
            return out.reshape(idx.shape)

        nk = len(k)
        q = np.linspace(-np.pi, np.pi, n_q + 1)
        fq = f(np.arange(nk)[:, None], np.broadcast_to(q, (nk, n_q + 1)))
        best = fq.min(axis=1)
        lower = np.full(nk, np.inf)
        ki = np.repeat(np.arange(nk), n_q)
        a, b = np.tile(q[:-1], nk), np.tile(q[1:], nk)
        fa, fb = fq[:, :-1].ravel(), fq[:, 1:].ravel()
        cells = []  # certified cells: (k, a, b, smaller end value)
        while ki.size:
            bound = 0.5 * (fa + fb - vel[ki] * (b - a))
            done = (bound >= 0.5 * best[ki]) | (best[ki] <= 1e-12 * vel[ki]) | (b - a < 1e-14)
            np.minimum.at(lower, ki[done], np.maximum(bound[done], 0.0))
            cells.append((ki[done], a[done], b[done], np.minimum(fa, fb)[done]))
            keep = ~done
            ki, a, b, fa, fb = ki[keep], a[keep], b[keep], fa[keep], fb[keep]
            if not ki.size:
                break
            m = 0.5 * (a + b)
            fm = f(ki, m)
            np.minimum.at(best, ki, fm)
            ki = np.concatenate([ki, ki])
            a, b = np.concatenate([a, m]), np.concatenate([m, b])
            fa, fb = np.concatenate([fa, fm]), np.concatenate([fm, fb])
        # accuracy: golden-section search inside the (up to) 4 cells of each k with the lowest end values
        ck, ca, cb, cbd = (np.concatenate(x) for x in zip(*cells))
        order = np.lexsort((cbd, ck))
        ck, ca, cb, cbd = ck[order], ca[order], cb[order], cbd[order]
        rank = np.arange(len(ck)) - np.searchsorted(ck, ck)
        sel = rank < 4
        idx, lo, hi = ck[sel], ca[sel], cb[sel]
        # until v (hi - lo) <= 1e-4 E_g: relative error <= 1e-8 at a sqrt-shaped minimum
        _, f_min = golden_section_min(
            lambda i, x: f(idx[i], x), lo, hi,
            proceed=lambda act, lo_, hi_, _f: vel[idx[act]] * (hi_ - lo_) > 1e-4 * best[idx[act]])
        np.minimum.at(best, idx, f_min)
        lower = np.minimum(lower, best)
        return (best, lower) if bounds else best

    def decay_length(self, k, delta: float = 0.0, field=0.0, energy: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Longest evanescent decay length xi(k) (columns) at ``energy`` and the number of propagating channels.

        The chain H_{m+alpha, m} = h_alpha(k) grouped into principal layers of ``span`` columns
        (H00, H10 = H_{j+1, j}); psi_{j+1} = lambda psi_j solves the generalised eigenproblem
        [[0, 1], [-H10, E - H00]] x = lambda [[1, 0], [0, H01]] x.  xi = -span / ln|lambda|
        over the evanescent (|lambda| < 1) solutions (amplitude ~ exp(-m / xi), m in columns);
        channels with ||lambda| - 1| < 1e-9 are propagating (the k line crosses the bulk spectrum
        at ``energy``) and are counted apart.  Returns (xi, n_propagating), shape (n_k,) each.
        """
        k = np.atleast_1d(np.asarray(k, dtype=float))
        h00, h10 = self.layer_blocks(k, delta, field)
        n = h00.shape[-1]
        xi = np.empty(len(k))
        n_prop = np.empty(len(k), dtype=int)
        eye, zero = np.eye(n), np.zeros((n, n))
        for i in range(len(k)):
            a = np.block([[zero, eye], [-h10[i], energy * eye - h00[i]]])
            b = np.block([[eye, zero], [zero, np.conj(h10[i]).T]])
            lam = sla.eigvals(a, b)
            lam = np.abs(lam[np.isfinite(lam)])
            prop = np.abs(lam - 1) < 1e-9
            n_prop[i] = prop.sum()
            dec = lam[(lam < 1) & ~prop]
            xi[i] = -self.span / np.log(dec.max()) if dec.size else 0.0
        return xi, n_prop

    def layer_blocks(self, k, delta: float = 0.0, field=0.0) -> tuple[np.ndarray, np.ndarray]:
        """Principal-layer blocks H00(k) and H10(k) = H_{j+1, j}(k) (``span`` columns per layer).

        H00[a, b] = h_{a-b}, H10[a, b] = h_{span+a-b} (a, b = 0 .. span-1); shape (n_k, N, N),
        N = span * model.nambu_dim.  Only neighbouring layers couple.
        """
        k = np.atleast_1d(np.asarray(k, dtype=float))
        h = self.column_blocks(k, delta, field)
        s, D = self.span, self.model.nambu_dim
        zero = np.zeros((len(k), D, D), dtype=complex)
        h00 = np.zeros((len(k), s * D, s * D), dtype=complex)
        h10 = np.zeros_like(h00)
        for a in range(s):
            for b in range(s):
                h00[:, a * D:(a + 1) * D, b * D:(b + 1) * D] = h.get(a - b, zero)
                h10[:, a * D:(a + 1) * D, b * D:(b + 1) * D] = h.get(s + a - b, zero)
        return h00, h10

    # ------------------------------------------------------------ inertia
    def count_states(self, k: float, e_min: float, e_max: float, delta: float = 0.0,
                     field=0.0) -> int:
        """Number of ribbon eigenvalues in [e_min, e_max) at momentum k, without eigenvectors.

        Sylvester's law of inertia on the block LDL^dagger factorisation of H - sigma
        over principal layers (``span`` columns each, so H is block-tridiagonal):
        S_0 = H_00 - sigma, S_j = H_jj - sigma - H_{j,j-1} S_{j-1}^-1 H_{j-1,j}; the
        number of eigenvalues below sigma is the number of negative eigenvalues of all
        S_j (Haynsworth).  O(W) time, O(1) memory.  Open ribbons only.
        """
        if self.closed:
            raise ParameterError("closed", True, "False (inertia counting needs open ends)")
        k = check_range("k", k)
        if not e_max > e_min:
            raise ParameterError("e_max", e_max, f"e_max > e_min = {e_min}")
        blocks = {a: b[0] for a, b in self.column_blocks(k, delta, field).items()}
        s, D, W = self.span, self.model.nambu_dim, self.width
        n = s * D
        zero = np.zeros((D, D), dtype=complex)
        h00 = np.block([[blocks.get(a - b, zero) for b in range(s)] for a in range(s)])
        h10 = np.block([[blocks.get(s + a - b, zero) for b in range(s)] for a in range(s)])
        h01 = h10.conj().T
        sig = np.array([e_min, e_max])
        n_layers, rest = divmod(W, s)
        sizes = [n] * n_layers + ([rest * D] if rest else [])
        below = np.zeros(2, dtype=int)
        eye = np.eye(n)
        schur = None
        for size in sizes:
            diag = h00[:size, :size][None] - sig[:, None, None] * eye[:size, :size]
            if schur is not None:
                diag = diag - h10[None, :size] @ np.linalg.solve(schur, np.broadcast_to(h01[:, :size], (2, n, size)))
            schur = 0.5 * (diag + np.conj(np.swapaxes(diag, -1, -2)))
            below += (np.linalg.eigvalsh(schur) < 0).sum(-1)
        return int(below[1] - below[0])

    # ------------------------------------------------------------ edge states
    def _profiles(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weight per column (n, W) and Nambu spin density <sigma_x,y,z> per column (n, W, 3)."""
        W, dim = self.width, self.model.dim
        v = vectors.T.reshape(vectors.shape[1], W, 2, dim // 2, 2)  # state, column, p/h, orbital, spin
        weight = (np.abs(v) ** 2).sum(axis=(2, 3, 4))
        u, h = v[:, :, 0], v[:, :, 1]
        spin = np.stack([np.einsum("nmos,st,nmot->nm", u.conj(), s, u).real
                         - np.einsum("nmos,st,nmot->nm", h.conj(), s.conj(), h).real
                         for s in (SIGMAX, SIGMAY, SIGMAZ)], axis=-1)
        return weight, spin

    def _norm_bound(self, k, delta, field) -> float:
        """||H(k)|| <= sum_alpha ||h_alpha(k)|| (spectral norms)."""
        return float(sum(np.linalg.norm(b[0], 2) for b in self.column_blocks(k, delta, field).values()))

    def _classify(self, k: float, delta, field, method: str, gap: float):
        W, D = self.width, self.model.nambu_dim
        n_max = W * D
        if method not in ("auto", "dense", "sparse"):
            raise ParameterError("method", method, "auto | dense | sparse")
        dense = method == "dense" or (method == "auto" and n_max <= 500) or self.closed
        if dense:
            e, v = np.linalg.eigh(self.sparse_bdg_hamiltonian(k, delta, field).toarray())
        else:
            # only the in-gap states can be edge states: count them by inertia, then find them
            m = self.count_states(k, -gap, gap, delta, field) if gap > 0 else 0
            if m == 0:
                e, v = np.zeros(0), np.zeros((n_max, 0), dtype=complex)
            else:
                e, v = self.low_energy_states(k, delta, field, m,
                                              "dense" if m >= n_max - 1 else "sparse")
        ingap = np.abs(e) < gap
        order = np.argsort(np.abs(e[ingap]), kind="stable")
        e, v = e[ingap][order], v[:, ingap][:, order]
        weight, _ = self._profiles(v)
        d = np.minimum(np.arange(W), W - 1 - np.arange(W))
        xi = _mean_distance_to_xi(weight @ d)
        # rounding level of computed eigenvalues: eps ||H|| sqrt(dim), ||H|| <= sum ||h_alpha||
        floor = np.finfo(float).eps * self._norm_bound(k, delta, field) * np.sqrt(n_max)
        thr = np.maximum(gap * np.exp(-W / (2 * np.where(xi > 0, xi, W))), floor)
        cand = np.abs(e) < thr
        left_half = np.arange(W) < W / 2
        left_w = weight @ left_half
        z = v[:, cand]
        n_left = n_right = 0
        chir = {"left": np.zeros(0), "right": np.zeros(0)}
        p = np.zeros(0)
        unmixed = z
        intra = np.zeros(0)
        leak = 0.0
        if z.shape[1]:
            mask = np.repeat(left_half, D)
            p, rot = np.linalg.eigh(z[mask].conj().T @ z[mask])
            unmixed = z @ rot
            h_eff = rot.conj().T @ np.diag(e[cand]) @ rot  # H in the unmixed basis
            is_left = p > 0.5
            coupling = np.linalg.norm(h_eff[np.ix_(is_left, ~is_left)], 2) if 0 < is_left.sum() < len(p) else 0.0
            intra = np.zeros(len(p))
            for side in (is_left, ~is_left):
                if side.any():
                    lam, vec = np.linalg.eigh(h_eff[np.ix_(side, side)])
                    unmixed[:, side] = unmixed[:, side] @ vec
                    intra[side] = lam
            # localisation: far-half weight ~ exp(-W/xi) for an edge mode, ~1/2 if delocalised
            w_u, _ = self._profiles(unmixed)
            far = np.where(is_left, w_u @ ~left_half, w_u @ left_half)
            xi_u = _mean_distance_to_xi(w_u @ d)
            # (a weight is known to eps sqrt(dim) at best: that is the floor)
            far_max = np.sqrt(np.exp(-W / np.where(xi_u > 0, xi_u, W)) / 2)
            localised = far <= np.maximum(far_max, np.finfo(float).eps * np.sqrt(n_max))
            zero = (np.abs(intra) <= max(coupling, floor)) & localised
            n_left = int((zero & is_left).sum())
            n_right = int((zero & ~is_left).sum())
            if zero.any():  # weight of the counted modes on the far half (small when resolved)
                leak = float(far[zero].max())
            p = np.where(is_left, 1, -1) * zero  # +1 left zero mode, -1 right, 0 in-gap but not zero
            c_site = self._chiral_operator(k, delta, field)
            if c_site is not None:  # the counted modes of one edge: C restricted to them
                for side, key in ((is_left, "left"), (~is_left, "right")):
                    sel = zero & side
                    if sel.any():
                        z_s = unmixed[:, sel]
                        cz = np.einsum("ab,mbn->man", c_site, z_s.reshape(W, D, -1)).reshape(z_s.shape)
                        chir[key] = np.linalg.eigvalsh(z_s.conj().T @ cz)
        one_sided = {key: bool(val.size == 0 or np.all(val >= 0.5) or np.all(val <= -0.5))
                     for key, val in chir.items()}
        return dict(energy=e, vectors=v, weight=weight, xi=xi, threshold=thr, candidate=cand,
                    left_weight=left_w, edge=p, unmixed=unmixed, intra=intra,
                    n_left=n_left, n_right=n_right, leak=leak, chirality=chir, one_sided=one_sided)

    def _chiral_operator(self, k, delta, field):
        """C = sigma_x tau_y on one site (D x D, the model's Nambu basis) if it anticommutes with every
        column block h_alpha(k) (chiral symmetry: any in-plane field), else None."""
        from isingsc.models.symmetry import symmetry_operators

        c = symmetry_operators(self.model.nambu_dim // 4)["C"]
        blocks = self.column_blocks(k, delta, field)
        scale = max(1.0, max(float(np.abs(b).max()) for b in blocks.values()))
        res = max(float(np.abs(c @ b @ c.conj().T + b).max()) for b in blocks.values())
        return c if res <= 1e-12 * scale else None

    def edge_states(self, k, delta: float = 0.0, field=0.0, method: str = "auto",
                    n_q: int = 128) -> xr.Dataset:
        """Count zero-energy edge modes per k and per edge on this finite ribbon.

        For each k: the chain gap E_g(k); all ribbon states inside it (|E| < E_g,
        the only ones that can be bound to an edge), found by full diagonalisation
        (``method="dense"``, or "auto" up to W D = 500) or by counting them with
        :meth:`count_states` and computing exactly that many by shift-invert
        (``"sparse"``); each state's decay length xi_n and threshold
        E_thr,n = E_g exp(-W/(2 xi_n)) (step 1); the zero modes among the candidates
        on the left edge (column 0) and the right edge (column W-1) (step 2).  The
        criterion is derived in the module docstring.

        Resolution rule (module docstring): the count of a k line is reported only if
        W >= 5 xi_bulk(k) (columns), the line is gapped, and the modes counted on each edge
        have one chirality; otherwise n_left/n_right are NaN and ``resolved`` is False.

        Dataset: dims (k, state); n_left(k), n_right(k) (float, NaN where not resolved),
        resolved(k), wide_enough(k) (W >= 5 xi_bulk on a gapped line), bulk_decay_length(k)
        (xi_bulk, columns), bulk_gap(k), n_in_gap(k), leak(k) (largest far-half weight of a
        counted mode: ~exp(-W/xi) when W >> xi); per in-gap state energy, decay_length
        (columns), threshold, candidate, left_weight (padded with NaN / 0).
        """
        check_delta(delta)
        check_field(field)
        ks = np.atleast_1d(np.asarray(k, dtype=float))
        gaps = self.bulk_gap(ks, delta, field, n_q)
        xi_bulk, n_prop = self.decay_length(ks, delta, field)
        res = [self._classify(float(kk), delta, field, method, g)
               for kk, g in zip(ks, gaps)]
        n = max([1] + [len(r["energy"]) for r in res])
        wide = (gaps > 0) & (n_prop == 0) & (self.width >= WIDTH_DECAY_LENGTHS * xi_bulk)
        one_sided = np.array([r["one_sided"]["left"] and r["one_sided"]["right"] for r in res], dtype=bool)
        resolved = wide & one_sided & (not self.closed)
        n_left = np.where(resolved, [float(r["n_left"]) for r in res], np.nan)
        n_right = np.where(resolved, [float(r["n_right"]) for r in res], np.nan)

        def pad(key, fill):
            out = np.full((len(ks), n), fill, dtype=float)
            for i, r in enumerate(res):
                out[i, :len(r[key])] = r[key]
            return out

        coords = {"k": ("k", ks, {"units": MOMENTUM_UNITS, "long_name": "momentum along the edge"}),
                  "state": np.arange(n)}
        ds = xr.Dataset(
            {"energy": (("k", "state"), pad("energy", np.nan), {"units": "|t|"}),
             "decay_length": (("k", "state"), pad("xi", np.nan),
                              {"units": "columns", "long_name": "amplitude decay length from the profile"}),
             "threshold": (("k", "state"), pad("threshold", np.nan), {"units": "|t|"}),
             "candidate": (("k", "state"), pad("candidate", 0).astype(int),
                           {"long_name": "|E| < threshold (step 1)"}),
             "left_weight": (("k", "state"), pad("left_weight", np.nan)),
             "bulk_gap": ("k", gaps, {"units": "|t|", "long_name": "gap of the infinite chain at this k"}),
             "n_left": ("k", n_left, {"long_name": "zero modes on the left edge (NaN: not resolved)"}),
             "n_right": ("k", n_right, {"long_name": "zero modes on the right edge (NaN: not resolved)"}),
             "resolved": ("k", resolved, {"long_name": "W >= n_xi xi_bulk and the counted modes of each edge "
                                                       "have one chirality"}),
             "wide_enough": ("k", wide, {"long_name": f"W >= {WIDTH_DECAY_LENGTHS} xi_bulk (and a gapped line)"}),
             "bulk_decay_length": ("k", xi_bulk, {"units": "columns", "long_name": "longest evanescent decay "
                                                                                    "length at E = 0 (xi_bulk)"}),
             "n_in_gap": ("k", np.array([len(r["energy"]) for r in res])),
             "leak": ("k", np.array([r["leak"] for r in res]),
                      {"long_name": "largest weight of a counted edge mode on the far half of the ribbon"})},
            coords=coords)
        return finalize(ds, model=self.model, width=self.width, periodic=list(self.periodic),
                        open=list(self.open_), delta=float(delta), **as_field(field).attrs(),
                        method=method, n_q=n_q,
                        bulk_gap_method="certified bisection (Lipschitz bound) + golden section",
                        criterion="|E| < E_g exp(-W/(2 xi)) (xi from the profile), then "
                                  "intra-edge energy <= inter-edge coupling",
                        resolution_rule=f"resolved iff E_g > 0, no propagating channel at E = 0, W >= "
                                        f"{WIDTH_DECAY_LENGTHS} xi_bulk (columns), and C restricted to the "
                                        "counted modes of each edge has eigenvalues of one sign (|c| >= 1/2)",
                        width_decay_lengths=WIDTH_DECAY_LENGTHS)

    def edge_state_profiles(self, k: float, delta: float = 0.0, field=0.0,
                            method: str = "auto", n_q: int = 128) -> xr.Dataset:
        """Profiles of the in-gap states at one k: weight and <sigma_x,y,z> per column.

        The in-gap candidates are returned in the basis that diagonalises the left-half
        projector and then H within each edge (each one on a single edge); the other
        states are eigenstates.
        Dataset dims (state, column, component); variables weight, spin, energy
        (<H> for the unmixed zero modes), zero_mode, edge (+1 left, -1 right, 0 none).
        """
        check_delta(delta)
        check_field(field)
        gap = float(self.bulk_gap(k, delta, field, n_q)[0])
        r = self._classify(float(k), delta, field, method, gap)
        cand = r["candidate"]
        vecs = np.concatenate([r["unmixed"], r["vectors"][:, ~cand]], axis=1)
        h = self.sparse_bdg_hamiltonian(k, delta, field)
        energy = np.real(np.einsum("in,in->n", vecs.conj(), h @ vecs))
        weight, spin = self._profiles(vecs)
        edge = np.zeros(vecs.shape[1], dtype=int)
        edge[:int(cand.sum())] = r["edge"]
        ds = xr.Dataset(
            {"weight": (("state", "column"), weight, {"long_name": "probability per column"}),
             "spin": (("state", "column", "component"), spin,
                      {"long_name": "Nambu spin density u^+ sigma u - v^+ sigma^* v per column"}),
             "energy": ("state", energy, {"units": "|t|"}),
             "zero_mode": ("state", (edge != 0).astype(int)),
             "edge": ("state", edge, {"long_name": "+1 left edge, -1 right edge, 0 not a zero mode"})},
            coords={"state": np.arange(vecs.shape[1]), "column": np.arange(self.width),
                    "component": list(SPIN_COMPONENTS)})
        return finalize(ds, model=self.model, k=float(k), width=self.width, delta=float(delta),
                        **as_field(field).attrs(), bulk_gap=gap)

    def spectrum(self, k, delta: float = 0.0, field=0.0, n_states: int | None = None,
                 method: str = "auto") -> xr.Dataset:
        """Ribbon BdG energies per k: all of them (dense, ``n_states=None``) or the ``n_states``
        nearest zero (sparse shift-invert for wide ribbons).  Dataset energy(k, band), sorted."""
        check_delta(delta)
        check_field(field)
        ks = np.atleast_1d(np.asarray(k, dtype=float))
        if n_states is None:
            e = np.stack([np.linalg.eigvalsh(self.sparse_bdg_hamiltonian(kk, delta, field).toarray())
                          for kk in ks])
        else:
            e = np.stack([np.sort(self.low_energy_states(kk, delta, field, n_states, method)[0])
                          for kk in ks])
        ds = xr.Dataset({"energy": (("k", "band"), e, {"units": "|t|"})},
                        coords={"k": ("k", ks, {"units": MOMENTUM_UNITS}), "band": np.arange(e.shape[1])})
        return finalize(ds, model=self.model, width=self.width, delta=float(delta),
                        **as_field(field).attrs())
