"""What one sweep point computes: Tc, Delta0, Hc2 at T/Tc, nodal phase and W(ky).

:func:`compute_point` runs on a Dask worker.  It never raises for a physics or input
failure: the error message is returned and stored with the point, so one bad point does
not stop a sweep.  Each point is computed from scratch (no warm start from its
neighbours), so a result does not depend on which worker ran it or in what order: a
resumed sweep ends with exactly the values of an uninterrupted one.

Normalisation (as in ``isingsc hc2`` and paper Fig. 3): the reference model is the
isolated SC layer (Gamma = 0) for ``heterostructure`` and ``effective``, the model itself
for ``intrinsic``; the pairing strength v is fixed by the reference's Delta0 (or given).
"""

from __future__ import annotations

import numpy as np

from isingsc.core.errors import IsingscError, ParameterError
from isingsc.models.paper import (HeterostructureParams, IsingParams, effective_model, fit_effective_model,
                      heterostructure_model, intrinsic_ising_model, sc_model)
from isingsc.core.field import Field
from isingsc.workflows.sweep.spec import MODEL_PARAMETERS, settings_of

SQRT2 = np.sqrt(2.0)

#: Variables written per quantity: name -> (units, description).
VARIABLES: dict[str, dict[str, tuple[str, str]]] = {
    "Tc": {
        "Tc": ("|t|", "zero-field critical temperature (pair susceptibility root), k_B = 1"),
        "Tc_over_Tc0": ("1", "Tc / Tc of the reference (isolated SC layer; the model itself for intrinsic)"),
    },
    "Delta0": {
        "Delta0": ("|t|", "zero-temperature, zero-field gap (global minimum of Omega)"),
    },
    "Hc2": {
        "Hc2": ("|t|", "in-plane critical field as Zeeman energy mu_B B at T = t_over_tc x Tc, "
                       "field at field_angle"),
        "Hc2_over_HP": ("1", "Hc2 / HP, HP = Delta0_reference / sqrt 2 (Pauli limit of the reference)"),
        "transition_order": ("1", "order of the transition at Hc2: 1 = first, 2 = second"),
        "T_Hc2": ("|t|", "temperature of the Hc2 point"),
    },
    "nodal": {
        "n_nodes": ("1", "number of zeros of the BdG spectrum in the BZ at Vx = vx_over_delta x topology_delta"),
        "nodal": ("1", "1 = nodal topological phase (n_nodes > 0), 0 = gapped"),
    },
    "winding": {
        "max_abs_winding": ("1", "max over ky of |W(ky)| (kx loop, chiral basis)"),
        "flat_band_fraction": ("1", "sum over ky intervals of |W| x length / BZ length: Majorana flat-band "
                                    "zero modes per edge per ky, averaged over ky"),
    },
}
#: Convergence of the mean-field quantities, written when any of them is computed.
CONVERGENCE = {
    "achieved_tol": ("1", "largest relative change of the mean-field numbers under quadrature refinement"),
    "kmesh_points": ("1", "k points of the final (finer) quadrature in the irreducible wedge"),
}
MEANFIELD = ("Tc", "Delta0", "Hc2")
TOPOLOGY = ("nodal", "winding")


def variables_for(quantities) -> dict[str, tuple[str, str]]:
    """All variables a sweep with these quantities writes, in a fixed order."""
    out: dict[str, tuple[str, str]] = {}
    for q in quantities:
        out.update(VARIABLES[q])
    if any(q in MEANFIELD for q in quantities):
        out.update(CONVERGENCE)
    return out


def _params(model_name: str, values: dict):
    names = MODEL_PARAMETERS[model_name]
    given = {k: values[k] for k in names if k in values}
    if model_name == "intrinsic":
        return IsingParams(**given)
    return HeterostructureParams(**given)


def _model_file(model, values: dict):
    """The :class:`~isingsc.models.modelfile.ModelFile` of a file-described model, its parameters overridden
    by the point's values (the TOML text travels with the task: workers need no shared file system)."""
    from isingsc.models.modelfile import loads_model

    probe = loads_model(model["text"], model["file"])
    overrides = {k: float(values[k]) for k in probe.parameters if k in values}
    return loads_model(model["text"], model["file"], overrides) if overrides else probe


def build_models(model_name, values: dict, construct: bool = True):
    """(model, reference, delta0, v) of one point; with ``construct=False`` only validates.

    ``model_name``: a built-in name, or {"file": path, "text": TOML} for a model file.
    """
    delta0, v = values.get("delta0"), values.get("v")
    if (delta0 is None) == (v is None):
        raise ParameterError("delta0/v", (delta0, v), "exactly one of delta0 and v")
    if isinstance(model_name, dict):
        mf = _model_file(model_name, values)
        return None if not construct else (mf.model, mf.reference, delta0, v)
    params = _params(model_name, values)
    if not construct:
        return None
    if model_name == "intrinsic":
        model = intrinsic_ising_model(params)
        return model, model, delta0, v
    model = heterostructure_model(params) if model_name == "heterostructure" else effective_model(params)
    return model, sc_model(params), delta0, v


