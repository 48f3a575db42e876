"""What one sweep point computes: Tc, Delta0, Hc2 at T/Tc, nodal phase, W(ky), YSR energies, chain invariants,
junction ground states, Chern numbers and the leading pairing channel.

:func:`compute_point` runs on a Dask worker.  It never raises for a physics or input
failure: the error message is returned and stored with the point, so one bad point does
not stop a sweep.  Each point is computed from scratch (no warm start from its
neighbours), so a result does not depend on which worker ran it or in what order: a
resumed sweep ends with exactly the values of an uninterrupted one.

The model comes from the catalogue (:func:`isingsc.models.catalogue.resolve`, through
:func:`~isingsc.workflows.sweep.spec.resolve_point`) and the mean-field numbers from
:class:`isingsc.meanfield.MeanField` -- the same model and the same numbers as ``isingsc tc`` /
``isingsc hc2`` and the Python API.  Normalisation as there: the catalogue's reference model
(the isolated SC layer for the heterostructure and its effective models, the model itself
otherwise); the pairing strength v is fixed by the reference's Delta0 (or given).
"""

from __future__ import annotations

import numpy as np

from isingsc.core.errors import ConvergenceError, IsingscError
from isingsc.core.field import Field, degrees_to_radians, direction
from isingsc.workflows.sweep.spec import resolve_point, settings_of

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
        "transition_order": ("1", "order of the transition at Hc2 (flag_values 1 2, flag_meanings first second)"),
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
    "ysr": {
        "ysr_energy": ("|t|", "lowest non-negative Yu-Shiba-Rusinov energy of one impurity (exchange J along "
                              "moment_polar/moment_azimuth, potential U) in the host at host_delta and the field"),
        "ysr_energy_over_gap": ("1", "ysr_energy / E_g, the host's quasiparticle gap"),
        "n_bound_states": ("1", "number of sub-gap bound states (both signs of E)"),
        "host_gap": ("|t|", "the host's quasiparticle gap E_g"),
    },
    "chain": {
        "chain_gap": ("|t|", "gap of the infinite magnetic chain along a1 (spacing chain_spacing, collinear moments "
                             "along moment_polar/moment_azimuth); a gapless point has no invariant (error stored)"),
        "chain_bdi": ("1", "1 = class BDI (a chiral symmetry: integer winding), 0 = class D (Z2)"),
        "chain_invariant": ("1", "winding W (BDI) or Z2 index nu (D) of the chain"),
    },
    "junction": {
        "ground_state_phase": ("rad", "phase difference of the junction's ground state (global minimum of F)"),
        "ground_state": ("1", "0 = 0-junction, 1 = pi, 2 = phi0 (degenerate +-phi0), 3 = anomalous"),
        "critical_current": ("e|t|/hbar per unit cell", "max |I(phi)|"),
        "free_energy_pi_minus_0": ("|t| per unit cell", "F(pi) - F(0): negative for a pi junction"),
        "junction_convergence": ("1", "relative change of I(phi) under k refinement (tolerance 1e-2)"),
    },
    "chern": {
        "chern_number": ("1", "Chern number of the occupied BdG bands (FHS, grid converged) at chern_delta, the field, "
                              "channel_index and momentum_index; a gapless point has none (error stored)"),
        "chern_gap": ("|t|", "the BdG gap min_k min_n |E_n(k)|"),
    },
    "channels": {
        "leading_index": ("1", "index of the leading channel x momentum (channel_list() order x (0, 2K, 2K')); "
                               "-1: no transition above t_min"),
        "leading_Tc": ("|t|", "its Tc (root of v chi(Q, Tc) = 1 at v = attraction), k_B = 1"),
        "channels_convergence": ("1", "largest relative change of the Tc's under grid refinement"),
    },
}
#: Convergence of the mean-field quantities, written when any of them is computed.
CONVERGENCE = {
    "achieved_tol": ("1", "largest relative change of the mean-field numbers under quadrature refinement"),
    "kmesh_points": ("1", "k points of the final (finer) quadrature in the irreducible wedge"),
}
MEANFIELD = ("Tc", "Delta0", "Hc2")
TOPOLOGY = ("nodal", "winding")
MAGNETIC = ("ysr", "chain")
JUNCTION = ("junction",)
CHANNELS = ("chern", "channels")


