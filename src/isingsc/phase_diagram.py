"""Workflows of the mean-field phase diagram: Tc, Delta0, Hc2(T) curves and Delta(T, V) maps.

Normalisation (paper Fig. 3): temperatures by Tc of the *reference* model and
fields by its Pauli field V_P = Delta0_ref / sqrt2, where the reference is the
isolated SC layer (Gamma = 0) for the heterostructure and effective models and
the model itself for an intrinsic Ising superconductor.  The pairing strength
v is fixed by the reference's zero-temperature gap Delta0 (or given directly).

Convergence: every quantity is computed on a :func:`~isingsc.quadrature.ray_quadrature`
and again on a refined one; the relative difference is the achieved tolerance,
refined further until it is below ``tol`` (default 0.5 %) or a ConvergenceError
says how far it got.  Mesh sizes and tolerances go into the Dataset attrs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from .errors import ConvergenceError, check_range
from .meanfield import PairingProblem, coupling_for_gap
from .quadrature import QuadratureSpec, normal_state_energy_fn, ray_quadrature
from .results import finalize
from .transitions import critical_temperature, quartic_coefficient, solve_gap  # noqa: F401
from .transitions import critical_field as _critical_field

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
    """Starting resolution: innermost radial panels of half-width Delta0/10 around each Fermi
    crossing, 12 angular and 8 radial Gauss nodes per panel.  (Coarser angular grids miss the
    Zeeman-split features at xi = +-V of width T at T < 0.05 Tc; ``converge`` checks.)"""
    return QuadratureSpec(energy_scale=delta0 / 10, n_theta=12, order=8)


def quadrature_for(model, spec: QuadratureSpec):
    """Wedge quadrature of ``model``, after checking numerically that its Nambu spectrum
    (with a test pairing and in-plane fields) has the D6 symmetry the wedge relies on."""
    from .lattice import check_spectral_symmetry

    for field in ((0.05, 0.0, 0.0), (0.03, 0.04, 0.0)):
        check_spectral_symmetry(lambda k: np.linalg.eigvalsh(model.bdg_hamiltonian(k, 0.01, field)),
                                "D6", name="model")
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
    """Run ``compute(spec)`` (returning a dict of numbers/arrays) on spec and refinements until
    the largest relative change of all entries is below tol; returns (result, achieved, spec)."""
    tol = check_range("tol", tol, lo=0.0, lo_open=True)
    previous = compute(spec)
    for _ in range(max_refinements):
        spec = spec.refined()
        current = compute(spec)
        change = max(float(np.max(np.abs(np.asarray(current[k]) - np.asarray(previous[k]))
                                  / np.maximum(np.abs(np.asarray(current[k])), 1e-300)))
                     for k in current if k in previous and np.size(current[k]) == np.size(previous[k]))
        if change <= tol:
            return current, change, spec
        previous = current
    raise ConvergenceError(f"not converged to tol={tol:g} after {max_refinements} refinements "
                           f"(last relative change {change:.3g}); raise tol or the starting resolution")


def hc2_points(problem: PairingProblem, ref: Reference, *, temperatures=None, n_points: int = 40,
               t_min_ratio: float = 0.05, v_max_ratio: float = 60.0, xtol: float = 1e-7) -> dict:
    """Critical field at each temperature, by root finding in the field.

    The second-order (instability) field V2(T), Omega''(0; T, V2) = 0, is
    bracketed by continuation from the previous temperature and found by Brent's
    method; where the quartic Landau coefficient there is negative the transition
    is first order and the thermodynamic field V1(T) > V2 (equal free energies)
    is found by root finding in V (:func:`~isingsc.transitions.critical_field`).
    ``temperatures`` in |t|; default ``n_points`` values from ``t_min_ratio`` Tc to 0.995 Tc.
    """
    tc = critical_temperature(problem, t_max=ref.tc * 2)
    if temperatures is None:
        temperatures = tc * np.linspace(t_min_ratio, 0.995, n_points)
    temps = np.sort(np.asarray(temperatures, dtype=float))[::-1]  # from Tc downwards: continuation
    vp = ref.pauli_field
    fields, b = [], []
    guess = 0.05 * vp
    for t in temps:
        f = lambda vx: problem.curvature([t], (vx, 0.0, 0.0))[0]
        if f(0.0) >= 0:
            raise ConvergenceError(f"T={t:g} is above Tc={tc:g}: no critical field")
        lo, hi = 0.0, guess
        while f(hi) < 0:
            lo, hi = hi, hi * 1.3
            if hi > v_max_ratio * vp:
                raise ConvergenceError(f"critical field above {v_max_ratio:g} HP at T={t:g}")
        v2 = brentq(f, lo, hi, xtol=xtol * vp, rtol=1e-12)
        fields.append(v2)
        b.append(quartic_coefficient(problem, t, v2, 0.02 * ref.delta0))
        guess = v2 * 1.02
    temps, fields, b = temps[::-1], np.array(fields)[::-1], np.array(b)[::-1]
    hc2 = fields.copy()
    order = np.where(b < 0, "first", "second").astype(object)
    jump = np.zeros_like(fields)
    for i in np.flatnonzero(b < 0):
        cf = _critical_field(problem, temps[i], delta_max=1.5 * ref.delta0, v_start=0.5 * fields[i],
                             v_max=v_max_ratio * vp)
        hc2[i], order[i], jump[i] = cf.field, cf.order, cf.delta_jump
    return {"T": temps, "Hc2": hc2, "V2": fields, "quartic": b, "order": order.astype(str),
            "delta_jump": jump, "Tc": tc}


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
          spec: QuadratureSpec | None = None) -> tuple[Reference, PairingProblem]:
    """Reference normalisation and the pairing problem of ``model`` on the same resolution."""
    ref = reference_state(reference_model, delta0=delta0, v=v, spec=spec)
    problem = PairingProblem(model, quadrature_for(model, ref.spec), ref.v)
    return ref, problem


def converged_hc2(model, reference_model, *, delta0: float | None = None, v: float | None = None,
                  t_over_tc=None, n_points: int = 40, tol: float = 0.005,
                  spec: QuadratureSpec | None = None) -> xr.Dataset:
    """Hc2(T)/HP against T/Tc_ref converged to ``tol`` (relative) by refining the quadrature.

    ``t_over_tc``: temperatures in units of the reference Tc (default ``n_points``
    values between 0.05 and 0.995 of the model's own Tc).
    """
    state = {}

    def compute(s):
        ref, problem = setup(model, reference_model, delta0=delta0, v=v, spec=s)
        temps = None if t_over_tc is None else np.asarray(t_over_tc, dtype=float) * ref.tc
        pts = hc2_points(problem, ref, temperatures=temps, n_points=n_points)
        state.update(ref=ref, pts=pts, n_k=len(problem.mesh))
        return {"Tc": pts["Tc"], "Tc_ref": ref.tc, "Hc2": pts["Hc2"]}

    start = spec or default_spec(delta0 if delta0 is not None else 0.02)
    _, achieved, final = converge(compute, start, tol)
    return hc2_dataset(state["pts"], state["ref"], model, achieved, final, state["n_k"], tol)


def gap_map(problem: PairingProblem, ref: Reference, t_over_tc, h_over_hp, *, n_delta: int = 32,
            delta_max_ratio: float = 1.3) -> xr.Dataset:
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
        land = problem.landscape(grid, temps, (h * ref.pauli_field, 0.0, 0.0))  # (n_T, n_delta)
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
                    HP_reference=ref.pauli_field, v=ref.v, delta_grid_points=n_delta,
                    kmesh=f"{len(problem.mesh)} k points, {ref.spec.describe()}")
