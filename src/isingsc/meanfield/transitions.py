"""Gap solutions, Tc, and the in-plane critical field with the order of the transition.

Built on :class:`isingsc.meanfield.pairing.PairingProblem`:

* :func:`solve_gap` — the phase at (T, V) is the **global minimum** of
  Omega(Delta) over Delta >= 0 (scanned on a grid, each local minimum refined
  with Brent's method on the exact free energy); other local minima are
  reported as metastable (super-heated / super-cooled) branches.
* :func:`critical_temperature` — root of Omega''(0; T) = 0 (pair susceptibility).
* :func:`critical_field` — at fixed T: the second-order (instability) field V2
  where Omega''(0) = 0, then, if a superconducting minimum with Omega < Omega_N
  survives above V2, the first-order field V1 where that minimum's free energy
  crosses zero (:func:`first_order_field`: root finding in V, never read off a grid).  Hc2 = V1 (first
  order, Delta jumps) or V2 (second order, Delta -> 0 continuously).
* :func:`quartic_coefficient` — the Landau coefficient b of Omega = a D^2 + b D^4
  on the second-order line; the tricritical point is where b changes sign.

All energies, fields (Zeeman energies V = mu_B B, as :class:`~isingsc.core.field.Field`) and
temperatures in |t|.  Functions at a given field take ``field=``; the critical-field searches,
which vary the strength, take the in-plane direction ``angle`` (rad from x).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from isingsc.core.errors import ConvergenceError, ParameterError, check_range
from isingsc.core.field import Field, as_field
from isingsc.meanfield.pairing import PairingProblem, check_temperature


def _field(strength, angle=0.0) -> Field:
    # root finders may probe a negative strength: the field of that signed magnitude along the angle
    return Field.in_plane(strength, angle) if strength >= 0 else Field.in_plane(-strength, angle + np.pi)


@dataclass(frozen=True)
class GapSolution:
    """The mean-field state at one (T, V).

    field : the Zeeman field; delta : gap of the global minimum (|t|);
    free_energy : Omega(delta) - Omega(0) (|t|/site);
    residual : gap-equation residual Delta - v F(Delta) at delta (|t|);
    metastable : other local minima as (delta, free_energy) pairs.
    """

    T: float
    field: Field
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


def solve_gap(problem: PairingProblem, T: float, field=None, *, delta_max: float,
              n_grid: int = 40, tol: float = 1e-6) -> GapSolution:
    """Global minimum of Omega(Delta) at (T, V); raises ConvergenceError if it is not stationary.

    ``delta_max`` bounds the search (choose ~1.5 x the zero-field gap); ``tol``
    is the relative tolerance on Delta (Brent) and on the residual.
    """
    T = float(check_temperature(T, allow_zero=True)[0])
    fv = as_field(field)
    delta_max = check_range("delta_max", delta_max, lo=0.0, lo_open=True)
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
    return GapSolution(T=T, field=fv, delta=best[0], free_energy=best[1], residual=float(resid),
                       metastable=tuple(minima[1:]))


def critical_temperature(problem: PairingProblem, field=None, *, t_max: float,
                         xtol: float = 1e-12, guess: float | None = None) -> float:
    """Tc: the root of Omega''(Delta=0; T, V) = 0 (pair susceptibility) below ``t_max``.

    From a ``guess`` (Tc on a coarser quadrature) by the secant method, accepted within 20 % of it with the
    curvature rising through the root (the normal state unstable below Tc); otherwise, and without a guess, by
    Brent's method in a bracket (a few evaluations instead of about twelve)."""
    check_range("t_max", t_max, lo=0.0, lo_open=True)
    fv = as_field(field)
    f = lambda t: problem.curvature([t], fv)[0]
    if guess is not None and 0.0 < guess:
        # a step to T <= 0 ends the secant (not finite), and the bracket takes over
        found = _secant_root(lambda t: f(t) if t > 0 else float("nan"), guess, xtol)
        if found is not None and 0.8 * guess < found[0] < 1.2 * guess and found[2] > 0:
            return float(found[0])
    lo = t_max
    while f(lo) < 0:
        lo *= 2
    hi_ok = t_max * 1e-3
    if f(hi_ok) > 0:
        raise ConvergenceError(f"normal state stable down to T={hi_ok:g}: no superconductivity at "
                               f"|V| = {fv.strength:g}", quantity="Tc")
    return brentq(f, hi_ok, lo, xtol=xtol)