def variables_for(quantities) -> dict[str, tuple[str, str]]:
    """All variables a sweep with these quantities writes, in a fixed order."""
    out: dict[str, tuple[str, str]] = {}
    for q in quantities:
        out.update(VARIABLES[q])
    if any(q in MEANFIELD for q in quantities):
        out.update(CONVERGENCE)
    return out


def _meanfield(resolved, quantities, values: dict, settings: dict) -> dict:
    from isingsc.meanfield import MeanField

    mf = MeanField(resolved, delta0=values.get("delta0"), v=values.get("v"), tol=settings["tol"])
    result: dict = {}
    achieved, points = [], []
    if "Tc" in quantities or "Delta0" in quantities:
        ds = mf.tc(gap="Delta0" in quantities)
        achieved.append(ds.attrs["achieved_tolerance"])
        points.append(ds.attrs["kmesh_points"])
        if "Tc" in quantities:
            result.update(Tc=float(ds.Tc), Tc_over_Tc0=float(ds.Tc_over_Tc_reference))
        if "Delta0" in quantities:
            result["Delta0"] = float(ds.Delta0)
    if "Hc2" in quantities:
        angle = degrees_to_radians("field_angle", settings["field_angle"])
        # the numbers of mf.hc2, without its Dataset: a worker computing Hc2 and nodes never imports xarray
        sol = mf.hc2_points(t_over_tc=[settings["t_over_tc"]], angle=angle)
        achieved.append(sol.achieved_tolerance)
        points.append(sol.kmesh_points)
        order = str(sol.points["order"][0])
        result.update(Hc2=float(sol.points["Hc2"][0]), Hc2_over_HP=float(sol.hc2_over_hp[0]),
                      transition_order=1.0 if order == "first" else 2.0, T_Hc2=float(sol.points["T"][0]))
    result.update(achieved_tol=float(max(achieved)), kmesh_points=float(max(points)))
    return result


def _topology(resolved, quantities, values: dict, settings: dict) -> dict:
    from isingsc.topology.bulk import KY_PERIOD, find_nodes, locate_nodes, winding_intervals

    model = resolved.model
    delta = settings["topology_delta"]
    field = Field.in_plane(settings["vx_over_delta"] * delta, degrees_to_radians("field_angle", settings["field_angle"]))
    # W(ky) needs the nodes' Dataset; the nodal flag only their number (locate_nodes: no xarray on the worker)
    nodes = find_nodes(model, delta, field) if "winding" in quantities else None
    n_nodes = int(nodes.sizes.get("node", 0)) if nodes is not None else len(locate_nodes(model, delta, field).k)
    result = {}
    if "nodal" in quantities:
        result.update(n_nodes=float(n_nodes), nodal=float(n_nodes > 0))
    if "winding" in quantities:
        resolved.require("winding")
        iv = winding_intervals(model, delta, field, nodes)
        w = np.abs(np.asarray(iv["winding"].values, dtype=float))
        length = np.asarray(iv["ky_hi"].values - iv["ky_lo"].values, dtype=float)
        result.update(max_abs_winding=float(np.max(w)), flat_band_fraction=float(np.sum(w * length) / KY_PERIOD))
    return result


def _unit(polar_deg: float, azimuth_deg: float) -> np.ndarray:
    return direction(degrees_to_radians("polar angle", polar_deg), degrees_to_radians("azimuth", azimuth_deg))


