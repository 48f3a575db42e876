"""Hc2(T) and Hc2(phi) of any TightBindingModel, with the in-plane field at an angle phi.

The mean-field machinery (:mod:`isingsc.meanfield.pairing`, :mod:`isingsc.meanfield.transitions`,
:mod:`isingsc.meanfield.phase_diagram`) is used unchanged, the field at angle phi passed to its solvers
(``angle=``: the Zeeman vector V (cos phi, sin phi, 0)).  Added here:

* :func:`family_quadrature` -- the ray quadrature of :mod:`isingsc.lattice.quadrature` on the
  Gamma-K-M wedge when the Nambu spectrum has the D6 symmetry at the field angles used
  (checked numerically, as :func:`isingsc.meanfield.phase_diagram.quadrature_for` does), otherwise on
  half of the Brillouin zone: six images g(wedge) of the wedge, each with its own
  Fermi-crossing-adapted radial panels.  Half the zone is exact for every Nambu model
  with on-site singlet pairing: particle-hole symmetry gives spec H_BdG(-k) = -spec H_BdG(k),
  and Omega (through G_T(|E|)) and the pair curvature (through D^T = -D for singlet D)
  are even under k -> -k (tested against the full zone).

Normalisation: the reference is the model itself at zero field (Tc, Delta0 and
HP = Delta0/sqrt2 of the model; the pairing v is fixed by Delta0), as for the intrinsic
Ising superconductor in :mod:`isingsc.meanfield.phase_diagram`, unless another reference model is given.
Energies, fields (Zeeman energies V = mu_B B) and temperatures in |t| (k_B = 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from isingsc.core.errors import ParameterError, check_range
from isingsc.lattice.triangular import LATTICE, KMesh, check_spectral_symmetry, point_group_matrices
from isingsc.meanfield.pairing import PairingProblem, coupling_for_gap
from isingsc.meanfield.phase_diagram import Reference, converge, default_spec, hc2_dataset, hc2_points
from isingsc.lattice.quadrature import QuadratureSpec, normal_state_energy_fn, radial_breakpoints, ray_quadrature
from isingsc.core.results import finalize
from isingsc.models.base import in_plane_field
from isingsc.meanfield.transitions import critical_field, critical_temperature, instability_field, solve_gap

SQRT2 = np.sqrt(2.0)
BCS_RATIO = np.pi * np.exp(-np.euler_gamma)  # Delta0 / Tc in weak coupling


def family_spec(delta0: float, t_min_over_tc: float) -> QuadratureSpec:
    """Starting quadrature for temperatures down to ``t_min_over_tc`` x Tc.

    Down to 0.2 Tc: :func:`isingsc.meanfield.phase_diagram.default_spec` (Delta0/5 innermost panels growing by 2.5;
    its Hc2 is within 0.5 % of a converged quadrature for the families, tests/test_families.py).  Below,
    the Zeeman-shifted features of the pair susceptibility (at xi = +-sqrt(beta^2 + V^2), width T, away
    from the zero-field Fermi crossings when V ~ beta) need panels of a few T there: innermost
    half-width T_min/3 growing by 1.1 (type-II model at 0.1 Tc: 8.43 HP against 8.81 HP on the default
    spec, the clean Ising formula giving 8.42 HP).
    """
    base = default_spec(delta0)
    if t_min_over_tc >= 0.2:
        return base
    t_min = t_min_over_tc * delta0 / BCS_RATIO
    return QuadratureSpec(energy_scale=min(base.energy_scale, t_min / 3), n_theta=base.n_theta, order=base.order,
                          growth=1.1)


# ------------------------------------------------------------------------------ quadrature
K_POINT = np.array([4 * np.pi / 3, 0.0])
#: Distance from K to the nearest Gamma-M line point of the BZ edge midpoint (half the K-K' distance):
#: disks around the six BZ corners of radius below this do not overlap.
K_DISK_LIMIT = 2 * np.pi / 3


def _half_zone_operations() -> list[np.ndarray]:
    """Six D6 operations whose images of the wedge Gamma-K-M tile the half zone -90 deg <= angle < 90 deg."""
    centre = np.array([np.cos(np.pi / 12), np.sin(np.pi / 12)])  # direction inside the wedge (15 deg)
    ops = []
    for g in point_group_matrices("D6"):
        ang = np.degrees(np.arctan2(*(g @ centre)[::-1]))
        if -90.0 <= ang < 90.0:
            ops.append(g)
    assert len(ops) == 6
    return ops


def is_d6_symmetric(model, angles=(0.0,), magnitude: float = 0.05) -> bool:
    """True if the Nambu spectrum is D6-invariant (k acted on alone) for in-plane fields at ``angles``
    (and at zero field), with a test pairing: then the Gamma-K-M wedge is an exact quadrature."""
    fields = [np.zeros(3)] + [in_plane_field(magnitude, a) for a in np.atleast_1d(angles)]
    try:
        for fv in fields:
            check_spectral_symmetry(lambda k: np.linalg.eigvalsh(model.bdg_hamiltonian(k, 0.01, fv)), "D6")
    except ParameterError:
        return False
    return True


def _bump(r, r_inner: float, r_outer: float):
    """Smooth (C-infinity) cut-off: 1 for r <= r_inner, 0 for r >= r_outer."""
    x = np.clip((r_outer - np.asarray(r, dtype=float)) / (r_outer - r_inner), 0.0, 1.0)
    with np.errstate(divide="ignore", over="ignore"):
        h = lambda y: np.where(y > 0, np.exp(-1.0 / np.where(y > 0, y, 1.0)), 0.0)  # noqa: E731
        return h(x) / (h(x) + h(1.0 - x))


def _corner_distance(k) -> np.ndarray:
    """Distance from k (inside the first BZ) to the nearest BZ corner (K or K' images), 1/a."""
    corners = 4 * np.pi / 3 * np.stack([np.cos(np.arange(6) * np.pi / 3), np.sin(np.arange(6) * np.pi / 3)], -1)
    return np.min(np.linalg.norm(np.asarray(k)[:, None, :] - corners[None], axis=-1), axis=1)


def _ray_crossings(energy_fn, centre, direction, r_end: float, n_samples: int = 400):
    """Zero crossings (radius, |dE/dr|) of every band along centre + r direction, 0 < r < r_end."""
    r = np.linspace(0.0, r_end, n_samples)
    pts = centre + r[:, None] * direction
    e = energy_fn(pts)
    out = []
    for band in range(e.shape[1]):
        s = np.sign(e[:, band])
        for i in np.flatnonzero(s[:-1] * s[1:] < 0):
            f = lambda x, b=band: energy_fn((centre + x * direction)[None])[0, b]  # noqa: E731
            rc = brentq(f, r[i], r[i + 1], xtol=1e-13)
            h = 1e-6 * r_end
            lo, hi = max(rc - h, 0.0), min(rc + h, r_end)
            out.append((rc, abs(f(hi) - f(lo)) / (hi - lo)))
    return sorted(out)


def k_disk_quadrature(energy_fn, spec: QuadratureSpec, r_inner: float, r_outer: float,
                      n_phi: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Polar quadrature of the disk |k - K| < r_outer weighted by the smooth cut-off chi(|k - K|).

    Rays from K at n_phi equally spaced angles (trapezoid rule: spectrally accurate for the
    periodic angular integrand), Gauss-Legendre radial panels graded around every Fermi crossing
    of the ray.  Returns (k, w) with sum w f = (1/A_BZ) int_disk chi f d^2k.
    """
    n_phi = n_phi or 8 * spec.n_theta
    r_nodes, r_w = np.polynomial.legendre.leggauss(spec.order)
    ks, ws = [], []
    for phi in 2 * np.pi * np.arange(n_phi) / n_phi:
        u = np.array([np.cos(phi), np.sin(phi)])
        bp = radial_breakpoints(_ray_crossings(energy_fn, K_POINT, u, r_outer), r_outer, spec)
        # resolve the cut-off's transition r_inner < r < r_outer as well
        bp = np.unique(np.concatenate([bp, np.linspace(r_inner, r_outer, 9)]))
        lo, hi = bp[:-1, None], bp[1:, None]
        r = (0.5 * (hi - lo) * r_nodes + 0.5 * (hi + lo)).ravel()
        wr = (0.5 * (hi - lo) * r_w).ravel()
        ks.append(K_POINT + r[:, None] * u)
        ws.append(wr * r * (2 * np.pi / n_phi) * _bump(r, r_inner, r_outer))
    return np.concatenate(ks), np.concatenate(ws) / LATTICE.bz_area


def _k_pocket_radius(energy_fn, limit: float, n_dirs: int = 24) -> float | None:
    """Largest Fermi-crossing radius around K (zero-field bands) if the crossings nearest K form
    pockets inside ``limit`` (every ray from K crosses within it), else None."""
    radii = []
    for phi in 2 * np.pi * np.arange(n_dirs) / n_dirs:
        c = _ray_crossings(energy_fn, K_POINT, np.array([np.cos(phi), np.sin(phi)]), limit, n_samples=200)
        if not c:
            return None
        radii.append(c[0][0])
    return max(radii)


def family_quadrature(model, spec: QuadratureSpec, angles=(0.0,), zone: str = "auto",
                      k_disks: bool | None = None, disk_radii: tuple[float, float] | None = None) -> KMesh:
    """Brillouin-zone quadrature for ``model`` at in-plane field angles ``angles`` (rad).

    ``zone``: "wedge" (Gamma-K-M, requires the D6 check to pass), "half" (six wedges,
    always exact for the thermodynamics, see the module docstring), "full" (twelve wedges),
    or "auto" (wedge if D6-symmetric, else half).

    Pockets around K and K' sit at the corners of the Gamma-centred wedges, where the radial
    panels of a ray end at the zone edge; their quadrature converges slowly there.  With
    ``k_disks`` (default: automatically, when every ray from K crosses a Fermi surface within
    0.75 K_DISK_LIMIT) the integrand is split by a smooth partition of unity,
    f = chi f + (1 - chi) f, chi(|k - K|) = 1 inside ``disk_radii[0]`` and 0 beyond ``disk_radii[1]``
    (around every corner): chi f on a disk around K by rays from K (:func:`k_disk_quadrature`),
    counted twice for K' = -K (exact for the thermodynamics by k -> -k, as above), and (1 - chi) f
    on the Gamma-centred rays.  No Fermi crossing may lie in the annulus between the two radii
    (checked: an error with explicit ``k_disks``/``disk_radii``; in the automatic choice the disks are
    then not used).  Weights sum to 1 (BZ average).
    """
    if zone not in ("auto", "wedge", "half", "full"):
        raise ParameterError("zone", zone, "auto | wedge | half | full")
    symmetric = is_d6_symmetric(model, angles) if zone in ("auto", "wedge") else False
    if zone == "wedge" and not symmetric:
        raise ParameterError("zone", zone, "half or full: the spectrum of this model is not D6-symmetric "
                             "at these field angles")
    energy = normal_state_energy_fn(model)
    auto = k_disks is None
    if auto or (k_disks and disk_radii is None):
        pocket = _k_pocket_radius(energy, 0.75 * K_DISK_LIMIT)
        if auto:
            k_disks = pocket is not None
        if k_disks and disk_radii is None:
            if pocket is None:
                raise ParameterError("k_disks", True, "False for this model: no closed Fermi pocket around K "
                                     f"within {0.75 * K_DISK_LIMIT:.3g} 1/a (or give disk_radii)")
            disk_radii = (min(pocket + 0.5 * (K_DISK_LIMIT - pocket), 0.8 * K_DISK_LIMIT), 0.95 * K_DISK_LIMIT)
    if k_disks:
        r_in, r_out = (float(x) for x in disk_radii)
        if not 0.0 < r_in < r_out <= K_DISK_LIMIT:
            raise ParameterError("disk_radii", disk_radii, f"0 < r_inner < r_outer <= {K_DISK_LIMIT:.4g} (1/a)")
        for phi in 2 * np.pi * np.arange(48) / 48:
            u = np.array([np.cos(phi), np.sin(phi)])
            if any(r_in <= rc <= r_out for rc, _ in _ray_crossings(energy, K_POINT, u, r_out, n_samples=300)):
                if auto:  # another Fermi surface runs through the cut-off: plain Gamma rays instead
                    k_disks = False
                    break
                raise ParameterError("disk_radii", disk_radii, "radii with no Fermi crossing between them "
                                     "(the cut-off must be smooth where the integrand is)")
    if symmetric:
        ops = [np.eye(2)]
        group = "D6-rays"
    else:
        ops = _half_zone_operations() if zone in ("auto", "half") else point_group_matrices("D6")
        group = "C2-rays" if len(ops) == 6 else "C1-rays"
    probe = np.random.default_rng(3).uniform(-4.0, 4.0, size=(8, 2))
    e_probe = energy(probe)
    # with K disks: extra "bands" d(k) - r crossing zero on the cut-off's circles around the corners
    # (d is D6-invariant), so that the Gamma rays get radial panels and angular breakpoints there
    radii = np.linspace(r_in, r_out, 3) if k_disks else np.zeros(0)

    def ray_energy(k):
        return np.concatenate([energy(k), _corner_distance(k)[:, None] - radii], axis=-1) if len(radii) else energy(k)
    base = None
    ks, ws = [], []
    for g in ops:
        # the wedge quadrature of k -> E(g k), mapped to g(wedge): its panels follow the Fermi
        # crossings in g(wedge).  Where the zero-field bands are g-invariant (e.g. a Rashba term,
        # whose |s(k)| is D6-invariant) those are the images of the first wedge's: reuse it.
        if np.allclose(energy(probe @ g.T), e_probe, atol=1e-10):
            base = base or ray_quadrature(ray_energy, spec)
            mesh = base
        else:
            mesh = ray_quadrature(lambda k, g=g: ray_energy(k @ g.T), spec)
        ks.append(mesh.k @ g.T)
        ws.append(mesh.weights / len(ops))
    k, w = np.concatenate(ks), np.concatenate(ws)
    if k_disks:
        w = w * (1.0 - _bump(_corner_distance(k), r_in, r_out))
        kd, wd = k_disk_quadrature(energy, spec, r_in, r_out)
        keep = w != 0.0
        k, w = np.concatenate([k[keep], kd]), np.concatenate([w[keep], 2.0 * wd])
        group += "+K-disks"
    return KMesh(k=k, weights=w, n=len(w), group=group)


# ------------------------------------------------------------------------------ references
@dataclass(frozen=True)
class FamilyProblem:
    """A model's pairing problem on one quadrature and its normalisation (zero-field reference)."""

    problem: PairingProblem
    reference: Reference


def setup_family(model, *, delta0: float | None = None, v: float | None = None, reference_model=None,
                 spec: QuadratureSpec | None = None, angles=(0.0,), zone: str = "auto") -> FamilyProblem:
    """Pairing strength v (from the reference's Delta0, or given), Tc_ref, and the model's problem.

    The reference (default: the model itself) fixes v by its zero-field, zero-temperature gap
    Delta0 (|t|) and gives Tc_ref and HP = Delta0/sqrt2.  Both live on the same quadrature.
    """
    if (delta0 is None) == (v is None):
        raise ParameterError("delta0/v", (delta0, v), "exactly one of delta0 and v")
    spec = spec or default_spec(delta0 if delta0 is not None else 0.02)
    ref_model = model if reference_model is None else reference_model
    mesh = family_quadrature(model, spec, angles, zone)
    ref_mesh = mesh if ref_model is model else family_quadrature(ref_model, spec, (0.0,), zone)
    if delta0 is not None:
        delta0 = check_range("delta0", delta0, lo=0.0, lo_open=True)
        v = coupling_for_gap(ref_model, ref_mesh, delta0)
    ref_problem = PairingProblem(ref_model, ref_mesh, check_range("v", v, lo=0.0, lo_open=True))
    if delta0 is None:
        delta0 = solve_gap(ref_problem, 0.0, delta_max=2.0).delta
    tc = critical_temperature(ref_problem, t_max=delta0)
    ref = Reference(v=v, tc=tc, delta0=delta0, points=len(ref_mesh), spec=spec)
    problem = ref_problem if ref_model is model else PairingProblem(model, mesh, v)
    return FamilyProblem(problem=problem, reference=ref)


# ------------------------------------------------------------------------------ Hc2(T)
def hc2_curve(model, *, delta0: float = 0.03, t_over_tc=(0.2, 0.5, 0.8), angle: float = 0.0,
              reference_model=None, spec: QuadratureSpec | None = None, tol: float | None = None,
              zone: str = "auto", v_max_ratio: float = 60.0) -> xr.Dataset:
    """Hc2(T)/HP against T/Tc_ref for an in-plane field at ``angle`` (rad from x).

    Hc2 is the thermodynamic transition field (:func:`isingsc.meanfield.phase_diagram.hc2_points`:
    second-order line Omega''(0) = 0, or the first-order field), V2 the second-order
    (instability) field; both Zeeman energies in |t|.  ``t_over_tc``: temperatures in units
    of the reference Tc.  ``tol``: if given, the quadrature is refined until Hc2 and Tc change
    by less than ``tol`` (relative; :func:`isingsc.meanfield.phase_diagram.converge`); if None, one pass
    on ``spec`` (default :func:`family_spec` of Delta0 and the lowest temperature) and the attrs say so.
    """
    angle = float(check_range("angle", angle))
    temps_ratio = np.sort(np.asarray(t_over_tc, dtype=float))
    if temps_ratio.size == 0 or np.any(~np.isfinite(temps_ratio)) or np.any(temps_ratio <= 0):
        raise ParameterError("t_over_tc", t_over_tc, "values > 0 (below the model's Tc)")
    state = {}

    def compute(s, previous):
        fam = setup_family(model, delta0=delta0, reference_model=reference_model, spec=s, angles=(angle,),
                           zone=zone)
        pts = hc2_points(fam.problem, fam.reference, temperatures=temps_ratio * fam.reference.tc,
                         v_max_ratio=v_max_ratio, guess=previous and previous["points"], angle=angle)
        state.update(ref=fam.reference, pts=pts, n_k=len(fam.problem.mesh), group=fam.problem.mesh.group)
        return {"Tc": pts["Tc"], "Tc_ref": fam.reference.tc, "Hc2": pts["Hc2"], "points": pts}

    start = spec or family_spec(delta0, float(temps_ratio[0]))
    if tol is None:
        compute(start, None)
        achieved, final, tol_attr = "not refined", start, "none"
    else:
        _, achieved, final = converge(compute, start, tol)
        tol_attr = tol
    ds = hc2_dataset(state["pts"], state["ref"], model, achieved, final, state["n_k"], tol_attr)
    ds["V2_over_HP"] = ("point", state["pts"]["V2"] / state["ref"].pauli_field, {"units": "1"})
    ds.attrs.update(field_angle=angle, field_angle_units="rad (in-plane, from x)",
                    quadrature_zone=state["group"])
    return ds


# ------------------------------------------------------------------------------ Hc2(phi)
def hc2_vs_angle(model, *, delta0: float = 0.03, t_over_tc: float = 0.5, angles=None,
                 reference_model=None, spec: QuadratureSpec | None = None, zone: str = "auto",
                 second_order_only: bool = False, v_max_ratio: float = 60.0) -> xr.Dataset:
    """Hc2(phi) at one temperature for in-plane field angles ``angles`` (rad; default 0..2pi, 24 values).

    At each angle the transition field from :func:`isingsc.meanfield.transitions.critical_field` (V2 from
    Omega''(0) = 0, then a first-order field if a superconducting minimum survives), or only
    V2 with ``second_order_only``.  One quadrature serves every angle (D6 wedge only if the
    spectrum is symmetric at all of them).  Normalised by the reference Tc and HP.
    """
    angles = np.linspace(0.0, 2 * np.pi, 24, endpoint=False) if angles is None else np.asarray(angles, float)
    if angles.ndim != 1 or angles.size == 0 or not np.all(np.isfinite(angles)):
        raise ParameterError("angles", angles, "a 1D list of finite angles (rad)")
    t_over_tc = check_range("t_over_tc", t_over_tc, lo=0.0, lo_open=True)
    fam = setup_family(model, delta0=delta0, reference_model=reference_model,
                       spec=spec or family_spec(delta0, t_over_tc), angles=angles, zone=zone)
    ref = fam.reference
    T = t_over_tc * ref.tc
    vp = ref.pauli_field
    hc2, v2, order = [], [], []
    guess = None
    for a in angles:
        problem = fam.problem
        if second_order_only:
            f = instability_field(problem, T, v_start=0.05 * vp, v_max=v_max_ratio * vp, xtol=1e-7 * vp,
                                  guess=guess, angle=a)
            hc2.append(f), v2.append(f), order.append("second")
            guess = f
            continue
        cf = critical_field(problem, T, delta_max=1.5 * ref.delta0, v_start=0.05 * vp, v_max=v_max_ratio * vp,
                            xtol=1e-7 * vp, v2_guess=guess, angle=a)
        hc2.append(cf.field), v2.append(cf.instability_field), order.append(cf.order)
        guess = cf.instability_field
    hc2, v2 = np.array(hc2), np.array(v2)
    ds = xr.Dataset(
        {"Hc2": ("angle", hc2, {"units": "|t| (Zeeman energy mu_B B)"}),
         "Hc2_over_HP": ("angle", hc2 / vp, {"units": "1"}),
         "V2_over_HP": ("angle", v2 / vp, {"units": "1", "long_name": "second-order (instability) field"}),
         "order": ("angle", np.array(order, dtype=str))},
        coords={"angle": ("angle", angles, {"units": "rad", "long_name": "in-plane field angle from x"})},
    )
    return finalize(ds, model=model, T=T, T_over_Tc=t_over_tc, Tc_reference=ref.tc, Delta0_reference=ref.delta0,
                    HP_reference=vp, v=ref.v, kmesh=f"{len(fam.problem.mesh)} k points, {ref.spec.describe()}",
                    quadrature_zone=fam.problem.mesh.group, field_tolerance_over_HP=1e-7,
                    transition="second-order field only" if second_order_only else "thermodynamic (first or second order)")


def harmonics(ds: xr.Dataset, var: str = "Hc2_over_HP", orders=(2, 4, 6)) -> dict[int, float]:
    """|c_n| / c_0 of the Fourier series of Hc2(phi) on equally spaced angles covering 2pi (n-fold components)."""
    phi = ds.angle.values
    y = ds[var].values
    n = len(phi)
    if not np.allclose(np.diff(phi), 2 * np.pi / n, atol=1e-9):
        raise ParameterError("angles", "not equally spaced over 2pi", "equally spaced angles covering 0..2pi")
    c0 = y.mean()
    return {m: float(abs(np.mean(y * np.exp(-1j * m * phi))) * 2 / c0) for m in orders}
