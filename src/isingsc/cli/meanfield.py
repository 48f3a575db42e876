"""CLI commands of the mean-field solver: ``tc``, ``gap``, ``hc2`` (all through :class:`isingsc.meanfield.MeanField`)."""

from __future__ import annotations

from typing import Annotated, Optional

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (Coupling, Delta0, FieldAngle, FieldStrength, Json, OutDir, Tol, count,
                                 field_angle_rad, model_command, number, output_folder)
from isingsc.core.field import Field

UNITS = "|t| (k_B = 1; fields as Zeeman energies mu_B B)"


def _meanfield(model, delta0, v, tol):
    from isingsc.meanfield import MeanField

    return MeanField(model, delta0=delta0, v=v, tol=tol)


@app.command("tc")
@model_command(requires="pairing")
def tc_command(model, delta0: Delta0 = None, v: Coupling = None, tol: Tol = 0.005,
               field: FieldStrength = None, field_angle: FieldAngle = 0.0, json_out: Json = False):
    """Tc (at zero field, or at --field) and the T = 0 gap Delta0 of the model and of its reference, in |t|.

    Tc from the pair susceptibility (Omega''(0) = 0), Delta0 the T = 0 global minimum of Omega;
    converged to --tol by refining the Brillouin-zone quadrature.
    """
    f = Field.in_plane(field or 0.0, field_angle_rad(field_angle))
    ds = _meanfield(model, delta0, v, tol).tc(f)
    a = ds.attrs
    out = {"model": model.name, "Tc": float(ds.Tc), "Delta0": float(ds.Delta0), "Tc_reference": a["Tc_reference"],
           "Delta0_reference": a["Delta0_reference"], "Tc_over_Tc_reference": float(ds.Tc_over_Tc_reference),
           "Delta0_over_Tc": float(ds.Delta0_over_Tc) if float(ds.Delta0) > 0 else None, "v": a["v"],
           "field": f.strength, "field_angle_deg": field_angle, "kmesh": a["kmesh"], "tolerance": a["tolerance"],
           "achieved_tolerance": a["achieved_tolerance"], "units": UNITS}
    if json_out:
        print_json(out)
        return
    echo(f"{model.name}: Tc = {out['Tc']:.6g} |t| ({out['Tc_over_Tc_reference']:.4f} Tc_ref), Delta0 = "
         f"{out['Delta0']:.6g} |t|, v = {out['v']:.6g} |t|; reference Tc = {out['Tc_reference']:.6g} |t|, "
         f"Delta0 = {out['Delta0_reference']:.6g} |t| [{out['kmesh']}; converged to {out['achieved_tolerance']:.2g} "
         f"(tol {tol:g})]")


@app.command("gap")
@model_command(requires="pairing")
def gap_command(
    model,
    temperature: Annotated[Optional[float], number("--temperature", "Temperature T; default 0.1 Tc of the reference.",
                                                    lo=0.0, hi=1.0, unit="|t|, k_B = 1", short="-T")] = None,
    field: FieldStrength = None, field_angle: FieldAngle = 0.0,
    delta0: Delta0 = None, v: Coupling = None, tol: Tol = 0.005, json_out: Json = False,
):
    """Self-consistent gap Delta at (T, V) for an in-plane field |V| = --field at --field-angle: the global minimum
    of Omega(Delta), its free energy, the gap-equation residual and any metastable (super-heated / super-cooled)
    branches; converged to --tol."""
    mf = _meanfield(model, delta0, v, tol)
    ref = mf.reference_state()
    T = 0.1 * ref.tc if temperature is None else temperature
    f = Field.in_plane(field or 0.0, field_angle_rad(field_angle))
    ds = mf.gap(T, f)
    a = ds.attrs
    meta = [[float(d), float(e)] for d, e in zip(ds.metastable_delta.values, ds.metastable_free_energy.values)]
    out = {"model": model.name, "T": T, "field": f.strength, "field_angle_deg": field_angle, "Delta": float(ds.delta),
           "free_energy": float(ds.free_energy), "residual": float(ds.residual), "metastable": meta,
           "T_over_Tc_reference": T / a["Tc_reference"], "H_over_HP": f.strength / a["HP_reference"],
           "kmesh": a["kmesh"], "tolerance": a["tolerance"], "achieved_tolerance": a["achieved_tolerance"],
           "units": UNITS + "; free_energy in |t| per site"}
    if json_out:
        print_json(out)
        return
    echo(f"Delta = {out['Delta']:.6g} |t| at T = {T:.4g} |t| ({out['T_over_Tc_reference']:.3f} Tc_ref), |V| = "
         f"{f.strength:.4g} |t| ({out['H_over_HP']:.3f} HP) at {field_angle:g} deg; Omega - Omega_N = "
         f"{out['free_energy']:.4e} |t|/site; residual {out['residual']:.1e} |t| [{out['kmesh']}; converged to "
         f"{out['achieved_tolerance']:.2g}]")
    for d, e in meta:
        echo(f"  metastable branch: Delta = {d:.6g} |t|, Omega - Omega_N = {e:.4e} |t|/site")


