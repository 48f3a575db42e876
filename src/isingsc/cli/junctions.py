"""CLI commands of junctions through magnets: ``junction`` (current-phase relation, ground state),
``squid`` (a 0/pi multi-domain junction against a reference junction) and ``tmr`` (tunnelling
magnetoresistance through a spin filter).  Angles in degrees here, radians in the library."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (
    Json,
    OutDir,
    azimuth_angle,
    count,
    direction_from_degrees,
    model_command,
    number,
    output_folder,
    polar_angle,
    write_result,
)

T0 = Annotated[float, number("--t0", "Spin-independent tunnelling t0 of the barrier (T = t0 + t_m m.sigma).",
                             lo=-5.0, hi=5.0, unit="|t|")]
TM = Annotated[float, number("--t-m", "Spin-dependent tunnelling t_m along the magnetisation m.", lo=-5.0, hi=5.0,
                             unit="|t|")]
MPolar = polar_angle("--m-polar", "the barrier's magnetisation")
MAzimuth = azimuth_angle("--m-azimuth", "the magnetisation")
Layers = Annotated[int, count("--layers", "Explicit ferromagnetic-insulator layers N of the barrier (0: the "
                                          "electrodes touch through T).", 0, 40)]
Exchange = Annotated[float, number("--exchange", "Exchange field J of the barrier layers (J m.sigma).", lo=-20.0,
                                   hi=20.0, unit="|t|")]
BarrierGap = Annotated[float, number("--barrier-gap", "On-site energy U of the barrier layers above the Fermi "
                                                      "level.", lo=-20.0, hi=20.0, unit="|t|")]
Stacking = Annotated[float, number("--stacking", "Rotation of the right electrode: 0 (aligned) or a multiple of 60.",
                                   lo=-360.0, hi=360.0, unit="degrees")]
JDelta = Annotated[float | None, number("--delta", "Pairing Delta of both electrodes (held fixed); default the "
                                                      "model's Delta0.", lo=0.0, hi=1.0, lo_open=True, unit="|t|")]
JTemperature = Annotated[float | None, number("--temperature", "Temperature; default Delta / 10.", lo=0.0, hi=1.0,
                                                 lo_open=True, unit="|t|", short="-T")]


def _barrier(t0, t_m, m_polar, m_azimuth, layers, exchange, barrier_gap):
    from isingsc.junctions.vertical import Barrier

    return Barrier(t0=t0, t_m=t_m, m=tuple(direction_from_degrees(m_polar, m_azimuth)), layers=layers,
                   exchange=exchange, gap=barrier_gap)


def _junction(model, barrier, stacking, delta, tol):
    from isingsc.core.errors import ParameterError
    from isingsc.junctions.vertical import Junction

    if abs(stacking / 60.0 - round(stacking / 60.0)) > 1e-9:
        raise ParameterError("--stacking", stacking, "a multiple of 60 degrees (0 = aligned)")
    return Junction(model, barrier=barrier, stacking=math.radians(stacking), delta=delta, tol=tol)


def _temperature(junction, temperature):
    return min(junction.delta) / 10 if temperature is None else temperature


@app.command("junction")
@model_command(default="ws2", requires=("pairing",))
def junction_command(
    model,
    t0: T0 = 0.05, t_m: TM = 0.1, m_polar: MPolar = 0.0, m_azimuth: MAzimuth = 0.0,
    layers: Layers = 0, exchange: Exchange = 0.0, barrier_gap: BarrierGap = 2.0, stacking: Stacking = 0.0,
    delta: JDelta = None, temperature: JTemperature = None,
    n_phases: Annotated[int, count("--n-phases", "Phases of the current-phase relation in [-180, 180).", 4,
                                   1024)] = 64,
    map_angles: Annotated[int, count("--map-angles", "Also map the ground state over the magnetisation's polar "
                                                     "angle 0 ... 180 (this many angles; 0: no map).", 0, 181)] = 0,
    tol: Annotated[float, number("--tol", "Relative k convergence of the current.", lo=1e-6, hi=0.5)] = 1e-2,
    out: OutDir = None, json_out: Json = False,
):
    """Vertical Josephson junction of two electrodes of --model through a magnetic barrier T = t0 + t_m m.sigma
    (optionally --layers explicit insulator layers): the current-phase relation I(phi) = (2e/hbar) dF/dphi,
    F(phi) - F(0), the ground-state phase (0, pi or +-phi0) and the critical current.  Currents in e|t|/hbar
    per unit cell, free energies in |t| per cell, phases and angles in degrees.  --out writes cpr.nc and
    cpr.png (and ground_state_map.nc/.png with --map-angles)."""
    import numpy as np

    outdir = output_folder(out)
    junction = _junction(model, _barrier(t0, t_m, m_polar, m_azimuth, layers, exchange, barrier_gap), stacking,
                         delta, tol)
    T = _temperature(junction, temperature)
    phases = np.linspace(-np.pi, np.pi, n_phases, endpoint=False)
    ds = junction.summary(T, phases)
    result = {"model": model.name, "t0": t0, "t_m": t_m, "m": list(junction.barrier.m), "m_polar_deg": m_polar,
              "m_azimuth_deg": m_azimuth, "layers": layers, "exchange": exchange, "barrier_gap": barrier_gap,
              "stacking_deg": stacking, "delta": list(junction.delta), "temperature": T,
              "phase": np.degrees(phases).tolist(), "current": ds.current.values.tolist(),
              "free_energy": ds.free_energy.values.tolist(),
              "ground_state": ds.attrs["ground_state_class"],
              "ground_state_phase": math.degrees(float(ds.ground_state_phase)),
              "critical_current": float(ds.critical_current),
              "free_energy_pi_minus_0": float(ds.free_energy_pi_minus_0),
              "achieved_convergence": float(ds.attrs["achieved_convergence"]), "tolerance": tol,
              "k_points": int(ds.attrs["k_points"]),
              "units": "phases and angles degrees; current e|t|/hbar per unit cell; free energy, temperature, "
                       "t0, t_m, delta |t|"}
    gsmap = None
    if map_angles:
        gsmap = junction.ground_state_map(T, theta=np.linspace(0.0, np.pi, map_angles))
        kinds = gsmap.ground_state.values
        result["map_polar_deg"] = np.degrees(gsmap.theta.values).tolist()
        result["map_ground_state"] = [gsmap.ground_state.attrs["flag_meanings"].split()[int(k)] for k in kinds]
    if outdir is not None:
        from isingsc.core.results import save
        from isingsc.plotting.junctions import plot_current_phase, plot_ground_state_map
        from isingsc.plotting.style import save_figure

        cpr = ds[["current", "free_energy"]]
        files = [save(ds, outdir / "cpr.nc")]
        files += save_figure(plot_current_phase({f"m polar {m_polar:g} deg": cpr}, title=model.name),
                             outdir / "cpr.png")
        if gsmap is not None:
            files.append(save(gsmap, outdir / "ground_state_map.nc"))
            files += save_figure(plot_ground_state_map(gsmap, title=model.name), outdir / "ground_state_map.png")
        result["files"] = [str(p) for p in files]
    if json_out:
        print_json(result)
        return
    echo(f"{model.name}: junction t0 = {t0:g}, t_m = {t_m:g} |t|, m at {m_polar:g} deg from z, stacking "
         f"{stacking:g} deg, T = {T:.4g} |t|: ground state {result['ground_state']} (phase "
         f"{result['ground_state_phase']:.4g} deg), I_c = {result['critical_current']:.6g} e|t|/hbar per cell, "
         f"F(pi) - F(0) = {result['free_energy_pi_minus_0']:.4g} |t| (k convergence "
         f"{result['achieved_convergence']:.1g})")
    if gsmap is not None:
        echo("ground state against the polar angle (deg): " + ", ".join(
            f"{a:.0f}: {k}" for a, k in zip(result["map_polar_deg"], result["map_ground_state"])))


@app.command("squid")
@model_command(default="ws2", requires=("pairing",))
def squid_command(
    model,
    t0: T0 = 0.05, t_m: TM = 0.1,
    pi_fraction: Annotated[float, number("--pi-fraction", "Area fraction of the out-of-plane (pi) domains of the "
                                                          "barrier; the rest is magnetised in plane (0).",
                                         lo=0.0, hi=1.0)] = 0.5,
    reference: Annotated[float, number("--reference", "Critical current of the sinusoidal reference junction, in "
                                                      "units of the magnetic junction's.", lo=0.0, hi=1000.0,
                                       lo_open=True)] = 5.0,
    delta: JDelta = None, temperature: JTemperature = None,
    n_flux: Annotated[int, count("--n-flux", "Flux points in one period Phi0.", 8, 4001)] = 201,
    tol: Annotated[float, number("--tol", "Relative k convergence of the currents.", lo=1e-6, hi=0.5)] = 1e-2,
    out: OutDir = None, json_out: Json = False,
):
    """dc SQUID of a multi-domain magnetic junction (out-of-plane pi domains and in-plane 0 domains in parallel,
    weights --pi-fraction) with a sinusoidal reference junction: the domain junction's ground state (0, pi or the
    doubly degenerate +-phi0), I_c(Phi) and, for +-phi0, the two metastable branches and the phases 2 pi Phi/Phi0
    where each peaks.  Currents in e|t|/hbar per unit cell, phases in degrees, flux in Phi0 = h/2e."""
    import numpy as np

    from isingsc.junctions.squid import DomainJunction, Squid

    outdir = output_folder(out)
    cprs = []
    for polar in (90.0, 0.0):  # in plane (0 domains), out of plane (pi domains)
        j = _junction(model, _barrier(t0, t_m, polar, 0.0, 0, 0.0, 2.0), 0.0, delta, tol)
        T = _temperature(j, temperature)
        cprs.append(j.current_phase(np.linspace(-np.pi, np.pi, 64, endpoint=False), T))
    dj = DomainJunction(cprs, weights=[1.0 - pi_fraction, pi_fraction])
    gs = dj.ground_state()
    ic_j = float(np.max(np.abs(dj.cpr.current(np.linspace(-np.pi, np.pi, 721)))))
    squid = Squid(dj, reference * ic_j)
    flux = np.linspace(0.0, 1.0, n_flux)
    ds = squid.critical_current(flux)
    peaks = [math.degrees(x) if np.isfinite(x) else None for x in ds.branch_peak_phase.values]
    result = {"model": model.name, "t0": t0, "t_m": t_m, "pi_fraction": pi_fraction, "temperature": T,
              "reference_over_junction": reference, "junction_critical_current": ic_j,
              "ground_state": gs.attrs["ground_state_class"], "phi0_deg": math.degrees(float(gs.phi0)),
              "minima_deg": np.degrees(gs.minima.values).tolist(),
              "first_harmonic": float(gs.first_harmonic), "second_harmonic": float(gs.second_harmonic),
              "flux": flux.tolist(), "critical_current": ds.critical_current.values.tolist(),
              "branch_peak_phase_deg": peaks,
              "units": "currents e|t|/hbar per unit cell; flux Phi0; phases degrees"}
    if gs.attrs["ground_state_class"] == "phi0":
        result["branch_critical_current"] = {b: [None if not np.isfinite(x) else float(x) for x in row]
                                             for b, row in zip(ds.branch.values, ds.branch_critical_current.values)}
    if outdir is not None:
        from isingsc.plotting.junctions import plot_squid

        write_result(outdir, result, ds, "squid", plot_squid(ds, title=model.name))
    if json_out:
        print_json(result)
        return
    text = ", ".join("none" if p is None else f"{p:.4g}" for p in peaks)
    echo(f"{model.name}: domain junction ({pi_fraction:g} pi domains) ground state {result['ground_state']} "
         f"(phi0 = {result['phi0_deg']:.4g} deg); SQUID with reference {reference:g} I_c: branch peaks at "
         f"2 pi Phi/Phi0 = {text} deg")


@app.command("tmr")
@model_command(default="ws2", requires=("pairing",))
def tmr_command(
    model,
    t0: T0 = 1.0, t_m: TM = 0.3,
    zeeman: Annotated[float, number("--zeeman", "In-plane Zeeman energy of the field in the electrodes.", lo=0.0,
                                    hi=1.0, unit="|t|")] = 0.01,
    field_angle: Annotated[float, number("--field-angle", "In-plane direction of the field from x.", lo=-360.0,
                                         hi=360.0, unit="degrees")] = 0.0,
    temperature: Annotated[float, number("--temperature", "Temperature of both electrodes.", lo=0.0, hi=1.0,
                                         lo_open=True, unit="|t|", short="-T")] = 0.002,
    counter: Annotated[str, typer.Option(
        "--counter", help="superconductor (both electrodes of --model) | normal (flat DOS)")] = "superconductor",
    out: OutDir = None, json_out: Json = False,
):
    """Tunnelling spectra dI/dV / G_N between two Ising superconductors through a spin-filtering barrier
    (t0, t_m: polarisation P = 2 t0 t_m/(t0^2 + t_m^2)) with the barrier's magnetisation parallel, perpendicular
    (out of plane) and antiparallel to an in-plane field, and the tunnelling magnetoresistance at the coherence
    peak.  Energies in |t|, angles in degrees."""
    from isingsc.junctions.tmr import MagneticTunnelJunction

    outdir = output_folder(out)
    mtj = MagneticTunnelJunction(model, t0, t_m, math.radians(field_angle), counter)
    ds = mtj.spectrum(temperature, zeeman)
    a = ds.attrs
    result = {"model": model.name, "t0": t0, "t_m": t_m, "polarisation": mtj.polarisation, "zeeman": zeeman,
              "field_angle_deg": field_angle, "temperature": temperature, "counter": counter,
              "delta": float(a["delta"]), "coherence_peak_bias": float(a["coherence_peak_bias"]),
              "resistance_ratio_ap_p": float(a["resistance_ratio_ap_p"]), "tmr_percent": float(a["tmr_percent"]),
              "bias": ds.bias.values.tolist(),
              "conductance": {f"{p:g}": row.tolist() for p, row in zip(ds.projection.values, ds.conductance.values)},
              "units": "bias, energies |t|; conductance G_N; angles degrees"}
    if outdir is not None:
        from isingsc.plotting.junctions import plot_tmr

        write_result(outdir, result, ds, "tmr", plot_tmr(ds, title=model.name))
    if json_out:
        print_json(result)
        return
    echo(f"{model.name}: spin filter P = {mtj.polarisation:.3g}, Zeeman {zeeman:g} |t| in plane, T = {temperature:g} "
         f"|t|: TMR {result['tmr_percent']:.3g} % at the coherence peak (bias {result['coherence_peak_bias']:.4g} |t|)")