def instability_field(problem: PairingProblem, T: float, *, v_start: float, v_max: float,
                      xtol: float = 1e-10, guess: float | None = None, angle: float = 0.0) -> float:
    """Second-order (normal-state instability / super-cooling) field V2(T): Omega''(0; T, V2) = 0.

    Root of the pair-susceptibility curvature (one diagonalisation of the Delta = 0
    blocks per trial field).  With ``guess`` (e.g. continuation from a neighbouring
    temperature) by the secant method from it, accepted if it stays within -30/+40 %
    of the guess and the curvature rises through the root (the normal state is unstable
    just below); otherwise (or without a guess) by Brent's method in ln V, in a bracket grown from
    ``v_start`` by steps to the predicted root (:func:`instability_point`).
    """
    return instability_point(problem, T, v_start=v_start, v_max=v_max, xtol=xtol, guess=guess, angle=angle).field


def _secant_root(f, x0: float, xtol: float, slope: float | None = None, maxiter: int = 12):
    """Secant iteration from x0 and x1 = a Newton step with the estimated ``slope`` (or x0 (1 + 1e-3)); (root,
    f(root), slope) once the Newton step |f / slope| at the latest point is below ``xtol`` (so f is known at the
    root returned), or None if it does not converge."""
    f0 = f(x0)
    x1 = x0 - f0 / slope if slope and np.isfinite(slope) and slope > 0 else x0 * 1.001
    if x1 == x0 or not 0.5 * x0 < x1 < 1.5 * x0:  # already at the root, or a step the slope cannot justify
        x1 = x0 * 1.001
    f1 = f(x1)
    for _ in range(maxiter):
        if f1 == f0 or not np.isfinite(f1):
            return None
        slope = (f1 - f0) / (x1 - x0)
        if abs(f1) <= abs(slope) * xtol:
            return x1, f1, slope
        x0, f0 = x1, f1
        x1 = x1 - f1 / slope
        f1 = f(x1)
    return None


class InstabilityPoint(NamedTuple):
    """V2 (|t|), the curvature Omega''(0) there (zero within the tolerance) and its slope dOmega''/dV (|t|^-1)."""

    field: float
    curvature: float
    slope: float