@app.command("hc2")
@model_command(requires="pairing")
def hc2_command(
    model,
    out: OutDir = "isingsc-hc2",
    delta0: Delta0 = None, v: Coupling = None, tol: Tol = 0.005,
    n_points: Annotated[int, count("--n-points", "Number of temperatures from 0.05 Tc_ref to 0.995 Tc.", 2, 200)] = 20,
    field_angle: FieldAngle = 0.0, json_out: Json = False,
):
    """In-plane upper critical field Hc2(T) and the order of the transition at each T.

    Hc2 is the thermodynamic transition field (root finding in the field): the second-order line
    Omega''(0) = 0, or the first-order field where the superconducting minimum's free energy equals the
    normal state's.  Normalised by Tc and HP = Delta0/sqrt2 of the reference (isolated SC layer for the
    heterostructure; the model itself otherwise).  Writes hc2.nc and hc2.png to --out.
    """
    from isingsc.core.results import save
    from isingsc.plotting.paper import plot_hc2
    from isingsc.plotting.style import save_figure

    outdir = output_folder(out)
    ds = _meanfield(model, delta0, v, tol).hc2(n_points=n_points, angle=field_angle_rad(field_angle))
    files = [save(ds, outdir / "hc2.nc")] + save_figure(plot_hc2([ds]), outdir / "hc2.png")
    a = ds.attrs
    result = {"model": model.name, "field_angle_deg": field_angle, "Tc": a["Tc_reference"],
              "Delta0": a["Delta0_reference"], "HP": a["HP_reference"], "Tc_model": a["Tc"],
              "T": ds["T"].values, "T_over_Tc": ds.T_over_Tc.values, "T_over_Tc_reference": ds.T_over_Tc_reference.values,
              "Hc2_over_HP": ds.Hc2_over_HP.values, "transition_order": [str(o) for o in ds.transition_order.values],
              "tricritical_T_over_Tc_reference": a["tricritical_T_over_Tc_reference"], "kmesh": a["kmesh"],
              "tolerance": tol, "achieved_tolerance": a["achieved_tolerance"],
              "units": "Tc, Delta0, HP, T in |t| (k_B = 1, HP as Zeeman energy mu_B B); ratios dimensionless",
              "files": [str(f) for f in files]}
    if json_out:
        print_json(result)
        return
    echo(f"{model.name} (field at {field_angle:g} deg): Tc_ref = {a['Tc_reference']:.6g} |t|, HP = {a['HP_reference']:.6g} |t| "
         f"[{a['kmesh']}; converged to {a['achieved_tolerance']:.2g} (tol {tol:g})]")
    for t, h, o in zip(ds.T_over_Tc_reference.values, ds.Hc2_over_HP.values, ds.transition_order.values):
        echo(f"  T/Tc_ref = {t:.4f}  Hc2/HP = {h:.5f}  ({o} order)")
    for f in files:
        echo(f"wrote {f}")
