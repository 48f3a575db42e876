"""CLI command of a single magnetic impurity: ``impurity`` (Yu-Shiba-Rusinov states by the T-matrix)."""

from __future__ import annotations

from typing import Annotated, Optional

import numpy as np

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (FieldAngle, FieldPolar, HostField, Json, OutDir, azimuth_angle, count,
                                 direction_from_degrees, host_field, model_command, number, output_folder,
                                 polar_angle)

Exchange = Annotated[float, number("--J", "Exchange energy J of the classical spin (J m.sigma on the host orbitals "
                                          "of the impurity site); default 1.", lo=-100.0, hi=100.0, unit="|t|")]
Potential = Annotated[float, number("--U", "Potential scattering U of the impurity; default 0.", lo=-100.0, hi=100.0,
                                    unit="|t|")]
MomentPolar = polar_angle("--moment-polar", "the moment", "default 0")
MomentAzimuth = azimuth_angle("--moment-azimuth", "the moment", "default 0")
ImpurityDelta = Annotated[Optional[float], number("--delta", "Pairing Delta of the host, held fixed (not "
                                                             "self-consistent); default the model's Delta0.",
                                                  lo=0.0, hi=1.0, lo_open=True, unit="|t|")]



@app.command("impurity")
@model_command(default="ws2", requires=("pairing", "real-space"))
def impurity_command(
    model,
    J: Exchange = 1.0, U: Potential = 0.0,
    moment_polar: MomentPolar = 0.0, moment_azimuth: MomentAzimuth = 0.0,
    delta: ImpurityDelta = None,
    field: HostField = 0.0, field_angle: FieldAngle = 0.0, field_polar: FieldPolar = 90.0,
    energy: Annotated[Optional[float], number("--energy", "Energy of the LDOS map; default the lowest positive "
                                                          "bound state (else 0).", lo=-5.0, hi=5.0, unit="|t|")] = None,
    eta: Annotated[Optional[float], number("--eta", "Broadening of the LDOS map; default E_g / 10.", lo=0.0, hi=1.0,
                                           lo_open=True, unit="|t|")] = None,
    size: Annotated[int, count("--size", "Side of the LDOS map in sites (default 32).", 1, 1023)] = 32,
    j_max: Annotated[Optional[float], number("--j-max", "Instead of the map: bound-state energies against J from "
                                                        "J_max / n_j to J_max.", lo=0.0, hi=100.0, lo_open=True,
                                             unit="|t|")] = None,
    n_j: Annotated[int, count("--n-j", "Number of exchange values of --j-max (default 20).", 2, 1000)] = 20,
    tol: Annotated[float, number("--tol", "Relative tolerance of the host Green's function (default 1e-10).",
                                 lo=1e-14, hi=1e-2)] = 1e-10,
    out: OutDir = None, json_out: Json = False,
):
    """Yu-Shiba-Rusinov bound states of one classical magnetic impurity (exchange --J along the moment, potential
    --U) in the infinite host, by the T-matrix: every sub-gap energy (exact, no broadening) with its spin and
    particle weight.  Energies in |t|, angles in degrees.  --out writes bound_states.nc and an LDOS map around
    the impurity (ldos_map.nc/.png), or with --j-max the energies against J (bound_states_vs_J.nc/.png)."""
    from isingsc.core.results import save
    from isingsc.impurities.single import MagneticImpurity, bound_states_versus_exchange

    outdir = output_folder(out)
    moment = direction_from_degrees(moment_polar, moment_azimuth)
    imp = MagneticImpurity(model, J, moment, U, delta=delta, field=host_field(field, field_polar, field_angle),
                           tol=tol)
    ds = imp.bound_states()
    host = imp.host
    energies = ds.energy.values
    result = {"model": model.name, "J": J, "U": U, "moment": moment.tolist(), "moment_polar_deg": moment_polar,
              "moment_azimuth_deg": moment_azimuth, "delta": host.delta, "gap": float(ds.attrs["gap"]),
              "field": field, "field_angle_deg": field_angle, "field_polar_deg": field_polar,
              "bound_state_energies": energies.tolist(),
              "bound_state_energies_over_delta": ds.energy_over_delta.values.tolist(),
              "particle_weight": ds.particle_weight.values.tolist(), "spin": ds.spin.values.tolist(),
              "achieved_tolerance": float(ds.attrs["achieved_tolerance"]), "host_orbitals": list(host.orbitals),
              "window": [float(x) for x in ds.attrs["window"]],
              "units": "energies |t|, angles degrees, spin hbar/2 (on the impurity site)"}
    files = []
    if outdir is not None:
        from isingsc.plotting.impurities import plot_bound_states_versus_exchange, plot_ldos_map
        from isingsc.plotting.style import save_figure

        if j_max is not None:
            scan = bound_states_versus_exchange(host, np.linspace(j_max / n_j, j_max, n_j), moment, U)
            files.append(save(ds, outdir / "bound_states.nc"))
            files.append(save(scan, outdir / "bound_states_vs_J.nc"))
            files += save_figure(plot_bound_states_versus_exchange(scan, title=model.name),
                                 outdir / "bound_states_vs_J.png")
        else:
            positive = energies[energies > 0]
            e_map = energy if energy is not None else (float(positive.min()) if len(positive) else 0.0)
            broadening = eta if eta is not None else float(ds.attrs["gap"]) / 10
            ldos = imp.ldos_map(e_map, broadening, size)
            files.append(save(ds, outdir / "bound_states.nc"))
            files.append(save(ldos, outdir / "ldos_map.nc"))
            files += save_figure(plot_ldos_map(ldos, title=model.name), outdir / "ldos_map.png")
            result.update(map_energy=e_map, map_eta=broadening, map_size=size)
    result["files"] = [str(p) for p in files]
    if json_out:
        print_json(result)
        return
    echo(f"{model.name}: Delta = {host.delta:g} |t|, gap E_g = {ds.attrs['gap']:.6g} |t|, J = {J:g} |t|, U = {U:g} "
         f"|t|, moment ({moment_polar:g} deg, {moment_azimuth:g} deg), |V| = {field:g} |t|: "
         f"{len(energies)} bound states")
    for e, d, s in zip(energies, ds.energy_over_delta.values, ds.spin.values):
        echo(f"  E = {e:+.12f} |t| = {d:+.9f} Delta, spin ({s[0]:+.3f}, {s[1]:+.3f}, {s[2]:+.3f})")
    for p in files:
        echo(f"wrote {p}")