def _magnetic(resolved, quantities, settings: dict) -> dict:
    from isingsc.correlations.host import HostGreensFunction
    from isingsc.impurities.chain import MagneticChain
    from isingsc.impurities.single import MagneticImpurity

    field = Field.from_vector(settings["field_strength"] * _unit(settings["field_polar"], settings["field_angle"]))
    host = HostGreensFunction(resolved, settings["host_delta"], field, tol=1e-8)
    moment = _unit(settings["moment_polar"], settings["moment_azimuth"])
    result: dict = {}
    if "ysr" in quantities:
        ds = MagneticImpurity(host, settings["J"], moment, settings["U"]).bound_states()
        energies = ds.energy.values
        positive = energies[energies >= 0]
        if positive.size == 0:
            raise ConvergenceError("no bound state inside the window (the state merged with the gap edge)",
                                   quantity="ysr_energy")
        result.update(ysr_energy=float(positive.min()), ysr_energy_over_gap=float(positive.min() / host.gap),
                      n_bound_states=float(energies.size), host_gap=float(host.gap))
    if "chain" in quantities:
        point = MagneticChain(host, settings["J"], moment, spacing=int(settings["chain_spacing"]),
                              U=settings["U"]).phase_point()
        result.update(chain_gap=float(point["gap"]), chain_bdi=float(point["symmetry_class"] == "BDI"))
        if point["invariant"] is None:
            raise ConvergenceError(f"the chain is gapless (gap {point['gap']:.3g} |t| below the resolution): "
                                   "no invariant", quantity="chain_invariant")
        result["chain_invariant"] = float(point["invariant"])
    return result


def _junction(resolved, settings: dict) -> dict:
    from isingsc.junctions.vertical import Barrier, Junction

    barrier = Barrier(t0=settings["t0"], t_m=settings["t_m"], m=tuple(_unit(settings["m_polar"], settings["m_azimuth"])),
                      layers=int(settings["barrier_layers"]), exchange=settings["barrier_exchange"])
    junction = Junction(resolved, barrier=barrier, stacking=degrees_to_radians("stacking", settings["stacking"]),
                        delta=settings["junction_delta"])
    ds = junction.ground_state(settings["temperature"])
    return {"ground_state_phase": float(ds.ground_state_phase), "ground_state": float(ds.ground_state),
            "critical_current": float(ds.critical_current),
            "free_energy_pi_minus_0": float(ds.free_energy_pi_minus_0),
            "junction_convergence": float(ds.attrs["achieved_convergence"])}


def _channels(resolved, quantities, settings: dict) -> dict:
    from isingsc.channels import PairingChannels
    from isingsc.models.channels import channel_list, with_pairing
    from isingsc.topology.chern import Chern

    field = Field.from_vector(settings["field_strength"] * _unit(settings["field_polar"], settings["field_angle"]))
    result: dict = {}
    if "chern" in quantities:
        index = int(settings["channel_index"])
        momentum = ("0", "2K", "2K'")[int(settings["momentum_index"])]
        state = resolved if index == 0 and momentum == "0" else with_pairing(
            resolved, channel_list()[index - 1] if index else "s", momentum=momentum)
        ds = Chern(state, settings["chern_delta"], field).chern_number()
        result.update(chern_number=float(ds.chern_number), chern_gap=float(ds.gap))
    if "channels" in quantities:
        ds = PairingChannels(resolved, None, ("0", "2K", "2K'"), settings["attraction"], field,
                             t_min=settings["t_min"]).critical_temperatures()
        tc = ds.Tc.values.ravel()
        result.update(leading_index=float(np.argmax(tc)) if tc.max() > 0 else -1.0, leading_Tc=float(tc.max()),
                      channels_convergence=float(ds.attrs["achieved_tolerance"]))
    return result


def compute_point(model_name, quantities, values: dict) -> tuple[dict, str]:
    """All requested variables of one point (floats) and an error message ('' on success).

    ``model_name``: a built-in name or {"file": path, "text": TOML} (:attr:`SweepSpec.model_spec`).
    On a failure the variables computed so far are kept and the others stay missing (NaN).
    """
    settings = settings_of(values)
    result: dict = {}
    try:
        resolved = resolve_point(model_name, values)
        if any(q in MEANFIELD for q in quantities):
            result.update(_meanfield(resolved, quantities, values, settings))
        if any(q in TOPOLOGY for q in quantities):
            result.update(_topology(resolved, quantities, values, settings))
        if any(q in MAGNETIC for q in quantities):
            result.update(_magnetic(resolved, quantities, settings))
        if "junction" in quantities:
            result.update(_junction(resolved, settings))
        if any(q in CHANNELS for q in quantities):
            result.update(_channels(resolved, quantities, settings))
    except IsingscError as exc:
        return result, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug or numerical failure: recorded, the sweep goes on
        return result, f"{type(exc).__name__}: {exc}"
    for name, value in result.items():
        if not np.isfinite(value):
            return result, f"non-finite {name} = {value!r}"
    return result, ""
