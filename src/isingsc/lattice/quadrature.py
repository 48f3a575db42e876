"""Brillouin-zone quadratures that resolve the Fermi surfaces at a given energy scale.

Superconducting BZ averages <F(k)> have structure on the coherence scale |k - k_F| ~ Delta / v_F
(and, at temperature T, on the thermal scale T / v_F), which for Delta0 ~ 0.02 |t| would need
uniform meshes of millions of points.  Instead the zone is integrated in polar coordinates:

* :func:`ray_quadrature` -- the irreducible wedge Gamma-K-M (1/12 of the zone) from Gamma,

      <F> = (12 / A_BZ) int_0^{pi/6} d theta  int_0^{r_max(theta)} r dr  F(r, theta),

  Gauss-Legendre panels in r graded geometrically around every zero crossing of the bands
  supplied (innermost half-width ``energy_scale / v_F``) and Gauss-Legendre panels in theta split
  where the number of crossings on a ray changes (where a Fermi surface meets the zone edge).
  Exact for functions with the D6 symmetry of the spectrum.
* :func:`zone_quadrature` -- images g(wedge) of the wedge covering half the zone (exact for any
  model with on-site singlet pairing, whose thermodynamics is even under k -> -k) or the whole
  zone, and optionally disks around the zone corners K, K' (:func:`k_disk_quadrature`, rays from
  K) glued to the Gamma rays by a smooth partition of unity: pockets around K are then integrated
  in their natural polar coordinates instead of by grazing Gamma rays.

The ``energy_fn(k)`` passed in returns band energies of shape (n, n_bands) (sorted per k); its
zero crossings place the panels.  Which bands and fields go into it, and which zone and disks a
model needs, is decided by :func:`isingsc.meanfield.quadrature.quadrature_for`.  Convergence is
checked by the callers by refining (:meth:`QuadratureSpec.refined`) and comparing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isingsc.core.errors import ParameterError, check_positive_int, check_range
from isingsc.lattice.triangular import LATTICE, KMesh, point_group_matrices

WEDGE_ANGLE = np.pi / 6
R_EDGE = 2 * np.pi / np.sqrt(3)  # distance Gamma-M; the K-M edge is k.n_30deg = R_EDGE
#: The zone corner K = (4 pi / 3, 0).
K_POINT = np.array([4 * np.pi / 3, 0.0])
#: Half the K-K' distance along the zone edge: disks of smaller radius around the six corners do not overlap.
K_DISK_LIMIT = 2 * np.pi / 3
_CORNERS = 4 * np.pi / 3 * np.stack([np.cos(np.arange(6) * np.pi / 3), np.sin(np.arange(6) * np.pi / 3)], -1)


def r_max(theta):
    """Distance from Gamma to the K-M zone edge along the ray at angle theta in [0, pi/6]."""
    return R_EDGE / np.cos(WEDGE_ANGLE - np.asarray(theta))


def zone_edge_distance(theta):
    """Distance from Gamma to the hexagonal zone boundary along the ray at any angle theta (rad)."""
    rel = np.mod(np.asarray(theta, dtype=float), np.pi / 3)
    return R_EDGE / np.cos(rel - WEDGE_ANGLE)


def ray_points(theta, r):
    """Points r (cos theta, sin theta), shape r.shape + (2,)."""
    return np.stack([r * np.cos(theta), r * np.sin(theta)], axis=-1)


def corner_distance(k) -> np.ndarray:
    """Distance from k (n, 2) (inside the first zone) to the nearest zone corner (K or K' images), 1/a."""
    return np.min(np.linalg.norm(np.asarray(k)[:, None, :] - _CORNERS[None], axis=-1), axis=1)


@dataclass(frozen=True)
class QuadratureSpec:
    """Resolution of a ray quadrature.

    energy_scale : smallest energy to resolve (|t|), e.g. min(Delta0, T_min) / 2.
    n_theta : Gauss nodes per angular panel.  order : Gauss nodes per radial panel.
    growth : ratio of successive radial panel widths away from a crossing.
    """

    energy_scale: float = 0.005
    n_theta: int = 12
    order: int = 8
    growth: float = 2.0

    def __post_init__(self):
        check_range("energy_scale", self.energy_scale, lo=0.0, lo_open=True)
        check_positive_int("n_theta", self.n_theta, 2)
        check_positive_int("order", self.order, 2)
        if not self.growth > 1.0:
            raise ParameterError("growth", self.growth, "growth > 1")

    def refined(self) -> "QuadratureSpec":
        """A finer spec for convergence checks: half the innermost panel width, 1.5x the
        angular nodes, two more radial nodes per panel, slower panel growth (~2.7x the points)."""
        return QuadratureSpec(self.energy_scale / 2, self.n_theta + (self.n_theta + 1) // 2, self.order + 2,
                              1.0 + (self.growth - 1.0) / 1.5)

    def describe(self) -> str:
        return (f"ray quadrature (energy_scale={self.energy_scale:.3g} |t|, n_theta={self.n_theta}/panel, "
                f"order={self.order}, growth={self.growth:.3g})")


# ------------------------------------------------------------------ zero crossings on rays
#: Band extrema along a ray closer than this to zero energy (|t|) get their own radial panels.
EXTREMUM_ENERGY = 0.5
#: A sign change of a band with |E| above this (|t|) at 1e-6 of the ray length from it is a pole, not a crossing.
POLE_ENERGY = 1.0
#: Kinks whose crossing has radial x tangential velocity below this ((|t| a)^2) get graded angular panels.
KINK_VELOCITY_PRODUCT = 1.0


def ray_features(energy_fn, centres, directions, r_ends, *, energy_scale: float | None = None,
                 n_samples: int = 600) -> tuple[list, list]:
    """Zero crossings and near-zero band extrema along each ray centre + r direction, 0 <= r <= r_end.

    All rays are sampled in one batch, sign changes of each (sorted) band located, then refined
    together by bisection to 1e-13 of the ray length; |dE/dr| by a central difference.  Crossings
    closer than 1e-9 of the ray length (degenerate bands, or the same crossing listed twice) are
    merged; a sign change through a pole (|E| -> infinity, a downfolded model's self-energy) is not a
    crossing.  Returns (crossings, extrema), one sorted list of (radius, |dE/dr|) per ray each.

    With ``energy_scale``: also the local minima of |E_n(r)| below :data:`EXTREMUM_ENERGY` where the
    band does not change sign (a Fermi surface the ray passes close to, a band edge or saddle point just
    off the Fermi level, also at the ends of the ray).  Every integrand of the solvers varies there on
    the length over which |E| rises from its minimum E_m to 2 E_m + energy_scale (a parabola through the
    samples): such an extremum is listed as (radius, v) with energy_scale / v half that length, so that
    the panels placed around crossings resolve it too.  Poles are listed there as well, as panel ends
    with panels of 1/64 of the ray length next to them (the integrands are continuous with a kink there).
    """
    centres = np.broadcast_to(np.asarray(centres, dtype=float), (len(r_ends), 2))
    directions = np.asarray(directions, dtype=float)
    r_ends = np.asarray(r_ends, dtype=float)
    n_rays = len(r_ends)
    out: list[list[tuple[float, float]]] = [[] for _ in range(n_rays)]
    extrema: list[list[tuple[float, float]]] = [[] for _ in range(n_rays)]
    if n_rays == 0:
        return out, extrema
    t = np.linspace(1e-6, 1.0, n_samples)
    r = r_ends[:, None] * t[None, :]  # (n_rays, n_samples)
    pts = centres[:, None, :] + r[..., None] * directions[:, None, :]
    e = energy_fn(pts.reshape(-1, 2)).reshape(n_rays, n_samples, -1)
    s = np.sign(e)
    if energy_scale is not None:
        _extrema(e, s, r, energy_scale, extrema)
    ray, i, band = np.nonzero(s[:, :-1, :] * s[:, 1:, :] < 0)
    if len(ray) == 0:
        return out, extrema
    lo, hi = r[ray, i].copy(), r[ray, i + 1].copy()
    s_lo = s[ray, i, band]
    f_lo, f_hi = e[ray, i, band].copy(), e[ray, i + 1, band].copy()

    def values(radii, which=None):
        which = np.arange(len(radii)) if which is None else which
        p = centres[ray[which]] + radii[:, None] * directions[ray[which]]
        return energy_fn(p)[np.arange(len(radii)), band[which]]

    # the bracket of each crossing shrunk to 1e-13 of the ray length by the Illinois variant of false position
    # (superlinear; about 10 evaluations instead of bisection's 45), bisecting where a step leaves the bracket
    tol = 1e-13 * r_ends[ray]
    kept = np.zeros(len(lo), dtype=int)  # the end kept on the last step: -1 lo, +1 hi
    for _ in range(200):
        act = np.flatnonzero(hi - lo > tol)
        if act.size == 0:
            break
        a, b, fa, fb = lo[act], hi[act], f_lo[act], f_hi[act]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (a * fb - b * fa) / (fb - fa)
        x = np.where(np.isfinite(x) & (x > a) & (x < b), x, 0.5 * (a + b))
        x = np.minimum(np.maximum(x, a + 0.25 * tol[act]), b - 0.25 * tol[act])  # the bracket keeps shrinking
        fx = values(x, act)
        same = np.sign(fx) == s_lo[act]  # x on the lo side: lo moves, hi is kept
        k = kept[act]
        lo[act], hi[act] = np.where(same, x, a), np.where(same, b, x)
        # Illinois: an end kept twice in a row has its value halved, so that the next step crosses over
        f_lo[act] = np.where(same, fx, np.where(k == -1, 0.5 * fa, fa))
        f_hi[act] = np.where(same, np.where(k == 1, 0.5 * fb, fb), fx)
        kept[act] = np.where(same, 1, -1)
    rc = 0.5 * (lo + hi)
    h = 1e-6 * r_ends[ray]
    a, b = np.maximum(rc - h, 0.0), np.minimum(rc + h, r_ends[ray])
    e_a, e_b = values(a), values(b)
    slope = np.abs(e_b - e_a) / (b - a)
    # a sign change through infinity (a pole of a downfolded model's self-energy) is no Fermi crossing:
    # |E| within 1e-6 of the ray length of a true crossing is ~ v_F x 1e-6 (< POLE_ENERGY for any v_F < 1e5)
    pole = np.minimum(np.abs(e_a), np.abs(e_b)) > POLE_ENERGY
    order = np.lexsort((rc, ray))
    for j in order:
        if pole[j]:  # the integrands are continuous there with a kink: a panel end, no grading
            if energy_scale is not None:
                extrema[ray[j]].append((float(rc[j]), float(64 * energy_scale / r_ends[ray[j]])))
            continue
        lst = out[ray[j]]
        if lst and abs(rc[j] - lst[-1][0]) < 1e-9 * r_ends[ray[j]]:
            continue
        lst.append((float(rc[j]), float(slope[j])))
    for lst in extrema:
        lst.sort()
    return out, extrema


def _extrema(e, s, r, energy_scale: float, extrema: list) -> None:
    """Fill ``extrema`` (one list per ray) with the near-zero minima of |E| of the samples e (ray, sample, band)."""
    a = np.abs(e)
    n = a.shape[1]
    if n < 3:
        return
    dr = (r[:, 1] - r[:, 0])[:, None]
    same = (s[:, :-2] == s[:, 1:-1]) & (s[:, 1:-1] == s[:, 2:])  # no sign change around the sample
    curv = (a[:, :-2] - 2 * a[:, 1:-1] + a[:, 2:]) / dr[..., None] ** 2  # d2|E|/dr2 at samples 1 .. n-2
    low = a < EXTREMUM_ENERGY
    inner = same & low[:, 1:-1] & (a[:, 1:-1] <= a[:, :-2]) & (a[:, 1:-1] < a[:, 2:])
    start = same[:, 0] & low[:, 0] & (a[:, 0] < a[:, 1])
    end = same[:, -1] & low[:, -1] & (a[:, -1] < a[:, -2])
    for ray, idx, band in zip(*np.nonzero(inner)):
        _add_extremum(extrema[ray], r[ray, idx + 1], a[ray, idx + 1, band], curv[ray, idx, band], None, energy_scale)
    for ray, band in zip(*np.nonzero(start)):
        slope = (a[ray, 1, band] - a[ray, 0, band]) / dr[ray, 0]
        _add_extremum(extrema[ray], r[ray, 0], a[ray, 0, band], curv[ray, 0, band], slope, energy_scale)
    for ray, band in zip(*np.nonzero(end)):
        slope = (a[ray, -2, band] - a[ray, -1, band]) / dr[ray, 0]
        _add_extremum(extrema[ray], r[ray, -1], a[ray, -1, band], curv[ray, -1, band], slope, energy_scale)
    for lst in extrema:
        lst.sort()


def _add_extremum(lst, radius, e_min, curvature, slope, energy_scale):
    rise = e_min + energy_scale  # |E| rises by this over the feature's length
    lengths = []
    if curvature > 0:
        lengths.append(np.sqrt(2 * rise / curvature))
    if slope is not None and slope > 0:
        lengths.append(rise / slope)
    if lengths:
        lst.append((float(radius), float(energy_scale / (0.5 * min(lengths)))))


def crossings_on_rays(energy_fn, centres, directions, r_ends, n_samples: int = 600) -> list[list[tuple[float, float]]]:
    """Zero crossings (radius, |dE/dr|) of every band along each ray (the crossings of :func:`ray_features`)."""
    return ray_features(energy_fn, centres, directions, r_ends, n_samples=n_samples)[0]


def ray_crossings(energy_fn, centre, direction, r_end: float, n_samples: int = 400) -> list[tuple[float, float]]:
    """Zero crossings (radius, |dE/dr|) of every band along one ray centre + r direction, 0 < r < r_end."""
    return crossings_on_rays(energy_fn, np.asarray(centre, float)[None], np.asarray(direction, float)[None],
                             np.array([float(r_end)]), n_samples)[0]


def _wedge_rays(thetas):
    thetas = np.asarray(thetas, dtype=float)
    return np.zeros((len(thetas), 2)), np.stack([np.cos(thetas), np.sin(thetas)], -1), r_max(thetas)


def crossing_counts(energy_fn, thetas, n_samples: int = 300) -> np.ndarray:
    """Number of distinct zero crossings on each wedge ray at ``thetas`` (degenerate bands counted once)."""
    thetas = np.asarray(thetas, dtype=float)
    rm = r_max(thetas)
    r = rm[:, None] * np.linspace(1e-6, 1.0, n_samples)[None, :]
    e = energy_fn(ray_points(thetas[:, None], r).reshape(-1, 2)).reshape(len(thetas), n_samples, -1)
    counts = np.zeros(len(thetas), dtype=int)
    for j in range(len(thetas)):
        ej, rj = e[j], r[j]
        ii, bb = np.nonzero(np.sign(ej[:-1]) * np.sign(ej[1:]) < 0)
        if len(ii) == 0:
            continue
        radii = np.sort(rj[ii] - ej[ii, bb] * (rj[ii + 1] - rj[ii]) / (ej[ii + 1, bb] - ej[ii, bb]))
        counts[j] = int(np.sum(np.diff(radii) > 1e-7 * rm[j]) + 1)
    return counts


#: Bisections of a kink's bracket in :func:`theta_breakpoints`: (pi/6)/96 / 2^16 = 8e-8 rad.
KINK_BISECTIONS = 16


def theta_breakpoints(energy_fn, n_scan: int = 96) -> np.ndarray:
    """Angles in [0, pi/6] where the number of Fermi crossings along a wedge ray changes (the kinks of
    the angular integrand), located by batched bisection to 8e-8 rad (:data:`KINK_BISECTIONS`); with the
    wedge ends.  The kink's panel end is misplaced by at most that: against 3e-10 rad (24 bisections) the
    example sweep's Tc and Hc2 move by at most 3e-9 relative, six orders below the solvers' 0.5 %."""
    thetas = np.linspace(0.0, WEDGE_ANGLE, n_scan + 1)
    counts = crossing_counts(energy_fn, thetas)
    # (the spin-degenerate Gamma-M line itself changes the count at theta = pi/6: not a kink)
    idx = np.array([i for i in range(n_scan) if counts[i] != counts[i + 1] and i + 1 < n_scan], dtype=int)
    out = [0.0]
    if len(idx):
        lo, hi, c_lo = thetas[idx].copy(), thetas[idx + 1].copy(), counts[idx]
        for _ in range(KINK_BISECTIONS):
            mid = 0.5 * (lo + hi)
            same = crossing_counts(energy_fn, mid) == c_lo
            lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
        out.extend(0.5 * (lo + hi))
    out.append(WEDGE_ANGLE)
    return np.array(out)


def graded_kinks(energy_fn, kinks: np.ndarray, spec: QuadratureSpec, *, physical=None,
                 mirror_lines: bool = False) -> np.ndarray:
    """Angular panel ends ``kinks`` (from :func:`theta_breakpoints`, with the wedge ends) graded
    geometrically towards every interior kink where a Fermi crossing of ``physical`` (default
    ``energy_fn``) enters or leaves the ray; with ``mirror_lines`` also towards the wedge ends
    (:func:`graded_mirror_lines`).

    Such a kink is where a Fermi surface meets the zone edge (its crossing leaves through the end of the
    ray) or touches a ray tangentially.  There the ray integral, as a function of the angle, has a
    feature of width energy_scale / (|grad E| r) (the Fermi surface at radius r moves by r dtheta, its
    energy by |grad E| r dtheta): a near-singularity that the Gauss nodes of one panel cannot resolve.
    Panels of that width grow by ``spec.growth`` away from the kink (geometric grading, which converges
    exponentially for such endpoint behaviour).  The boundary layer's share of the ray integrals is
    ~ energy_scale / (v_r v_t r Delta-theta) (v_r, v_t: the crossing's radial and tangential velocity;
    its contribution to a ray ~ 1/v_r, the layer's width energy_scale / (r v_t)), so only kinks with
    v_r v_t < :data:`KINK_VELOCITY_PRODUCT` are graded (a Fermi surface that leaves through the zone edge
    near a saddle point, or grazes a ray); kinks of auxiliary "bands" (a cut-off's circles) and of poles
    are left alone.
    """
    physical = physical or energy_fn
    if mirror_lines:
        kinks = graded_mirror_lines(physical, kinks, spec)
    inner = kinks[1:-1]
    if not len(inner):
        return kinks
    n, eps = len(inner), 1e-7
    sides = np.concatenate([inner - eps, inner + eps])
    centres, dirs, rm = _wedge_rays(sides)
    crossings = crossings_on_rays(physical, centres, dirs, rm)
    pts = set(kinks.tolist())
    for i, kb in enumerate(inner):
        left, right = crossings[i], crossings[i + n]
        if len(left) == len(right):
            continue
        more, fewer, j = (left, right, i) if len(left) > len(right) else (right, left, i + n)
        # the crossing that is on one side only: the farthest from every crossing of the other side
        r_new, v_r = max(more, key=lambda c: min((abs(c[0] - q) for q, _ in fewer), default=np.inf))
        grad = _gradient_norm(physical, r_new * dirs[j])
        v_t = np.sqrt(max(grad * grad - v_r * v_r, 0.0))
        if v_r * v_t >= KINK_VELOCITY_PRODUCT:  # boundary layer ~ energy_scale / (v_r v_t): negligible
            continue
        speed = grad * r_new
        lo, hi = kinks[i], kinks[i + 2]  # the neighbouring panel ends
        width = min(kb - lo, hi - kb)
        step = min(spec.energy_scale / speed if speed > 0 else width, width / 4)
        while step < width:
            pts.update((kb - step, kb + step))
            step *= spec.growth
    return np.array(sorted(p for p in pts if kinks[0] <= p <= kinks[-1]))


#: Innermost angular panel at a graded mirror line, as a fraction of the neighbouring panel.
MIRROR_GRADING_FLOOR = 1.0 / 8.0


def graded_mirror_lines(energy_fn, ends: np.ndarray, spec: QuadratureSpec) -> np.ndarray:
    """Panel ends ``ends`` with panels graded geometrically (ratio ``spec.growth``) towards both wedge ends
    (the mirror lines Gamma-K and Gamma-M) where a Fermi crossing of ``energy_fn`` lies on them.

    Without a field the integrand is smooth across a mirror line (it is even about it).  A field in the
    plane breaks the mirror: on the Gamma-M line, where the Ising SOC vanishes, the spin-split Fermi
    surfaces of an Ising layer cross, and the integrand of a Green's function has a branch point there
    whose angular width is ~ energy_scale / (|grad E| r_F).  One Gauss panel on each side converges only
    algebraically; panels shrinking towards the line (innermost MIRROR_GRADING_FLOOR of the neighbouring
    panel, or that width, whichever is larger) restore fast convergence: the on-site Green's function of
    the Ising layer in an in-plane field (``HostGreensFunction``) goes from 2e-5 to 1e-13 relative error
    at the same number of points.
    """
    out = set(np.asarray(ends, dtype=float).tolist())
    for end, sign, neighbour in ((ends[0], 1.0, ends[1]), (ends[-1], -1.0, ends[-2])):
        centres, dirs, rm = _wedge_rays(np.array([end + sign * 1e-7]))
        crossings = crossings_on_rays(energy_fn, centres, dirs, rm)[0]
        if not crossings:
            continue
        speed = max(_gradient_norm(energy_fn, r * dirs[0]) * r for r, _ in crossings)
        width = abs(neighbour - end)
        step = min(max(spec.energy_scale / max(speed, 1e-300), MIRROR_GRADING_FLOOR * width), width / 4)
        while step < width:
            out.add(end + sign * step)
            step *= spec.growth
    return np.array(sorted(out))


def _gradient_norm(energy_fn, k: np.ndarray, h: float = 1e-6) -> float:
    """|grad E| (energy x length) of the band nearest zero energy at the point k (central differences)."""
    e0 = energy_fn(k[None])[0]
    band = int(np.argmin(np.abs(e0)))
    steps = np.array([[h, 0.0], [-h, 0.0], [0.0, h], [0.0, -h]])
    e = energy_fn(k[None] + steps)[:, band]
    return float(np.hypot(e[0] - e[1], e[2] - e[3]) / (2 * h))


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


def local_refinement(breakpoints: np.ndarray, crossings, rm: float, spec: QuadratureSpec) -> np.ndarray:
    """Panel ends ``breakpoints`` refined around further crossings (r_c, v): panels of half-width
    energy_scale / v growing by ``spec.growth``, added only while they are narrower than the panel of
    ``breakpoints`` they fall in (so the existing grading is kept away from the new crossing)."""
    pts = list(breakpoints)
    for rc, v in crossings:
        if not 0.0 < rc < rm:
            continue
        pts.append(rc)
        step = min(spec.energy_scale / max(v, 1e-12), rm / 8)
        for sign in (-1.0, 1.0):
            s = step
            while True:
                p = rc + sign * s
                if not 0.0 < p < rm:
                    break
                i = int(np.clip(np.searchsorted(breakpoints, p) - 1, 0, len(breakpoints) - 2))
                if s * (spec.growth - 1.0) >= breakpoints[i + 1] - breakpoints[i]:
                    break
                pts.append(p)
                s *= spec.growth
    pts = np.array(sorted(pts))
    return pts[np.concatenate([[True], np.diff(pts) > 1e-12 * rm])]


@dataclass(frozen=True)
class PolarQuadrature:
    """A Brillouin-zone quadrature on rays, kept as rays so that it can be re-panelled.

    Ray j starts at ``centres[j]``, runs along ``directions[j]`` to ``r_end[j]`` and carries the
    angular weight ``ray_weights[j]`` (Gauss or trapezoid weight x the share of the zone, so that
    sum_j ray_weights[j] int_0^{r_end} r dr f = <f>_BZ with the weights below); its radial panels
    end at ``breakpoints[j]`` (from the zero crossings of the bands it was built for, and fixed
    points such as a cut-off's circles).  ``cutoff`` = (r_inner, r_outer) when rays from the zone
    corners (``from_corner[j]``) carry chi(r) and the rays from Gamma 1 - chi(|k - K|).

    :meth:`mesh` gives the :class:`KMesh`; ``extra_bands`` adds panels (spec's grading) around the
    zero crossings of further bands, e.g. the Zeeman-split Fermi surfaces at the field being solved.
    """

    centres: np.ndarray
    directions: np.ndarray
    r_end: np.ndarray
    ray_weights: np.ndarray
    breakpoints: tuple
    spec: QuadratureSpec
    group: str
    from_corner: np.ndarray
    cutoff: tuple[float, float] | None = None
    n_crossings: np.ndarray | None = None  # zero crossings of the bands on each ray (panels also sit elsewhere)

    def crossings(self, energy_fn) -> list[list[tuple[float, float]]]:
        """Zero crossings (radius, |dE/dr|) of the bands of ``energy_fn`` on every ray."""
        return crossings_on_rays(energy_fn, self.centres, self.directions, self.r_end)

    def mesh(self, extra_bands=None, extra_crossings=None) -> KMesh:
        """The quadrature as a KMesh (weights sum to 1); with panels around the crossings of
        ``extra_bands`` (an energy function) or given ``extra_crossings`` (one list per ray)."""
        if extra_bands is not None:
            extra_crossings = self.crossings(extra_bands)
        r_nodes, r_w = np.polynomial.legendre.leggauss(self.spec.order)
        ks, ws = [], []
        for j in range(len(self.r_end)):
            bp = self.breakpoints[j]
            if extra_crossings is not None and extra_crossings[j]:
                bp = local_refinement(bp, extra_crossings[j], float(self.r_end[j]), self.spec)
            lo, hi = bp[:-1, None], bp[1:, None]
            r = (0.5 * (hi - lo) * r_nodes + 0.5 * (hi + lo)).ravel()
            w = (0.5 * (hi - lo) * r_w).ravel() * r * self.ray_weights[j]
            k = self.centres[j] + r[:, None] * self.directions[j]
            if self.cutoff is not None:
                chi = smooth_cutoff(r if self.from_corner[j] else corner_distance(k), *self.cutoff)
                w = w * (chi if self.from_corner[j] else 1.0 - chi)
            keep = w != 0.0
            ks.append(k[keep])
            ws.append(w[keep])
        k, w = np.concatenate(ks), np.concatenate(ws)
        return KMesh(k=k, weights=w, n=len(w), group=self.group)

    def panel_width_at(self, ray: int, r: float) -> float:
        """Width (1/a) of the radial panel of ray ``ray`` containing radius ``r``."""
        bp = self.breakpoints[ray]
        i = int(np.clip(np.searchsorted(bp, r) - 1, 0, len(bp) - 2))
        return float(bp[i + 1] - bp[i])


def _concat(parts: list[PolarQuadrature], spec, group, cutoff=None) -> PolarQuadrature:
    return PolarQuadrature(centres=np.concatenate([p.centres for p in parts]),
                           directions=np.concatenate([p.directions for p in parts]),
                           r_end=np.concatenate([p.r_end for p in parts]),
                           ray_weights=np.concatenate([p.ray_weights for p in parts]),
                           breakpoints=tuple(b for p in parts for b in p.breakpoints), spec=spec, group=group,
                           from_corner=np.concatenate([p.from_corner for p in parts]), cutoff=cutoff,
                           n_crossings=np.concatenate([p.n_crossings for p in parts]))


def wedge_rays(energy_fn, spec: QuadratureSpec = QuadratureSpec(), *, radial=None,
               angular_panels: int = 1, fixed_points=None, physical=None, grade_kinks: bool = True,
               mirror_lines: bool = False, kinks=None) -> PolarQuadrature:
    """Rays of the Gamma-K-M wedge resolving the zero-energy crossings of ``energy_fn``.

    ``energy_fn(k)`` returns sorted band energies of shape (n, n_bands) for k of shape (n, 2).
    ``radial(crossings, rm)`` gives a ray's radial panel ends (default :func:`radial_breakpoints`
    with ``spec``, fed the crossings and the near-zero extrema and poles of :func:`ray_features`; a
    custom rule gets the crossings only); each angular panel between the kinks of :func:`theta_breakpoints` is cut into
    ``angular_panels`` pieces of ``spec.n_theta`` Gauss nodes, graded towards the kinks where a Fermi
    surface meets the zone edge or touches a ray (:func:`graded_kinks`, unless ``grade_kinks`` is False;
    ``physical``: the bands whose kinks are graded, default ``energy_fn``; ``mirror_lines``: also towards
    the wedge ends, :func:`graded_mirror_lines`).  ``fixed_points(theta) ->
    radii`` adds panel ends that are not crossings.  Weights: (12 / A_BZ) x Gauss weights (BZ average).
    ``kinks``: :func:`theta_breakpoints` of ``energy_fn`` if already known (they do not depend on ``spec``).
    """
    default_radial = radial is None
    radial = radial or (lambda crossings, rm: radial_breakpoints(crossings, rm, spec))
    t_nodes, t_w = np.polynomial.legendre.leggauss(spec.n_theta)
    tb = theta_breakpoints(energy_fn) if kinks is None else np.asarray(kinks, dtype=float)
    if grade_kinks:
        tb = graded_kinks(energy_fn, tb, spec, physical=physical, mirror_lines=mirror_lines)
    if angular_panels > 1:
        tb = np.unique(np.concatenate([np.linspace(a, b, angular_panels + 1) for a, b in zip(tb[:-1], tb[1:])]))
    a, b = tb[:-1, None], tb[1:, None]
    thetas = (0.5 * (b - a) * t_nodes + 0.5 * (a + b)).ravel()
    wth = (0.5 * (b - a) * t_w).ravel()
    centres, directions, rm = _wedge_rays(thetas)
    crossings, extrema = ray_features(energy_fn, centres, directions, rm,
                                      energy_scale=spec.energy_scale if default_radial else None)
    bps = []
    for th, r_end, cross, near in zip(thetas, rm, crossings, extrema):
        bp = radial(sorted(cross + near), float(r_end))
        if fixed_points is not None:
            extra = np.asarray(fixed_points(th), dtype=float)
            bp = np.unique(np.concatenate([bp, extra[(extra > 0) & (extra < r_end)]]))
        bps.append(bp)
    return PolarQuadrature(centres=centres, directions=directions, r_end=rm,
                           ray_weights=wth * 12.0 / LATTICE.bz_area, breakpoints=tuple(bps), spec=spec,
                           group="D6-rays", from_corner=np.zeros(len(thetas), dtype=bool),
                           n_crossings=np.array([len(c) for c in crossings], dtype=int))


def ray_quadrature(energy_fn, spec: QuadratureSpec = QuadratureSpec(), *, radial=None,
                   angular_panels: int = 1) -> KMesh:
    """The Gamma-K-M wedge quadrature (:func:`wedge_rays`) as a :class:`KMesh` (group "D6-rays")."""
    return wedge_rays(energy_fn, spec, radial=radial, angular_panels=angular_panels).mesh()


def transformed(rays: PolarQuadrature, g: np.ndarray, share: float) -> PolarQuadrature:
    """The rays mapped by the point-group matrix g (k -> g k), their weights times ``share``."""
    return PolarQuadrature(centres=rays.centres @ g.T, directions=rays.directions @ g.T, r_end=rays.r_end,
                           ray_weights=rays.ray_weights * share, breakpoints=rays.breakpoints, spec=rays.spec,
                           group=rays.group, from_corner=rays.from_corner, cutoff=rays.cutoff,
                           n_crossings=rays.n_crossings)


# ------------------------------------------------------------------ half zone, K disks
def half_zone_operations() -> list[np.ndarray]:
    """Six D6 operations whose images of the wedge Gamma-K-M tile the half zone -90 deg <= angle < 90 deg."""
    centre = np.array([np.cos(np.pi / 12), np.sin(np.pi / 12)])  # direction inside the wedge (15 deg)
    ops = []
    for g in point_group_matrices("D6"):
        ang = np.degrees(np.arctan2(*(g @ centre)[::-1]))
        if -90.0 <= ang < 90.0:
            ops.append(g)
    assert len(ops) == 6
    return ops


def smooth_cutoff(r, r_inner: float, r_outer: float):
    """Smooth (C-infinity) cut-off: 1 for r <= r_inner, 0 for r >= r_outer."""
    x = np.clip((r_outer - np.asarray(r, dtype=float)) / (r_outer - r_inner), 0.0, 1.0)
    with np.errstate(divide="ignore", over="ignore"):
        h = lambda y: np.where(y > 0, np.exp(-1.0 / np.where(y > 0, y, 1.0)), 0.0)  # noqa: E731
        return h(x) / (h(x) + h(1.0 - x))


#: Rays per angular Gauss node (n_theta) on the K disks by default; Green's functions to 1e-10 need
#: :data:`CORNER_RAYS_PER_NODE_ALL`.
CORNER_RAYS_PER_NODE = 4
CORNER_RAYS_PER_NODE_ALL = 16


def corner_rays(energy_fn, spec: QuadratureSpec, r_inner: float, r_outer: float,
                n_phi: int | None = None) -> PolarQuadrature:
    """Rays from K over the disk |k - K| < r_outer, to be weighted by the smooth cut-off chi(|k - K|).

    n_phi equally spaced directions (default 4 x n_theta; the trapezoid rule is spectrally accurate for the
    periodic angular integrand, whose Fermi-surface structure the radial panels resolve: on the intrinsic
    layer with K pockets Hc2 agrees with 8 x n_theta rays to 2e-6), radial panels graded around every Fermi
    crossing of the ray and 8 panels across the cut-off's transition r_inner < r < r_outer.
    Weights: 2 pi / n_phi / A_BZ (one corner).
    """
    n_phi = n_phi or CORNER_RAYS_PER_NODE * spec.n_theta
    phis = 2 * np.pi * np.arange(n_phi) / n_phi
    dirs = np.stack([np.cos(phis), np.sin(phis)], -1)
    r_end = np.full(n_phi, float(r_outer))
    crossings, extrema = ray_features(energy_fn, K_POINT[None], dirs, r_end, energy_scale=spec.energy_scale,
                                      n_samples=400)
    bps = tuple(np.unique(np.concatenate([radial_breakpoints(sorted(c + x), r_outer, spec),
                                          np.linspace(r_inner, r_outer, 9)]))
                for c, x in zip(crossings, extrema))
    return PolarQuadrature(centres=np.tile(K_POINT, (n_phi, 1)), directions=dirs, r_end=r_end,
                           ray_weights=np.full(n_phi, 2 * np.pi / n_phi / LATTICE.bz_area), breakpoints=bps,
                           spec=spec, group="K-disk", from_corner=np.ones(n_phi, dtype=bool),
                           cutoff=(float(r_inner), float(r_outer)),
                           n_crossings=np.array([len(c) for c in crossings], dtype=int))


def k_pocket_radius(energy_fn, limit: float, n_dirs: int = 24) -> float | None:
    """Largest Fermi-crossing radius around K (over the crossings within ``limit``, e.g. both spin-split
    pockets) if every ray from K crosses a band within ``limit`` (pockets around K), else None."""
    phis = 2 * np.pi * np.arange(n_dirs) / n_dirs
    dirs = np.stack([np.cos(phis), np.sin(phis)], -1)
    crossings = crossings_on_rays(energy_fn, K_POINT[None], dirs, np.full(n_dirs, limit), n_samples=200)
    if any(not c for c in crossings):
        return None
    return max(c[-1][0] for c in crossings)


def disk_radii_for(energy_fn, pocket: float) -> tuple[float, float] | None:
    """(r_inner, r_outer) of the K disks around pockets of radius ``pocket``: between the pocket and
    the disk limit, with no Fermi crossing in the annulus (else None: plain Gamma rays instead)."""
    r_in, r_out = min(pocket + 0.5 * (K_DISK_LIMIT - pocket), 0.8 * K_DISK_LIMIT), 0.95 * K_DISK_LIMIT
    phis = 2 * np.pi * np.arange(48) / 48
    dirs = np.stack([np.cos(phis), np.sin(phis)], -1)
    for cross in crossings_on_rays(energy_fn, K_POINT[None], dirs, np.full(48, r_out), n_samples=300):
        if any(r_in <= rc <= r_out for rc, _ in cross):
            return None
    return r_in, r_out


#: What a zone quadrature resolves: the pairing integrals of the mean field, or every Green's-function element.
RESOLVE = ("pairing", "all")


def zone_quadrature(energy_fn, spec: QuadratureSpec, *, zone: str = "wedge",
                    disks: tuple[float, float] | None = None, radial=None, angular_panels: int = 1,
                    kink_bands=None, grade_kinks: bool = True, resolve: str = "pairing",
                    mirror_lines: bool | None = None, memo: dict | None = None) -> PolarQuadrature:
    """Rays covering the Brillouin-zone average over ``zone``: "wedge" (Gamma-K-M; exact for a
    D6-symmetric spectrum), "half" (six images g(wedge); exact for thermodynamics even under
    k -> -k) or "full" (twelve images), each image with panels at its own crossings.

    ``disks = (r_inner, r_outer)``: the integrand is split by a smooth partition of unity
    f = chi f + (1 - chi) f, chi(|k - K|) = 1 inside r_inner and 0 beyond r_outer (around every
    corner): chi f on a disk around K by rays from K (:func:`corner_rays`), counted twice for
    K' = -K (exact by k -> -k, as the half zone; the "full" zone, which assumes no symmetry of f, has its
    own rays around K'), and (1 - chi) f on the Gamma rays, which get
    panels on the cut-off's circles and angular breakpoints where those meet the zone edge.
    ``radial`` and ``angular_panels``: as in :func:`wedge_rays`; ``kink_bands``: the bands whose kinks
    get graded angular panels (:func:`graded_kinks`; default ``energy_fn``; none with ``grade_kinks``
    False).  ``resolve``: "pairing" (the rule of the mean-field integrals) or "all" (every matrix element
    of a Green's function to ~1e-10: :data:`CORNER_RAYS_PER_NODE_ALL` rays per node on the K disks, and
    graded towards the mirror lines, :func:`graded_mirror_lines`, unless ``mirror_lines`` is False: a
    caller that knows the integrand is even about them, e.g. without an in-plane field, skips that).
    ``memo``: a dict kept by the caller for quadratures of the same bands and disks at other resolutions: the
    angular kinks of each wedge image (:func:`theta_breakpoints`, independent of ``spec``) are stored there
    and reused.
    ``.mesh()`` of the result is the :class:`KMesh` (weights sum to 1).
    """
    if zone not in ("wedge", "half", "full"):
        raise ParameterError("zone", zone, "wedge | half | full")
    if resolve not in RESOLVE:
        raise ParameterError("resolve", resolve, " | ".join(RESOLVE))
    mirror = resolve == "all" if mirror_lines is None else bool(mirror_lines)
    kink_bands = kink_bands or energy_fn
    if disks:  # inside the disks the Gamma rays carry 1 - chi = 0: their Fermi surfaces' kinks do not matter
        bands = kink_bands

        def kink_bands(k):
            e = bands(k)
            return np.where((corner_distance(k) < disks[0])[:, None], np.where(e >= 0, 10.0, -10.0), e)
    ops = [np.eye(2)] if zone == "wedge" else (half_zone_operations() if zone == "half"
                                               else point_group_matrices("D6"))
    group = {"wedge": "D6-rays", "half": "C2-rays", "full": "C1-rays"}[zone]
    radii = np.linspace(disks[0], disks[1], 3) if disks else np.zeros(0)
    if disks and not 0.0 < disks[0] < disks[1] <= K_DISK_LIMIT:
        raise ParameterError("disk_radii", disks, f"0 < r_inner < r_outer <= {K_DISK_LIMIT:.4g} (1/a)")

    def ray_energy(k):
        # with K disks: extra "bands" d(k) - r crossing zero on the cut-off's circles around the corners
        return np.concatenate([energy_fn(k), corner_distance(k)[:, None] - radii], axis=-1) if len(radii) \
            else energy_fn(k)

    probe = np.random.default_rng(3).uniform(-4.0, 4.0, size=(8, 2))
    e_probe = energy_fn(probe)
    memo = {} if memo is None else memo

    def kinks_of(key, fn):
        if key not in memo:
            memo[key] = theta_breakpoints(fn)
        return memo[key]

    base = None
    parts = []
    for i, g in enumerate(ops):
        # the wedge rays of k -> E(g k), mapped to g(wedge): their panels follow the crossings in
        # g(wedge).  Where the bands are g-invariant, those are the images of the first wedge's: reuse.
        if np.allclose(energy_fn(probe @ g.T), e_probe, atol=1e-10):
            base = base or wedge_rays(ray_energy, spec, radial=radial, angular_panels=angular_panels,
                                      physical=kink_bands, grade_kinks=grade_kinks, mirror_lines=mirror,
                                      kinks=kinks_of("base", ray_energy))
            rays = base
        else:
            fn = lambda k, g=g: ray_energy(k @ g.T)  # noqa: E731
            rays = wedge_rays(fn, spec, radial=radial, angular_panels=angular_panels,
                              physical=lambda k, g=g: kink_bands(k @ g.T), grade_kinks=grade_kinks,
                              mirror_lines=mirror, kinks=kinks_of(i, fn))
        parts.append(transformed(rays, g, 1.0 / len(ops)))
    cutoff = None
    if disks:
        corner = corner_rays(energy_fn, spec, *disks, n_phi=(CORNER_RAYS_PER_NODE_ALL if resolve == "all"
                                                             else CORNER_RAYS_PER_NODE) * spec.n_theta)
        if zone == "full":  # nothing assumes f(-k) = f(k) here (a Green's function): K' gets its own rays
            parts += [transformed(corner, np.eye(2), 1.0), transformed(corner, -np.eye(2), 1.0)]
        else:
            parts.append(transformed(corner, np.eye(2), 2.0))
        group += "+K-disks"
        cutoff = (float(disks[0]), float(disks[1]))
    return _concat(parts, spec, group, cutoff)
