"""CLI commands of the spectroscopy: ``spectrum bulk``, ``spectrum edge`` and ``fit-spectrum``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from isingsc.cli.app import app, echo, print_fit, print_json
from isingsc.cli.options import (Delta0, FieldAngle, Json, OutDir, count, field_angle_rad, model_command, number,
                                 output_file, output_folder, parse_name_values)
from isingsc.topology.defaults import DEFAULT_DELTA, DEFAULT_FIELD_OVER_DELTA

spectrum_app = typer.Typer(no_args_is_help=True, help="Tunnelling spectroscopy: 'bulk' (DOS and dI/dV of the "
                                                      "self-consistent state in field) or 'edge' (edge LDOS and the "
                                                      "zero-bias peak of the Majorana flat bands).")
app.add_typer(spectrum_app, name="spectrum")

BulkEta = Annotated[Optional[float], number("--eta", "Lorentzian (= Dynes) broadening of the DOS; default Delta0/20.",
                                            lo=0.0, hi=1.0, lo_open=True, unit="|t|")]
EdgeEta = Annotated[Optional[float], number("--eta", "Lorentzian broadening of the edge LDOS; default Delta/25.",
                                            lo=0.0, hi=1.0, lo_open=True, unit="|t|")]


@spectrum_app.command("bulk")
@model_command(default="effective-fit", requires="pairing")
def spectrum_bulk_command(
    model,
    delta0: Delta0 = None,
    temperature: Annotated[float, number("--temperature", "Temperature in units of Tc of the reference.",
                                         lo=0.0, hi=1.0, lo_open=True)] = 0.1,
    h: Annotated[float, number("--h", "In-plane field H/HP (HP = Delta0/sqrt2 of the reference) of one spectrum.",
                               lo=0.0, hi=100.0)] = 0.0,
    h_max: Annotated[Optional[float], number("--h-max", "Sweep H/HP from 0 to this value (dI/dV map, line cuts, gap "
                                                        "vs H) instead of --h.", lo=0.0, hi=100.0, lo_open=True)] = None,
    n_fields: Annotated[int, count("--n-fields", "Number of fields of the sweep.", 2, 200)] = 9,
    t_junction: Annotated[Optional[float], number("--t-junction", "Junction temperature T_j/Tc_ref of the thermal "
                                                                   "smearing; default --temperature.", lo=0.0, hi=10.0,
                                                  lo_open=True)] = None,
    eta: BulkEta = None,
    bias_max: Annotated[float, number("--bias-max", "Bias range +- this x Delta0.", lo=0.0, hi=50.0, lo_open=True)] = 4.0,
    n_bias: Annotated[int, count("--n-bias", "Number of bias points.", 11, 10001)] = 161,
    field_angle: FieldAngle = 0.0,
    out: OutDir = None, json_out: Json = False,
):
    """Bulk tunnelling spectrum: DOS N(E)/N_n(0) (spin-resolved along the field) of the self-consistent state and
    dI/dV/G_N = int N(E) [-f'(E - eV)] dE at the junction temperature, with Lorentzian (= Dynes) broadening eta;
    with --h-max a field sweep (dI/dV map, gap vs H, order of the transition).  Energies, biases eV and fields
    V = mu_B B in |t|; temperatures as T/Tc_ref.  --out writes PNG + NetCDF."""
    from isingsc.core.results import save
    from isingsc.plotting.spectroscopy import plot_bulk_spectrum, plot_field_sweep
    from isingsc.plotting.style import save_figure
    from isingsc.spectroscopy.bulk import BulkSpectroscopy, gap_versus_field

    outdir = output_folder(out)
    bs = BulkSpectroscopy(model, delta0=delta0, eta=eta, angle=field_angle_rad(field_angle))
    d0 = bs.ref.delta0
    T = temperature * bs.ref.tc
    tj = (temperature if t_junction is None else t_junction) * bs.ref.tc
    bias = np.linspace(-bias_max * d0, bias_max * d0, n_bias)
    bs.energy_grid(bias, tj)  # fixes the DOS window for this bias range before it is reported
    common = {"model": model.name, "delta0": d0, "T_over_Tc0": temperature, "T": T, "T_junction": tj,
              "Tc0": bs.ref.tc, "HP": bs.ref.pauli_field, "eta": bs.eta, "dos_window": bs.window,
              "field_angle_deg": field_angle,
              "kmesh_dos": f"{len(bs.mesh)} k points (uniform radial panels of 1.5 eta/v_F near each Fermi crossing)",
              "kmesh_gap": f"{len(bs.problem.mesh)} k points, {bs.ref.spec.describe()}",
              "units": "energies, biases eV, fields V = mu_B B and temperatures in |t| (k_B = 1); dI/dV in G_N"}
    files = []
    if h_max is not None:
        ds = gap_versus_field(bs, T, np.linspace(0.0, h_max, n_fields), bias=bias, t_junction=tj)
        result = dict(common, H_over_HP=ds.H_over_HP.values.tolist(), delta=ds.delta.values.tolist(),
                      spectral_gap=ds.spectral_gap.values.tolist(), coherence_peak=ds.coherence_peak.values.tolist(),
                      Hc2_over_HP=ds.attrs.get("Hc2_over_HP"), transition_order=ds.attrs.get("transition_order"),
                      largest_gap_jump_over_delta0=ds.attrs["largest_gap_jump_over_delta0"])
        if outdir is not None:
            files.append(save(ds, outdir / "spectrum_field_sweep.nc"))
            files += save_figure(plot_field_sweep(ds, model.name), outdir / "spectrum_field_sweep.png")
    else:
        ds = bs.spectrum(T, h * bs.ref.pauli_field, bias=bias, t_junction=tj)
        result = dict(common, H_over_HP=h, field=float(ds.field), delta=float(ds.delta),
                      spectral_gap=float(ds.spectral_gap), coherence_peak=float(ds.coherence_peak),
                      bias=bias.tolist(), dIdV=ds.dIdV.values.tolist(),
                      dIdV_spin_parallel=ds.dIdV_spin.values[0].tolist(),
                      dIdV_spin_antiparallel=ds.dIdV_spin.values[1].tolist())
        if outdir is not None:
            files.append(save(ds, outdir / "spectrum_bulk.nc"))
            files += save_figure(plot_bulk_spectrum(ds), outdir / "spectrum_bulk.png")
    result["files"] = [str(f) for f in files]
    if json_out:
        print_json(result)
        return
    if h_max is not None:
        echo(f"{model.name}: T = {temperature:g} Tc_ref, eta = {bs.eta:.3g} |t|; Delta(H)/Delta0 at H/HP = "
             + ", ".join(f"{x:.3g}: {d / d0:.3g}" for x, d in zip(result["H_over_HP"], result["delta"])))
        echo(f"Hc2/HP = {result['Hc2_over_HP']}, transition {result['transition_order']} order "
             f"(largest jump of Delta between fields: {result['largest_gap_jump_over_delta0']:.3g} Delta0)")
    else:
        echo(f"{model.name}: T = {temperature:g} Tc_ref, H = {h:g} HP: Delta = {result['delta']:.6g} |t|, quasiparticle "
             f"gap {result['spectral_gap']:.3g} |t|, coherence peak of dI/dV at eV = {result['coherence_peak']:.4g} |t| "
             f"(eta = {bs.eta:.3g} |t|, T_j = {tj:.3g} |t|)")
    for f in files:
        echo(f"wrote {f}")


@spectrum_app.command("edge")
@model_command(default="effective-fit", requires=("pairing", "real-space"))
def spectrum_edge_command(
    model,
    delta: Annotated[float, number("--delta", "Pairing Delta, held fixed.", lo=0.0, hi=1.0, lo_open=True,
                                   unit="|t|")] = DEFAULT_DELTA,
    field: Annotated[Optional[list[float]], number(
        "--field", f"Zeeman energy |V| (along x, the flat-band direction), repeatable; default 0 and "
                   f"{DEFAULT_FIELD_OVER_DELTA:g} Delta.", lo=0.0, hi=5.0, unit="|t|")] = None,
    n_ky: Annotated[int, count("--n-ky", "Momenta along the edge (midpoint grid) of the LDOS.", 2, 20000)] = 96,
    n_ky_modes: Annotated[int, count("--n-ky-modes", "Momenta for counting zero modes (flat-band density).",
                                     2, 100000)] = 600,
    n_energy: Annotated[int, count("--n-energy", "Energies in [-window, window].", 3, 5000)] = 61,
    window: Annotated[Optional[float], number("--window", "Energy window; default 2 Delta.", lo=0.0, hi=5.0,
                                              lo_open=True, unit="|t|")] = None,
    eta: EdgeEta = None,
    compare_winding: Annotated[bool, typer.Option("--compare-winding/--no-compare-winding",
                                                  help="Also compute int dky/2pi |W(ky)| from the bulk node "
                                                       "intervals (models with chiral symmetry).")] = True,
    out: OutDir = None, json_out: Json = False,
):
    """Edge spectroscopy: the ky-integrated LDOS of the outermost layer of the semi-infinite armchair-y strip
    (states/|t| per a of edge) and the zero-bias peak (flat-band density of zero modes, per a of edge), at
    fixed Delta for each field.  Energies and fields V = mu_B B in |t|.  --out writes PNG + NetCDF."""
    from isingsc.core.results import save
    from isingsc.plotting.spectroscopy import plot_edge_scan
    from isingsc.plotting.style import save_figure
    from isingsc.spectroscopy.scans import edge_field_scan

    outdir = output_folder(out)
    strengths = [0.0, DEFAULT_FIELD_OVER_DELTA * delta] if not field else list(field)
    window = 2 * delta if window is None else window
    eta = delta / 25 if eta is None else eta
    energies = np.linspace(-window, window, n_energy)
    winding = compare_winding and model.facts.chiral
    scan = edge_field_scan(model, delta, strengths, energies, eta, n_ky=n_ky, n_ky_modes=n_ky_modes, winding=winding)
    i0 = int(np.argmin(np.abs(energies)))
    zbp = [{"field": v, "N_edge_at_zero": float(scan.N_edge.values[j, i0]),
            "N_edge_median": float(np.median(scan.N_edge.values[j]))} for j, v in enumerate(strengths)]
    peaks = [{"field": v, "field_over_delta": v / delta, "flat_band_density": float(scan.flat_band_density.values[j]),
              "flat_band_density_from_winding": (float(scan.flat_band_density_from_winding.values[j])
                                                 if winding else None),
              "surface_peak_weight": float(scan.surface_peak_weight.values[j]),
              "flat_band_length": float(scan.flat_band_length.values[j]),
              "max_modes_per_ky": float(scan.max_modes_per_ky.values[j])} for j, v in enumerate(strengths)]
    files = []
    if outdir is not None:
        files.append(save(scan, outdir / "spectrum_edge.nc"))
        files += save_figure(plot_edge_scan(scan), outdir / "spectrum_edge.png")
    result = {"model": model.name, "edge": "armchair-y", "delta": delta, "eta": eta, "n_ky": n_ky,
              "n_ky_modes": n_ky_modes, "energy_window": window, "n_energy": n_energy, "zero_bias": zbp,
              "zero_modes": peaks, "files": [str(f) for f in files],
              "units": "energies |t|; N_edge states/|t| per a of edge (outermost principal layer); densities "
                       "zero-energy states per a of edge"}
    if json_out:
        print_json(result)
        return
    for z, p in zip(zbp, peaks):
        ref = p["flat_band_density_from_winding"]
        echo(f"{model.name}: |V| = {z['field']:g} |t| ({z['field'] / delta:g} Delta): N_edge(0) = "
             f"{z['N_edge_at_zero']:.4g} (median {z['N_edge_median']:.4g}) /|t| per a; zero modes: "
             f"{p['flat_band_density']:.5g} per a" + (f" (int|W| dky/2pi = {ref:.5g})" if ref is not None else "")
             + f"; eta = {eta:.3g} |t|, {n_ky} / {n_ky_modes} ky")
    for f in files:
        echo(f"wrote {f}")


@app.command("fit-spectrum")
def fit_spectrum_command(
    data_file: Annotated[Path, typer.Argument(help="CSV with a header: bias V (mV), dI/dV (any unit), optional "
                                                   "1-sigma error of dI/dV.", show_default=False)],
    v_col: Annotated[Optional[str], typer.Option("--v-col", help="Name of the bias column (mV); default: V, bias, "
                                                                 "V_mV, ...")] = None,
    g_col: Annotated[Optional[str], typer.Option("--g-col", help="Name of the dI/dV column; default: dIdV, dI/dV, G, "
                                                                 "conductance, ...")] = None,
    err_col: Annotated[Optional[str], typer.Option("--err-col", help="Name of the error column; default: err, sigma, "
                                                                     "... if present; 'none' to ignore it.")] = None,
    field: Annotated[float, number("--field", "In-plane field B at which the spectrum was taken (held fixed unless "
                                              "--free field).", lo=0.0, hi=1000.0, unit="T")] = 0.0,
    g: Annotated[float, number("--g", "g-factor of the Zeeman energy (g/2) mu_B B.", lo=0.0, hi=100.0,
                               lo_open=True)] = 2.0,
    fix: Annotated[Optional[list[str]], typer.Option("--fix", help="NAME=VALUE: hold a parameter fixed (delta, "
                                                                   "temperature, gamma, scale, slope, beta_so, field).")] = None,
    free: Annotated[Optional[list[str]], typer.Option("--free", help="NAME: vary a parameter fixed by default "
                                                                    "(beta_so, field, slope).")] = None,
    init: Annotated[Optional[list[str]], typer.Option("--init", help="NAME=VALUE: starting value.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for <stem>_spectrum_fit.png/.json/.nc "
                                                              "(default: the data file's folder).")] = None,
    no_write: Annotated[bool, typer.Option("--no-write", help="Print only; write no files.")] = False,
    json_out: Json = False,
):
    """Fit a measured tunnelling spectrum dI/dV(V) with lmfit: thermally smeared (junction temperature T, K)
    Dynes-BCS DOS with gap Delta (meV) and broadening Gamma (meV), normal-state conductance G_N; optionally the
    Ising SOC beta_SO (meV, the Ising field) and the in-plane field B (T).  Prints values +/- standard errors and
    95 % intervals; writes a plot (data, fit, residuals), a JSON and a NetCDF result.  A malformed file (missing
    column, non-numeric cell, NaN, too few points, non-monotonic bias) is one error line."""
    from isingsc.core.results import save
    from isingsc.experiment.spectrum_fit import fit_spectrum, read_spectrum_csv
    from isingsc.plotting.experiment import plot_spectrum_fit
    from isingsc.plotting.style import save_figure

    folder = output_folder(out) if out is not None else Path(data_file).resolve().parent
    fixed = parse_name_values("--fix", fix, "gamma=0.05")
    if "field" not in fixed and "field" not in (free or []):
        fixed["field"] = field
    data = read_spectrum_csv(data_file, v_col=v_col, g_col=g_col, err_col=err_col)
    result = fit_spectrum(data, fix=fixed, free=free, init=parse_name_values("--init", init, "delta=1.2"), g=g)
    files = {}
    if not no_write:
        stem = f"{Path(data_file).stem}_spectrum_fit"
        figure, dataset, text = plot_spectrum_fit(result), result.to_dataset(), result.to_json()
        files = {"plot": output_file(folder / f"{stem}.png"), "json": folder / f"{stem}.json",
                 "netcdf": folder / f"{stem}.nc"}
        save(dataset, files["netcdf"])
        files["json"].write_text(text)
        save_figure(figure, files["plot"])
    print_fit(result, files, json_out)
