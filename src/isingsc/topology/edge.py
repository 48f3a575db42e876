"""The semi-infinite edge of a ribbon: surface Green's function, edge spectral function, zero modes.

A :class:`~isingsc.topology.ribbon.Ribbon` is periodic along T (momentum k) and made of
columns m along U; H_{m+alpha, m} = h_alpha(k) with |alpha| <= s (the span:
s = 2 for "armchair-y", where the bond a1 = 2U - T crosses two columns, s = 1
for "zigzag-x").

Principal layers
----------------
Group s consecutive columns into one principal layer, L_j = columns
j s .. j s + s - 1.  Then only neighbouring layers couple:

    H00[a, b] = h_{a-b},      H10[a, b] = h_{s+a-b}      (a, b = 0 .. s-1),

H10 = H_{j+1, j} (layer j -> j+1) and H01 = H10^dagger; blocks of size
N = s D (D = model.nambu_dim).

Surface Green's functions (Lopez Sancho, Lopez Sancho & Rubio 1985)
------------------------------------------------------------------
Left edge: layers j = 0, 1, 2, ... (the edge at column 0); right edge: layers
j = 0, -1, -2, ... (the edge at the last column of a ribbon).  With
z = E + i eta, start from a = H01, b = H10, eps = eps_L = eps_R = H00 and iterate

    g = (z - eps)^-1
    eps_L += a g b,   eps_R += b g a,   eps += a g b + b g a,
    a <- a g a,       b <- b g b.

After n steps the chain is decimated to every 2^n-th layer; a and b decay as
exp(-2^n / xi) inside a gap, or exp(-2^n eta / v) in a band, so convergence
takes about log2(max(xi, v/eta)) steps.  The loop stops when
max(|a|, |b|) < tol (|H00| + |H10|) and raises ConvergenceError otherwise.
G_L = (z - eps_L)^-1 and G_R = (z - eps_R)^-1 are the Green's functions of
the outermost principal layer.

Edge spectral function
----------------------
A_edge(k, E) = -(1/pi) Im Tr G_surface(k, E + i eta), the trace over the
outermost principal layer (s columns, Nambu space: particles and holes).
Resolved variants: the particle (electron) part, per orbital, and the spin
densities -(1/pi) Im Tr[sigma_a G_ee] (a = x, y, z).  Sum rule: the surface
spectral measure has total weight N (the number of states of the layer) and
lies in [-B, B], B = ||H00|| + 2 ||H10|| (a bound on the spectrum), so
trapezoidal integration over [-E_max, E_max] with step dE gives

    N - (2 eta / pi) N / (E_max - B) - err  <=  int A dE  <=  N + err,
    err = 2 N exp(-2 pi eta / dE) / (1 - exp(-2 pi eta / dE))

(the Lorentzian tails beyond the window; the trapezoid error of a Lorentzian
of width eta on an infinite grid of step dE, by Poisson summation).

Counting zero modes
-------------------
For a Hermitian H, M(eta) = eta (i/2) (G_s(i eta) - G_s(i eta)^dagger)
= sum_n eta^2/(eta^2 + E_n^2) |psi_n^s><psi_n^s| (psi^s: the state on the
surface layer).  A zero mode contributes its surface weight w_n, independent of
eta; a state at energy E contributes f(E) = eta^2/(eta^2 + E^2), and the bulk
continuum of a line with gap E_g at most (eta/E_g)^2 in operator norm (its
surface projections sum to at most the identity).  Each weight grows with eta
and f_eta2/f_eta1 >= 1/r^2 (eta_2 = eta_1/r), so M(eta_2) <= M(eta_1) <= r^2 M(eta_2)
(Loewner order) and by Weyl's monotonicity the ratios rho_i = lambda_i(eta_2)/
lambda_i(eta_1) of the sorted eigenvalues lie in [1/r^2, 1].  An isolated state
at |E| = x eta_2 has

    rho(x) = (r^2 + x^2) / (r^2 (1 + x^2)),

1 for a zero mode, 1/r^2 far from zero.  The count is therefore the number of
states with |E| below ~eta_2, and it is the number of zero modes only if no
other state has |E| comparable to or below eta_2: that is what the resolution
rule below checks, line by line.

Why a fixed eta fails (issue 15): near a projected bulk node the line gap E_g
closes (2e-6 .. 1e-4 |t| on the lines of the reported cases, decay lengths
up to 2e6 columns), in-gap Andreev states sit at E ~ E_g/50 .. E_g/100 and the
zero modes have surface weights ~1e-4; the old default eta_1 = 1e-6 B ~ 8e-6 |t|
was not small against either scale, so it counted near-zero Andreev pairs as
zero modes (2 where W = 0) and lost zero modes in the continuum (0 where |W| = 1).

Resolution rule
---------------
Chirality.  With C = sigma_x tau_y a symmetry (any in-plane field; checked on
the layer blocks, :meth:`SemiInfiniteEdge.chiral_projectors`), M is block
diagonal in the C = +1 / C = -1 spaces of the surface layer, because
M = eta^2 (eta^2 + H^2)^-1 restricted to the surface and H^2 commutes with C,
while the Hermitian part eta Re G_s = -eta H/(eta^2 + H^2) only couples the two.
The count is done in each sector: n_+ and n_-.  Zero modes on one edge of a
BDI chain with winding W are generically |W| modes of one chirality; a pair of
states at +-E != 0 (an Andreev pair) has weight in both sectors.  Candidates in
both sectors therefore mean a pair with |E| below the resolution (or a
fine-tuned pair of zero modes): not resolved at that eta.

Ladder.  With E_g(k) the certified lower bound on the line gap
(:meth:`Ribbon.bulk_gap`, |t|) the pairs are

    eta_1 = c_g E_g r^-j,   eta_2 = eta_1 / r,   j = 0, 1, 2, ...   (|t|),   c_g = 1e-2,

so that the continuum has rho <= rho(x = E_g/eta_2 >= 1000) ~ 1/r^2 and leaks at
most c_g^2 = 1e-4 into M(eta_1).  At each pair every eigenvalue above the
significance level lambda_sig = 10 max(D, 16 N eps ||M||) is classified as

    zero mode           rho >= rho(1/3)    (|E| <= eta_2/3),
    finite energy       rho <= rho(5)      (|E| >= 5 eta_2),
    ambiguous           otherwise,

where D (dimensionless, like the weights) is the size of the chirality-breaking
parts of M and of eta Re G_s, zero in exact arithmetic: it measures the error of
the decimation, which grows like eps B^2/eta at small eta.  The line is resolved
at the first j with no ambiguous eigenvalue and candidates in one sector only,
provided the decimation is still accurate there:

    lambda_sig <= w_min = c_w span kappa_min,   c_w = 0.1,

kappa_min (1/columns) being the root of sum_alpha ||h_alpha|| (exp(kappa |alpha|) - 1)
= E_g: every evanescent solution at E = 0 decays at least that fast (a solution
psi ~ exp(-kappa m) has ||H(q) psi|| <= that sum while ||H(q) psi|| >= E_g), so
span kappa_min ~ span E_g / v is the surface weight of the slowest possible
mode (v = sum |alpha| ||h_alpha||, |t| columns).  The rule assumes that every zero
mode puts at least w_min on the surface layer; in the four test models (the
reported cases, the paper's parameters and the single-band model), on lines
1e-9 .. 1e-2 from every node projection, the smallest counted weight is
4.7 span kappa_min, 47 w_min.  Descending the ladder separates
in-gap states from zero modes; once lambda_sig exceeds w_min (or the gap leaves no
room: c_g E_g / r < 1e-15 B) the line is reported unresolved: ``n_modes`` NaN,
``resolved`` False, ``status`` says why.  In practice lines with E_g below
~1e-6 .. 1e-5 |t| (within ~1e-6 .. 1e-4 in ky of a projected node, depending on the
node's velocity) are unresolved; the rounding floor of the decimated zero-mode
energy (eps B^2/eta) sets that limit.

Without chiral symmetry (an out-of-plane field) there is a single sector, no
accuracy diagnostic (D = 0) and eta_2 must stay >= 1e-8 B, the level down to
which the decimated zero-mode weights of the test models are accurate.  A given
``eta`` is a single pair, resolved only if it obeys the rule (eta <= c_g E_g).

Decay lengths
-------------
The evanescent solutions at energy E solve H10 psi_{j-1} + (H00 - E) psi_j
+ H01 psi_{j+1} = 0 with psi_{j+1} = lambda psi_j: the generalised eigenproblem
[[0, 1], [-H10, E - H00]] x = lambda [[1, 0], [0, H01]] x.  The longest decay
length is xi = -s / ln|lambda| (columns) over the |lambda| < 1 solutions; an
edge state cannot decay more slowly than that.

Zero-mode profiles (evanescent modes)
-------------------------------------
At E = 0 the pencil above, A x = lambda B x with x_j = (psi_j, psi_{j+1}) and
B x_{j+1} = A x_j, is reordered by a QZ decomposition so that its first N
generalised eigenvalues are the decaying ones, |lambda| < 1 (a gapped line with no
propagating channel has exactly N of them: lambda and 1/lambda^* pair up).  The
first N Schur vectors Z_1 = [U; V] span every decaying solution of the bulk
equations: x_0 = Z_1 c, x_j = Z_1 T^j c with T = BB_11^-1 AA_11 (upper triangular,
eigenvalues lambda_i), so

    psi_j = U T^j c = sum_i c'_i lambda_i^j phi_i        (layer j = 0, 1, 2, ...),

the sum of decaying Bloch solutions.  The left edge has no layer -1; the boundary
condition is the equation of layer 0,

    Q c = (H00 U + H01 V) c = 0,

so the zero modes are the null space of the N x N matrix Q (their number is |W(ky)|
per edge for a BDI line).  The right edge is the left edge of the mirrored chain
(H10 <-> H01, the columns of a layer in reverse order).  A singular value of Q counts
as zero when it is below 1e2 x the rounding level delta_Q = N eps B / (1 - |lambda|_max)
(the accuracy of the decaying subspace, B = ||H00|| + 2 ||H10||) and every other one is
above 1e4 delta_Q; otherwise the count is not resolved.  The modes are normalised over
the whole semi-infinite strip, sum_{j >= 0} |psi_j|^2 = c^dagger G c = 1, with the Gram
matrix G = sum_j (T^dagger)^j U^dagger U T^j (the Stein equation G = U^dagger U +
T^dagger G T, summed by doubling), and several modes of one edge are made
G-orthonormal and then diagonal in their weight on the outermost layer.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import xarray as xr

from isingsc.core.field import as_field
from isingsc.core.errors import ConvergenceError, ParameterError, check_positive_int, check_range
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ
from isingsc.models.symmetry import chiral_basis
from isingsc.topology.ribbon import ORIENTATIONS, SPIN_COMPONENTS, Ribbon, check_delta, check_edge, check_field

SIDES = ("left", "right")

#: Resolution rule of the zero-mode count (module docstring, "Resolution rule").
ETA_GAP_FRACTION = 1e-2  #: c_g: the first eta_1 is c_g E_g(k)
WEIGHT_FRACTION = 1e-1  #: c_w: zero modes with surface weight >= w_min = c_w span kappa_min are resolved
ZERO_RATIO_ENERGY = 1.0 / 3.0  #: a weight counts as a zero mode when its ratio is that of |E| <= eta_2/3
FINITE_RATIO_ENERGY = 5.0  #: and as a finite-energy state when its ratio is that of |E| >= 5 eta_2
NONCHIRAL_ETA_FLOOR = 1e-8  #: without chiral symmetry eta_2 >= 1e-8 B (no accuracy diagnostic then)
STATUS_RESOLVED, STATUS_NO_GAP, STATUS_ACCURACY, STATUS_AMBIGUOUS, STATUS_BOTH_CHIRALITIES, \
    STATUS_DECIMATION, STATUS_ETA_TOO_LARGE = range(7)
STATUS_DOC = ("0 resolved; 1 line gap too small to resolve; 2 decimation accuracy exhausted; 3 ambiguous "
              "ratio (a state with |E| ~ eta) at the last eta; 4 candidates of both chiralities at the last eta; "
              "5 decimation failed; 6 given eta > c_g E_g")
RULE_SUMMARY = ("eta_1 = c_g E_g r^-j, eta_2 = eta_1/r (j = 0, 1, ...); per chirality sector "
                "lambda_i(eta_2)/lambda_i(eta_1) >= ratio of |E| = eta_2/3: zero mode, <= ratio of "
                "|E| = 5 eta_2: finite energy, else ambiguous; "
                "resolved at the first j with no ambiguous ratio, candidates in one chirality only, and "
                "significance level 10 x max(chirality defect, rounding) <= w_min, w_min = c_w span kappa_min(E_g)")


def _check_side(side: str) -> tuple[str, ...]:
    if side == "both":
        return SIDES
    if side in SIDES:
        return (side,)
    raise ParameterError("side", side, "left | right | both")


class SemiInfiniteEdge:
    """A half-infinite ribbon of ``model`` with edge orientation ``edge``.

    Parameters
    ----------
    model : a TightBindingModel (any number of orbitals; pairing orbitals get Delta).
    edge : "armchair-y" (edges along y, period sqrt3, paper Fig. 4) or "zigzag-x".
    delta : pairing amplitude Delta >= 0 (units of |t|).
    field : Zeeman field: scalar Vx >= 0 (along x) or a vector (Vx, Vy[, Vz]).
    """

    def __init__(self, model, edge: str = "armchair-y", delta: float = 0.0, field=0.0):
        self.edge = check_edge(edge)
        self.delta = check_delta(delta)
        self.field = check_field(field)
        self.model = model
        # a two-layer ribbon only serves to build the column blocks
        self.ribbon = Ribbon.oriented(model, 2, edge)
        self.span = self.ribbon.span
        self.block_size = self.span * model.nambu_dim
        self._chiral = None  # cached chiral projectors (or False)

    # ----------------------------------------------------------- layers
    def layer_blocks(self, k) -> tuple[np.ndarray, np.ndarray]:
        """Principal-layer blocks H00(k) and H10(k) = H_{j+1, j}(k), shape (n_k, N, N) each."""
        return self.ribbon.layer_blocks(k, self.delta, self.field)

    def bandwidth_bound(self, k) -> np.ndarray:
        """B(k) = ||H00|| + 2 ||H10|| (spectral norms): the spectrum of the edge lies in [-B, B]."""
        h00, h10 = self.layer_blocks(k)
        return np.linalg.norm(h00, 2, axis=(-2, -1)) + 2 * np.linalg.norm(h10, 2, axis=(-2, -1))

    # ----------------------------------------------------------- Green's functions
    def surface_greens_function(self, k, z, side: str = "left", tol: float = 1e-13,
                                max_iter: int = 100) -> np.ndarray:
        """G of the outermost principal layer at complex energies z (Im z > 0).

        Shape (n_k, n_z, N, N) (``side`` "left" or "right"), or a dict side -> array
        for ``side="both"``.
        """
        sides = _check_side(side)
        k = np.atleast_1d(np.asarray(k, dtype=float))
        z = np.atleast_1d(np.asarray(z, dtype=complex))
        h00, h10 = self.layer_blocks(k)
        gl, gr, _ = decimate(h00[:, None], h10[:, None], z[None, :], tol=tol, max_iter=max_iter)
        out = {"left": gl, "right": gr}
        return out if side == "both" else out[sides[0]]

    def _observables(self, g: np.ndarray) -> dict[str, np.ndarray]:
        """-(1/pi) Im of the traces: total, particle, per orbital, spin x/y/z."""
        s, D, dim = self.span, self.model.nambu_dim, self.model.dim
        n_orb = dim // 2
        diag = np.einsum("...ii->...i", g).reshape(g.shape[:-2] + (s, 2, n_orb, 2))
        total = diag.sum(axis=(-4, -3, -2, -1))
        particle = diag[..., 0, :, :].sum(axis=(-3, -2, -1))  # (..., column, orbital, spin)
        orbital = diag[..., 0, :, :].sum(axis=(-3, -1))  # (..., n_orb)
        # spin: Tr_spin[sigma_a G_ee(o, o)] summed over columns and orbitals
        gb = g.reshape(g.shape[:-2] + (s, D, s, D))
        gee = np.einsum("...cicj->...cij", gb)[..., :dim, :dim]  # column-diagonal blocks
        gee = gee.reshape(gee.shape[:-2] + (n_orb, 2, n_orb, 2))
        goo = np.einsum("...oaob->...oab", gee)  # (..., column, orbital, spin, spin)
        spin = np.stack([np.einsum("...coab,ba->...", goo, sm) for sm in (SIGMAX, SIGMAY, SIGMAZ)],
                        axis=-1)
        f = -1.0 / np.pi
        return {"A": f * total.imag, "A_particle": f * particle.imag,
                "A_orbital": f * orbital.imag, "A_spin": f * spin.imag}

    def spectral_function(self, k, energies, eta: float = 0.01, side: str = "both",
                          tol: float = 1e-13, max_iter: int = 100,
                          chunk: int = 512) -> xr.Dataset:
        """Edge spectral function A_edge(k, E) = -(1/pi) Im Tr G_surface(k, E + i eta).

        Dataset with dims (side, k, energy) [+ orbital, component]: A (full Nambu
        trace over the outermost principal layer), A_particle (electron part, what
        tunnelling measures), A_orbital (electron part per orbital), A_spin
        (-(1/pi) Im Tr sigma_a G_ee, a = x, y, z).  Units: states per |t| per surface
        layer (``layer_columns`` columns); eta and the decimation tolerance in attrs.
        ``chunk``: (k, E) points decimated at once; the result does not depend on it (each
        point is decimated on its own), the memory does (~40 MB at 512 points, N = 16).
        """
        eta = check_range("eta", eta, lo=0.0, lo_open=True)
        sides = _check_side(side)
        k = np.atleast_1d(np.asarray(k, dtype=float))
        e = np.atleast_1d(np.asarray(energies, dtype=float))
        h00, h10 = self.layer_blocks(k)
        n_orb = self.model.dim // 2
        shape = (len(k), len(e))
        res = {sd: {"A": np.empty(shape), "A_particle": np.empty(shape),
                    "A_orbital": np.empty(shape + (n_orb,)), "A_spin": np.empty(shape + (3,))}
               for sd in SIDES}
        kk, ee = np.meshgrid(np.arange(len(k)), np.arange(len(e)), indexing="ij")
        kk, ee = kk.ravel(), ee.ravel()
        iters = 0
        for start in range(0, kk.size, chunk):
            sl = slice(start, start + chunk)
            gl, gr, n_it = decimate(h00[kk[sl]], h10[kk[sl]], e[ee[sl]] + 1j * eta, tol=tol,
                                    max_iter=max_iter)
            iters = max(iters, n_it)
            for sd, g in (("left", gl), ("right", gr)):
                obs = self._observables(g)
                for name, val in obs.items():
                    res[sd][name].reshape((-1,) + res[sd][name].shape[2:])[sl] = val
        data = {}
        for name, extra_dims in (("A", ()), ("A_particle", ()), ("A_orbital", ("orbital",)),
                                 ("A_spin", ("component",))):
            data[name] = (("side", "k", "energy") + extra_dims,
                          np.stack([res[sd][name] for sd in sides]),
                          {"units": "states / |t| / surface layer"})
        ds = xr.Dataset(
            data,
            coords={"side": list(sides),
                    "k": ("k", k, {"units": MOMENTUM_UNITS, "long_name": "momentum along the edge"}),
                    "energy": ("energy", e, {"units": "|t|"}),
                    "orbital": list(self.model.orbitals), "component": list(SPIN_COMPONENTS)})
        return finalize(ds, model=self.model, **self._attrs(), eta=eta, tol=tol,
                        max_iter=max_iter, iterations=iters,
                        definition="A = -(1/pi) Im Tr G_surface(k, E + i eta), outermost principal layer")

    def _attrs(self) -> dict:
        return dict(edge=self.edge, periodic=list(ORIENTATIONS[self.edge][0]),
                    open=list(ORIENTATIONS[self.edge][1]), delta=self.delta, **as_field(self.field).attrs(),
                    layer_columns=self.span, surface_states=self.block_size,
                    column_spacing=self.ribbon.column_spacing)

    # ----------------------------------------------------------- resolution
    def chiral_projectors(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(U_plus, U_minus): orthonormal C = +1 / C = -1 bases of a principal layer, or None.

        C = sigma_x tau_y on every site (:func:`isingsc.models.symmetry.chiral_basis`) is a
        symmetry when it anticommutes with H00 and H10 (any in-plane field; an out-of-plane
        component or a Rashba term breaks it).  Checked on a few k, relative tolerance 1e-12.
        """
        if self._chiral is None:
            up, um = chiral_basis(self.model.nambu_dim // 4)
            eye = np.eye(self.span)
            ps, ms = np.kron(eye, up), np.kron(eye, um)
            h00, h10 = self.layer_blocks(np.array([0.0, 0.37, 1.1, -2.3]))
            scale = max(1.0, float(np.abs(h00).max()), float(np.abs(h10).max()))
            res = max(float(np.abs(p.conj().T @ h @ p).max()) for h in (h00, h10) for p in (ps, ms))
            self._chiral = (ps, ms) if res <= 1e-12 * scale else False
        return self._chiral or None

    def resolution(self, k, n_q: int = 64) -> xr.Dataset:
        """The scales that set the resolution of the zero-mode count on each k line.

        ``line_gap`` (|t|): the gap of the infinite chain along the line, the smallest value
        found by :meth:`Ribbon.bulk_gap`; ``line_gap_lower`` E_g (|t|): its certified lower
        bound (>= line_gap / 2), the E_g of the rule; ``velocity`` v(k) = sum_alpha |alpha| ||h_alpha(k)||
        (|t| x columns); ``kappa_min`` (1/columns): the smallest possible inverse decay length
        at E = 0, the root of sum_alpha ||h_alpha|| (exp(kappa |alpha|) - 1) = E_g
        (~ E_g / v); ``xi_max`` = 1/kappa_min (columns), a bound on every decay length;
        ``weight_floor`` w_min = c_w span kappa_min; ``eta_start`` = c_g E_g (|t|): the
        first (largest) eta of the count.  The rule is in the module docstring.
        """
        k = np.atleast_1d(np.asarray(k, dtype=float))
        found, gap = self.ribbon.bulk_gap(k, self.delta, self.field, n_q=n_q, bounds=True)
        blocks = self.ribbon.column_blocks(k, self.delta, self.field)
        norms = {a: np.linalg.norm(b, 2, axis=(-2, -1)) for a, b in blocks.items()}
        kappa = _kappa_min(norms, gap)
        with np.errstate(divide="ignore"):
            xi = np.where(kappa > 0, 1.0 / np.where(kappa > 0, kappa, 1.0), np.inf)
        ds = xr.Dataset(
            {"line_gap": ("k", found, {"units": "|t|", "long_name": "gap of the infinite chain on the k line "
                                                              "(smallest value found)"}),
             "line_gap_lower": ("k", gap, {"units": "|t|", "long_name": "E_g: certified lower bound on the gap "
                                                                  "(>= line_gap / 2)"}),
             "velocity": ("k", sum(abs(a) * n for a, n in norms.items()), {"units": "|t| columns"}),
             "kappa_min": ("k", kappa, {"units": "1/columns", "long_name": "lower bound on 1/decay length"}),
             "xi_max": ("k", xi, {"units": "columns", "long_name": "upper bound on every decay length"}),
             "weight_floor": ("k", WEIGHT_FRACTION * self.span * kappa,
                              {"units": "1", "long_name": "w_min: smallest surface weight of a zero mode resolved"}),
             "eta_start": ("k", ETA_GAP_FRACTION * gap, {"units": "|t|", "long_name": "c_g E_g"})},
            coords={"k": ("k", k, {"units": MOMENTUM_UNITS, "long_name": "momentum along the edge"})})
        return finalize(ds, model=self.model, **self._attrs(), n_q=n_q, c_g=ETA_GAP_FRACTION,
                        c_w=WEIGHT_FRACTION)

    # ----------------------------------------------------------- zero modes
    def _level(self, h00, h10, eta, tol, max_iter):
        """M(eta) and its chirality-resolved spectrum on both edges at z = i eta (one eta per k).

        Returns {side: dict(lam=[per sector (n, m) descending], vec=[(n, N, m)], noise=(n,),
        defect=(n,))} and a bool array ``ok`` (decimation succeeded).  Computed in chunks of
        :data:`LEVEL_CHUNK` k lines (each line is independent): a scan's Green's functions and their products
        never coexist for all lines at once.
        """
        parts = [self._level_batch(h00[s:s + LEVEL_CHUNK], h10[s:s + LEVEL_CHUNK], eta[s:s + LEVEL_CHUNK], tol,
                                   max_iter) for s in range(0, len(eta), LEVEL_CHUNK)]
        if len(parts) <= 1:
            return parts[0] if parts else self._level_batch(h00, h10, eta, tol, max_iter)
        out = {}
        for sd in SIDES:
            chunks = [p[0][sd] for p in parts]
            out[sd] = {key: ([np.concatenate([c[key][j] for c in chunks]) for j in range(len(chunks[0][key]))]
                             if isinstance(chunks[0][key], list) else np.concatenate([c[key] for c in chunks]))
                       for key in chunks[0]}
        return out, np.concatenate([p[1] for p in parts])

    def _level_batch(self, h00, h10, eta, tol, max_iter):
        """:meth:`_level` of one chunk of k lines."""
        n = len(eta)
        ok = np.ones(n, dtype=bool)
        try:
            gl, gr, _ = decimate(h00, h10, 1j * eta, tol=tol, max_iter=max_iter)
        except ConvergenceError:  # find the failing lines one by one
            gl = np.zeros_like(h00)
            gr = np.zeros_like(h00)
            for i in range(n):
                try:
                    a, b, _ = decimate(h00[i:i + 1], h10[i:i + 1], 1j * eta[i:i + 1], tol=tol,
                                       max_iter=max_iter)
                    gl[i], gr[i] = a[0], b[0]
                except ConvergenceError:
                    ok[i] = False
        proj = self.chiral_projectors()
        sectors = list(proj) if proj is not None else [np.eye(self.block_size)]
        eps = np.finfo(float).eps
        out = {}
        for sd, g in (("left", gl), ("right", gr)):
            gh = np.conj(np.swapaxes(g, -1, -2))
            m = eta[:, None, None] * 0.5j * (g - gh)
            m = 0.5 * (m + np.conj(np.swapaxes(m, -1, -2)))
            lam, vec = [], []
            for p in sectors:
                ms = p.conj().T @ m @ p
                w, v = np.linalg.eigh(ms)
                lam.append(w[:, ::-1])
                vec.append(p @ v[:, :, ::-1])
            norm_m = np.linalg.norm(m, axis=(-2, -1))
            if proj is not None:  # chirality-breaking parts of M and of eta Re G: zero in exact arithmetic
                pp, pm = proj
                r = eta[:, None, None] * 0.5 * (g + gh)
                defect = np.sqrt(np.linalg.norm(pp.conj().T @ m @ pm, axis=(-2, -1)) ** 2
                                 + np.linalg.norm(pp.conj().T @ r @ pp, axis=(-2, -1)) ** 2
                                 + np.linalg.norm(pm.conj().T @ r @ pm, axis=(-2, -1)) ** 2)
            else:
                defect = np.zeros(n)
            noise = np.maximum(defect, 16 * self.block_size * eps * norm_m)
            out[sd] = {"lam": lam, "vec": vec, "noise": noise, "defect": defect}
        return out, ok

    def _count(self, k, eta=None, ratio: float = 10.0, tol: float = 1e-13, max_iter: int = 200,
               n_q: int = 64, max_levels: int = 40) -> dict:
        """The zero-mode count with its resolution rule (see the module docstring); arrays per (side, k)."""
        ratio = check_range("ratio", ratio, lo=1.0, lo_open=True)
        k = np.atleast_1d(np.asarray(k, dtype=float))
        nk, N = len(k), self.block_size
        h00, h10 = self.layer_blocks(k)
        bound = np.linalg.norm(h00, 2, axis=(-2, -1)) + 2 * np.linalg.norm(h10, 2, axis=(-2, -1))
        res = self.resolution(k, n_q=n_q)
        gap, w_min = res.line_gap_lower.values, res.weight_floor.values
        chiral = self.chiral_projectors() is not None
        rho_hi, rho_lo = _lorentz_ratio(ZERO_RATIO_ENERGY, ratio), _lorentz_ratio(FINITE_RATIO_ENERGY, ratio)
        if eta is None:
            eta0, levels = ETA_GAP_FRACTION * gap, max_levels
        else:
            eta0, levels = np.full(nk, check_range("eta", eta, lo=0.0, lo_open=True)), 1
        # per (side, k) results
        shape = (2, nk)
        n_modes = np.full(shape, np.nan)
        n_sector = np.zeros((2, nk, 2), dtype=int)
        status = np.full(shape, -1, dtype=int)
        eta1 = np.full(shape, np.nan)
        eta2 = np.full(shape, np.nan)
        weight = np.full((2, nk, N), np.nan)
        rat = np.full((2, nk, N), np.nan)
        noise_out = np.full(shape, np.nan)
        depth = np.zeros(shape, dtype=int)
        rho = np.zeros((2, nk, N, N), dtype=complex)
        # lines whose gap leaves no room for a single eta pair above the absolute floor
        start = np.isfinite(eta0) & (eta0 / ratio > 1e-15 * bound) & (gap > 0)
        status[:, ~start] = STATUS_NO_GAP
        if eta is not None:
            big = start & (eta0 > ETA_GAP_FRACTION * gap)
            status[:, big] = STATUS_ETA_TOO_LARGE
        idx = np.nonzero(start)[0]
        prev, ok = self._level(h00[idx], h10[idx], eta0[idx], tol, max_iter) if idx.size else ({}, None)
        if idx.size:
            status[:, idx[~ok]] = STATUS_DECIMATION
        for j in range(1, levels + 1):
            pending = (status[:, idx] == -1).any(0)
            if ok is not None:
                pending &= ok
            keep = np.nonzero(pending)[0]
            if not keep.size:
                break
            idx = idx[keep]
            prev = {sd: {key: ([x[keep] for x in val] if isinstance(val, list) else val[keep])
                         for key, val in d.items()} for sd, d in prev.items()}
            ea = eta0[idx] * ratio ** -(j - 1)
            eb = ea / ratio
            cur, ok_b = self._level(h00[idx], h10[idx], eb, tol, max_iter)
            for si, sd in enumerate(SIDES):
                a, b = prev[sd], cur[sd]
                todo = (status[si, idx] == -1) & ok_b
                sig_level = 10 * np.maximum(a["noise"], b["noise"])
                usable = sig_level <= w_min[idx]
                if not chiral:
                    usable &= eb >= NONCHIRAL_ETA_FLOOR * bound[idx]
                counts, amb = [], np.zeros(len(idx), dtype=bool)
                zeros = []
                for la, lb in zip(a["lam"], b["lam"]):
                    with np.errstate(divide="ignore", invalid="ignore"):
                        r = np.where(la > 0, lb / np.where(la > 0, la, 1.0), 0.0)
                    sig = lb > sig_level[:, None]
                    zero = sig & (r >= rho_hi) & (r <= 1.0 + 0.1)
                    amb |= (sig & ~zero & (r > rho_lo)).any(-1)
                    counts.append(zero.sum(-1))
                    zeros.append(zero)
                counts = np.array(counts)  # (sectors, n)
                one_sided = counts.min(0) == 0 if chiral else np.ones(len(idx), dtype=bool)
                done = todo & usable & ~amb & one_sided
                last = j == levels
                fail = todo & ~done & (~usable | last)
                record = done | fail | (todo & ~ok_b)
                for i in np.nonzero(record)[0]:
                    kk = idx[i]
                    lb_all = np.concatenate([x[i] for x in b["lam"]])
                    la_all = np.concatenate([x[i] for x in a["lam"]])
                    z_all = np.concatenate([z[i] for z in zeros])
                    order = np.lexsort((-lb_all, ~z_all))  # counted modes first, then descending
                    weight[si, kk] = lb_all[order]
                    with np.errstate(divide="ignore", invalid="ignore"):
                        rat[si, kk] = np.where(la_all > 0, lb_all / np.where(la_all > 0, la_all, 1.0), 0.0)[order]
                    eta1[si, kk], eta2[si, kk] = ea[i], eb[i]
                    noise_out[si, kk] = sig_level[i]
                    depth[si, kk] = j
                    n_sector[si, kk, :len(counts)] = counts[:, i]
                    if done[i]:
                        status[si, kk] = STATUS_RESOLVED
                        n_modes[si, kk] = counts[:, i].sum()
                        vecs = np.concatenate([v[i][:, z[i]] for v, z in zip(b["vec"], zeros)], axis=1)
                        vals = np.concatenate([lb[i][z[i]] for lb, z in zip(b["lam"], zeros)])
                        rho[si, kk] = (vecs * vals) @ vecs.conj().T
                    elif not ok_b[i]:
                        status[si, kk] = STATUS_DECIMATION
                    elif not usable[i]:
                        status[si, kk] = STATUS_ACCURACY
                    elif amb[i]:
                        status[si, kk] = STATUS_AMBIGUOUS
                    else:
                        status[si, kk] = STATUS_BOTH_CHIRALITIES
            prev, ok = cur, ok_b
        status[status == -1] = STATUS_ACCURACY  # max_levels reached (not expected)
        resolved = status == STATUS_RESOLVED
        n_modes[~resolved] = np.nan
        index = np.where(resolved & chiral, n_sector[..., 0] - n_sector[..., -1], np.nan) if chiral \
            else np.full(shape, np.nan)
        return {"k": k, "n_modes": n_modes, "resolved": resolved, "status": status, "eta1": eta1,
                "eta2": eta2, "weight": weight, "ratio": rat, "noise": noise_out, "levels": depth,
                "rho": rho, "index": index, "resolution": res, "chiral": chiral, "rho_hi": rho_hi,
                "rho_lo": rho_lo, "bound": bound}

    def zero_modes(self, k, eta: float | None = None, ratio: float = 10.0, tol: float = 1e-13,
                   max_iter: int = 200, n_q: int = 64) -> xr.Dataset:
        """Number of zero-energy edge modes per k on each edge, with the resolution rule of the module docstring.

        M(eta) = eta (i/2)(G_s(i eta) - G_s(i eta)^dagger), resolved by chirality, at a
        ladder of pairs (eta_1, eta_2 = eta_1/``ratio``) starting at eta_1 = c_g E_g(k) and
        descending by ``ratio`` until the count is clean; a line where no pair within the
        accuracy of the decimation is clean is reported unresolved (``n_modes`` NaN).  With
        ``eta`` given, the single pair (eta, eta/ratio) is used (resolved only if it obeys the rule).
        ``n_q``: momenta of the line-gap search (:meth:`Ribbon.bulk_gap`).

        Dataset dims (side, k[, mode]):
          n_modes: zero modes on the edge (float; NaN where not ``resolved``);
          resolved: the count obeys the rule (bool);
          status: 0 resolved, 1 gap of the line too small to resolve (a line through or within rounding
            of a node), 2 decimation accuracy exhausted (eta reached the level where the decimation's
            chirality defect swamps the weights), 3 ambiguous ratios (a state with |E| ~ eta) at the
            last eta, 4 candidates of both chiralities (a pair +-E with |E| below resolution) at the
            last eta, 5 decimation failed, 6 the given eta is not <= c_g E_g;
          chiral_index: n(C=+1) - n(C=-1) of the counted modes (NaN if unresolved or without chiral symmetry);
          weight: eigenvalues of M(eta_2) of both sectors, the counted modes' surface weights first,
            each group descending;
          eigenvalue_ratio: lambda(eta_2)/lambda(eta_1) in the same order (sorted within each sector);
          eta, eta_2: the pair used (|t|); levels: ladder steps taken; noise: significance level of
          the eigenvalues (10 x max(chirality defect, rounding));
          line_gap, weight_floor (k): E_g (the certified lower bound on the gap, |t|) and w_min.
        """
        c = self._count(k, eta=eta, ratio=ratio, tol=tol, max_iter=max_iter, n_q=n_q)
        res = c["resolution"]
        ds = xr.Dataset(
            {"n_modes": (("side", "k"), c["n_modes"],
                         {"long_name": "zero-energy modes on the edge (NaN: not resolved)"}),
             "resolved": (("side", "k"), c["resolved"],
                          {"long_name": "count obeys the resolution rule (module docstring)"}),
             "status": (("side", "k"), c["status"], {"long_name": STATUS_DOC}),
             "chiral_index": (("side", "k"), c["index"],
                              {"long_name": "n(C=+1) - n(C=-1) of the counted zero modes"}),
             "weight": (("side", "k", "mode"), c["weight"],
                        {"long_name": "eigenvalues of M(eta_2): zero-mode weights on the surface layer"}),
             "eigenvalue_ratio": (("side", "k", "mode"), c["ratio"],
                                  {"long_name": "lambda(eta_2)/lambda(eta_1)"}),
             "eta": (("side", "k"), c["eta1"], {"units": "|t|", "long_name": "eta_1 of the pair used"}),
             "eta_2": (("side", "k"), c["eta2"], {"units": "|t|", "long_name": "eta_2 = eta_1/ratio"}),
             "levels": (("side", "k"), c["levels"], {"long_name": "eta ladder steps taken"}),
             "noise": (("side", "k"), c["noise"], {"long_name": "significance level of the weights"}),
             "line_gap": ("k", res.line_gap_lower.values,
                          {"units": "|t|", "long_name": "E_g: certified lower bound on the gap of the k line"}),
             "weight_floor": ("k", res.weight_floor.values, {"units": "1"})},
            coords={"side": list(SIDES),
                    "k": ("k", c["k"], {"units": MOMENTUM_UNITS, "long_name": "momentum along the edge"}),
                    "mode": np.arange(self.block_size)})
        return finalize(ds, model=self.model, **self._attrs(), ratio=ratio, tol=tol,
                        max_iter=max_iter, n_q=n_q, chiral=int(c["chiral"]), c_g=ETA_GAP_FRACTION,
                        c_w=WEIGHT_FRACTION, zero_ratio=c["rho_hi"], finite_ratio=c["rho_lo"],
                        criterion=RULE_SUMMARY)

    # ----------------------------------------------------------- decay lengths
    def decay_length(self, k, energy: float = 0.0) -> xr.Dataset:
        """Longest evanescent decay length at ``energy`` per k (columns and units of a).

        From the transfer-matrix eigenvalues lambda (|lambda| < 1) of the principal-layer
        chain (:meth:`Ribbon.decay_length`); also the number of propagating channels
        (||lambda| - 1| < 1e-9, i.e. the k line crosses the bulk spectrum at this energy).
        """
        energy = check_range("energy", energy)
        k = np.atleast_1d(np.asarray(k, dtype=float))
        xi, n_prop = self.ribbon.decay_length(k, self.delta, self.field, energy)
        ds = xr.Dataset(
            {"xi_columns": ("k", xi, {"units": "columns"}),
             "xi": ("k", xi * self.ribbon.column_spacing, {"units": "a"}),
             "propagating": ("k", n_prop)},
            coords={"k": ("k", k, {"units": MOMENTUM_UNITS})})
        return finalize(ds, model=self.model, **self._attrs(), energy=energy)

    # ----------------------------------------------------------- zero-mode profiles
    def zero_mode_profile(self, ky: float, columns: int, side: str = "both") -> xr.Dataset:
        """Weight per column of the E = 0 edge modes at momentum ``ky``, from the evanescent solutions.

        The zero modes of the semi-infinite strip are sums of decaying Bloch solutions,

            psi(j) = sum_i c_i lambda_i^j phi_i   (|lambda_i| < 1, principal layer j = 0, 1, ...),

        whose coefficients satisfy the boundary condition of the outermost layer,
        (H00 U + H01 V) c = 0 (module docstring, "Zero-mode profiles").  Each mode is normalised
        over the whole semi-infinite strip, sum_{n >= 1} w(n) = 1, and its weight on column n is

            w(n) = sum_a |psi_a(n)|^2    (a: the Nambu components of one column, particles and holes),

        n = 1 .. ``columns`` counted from the mode's edge (n = 1: the outermost column).
        No finite ribbon is built: time and memory are O(columns) with a small constant.

        Parameters
        ----------
        ky : momentum along the edge (1/a), one value.
        columns : number of columns shown (>= 1), the range of distances of the result.
        side : "left", "right" or "both" (modes of the left edge first).

        Returns
        -------
        Dataset with dims (state, distance): ``weight`` (probability per column, dimensionless),
        ``edge`` (+1 left edge, -1 right edge), ``weight_beyond`` (the part of the mode's weight
        beyond ``columns``), ``surface_weight`` (on the outermost principal layer); coordinate
        ``distance`` (columns from the mode's edge); attrs ``k`` (1/a), ``decay_length`` (the slowest
        evanescent solution, -span/ln|lambda_max|, columns), ``bulk_gap`` (the gap of the ky line, |t|)
        and the singular values that decided the count.

        Raises
        ------
        ParameterError (``ky``) where the edge has no zero mode at ``ky`` (W(ky) = 0) or the ky line is
        gapless at E = 0 (a node projection: no bound state); ParameterError (``columns``) unless an
        integer >= 1; ConvergenceError where the decay is not resolved (the slowest |lambda| within 1e-9
        of 1, or singular values of Q between the zero and the finite level).
        """
        ky = check_range("ky", ky)
        columns = check_positive_int("columns", columns, 1)
        sides = _check_side(side)
        h00, h10 = self.layer_blocks(np.array([ky]))
        h00, h10 = h00[0], h10[0]
        gap = float(self.ribbon.bulk_gap(np.array([ky]), self.delta, self.field)[0])
        bound = float(np.linalg.norm(h00, 2) + 2 * np.linalg.norm(h10, 2))
        s = self.span
        n_layers = -(-columns // s)
        weights, edges, beyond, surface, sing, xis = [], [], [], [], {}, []
        for sd in sides:
            hb = h10 if sd == "left" else np.conj(h10).T  # the right edge: the mirrored chain
            modes = _evanescent_zero_modes(h00, hb, ky, gap, bound, sd)
            sing[sd] = modes["singular_values"]
            xis.append(s * modes["decay_layers"])
            w, tail = _propagate(modes["U"], modes["T"], modes["c"], modes["G"], n_layers, s)
            if sd == "right":
                w = w[:, ::-1]
            weights.append(w.reshape(n_layers * s, -1)[:columns].T)
            beyond.append(tail + w.reshape(n_layers * s, -1)[columns:].sum(0))
            surface.append(w[0].sum(0))
            edges += [1 if sd == "left" else -1] * w.shape[-1]
        weight = np.concatenate(weights)
        ds = xr.Dataset(
            {"weight": (("state", "distance"), weight,
                        {"units": "probability per column",
                         "long_name": "w(n) = sum_a |psi_a(n)|^2, sum over the semi-infinite strip = 1"}),
             "edge": ("state", np.array(edges), {"long_name": "+1 left edge, -1 right edge"}),
             "weight_beyond": ("state", np.concatenate(beyond),
                               {"units": "1", "long_name": "weight beyond the last column shown"}),
             "surface_weight": ("state", np.concatenate(surface),
                                {"units": "1", "long_name": "weight on the outermost principal layer"})},
            coords={"distance": ("distance", np.arange(1, columns + 1),
                                 {"units": "columns from the mode's edge",
                                  "long_name": "n = 1: the outermost column"})})
        return finalize(ds, model=self.model, **self._attrs(), k=ky, columns=columns,
                        decay_length=max(xis), bulk_gap=gap,
                        **{f"singular_values_{sd}": v for sd, v in sing.items()},
                        method="evanescent modes of the semi-infinite strip (QZ of the E = 0 transfer pencil)",
                        definition="psi(j) = sum_i c_i lambda_i^j phi_i (|lambda_i| < 1), "
                                   "(H00 U + H01 V) c = 0, w(n) = |psi(n)|^2, sum_n w(n) = 1")


#: Zero-mode profiles (module docstring): the slowest evanescent |lambda| must be this far from 1, and a
#: singular value of Q counts as zero below ZERO_SV_FACTOR x its rounding level, as finite above FINITE_SV_FACTOR x.
UNIT_CIRCLE_TOL = 1e-9
ZERO_SV_FACTOR, FINITE_SV_FACTOR = 1e2, 1e4


def _evanescent_zero_modes(h00, h10, ky, gap, bound, side) -> dict:
    """Zero modes of the left edge of the chain (h00, h10 = H_{j+1, j}): the null space of Q (module docstring).

    Returns U (N, N), T (N, N), c (N, n_modes) G-orthonormal and diagonal in the surface weight, G (N, N),
    the singular values of Q (ascending) and the slowest decay length in layers.
    """
    n = h00.shape[-1]
    h01 = np.conj(h10).T
    eye, zero = np.eye(n), np.zeros((n, n))
    a = np.block([[zero, eye], [-h10, -h00]])
    b = np.block([[eye, zero], [zero, h01]])
    aa, bb, alpha, beta, _, z = sla.ordqz(a, b, sort=lambda x, y: np.abs(x) < np.abs(y), output="complex")
    inside = np.abs(alpha) < np.abs(beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.abs(alpha) / np.abs(beta)
    near = np.abs(lam - 1) < UNIT_CIRCLE_TOL
    if inside.sum() != n or (gap <= 1e-12 * bound and near.any()):
        raise ParameterError("ky", ky, "a ky line gapped at E = 0", reason="the line crosses the bulk spectrum at "
                             f"E = 0 (a node projection, line gap {gap:.3g} |t|): no bound zero mode")
    lam_max = float(lam[inside].max())
    if 1 - lam_max < UNIT_CIRCLE_TOL:
        raise ConvergenceError(f"zero-mode profile at ky = {ky:.12g}: decay not resolved, the slowest evanescent "
                               f"|lambda| = {lam_max:.12g} is within {UNIT_CIRCLE_TOL:g} of 1 (line gap {gap:.3g} |t|)",
                               quantity="decay length", suggestion="choose a ky farther from a node projection")
    if np.any(np.abs(beta[:n]) <= 16 * np.finfo(float).eps * bound):
        raise ConvergenceError(f"zero-mode profile at ky = {ky:.12g}: singular transfer pencil (alpha = beta = 0)",
                               quantity="evanescent subspace")
    u, v = z[:n, :n], z[n:, :n]
    t = np.linalg.solve(bb[:n, :n], aa[:n, :n])
    _, sv, vh = np.linalg.svd(h00 @ u + h01 @ v)
    sv, null = sv[::-1], vh[::-1].conj().T  # ascending
    noise = n * np.finfo(float).eps * bound / (1 - lam_max)
    n_modes = int((sv <= ZERO_SV_FACTOR * noise).sum())
    if np.any((sv > ZERO_SV_FACTOR * noise) & (sv < FINITE_SV_FACTOR * noise)):
        raise ConvergenceError(f"zero-mode profile at ky = {ky:.12g} ({side} edge): zero modes not resolved, a singular "
                               f"value of the boundary condition lies between {ZERO_SV_FACTOR:g} and "
                               f"{FINITE_SV_FACTOR:g} x its rounding level {noise:.3g} |t| (a state at |E| ~ 0 that "
                               "is not a zero mode)", quantity="zero modes",
                               suggestion="choose a ky farther from a node projection")
    if n_modes == 0:
        raise ParameterError("ky", ky, "a ky with zero modes on the edge (W(ky) != 0)",
                             reason=f"the {side} edge has no zero mode at this ky (smallest singular value of the "
                                    f"boundary condition {sv[0]:.3g} |t|, W(ky) = 0)")
    gram = _stein_sum(t, u.conj().T @ u)
    c = null[:, :n_modes]
    chol = np.linalg.cholesky(c.conj().T @ gram @ c)
    c = c @ np.linalg.inv(chol).conj().T  # c^dagger G c = 1
    _, rot = np.linalg.eigh((u @ c).conj().T @ (u @ c))
    c = c @ rot[:, ::-1]
    return {"U": u, "T": t, "c": c, "G": gram, "singular_values": sv, "decay_layers": -1.0 / np.log(lam_max)}


def _stein_sum(t, q, max_doublings: int = 80) -> np.ndarray:
    """G = sum_{j >= 0} (t^dagger)^j q t^j (the solution of G = q + t^dagger G t, spectral radius of t < 1), by doubling."""
    g, p = q.copy(), t.copy()
    for _ in range(max_doublings):  # after m doublings g sums 2^m terms, p = t^(2^m); the rest is <= |p|^2 g
        g = g + p.conj().T @ g @ p
        p = p @ p
        if np.linalg.norm(p) ** 2 <= np.finfo(float).eps:
            return g
    raise ConvergenceError("zero-mode profile: the Gram sum did not converge (|lambda| too close to 1)",
                           quantity="normalisation")


def _propagate(u, t, c, gram, n_layers: int, span: int, block: int = 256):
    """Weights |psi|^2 per column of psi_j = U T^j c, j = 0 .. n_layers - 1, shape (n_layers, span, n_modes), and
    the weight beyond the last layer, c_J^dagger G c_J (c_J = T^J c).  Blocks of ``block`` layers: O(n_layers) memory."""
    b = min(block, n_layers)
    powers = np.empty((b,) + t.shape, dtype=complex)
    powers[0] = np.eye(t.shape[0])
    for i in range(1, b):
        powers[i] = t @ powers[i - 1]
    y = u @ powers  # (b, N, N)
    tb = t @ powers[-1]  # T^b
    out = np.empty((n_layers, span, c.shape[1]))
    cur = c
    for start in range(0, n_layers, b):
        stop = min(start + b, n_layers)
        psi = y[:stop - start] @ cur  # (layers, N, n_modes)
        out[start:stop] = (np.abs(psi) ** 2).reshape(stop - start, span, -1, c.shape[1]).sum(2)
        cur = tb @ cur if stop - start == b else powers[stop - start - 1] @ t @ cur
    tail = np.einsum("im,ij,jm->m", cur.conj(), gram, cur).real
    return out, tail


def _lorentz_ratio(x: float, ratio: float) -> float:
    """lambda(eta_2)/lambda(eta_1) of a state at |E| = x eta_2 (eta_1 = ratio eta_2)."""
    return (ratio ** 2 + x ** 2) / (ratio ** 2 * (1 + x ** 2))


def _kappa_min(norms: dict, gap) -> np.ndarray:
    """Root kappa >= 0 of F(kappa) = sum_alpha n_alpha (exp(kappa |alpha|) - 1) = E_g, vectorised.

    A solution psi_m ~ exp(-kappa m) at E = 0 gives ||H(q) psi|| <= F(kappa) ||psi|| while
    ||H(q) psi|| >= E_g ||psi||: every decay rate is >= this root.  F is convex and increasing,
    F(kappa) >= v kappa, so Newton's method from kappa_0 = E_g / v decreases monotonically to it.
    """
    gap = np.asarray(gap, dtype=float)
    al = np.array([abs(a) for a in norms], dtype=float)
    nn = np.stack([norms[a] for a in norms], axis=-1)  # (n_k, n_alpha)
    v = (nn * al).sum(-1)
    kap = np.where(v > 0, gap / np.where(v > 0, v, 1.0), 0.0)
    for _ in range(100):
        e = np.exp(kap[:, None] * al)
        f = (nn * (e - 1)).sum(-1) - gap
        df = (nn * al * e).sum(-1)
        step = np.where(df > 0, f / np.where(df > 0, df, 1.0), 0.0)
        kap = np.maximum(kap - step, 0.0)
        if np.all(np.abs(step) <= 1e-14 * np.maximum(kap, 1e-300)):
            break
    return kap


_SINGULAR = ("surface Green's function: a singular matrix in the decimation (the energy is within rounding of "
             "an eigenvalue, e.g. E = 0 on a ky line through a node); raise eta, the broadening Im z")


def decimate(h00, h10, z, tol: float = 1e-13, max_iter: int = 100):
    """Lopez Sancho decimation for a chain of principal layers; batched.

    h00, h10 : (..., N, N) layer and inter-layer (H_{j+1, j}) blocks; z : complex
    energies broadcastable against h00[..., 0, 0].  Returns (G_left, G_right,
    iterations): the outermost-layer Green's functions of the chain extending to
    +infinity (left edge) and to -infinity (right edge), shape (..., N, N).
    Raises ConvergenceError if the renormalised couplings have not fallen below
    tol (|H00| + |H10|) after ``max_iter`` doublings.
    """
    tol = check_range("tol", tol, lo=0.0, lo_open=True)
    max_iter = check_positive_int("max_iter", max_iter, 1)
    h00 = np.asarray(h00, dtype=complex)
    h10 = np.asarray(h10, dtype=complex)
    z = np.asarray(z, dtype=complex)
    batch = np.broadcast_shapes(h00.shape[:-2], h10.shape[:-2], z.shape)
    n = h00.shape[-1]
    h00 = np.broadcast_to(h00, batch + (n, n)).reshape(-1, n, n)
    h10 = np.broadcast_to(h10, batch + (n, n)).reshape(-1, n, n)
    z = np.broadcast_to(z, batch).reshape(-1)
    if np.any(z.imag <= 0):
        raise ConvergenceError("decimation needs Im z > 0 (retarded functions); got Im z <= 0")
    # in chunks of the batch: each point's doublings are independent (bit for bit the same), and the ten
    # work arrays of a whole scan no longer coexist (the paper-quality Fig. 5 peaked at +0.35 GB here)
    chunk = max(1, DECIMATION_FLOATS // (n * n))
    parts = [_decimate_batch(h00[s:s + chunk], h10[s:s + chunk], z[s:s + chunk], tol, max_iter)
             for s in range(0, len(z), chunk)] or [_decimate_batch(h00, h10, z, tol, max_iter)]
    gl = np.concatenate([p[0] for p in parts])
    gr = np.concatenate([p[1] for p in parts])
    return gl.reshape(batch + (n, n)), gr.reshape(batch + (n, n)), max(p[2] for p in parts)


#: k lines per chunk of the zero-mode levels (:meth:`SemiInfiniteEdge._level`).
LEVEL_CHUNK = 256
#: Complex entries per work array of one decimation batch (memory: ~10 such arrays, 16 bytes each).
DECIMATION_FLOATS = 1 << 18


def _decimate_batch(h00, h10, z, tol, max_iter):
    """:func:`decimate` of one batch (n_b, N, N) at energies z (n_b,)."""
    n = h00.shape[-1]
    scale = np.abs(h00).max(axis=(-2, -1)) + np.abs(h10).max(axis=(-2, -1))
    scale = np.where(scale > 0, scale, 1.0)
    eye = np.eye(n)
    zI = z[:, None, None] * eye
    a = np.conj(np.swapaxes(h10, -1, -2)).copy()  # H01
    b = h10.copy()
    eps = h00.copy()
    eps_l = h00.copy()
    eps_r = h00.copy()
    active = np.arange(len(z))
    iterations = 0
    with np.errstate(all="ignore"):
        for it in range(max_iter):
            small = np.maximum(np.abs(a[active]).max(axis=(-2, -1)),
                               np.abs(b[active]).max(axis=(-2, -1))) < tol * scale[active]
            active = active[~small]
            if active.size == 0:
                break
            iterations = it + 1
            idx = slice(None) if active.size == len(z) else active  # no copies while all run
            aa, bb = a[idx], b[idx]
            try:
                gab = np.linalg.solve(zI[idx] - eps[idx], np.concatenate([aa, bb], axis=-1))
            except np.linalg.LinAlgError:
                raise ConvergenceError(_SINGULAR) from None
            ga, gb = gab[..., :n], gab[..., n:]
            agb = aa @ gb
            bga = bb @ ga
            eps_l[idx] += agb
            eps_r[idx] += bga
            eps[idx] += agb + bga
            a[idx] = aa @ ga
            b[idx] = bb @ gb
        else:
            small = np.maximum(np.abs(a[active]).max(axis=(-2, -1)),
                               np.abs(b[active]).max(axis=(-2, -1))) < tol * scale[active]
            active = active[~small]
        if active.size:
            raise ConvergenceError(
                f"surface Green's function: decimation not converged after {max_iter} doublings "
                f"at {active.size} of {len(z)} points (e.g. z = {z[active[0]]:.3g}); "
                "raise max_iter or eta, or avoid energies on a band edge")
        try:
            gl = np.linalg.inv(zI - eps_l)
            gr = np.linalg.inv(zI - eps_r)
        except np.linalg.LinAlgError:
            raise ConvergenceError(_SINGULAR) from None
    if not (np.all(np.isfinite(gl)) and np.all(np.isfinite(gr))):
        raise ConvergenceError("surface Green's function: non-finite result (singular z - Sigma)")
    return gl, gr, iterations


# ------------------------------------------------------------------ convenience functions
def edge_spectral_function(model, k, energies, delta: float = 0.0, field=0.0,
                           edge: str = "armchair-y", eta: float = 0.01, side: str = "both",
                           **kwargs) -> xr.Dataset:
    """A_edge(k, E) of the semi-infinite ribbon (see :meth:`SemiInfiniteEdge.spectral_function`)."""
    return SemiInfiniteEdge(model, edge, delta, field).spectral_function(
        k, energies, eta=eta, side=side, **kwargs)


def edge_zero_modes(model, k, delta: float = 0.0, field=0.0, edge: str = "armchair-y",
                    eta: float | None = None, ratio: float = 10.0, **kwargs) -> xr.Dataset:
    """Zero-energy edge modes per k and edge (see :meth:`SemiInfiniteEdge.zero_modes`)."""
    return SemiInfiniteEdge(model, edge, delta, field).zero_modes(k, eta=eta, ratio=ratio,
                                                                        **kwargs)


def edge_decay_length(model, k, delta: float = 0.0, field=0.0, edge: str = "armchair-y",
                      energy: float = 0.0) -> xr.Dataset:
    """Longest evanescent decay length per k (see :meth:`SemiInfiniteEdge.decay_length`)."""
    return SemiInfiniteEdge(model, edge, delta, field).decay_length(k, energy)
