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
eta; every other state contributes at most eta^2/E^2 (gapped k line) or a
continuum ~ pi eta rho(0) (gapless): its contribution falls at least as fast
as eta.  So at eta_1 and eta_2 = eta_1/r the sorted eigenvalues of M keep their
value (ratio -> 1) for zero modes and drop by at least r otherwise; a mode is
counted when lambda_i(eta_2)/lambda_i(eta_1) > r^(-1/2), the logarithmic
mid-point.  Each weight eta^2/(eta^2 + E^2) grows with eta and
f_eta2/f_eta1 >= 1/r^2, so M(eta_2) <= M(eta_1) <= r^2 M(eta_2) (Loewner order) and by
Weyl's monotonicity the ratios of the sorted eigenvalues lie in [1/r^2, 1].

Choice of eta: it must be small against the gap E_g(k) of the k line (so that
bulk states scale as eta^2/E_g^2 and stay far below the zero-mode weights) and
large against the rounding error of the decimated zero-mode energy, which
grows like eps B / E_g through the ~log2(xi) solves: on the single-band test
model the eigenvalue ratios of true zero modes stay within 1e-4 of 1 for
eta_2 >= 1e-8 B, scatter by percents at eta_2 = 1e-9 B and are lost at 1e-10 B.  Default
eta_1 = 1e-6 B (eta_2 = 1e-7 B), B = ||H00|| + 2 ||H10||.

Decay lengths
-------------
The evanescent solutions at energy E solve H10 psi_{j-1} + (H00 - E) psi_j
+ H01 psi_{j+1} = 0 with psi_{j+1} = lambda psi_j: the generalised eigenproblem
[[0, 1], [-H10, E - H00]] x = lambda [[1, 0], [0, H01]] x.  The longest decay
length is xi = -s / ln|lambda| (columns) over the |lambda| < 1 solutions; an
edge state cannot decay more slowly than that.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import xarray as xr

from isingsc.core.errors import ConvergenceError, ParameterError, check_positive_int, check_range
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.topology.ribbon import (ORIENTATIONS, SPIN_COMPONENTS, Ribbon, check_delta, check_edge,
                     check_field)
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ

