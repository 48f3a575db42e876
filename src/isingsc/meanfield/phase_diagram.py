"""Workflows of the mean-field phase diagram: Tc, Delta0, Hc2(T) curves and Delta(T, V) maps.

Normalisation (paper Fig. 3): temperatures by Tc of the *reference* model and
fields by its Pauli field V_P = Delta0_ref / sqrt2, where the reference is the
isolated SC layer (Gamma = 0) for the heterostructure and effective models and
the model itself for an intrinsic Ising superconductor.  The pairing strength
v is fixed by the reference's zero-temperature gap Delta0 (or given directly).

Convergence: every quantity is computed on a :func:`~isingsc.lattice.quadrature.ray_quadrature`
and again on a refined one; the relative difference is the achieved tolerance,
refined further until it is below ``tol`` (default 0.5 %) or a ConvergenceError
says how far it got.  Mesh sizes and tolerances go into the Dataset attrs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from isingsc.core.errors import ConvergenceError, ParameterError, check_range
from isingsc.core.progress import logger, track
from isingsc.meanfield.pairing import PairingProblem, coupling_for_gap
from isingsc.lattice.quadrature import QuadratureSpec, normal_state_energy_fn, ray_quadrature
from isingsc.core.results import finalize
from isingsc.meanfield.transitions import _field, critical_temperature, first_order_field, instability_field, solve_gap

SQRT2 = np.sqrt(2.0)


@dataclass(frozen=True)
class Reference:
    """Normalisation of a phase diagram: pairing v, Tc and Delta0 of the reference model (|t|)."""

    v: float
    tc: float
    delta0: float
    points: int
    spec: QuadratureSpec

    @property
    def pauli_field(self) -> float:
        """V_P = Delta0 / sqrt2 (Chandrasekhar-Clogston), |t|."""
        return self.delta0 / SQRT2


def default_spec(delta0: float) -> QuadratureSpec:
    """Starting resolution: innermost radial panels of half-width Delta0/5 around each Fermi
    crossing growing by 2.5x, 6 angular and 6 radial Gauss nodes per panel (~3300 k points in
    the wedge for the heterostructure at Delta0 = 0.02).  Its Hc2 is within ~2e-3 of a 50x finer
    quadrature down to 0.05 Tc (the Zeeman-split features at xi = +-V, of width T, are the
    hardest part); :func:`converge` measures the error against :meth:`QuadratureSpec.refined`."""
    return QuadratureSpec(energy_scale=delta0 / 5, n_theta=6, order=6, growth=2.5)


def quadrature_for(model, spec: QuadratureSpec, angles=(0.0,)):
    """Brillouin-zone quadrature of ``model`` for in-plane fields at ``angles`` (rad from x).

    The Gamma-K-M wedge (:func:`~isingsc.lattice.quadrature.ray_quadrature`) when the Nambu spectrum
    (with a test pairing and in-plane fields at these angles) has the D6 symmetry the wedge
    relies on (checked numerically); otherwise six images of the wedge covering half the zone,
    exact for on-site singlet pairing (:func:`isingsc.meanfield.families_hc2.family_quadrature`, e.g.
    Rashba or anisotropic SOC, or an anisotropic model with the field off the axes).
    """
    from isingsc.lattice.triangular import check_spectral_symmetry

    try:
        for a in np.atleast_1d(np.asarray(angles, dtype=float)):
            for v, w in ((0.05, 0.0), (0.03, 0.04)):
                field = (v * np.cos(a) - w * np.sin(a), v * np.sin(a) + w * np.cos(a), 0.0)
                check_spectral_symmetry(lambda k: np.linalg.eigvalsh(model.bdg_hamiltonian(k, 0.01, field)),
                                        "D6", name="model")
    except ParameterError:
        from isingsc.meanfield.families_hc2 import family_quadrature

        return family_quadrature(model, spec, tuple(np.atleast_1d(angles)), zone="half", k_disks=False)
    return ray_quadrature(normal_state_energy_fn(model), spec)


def reference_state(reference_model, *, delta0: float | None = None, v: float | None = None,
                    spec: QuadratureSpec | None = None) -> Reference:
    """v (from Delta0 or given), Tc and Delta0 of the reference model on one quadrature."""
    if (delta0 is None) == (v is None):
        raise check_range("delta0 or v", float("nan"))  # always raises: exactly one must be given
    scale = delta0 if delta0 is not None else 0.02
    spec = spec or default_spec(scale)
    mesh = quadrature_for(reference_model, spec)
    if delta0 is not None:
        delta0 = check_range("delta0", delta0, lo=0.0, lo_open=True)
        v = coupling_for_gap(reference_model, mesh, delta0)
    problem = PairingProblem(reference_model, mesh, check_range("v", v, lo=0.0, lo_open=True))
    if delta0 is None:
        delta0 = solve_gap(problem, 0.0, delta_max=_delta_bound(problem)).delta
        if delta0 <= 0.0:
            raise ConvergenceError(f"no superconducting gap at T = 0 for v = {v:g}: the pairing is too weak "
                                   "to resolve (raise v, or give delta0 instead)")
    tc = critical_temperature(problem, t_max=delta0)
    return Reference(v=v, tc=tc, delta0=delta0, points=len(mesh), spec=spec)


def _delta_bound(problem: PairingProblem) -> float:
    """An upper bound on the zero-temperature gap: grow until Omega rises again."""
    d = 0.01
    while True:
        land = problem.landscape(np.array([d, 2 * d]), [0.0])[0]
        if land[1] > land[0] and land[1] > 0:
            return 2 * d
        d *= 2
        if d > 50:
            raise ConvergenceError("no bounded gap below 50 |t|: pairing strength too large")


def converge(compute, spec: QuadratureSpec, tol: float, max_refinements: int = 3):
    """Run ``compute(spec, previous)`` (returning a dict of numbers/arrays; ``previous`` is the
    result on the coarser spec, or None, for warm starts) on spec and refinements until the
    largest relative change of all entries is below tol; returns (result, achieved, spec).
    The result reported is the finer one; ``achieved`` bounds the error of the coarser."""
    tol = check_range("tol", tol, lo=0.0, lo_open=True)
    logger.info("converge: pass 1 on %s", spec.describe())
    previous = compute(spec, None)
    for n in track(range(max_refinements), "refining the quadrature", unit="pass"):
        spec = spec.refined()
        logger.info("converge: pass %d on %s", n + 2, spec.describe())
        current = compute(spec, previous)
        change = max(float(np.max(np.abs(np.asarray(current[k]) - np.asarray(previous[k]))
                                  / np.maximum(np.abs(np.asarray(current[k])), 1e-300)))
                     for k in current if not isinstance(current[k], dict)
                     and k in previous and np.size(current[k]) == np.size(previous[k]))
        logger.info("converge: largest relative change %.3g (tol %.3g)", change, tol)
        if change <= tol:
            return current, change, spec
        previous = current
    raise ConvergenceError(f"not converged to tol={tol:g} after {max_refinements} refinements "
                           f"(last relative change {change:.3g}); raise tol or the starting resolution")


def default_temperatures(ref: Reference, tc: float, n_points: int, t_min_ratio: float = 0.05) -> np.ndarray:
    """``n_points`` temperatures from ``t_min_ratio`` x Tc of the reference (the paper's Tc0)
    to 0.995 x Tc of the model itself, evenly spaced (|t|)."""
    lo = min(t_min_ratio * ref.tc, 0.5 * tc)
    return np.linspace(lo, 0.995 * tc, n_points)


def _matching(guess: dict | None, key: str, T: float, tc: float):
    """The value of ``guess[key]`` at temperature T (from an earlier pass on a coarser mesh), or None."""
    if not guess:
        return None
    i = int(np.argmin(np.abs(np.asarray(guess["T"]) - T)))
    return float(guess[key][i]) if abs(guess["T"][i] - T) <= 1e-3 * tc else None


def hc2_points(problem: PairingProblem, ref: Reference, *, temperatures=None, n_points: int = 40,
               t_min_ratio: float = 0.05, v_max_ratio: float = 60.0, xtol: float = 1e-6,
               guess: dict | None = None, angle: float = 0.0) -> dict:
    """Critical field at each temperature, by root finding in the field.

    From Tc downwards (continuation): the second-order (instability) field V2(T),
    Omega''(0; T, V2) = 0, by Brent's method in a bracket extrapolated from the two
    previous temperatures; the quartic Landau coefficient b there (from Omega at
    Delta = h, 2h) and Omega on a geometric Delta grid (5 values, 0.1-1.2 Delta0).  If b < 0 or the
    grid finds a superconducting minimum below the normal state, the transition is
    first order and V1 > V2 (equal free energies) is found by root finding in V
    (:func:`~isingsc.meanfield.transitions.first_order_field`).  ``guess``: the result of a
    previous call at the same temperatures (e.g. on a coarser mesh), used only to
    start the root brackets.  ``temperatures`` in |t|; default :func:`default_temperatures`
    (``t_min_ratio`` x Tc of the reference to 0.995 x Tc of the model).  ``xtol``: absolute
    field tolerance in units of HP.
    """
    tc = critical_temperature(problem, t_max=ref.tc * 2)
    if temperatures is None:
        temperatures = default_temperatures(ref, tc, n_points, t_min_ratio)
    temps = np.sort(np.asarray(temperatures, dtype=float))[::-1]  # from Tc downwards: continuation
    if temps[0] >= tc:
        raise ConvergenceError(f"T={temps[0]:g} is not below Tc={tc:g}: no critical field")
    vp = ref.pauli_field
    h = 0.02 * ref.delta0
    grid = ref.delta0 * np.geomspace(0.1, 1.2, 5)
    out = {key: np.zeros(len(temps)) for key in ("Hc2", "V2", "quartic", "delta_jump")}
    order = []
    first_order = []  # (T, V1, Delta at V1) of the consecutive first-order points so far
    for i, t in enumerate(track(temps, "Hc2(T)", unit="T")):
        v2_guess = _matching(guess, "V2", t, tc)
        if v2_guess is None and i >= 2:  # linear extrapolation in T
            v2_guess = out["V2"][i - 1] + (out["V2"][i - 1] - out["V2"][i - 2]) * (
                (t - temps[i - 1]) / (temps[i - 1] - temps[i - 2]))
        elif v2_guess is None and i == 1:
            v2_guess = 1.1 * out["V2"][0]
        v2 = instability_field(problem, t, v_start=0.05 * vp, v_max=v_max_ratio * vp, xtol=xtol * vp,
                               guess=v2_guess, angle=angle)
        fv = _field(v2, angle)
        a = 0.5 * problem.curvature([t], fv)[0]
        # with a previous pass, its order decides whether the grid search is needed
        known = _matching(guess, "order_code", t, tc)
        land = problem.landscape(np.r_[h, 2 * h, grid if known != 0 else grid[:0]], [t], fv)[0]
        land = np.r_[land, np.ones(len(grid) + 2 - len(land))]
        w1, w2 = land[0] - a * h * h, land[1] - 4 * a * h * h
        b = (64 * w1 - w2) / (48 * h**4)
        out["V2"][i], out["quartic"][i], out["Hc2"][i] = v2, b, v2
        logger.debug("T = %.6g: V2 = %.8g, quartic b = %.3g", t, v2, b)
        j = int(np.argmin(land[2:]))
        if b >= 0 and land[2 + j] >= 0:
            order.append("second")
            first_order.clear()
            continue
        delta_guess = _matching(guess, "delta_jump", t, tc)
        v1_guess = _matching(guess, "Hc2", t, tc)
        if not delta_guess and first_order:  # continuation from the previous first-order point(s)
            (t1, v1_prev, d1_prev), *older = first_order[::-1]
            delta_guess, v1_guess = d1_prev, v1_guess or v1_prev / out["V2"][i - 1] * v2
            if older and older[0][0] == temps[i - 2]:  # two in a row: linear extrapolation in T
                t0, v0, d0 = older[0]
                x = (t - t1) / (t1 - t0)
                delta_guess = d1_prev + (d1_prev - d0) * x
                v1_guess = _matching(guess, "Hc2", t, tc) or v1_prev + (v1_prev - v0) * x
        elif not delta_guess and land[2 + j] < 0:
            delta_guess = grid[j]
        elif not delta_guess:  # Landau: Omega = b D^4 + c D^6 at V2 has its minimum at D^2 = -b / 3c
            c = (w2 - 16 * w1) / (48 * h**6)
            delta_guess = float(np.clip(np.sqrt(-b / (3 * c)), h, grid[0])) if c > 0 else grid[0]
        found = first_order_field(problem, t, v_low=v2 * (1 + 1e-6), delta_guess=delta_guess,
                                  v_max=v_max_ratio * vp, v_guess=v1_guess, xtol=xtol * vp, angle=angle)
        if found is None:  # b < 0 within noise, but no minimum below the normal state
            order.append("second")
            first_order.clear()
            continue
        v1, jump = found
        out["Hc2"][i], out["delta_jump"][i] = v1, jump
        logger.debug("T = %.6g: first order, V1 = %.8g, Delta jump %.4g", t, v1, jump)
        order.append("first")
        first_order.append((t, v1, jump))
    rev = slice(None, None, -1)
    order = np.array(order[::-1], dtype=str)
    return {"T": temps[rev], "Hc2": out["Hc2"][rev], "V2": out["V2"][rev], "quartic": out["quartic"][rev],
            "order": order, "order_code": (order == "first").astype(float),
            "delta_jump": out["delta_jump"][rev], "Tc": tc}


def tricritical_point(points: dict) -> tuple[float, float] | None:
    """(T*, V*) where the quartic coefficient changes sign along the second-order line (linear interpolation of b)."""
    b, t, v = points["quartic"], points["T"], points["V2"]
    idx = np.flatnonzero(np.sign(b[:-1]) != np.sign(b[1:]))
    if len(idx) == 0:
        return None
    i = idx[-1]
    w = b[i] / (b[i] - b[i + 1])
    return float(t[i] + w * (t[i + 1] - t[i])), float(v[i] + w * (v[i + 1] - v[i]))


def hc2_dataset(points: dict, ref: Reference, model, achieved_tol: float, spec: QuadratureSpec,
                n_k: int, tol: float) -> xr.Dataset:
    """Hc2(T) points as a Dataset normalised by the reference Tc and Pauli field."""
    ds = xr.Dataset(
        {
            "Hc2": ("point", points["Hc2"], {"units": "|t| (Zeeman energy mu_B B)"}),
            "Hc2_over_HP": ("point", points["Hc2"] / ref.pauli_field, {"units": "1"}),
            "instability_field": ("point", points["V2"], {"units": "|t|", "long_name": "second-order / super-cooling field V2"}),
            "order": ("point", points["order"]),
            "delta_jump": ("point", points["delta_jump"], {"units": "|t|"}),
            "quartic_coefficient": ("point", points["quartic"], {"units": "1/|t|^3"}),
        },
        coords={"T": ("point", points["T"], {"units": "|t|"}),
                "T_over_Tc": ("point", points["T"] / ref.tc, {"units": "1"})},
    )
    tri = tricritical_point(points)
    return finalize(ds, model=model, Tc=points["Tc"], Tc_reference=ref.tc, Delta0_reference=ref.delta0,
                    HP_reference=ref.pauli_field, v=ref.v, kmesh=f"{n_k} k points, {spec.describe()}",
                    tolerance=tol, achieved_tolerance=achieved_tol,
                    tricritical_T_over_Tc=(tri[0] / ref.tc) if tri else "none",
                    tricritical_H_over_HP=(tri[1] / ref.pauli_field) if tri else "none")


def setup(model, reference_model, *, delta0: float | None = None, v: float | None = None,
          spec: QuadratureSpec | None = None, angle: float = 0.0) -> tuple[Reference, PairingProblem]:
    """Reference normalisation (zero field) and the pairing problem of ``model`` on the same
    resolution, its quadrature valid for in-plane fields at ``angle`` (rad from x)."""
    ref = reference_state(reference_model, delta0=delta0, v=v, spec=spec)
    problem = PairingProblem(model, quadrature_for(model, ref.spec, (angle,)), ref.v)
    return ref, problem


def converged_hc2(model, reference_model, *, delta0: float | None = None, v: float | None = None,
                  t_over_tc=None, n_points: int = 40, tol: float = 0.005,
                  spec: QuadratureSpec | None = None, angle: float = 0.0) -> xr.Dataset:
    """Hc2(T)/HP against T/Tc_ref converged to ``tol`` by refining the quadrature: relative to Hc2, or
    absolute tol x 0.1 HP where Hc2 < 0.1 HP (just below Tc; Tc itself is converged relatively).

    ``t_over_tc``: temperatures in units of the reference Tc (default ``n_points``
    values from 0.05 Tc of the reference to 0.995 of the model's own Tc).  ``angle``: the
    in-plane field direction (rad from x; the field is V (cos angle, sin angle, 0)).
    """
    angle = check_range("angle", angle)
    state = {}

    def compute(s, previous):
        ref, problem = setup(model, reference_model, delta0=delta0, v=v, spec=s, angle=angle)
        if previous is None:  # fix the temperatures once, so that passes compare like with like
            tc = critical_temperature(problem, t_max=ref.tc * 2)
            state["temps"] = (default_temperatures(ref, tc, n_points) if t_over_tc is None
                              else np.asarray(t_over_tc, dtype=float) * ref.tc)
        pts = hc2_points(problem, ref, temperatures=state["temps"], guess=previous and previous["points"],
                         angle=angle)
        state.update(ref=ref, pts=pts, n_k=len(problem.mesh))
        # compared as sqrt(Hc2^2 + (0.1 HP)^2): relative to Hc2 where Hc2 >> 0.1 HP, absolute (tol x 0.1 HP)
        # just below Tc, where Hc2 ~ sqrt(Tc - T) makes a relative change hypersensitive to Tc itself
        return {"Tc": pts["Tc"], "Tc_ref": ref.tc, "Hc2": np.hypot(pts["Hc2"], 0.1 * ref.pauli_field),
                "points": pts}

    start = spec or default_spec(delta0 if delta0 is not None else 0.02)
    _, achieved, final = converge(compute, start, tol)
    ds = hc2_dataset(state["pts"], state["ref"], model, achieved, final, state["n_k"], tol)
    ds.attrs.update(field_angle=angle, field_angle_units="rad (in-plane, from x)")
    return ds


def gap_map(problem: PairingProblem, ref: Reference, t_over_tc, h_over_hp, *, n_delta: int = 32,
            delta_max_ratio: float = 1.3, angle: float = 0.0) -> xr.Dataset:
    """Delta(T, V) of the global minimum on a grid (paper Fig. 3b, c).

    For each field one set of diagonalisations on a Delta grid serves every
    temperature; the minimum is located on the grid and refined by a parabola
    through its neighbours (resolution ~ (grid step)^3, recorded in attrs).
    Delta is normalised by the model's own Delta(T=0, V=0).
    """
    t_over_tc = np.asarray(t_over_tc, dtype=float)
    h_over_hp = np.asarray(h_over_hp, dtype=float)
    temps = t_over_tc * ref.tc
    grid = delta_max_ratio * ref.delta0 * np.linspace(0.0, 1.0, n_delta) ** 1.5
    out = np.zeros((len(temps), len(h_over_hp)))
    for j, h in enumerate(h_over_hp):
        land = problem.landscape(grid, temps, _field(h * ref.pauli_field, angle))  # (n_T, n_delta)
        for i in range(len(temps)):
            m = int(np.argmin(land[i]))
            if m == 0 or land[i, m] >= 0:
                continue
            if m == len(grid) - 1:
                raise ConvergenceError("gap above the map's delta range: raise delta_max_ratio")
            x0, x1, x2 = grid[m - 1:m + 2]
            y0, y1, y2 = land[i, m - 1:m + 2]
            # vertex of the parabola through the three points around the grid minimum
            num = (x1 - x0) ** 2 * (y1 - y2) - (x1 - x2) ** 2 * (y1 - y0)
            den = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0)
            out[i, j] = x1 - 0.5 * num / den if den != 0 else x1
    delta_zero = solve_gap(problem, 0.0, delta_max=delta_max_ratio * ref.delta0).delta
    ds = xr.Dataset(
        {"delta": (("T_over_Tc", "H_over_HP"), out, {"units": "|t|"}),
         "delta_over_delta0": (("T_over_Tc", "H_over_HP"), out / delta_zero, {"units": "1"})},
        coords={"T_over_Tc": t_over_tc, "H_over_HP": h_over_hp},
    )
    return finalize(ds, model=problem.model, Delta0_model=delta_zero, Tc_reference=ref.tc,
                    HP_reference=ref.pauli_field, v=ref.v, delta_grid_points=n_delta, field_angle=angle,
                    kmesh=f"{len(problem.mesh)} k points, {ref.spec.describe()}")
