"""Chern numbers, Berry curvature and chiral edge modes of gapped two-dimensional BdG Hamiltonians.

Chern number of the negative-energy (occupied) BdG bands by the lattice gauge method of Fukui, Hatsugai
and Suzuki (J. Phys. Soc. Jpn. 74, 1674 (2005)): on the N x N grid k_ij = (i b1 + j b2) / N of the
reciprocal cell, with |u(k)> the occupied eigenvectors (columns),

    U_mu(k) = det <u(k)|u(k + mu)> / |det <u(k)|u(k + mu)>|,        mu = b1/N, b2/N,
    F(k)    = arg[ U_1(k) U_2(k + 1) U_1(k + 2)^-1 U_2(k)^-1 ]  in (-pi, pi],
    C       = (1/2 pi) sum_k F(k),

an exact integer for any grid (gauge invariant); it equals the Chern number once the occupied projector
varies little between neighbouring points.  That is checked, not assumed: the distance between the occupied
projectors of every link, ||P(k) - P(k')||_2 = sin of the largest principal angle (from the smallest singular
value of <u(k)|u(k')>), must be below :data:`LINK_RATIO`, every plaquette flux below pi/2, and two grids must
agree.  Plaquettes that fail (near a small gap) are subdivided m x m, m doubled up to
:data:`MAX_SUBDIVISION`; their edges become the fine paths for the neighbours too, so the flux sum stays an
exact multiple of 2 pi.
The BdG gap min_k min_n |E_n(k)| is found first (grid minimum refined by local minimisation); below
``gap_floor`` the Hamiltonian is gapless and no Chern number is reported (ParameterError, exit 2 at the CLI).

Berry curvature Omega(k) = F(k) / (plaquette area) (units a^2), with sum_k F = 2 pi C.  Sign convention:
Omega = i <d_1 u|d_2 u> - c.c. of the occupied bands (k_1, k_2 along b1, b2).  The spinless square-lattice
state xi = -2 (cos kx + cos ky) - mu, D(k) = i Delta (sin kx + i sin ky) (channel p+ip, triplet-up) has
C = 0 for |mu| > 4, C = -1 for -4 < mu < 0 and C = +1 for 0 < mu < 4 (tested; docs/hole_doped_tmd.md).

Chiral edge modes: on a ribbon (open along one primitive vector, periodic along the other) the number of
states at energy E0 (inside the gap) is counted by inertia (Sylvester) along k; each change is one mode
crossing E0 upward (+1) or downward (-1), located by bisection and assigned to the edge that holds its weight.
The bulk-boundary correspondence (tested): the net chirality of the first edge (the columns at the start of
the open direction) is -C, that of the last +C.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.optimize import minimize
from scipy.sparse.linalg import eigsh

from isingsc.core.errors import ConvergenceError, ParameterError, check_positive_int, check_range
from isingsc.core.field import as_field
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.models.catalogue import as_nambu_model, as_resolved

#: Largest distance ||P(k) - P(k')||_2 between the occupied projectors of a link (sin 30 degrees).
LINK_RATIO = 0.5
#: Largest plaquette flux |F| (rad) allowed.
MAX_FLUX = np.pi / 2
#: Default smallest gap (|t|) below which the Hamiltonian is called gapless.
GAP_FLOOR = 1e-6
#: Largest subdivision of a plaquette near a small gap.
MAX_SUBDIVISION = 64
#: Memory per grid (bytes): the occupied eigenvectors and two link arrays of the same size.
GRID_BYTES = 3.0e9


class Chern:
    """Chern number, Berry curvature and edge modes of a 2D BdG Hamiltonian.

    Parameters
    ----------
    model : catalogue name, :func:`isingsc.model` result or any NambuModel with a ``lattice``
        (e.g. a channel from :func:`isingsc.models.channels.with_pairing`).
    delta : pairing amplitude Delta (|t|).
    field : Zeeman field (:class:`~isingsc.core.field.Field` or what ``as_field`` accepts).
    gap_floor : gaps below it (|t|) count as closed (default 1e-6).
    max_n : largest grid (points per reciprocal vector) before ConvergenceError.
    """

    def __init__(self, model, delta: float, field=None, *, gap_floor: float = GAP_FLOOR, max_n: int = 2048):
        self.resolved = as_resolved(model)
        self.model = as_nambu_model(self.resolved)
        self.resolved.require("pairing")
        self.delta = check_range("delta", delta, lo=0.0, lo_open=True, hi=10.0)
        self.field = as_field(field)
        self.gap_floor = check_range("gap_floor", gap_floor, lo=0.0, lo_open=True)
        self.max_n = check_positive_int("max_n", max_n, 8)
        lattice = getattr(self.model, "lattice", None)
        if lattice is None:
            raise ParameterError("model", self.resolved.name, "a lattice model (its reciprocal vectors fix the grid)")
        self.reciprocal = np.asarray(lattice.reciprocal)
        self._gap = None

    # ------------------------------------------------------------------ spectrum
    def hamiltonian(self, k) -> np.ndarray:
        """H_BdG(k) at this Delta and field, shape (..., N, N)."""
        return self.model.bdg_hamiltonian(np.asarray(k, dtype=float), self.delta, self.field)

    def grid(self, n: int) -> np.ndarray:
        """The n x n grid k_ij = (i b1 + j b2) / n, shape (n, n, 2) (cartesian, 1/a)."""
        f = np.arange(n) / n
        return f[:, None, None] * self.reciprocal[0] + f[None, :, None] * self.reciprocal[1]

    def _min_abs(self, k) -> np.ndarray:
        return np.min(np.abs(np.linalg.eigvalsh(self.hamiltonian(k))), axis=-1)

    def gap(self, n: int = 96) -> tuple[float, np.ndarray]:
        """(E_g, k_min): the BdG gap min_k min_n |E_n(k)| (|t|) and where it is, from an n x n grid refined by
        local minimisation (Nelder-Mead from the four smallest grid points)."""
        if self._gap is not None:
            return self._gap
        k = self.grid(n).reshape(-1, 2)
        e = self._min_abs(k)
        best_e, best_k = float(e.min()), k[int(np.argmin(e))]
        for i in np.argsort(e)[:4]:
            res = minimize(lambda x: float(self._min_abs(x[None])[0]), k[i], method="Nelder-Mead",
                           options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 800})
            if res.fun < best_e:
                best_e, best_k = float(res.fun), np.asarray(res.x)
        self._gap = (best_e, best_k)
        return self._gap

    def check_gapped(self) -> float:
        """The gap (|t|); ParameterError naming it if it is below ``gap_floor`` (no invariant on a gapless
        Hamiltonian)."""
        gap, k = self.gap()
        if gap < self.gap_floor:
            raise ParameterError("model", self.resolved.name, "a gapped BdG Hamiltonian",
                                 reason=f"gapless: min |E| = {gap:.2e} |t| at k = ({k[0]:.4f}, {k[1]:.4f}) / a, below "
                                        f"the resolution {self.gap_floor:g} |t| (Delta = {self.delta:g}, "
                                        f"field {[round(float(x), 6) for x in self.field.vector]} |t|): the Chern number is not defined")
        return gap

    # ------------------------------------------------------------------ FHS on one grid
    def _eigen(self, k):
        """Occupied eigenvectors at the points k (..., 2); ConvergenceError if the spectrum is not half negative
        (a gapped BdG Hamiltonian always is)."""
        h = self.hamiltonian(k)
        e, vec = np.linalg.eigh(h)
        n_occ = h.shape[-1] // 2
        if np.any(e[..., n_occ - 1] >= 0) or np.any(e[..., n_occ] <= 0):
            raise ConvergenceError("the BdG spectrum is not symmetric about E = 0 on the grid (half the states "
                                   "negative): not a gapped BdG Hamiltonian", quantity="Chern number")
        return vec[..., :n_occ]

    def _occupied(self, n: int):
        """Occupied eigenvectors on the n x n grid, shape (n, n, N, N/2), and the distances ||P(k) - P(k')||_2
        between the occupied projectors of the links along b1 and b2 (rows in chunks: memory ~ the vectors)."""
        dim = self.model.nambu_dim
        u = np.empty((n, n, dim, dim // 2), dtype=complex)
        r1, r2 = np.empty((n, n)), np.empty((n, n))
        f = np.arange(n) / n
        rows = max(1, int(2**22 // (n * dim * dim)))
        for start in range(0, n, rows):
            idx = np.arange(start, min(n, start + rows) + 1) % n  # one more row: the links along b1
            k = f[idx, None, None] * self.reciprocal[0] + f[None, :, None] * self.reciprocal[1]
            vec = self._eigen(k)
            u[idx[:-1]] = vec[:-1]
            r1[idx[:-1]] = _angle(vec[1:], vec[:-1])
            r2[idx[:-1]] = _angle(np.roll(vec[:-1], -1, axis=1), vec[:-1])
        return u, r1, r2

    def _flux(self, n: int) -> tuple[np.ndarray, float, int]:
        """Plaquette fluxes of the n x n grid, the largest link ratio after refinement, and the number of refined
        plaquettes.

        Plaquettes with a projector distance above LINK_RATIO or a flux above MAX_FLUX (near small gaps: a proximitised
        band, a node about to open) are subdivided m x m (m doubled until every sub-link and sub-plaquette
        passes); their flux is the sum of the sub-plaquettes', and each of their edges is replaced, for the
        neighbours too, by the product of its fine links (gauge invariant: the corners keep the coarse vectors),
        so that the sum over all plaquettes stays an exact multiple of 2 pi."""
        u, r1, r2 = self._occupied(n)
        u1, u2 = _link(u, np.roll(u, -1, axis=0)), _link(u, np.roll(u, -1, axis=1))
        flux = _plaquettes(u1, u2)
        worst = np.maximum.reduce([r1, np.roll(r2, -1, axis=0), np.roll(r1, -1, axis=1), r2])
        bad = (worst > LINK_RATIO) | (np.abs(flux) >= MAX_FLUX)
        if not bad.any():
            return flux, float(max(r1.max(), r2.max())), 0
        I, J = np.nonzero(bad)
        m = int(min(MAX_SUBDIVISION, max(2, 2 ** np.ceil(np.log2(worst[bad].max() / LINK_RATIO + 1)))))
        while True:
            sums, edges, ratio, sub_max = self._refine(u, n, I, J, m)
            if (ratio <= LINK_RATIO and sub_max < MAX_FLUX) or m >= MAX_SUBDIVISION:
                break
            m *= 2
        e1, e2, e3, e4 = edges  # fine paths replace the coarse links, for every plaquette that shares them
        u1[I, J], u1[I, (J + 1) % n] = e1, e3
        u2[I, J], u2[(I + 1) % n, J] = e2, e4
        flux = _plaquettes(u1, u2)
        flux[I, J] = sums
        clean = np.maximum(r1, r2)[~bad].max(initial=0.0)
        return flux, float(max(ratio, clean)), int(len(I))

    def _refine(self, u, n: int, I, J, m: int):
        """Sum of the m x m sub-plaquette fluxes of the plaquettes (I, J), their four edge paths, and the largest
        sub-link ratio and sub-plaquette flux."""
        dim = self.model.nambu_dim
        a = np.arange(m + 1) / (m * n)
        off = a[:, None, None] * self.reciprocal[0] + a[None, :, None] * self.reciprocal[1]  # (m+1, m+1, 2)
        chunk = max(1, int(2**23 // ((m + 1) ** 2 * dim * dim)))
        sums, edges = [], [[], [], [], []]
        ratio, sub_max = 0.0, 0.0
        for s in range(0, len(I), chunk):
            i, j = I[s:s + chunk], J[s:s + chunk]
            corner = (i[:, None] / n) * self.reciprocal[0] + (j[:, None] / n) * self.reciprocal[1]
            vec = self._eigen(corner[:, None, None, :] + off)
            # the corners keep the coarse grid's vectors: the edge paths then match the neighbours' exactly
            vec[:, 0, 0], vec[:, m, 0] = u[i, j], u[(i + 1) % n, j]
            vec[:, 0, m], vec[:, m, m] = u[i, (j + 1) % n], u[(i + 1) % n, (j + 1) % n]
            l1 = _link(vec[:, :-1, :], vec[:, 1:, :])       # (p, m, m+1): along b1
            l2 = _link(vec[:, :, :-1], vec[:, :, 1:])       # (p, m+1, m): along b2
            f = np.angle(l1[:, :, :-1] * l2[:, 1:, :] * np.conj(l1[:, :, 1:]) * np.conj(l2[:, :-1, :]))
            sums.append(f.sum(axis=(1, 2)))
            sub_max = max(sub_max, float(np.abs(f).max()))
            ratio = max(ratio, float(_angle(vec[:, 1:], vec[:, :-1]).max()),
                        float(_angle(vec[:, :, 1:], vec[:, :, :-1]).max()))
            for e, path in zip(edges, (l1[:, :, 0], l2[:, 0, :], l1[:, :, m], l2[:, m, :])):
                prod = np.prod(path, axis=1)
                e.append(prod / np.abs(prod))
        return np.concatenate(sums), [np.concatenate(e) for e in edges], ratio, sub_max

    def _grid_sizes(self, n0: int):
        n = n0
        dim = self.model.nambu_dim
        while n <= self.max_n and n * n * dim * (dim // 2) * 16 * 3 <= GRID_BYTES:
            yield n
            n = int(np.ceil(n * 1.5 / 8) * 8)

    def chern_number(self, n: int | None = None) -> xr.Dataset:
        """The Chern number C of the occupied BdG bands, with the gap, the grid and its checks.

        ``n``: start from this grid (default 32).  Returns a Dataset with ``chern_number`` (integer), the
        raw flux sum / 2 pi (an integer to rounding), ``gap`` (|t|), and attrs: the grid, the largest
        plaquette flux, the largest projector distance of a link and the two grids that agree."""
        gap = self.check_gapped()
        n0 = check_positive_int("n", n, 4) if n is not None else 32
        previous = None
        for size in self._grid_sizes(n0):
            flux, ratio, refined = self._flux(size)
            c_raw = float(flux.sum() / (2 * np.pi))
            c = int(round(c_raw))
            ok = ratio <= LINK_RATIO and (refined or float(np.abs(flux).max()) < MAX_FLUX)
            if ok and previous is not None and previous[0] == c and previous[3]:
                return self._dataset(c, c_raw, gap, size, flux, ratio, previous[1], refined)
            previous = (c, size, ratio, ok)
            if refined and not ok:
                break  # a 64-fold subdivision did not resolve it: 1.5x coarser steps will not either
        raise ConvergenceError(
            f"model {self.resolved.name!r}: the Chern number is not resolved: with the gap {gap:.3g} |t| the occupied "
            f"projector still turns by {np.degrees(np.arcsin(min(previous[2], 1.0))):.0f} degrees between "
            f"neighbouring points of a {previous[1]}x{previous[1]} grid subdivided {MAX_SUBDIVISION}-fold where "
            f"needed (at most {np.degrees(np.arcsin(LINK_RATIO)):.0f})", quantity="Chern number",
            resolution=f"{previous[1]}^2 grid", suggestion="raise Delta (a larger gap widens the region the "
                                                           "projector turns over)")

    def _dataset(self, c, c_raw, gap, n, flux, ratio, n_previous, refined=0) -> xr.Dataset:
        ds = xr.Dataset({
            "chern_number": ((), c, {"units": "1", "long_name": "Chern number of the occupied BdG bands"}),
            "flux_sum": ((), c_raw, {"units": "2 pi", "long_name": "sum of plaquette fluxes / 2 pi (FHS)"}),
            "gap": ((), gap, {"units": "|t|", "long_name": "BdG gap min_k min_n |E_n(k)|"}),
        })
        k = self.gap()[1]
        return finalize(ds, model=self.resolved, delta=self.delta, **self.field.attrs(), grid=f"{n}x{n}",
                        grid_points=n * n, agrees_with_grid=f"{n_previous}x{n_previous}",
                        max_plaquette_flux=float(np.abs(flux).max()), link_ratio=ratio,
                        gap_k=[float(k[0]), float(k[1])], gap_floor=self.gap_floor, refined_plaquettes=refined,
                        method="Fukui-Hatsugai-Suzuki lattice field strength, occupied = E < 0")

    def berry_curvature(self, n: int | None = None) -> xr.Dataset:
        """Omega(k) of the occupied bands on the plaquettes of an n x n grid (default: the converged grid of
        :meth:`chern_number`), dims (i1, i2) with 2D coords kx, ky (1/a) of the plaquette centres; units a^2.
        sum Omega x plaquette area = 2 pi C."""
        if n is None:
            n = int(self.chern_number().attrs["grid"].split("x")[0])
        else:
            self.check_gapped()
            n = check_positive_int("n", n, 4)
        flux, ratio, _refined = self._flux(n)
        area = abs(np.linalg.det(self.reciprocal)) / n**2
        centre = self.grid(n) + 0.5 * (self.reciprocal[0] + self.reciprocal[1]) / n
        ds = xr.Dataset({"berry_curvature": (("i1", "i2"), flux / area,
                                             {"units": "a^2", "long_name": "Berry curvature of the occupied bands"})},
                        coords={"i1": np.arange(n), "i2": np.arange(n),
                                "kx": (("i1", "i2"), centre[..., 0], {"units": MOMENTUM_UNITS}),
                                "ky": (("i1", "i2"), centre[..., 1], {"units": MOMENTUM_UNITS})})
        return finalize(ds, model=self.resolved, delta=self.delta, **self.field.attrs(), grid=f"{n}x{n}",
                        plaquette_area=area, link_ratio=ratio, chern_flux_sum=float(flux.sum() / (2 * np.pi)))

    # ------------------------------------------------------------------ edges
    def edge_modes(self, width: int | None = None, *, open_=(1, 0), periodic=(0, 1), n_k: int = 256,
                   energy: float | None = None, max_width: int = 1600) -> xr.Dataset:
        """Chiral edge modes of a ribbon open along ``open_`` and periodic along ``periodic`` (lattice
        coordinates): the crossings of the in-gap energy E0 (default gap / 3) along k, their direction
        (+1 up, -1 down) and edge, and the net chirality of each edge (bulk-boundary: -+C).

        ``width`` (columns; default from the decay length ~ v / E_g) is doubled until every crossing state
        lies on one edge (weight > 0.99 on its half); the crossings are located to 1e-10 in k."""
        from isingsc.topology.ribbon import Ribbon  # (same layer)

        gap = self.check_gapped()
        e0 = gap / 3 if energy is None else check_range("energy", energy, lo=-gap, hi=gap, lo_open=True, hi_open=True)
        n_k = check_positive_int("n_k", n_k, 8)
        if width is None:
            width = int(np.clip(np.ceil(8 * _fermi_velocity(self.model) / gap), 24, min(400, max_width)))
        width = check_positive_int("width", width, 4)
        while True:
            ribbon = Ribbon(self.model, width, tuple(open_), tuple(periodic))
            crossings = self._crossings(ribbon, e0, n_k)
            if all(w > 0.99 for _k, _s, w, _e in crossings) or width * 2 > max_width:
                break
            width *= 2
        if not all(w > 0.99 for _k, _s, w, _e in crossings):
            raise ConvergenceError(f"edge modes hybridise across a {width}-column ribbon (an edge state's weight on "
                                   "its half < 0.99)", quantity="edge modes", suggestion="raise max_width or Delta")
        ks = np.array([c[0] for c in crossings], dtype=float)
        ds = xr.Dataset({
            "k": (("crossing",), ks, {"units": MOMENTUM_UNITS, "long_name": "momentum along the edge"}),
            "direction": (("crossing",), np.array([c[1] for c in crossings], dtype=int),
                          {"units": "1", "long_name": "+1: the mode crosses E0 upwards with k"}),
            "edge": (("crossing",), np.array([c[3] for c in crossings], dtype=int),
                     {"units": "1", "long_name": "0: the first columns, 1: the last"}),
            "edge_weight": (("crossing",), np.array([c[2] for c in crossings]), {"units": "1"}),
        }, coords={"crossing": np.arange(len(crossings))})
        net = [int(sum(c[1] for c in crossings if c[3] == side)) for side in (0, 1)]
        ds["net_chirality"] = (("side",), np.array(net), {"units": "1", "long_name": "sum of directions per edge"})
        ds = ds.assign_coords(side=["first", "last"])
        return finalize(ds, model=self.resolved, delta=self.delta, **self.field.attrs(), width=width,
                        open_direction=list(open_), periodic_direction=list(periodic), energy=e0, gap=gap,
                        momenta=n_k)

    def _crossings(self, ribbon, e0: float, n_k: int) -> list:
        period = ribbon.period
        ks = np.linspace(-np.pi, np.pi, n_k + 1) / period
        big = 1e3
        count = np.array([self._count(ribbon, k, e0, big) for k in ks])
        out = []
        for i in range(n_k):
            self._split(ribbon, ks[i], ks[i + 1], count[i], count[i + 1], e0, big, out, depth=0)
        return out

    def _count(self, ribbon, k: float, e0: float, big: float) -> int:
        # at a crossing H(k) - E0 is singular: step off it by a few ulps of k
        for shift in (0.0, 1e-13, -1e-13, 1e-11):
            try:
                return ribbon.count_states(float(k) + shift, e0, big, self.delta, self.field)
            except np.linalg.LinAlgError:
                continue
        return ribbon.count_states(float(k) + 1e-9, e0, big, self.delta, self.field)

    def _split(self, ribbon, a, b, na, nb, e0, big, out, depth):
        if na == nb:
            return
        if abs(nb - na) > 1 and depth < 30:
            m = 0.5 * (a + b)
            nm = self._count(ribbon, m, e0, big)
            self._split(ribbon, a, m, na, nm, e0, big, out, depth + 1)
            self._split(ribbon, m, b, nm, nb, e0, big, out, depth + 1)
            return
        for _ in range(40):  # bisection to the crossing
            if b - a < 1e-10:
                break
            m = 0.5 * (a + b)
            nm = self._count(ribbon, m, e0, big)
            if nm == na:
                a = m
            else:
                b = m
        k = 0.5 * (a + b)
        n_modes = abs(int(nb - na))  # > 1 only for modes crossing E0 at the same k (degenerate copies)
        D, W = self.model.nambu_dim, ribbon.width
        h = ribbon.sparse_bdg_hamiltonian(k, self.delta, self.field)  # column order: index m D + a
        if W * D <= 1600:
            e, v = np.linalg.eigh(h.toarray())
        else:  # shift-invert at E0 (the ribbon is block-banded)
            e, v = eigsh(h.tocsc(), k=n_modes + 2, sigma=e0, which="LM")
        for i in np.argsort(np.abs(e - e0))[:n_modes]:
            weight = np.abs(v[:, i].reshape(W, D)) ** 2
            first = float(weight[: W // 2].sum())
            out.append((k, int(np.sign(nb - na)), max(first, 1 - first), 0 if first >= 0.5 else 1))


def _fermi_velocity(model) -> float:
    """The largest normal-state band velocity |dE/dk| (|t| a) at the Fermi surface (grid points within 0.05 |t|
    of it; the largest velocity anywhere if the grid has none): it sets the edge modes' decay length v / E_g."""
    f = (np.arange(128) + 0.5) / 128
    rec = np.asarray(model.lattice.reciprocal)
    k = (f[:, None, None] * rec[0] + f[None, :, None] * rec[1]).reshape(-1, 2)
    h = 1e-5
    e0 = np.linalg.eigvalsh(model.hamiltonian(k))
    v = np.zeros_like(e0)
    for step in ((h, 0.0), (0.0, h)):
        v = np.maximum(v, np.abs(np.linalg.eigvalsh(model.hamiltonian(k + np.array(step))) - e0) / h)
    near = np.abs(e0) < 0.05
    return max(float(v[near].max()) if near.any() else float(v.max()), 1e-3)


def _angle(u_a, u_b) -> np.ndarray:
    """||P_a - P_b||_2 = sin of the largest principal angle between the occupied subspaces (batched): from the
    smallest singular value of the overlap <u_a|u_b>."""
    smin = np.linalg.svd(np.swapaxes(u_a.conj(), -1, -2) @ u_b, compute_uv=False)[..., -1]
    return np.sqrt(np.clip(1.0 - smin**2, 0.0, 1.0))


def _link(u_a, u_b) -> np.ndarray:
    """Normalised link variables det <u_a|u_b> of the occupied subspaces (batched)."""
    d = np.linalg.det(np.swapaxes(u_a.conj(), -1, -2) @ u_b)
    return d / np.abs(d)


def _plaquettes(u1, u2) -> np.ndarray:
    """Plaquette fluxes arg[U1(k) U2(k + 1) U1(k + 2)^-1 U2(k)^-1] of periodic link arrays (n, n)."""
    return np.angle(u1 * np.roll(u2, -1, axis=0) * np.conj(np.roll(u1, -1, axis=1)) * np.conj(u2))
