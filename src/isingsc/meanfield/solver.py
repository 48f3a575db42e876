"""The mean-field pipeline: one object per model, every thermodynamic observable as a Dataset.

::

    import isingsc
    mf = isingsc.MeanField("intrinsic", mu=2.7, beta_so=0.01)       # or MeanField(model, delta0=...)
    mf.tc()                      # Tc, Delta0 and the reference's (converged, with the mesh that did it)
    mf.gap(T=0.005, field=isingsc.Field.in_plane(0.02, angle=0.3))   # Delta(T, V), free energy, branches
    ds = mf.hc2(n_points=20)     # Hc2(T) and the order of the transition;  ds.sel(T=..., method="nearest")
    mf.hc2_vs_angle(0.5, angles) # Hc2(phi) at T = 0.5 Tc
    mf.gap_map(temperatures, fields)

**Normalisation** (paper Fig. 3): the pairing strength v is fixed by the zero-temperature, zero-field
gap Delta0 of the *reference* model (or given as v); temperatures are reported against Tc of the
model itself (``T_over_Tc``) and of the reference (``T_over_Tc_reference``), fields against the
reference's Pauli field HP = Delta0 / sqrt 2 (``H_over_HP``).  The reference is the isolated SC layer
for the heterostructure and its effective models, the model itself otherwise (the catalogue says).

**Convergence**: every observable is computed on a Brillouin-zone quadrature
(:func:`~isingsc.meanfield.quadrature.quadrature_for`) and again on refined ones until the largest
relative change is below ``tol`` (default 0.5 %); the Dataset attrs carry the achieved tolerance,
the number of k points and the quadrature.  At a temperature T and a field V whose Zeeman-split
Fermi crossings the zero-field panels cannot resolve, the solve runs on the quadrature with extra
panels there (:func:`~isingsc.meanfield.quadrature.mesh_at_field`).  A calculation that cannot
converge raises :class:`~isingsc.core.errors.ConvergenceError` carrying what it achieved.

Energies, fields (Zeeman energies V = mu_B B) and temperatures in |t| (k_B = 1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from isingsc.core import config
from isingsc.core.errors import ConvergenceError, ParameterError, check_positive_int, check_range
from isingsc.core.field import Field, as_field
from isingsc.core.progress import logger, track
from isingsc.lattice.quadrature import PolarQuadrature, QuadratureSpec
from isingsc.meanfield.pairing import PairingProblem, coupling_for_gap, pairing_vertex
from isingsc.meanfield.quadrature import mesh_at_field, needs_field_panels, quadrature_for
from isingsc.meanfield.transitions import (critical_field, critical_temperature, first_order_field,
                                           instability_field, instability_point, parabola_vertex, solve_gap)
from isingsc.models.catalogue import ResolvedModel, as_nambu_model, as_resolved, resolve
from isingsc.models.symmetry import detect_facts

if TYPE_CHECKING:  # xarray is imported where a Dataset is built: a sweep's workers read numbers (hc2_points)
    import xarray as xr

SQRT2 = np.sqrt(2.0)
#: Default relative tolerance of every reported mean-field number.
DEFAULT_TOL = 0.005
#: Refinements of the quadrature before giving up.
MAX_REFINEMENTS = 3
#: Lowest default temperature of an Hc2 curve, in units of the reference Tc.
T_MIN_RATIO = 0.05


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
    """Starting resolution: innermost radial panels of half-width Delta0/3 around each Fermi crossing
    (at zero field and, where needed, at the field being solved) growing by 3x, 4 angular and 5 radial
    Gauss nodes per panel; :func:`converge` measures the error against :meth:`QuadratureSpec.refined`.
    (On the paper's heterostructure its Hc2 agrees with a 10x finer quadrature to ~4e-5.)"""
    return QuadratureSpec(energy_scale=delta0 / 3, n_theta=4, order=5, growth=3.0)


def converge(compute, spec: QuadratureSpec, tol: float, *, quantity: str = "result",
             max_refinements: int = MAX_REFINEMENTS):
    """Run ``compute(spec, previous)`` (returning a dict of numbers/arrays; ``previous`` is the
    result on the coarser spec, or None, for warm starts) on spec and refinements until the
    largest relative change of all entries is below tol; returns (result, achieved, spec).
    The result reported is the finer one; ``achieved`` bounds the error of the coarser."""
    tol = check_range("tol", tol, lo=0.0, lo_open=True, hi=0.5)
    with config.single_threaded_blas():  # the kernels' threads fill the cores
        return _converge(compute, spec, tol, quantity, max_refinements)


def _converge(compute, spec, tol, quantity, max_refinements):
    logger.info("converge: pass 1 on %s", spec.describe())
    previous = compute(spec, None)
    change = float("inf")
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
    raise ConvergenceError(f"{quantity} not converged to tol={tol:g} after {max_refinements} refinements of the "
                           f"quadrature (last relative change {change:.3g}, last {spec.describe()})",
                           quantity=quantity, achieved=change, requested=tol, resolution=spec.describe(),
                           suggestion=f"raise tol above {change:.2g}, or start from a finer quadrature (spec=)")


#: Reference states (v, Tc, Delta0 on a quadrature) of separate reference models, by (Hamiltonian fingerprint,
#: quadrature spec, delta0, v): computed once per process (the most recent 64 kept).
_REFERENCES: dict = {}


@dataclass(frozen=True)
class _Pass:
    """Everything one resolution needs: the reference state, the model's rays and its pairing problem,
    and the model's zero-field Tc on them (computed once)."""

    spec: QuadratureSpec
    reference: Reference
    rays: PolarQuadrature
    problem: PairingProblem
    cache: dict

    @property
    def tc(self) -> float:
        """Zero-field Tc of the model on this quadrature (|t|)."""
        return self.critical_temperature()

    def critical_temperature(self, guess: float | None = None) -> float:
        """Zero-field Tc of the model on this quadrature (|t|; computed once), by the secant method from
        ``guess`` (Tc on the previous, coarser quadrature) where given."""
        if "tc" not in self.cache:
            self.cache["tc"] = critical_temperature(self.problem, t_max=2 * self.reference.tc, guess=guess)
        return self.cache["tc"]


class Hc2Points(NamedTuple):
    """Hc2(T) as numbers (:meth:`MeanField.hc2_points`): ``points`` holds arrays over the temperatures, ascending
    (``T``, ``Hc2``, ``V2`` (the instability field), ``order`` ("first" | "second"), ``delta_jump``, ``quartic``,
    ``k_points``; |t|) and the model's ``Tc``; fields are Zeeman energies at ``angle`` (rad); the largest relative
    change under refinement is ``achieved_tolerance`` on the quadrature ``spec`` (``kmesh_points`` k points)."""

    points: dict
    reference: Reference
    angle: float
    achieved_tolerance: float
    spec: QuadratureSpec
    kmesh_points: int

    @property
    def hc2_over_hp(self) -> np.ndarray:
        """Hc2 / HP, HP = Delta0 / sqrt2 of the reference (Chandrasekhar-Clogston)."""
        return self.points["Hc2"] / self.reference.pauli_field


class MeanField:
    """Mean-field thermodynamics of one model: Tc, Delta(T, V), Hc2(T), Hc2(phi), Delta maps.

    Parameters
    ----------
    model : a catalogue name (``"intrinsic"``), a :class:`~isingsc.models.catalogue.ResolvedModel`
        (:func:`isingsc.model`) or any :class:`~isingsc.models.base.NambuModel` (its own reference).
    delta0 : zero-temperature, zero-field gap of the reference model (|t|), fixing the pairing
        strength v; default the catalogue's value for the model.  Or give ``v`` (|t| x site).
    tol : relative tolerance of every reported number (default 0.5 %).
    spec : starting quadrature (default :func:`default_spec` of Delta0).
    reference : the model whose zero-field Delta0 fixes v and whose Tc and HP normalise the results, in
        place of the catalogue's (default: the isolated SC layer for the heterostructure and its
        effective models, the model itself otherwise; for a bare model, itself).
    **parameters : parameter overrides when ``model`` is a catalogue name.
    """

    def __init__(self, model, *, delta0: float | None = None, v: float | None = None, tol: float = DEFAULT_TOL,
                 spec: QuadratureSpec | None = None, reference=None, **parameters):
        if parameters:
            if not isinstance(model, str):
                raise ParameterError(next(iter(parameters)), next(iter(parameters.values())),
                                     "parameter overrides only with a catalogue name (else build the model with them)")
            model = resolve(model, overrides=parameters)
        self.model: ResolvedModel = as_resolved(model)
        if reference is not None:
            self.model = replace(self.model, reference=as_nambu_model(reference))
        self.model.require("pairing")
        pairing_vertex(self.model.model)  # refuses bond and finite-momentum pairing before any work
        if delta0 is not None and v is not None:
            raise ParameterError("delta0/v", (delta0, v), "only one of delta0 and v")
        if delta0 is None and v is None:
            delta0 = self.model.delta0
        self.delta0 = None if delta0 is None else check_range("delta0", delta0, lo=0.0, lo_open=True, hi=1.0)
        self.v = None if v is None else check_range("v", v, lo=0.0, lo_open=True, hi=100.0)
        self.tol = check_range("tol", tol, lo=0.0, lo_open=True, hi=0.5)
        self.spec = spec or default_spec(self.delta0 if self.delta0 is not None else 0.02)
        self._passes: dict[QuadratureSpec, _Pass] = {}
        self._reference_facts = None
        if not self.model.facts.pockets:
            # no Fermi pocket detected: fail now, not at the first solve, if the normal state has no
            # Fermi surface at all (quadrature_for raises ModelCapabilityError then)
            quadrature_for(self.model.model, self.spec, facts=self.model.facts, label=self.model.name)

    # ------------------------------------------------------------------ resolution
    @property
    def _ref_facts(self):
        if self.model.reference is self.model.model:
            return self.model.facts
        if self._reference_facts is None:
            self._reference_facts = detect_facts(self.model.reference)
        return self._reference_facts

    def pass_at(self, spec: QuadratureSpec | None = None) -> _Pass:
        """The reference state, rays and pairing problem on the quadrature ``spec`` (cached)."""
        spec = spec or self.spec
        if spec in self._passes:
            return self._passes[spec]
        rays = quadrature_for(self.model.model, spec, facts=self.model.facts, label=self.model.name)
        mesh = rays.mesh()
        same = self.model.reference is self.model.model
        if same:
            ref, problem = self._reference_on(self.model.model, mesh, spec)
        else:
            # a separate reference (the isolated SC layer) is the same for every model of a sweep over the coupling
            # or the TMD: its state on this quadrature is kept for the process (keyed by its Hamiltonian)
            key = (getattr(self.model.reference, "fingerprint", None), spec, self.delta0, self.v)
            ref = _REFERENCES.get(key) if key[0] is not None else None
            if ref is None:
                ref_mesh = quadrature_for(self.model.reference, spec, facts=self._ref_facts,
                                          label=f"{self.model.name} (its reference)").mesh()
                ref, _ = self._reference_on(self.model.reference, ref_mesh, spec)
                if key[0] is not None:
                    _REFERENCES[key] = ref
                    while len(_REFERENCES) > 64:
                        _REFERENCES.pop(next(iter(_REFERENCES)))
            problem = PairingProblem(self.model.model, mesh, ref.v)
        self._passes[spec] = _Pass(spec, ref, rays, problem, {"tc": ref.tc} if same else {})
        return self._passes[spec]

    def _reference_on(self, ref_model, ref_mesh, spec: QuadratureSpec) -> tuple[Reference, PairingProblem]:
        """v (from Delta0, or given), Delta0 and Tc of the reference model on its mesh, and its pairing problem."""
        v = self.v if self.v is not None else coupling_for_gap(ref_model, ref_mesh, self.delta0)
        ref_problem = PairingProblem(ref_model, ref_mesh, v)
        delta0 = self.delta0
        if delta0 is None:
            delta0 = solve_gap(ref_problem, 0.0, delta_max=_delta_bound(ref_problem)).delta
            if delta0 <= 0.0:
                raise ConvergenceError(f"no superconducting gap at T = 0 for v = {v:g}: the pairing is too weak to "
                                       "resolve", quantity="Delta0", suggestion="raise v, or give delta0 instead")
        tc = critical_temperature(ref_problem, t_max=delta0)
        return Reference(v=v, tc=tc, delta0=delta0, points=len(ref_mesh), spec=spec), ref_problem

    def reference_state(self) -> Reference:
        """v, Tc and Delta0 of the reference model on the starting quadrature (|t|)."""
        return self.pass_at().reference

    def problem_at(self, p: _Pass, T: float, fields=()) -> PairingProblem:
        """The pairing problem for a solve at temperature T and the given fields: the pass's own, or one
        with extra panels at the Zeeman-split crossings of the fields the zero-field panels cannot resolve."""
        wanted = [as_field(f) for f in fields if f is not None]
        wanted = [f for f in wanted if needs_field_panels(self.model.model, p.rays, f, T)]
        if not wanted:
            return p.problem
        mesh = mesh_at_field(self.model.model, p.rays, wanted[0]) if len(wanted) == 1 else \
            p.rays.mesh(extra_crossings=_merged_crossings(self.model.model, p.rays, wanted))
        return PairingProblem(self.model.model, mesh, p.reference.v)

    def problem_for(self, T: float, fields=(), spec: QuadratureSpec | None = None) -> PairingProblem:
        """The pairing problem (quadrature and v) for a solve at temperature T (|t|) and ``fields``, on the
        quadrature ``spec`` (default the starting one), with panels at their Zeeman-split crossings as needed."""
        return self.problem_at(self.pass_at(spec), T, fields)

    def _attrs(self, achieved, spec: QuadratureSpec, n_k: int, tol) -> dict:
        return {"kmesh": f"{n_k} k points, {spec.describe()}", "kmesh_points": n_k, "tolerance": tol,
                "achieved_tolerance": achieved}

    def _finalize(self, ds: xr.Dataset, ref: Reference, **attrs) -> xr.Dataset:
        from isingsc.core.results import finalize

        return finalize(ds, model=self.model, Tc_reference=ref.tc, Delta0_reference=ref.delta0,
                        HP_reference=ref.pauli_field, v=ref.v, reference_model=getattr(self.model.reference, "name", ""),
                        **attrs)

    # ------------------------------------------------------------------ Tc, Delta0
    def tc(self, field=None, *, gap: bool = True) -> xr.Dataset:
        """Tc at ``field`` (default zero; the pair-susceptibility root Omega''(0; Tc, V) = 0) and, with ``gap``,
        the T = 0, zero-field gap Delta0 of the model, with the reference's Tc and Delta0 (|t|), converged to
        ``tol``."""
        f = as_field(field)
        info = {}

        def compute(spec, _previous):
            p = self.pass_at(spec)
            if f.strength == 0.0:
                tc, n_k = p.critical_temperature(_previous_tc(_previous)), len(p.problem.mesh)
            else:
                problem = self.problem_at(p, p.reference.tc, [f])
                tc, n_k = critical_temperature(problem, f, t_max=2 * p.reference.tc), len(problem.mesh)
            info.update(p=p, n_k=n_k)
            out = {"Tc": tc, "Tc_ref": p.reference.tc}
            if gap:
                d0 = solve_gap(p.problem, 0.0, delta_max=_delta_bound(p.problem)).delta
                out["Delta0"] = d0 if d0 > 0 else 0.0
            return out

        res, achieved, spec = converge(compute, self.spec, self.tol, quantity="Tc and Delta0" if gap else "Tc")
        ref = info["p"].reference
        import xarray as xr

        ds = xr.Dataset({
            "Tc": ((), res["Tc"], {"units": "|t|", "long_name": "critical temperature (k_B = 1)"}),
            "Tc_over_Tc_reference": ((), res["Tc"] / ref.tc, {"units": "1"}),
        })
        if gap:
            ds["Delta0"] = ((), res["Delta0"], {"units": "|t|", "long_name": "gap at T = 0, zero field"})
            ds["Delta0_over_Tc"] = ((), res["Delta0"] / res["Tc"] if res["Tc"] > 0 else np.nan, {"units": "1"})
        return self._finalize(ds, ref, **f.attrs(), **self._attrs(achieved, spec, info["n_k"], self.tol))

    # ------------------------------------------------------------------ Delta(T, V)
    def gap(self, T: float, field=None) -> xr.Dataset:
        """The mean-field state at (T, V): the gap Delta of the global minimum of Omega(Delta), its
        condensation free energy Omega(Delta) - Omega(0) (|t| per site), the gap-equation residual, and
        the other local minima (super-heated / super-cooled branches, dimension ``branch``); converged."""
        T = check_range("T", T, lo=0.0)
        f = as_field(field)
        info = {}

        def compute(spec, _previous):
            p = self.pass_at(spec)
            problem = self.problem_at(p, max(T, 0.05 * p.reference.tc), [f])
            sol = solve_gap(problem, T, f, delta_max=max(1.5 * p.reference.delta0, _delta_bound(problem)))
            info.update(p=p, sol=sol, n_k=len(problem.mesh))
            # the free energy is compared on the scale of the condensation energy ~ N0 Delta0^2 / 2
            scale = 1e-2 * p.reference.delta0**2
            return {"delta": np.hypot(sol.delta, 1e-3 * p.reference.delta0),
                    "free_energy": np.hypot(sol.free_energy, scale)}

        _, achieved, spec = converge(compute, self.spec, self.tol, quantity="the gap")
        sol, ref = info["sol"], info["p"].reference
        meta = np.array(sol.metastable, dtype=float).reshape(-1, 2)
        import xarray as xr

        ds = xr.Dataset({
            "delta": ((), sol.delta, {"units": "|t|", "long_name": "gap of the global minimum of Omega"}),
            "free_energy": ((), sol.free_energy, {"units": "|t| per site", "long_name": "Omega(Delta) - Omega(0)"}),
            "residual": ((), sol.residual, {"units": "|t|", "long_name": "gap-equation residual Delta - v F(Delta)"}),
            "metastable_delta": (("branch",), meta[:, 0], {"units": "|t|", "long_name": "other local minima"}),
            "metastable_free_energy": (("branch",), meta[:, 1], {"units": "|t| per site"}),
        }, coords={"T": ((), T, {"units": "|t|"}), "branch": ("branch", np.arange(len(meta)))})
        ds = ds.assign_coords(T_over_Tc_reference=T / ref.tc, H_over_HP=f.strength / ref.pauli_field)
        return self._finalize(ds, ref, **f.attrs(), **self._attrs(achieved, spec, info["n_k"], self.tol))

    # ------------------------------------------------------------------ Hc2(T)
    def hc2(self, t_over_tc=None, *, temperatures=None, n_points: int = 20, angle: float = 0.0) -> xr.Dataset:
        """Hc2(T) for an in-plane field at ``angle`` (rad from x), with the order of the transition: the Dataset
        of :meth:`hc2_points` (over ``T``: Hc2, Hc2_over_HP, instability_field V2, transition_order,
        delta_jump, quartic_coefficient, k_points; the tricritical point, convergence and quadrature in attrs)."""
        return self._hc2_dataset(self.hc2_points(t_over_tc, temperatures=temperatures, n_points=n_points,
                                                 angle=angle))

    def hc2_points(self, t_over_tc=None, *, temperatures=None, n_points: int = 20,
                   angle: float = 0.0) -> "Hc2Points":
        """The numbers of :meth:`hc2`, without building a Dataset (a sweep's workers read a few floats and need not
        import xarray): Hc2(T) for an in-plane field at ``angle`` (rad from x), with the order of the transition.

        Hc2 is the thermodynamic transition field, by root finding in the field: the second-order
        line Omega''(0; T, V2) = 0, or -- where a superconducting minimum below the normal state
        survives above V2 -- the first-order field V1 where its free energy equals the normal state's.
        Temperatures: ``t_over_tc`` as fractions of the model's own Tc (each refinement its own Tc,
        so that T < Tc always holds), or absolute ``temperatures`` (|t|), or by default ``n_points``
        values from 0.05 Tc of the reference (the paper's Tc0) to 0.995 Tc.  Converged: relative to Hc2,
        or absolutely (tol x 0.1 HP) where Hc2 < 0.1 HP just below Tc.
        """
        angle = check_range("angle", angle, lo=-10.0, hi=10.0)
        if t_over_tc is not None and temperatures is not None:
            raise ParameterError("t_over_tc/temperatures", "both", "only one of t_over_tc and temperatures")
        reduced = None if t_over_tc is None else _sorted_positive("t_over_tc", t_over_tc, upper=1.0)
        absolute = None if temperatures is None else _sorted_positive("temperatures", temperatures)
        n_points = check_positive_int("n_points", n_points, 2)
        state = {}

        def compute(spec, previous):
            p = self.pass_at(spec)
            tc = p.critical_temperature(_previous_tc(previous))
            if absolute is not None:
                if absolute[-1] >= tc:
                    raise ParameterError("temperatures", float(absolute[-1]), f"T < Tc = {tc:.6g} |t| of the model")
                temps = absolute
            else:
                if "x" not in state:  # the reduced grid is fixed on the first pass: passes compare like with like
                    state["x"] = reduced if reduced is not None else np.linspace(
                        min(T_MIN_RATIO * p.reference.tc, 0.5 * tc) / tc, 0.995, n_points)
                temps = state["x"] * tc
            pts = self._hc2_points(p, temps, tc, angle, guess=previous and previous["points"])
            state.update(p=p, pts=pts, n_k=len(p.problem.mesh))
            return {"Tc": tc, "Tc_ref": p.reference.tc, "Hc2": np.hypot(pts["Hc2"], 0.1 * p.reference.pauli_field),
                    "points": pts}

        _, achieved, spec = converge(compute, self.spec, self.tol, quantity="Hc2(T)")
        return Hc2Points(points=state["pts"], reference=state["p"].reference, angle=angle,
                         achieved_tolerance=achieved, spec=spec, kmesh_points=state["n_k"])

    def _hc2_points(self, p: _Pass, temps, tc: float, angle: float, guess: dict | None = None,
                    v_max_ratio: float = 60.0, xtol: float = 1e-6) -> dict:
        """Critical field at each temperature (|t|), from Tc downwards (continuation).

        The second-order (instability) field V2(T), Omega''(0; T, V2) = 0, by the secant method from a
        guess (previous pass, or linear extrapolation from the two previous temperatures) or Brent's
        method in a grown bracket; the quartic Landau coefficient b there (from Omega at Delta = h, 2h)
        and Omega on a geometric Delta grid (0.1-1.2 Delta0).  If b < 0 or the grid finds a
        superconducting minimum below the normal state, the transition is first order and V1 > V2
        (equal free energies) is found by root finding in V (:func:`first_order_field`).  Each
        temperature is solved on the quadrature with panels at the Zeeman-split crossings of its
        guessed field where needed (re-solved once if the field found is far from the guess).
        ``xtol``: absolute field tolerance in units of HP.
        """
        ref = p.reference
        temps = np.sort(np.asarray(temps, dtype=float))[::-1]
        vp = ref.pauli_field
        h = 0.02 * ref.delta0
        grid = ref.delta0 * np.geomspace(0.1, 1.2, 5)
        out = {key: np.zeros(len(temps)) for key in ("Hc2", "V2", "quartic", "delta_jump", "slope", "m_slope")}
        order, points_used = [], []
        first_order = []  # (T, V1, Delta at V1) of the consecutive first-order points so far
        for i, t in enumerate(track(temps, "Hc2(T)", unit="T")):
            x = len(temps) - 1 - i  # index of this temperature in the ascending arrays of the previous pass
            v2_guess = _matching(guess, "V2", x)
            if v2_guess is None and i >= 2:  # linear extrapolation in T
                v2_guess = out["V2"][i - 1] + (out["V2"][i - 1] - out["V2"][i - 2]) * (
                    (t - temps[i - 1]) / (temps[i - 1] - temps[i - 2]))
            elif v2_guess is None and i == 1:
                v2_guess = 1.1 * out["V2"][0]
            v1_hint = _matching(guess, "Hc2", x)
            hints = [Field.in_plane(v, angle) for v in (v2_guess, v1_hint) if v and v > 0]
            problem = self.problem_at(p, t, hints)
            # dOmega''/dV from the previous pass at this T, else from the previous temperature: a Newton first step
            slope = _matching(guess, "slope", x) or (out["slope"][i - 1] if i else None)
            # without a guess the root only seeds the solve below on the quadrature with panels at its field:
            # Brent's method to 1e-4 of it is enough
            v2, curv, slope = instability_point(problem, t, v_start=0.05 * vp, v_max=v_max_ratio * vp, xtol=xtol * vp,
                                                guess=v2_guess, slope=slope, angle=angle,
                                                rtol=1e-12 if v2_guess else 1e-4)
            if not v2_guess or needs_field_panels(self.model.model, p.rays, Field.in_plane(abs(v2 - v2_guess), angle), t):
                problem = self.problem_at(p, t, [Field.in_plane(v2, angle)] + hints[1:])
                v2, curv, slope = instability_point(problem, t, v_start=0.05 * vp, v_max=v_max_ratio * vp,
                                                    xtol=xtol * vp, guess=v2, slope=slope, angle=angle)
            out["slope"][i] = slope
            points_used.append(len(problem.mesh))
            fv = Field.in_plane(v2, angle)
            a = 0.5 * curv  # Landau a = Omega''(0)/2 at V2 (zero within xtol), from the root search itself
            normal = problem.thermal_levels(0.0, fv)
            land = problem.landscape(np.r_[h, 2 * h], [t], fv, normal=normal)[0]
            w1, w2 = land[0] - a * h * h, land[1] - 4 * a * h * h
            b = (64 * w1 - w2) / (48 * h**4)
            # the Delta grid looks for a superconducting minimum below the normal state that the Landau
            # coefficient b >= 0 would miss; not needed where a previous pass knows the order, nor where b < 0
            # and the first-order branch continues from the previous temperature
            known = _matching(guess, "order_code", x)
            if known is None and not (b < 0 and first_order):
                land = np.r_[land, problem.landscape(grid, [t], fv, normal=normal)[0]]
            else:  # a previous pass's first-order point is searched again whatever b says here
                land = np.r_[land, np.full(len(grid), -1.0 if known == 1 else 1.0)]
            out["V2"][i], out["quartic"][i], out["Hc2"][i] = v2, b, v2
            logger.debug("T = %.6g: V2 = %.8g, quartic b = %.3g", t, v2, b)
            j = int(np.argmin(land[2:]))
            if b >= 0 and land[2 + j] >= 0:
                order.append("second")
                first_order.clear()
                continue
            delta_guess = _matching(guess, "delta_jump", x)
            trusted = bool(delta_guess) and bool(v1_hint)  # the same point on the previous (coarser) quadrature
            # dm/dV of the previous temperature's first-order point: a Newton step for the second field
            m_slope_prev = out["m_slope"][i - 1] if first_order and i else None
            v1_guess = v1_hint
            if not delta_guess and first_order:  # continuation from the previous first-order point(s)
                (t1, v1_prev, d1_prev), *older = first_order[::-1]
                delta_guess, v1_guess = d1_prev, v1_guess or v1_prev / out["V2"][i - 1] * v2
                if older and older[0][0] == temps[i - 2]:  # two in a row: linear extrapolation in T
                    t0, v0, d0 = older[0]
                    y = (t - t1) / (t1 - t0)
                    delta_guess = d1_prev + (d1_prev - d0) * y
                    v1_guess = v1_hint or v1_prev + (v1_prev - v0) * y
            elif not delta_guess and land[2 + j] < 0 and known is None:
                delta_guess = grid[j]
            elif not delta_guess:  # Landau: Omega = b D^4 + c D^6 at V2 has its minimum at D^2 = -b / 3c
                c = (w2 - 16 * w1) / (48 * h**6)
                delta_guess = float(np.clip(np.sqrt(-b / (3 * c)), h, grid[0])) if c > 0 else grid[0]
            found = first_order_field(problem, t, v_low=v2 * (1 + 1e-6), delta_guess=delta_guess,
                                      v_max=v_max_ratio * vp, v_guess=v1_guess, xtol=xtol * vp, angle=angle,
                                      trusted_guess=trusted,
                                      slope=_matching(guess, "m_slope", x) if trusted else m_slope_prev)
            if found is None:  # b < 0 within noise, but no minimum below the normal state
                order.append("second")
                first_order.clear()
                continue
            v1, jump, out["m_slope"][i] = found
            out["Hc2"][i], out["delta_jump"][i] = v1, jump
            logger.debug("T = %.6g: first order, V1 = %.8g, Delta jump %.4g", t, v1, jump)
            order.append("first")
            first_order.append((t, v1, jump))
        rev = slice(None, None, -1)
        order = np.array(order[::-1], dtype=str)
        return {"T": temps[rev], "Hc2": out["Hc2"][rev], "V2": out["V2"][rev],
                "quartic": out["quartic"][rev], "slope": out["slope"][rev], "m_slope": out["m_slope"][rev], "order": order, "order_code": (order == "first").astype(float),
                "delta_jump": out["delta_jump"][rev], "Tc": tc, "k_points": np.array(points_used[::-1])}

    def _hc2_dataset(self, sol: Hc2Points) -> xr.Dataset:
        import xarray as xr

        pts, ref, angle = sol.points, sol.reference, sol.angle
        ds = xr.Dataset(
            {
                "Hc2": ("T", pts["Hc2"], {"units": "|t|", "long_name": "upper critical field (Zeeman energy mu_B B)"}),
                "Hc2_over_HP": ("T", sol.hc2_over_hp, {"units": "1"}),
                "instability_field": ("T", pts["V2"], {"units": "|t|", "long_name": "second-order / super-cooling field V2"}),
                "transition_order": ("T", pts["order"], {"long_name": "order of the transition at Hc2 (first | second)"}),
                "delta_jump": ("T", pts["delta_jump"], {"units": "|t|", "long_name": "jump of Delta at a first-order Hc2"}),
                "quartic_coefficient": ("T", pts["quartic"], {"units": "|t|^-3", "long_name": "Landau b at V2"}),
                "k_points": ("T", pts["k_points"], {"units": "1", "long_name": "k points of the quadrature at this T"}),
            },
            coords={"T": ("T", pts["T"], {"units": "|t|", "long_name": "temperature (k_B = 1)"}),
                    "T_over_Tc": ("T", pts["T"] / pts["Tc"], {"units": "1", "long_name": "T / Tc of the model"}),
                    "T_over_Tc_reference": ("T", pts["T"] / ref.tc, {"units": "1", "long_name": "T / Tc of the reference"})},
        )
        tri = tricritical_point(pts)
        return self._finalize(ds, ref, Tc=pts["Tc"], field_angle=angle, field_angle_units="rad",
                              tricritical_T_over_Tc_reference=(tri[0] / ref.tc) if tri else "none",
                              tricritical_H_over_HP=(tri[1] / ref.pauli_field) if tri else "none",
                              **self._attrs(sol.achieved_tolerance, sol.spec, sol.kmesh_points, self.tol))

    # ------------------------------------------------------------------ Hc2(phi)
    def hc2_vs_angle(self, t_over_tc: float, angles=None, *, second_order_only: bool = False) -> xr.Dataset:
        """Hc2(phi) at T = ``t_over_tc`` x Tc (the model's own) for in-plane field angles ``angles``
        (rad; default 24 values over 2 pi), converged to ``tol``.  At each angle the transition field
        of :func:`~isingsc.meanfield.transitions.critical_field` (or only V2 with ``second_order_only``)."""
        angles = np.linspace(0.0, 2 * np.pi, 24, endpoint=False) if angles is None else np.asarray(angles, float)
        if angles.ndim != 1 or angles.size == 0 or not np.all(np.isfinite(angles)):
            raise ParameterError("angles", angles, "a 1D list of finite angles (rad)")
        x = check_range("t_over_tc", t_over_tc, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
        state = {}

        def compute(spec, previous):
            p = self.pass_at(spec)
            tc = p.critical_temperature(_previous_tc(previous))
            T, vp = x * tc, p.reference.pauli_field
            hc2, v2, order = [], [], []
            guess = None
            for i, a in enumerate(angles):
                hint = previous["Hc2"][i] if previous else guess
                problem = self.problem_at(p, T, [Field.in_plane(hint, a)] if hint else [])
                if second_order_only:
                    fv = instability_field(problem, T, v_start=0.05 * vp, v_max=60 * vp, xtol=1e-7 * vp,
                                           guess=hint, angle=a)
                    hc2.append(fv), v2.append(fv), order.append("second")
                else:
                    cf = critical_field(problem, T, delta_max=1.5 * p.reference.delta0, v_start=0.05 * vp,
                                        v_max=60 * vp, xtol=1e-7 * vp, v2_guess=hint, angle=a)
                    hc2.append(cf.field), v2.append(cf.instability_field), order.append(cf.transition_order)
                guess = v2[-1]
            state.update(p=p, T=T, tc=tc, v2=np.array(v2), order=order, n_k=len(p.problem.mesh))
            return {"Tc": tc, "Hc2": np.array(hc2)}

        res, achieved, spec = converge(compute, self.spec, self.tol, quantity="Hc2(phi)")
        ref, vp = state["p"].reference, state["p"].reference.pauli_field
        import xarray as xr

        ds = xr.Dataset(
            {"Hc2": ("angle", res["Hc2"], {"units": "|t|", "long_name": "upper critical field (Zeeman energy)"}),
             "Hc2_over_HP": ("angle", res["Hc2"] / vp, {"units": "1"}),
             "V2_over_HP": ("angle", state["v2"] / vp, {"units": "1", "long_name": "second-order (instability) field"}),
             "transition_order": ("angle", np.array(state["order"], dtype=str))},
            coords={"angle": ("angle", angles, {"units": "rad", "long_name": "in-plane field angle from x"})},
        )
        return self._finalize(ds, ref, T=state["T"], T_over_Tc=x, Tc=state["tc"],
                              transition="second-order field only" if second_order_only
                              else "thermodynamic (first or second order)",
                              **self._attrs(achieved, spec, state["n_k"], self.tol))

    # ------------------------------------------------------------------ Delta(T, V) maps
    def gap_map(self, temperatures, fields, *, angle: float = 0.0, n_delta: int = 32,
                delta_max_ratio: float = 1.3) -> xr.Dataset:
        """Delta(T, V) of the global minimum of Omega on a grid of ``temperatures`` and field strengths
        ``fields`` (|t|, in-plane at ``angle``) (paper Fig. 3b, c), normalised by the model's own
        Delta(T=0, V=0); converged like every other observable.

        For each field one set of diagonalisations on a grid of ``n_delta`` values of Delta serves every
        temperature, on the quadrature with panels at that field's Zeeman-split crossings; the global
        minimum is bracketed on the grid and located by two parabolas, the second through points a
        quarter of a grid step apart around the first one's vertex.  The map is refined like the other
        observables until the largest change of Delta/Delta0 is below ``tol`` (an absolute tolerance on
        Delta/Delta0, the map's scale); a cell that changes between superconducting and normal from one
        quadrature to the next (a first-order boundary moving by less than the tolerance across the
        cell centre) does not count and the number of them is in ``attrs["cells_changing_phase"]``.
        """
        temps = np.atleast_1d(np.asarray(temperatures, dtype=float))
        strengths = np.atleast_1d(np.asarray(fields, dtype=float))
        for name, arr in (("temperatures", temps), ("fields", strengths)):
            if arr.ndim != 1 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise ParameterError(name, arr, "a 1D list of finite values >= 0 (|t|)")
        n_delta = check_positive_int("n_delta", n_delta, minimum=8)
        info = {}

        def compute(spec, previous):
            p = self.pass_at(spec)
            ref = p.reference
            grid = delta_max_ratio * ref.delta0 * np.linspace(0.0, 1.0, n_delta) ** 1.5
            t_panels = max(float(temps.min()), 0.05 * ref.tc)
            out = np.stack([_global_minima(self.problem_at(p, t_panels, [f]), grid, temps, f)
                            for f in (Field.in_plane(v, angle) for v in strengths)], axis=-1)
            delta_zero = solve_gap(p.problem, 0.0, delta_max=delta_max_ratio * ref.delta0).delta
            ratio = out / delta_zero
            changed = np.zeros(ratio.shape, dtype=bool) if previous is None else \
                (ratio > 0) != (previous["map"]["ratio"] > 0)
            info.update(p=p, delta=out, delta_zero=delta_zero, changed=int(changed.sum()),
                        n_k=max(len(p.problem.mesh), 1))
            # compared on the map's own scale: |change of Delta/Delta0| (hypot with 1), phase changes aside
            scale = np.hypot(ratio, 1.0)
            if previous is not None:
                scale = np.where(changed, previous["map_scale"], scale)
            return {"map_scale": scale, "Delta0": delta_zero, "map": {"ratio": ratio}}  # a dict: not compared

        result, achieved, spec = converge(compute, self.spec, self.tol, quantity="the Delta map")
        ref = info["p"].reference
        import xarray as xr

        ds = xr.Dataset(
            {"delta": (("T", "field"), info["delta"], {"units": "|t|", "long_name": "gap of the global minimum"}),
             "delta_over_delta0": (("T", "field"), result["map"]["ratio"], {"units": "1"})},
            coords={"T": ("T", temps, {"units": "|t|"}), "field": ("field", strengths, {"units": "|t|",
                                                                                      "long_name": "Zeeman energy mu_B B"}),
                    "T_over_Tc_reference": ("T", temps / ref.tc, {"units": "1"}),
                    "H_over_HP": ("field", strengths / ref.pauli_field, {"units": "1"})},
        )
        return self._finalize(ds, ref, Delta0_model=info["delta_zero"], delta_grid_points=n_delta, field_angle=angle,
                              field_angle_units="rad", cells_changing_phase=info["changed"],
                              **self._attrs(achieved, spec, info["n_k"], self.tol))

    # ------------------------------------------------------------------ Omega(Delta)
    def free_energy(self, deltas, T, field=None) -> xr.Dataset:
        """Condensation free energy Omega(Delta) - Omega(0) (|t| per site) on a grid of Delta (|t|) for
        each temperature T (|t|) at ``field``, on the starting quadrature (its stationary points solve
        the gap equation; the phase is the global minimum)."""
        deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
        temps = np.atleast_1d(np.asarray(T, dtype=float))
        if np.any(deltas < 0) or not np.all(np.isfinite(deltas)):
            raise ParameterError("deltas", deltas, "finite values >= 0 (|t|)")
        f = as_field(field)
        p = self.pass_at()
        problem = self.problem_at(p, max(float(temps.min()), 0.05 * p.reference.tc), [f])
        land = problem.landscape(deltas, temps, f)
        import xarray as xr

        ds = xr.Dataset({"free_energy": (("T", "delta"), land, {"units": "|t| per site",
                                                                "long_name": "Omega(Delta) - Omega(0)"})},
                        coords={"T": ("T", temps, {"units": "|t|"}), "delta": ("delta", deltas, {"units": "|t|"})})
        return self._finalize(ds, p.reference, **f.attrs(), kmesh=f"{len(problem.mesh)} k points, {p.spec.describe()}",
                              achieved_tolerance="not refined (starting quadrature)")


# ------------------------------------------------------------------ helpers
def _sorted_positive(name, values, upper: float | None = None) -> np.ndarray:
    arr = np.sort(np.atleast_1d(np.asarray(values, dtype=float)))
    bad = (arr.ndim != 1) or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0) or \
        (upper is not None and np.any(arr >= upper))
    if bad:
        raise ParameterError(name, values, "finite values > 0" + (f" and < {upper:g}" if upper is not None else ""))
    return arr


def _previous_tc(previous: dict | None) -> float | None:
    """The model's Tc on the previous (coarser) quadrature of :func:`converge`, the secant's start, or None."""
    return float(previous["Tc"]) if previous and "Tc" in previous else None


def _matching(guess: dict | None, key: str, index: int):
    """The value of ``guess[key]`` at the same temperature (index, ascending T) of an earlier pass, or None."""
    if not guess:
        return None
    return float(guess[key][index])


def _global_minima(problem: PairingProblem, grid: np.ndarray, temps: np.ndarray, field: Field) -> np.ndarray:
    """Delta of the global minimum of Omega(Delta) at each temperature (0 where Omega >= 0 everywhere): the
    grid minimum, a parabola through it and its neighbours, then a parabola through points a quarter of a
    grid step apart around that vertex (one diagonalisation per Delta for all temperatures each time)."""
    land = problem.landscape(grid, temps, field)  # (n_T, n_delta)
    m = np.argmin(land, axis=1)
    if np.any((m == len(grid) - 1) & (land[np.arange(len(temps)), m] < 0)):
        raise ConvergenceError("gap above the map's Delta range", quantity="Delta map",
                               suggestion="raise delta_max_ratio")
    sc = (m > 0) & (land[np.arange(len(temps)), m] < 0)
    out = np.zeros(len(temps))
    if not np.any(sc):
        return out
    idx = np.clip(m, 1, len(grid) - 2)[:, None] + np.array([-1, 0, 1])
    first, _ = parabola_vertex(grid[idx], np.take_along_axis(land, idx, axis=1))
    step = 0.25 * (grid[idx[:, 2]] - grid[idx[:, 0]]) / 2
    local = np.maximum(first[:, None] + step[:, None] * np.array([-1.0, 0.0, 1.0]), 0.0)
    points = np.unique(local[sc])
    fine = problem.landscape(points, temps[sc], field)  # (n_sc, n_points)
    y = np.take_along_axis(fine, np.searchsorted(points, local[sc]), axis=1)
    out[sc], _ = parabola_vertex(local[sc], y)
    return out


def _delta_bound(problem: PairingProblem) -> float:
    """An upper bound on the zero-temperature gap: grow until Omega rises again."""
    d = 0.01
    while True:
        land = problem.landscape(np.array([d, 2 * d]), [0.0])[0]
        if land[1] > land[0] and land[1] > 0:
            return 2 * d
        d *= 2
        if d > 50:
            raise ConvergenceError("no bounded gap below 50 |t|: pairing strength too large", quantity="Delta0",
                                   suggestion="lower v or delta0 (weak coupling: Delta0 well below the bandwidth)")


def _merged_crossings(model, rays: PolarQuadrature, fields) -> list:
    from isingsc.meanfield.quadrature import band_energy_function

    both = not rays.group.startswith("D6")
    return rays.crossings(band_energy_function(model, tuple(fields), both_signs=both))


def tricritical_point(points: dict) -> tuple[float, float] | None:
    """(T*, V*) where the quartic coefficient changes sign along the second-order line (linear interpolation of b)."""
    b, t, v = points["quartic"], points["T"], points["V2"]
    idx = np.flatnonzero(np.sign(b[:-1]) != np.sign(b[1:]))
    if len(idx) == 0:
        return None
    i = idx[-1]
    w = b[i] / (b[i] - b[i + 1])
    return float(t[i] + w * (t[i + 1] - t[i])), float(v[i] + w * (v[i + 1] - v[i]))


def angular_harmonics(ds: xr.Dataset, var: str = "Hc2_over_HP", orders=(2, 4, 6)) -> dict[int, float]:
    """|c_n| / c_0 of the Fourier series of an Hc2(phi) Dataset (:meth:`MeanField.hc2_vs_angle`) on equally
    spaced angles covering 2 pi: the n-fold components (2: two-fold, 6: six-fold)."""
    phi = ds.angle.values
    y = ds[var].values
    n = len(phi)
    if not np.allclose(np.diff(phi), 2 * np.pi / n, atol=1e-9):
        raise ParameterError("angles", "not equally spaced over 2pi", "equally spaced angles covering 0..2pi")
    c0 = y.mean()
    return {m: float(abs(np.mean(y * np.exp(-1j * m * phi))) * 2 / c0) for m in orders}


#: Default field of :func:`nodal_state` in units of the zero-field gap at that temperature: inside the
#: nodal window Delta(V) < V < Hc2 of the paper's heterostructure at Gamma = 0.5.
NODAL_FIELD_OVER_GAP = 1.4


def nodal_state(meanfield: MeanField, t_over_tc: float, strength: float | None = None,
                angle: float = 0.0) -> tuple[float, float]:
    """(Delta, |V|): the self-consistent gap at T = t_over_tc x Tc of the reference and an in-plane field of
    strength |V| (|t|) at ``angle``; by default |V| = NODAL_FIELD_OVER_GAP x the zero-field gap at that T
    (the nodal regime of the paper's Fig. 4 with the pairing of Fig. 3).  Delta = 0: above Hc2."""
    x = check_range("t_over_tc", t_over_tc, lo=0.0, lo_open=True, hi=1.0)
    T = x * meanfield.reference_state().tc
    if strength is None:
        strength = NODAL_FIELD_OVER_GAP * float(meanfield.gap(T).delta)
    strength = check_range("field strength", strength, lo=0.0, hi=5.0)
    return float(meanfield.gap(T, Field.in_plane(strength, angle)).delta), strength