SIDES = ("left", "right")


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

    # ----------------------------------------------------------- layers
    def layer_blocks(self, k) -> tuple[np.ndarray, np.ndarray]:
        """Principal-layer blocks H00(k) and H10(k) = H_{j+1, j}(k), shape (n_k, N, N) each."""
        k = np.atleast_1d(np.asarray(k, dtype=float))
        h = self.ribbon.column_blocks(k, self.delta, self.field)
        s, D = self.span, self.model.nambu_dim
        zero = np.zeros((len(k), D, D), dtype=complex)
        h00 = np.zeros((len(k), s * D, s * D), dtype=complex)
        h10 = np.zeros_like(h00)
        for a in range(s):
            for b in range(s):
                h00[:, a * D:(a + 1) * D, b * D:(b + 1) * D] = h.get(a - b, zero)
                h10[:, a * D:(a + 1) * D, b * D:(b + 1) * D] = h.get(s + a - b, zero)
        return h00, h10

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
                          chunk: int = 4096) -> xr.Dataset:
        """Edge spectral function A_edge(k, E) = -(1/pi) Im Tr G_surface(k, E + i eta).

        Dataset with dims (side, k, energy) [+ orbital, component]: A (full Nambu
        trace over the outermost principal layer), A_particle (electron part, what
        tunnelling measures), A_orbital (electron part per orbital), A_spin
        (-(1/pi) Im Tr sigma_a G_ee, a = x, y, z).  Units: states per |t| per surface
        layer (``layer_columns`` columns); eta and the decimation tolerance in attrs.
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
                    open=list(ORIENTATIONS[self.edge][1]), delta=self.delta, field=self.field,
                    layer_columns=self.span, surface_states=self.block_size,
                    column_spacing=self.ribbon.column_spacing)

    # ----------------------------------------------------------- zero modes
    def zero_modes(self, k, eta: float | None = None, ratio: float = 10.0, tol: float = 1e-13,
                   max_iter: int = 200) -> xr.Dataset:
        """Number of zero-energy edge modes per k on each edge, from the 1/eta pole of G_surface.

        M(eta) = eta (i/2)(G_s(i eta) - G_s(i eta)^dagger) at eta_1 = ``eta`` and
        eta_2 = eta_1/``ratio``; a mode counts when its sorted eigenvalue keeps more
        than ratio^(-1/2) of its value (derivation in the module docstring).
        Default eta_1 = 1e-6 B(k), B the spectral bound (see the module docstring).  Dataset dims (side, k[, mode]):
        n_modes, weight (eigenvalues of M(eta_2), the zero modes' surface weights),
        eigenvalue_ratio.
        """
        ratio = check_range("ratio", ratio, lo=1.0, lo_open=True)
        k = np.atleast_1d(np.asarray(k, dtype=float))
        h00, h10 = self.layer_blocks(k)
        bound = np.linalg.norm(h00, 2, axis=(-2, -1)) + 2 * np.linalg.norm(h10, 2, axis=(-2, -1))
        if eta is None:
            eta1 = 1e-6 * bound
        else:
            eta1 = np.full(len(k), check_range("eta", eta, lo=0.0, lo_open=True))
        lam = {}
        iters = 0
        for name, et in (("1", eta1), ("2", eta1 / ratio)):
            gl, gr, n_it = decimate(h00, h10, 1j * et, tol=tol, max_iter=max_iter)
            iters = max(iters, n_it)
            for sd, g in (("left", gl), ("right", gr)):
                m = et[:, None, None] * 0.5j * (g - np.conj(np.swapaxes(g, -1, -2)))
                lam[sd, name] = np.linalg.eigvalsh(m)[:, ::-1]  # descending
        n_modes, weight, rat = [], [], []
        for sd in SIDES:
            l1, l2 = lam[sd, "1"], lam[sd, "2"]
            tiny = np.finfo(float).tiny
            r = l2 / np.maximum(l1, tiny)
            counted = (r > ratio ** -0.5) & (l1 > 0)
            n_modes.append(counted.sum(-1))
            weight.append(l2)
            rat.append(r)
        ds = xr.Dataset(
            {"n_modes": (("side", "k"), np.array(n_modes)),
             "weight": (("side", "k", "mode"), np.array(weight),
                        {"long_name": "eigenvalues of M(eta_2): zero-mode weights on the surface layer"}),
             "eigenvalue_ratio": (("side", "k", "mode"), np.array(rat),
                                  {"long_name": "lambda(eta_2)/lambda(eta_1)"}),
             "eta": ("k", eta1, {"units": "|t|"})},
            coords={"side": list(SIDES),
                    "k": ("k", k, {"units": MOMENTUM_UNITS, "long_name": "momentum along the edge"}),
                    "mode": np.arange(self.block_size)})
        return finalize(ds, model=self.model, **self._attrs(), ratio=ratio, tol=tol,
                        max_iter=max_iter, iterations=iters,
                        criterion="lambda_i(eta/ratio) > ratio^-1/2 lambda_i(eta)")

    # ----------------------------------------------------------- decay lengths
    def decay_length(self, k, energy: float = 0.0) -> xr.Dataset:
        """Longest evanescent decay length at ``energy`` per k (columns and units of a).

        From the transfer-matrix eigenvalues lambda (|lambda| < 1) of the principal-layer
        chain; also the number of propagating channels (|lambda| = 1 within 1e-9, i.e.
        the k line crosses the bulk spectrum at this energy).
        """
        energy = check_range("energy", energy)
        k = np.atleast_1d(np.asarray(k, dtype=float))
        h00, h10 = self.layer_blocks(k)
        n = self.block_size
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
        ds = xr.Dataset(
            {"xi_columns": ("k", xi, {"units": "columns"}),
             "xi": ("k", xi * self.ribbon.column_spacing, {"units": "a"}),
             "propagating": ("k", n_prop)},
            coords={"k": ("k", k, {"units": MOMENTUM_UNITS})})
        return finalize(ds, model=self.model, **self._attrs(), energy=energy)


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
    return gl.reshape(batch + (n, n)), gr.reshape(batch + (n, n)), iterations


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