def instability_point(problem: PairingProblem, T: float, *, v_start: float, v_max: float,
                      xtol: float = 1e-10, guess: float | None = None, slope: float | None = None,
                      angle: float = 0.0, rtol: float = 1e-12) -> InstabilityPoint:
    """:func:`instability_field` with the curvature at the field and its slope returned (the Landau coefficient
    a = Omega''/2 there, known without another diagonalisation; the slope serves the next search).

    The secant from ``guess`` starts with a Newton step when ``slope`` (an estimate of dOmega''/dV near the
    root, e.g. from a neighbouring temperature) is given, and stops when the Newton step |Omega'' / slope| at its
    latest field is below ``xtol``: that field is returned, with its curvature; the root lies within ~``xtol``.
    ``rtol``: the relative tolerance of the bracketed search (Brent's method), e.g. 1e-4 for a root that only
    starts a secant on a finer quadrature.

    Without a guess (or where the secant fails) the root is bracketed from zero field by steps to the root
    predicted from the fields so far (:func:`_instability_bracket`) and found by Brent's method in ln V, where the
    curvature is nearly linear (tolerance xtol + rtol V, as in V).  The slope is then the secant to the nearest
    field evaluated within 1e-3 of the root (relative error below ~1e-3 x V2 x the curvature's second derivative
    over its first), else a forward difference."""
    rtol = check_range("rtol", rtol, lo=0.0, hi=0.1)
    f = lambda v: problem.curvature([T], _field(v, angle))[0]  # noqa: E731
    if guess is not None and guess > 0:
        # a step to V <= 0 ends the secant (not finite), and the bracket takes over
        found = _secant_root(lambda v: f(v) if v > 0 else float("nan"), guess, xtol, slope)
        # accepted close to the guess and with the curvature rising through the root: the normal state
        # is unstable just below it (the upper end of the superconducting region at this T)
        if found is not None and 0.7 * guess < found[0] < 1.4 * guess and found[2] > 0:
            return InstabilityPoint(float(found[0]), float(found[1]), float(found[2]))
    lo, f_lo, hi, f_hi = _instability_bracket(f, T, v_start, v_max)
    seen = {lo: f_lo, hi: f_hi}  # every field evaluated: the bracket's ends are not diagonalised again

    def f_seen(v):
        if v not in seen:
            seen[v] = f(v)
        return seen[v]

    if lo > 0:  # Brent's method in ln V, where f is nearly linear: tolerance xtol + rtol V as in V
        ends = {np.log(lo): lo, np.log(hi): hi}  # (exp(log V) need not be V exactly)
        root = float(np.exp(brentq(lambda u: f_seen(ends.get(u, np.exp(u))), np.log(lo), np.log(hi),
                                   xtol=xtol / hi + rtol, rtol=4 * np.finfo(float).eps)))
    else:
        root = brentq(f_seen, lo, hi, xtol=xtol, rtol=max(rtol, 4 * np.finfo(float).eps))  # Brent's floor
    at = f_seen(root)
    # the slope: a secant to the nearest field Brent's method evaluated between 1e-7 root (closer, the difference
    # loses digits) and 1e-3 root away (relative error ~ 1e-3 f''/f' V2 at most), else a forward difference
    near = min((v for v in seen if abs(v - root) >= 1e-7 * root), key=lambda v: abs(v - root), default=None)
    if near is None or abs(near - root) > 1e-3 * root:
        near = root + max(xtol, 1e-6 * root)
    return InstabilityPoint(float(root), float(at), float((f_seen(near) - at) / (near - root)))


#: Growth of the field bracket of :func:`instability_point` per step where no prediction is made, and the range
#: a prediction's step is clipped to.
BRACKET_GROWTH = 1.6
BRACKET_GROWTH_RANGE = (1.2, 4.0)


def _instability_bracket(f, T: float, v_start: float, v_max: float) -> tuple[float, float, float, float]:
    """Fields lo < hi with f(lo) < 0 <= f(hi), f(V) = Omega''(0; T, V), grown from zero field: (lo, f(lo), hi, f(hi)).

    Each step goes to the root predicted from the last two fields, 10 % further in ln V so that the new field
    brackets it: from zero field by f = f(0) + c V^2 (f is even in V), then by a secant in ln V (once V >> T the
    pair-breaking susceptibility is ~ a + b ln V: the Zeeman field cuts the BCS logarithm off at V instead of
    T, so the secant lands next to V2).  A step is clipped to :data:`BRACKET_GROWTH_RANGE` (a prediction from
    far below can neither stall nor leap far over a narrow window of f >= 0), and is :data:`BRACKET_GROWTH`
    where f did not rise.  Each field costs one diagonalisation of the Delta = 0 blocks."""
    f_lo = f(0.0)
    if f_lo >= 0:
        raise ParameterError("T", T, "T < Tc (the normal state is stable at zero field)")
    lo, hi = 0.0, v_start
    while (f_hi := f(hi)) < 0:
        growth = BRACKET_GROWTH
        if f_hi > f_lo:  # ln of the predicted root / hi
            log_ratio = np.log(hi / lo) * -f_hi / (f_hi - f_lo) if lo > 0 else 0.5 * np.log(-f_lo / (f_hi - f_lo))
            growth = float(np.exp(np.clip(1.1 * log_ratio, *np.log(BRACKET_GROWTH_RANGE))))
        lo, f_lo, hi = hi, f_hi, hi * growth
        if hi > v_max:
            raise ConvergenceError(f"no second-order field below vx={v_max:g} at T={T:g}")
    return lo, f_lo, hi, f_hi


