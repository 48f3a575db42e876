"""An explicit strip of host lattice around a magnetic chain: the plain-diagonalisation twin of the T-matrix.

The host lattice on a strip of W rows parallel to the chain (open across, periodic along it with the chain's
period L = M s d), the impurities on the middle row, and its BdG Bloch Hamiltonian

    H(q)_ab = sum_J e^{i q J} <a, cell 0| H |b, cell J>,                                        (|t|)

with the real-space blocks <R2 + R|H|R2> = h(R) = [[T_R + Z delta_R0, D delta_R0], [D^dagger delta_R0,
-(T_R + Z delta_R0)^*]] of the model (T_R its hoppings, Z the Zeeman term, D the singlet pairing), so that
sum_R h(R) e^{i k.R} = H_BdG(k) (checked when the strip is built), plus V_j on the impurity sites.  Its
Green's function on the impurity sites is the T-matrix's G0_chain up to the finite width: the sub-gap
energies, the gap and the invariant converge to those of :class:`~isingsc.impurities.chain.MagneticChain`
as W grows (exponentially, on the bound states' decay length), which :func:`converged_strip` checks.

Invariants of the strip: class D, nu from sign Pf A(0) Pf A(pi) in the Majorana basis (pfapack); class BDI,
the winding of det A(q) = U_+^dagger H(q) U_- with a *site-local* chiral operator S_loc (the same on every
site) found as the null space of S X + X S = 0 over every real-space block X, its sign aligned with the
chain's operator.  Dense diagonalisation with NumPy (a strip of P W sites, P = M s).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import optimize

from isingsc.core.errors import ModelCapabilityError, ParameterError, check_positive_int
from isingsc.core.results import finalize
from isingsc.correlations.wire import z2_index
from isingsc.impurities.chain import (
    ENERGY,
    GAP_RESOLUTION,
    MOMENTUM_UNITS,
    MagneticChain,
    _Attrs,
)
from isingsc.models.base import SIGMAX

#: Largest strip width (rows) and Hamiltonian dimension.
MAX_WIDTH = 2000
MAX_DIM = 2400


class ChainStrip:
    """The strip of ``width`` rows around ``chain`` (module docstring).

    chain : a :class:`~isingsc.impurities.chain.MagneticChain` (its host model needs real-space hoppings);
    width : rows W across the chain (the impurities sit on row W // 2).
    """

    def __init__(self, chain: MagneticChain, width: int):
        self.width = check_positive_int("width", width, 3)
        if self.width > MAX_WIDTH:
            raise ParameterError("width", width, f"3 <= W <= {MAX_WIDTH}")
        self.chain = chain
        host = chain.host
        model = host.model
        if not hasattr(model, "hoppings"):
            raise ModelCapabilityError(host.resolved.name, "strip of host lattice",
                                       "it has no real-space hoppings")
        self.nd = int(model.nambu_dim)
        self.period = chain.cell * chain.spacing
        self.dim = self.period * self.width * self.nd
        if self.dim > MAX_DIM:
            raise ParameterError("width", width, f"W <= {MAX_DIM // (self.period * self.nd)} for this chain "
                                 f"({self.period} sites per period, {self.nd} Nambu states per site)")
        self.blocks = _real_space_blocks(model, host.delta, host.field)
        self.onsite = {}
        row = self.width // 2
        for j in range(chain.cell):
            block = self.blocks[(0, 0)].copy()
            n = chain.n
            idx = host.indices
            block[np.ix_(idx, idx)] += chain.V[j * n:(j + 1) * n, j * n:(j + 1) * n]
            self.onsite[(j * chain.spacing, row)] = block
        self._phased = self._assemble()

    def _site(self, n: int, row: int) -> int:
        return row * self.period + n

    def _assemble(self) -> dict[int, np.ndarray]:
        """{c: H_c} with H(q) = sum_c e^{-i q c} H_c (c the cell the target site falls into)."""
        d1, d2 = self.chain.direction
        e, f = self.chain.complement
        out: dict[int, np.ndarray] = {}
        nd = self.nd
        for (r1, r2), h in self.blocks.items():
            alpha, beta = f * r1 - e * r2, -d2 * r1 + d1 * r2  # R = alpha d + beta d'
            for row in range(self.width):
                target_row = row + beta
                if not 0 <= target_row < self.width:
                    continue
                for n in range(self.period):
                    full = n + alpha
                    cell, m = divmod(full, self.period)
                    block = h
                    if (r1, r2) == (0, 0) and (n, row) in self.onsite:
                        block = self.onsite[(n, row)]
                    mat = out.setdefault(int(cell), np.zeros((self.dim, self.dim), dtype=complex))
                    a, b = self._site(m, target_row), self._site(n, row)
                    mat[a * nd:(a + 1) * nd, b * nd:(b + 1) * nd] += block
        return out

    def hamiltonian(self, q: float) -> np.ndarray:
        """H(q) of the strip, (dim, dim) |t| (Hermitian)."""
        h = sum(np.exp(-1j * q * c) * m for c, m in self._phased.items())
        return 0.5 * (h + h.conj().T)

    def energies(self, q: float) -> np.ndarray:
        return np.linalg.eigvalsh(self.hamiltonian(q))

    def subgap(self, q: float, window: float | None = None) -> np.ndarray:
        """Eigenvalues of H(q) with |E| < window (default the chain's e_max), ascending (|t|)."""
        window = self.chain.e_max if window is None else window
        e = self.energies(q)
        return e[np.abs(e) < window]

    def lowest(self, q: float) -> float:
        return float(np.min(np.abs(self.energies(q))))

    def gap(self, n_q: int = 64) -> float:
        """min_q min |E(q)| (|t|): sampled on n_q momenta, refined by Brent's method around the smallest."""
        q = 2 * np.pi * np.arange(n_q) / n_q
        low = np.array([self.lowest(x) for x in q])
        i = int(np.argmin(low))
        step = 2 * np.pi / n_q
        r = optimize.minimize_scalar(self.lowest, bounds=(q[i] - step, q[i] + step), method="bounded",
                                     options={"xatol": 1e-12})
        return float(min(low[i], r.fun))

    # ------------------------------------------------------------------ invariants
    def pfaffian_sign(self) -> int:
        """sign Pf A(0) Pf A(pi) of the strip in the Majorana basis (site by site [particles, holes])."""
        return z2_index(self.hamiltonian(0.0), self.hamiltonian(np.pi), half=self.nd // 2)

    def chiral_operator(self) -> np.ndarray | None:
        """Site-local S_loc (nd x nd), S X + X S = 0 for every real-space block X, S^2 = 1; None if none.
        Its sign follows the chain's chiral operator on the impurity orbitals (else sigma_x tau_y)."""
        mats = list(self.blocks.values()) + list(self.onsite.values())
        s_loc = _local_chiral(mats, self.nd)
        if s_loc is None:
            return None
        ref = self.chain.symmetry().chiral
        idx = self.chain.host.indices
        if ref is not None:
            ov = np.real(np.vdot(ref[:len(idx), :len(idx)], s_loc[np.ix_(idx, idx)]))
        else:
            ov = np.real(np.vdot(np.kron(np.array([[0, -1j], [1j, 0]]), np.kron(np.eye(self.nd // 4), SIGMAX)), s_loc))
        return s_loc if ov >= 0 else -s_loc

    def winding(self, s_loc: np.ndarray, n_start: int = 32, max_points: int = 8192) -> int:
        """W = (1 / 2 pi) int_0^{2 pi} dq Im tr[A(q)^-1 dA/dq], A = U_+^dagger H(q) U_- with S = 1 (x) S_loc.

        The integrand is smooth and periodic on a gapped strip, so the trapezoid rule converges exponentially:
        the number of momenta is doubled until two results agree to 1e-3 (then W is the nearest integer)."""
        from isingsc.core.errors import ConvergenceError

        e, u = np.linalg.eigh(s_loc)
        sites = self.period * self.width
        up = np.kron(np.eye(sites), u[:, e > 0])
        um = np.kron(np.eye(sites), u[:, e < 0])

        def integrand(q):
            h = sum(np.exp(-1j * q * c) * m for c, m in self._phased.items())
            dh = sum(-1j * c * np.exp(-1j * q * c) * m for c, m in self._phased.items())
            a = up.conj().T @ h @ um
            da = up.conj().T @ dh @ um
            return float(np.imag(np.trace(np.linalg.solve(a, da))))

        n = n_start
        values = {}
        previous = None
        while n <= max_points:
            qs = 2 * np.pi * np.arange(n) / n
            for q in qs:
                key = round(float(q), 14)
                if key not in values:
                    values[key] = integrand(q)
            w = float(np.mean([values[round(float(q), 14)] for q in qs]))  # (1/2pi) * (2pi/n) * sum
            if previous is not None and abs(w - previous) < 1e-3 and abs(w - round(w)) < 1e-2:
                return round(w)
            previous, n = w, 2 * n
        raise ConvergenceError(f"strip winding not converged with {max_points} momenta (last {previous:.4g})",
                               quantity="winding")

    def invariant(self, n_q: int = 64) -> dict:
        """{gap, symmetry_class, invariant, pfaffian_sign} of the strip; invariant None when gapless."""
        gap = self.gap(n_q)
        s_loc = self.chiral_operator()
        cls = "BDI" if s_loc is not None else "D"
        if gap < GAP_RESOLUTION:
            return {"gap": gap, "symmetry_class": cls, "invariant": None, "pfaffian_sign": None}
        sign = self.pfaffian_sign()
        value = self.winding(s_loc) if s_loc is not None else (0 if sign > 0 else 1)
        return {"gap": gap, "symmetry_class": cls, "invariant": int(value), "pfaffian_sign": sign}


def _real_space_blocks(model, delta: float, field) -> dict[tuple[int, int], np.ndarray]:
    """h(R) = <R2 + R|H_BdG|R2> for every hopping offset R of the model (Nambu: [particles, holes])."""
    dim = model.dim
    z = model.zeeman_matrix(field)
    pair = model.pairing_matrix(delta)
    out = {}
    for off, t in model.hoppings.items():
        normal = np.asarray(t, dtype=complex) + (z if off == (0, 0) else 0.0)
        h = np.zeros((2 * dim, 2 * dim), dtype=complex)
        h[:dim, :dim], h[dim:, dim:] = normal, -normal.conj()
        if off == (0, 0):
            h[:dim, dim:], h[dim:, :dim] = pair, pair.conj().T
        out[off] = h
    if (0, 0) not in out:
        h = np.zeros((2 * dim, 2 * dim), dtype=complex)
        h[:dim, :dim], h[dim:, dim:] = z, -z.conj()
        h[:dim, dim:], h[dim:, :dim] = pair, pair.conj().T
        out[(0, 0)] = h
    # the strip is built from these blocks: they must reproduce the model's Bloch Hamiltonian
    k = np.random.default_rng(5).uniform(-4, 4, size=(5, 2))
    from isingsc.lattice.triangular import LATTICE

    offs = np.array(list(out)) @ LATTICE.primitive
    bloch = np.einsum("kr,rab->kab", np.exp(1j * k @ offs.T), np.array(list(out.values())))
    ref = model.bdg_hamiltonian(k, delta, field)
    if not np.allclose(bloch, ref, atol=1e-10 * max(1.0, float(np.abs(ref).max()))):
        raise ModelCapabilityError(getattr(model, "name", "model"), "strip of host lattice",
                                   "its hoppings do not reproduce its Bloch Hamiltonian")
    return out


def _local_chiral(mats, nd: int, tol: float = 1e-9) -> np.ndarray | None:
    """Hermitian S (nd x nd), S X + X S = 0 for all X, S^2 = 1 and (S tau_x)(S tau_x)^* = +1; else None."""
    eye = np.eye(nd)
    scale = max(float(np.abs(m).max()) for m in mats)
    a = np.concatenate([np.kron(m.T / scale, eye) + np.kron(eye, m / scale) for m in mats])
    _, s, vh = np.linalg.svd(a)
    s = np.concatenate([s, np.zeros(vh.shape[0] - len(s))])
    null = [v.conj().reshape(nd, nd).T for v in vh[s < tol]]  # vec column-major
    basis = []
    for m in null:
        for c in (m + m.conj().T, 1j * (m - m.conj().T)):
            for b in basis:
                c = c - np.real(np.vdot(b, c)) * b
            if np.linalg.norm(c) > 1e-6:
                basis.append(c / np.linalg.norm(c))
    ux = np.kron(SIGMAX, np.eye(nd // 2))  # particle-hole: particles <-> holes, U_P = tau_x
    for cand in basis:
        sq = cand @ cand
        c = np.real(np.trace(sq)) / nd
        if c <= 0 or np.abs(sq - c * eye).max() > 1e-6 * c:
            continue
        op = cand / np.sqrt(c)
        if np.abs(op @ ux @ op.conj() @ ux - eye).max() < 1e-6:
            return op
    return None


def converged_strip(chain: MagneticChain, start: int = 16, step: int = 8, tol: float = 1e-6,
                    max_width: int = 200, n_q: int = 64) -> xr.Dataset:
    """Increase the strip width from ``start`` by ``step`` until the gap changes by less than ``tol`` (|t|) and
    the invariant is unchanged between two widths.  Returns gap, invariant, pfaffian_sign per width (dim
    ``width``) with attrs symmetry_class, converged_width; ConvergenceError if max_width is reached."""
    from isingsc.core.errors import ConvergenceError

    widths, gaps, invs, signs = [], [], [], []
    width = start
    cls = "D"
    while width <= max_width:
        res = ChainStrip(chain, width).invariant(n_q)
        cls = res["symmetry_class"]
        widths.append(width)
        gaps.append(res["gap"])
        invs.append(np.nan if res["invariant"] is None else res["invariant"])
        signs.append(np.nan if res["pfaffian_sign"] is None else res["pfaffian_sign"])
        if len(widths) > 1 and abs(gaps[-1] - gaps[-2]) < tol and invs[-1] == invs[-2]:
            break
        width += step
    else:
        raise ConvergenceError(f"strip gap not converged to {tol:g} |t| up to width {max_width}: last change "
                               f"{abs(gaps[-1] - gaps[-2]):.3g}", quantity="strip gap", requested=tol)
    ds = xr.Dataset({"gap": ("width", np.asarray(gaps), {"units": ENERGY}),
                     "invariant": ("width", np.asarray(invs, dtype=float), {"units": "1",
                                                                           "note": "NaN where gapless"}),
                     "pfaffian_sign": ("width", np.asarray(signs, dtype=float), {"units": "1"})},
                    coords={"width": ("width", np.asarray(widths), {"units": "rows of the lattice across the chain"})})
    return finalize(ds, model=_Attrs(chain.describe()), symmetry_class=cls, converged_width=widths[-1],
                    gap_tolerance=tol, momentum_units=MOMENTUM_UNITS)


__all__ = ["ChainStrip", "converged_strip"]
