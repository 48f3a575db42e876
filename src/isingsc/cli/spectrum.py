"""CLI commands of the spectroscopy: ``spectrum`` (bulk and edge) and ``fit-spectrum``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from isingsc.core.errors import ParameterError, check_positive_int, check_range
from isingsc.models.paper import PAPER
from isingsc.cli.app import OPTION_RANGES, app, echo, print_json, parse_name_values, print_fit
from isingsc.cli.options import (BetaSo, FieldAngle, FieldOnTmd, Gamma, Json, MuSc, MuTmd, OutDir, TSc, TTmd,
                      field_angle_rad, heterostructure_params)

for _flag, _range in {
    "--mode": "bulk | edge", "--h": "H/HP >= 0 (finite)", "--h-max": "H/HP > 0 (finite)",
    "--n-fields": "integer >= 2", "--t-junction": "T_j/Tc0 >= 0 (finite)", "--bias-max": "> 0 (finite), units of Delta0",
    "--n-bias": "integer >= 11", "--n-energy": "integer >= 3", "--window": "window > 0 (finite), |t|",
    "--delta": "delta > 0 (finite), |t|", "--field": "B >= 0 T (finite)", "--n-ky": "integer >= 2",
    "--n-ky-modes": "integer >= 2", "--g": "g > 0 (finite)",
}.items():
    OPTION_RANGES.setdefault(_flag, _range)

SpectrumModel = Annotated[str, typer.Option(
    "--model", help="heterostructure (exact 8-orbital) | effective (Eq. 8 form fitted to the exact model) | "
                    "intrinsic (one Ising layer: t = --t-sc, mu = --mu-sc, beta_SO = --beta-so) | sc (the isolated "
                    "SC layer: a Pauli-limited BCS film).")]


def _models(name, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd):
    """(model, reference model) as the mean-field commands build them; 'sc' is its own reference."""
    from isingsc.models.paper import IsingParams, fit_effective_model, intrinsic_ising_model, sc_model

    params = heterostructure_params(t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd)
    if name == "sc":
        return sc_model(params), sc_model(params)
    if name == "effective":
        return fit_effective_model(params).model(), sc_model(params)
    if name == "intrinsic":
        m = intrinsic_ising_model(IsingParams(t=t_sc, mu=mu_sc, beta_so=beta_so))
        return m, m
    if name == "heterostructure":
        from isingsc.models.paper import heterostructure_model
        return heterostructure_model(params), sc_model(params)
    raise ParameterError("model", name, "heterostructure | effective | intrinsic | sc")


@app.command("spectrum")
def spectrum_command(
    mode: Annotated[str, typer.Option("--mode", help="bulk: quasiparticle DOS and dI/dV of the self-consistent state; "
                                                    "edge: ky-integrated LDOS at the edge and the zero-bias peak.")] = "bulk",
    model: SpectrumModel = "effective",
    delta0: Annotated[float, typer.Option("--delta0", help="Bulk: zero-T gap of the isolated SC layer (the model itself for "
                                                           "intrinsic/sc), fixing the pairing strength (|t|).")] = 0.02,
    temperature: Annotated[float, typer.Option("--temperature", help="Bulk: temperature in units of Tc0 (Tc of the "
                                                                     "reference layer).")] = 0.1,
    h: Annotated[float, typer.Option("--h", help="Bulk: in-plane field H/HP (HP = Delta0/sqrt2 of the reference) of a "
                                                 "single spectrum.")] = 0.0,
    h_max: Annotated[Optional[float], typer.Option("--h-max", help="Bulk: sweep H/HP from 0 to this value (dI/dV map, "
                                                                   "line cuts, gap vs H) instead of --h.")] = None,
    n_fields: Annotated[int, typer.Option("--n-fields", help="Bulk sweep: number of fields.")] = 9,
    t_junction: Annotated[Optional[float], typer.Option("--t-junction", help="Bulk: junction temperature T_j/Tc0 of the "
                                                                              "thermal smearing; default --temperature.")] = None,
    eta: Annotated[Optional[float], typer.Option("--eta", help="Lorentzian = Dynes broadening (|t|); default Delta0/20 "
                                                               "(bulk) or Delta/25 (edge).")] = None,
    bias_max: Annotated[float, typer.Option("--bias-max", help="Bulk: bias range +- this x Delta0.")] = 4.0,
    n_bias: Annotated[int, typer.Option("--n-bias", help="Bulk: number of bias points.")] = 161,
    delta: Annotated[float, typer.Option("--delta", help="Edge: pairing Delta (|t|), held fixed.")] = 0.05,
    vx: Annotated[Optional[list[float]], typer.Option("--vx", help="Edge: Zeeman energy V_x (|t|), repeatable; "
                                                                  "default 0 and 4 Delta.")] = None,
    n_ky: Annotated[int, typer.Option("--n-ky", help="Edge: momenta along the edge (midpoint grid) of the LDOS.")] = 96,
    n_ky_modes: Annotated[int, typer.Option("--n-ky-modes", help="Edge: momenta for counting zero modes "
                                                                 "(flat-band density).")] = 600,
    n_energy: Annotated[int, typer.Option("--n-energy", help="Edge: energies in [-window, window].")] = 61,
    window: Annotated[Optional[float], typer.Option("--window", help="Edge: energy window (|t|); default 2 Delta.")] = None,
    compare_winding: Annotated[bool, typer.Option("--compare-winding/--no-compare-winding",
                                                  help="Edge: also compute int dky/2pi |W(ky)| from the bulk node "
                                                       "intervals (isingsc.topology.bulk).")] = True,
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd, mu_tmd: MuTmd = PAPER.mu_tmd,
    beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma, field_on_tmd: FieldOnTmd = True,
    field_angle: FieldAngle = 0.0,
    out: OutDir = None, json_out: Json = False,
):
    """Tunnelling spectroscopy.  Bulk: DOS N(E)/N_n(0) (spin-resolved along the field) of the self-consistent
    state and dI/dV/G_N = int N(E) [-f'(E - eV)] dE at the junction temperature, with Lorentzian (= Dynes)
    broadening eta; with --h-max a field sweep (dI/dV map, gap vs H, order of the transition).  Edge: the
    ky-integrated LDOS of the outermost layer of the semi-infinite armchair-y strip (states/|t| per a of edge)
    and the zero-bias peak (flat-band density of zero modes, per a of edge).  Energies, biases eV and fields
    V = mu_B B in |t|; temperatures as T/Tc0; --field-angle turns the bulk field in the plane (the edge
    field stays along x, the flat-band direction).  --out writes PNG + NetCDF."""
    if mode not in ("bulk", "edge"):
        raise ParameterError("mode", mode, "bulk | edge")
    m, reference = _models(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd)
    if mode == "bulk":
        _bulk(m, reference, model, delta0, temperature, h, h_max, n_fields, t_junction, eta, bias_max, n_bias,
              out, json_out, field_angle_rad(field_angle))
    else:
        _edge(m, model, delta, vx, n_ky, n_ky_modes, n_energy, window, eta, compare_winding, out, json_out)


def _bulk(m, reference, name, delta0, temperature, h, h_max, n_fields, t_junction, eta, bias_max, n_bias, out,
          json_out, angle=0.0):
    from isingsc.core.results import save
    from isingsc.spectroscopy.bulk import BulkSpectroscopy, gap_versus_field

    delta0 = check_range("delta0", delta0, lo=0.0, lo_open=True)
    temperature = check_range("temperature", temperature, lo=0.0, lo_open=True)
    h = check_range("h", h, lo=0.0)
    bias_max = check_range("bias_max", bias_max, lo=0.0, lo_open=True)
    n_bias = check_positive_int("n_bias", n_bias, 11)
    tj_ratio = temperature if t_junction is None else check_range("t_junction", t_junction, lo=0.0)
    if eta is not None:
        check_range("eta", eta, lo=0.0, lo_open=True)
    bs = BulkSpectroscopy(m, reference, delta0=delta0, eta=eta, angle=angle)
    T, tj = temperature * bs.ref.tc, tj_ratio * bs.ref.tc
    bias = np.linspace(-bias_max * delta0, bias_max * delta0, n_bias)
    common = {"model": name, "delta0": delta0, "T_over_Tc0": temperature, "T": T, "T_junction": tj,
              "Tc0": bs.ref.tc, "HP": bs.ref.pauli_field, "eta": bs.eta, "dos_window": bs.window,
              "kmesh_dos": f"{len(bs.mesh)} k points (uniform radial panels of 1.5 eta/v_F near each Fermi crossing)",
              "kmesh_gap": f"{len(bs.problem.mesh)} k points, {bs.ref.spec.describe()}",
              "units": "energies, biases eV, fields V = mu_B B and temperatures in |t| (k_B = 1); dI/dV in G_N"}
    files = []
    if h_max is not None:
        h_max = check_range("h_max", h_max, lo=0.0, lo_open=True)
        n_fields = check_positive_int("n_fields", n_fields, 2)
        ds = gap_versus_field(bs, T, np.linspace(0.0, h_max, n_fields), bias=bias, t_junction=tj)
        result = dict(common, H_over_HP=ds.H_over_HP.values.tolist(), delta=ds.delta.values.tolist(),
                      spectral_gap=ds.spectral_gap.values.tolist(), coherence_peak=ds.coherence_peak.values.tolist(),
                      Hc2_over_HP=ds.attrs.get("Hc2_over_HP"), transition_order=ds.attrs.get("transition_order"),
                      largest_gap_jump_over_delta0=ds.attrs["largest_gap_jump_over_delta0"])
        if out:
            from isingsc.plotting import spectroscopy as ps
            import matplotlib.pyplot as plt

            outdir = Path(out)
            files.append(save(ds, outdir / "spectrum_field_sweep.nc"))
            fig, axes = plt.subplots(1, 3, figsize=(13.5, 3.8), layout="constrained")
            ps.plot_didv_map(ds, axes[0])
            ps.plot_line_cuts(ds, axes[1])
            ps.plot_gap_vs_field([ds], [name], axes[2])
            files += ps.save_figure(fig, outdir / "spectrum_field_sweep.png")
    else:
        ds = bs.spectrum(T, h * bs.ref.pauli_field, bias=bias, t_junction=tj)
        result = dict(common, H_over_HP=h, vx=float(ds.vx), delta=float(ds.delta),
                      spectral_gap=float(ds.spectral_gap), coherence_peak=float(ds.coherence_peak),
                      bias=bias.tolist(), dIdV=ds.dIdV.values.tolist(),
                      dIdV_spin_parallel=ds.dIdV_spin.values[0].tolist(),
                      dIdV_spin_antiparallel=ds.dIdV_spin.values[1].tolist())
        if out:
            from isingsc.plotting import spectroscopy as ps

            outdir = Path(out)
            files.append(save(ds, outdir / "spectrum_bulk.nc"))
            files += ps.save_figure(ps.plot_bulk_spectrum(ds), outdir / "spectrum_bulk.png")
    result["files"] = [str(f) for f in files]
    if json_out:
        print_json(result)
        return
    if h_max is not None:
        echo(f"{name}: T = {temperature:g} Tc0, eta = {bs.eta:.3g} |t|; Delta(H)/Delta0 at H/HP = "
             + ", ".join(f"{x:.3g}: {d / delta0:.3g}" for x, d in zip(result["H_over_HP"], result["delta"])))
        echo(f"Hc2/HP = {result['Hc2_over_HP']}, transition {result['transition_order']} order "
             f"(largest jump of Delta between fields: {result['largest_gap_jump_over_delta0']:.3g} Delta0)")
    else:
        echo(f"{name}: T = {temperature:g} Tc0, H = {h:g} HP: Delta = {result['delta']:.6g} |t|, quasiparticle gap "
             f"{result['spectral_gap']:.3g} |t|, coherence peak of dI/dV at eV = {result['coherence_peak']:.4g} |t| "
             f"(eta = {bs.eta:.3g} |t|, T_j = {tj:.3g} |t|)")
    for f in files:
        echo(f"wrote {f}")


def _edge(m, name, delta, vx, n_ky, n_ky_modes, n_energy, window, eta, compare_winding, out, json_out):
    from isingsc.spectroscopy.edge import EdgeSpectroscopy, vx_scan
    from isingsc.core.results import save

    delta = check_range("delta", delta, lo=0.0, lo_open=True)
    vxs = [0.0, 4 * delta] if not vx else [check_range("vx", v, lo=0.0) for v in vx]
    window = 2 * delta if window is None else check_range("window", window, lo=0.0, lo_open=True)
    eta = delta / 25 if eta is None else check_range("eta", eta, lo=0.0, lo_open=True)
    n_energy = check_positive_int("n_energy", n_energy, 3)
    check_positive_int("n_ky", n_ky, 2)
    check_positive_int("n_ky_modes", n_ky_modes, 2)
    energies = np.linspace(-window, window, n_energy)
    scan = vx_scan(m, delta, vxs, energies, eta, n_ky=n_ky)
    peaks = []
    for v in vxs:
        zb = EdgeSpectroscopy(m, delta, v, n_ky=n_ky_modes).zero_bias_peak(winding=compare_winding)
        a = zb.attrs
        peaks.append({"vx": v, "vx_over_delta": v / delta, "flat_band_density": a["flat_band_density"],
                      "flat_band_density_from_winding": a.get("flat_band_density_from_winding"),
                      "surface_peak_weight": a["surface_peak_weight"], "flat_band_length": a["flat_band_length"],
                      "max_modes_per_ky": int(zb.n_modes.values.max())})
    scan["flat_band_density"] = ("vx", np.array([p["flat_band_density"] for p in peaks]),
                                 {"units": "zero-energy states per a of edge"})
    if compare_winding:
        scan["flat_band_density_from_winding"] = ("vx", np.array([p["flat_band_density_from_winding"] for p in peaks]),
                                                  {"units": "zero-energy states per a of edge"})
    i0 = int(np.argmin(np.abs(energies)))
    zbp = [{"vx": v, "N_edge_at_zero": float(scan.N_edge.values[j, i0]),
            "N_edge_median": float(np.median(scan.N_edge.values[j]))} for j, v in enumerate(vxs)]
    files = []
    if out:
        from isingsc.plotting import spectroscopy as ps
        import matplotlib.pyplot as plt

        outdir = Path(out)
        files.append(save(scan, outdir / "spectrum_edge.nc"))
        fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
        ps.plot_edge_ldos_map(scan, axes[0]) if len(vxs) > 1 else axes[0].axis("off")
        ps.plot_edge_ldos_cuts(scan, axes[1])
        files += ps.save_figure(fig, outdir / "spectrum_edge.png")
    result = {"model": name, "mode": "edge", "edge": "armchair-y", "delta": delta, "eta": eta, "n_ky": n_ky,
              "n_ky_modes": n_ky_modes, "energy_window": window, "n_energy": n_energy, "zero_bias": zbp,
              "zero_modes": peaks, "files": [str(f) for f in files],
              "units": "energies |t|; N_edge states/|t| per a of edge (outermost principal layer); densities "
                       "zero-energy states per a of edge"}
    if json_out:
        print_json(result)
        return
    for z, p in zip(zbp, peaks):
        ref = p["flat_band_density_from_winding"]
        echo(f"{name}: Vx = {z['vx']:g} |t| ({z['vx'] / delta:g} Delta): N_edge(0) = {z['N_edge_at_zero']:.4g} "
             f"(median {z['N_edge_median']:.4g}) /|t| per a; zero modes: {p['flat_band_density']:.5g} per a"
             + (f" (int|W| dky/2pi = {ref:.5g})" if ref is not None else "")
             + f"; eta = {eta:.3g} |t|, {n_ky} / {n_ky_modes} ky")
    for f in files:
        echo(f"wrote {f}")


def _name_values(option: str, items) -> dict:
    return parse_name_values(option, items, "gamma=0.05")


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
    field: Annotated[float, typer.Option("--field", help="In-plane field B (T) at which the spectrum was taken "
                                                         "(held fixed unless --free field).")] = 0.0,
    g: Annotated[float, typer.Option("--g", help="g-factor of the Zeeman energy (g/2) mu_B B.")] = 2.0,
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
    from isingsc.experiment.spectrum_fit import fit_spectrum, plot_spectrum_fit, read_spectrum_csv

    check_range("field", field, lo=0.0)
    check_range("g", g, lo=0.0, lo_open=True)
    fixed = _name_values("fix", fix)
    if "field" not in fixed and "field" not in (free or []):
        fixed["field"] = field
    data = read_spectrum_csv(data_file, v_col=v_col, g_col=g_col, err_col=err_col)
    result = fit_spectrum(data, fix=fixed, free=free, init=_name_values("init", init), g=g)
    files = {}
    if not no_write:
        folder = Path(out) if out is not None else Path(data_file).resolve().parent
        stem = f"{Path(data_file).stem}_spectrum_fit"
        figure = plot_spectrum_fit(result)
        dataset = result.to_dataset()
        text = result.to_json()
        files = {"plot": folder / f"{stem}.png", "json": folder / f"{stem}.json", "netcdf": folder / f"{stem}.nc"}
        from isingsc.core.results import save

        save(dataset, files["netcdf"])
        files["json"].write_text(text)
        figure.savefig(files["plot"], bbox_inches="tight", dpi=150)
        import matplotlib.pyplot as plt

        plt.close(figure)
    print_fit(result, files, json_out)