class FirstOrderPoint(NamedTuple):
    """The first-order field V1 (|t|), the gap just below it (|t|), and dm/dV there from the last secant (per site:
    m is the branch's condensation free energy in |t| per site, V the Zeeman energy in |t|)."""

    field: float
    delta: float
    slope: float


@dataclass(frozen=True)
class CriticalField:
    """Hc2 at one temperature: field (|t|), transition_order ("first"/"second"), jump of Delta, V2."""

    T: float
    field: float
    transition_order: str
    delta_jump: float
    instability_field: float


def parabola_vertex(x, y):
    """Vertex (x_v, y_v) of the parabola through the three points (x[..., i], y[..., i]), i = 0, 1, 2, with
    x[..., 1] in the middle; (x[..., 1], y[..., 1]) where the parabola is not convex (no minimum).  Scalars
    for one triple, arrays for a batch (leading dimensions)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    x0, x1, x2 = np.moveaxis(x, -1, 0)
    y0, y1, y2 = np.moveaxis(y, -1, 0)
    d0, d2 = x0 - x1, x2 - x1
    s0, s2 = (y0 - y1) / d0, (y2 - y1) / d2
    curv = (s2 - s0) / (d2 - d0)  # y = y1 + slope u + curv u^2, u = x - x1
    slope = s0 - curv * d0
    convex = curv > 0
    safe = np.where(convex, curv, 1.0)
    xv = np.where(convex, x1 - slope / (2 * safe), x1)
    yv = np.where(convex, y1 - slope * slope / (4 * safe), y1)
    return (float(xv), float(yv)) if xv.ndim == 0 else (xv, yv)


def superconducting_branch(problem: PairingProblem, T: float, field, delta_guess: float,
                           rel_step: float = 0.05, trusted: bool = False) -> tuple[float, float]:
    """The local minimum of Phi(Delta) = Omega(Delta) - Omega(0) at (T, V) nearest ``delta_guess``.

    Three values of Phi spaced by ``rel_step`` x delta_guess are slid downhill until
    the middle one is lowest; the vertex of the parabola through them then has an
    error O(step^2) in Delta and O(step^3) in Phi, which is stationary there.  An
    untrusted guess (or one that had to slide) gets a second, centred parabola and an
    exact evaluation at its vertex; a ``trusted`` guess (predicted along a branch to
    ~1 %) uses a 1 % step and the parabola's minimum value.  The normal-state
    spectrum is computed once per field.  Returns (Phi_min, Delta_min) in (|t|, |t|),
    or (Phi at the floor, 0.0) when the branch has ended (the minimum slid below a
    third of the guess: past the super-heating field).
    """
    fv = as_field(field)
    normal = problem.thermal_levels(0.0, fv)
    phi = lambda d: problem.landscape(np.atleast_1d(d), [T], fv, normal=normal)[0]  # noqa: E731
    floor = delta_guess / 3
    centre, h0 = delta_guess, (0.01 if trusted else rel_step) * delta_guess
    for _pass in range(2):
        h = h0
        x = np.array([centre - h, centre, centre + h])
        y = phi(x)
        slid = False
        while not (y[1] <= y[0] and y[1] <= y[2]):
            slid = True
            if y[0] < y[1]:  # downhill towards smaller Delta
                if x[0] - h < floor:
                    return float(phi(floor)[0]), 0.0
                x, y = np.r_[x[0] - h, x[:2]], np.r_[phi(x[0] - h), y[:2]]
            else:
                x, y = np.r_[x[1:], x[2] + h], np.r_[y[1:], phi(x[2] + h)]
            h *= 1.5
        centre, y_vertex = parabola_vertex(x, y)
        if not slid:
            if trusted:
                return min(y_vertex, float(y[1])), centre
            break
    yv = float(phi(centre)[0])
    return (yv, centre) if yv <= y[1] else (float(y[1]), float(x[1]))


def first_order_field(problem: PairingProblem, T: float, *, v_low: float, delta_guess: float,
                      v_max: float, v_guess: float | None = None, xtol: float = 1e-9,
                      angle: float = 0.0, trusted_guess: bool = False,
                      slope: float | None = None) -> "FirstOrderPoint | None":
    """Field V1 > v_low where the superconducting minimum's free energy equals the normal state's.

    m(V) = min_Delta Phi(Delta; T, V) is evaluated with :func:`superconducting_branch`,
    the branch Delta*(V) being predicted by linear extrapolation from the fields
    already visited (starting at ``delta_guess``, the minimum near ``v_low``, where
    m < 0).  The zero of m is found by the secant method from ``v_guess`` (e.g.
    continuation from a neighbouring temperature), safeguarded by the bracket
    [last field with m < 0, first field with m >= 0] and bisection when a secant
    step leaves it; ``xtol`` is the absolute tolerance on V1 (|t|).  ``trusted_guess``: ``delta_guess`` and
    ``v_guess`` come from a converged solution of the same point (a coarser quadrature), so the branch
    is evaluated with the 1 % parabola from the first field on (as it is once two branch points agree);
    ``slope``, dm/dV near V1 from the same source, makes the second field a Newton step from ``v_guess``
    (overshooting it by 0.1 % so that the two fields bracket V1): two evaluations from a converged guess.
    Returns :class:`FirstOrderPoint` (V1, Delta just below V1, the last secant's dm/dV), or None when there is no
    superconducting minimum below the normal state at ``v_low`` (then the transition at
    v_low is not first order).
    """
    visited: list[tuple[float, float]] = []  # (V, Delta*) on the branch

    def predicted_delta(vx):
        if len(visited) < 2:
            return visited[0][1] if visited else delta_guess
        (v_a, d_a), (v_b, d_b) = sorted(visited, key=lambda p: abs(p[0] - vx))[:2]
        d = d_b + (d_a - d_b) * (vx - v_b) / (v_a - v_b) if v_a != v_b else d_a
        return min(max(d, 0.5 * min(d_a, d_b)), 1.5 * max(d_a, d_b))

    def m(vx):
        # a prediction between two nearby branch points that agree to 2 % is trusted (1 % step)
        trusted = (trusted_guess and len(visited) < 2) or \
            (len(visited) >= 2 and abs(visited[-1][1] - visited[-2][1]) < 0.02 * visited[-1][1])
        val, d = superconducting_branch(problem, T, _field(vx, angle), predicted_delta(vx), trusted=trusted)
        if d > 0:
            visited.append((vx, d))
        return val

    lo, hi = v_low, None  # m(lo) < 0 <= m(hi)
    if v_guess is not None and v_guess > v_low:
        # continuation: start at the guess with the guessed Delta; v_low is only a bracket end
        v_a, m_a = v_guess, m(v_guess)
        if m_a < 0:
            lo = v_a
        else:
            hi = v_a
        v_b = v_a * (1.001 if m_a < 0 else 0.999)
        if slope is not None and np.isfinite(slope) and slope > 0:
            step = -m_a / slope
            if abs(step) <= 0.02 * v_a:  # a larger step means the slope is not this branch's: the default
                v_b = v_a + 1.001 * step if abs(step) > 1e-9 * v_a else v_a * (1 + (1e-7 if m_a < 0 else -1e-7))
        v_b = max(v_b, 0.5 * (v_low + v_a))
    else:
        v_a, m_a = v_low, m(v_low)
        if not m_a < 0:
            return None  # no superconducting minimum below the normal state: not first order
        v_b = v_low * 1.001  # near a tricritical point V1 - V2 is tiny
    for _ in range(60):
        if v_b > v_max:
            raise ConvergenceError(f"superconducting minimum persists up to vx={v_max:g} at T={T:g}")
        m_b = m(v_b)
        if m_b < 0:
            lo = max(lo, v_b)
        else:
            hi = v_b if hi is None else min(hi, v_b)
        secant = (m_b - m_a) / (v_b - v_a) if v_b != v_a else 0.0
        v_new = v_b - m_b / secant if secant != 0.0 else v_b * 1.02
        if hi is None:
            v_new = min(max(v_new, v_b * 1.002), v_b * 1.5)  # still looking for m >= 0: move up
        elif not lo < v_new < hi:
            v_new = 0.5 * (lo + hi)  # the secant left the bracket: bisect
        if abs(v_new - v_b) <= xtol or (hi is not None and hi - lo <= xtol):
            v1 = v_new if hi is None or lo <= v_new <= hi else 0.5 * (lo + hi)
            below = [p for p in visited if p[0] <= v1]
            return FirstOrderPoint(v1, max(below, key=lambda p: p[0])[1] if below else delta_guess, secant)
        v_a, m_a, v_b = v_b, m_b, v_new
    raise ConvergenceError(f"first-order field not converged at T={T:g} (bracket [{lo:g}, {hi}])")


def critical_field(problem: PairingProblem, T: float, *, delta_max: float, v_start: float,
                   v_max: float, xtol: float = 1e-9, n_grid: int = 16, v2_guess: float | None = None,
                   v1_guess: float | None = None, delta_guess: float | None = None,
                   angle: float = 0.0) -> CriticalField:
    """Thermodynamic in-plane critical field at temperature T and the order of the transition.

    V2 from the curvature (:func:`instability_field`); then a superconducting minimum
    below the normal state just above V2 is looked for (around ``delta_guess`` if
    given, else on a coarse Delta grid up to ``delta_max``).  If there is one, the
    transition is first order and V1 > V2 solves Omega_SC(V1) = Omega_N
    (:func:`first_order_field`, root finding in V, never read off a grid).
    Hc2 = V1 (first order, Delta jumps) or V2 (second order, Delta -> 0 continuously).
    """
    v2 = instability_field(problem, T, v_start=v_start, v_max=v_max, xtol=xtol, guess=v2_guess, angle=angle)
    v_above = v2 * (1 + 1e-6) + 1e-12
    if delta_guess is None or not delta_guess > 0:
        grid = delta_max * np.linspace(0.0, 1.0, n_grid + 1)[1:] ** 1.5
        land = problem.landscape(grid, [T], _field(v_above, angle))[0]
        i = int(np.argmin(land))
        if land[i] >= 0:
            return CriticalField(T=T, field=v2, transition_order="second", delta_jump=0.0, instability_field=v2)
        delta_guess = float(grid[i])
    elif superconducting_branch(problem, T, _field(v_above, angle), delta_guess)[0] >= 0:
        return CriticalField(T=T, field=v2, transition_order="second", delta_jump=0.0, instability_field=v2)
    found = first_order_field(problem, T, v_low=v_above, delta_guess=delta_guess, v_max=v_max,
                              v_guess=v1_guess, xtol=xtol, angle=angle)
    if found is None:
        return CriticalField(T=T, field=v2, transition_order="second", delta_jump=0.0, instability_field=v2)
    v1, jump, _ = found
    return CriticalField(T=T, field=v1, transition_order="first", delta_jump=jump, instability_field=v2)


def quartic_coefficient(problem: PairingProblem, T: float, field, h: float) -> float:
    """Landau b in Omega = a D^2 + b D^4 + c D^6 from Omega(h), Omega(2h) and a = Omega''(0)/2."""
    fv = as_field(field)
    a = 0.5 * problem.curvature([T], fv)[0]
    w1, w2 = problem.landscape([h, 2 * h], [T], fv)[0] - a * np.array([h * h, 4 * h * h])
    return (64 * w1 - w2) / (48 * h**4)
