"""Gap solutions, Tc, and the in-plane critical field with the order of the transition.

Built on :class:`isingsc.meanfield.PairingProblem`:

* :func:`solve_gap` — the phase at (T, V) is the **global minimum** of
  Omega(Delta) over Delta >= 0 (scanned on a grid, each local minimum refined
  with Brent's method on the exact free energy); other local minima are
  reported as metastable (super-heated / super-cooled) branches.
* :func:`critical_temperature` — root of Omega''(0; T) = 0 (pair susceptibility).
* :func:`critical_field` — at fixed T: the second-order (instability) field V2
  where Omega''(0) = 0, then, if a superconducting minimum with Omega < Omega_N
  survives above V2, the first-order field V1 where that minimum's free energy
  crosses zero (root finding in V, never read off a grid).  Hc2 = V1 (first
  order, Delta jumps) or V2 (second order, Delta -> 0 continuously).
* :func:`quartic_coefficient` — the Landau coefficient b of Omega = a D^2 + b D^4
  on the second-order line; the tricritical point is where b changes sign.

All energies, fields (Zeeman energies V = mu_B B) and temperatures in |t|.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from .errors import ConvergenceError, ParameterError, check_range
from .meanfield import PairingProblem, check_temperature
from .tightbinding import as_field


def _field(vx, angle=0.0):
    return np.array([vx * np.cos(angle), vx * np.sin(angle), 0.0])


@dataclass(frozen=True)
class GapSolution:
    """The mean-field state at one (T, V).

    delta : gap of the global minimum (|t|); free_energy : Omega(delta) - Omega(0) (|t|/site);
    residual : gap-equation residual Delta - v F(Delta) at delta (|t|);
    metastable : other local minima as (delta, free_energy) pairs.
    """

    T: float
    vx: float
    delta: float
    free_energy: float
    residual: float
    metastable: tuple = field(default_factory=tuple)


def _local_minima(values: np.ndarray) -> list[int]:
    idx = []
    if values[1] > values[0]:
        idx.append(0)
    for i in range(1, len(values) - 1):
        if values[i] <= values[i - 1] and values[i] < values[i + 1]:
            idx.append(i)
    if values[-1] < values[-2]:
        idx.append(len(values) - 1)
    return idx


def solve_gap(problem: PairingProblem, T: float, vx: float = 0.0, *, delta_max: float,
              n_grid: int = 40, tol: float = 1e-6, angle: float = 0.0) -> GapSolution:
    """Global minimum of Omega(Delta) at (T, V); raises ConvergenceError if it is not stationary.

    ``delta_max`` bounds the search (choose ~1.5 x the zero-field gap); ``tol``
    is the relative tolerance on Delta (Brent) and on the residual.
    """
    T = float(check_temperature(T, allow_zero=True)[0])
    vx = check_range("vx", vx, lo=0.0)
    delta_max = check_range("delta_max", delta_max, lo=0.0, lo_open=True)
    fv = _field(vx, angle)
    grid = delta_max * np.linspace(0.0, 1.0, n_grid) ** 1.5  # denser at small Delta
    land = problem.landscape(grid, [T], fv)[0]
    if land[-1] <= land[:-1].min():
        raise ConvergenceError(f"free energy still decreasing at delta_max={delta_max:g}: increase delta_max")
    minima = []
    for i in _local_minima(land):
        if i == 0:
            minima.append((0.0, 0.0))
            continue
        res = minimize_scalar(lambda d: problem.free_energy(d, [T], fv)[0],
                              bounds=(grid[i - 1], grid[i + 1]), method="bounded",
                              options={"xatol": tol * delta_max})
        minima.append((float(res.x), float(res.fun)))
    minima.sort(key=lambda m: m[1])
    best = minima[0]
    resid = problem.residual(best[0], T, fv) if best[0] > 0 else 0.0
    if best[0] > 0 and abs(resid) > 1e3 * tol * delta_max:
        raise ConvergenceError(f"gap equation not satisfied at delta={best[0]:.6g}: residual {resid:.3g} |t|")
    return GapSolution(T=T, vx=vx, delta=best[0], free_energy=best[1], residual=float(resid),
                       metastable=tuple(minima[1:]))


def critical_temperature(problem: PairingProblem, vx: float = 0.0, *, t_max: float,
                         xtol: float = 1e-12) -> float:
    """Tc: the root of Omega''(Delta=0; T, V) = 0 (pair susceptibility) below ``t_max``."""
    check_range("t_max", t_max, lo=0.0, lo_open=True)
    fv = _field(vx)
    f = lambda t: problem.curvature([t], fv)[0]
    lo = t_max
    while f(lo) < 0:
        lo *= 2
    hi_ok = t_max * 1e-3
    if f(hi_ok) > 0:
        raise ConvergenceError(f"normal state stable down to T={hi_ok:g}: no superconductivity at vx={vx:g}")
    return brentq(f, hi_ok, lo, xtol=xtol)


def instability_field(problem: PairingProblem, T: float, *, v_start: float, v_max: float,
                      xtol: float = 1e-10) -> float:
    """Second-order (normal-state instability / super-cooling) field V2(T): Omega''(0; T, V2) = 0."""
    f = lambda v: problem.curvature([T], _field(v))[0]
    if f(0.0) >= 0:
        raise ParameterError("T", T, "T < Tc (the normal state is stable at zero field)")
    lo, hi = 0.0, v_start
    while f(hi) < 0:
        lo, hi = hi, hi * 1.6
        if hi > v_max:
            raise ConvergenceError(f"no second-order field below vx={v_max:g} at T={T:g}")
    return brentq(f, lo, hi, xtol=xtol)


@dataclass(frozen=True)
class CriticalField:
    """Hc2 at one temperature: field (|t|), order ("first"/"second"), jump of Delta, V2."""

    T: float
    field: float
    order: str
    delta_jump: float
    instability_field: float


def superconducting_branch(problem: PairingProblem, T: float, vx: float, window: tuple[float, float],
                           xatol: float) -> tuple[float, float]:
    """Lowest Omega(Delta) - Omega(0) for Delta inside ``window`` at (T, V): (free energy, Delta).

    The normal-state sum is computed once per field; Brent's bounded method
    then needs one diagonalisation per trial Delta.
    """
    fv = _field(vx)
    base = problem.quasiparticle_term(0.0, T, fv)
    res = minimize_scalar(lambda d: d * d / problem.v + problem.quasiparticle_term(d, T, fv) - base,
                          bounds=window, method="bounded", options={"xatol": xatol})
    return float(res.fun), float(res.x)


def critical_field(problem: PairingProblem, T: float, *, delta_max: float, v_start: float,
                   v_max: float, xtol: float = 1e-9, n_grid: int = 24) -> CriticalField:
    """Thermodynamic in-plane critical field at temperature T and the order of the transition.

    V2 from the curvature; then one coarse Delta scan just above V2 looks for a
    superconducting minimum below the normal state.  If there is one, the
    transition is first order and V1 solves Omega_SC(V1) = Omega_N by Brent's
    method, the minimum being tracked in a window around its last position.
    """
    v2 = instability_field(problem, T, v_start=v_start, v_max=v_max, xtol=xtol)
    grid = delta_max * np.linspace(0.0, 1.0, n_grid)[1:] ** 1.5
    v_above = v2 * (1 + 1e-6) + 1e-12
    land = problem.landscape(grid, [T], _field(v_above))[0]
    i = int(np.argmin(land))
    if land[i] >= 0:
        return CriticalField(T=T, field=v2, order="second", delta_jump=0.0, instability_field=v2)
    xatol = 1e-7 * delta_max
    track = {"delta": float(grid[i])}

    def omega_sc(vx):
        d = track["delta"]
        window = (max(0.5 * d, grid[0] * 0.5), min(1.5 * d, delta_max))
        val, d_new = superconducting_branch(problem, T, vx, window, xatol)
        if val < 0:
            track["delta"] = d_new
        return val

    lo, hi = v_above, v_above * 1.05
    while omega_sc(hi) < 0:
        lo, hi = hi, hi * 1.05
        if hi > v_max:
            raise ConvergenceError(f"superconducting minimum persists up to vx={v_max:g} at T={T:g}")
    v1 = brentq(omega_sc, lo, hi, xtol=xtol)
    return CriticalField(T=T, field=v1, order="first", delta_jump=track["delta"], instability_field=v2)


def quartic_coefficient(problem: PairingProblem, T: float, vx: float, h: float) -> float:
    """Landau b in Omega = a D^2 + b D^4 + c D^6 from Omega(h), Omega(2h) and a = Omega''(0)/2."""
    a = 0.5 * problem.curvature([T], _field(vx))[0]
    w1 = problem.free_energy(h, [T], _field(vx))[0] - a * h * h
    w2 = problem.free_energy(2 * h, [T], _field(vx))[0] - 4 * a * h * h
    return (64 * w1 - w2) / (48 * h**4)