def topology_model(model_name, values: dict):
    """The model whose BdG spectrum is classified: the exact heterostructure, the fitted
    effective model (Eq. 8 form with Z Delta, :func:`~isingsc.models.paper.fit_effective_model`) for
    ``effective`` (the literal Eq. 8 model has poles where the TMD has a Fermi surface), or the
    intrinsic Ising model."""
    if isinstance(model_name, dict):
        return _model_file(model_name, values).model
    params = _params(model_name, values)
    if model_name == "heterostructure":
        return heterostructure_model(params)
    if model_name == "effective":
        return fit_effective_model(params).model()
    return intrinsic_ising_model(params)


def _meanfield(model_name, quantities, values: dict, settings: dict) -> dict:
    from isingsc.meanfield.phase_diagram import _delta_bound, converge, default_spec, hc2_points, setup
    from isingsc.meanfield.transitions import critical_temperature, solve_gap

    model, reference, delta0, v = build_models(model_name, values)
    angle = np.deg2rad(settings["field_angle"])
    state: dict = {}

    def compute(spec, previous):
        ref, problem = setup(model, reference, delta0=delta0, v=v, spec=spec, angle=angle)
        tc = critical_temperature(problem, t_max=2 * ref.tc)
        out = {"Tc": tc, "Tc_ref": ref.tc}
        if "Delta0" in quantities:
            out["Delta0"] = solve_gap(problem, 0.0, delta_max=_delta_bound(problem)).delta
        if "Hc2" in quantities:
            if previous is None:  # the temperature is fixed once, so that passes compare like with like
                state["T"] = settings["t_over_tc"] * tc
            pts = hc2_points(problem, ref, temperatures=[state["T"]],
                             guess=previous["points"] if previous else None, angle=angle)
            out["Hc2"] = float(pts["Hc2"][0])
            out["points"] = pts
        state.update(ref=ref, n_k=len(problem.mesh))
        return out

    start = default_spec(delta0 if delta0 is not None else 0.02)
    res, achieved, _ = converge(compute, start, settings["tol"])
    ref = state["ref"]
    result = {"achieved_tol": achieved, "kmesh_points": float(state["n_k"])}
    if "Tc" in quantities:
        result.update(Tc=res["Tc"], Tc_over_Tc0=res["Tc"] / ref.tc)
    if "Delta0" in quantities:
        result["Delta0"] = res["Delta0"]
    if "Hc2" in quantities:
        order = str(res["points"]["order"][0])
        result.update(Hc2=res["Hc2"], Hc2_over_HP=res["Hc2"] / ref.pauli_field,
                      transition_order=1.0 if order == "first" else 2.0, T_Hc2=state["T"])
    return result


def _topology(model_name, quantities, values: dict, settings: dict) -> dict:
    from isingsc.topology.bulk import KY_PERIOD, find_nodes, winding_intervals

    model = topology_model(model_name, values)
    delta = settings["topology_delta"]
    field = Field.in_plane(settings["vx_over_delta"] * delta, np.deg2rad(settings["field_angle"]))
    nodes = find_nodes(model, delta, field)
    n_nodes = int(nodes.sizes.get("node", 0))
    result = {}
    if "nodal" in quantities:
        result.update(n_nodes=float(n_nodes), nodal=float(n_nodes > 0))
    if "winding" in quantities:
        iv = winding_intervals(model, delta, field, nodes)
        w = np.abs(np.asarray(iv["winding"].values, dtype=float))
        length = np.asarray(iv["ky_hi"].values - iv["ky_lo"].values, dtype=float)
        result.update(max_abs_winding=float(np.max(w)), flat_band_fraction=float(np.sum(w * length) / KY_PERIOD))
    return result


def compute_point(model_name, quantities, values: dict) -> tuple[dict, str]:
    """All requested variables of one point (floats) and an error message ('' on success).

    ``model_name``: a built-in name or {"file": path, "text": TOML} (:attr:`SweepSpec.model_spec`).
    On a failure the variables computed so far are kept and the others stay missing (NaN).
    """
    settings = settings_of(values)
    result: dict = {}
    try:
        if any(q in MEANFIELD for q in quantities):
            result.update(_meanfield(model_name, quantities, values, settings))
        if any(q in TOPOLOGY for q in quantities):
            result.update(_topology(model_name, quantities, values, settings))
    except IsingscError as exc:
        return result, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug or numerical failure: recorded, the sweep goes on
        return result, f"{type(exc).__name__}: {exc}"
    for name, value in result.items():
        if not np.isfinite(value):
            return result, f"non-finite {name} = {value!r}"
    return result, ""
