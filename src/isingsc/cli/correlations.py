"""CLI command ``pairing``: the singlet amplitude and the triplet d-vector of a host (review Sec. 5), and with
``--wire`` a half-metal wire on it (induced p-wave pairing, effective model, Z2 index, Majorana end states)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import typer

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (
    Json,
    OutDir,
    count,
    FieldAngle,
    FieldPolar,
    HostField,
    host_field,
    model_command,
    number,
    output_folder,
)


def _vector(option: str, text: str, size: int, integer: bool = False):
    from isingsc.core.errors import ParameterError

    try:
        parts = [float(x) for x in str(text).split(",")]
    except ValueError:
        raise ParameterError(option, text, f"{size} comma-separated numbers") from None
    if len(parts) != size or not all(np.isfinite(parts)):
        raise ParameterError(option, text, f"{size} comma-separated finite numbers")
    if integer:
        if any(p != int(p) for p in parts):
            raise ParameterError(option, text, f"{size} comma-separated integers")
        return tuple(int(p) for p in parts)
    return tuple(parts)


@app.command("pairing")
@model_command(default="ws2", requires="pairing")
def pairing_command(
    model,
    delta: Annotated[float | None, number("--delta", "Pairing Delta on the pairing orbitals, held fixed; default "
                                                          "the model's Delta0.", lo=0.0, hi=1.0, lo_open=True,
                                             unit="|t|")] = None,
    energy: Annotated[float, number("--energy", "Energy E of F(k, E) (real axis; inside the gap unless --eta), or "
                                                "the Matsubara frequency omega with --matsubara.", lo=-5.0, hi=5.0,
                                    unit="|t|")] = 0.0,
    eta: Annotated[float | None, number("--eta", "Broadening: z = E + i eta (default none: exact, inside the gap).",
                                           lo=0.0, hi=1.0, lo_open=True, unit="|t|")] = None,
    matsubara: Annotated[bool, typer.Option("--matsubara", help="z = i omega, omega = --energy (default: real "
                                                                "axis).")] = False,
    field: HostField = 0.0, field_angle: FieldAngle = 0.0, field_polar: FieldPolar = 90.0,
    n_grid: Annotated[int, count("--n-grid", "Points per side of the d_z map over the zone (default 81).", 8,
                                 2001)] = 81,
    tol: Annotated[float, number("--tol", "Relative tolerance of the Fermi-surface and on-site averages "
                                          "(default 1e-6).", lo=1e-10, hi=1e-2)] = 1e-6,
    wire: Annotated[bool, typer.Option("--wire", help="Also a half-metal wire on the host (default: no).")] = False,
    polarisation: Annotated[str, typer.Option("--polarisation", help="Wire spin direction nx,ny,nz (unit vector; "
                                                                     "default 1,0,0).")] = "1,0,0",
    t_w: Annotated[float, number("--t-w", "Wire hopping t_w (default -0.5).", lo=-5.0, hi=5.0, nonzero=True,
                                 unit="|t|")] = -0.5,
    mu_w: Annotated[float, number("--mu-w", "Wire chemical potential mu_w (default 0).", lo=-10.0, hi=10.0,
                                  unit="|t|")] = 0.0,
    t_c: Annotated[float, number("--t-c", "Wire-host tunnelling t_c (default 1).", lo=0.0, hi=5.0,
                                 unit="|t|")] = 1.0,
    direction: Annotated[str, typer.Option("--direction", help="Wire direction n1,n2 (a_w = n1 a1 + n2 a2, primitive; "
                                                               "default 1,0, a nearest-neighbour bond).")] = "1,0",
    n_sites: Annotated[int, count("--n-sites", "Sites of the finite wire for the end states (default 24).", 2,
                                  400)] = 24,
    out: OutDir = None, json_out: Json = False,
):
    """Pairing correlations F(k, E) = (Psi_s + d.sigma) i sigma_y of the host (1/|t|): Psi_s and the d-vector on the
    Fermi surface (averages <Psi_s>, <d>, the spin-weighted <s_z d> and <|d|^2>^1/2) and on site, and with --out
    a map of d_z over the zone (pairing.nc, pairing.png).  With --wire: the half-metal wire's induced pairing,
    effective-model Z2 index and gap, and the lowest end state of a --n-sites wire (wire.nc).  Energies |t|."""
    from isingsc.core.results import save
    from isingsc.core.errors import check_unit_vector
    from isingsc.correlations.amplitudes import PairingCorrelations, complex_part
    from isingsc.correlations.line import lattice_direction
    from isingsc.correlations.wire import HalfMetalWire

    outdir = output_folder(out)
    n_vec = check_unit_vector("--polarisation", _vector("--polarisation", polarisation, 3)) if wire else None
    wire_dir = lattice_direction(_vector("--direction", direction, 2, integer=True))[0] if wire else None
    f = host_field(field, field_polar, field_angle)
    pc = PairingCorrelations(model, delta=delta, field=f, tol=tol)
    fs = pc.fermi_surface(energy, eta=eta, matsubara=matsubara)
    loc = pc.local(energy, eta=eta, matsubara=matsubara)

    def vec(ds, name):
        v = complex_part(ds, name).values[0, 0]
        return {"re": np.real(v).tolist(), "im": np.imag(v).tolist()}

    result = {"model": model.name, "delta": pc.delta, "field": f.strength, "field_angle_deg": field_angle,
              "energy": energy, "frequency_axis": fs.attrs["frequency_axis"],
              "fermi_surface": {"psi_s": vec(fs, "psi_s_fs"), "d": vec(fs, "d_fs"), "d_spin": vec(fs, "d_spin"),
                                "d_rms": float(fs.d_rms.values[0, 0]), "psi_rms": float(fs.psi_rms.values[0, 0]),
                                "achieved": fs.attrs["achieved"]},
              "on_site": {"psi_s": vec(loc, "psi_s"), "d": vec(loc, "d"), "achieved": loc.attrs["achieved"]},
              "units": "amplitudes 1/|t|, energies |t|", "d_components": "x, y, z"}
    files = []
    if outdir is not None:
        from isingsc.plotting.correlations import plot_pairing_map
        from isingsc.plotting.style import save_figure

        zmap = pc.zone_map(energy, n_grid, eta=eta, matsubara=matsubara)
        files.append(save(zmap, outdir / "pairing.nc"))
        files.append(save(fs, outdir / "pairing_fermi_surface.nc"))
        files += save_figure(plot_pairing_map(zmap, fs, title=f"{model.name}, Delta = {pc.delta:g}"),
                             outdir / "pairing.png")
    if wire:
        hw = HalfMetalWire(model, n_vec, t_w=t_w, mu_w=mu_w, t_c=t_c, direction=wire_dir, delta=delta, field=f,
                           tol=max(tol, 1e-8))
        eff = hw.effective(n_q=64)
        states = hw.bound_states(n_sites, 1)
        result["wire"] = {k: eff.attrs[k] for k in ("index", "topological", "gap", "q_gap", "mu_eff", "t_eff",
                                                     "delta_eff_re", "delta_eff_im", "kitaev_index",
                                                     "kitaev_topological")}
        result["wire"].update(polarisation=list(n_vec), direction=list(wire_dir), n_sites=n_sites,
                              end_state_energy=float(states.energy.values[0]),
                              end_state_energy_static=float(states.energy_static.values[0]),
                              wire_weight=float(states.wire_weight.values[0]), host_gap=hw.gap)
        if outdir is not None:
            files.append(save(eff, outdir / "wire_effective.nc"))
            files.append(save(states, outdir / "wire.nc"))
    result["files"] = [str(p) for p in files]
    if json_out:
        print_json(result)
        return
    fsd = result["fermi_surface"]
    echo(f"{model.name}: Delta = {pc.delta:g} |t|, |V| = {f.strength:g} |t|, {fs.attrs['frequency_axis']} at "
         f"{energy:g} |t|")
    echo(f"  Fermi surface: <Psi_s> = {fsd['psi_s']['re']:.6g}, <d> = {np.round(fsd['d']['re'], 8).tolist()}, "
         f"<s_z d> = {np.round(fsd['d_spin']['re'], 8).tolist()}, <|d|^2>^1/2 = {fsd['d_rms']:.6g} (1/|t|)")
    echo(f"  on site: Psi_s = {result['on_site']['psi_s']['re']:.6g}, d = "
         f"{np.round(result['on_site']['d']['re'], 10).tolist()} (1/|t|)")
    if wire:
        w = result["wire"]
        echo(f"  wire: index {w['index']} ({'topological' if w['topological'] else 'trivial or gapless'}), "
             f"gap {w['gap']:.4g} |t|; end state of {n_sites} sites at {w['end_state_energy']:.4g} |t| "
             f"(static {w['end_state_energy_static']:.4g})")
    for p in files:
        echo(f"wrote {p}")
