"""Brillouin-zone quadratures that resolve the Fermi surfaces at a given energy scale.

Superconducting BZ averages <F(k)> have structure on the coherence scale
|k - k_F| ~ Delta / v_F, which for Delta0 ~ 0.02 |t| would need uniform meshes of
millions of points.  :func:`ray_quadrature` instead integrates the irreducible
wedge Γ-K-M (1/12 of the zone) in polar coordinates around Γ,

    <F> = (12 / A_BZ) int_0^{pi/6} d theta  int_0^{r_max(theta)} r dr  F(r, theta),

with Gauss-Legendre panels in r graded geometrically around every Fermi
crossing of the ray (innermost half-width ``energy_scale / v_F``) and
Gauss-Legendre panels in theta split where a Fermi surface meets the zone
edge (the integrand's kinks).  It is exact for any function that is invariant
under the D6 group acting on the spectrum, which holds for every model here with
an in-plane field (see :mod:`isingsc.lattice.triangular`).  Convergence is checked by the
callers by refining (``refine``) and comparing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from isingsc.core.errors import ParameterError, check_positive_int, check_range
from isingsc.lattice.triangular import LATTICE, KMesh

WEDGE_ANGLE = np.pi / 6
R_EDGE = 2 * np.pi / np.sqrt(3)  # distance Γ-M; the K-M edge is k.n_30deg = R_EDGE


def r_max(theta):
    """Distance from Γ to the K-M zone edge along the ray at angle theta in [0, pi/6]."""
    return R_EDGE / np.cos(WEDGE_ANGLE - np.asarray(theta))


def _ray_points(theta, r):
    return np.stack([r * np.cos(theta), r * np.sin(theta)], axis=-1)


@dataclass(frozen=True)
class QuadratureSpec:
    """Resolution of a :func:`ray_quadrature`.

    energy_scale : smallest energy to resolve (|t|), e.g. min(Delta0, T_min) / 2.
    n_theta : Gauss nodes per angular panel.  order : Gauss nodes per radial panel.
    growth : ratio of successive radial panel widths away from a crossing.
    """

    energy_scale: float = 0.005
    n_theta: int = 12
    order: int = 8
    growth: float = 2.0

    def refined(self) -> "QuadratureSpec":
        """A finer spec for convergence checks: half the innermost panel width, 1.5x the
        angular nodes, two more radial nodes per panel, slower panel growth (~2.7x the points)."""
        return QuadratureSpec(self.energy_scale / 2, self.n_theta + (self.n_theta + 1) // 2, self.order + 2,
                              1.0 + (self.growth - 1.0) / 1.5)

    def describe(self) -> str:
        return (f"ray quadrature (energy_scale={self.energy_scale:.3g} |t|, n_theta={self.n_theta}/panel, "
                f"order={self.order}, growth={self.growth:.3g})")


def _crossing_count(energy_fn, theta: float, n_samples: int = 300) -> int:
    """Number of distinct zero crossings along a ray (linear interpolation; degenerate bands count once)."""
    rm = float(r_max(theta))
    r = np.linspace(rm * 1e-6, rm, n_samples)
    e = energy_fn(_ray_points(theta, r))
    radii = []
    for band in range(e.shape[1]):
        i = np.flatnonzero(np.sign(e[:-1, band]) * np.sign(e[1:, band]) < 0)
        radii.extend(r[i] - e[i, band] * (r[i + 1] - r[i]) / (e[i + 1, band] - e[i, band]))
    radii = np.sort(radii)
    return int(np.sum(np.diff(radii) > 1e-7 * rm) + 1) if len(radii) else 0


def _zero_crossings(energy_fn, theta: float, n_samples: int = 600):
    """Radii where a band of the normal state crosses zero along one ray, with |dE/dr|."""
    rm = float(r_max(theta))
    r = np.linspace(rm * 1e-6, rm, n_samples)
    e = energy_fn(_ray_points(theta, r))  # (n_samples, n_bands), sorted per point
    out = []
    for band in range(e.shape[1]):
        s = np.sign(e[:, band])
        for i in np.flatnonzero(s[:-1] * s[1:] < 0):
            f = lambda x, b=band: energy_fn(_ray_points(theta, np.array([x])))[0, b]
            rc = brentq(f, r[i], r[i + 1], xtol=1e-13)
            h = 1e-6 * rm
            lo, hi = max(rc - h, 0.0), min(rc + h, rm)
            slope = abs(f(hi) - f(lo)) / (hi - lo)
            out.append((rc, slope))
    out.sort()
    merged = []
    for rc, v in out:  # a Nambu spectrum lists each crossing twice (+E and -E)
        if merged and abs(rc - merged[-1][0]) < 1e-9 * rm:
            continue
        merged.append((rc, v))
    return merged


def radial_breakpoints(crossings, rm: float, spec: QuadratureSpec) -> np.ndarray:
    """Radial panel ends on [0, rm]: around each Fermi crossing (r_c, v_F) panels of half-width
    energy_scale / v_F growing geometrically by ``spec.growth`` (used by every ray quadrature)."""
    pts = {0.0, rm}
    for rc, v in crossings:
        w = min(spec.energy_scale / max(v, 1e-12), rm / 8)
        step = w
        while step < rm:
            for p in (rc - step, rc + step):
                if 0.0 < p < rm:
                    pts.add(p)
            step *= spec.growth
        pts.add(rc)
    pts = np.array(sorted(pts))
    # drop slivers (two crossings closer than the innermost width) to keep panels well-shaped
    keep = np.concatenate([[True], np.diff(pts) > 1e-12 * rm])
    return pts[keep]


def _theta_breakpoints(energy_fn, n_scan: int = 96):
    """Angles where the number of Fermi crossings along a ray changes (kinks of the angular integrand)."""
    count = lambda th: _crossing_count(energy_fn, th)  # noqa: E731
    thetas = np.linspace(0.0, WEDGE_ANGLE, n_scan + 1)
    counts = [count(t) for t in thetas]
    out = [0.0]
    for i in range(n_scan):
        # (the spin-degenerate Γ-M line itself changes the count at theta = pi/6: not a kink)
        if counts[i] != counts[i + 1] and i + 1 < n_scan:
            lo, hi, c_lo = thetas[i], thetas[i + 1], counts[i]
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                if count(mid) == c_lo:
                    lo = mid
                else:
                    hi = mid
            out.append(0.5 * (lo + hi))
    out.append(WEDGE_ANGLE)
    return np.array(out)


def ray_quadrature(energy_fn, spec: QuadratureSpec = QuadratureSpec()) -> KMesh:
    """Wedge quadrature resolving the zero-energy crossings of ``energy_fn``.

    ``energy_fn(k)`` returns sorted normal-state (or Delta = 0 Nambu) energies
    of shape (n, n_bands) for k of shape (n, 2).  Returns a :class:`KMesh`
    whose weights sum to 1 (BZ average) with group ``"D6-rays"``.
    """
    check_range("energy_scale", spec.energy_scale, lo=0.0, lo_open=True)
    check_positive_int("n_theta", spec.n_theta, 2)
    check_positive_int("order", spec.order, 2)
    if not spec.growth > 1.0:
        raise ParameterError("growth", spec.growth, "growth > 1")
    t_nodes, t_w = np.polynomial.legendre.leggauss(spec.n_theta)
    r_nodes, r_w = np.polynomial.legendre.leggauss(spec.order)
    tb = _theta_breakpoints(energy_fn)
    ks, ws = [], []
    for a, b in zip(tb[:-1], tb[1:]):
        thetas = 0.5 * (b - a) * t_nodes + 0.5 * (a + b)
        wth = 0.5 * (b - a) * t_w
        for th, wt in zip(thetas, wth):
            rm = float(r_max(th))
            bp = radial_breakpoints(_zero_crossings(energy_fn, th), rm, spec)
            lo, hi = bp[:-1, None], bp[1:, None]
            r = (0.5 * (hi - lo) * r_nodes + 0.5 * (hi + lo)).ravel()
            wr = (0.5 * (hi - lo) * r_w).ravel()
            ks.append(_ray_points(th, r))
            ws.append(wt * wr * r)
    k = np.concatenate(ks)
    w = np.concatenate(ws) * 12.0 / LATTICE.bz_area
    return KMesh(k=k, weights=w, n=len(w), group="D6-rays")


def normal_state_energy_fn(model):
    """Sorted zero-field normal-state energies of a Nambu ``model`` as a function of k.

    The particle block of H_BdG at Delta = 0 is the normal-state Hamiltonian
    (for the static effective model too).  The full Nambu spectrum would not do:
    sorted, its +-E pairs touch zero at a crossing without changing sign.
    """
    def energies(k):
        h = model.bdg_hamiltonian(k, 0.0, 0.0)
        n = h.shape[-1] // 2
        return np.linalg.eigvalsh(h[..., :n, :n])
    return energies
