"""The ray quadrature of the Brillouin zone against independent adaptive integration (scipy.integrate.quad).

References (none of them uses the panel rules under test):
* a BZ average over the Gamma-K-M wedge of a D6-symmetric integrand is
  (12 / A_BZ) int_0^{pi/6} dtheta int_0^{r_max(theta)} r dr f(r, theta), done here by nested adaptive
  Gauss-Kronrod quadrature with the Fermi crossings (found independently with brentq) as break points;
* a band that approaches zero energy without crossing it (a near miss), a band edge at the end of a ray,
  a Fermi surface that leaves the wedge through the zone edge next to the saddle point M (the van Hove
  point of the triangular lattice, 2tC(M) = 2 |t|), and a pole of a downfolded band are the structures
  the panels must resolve (issue 15: the Hc2 of the intrinsic layer at mu = 2.08 did not converge).
"""

import numpy as np
import pytest
from scipy import integrate, optimize

from isingsc.lattice.quadrature import QuadratureSpec, r_max, ray_features, wedge_rays, WEDGE_ANGLE
from isingsc.lattice.triangular import LATTICE, structure_factors


def wedge_average_reference(f_of_k, crossings_of_theta=None, kinks=(), epsrel=1e-10):
    """(12 / A_BZ) x the wedge integral of f by nested scipy quad; ``crossings_of_theta(theta)``: radii to
    split the radial integral at; ``kinks``: angles to split the angular integral at."""
    def ray(theta):
        d = np.array([np.cos(theta), np.sin(theta)])
        rm = float(r_max(theta))
        pts = sorted(set(float(r) for r in (crossings_of_theta(theta) if crossings_of_theta else ()) if 0 < r < rm))
        edges = [0.0] + pts + [rm]
        return sum(integrate.quad(lambda r: r * f_of_k(r * d), a, b, epsabs=0, epsrel=epsrel, limit=400)[0]
                   for a, b in zip(edges[:-1], edges[1:]))

    edges = [0.0] + sorted(kinks) + [WEDGE_ANGLE]
    total = sum(integrate.quad(ray, a, b, epsabs=0, epsrel=epsrel, limit=400)[0] for a, b in zip(edges[:-1], edges[1:]))
    return 12.0 * total / LATTICE.bz_area


def as_energy_fn(band):
    return lambda k: band(np.asarray(k, dtype=float))[:, None]


def quadrature_average(band, f_of_e, spec, **kwargs):
    mesh = wedge_rays(as_energy_fn(band), spec, **kwargs).mesh()
    return float(mesh.weights @ f_of_e(band(mesh.k)))


def test_a_pole_is_a_panel_end_and_not_a_fermi_crossing():
    # E(r) = 0.1 / (r - 1) along the ray changes sign through infinity at r = 1; E(r) = r - 2 crosses zero
    centre, direction, r_end = np.zeros((1, 2)), np.array([[1.0, 0.0]]), np.array([3.0])
    pole = lambda k: (0.1 / (k[:, 0] - 1.0))[:, None]  # noqa: E731
    line = lambda k: (k[:, 0] - 2.0)[:, None]  # noqa: E731
    crossings, panels = ray_features(lambda k: np.concatenate([pole(k), line(k)], 1), centre, direction, r_end,
                                     energy_scale=0.01)
    assert len(crossings[0]) == 1 and crossings[0][0][0] == pytest.approx(2.0, abs=1e-12)
    assert crossings[0][0][1] == pytest.approx(1.0, rel=1e-6)
    assert any(abs(r - 1.0) < 1e-9 for r, _ in panels[0])


def test_a_band_that_misses_the_fermi_level_is_resolved():
    """E = (|k| - 1.5)^2 + 0.02 never crosses zero; the pair-breaking weight Delta^2 / (E^2 + Delta^2) of
    width ~0.1 in k around |k| = 1.5 is missed by a ray with no panel there."""
    delta = 0.01
    band = lambda k: (np.hypot(k[..., 0], k[..., 1]) - 1.5) ** 2 + 0.02  # noqa: E731
    f = lambda e: delta**2 / (e * e + delta**2)  # noqa: E731
    ref = wedge_average_reference(lambda k: f(band(k)), lambda th: [1.5])
    spec = QuadratureSpec(0.01, 4, 6, 3.0)
    coarse, fine = (quadrature_average(band, f, s) for s in (spec, spec.refined()))
    assert coarse == pytest.approx(ref, rel=2e-3)
    assert fine == pytest.approx(ref, rel=1e-5)


def test_a_band_edge_at_the_end_of_the_rays_is_resolved():
    """E = 0.02 + 2 (|k| - 3.7)^2 has its minimum just beyond the zone edge near M (|M| = 3.628): |E| is
    smallest at the ends of the rays there."""
    delta = 0.02
    band = lambda k: 0.02 + 2.0 * (np.hypot(k[..., 0], k[..., 1]) - 3.7) ** 2  # noqa: E731
    f = lambda e: delta**2 / (e * e + delta**2)  # noqa: E731
    ref = wedge_average_reference(lambda k: f(band(k)))
    spec = QuadratureSpec(0.01, 4, 6, 3.0)
    values = [quadrature_average(band, f, s) for s in (spec, spec.refined(), spec.refined().refined())]
    errors = [abs(v / ref - 1) for v in values]
    assert errors[2] < 1e-4 and errors[2] < errors[1] < errors[0]  # (the peak near M also needs angular nodes)


def triangular_band(mu):
    """2 t C(k) - mu with t = -1 (the intrinsic layer's band without spin-orbit coupling), |t|."""
    return lambda k: -2.0 * structure_factors(k)[0] - mu


def test_a_fermi_surface_leaving_the_wedge_next_to_the_saddle_point():
    """mu = 2.08 |t|, just above the van Hove energy 2 |t| at M: the K pockets nearly touch at M and their
    Fermi surface leaves the Gamma-K-M wedge through the zone edge K-M next to M, where the Fermi velocity
    is small.  The thermal weight 1 / cosh^2(E / 2T) at T = 3e-3 |t| is resolved to 1e-5 there."""
    T, mu = 3e-3, 2.08
    band = triangular_band(mu)
    f = lambda e: 4 * np.exp(-np.abs(e) / T) / (1 + np.exp(-np.abs(e) / T)) ** 2  # 1 / cosh^2(E / 2T)  # noqa: E731

    def crossings(theta):  # the Fermi crossings of the ray, by sign changes on a fine grid and brentq
        d, rm = np.array([np.cos(theta), np.sin(theta)]), float(r_max(theta))
        r = np.linspace(0.0, rm, 4001)
        e = band(r[:, None] * d)
        return [optimize.brentq(lambda x: band(x * d), r[i], r[i + 1], xtol=1e-14)
                for i in np.nonzero(np.sign(e[:-1]) != np.sign(e[1:]))[0]]

    # the angle where the Fermi surface meets the zone edge: band = 0 at the ray's end
    edge = optimize.brentq(lambda th: band(float(r_max(th)) * np.array([np.cos(th), np.sin(th)])), 0.3, WEDGE_ANGLE - 1e-9,
                           xtol=1e-15)
    ref = wedge_average_reference(lambda k: f(band(k)), crossings, kinks=[edge], epsrel=1e-11)
    spec = QuadratureSpec(T, 4, 6, 3.0)
    graded = [quadrature_average(band, f, s) for s in (spec, spec.refined(), spec.refined().refined())]
    assert graded[-1] == pytest.approx(ref, rel=1e-5)
    assert abs(graded[-1] - ref) < abs(graded[0] - ref)  # converging, not drifting
    # the graded angular panels are what does it: without them the same quadratures are much worse
    plain = quadrature_average(band, f, spec.refined().refined(), grade_kinks=False)
    assert abs(plain - ref) > 10 * abs(graded[-1] - ref)


@pytest.mark.parametrize("name, zone", [("heterostructure", "auto"), ("intrinsic", "auto"), ("nbse2", "auto"),
                                        ("rashba", "half"), ("rashba", "full")])
def test_quadrature_for_reuses_resolution_independent_features_bit_for_bit(monkeypatch, name, zone):
    """The refined pass reuses the coarse pass's angular kinks (of each wedge image) and K disks (they do not
    depend on the spec): its rays are exactly those built from scratch (the cache off with FEATURES_KEPT = 0)."""
    import isingsc.meanfield.quadrature as mq
    from isingsc.meanfield.solver import default_spec
    from isingsc.models.catalogue import resolve
    from isingsc.models.families import rashba_model

    model = rashba_model() if name == "rashba" else resolve(name).model
    spec = default_spec(0.02)
    monkeypatch.setattr(mq, "FEATURES_KEPT", 0)
    fresh = mq.quadrature_for(model, spec.refined(), zone=zone).mesh()
    monkeypatch.setattr(mq, "FEATURES_KEPT", 32)
    mq.quadrature_for(model, spec, zone=zone)
    reused = mq.quadrature_for(model, spec.refined(), zone=zone).mesh()
    np.testing.assert_array_equal(reused.k, fresh.k)
    np.testing.assert_array_equal(reused.weights, fresh.weights)
