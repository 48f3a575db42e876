"""CLI commands of the experimentalist toolkit: ``fit``, ``materials``, ``pauli``, ``allen-dynes``, ``ising-hc2``.

Lab units throughout (K, T, meV).  Heavy imports (lmfit, pandas, matplotlib)
happen inside the commands so that ``isingsc --help`` stays fast.  Every output
file is written only after all input has been validated and the computation has
succeeded, so bad input leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from isingsc.core.errors import ParameterError
from isingsc.cli.app import app, echo, print_json, print_fit
from isingsc.cli.options import Json, count, number, output_file, output_folder, parse_name_values

GFactor = Annotated[float, number("--g", "Electron g-factor in the Zeeman energy (g/2) mu_B B.", lo=0.0, hi=100.0,
                                  lo_open=True)]


def _name_values(option: str, items) -> dict:
    return parse_name_values(f"--{option}", items, "gamma_iv=0.5")


@app.command("fit")
def fit_command(
    data_file: Annotated[Path, typer.Argument(help="CSV with a header: temperature T (K), field B (T), optional error of B (T).",
                                              show_default=False)],
    model: Annotated[str, typer.Option("--model", help="ising | ising-scattering | pauli | gl | whh.")] = "ising",
    t_col: Annotated[Optional[str], typer.Option("--t-col", help="Name of the temperature column (K); default: T, T_K, temperature, ...")] = None,
    b_col: Annotated[Optional[str], typer.Option("--b-col", help="Name of the field column (T); default: B, Bc2, Hc2, field, ...")] = None,
    err_col: Annotated[Optional[str], typer.Option("--err-col", help="Name of the 1-sigma error column of B (T); default: B_err, err, sigma, ... if present; 'none' to ignore it.")] = None,
    g: GFactor = 2.0,
    orientation: Annotated[str, typer.Option("--orientation", help="gl model only: parallel (fits Tc, xi_d = xi0 d) or perpendicular (Tc, xi0).")] = "parallel",
    xi_nm: Annotated[Optional[float], number("--xi-nm", "gl parallel: known xi_GL(0), to convert xi_d into a thickness d.", lo=0.0, hi=1e6, lo_open=True, unit="nm")] = None,
    fix: Annotated[Optional[list[str]], typer.Option("--fix", help="NAME=VALUE: hold a parameter fixed (repeatable).")] = None,
    free: Annotated[Optional[list[str]], typer.Option("--free", help="NAME: vary a parameter that is fixed by default, e.g. gamma_iv (repeatable).")] = None,
    init: Annotated[Optional[list[str]], typer.Option("--init", help="NAME=VALUE: starting value (repeatable).")] = None,
    ci: Annotated[str, typer.Option("--ci", help="covariance (Student-t x stderr, fast) | profile (lmfit.conf_interval).")] = "covariance",
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for <stem>_<model>_fit.png/.json/.nc (default: the data file's folder).")] = None,
    plot: Annotated[Optional[Path], typer.Option("--plot", help="Path of the plot (overrides the default in --out).")] = None,
    no_write: Annotated[bool, typer.Option("--no-write", help="Print only; write no files.")] = False,
    json_out: Json = False,
):
    """Fit measured in-plane Hc2(T) with lmfit and report parameters with standard errors.

    Models (units): ising: Tc (K), beta_so (meV, the Ising field = half the spin splitting);
    ising-scattering: + gamma_so = hbar/(3 tau_so) (meV), gamma_iv = hbar/tau_iv (meV, fixed
    at 0 unless --free gamma_iv); pauli: Tc (K), clean Pauli-limited Hc2, first order below
    T* = 0.5615 Tc; gl: 2D Ginzburg-Landau, Tc and xi_d (nm^2) or xi0 (nm); whh: Tc, slope (T/K).
    Prints values +/- standard errors, 68 % and 95 % confidence intervals and the reduced chi2,
    and writes a plot (data + fit + Pauli limit), a JSON and a NetCDF result.  Points with B > 0
    above the fitted Tc, missing columns, non-numeric cells, T <= 0 or B < 0 are errors.
    """
    from isingsc.experiment.data_io import read_hc2_csv
    from isingsc.experiment.fitting import MODELS, fit_hc2
    from isingsc.plotting.experiment import plot_fit
    from isingsc.plotting.style import save_figure

    if model not in MODELS:
        raise ParameterError("--model", model, " | ".join(MODELS))
    if ci not in ("covariance", "profile"):
        raise ParameterError("--ci", ci, "covariance | profile")
    folder = output_folder(out) if out is not None else Path(data_file).resolve().parent
    plot = output_file(plot)
    data = read_hc2_csv(data_file, t_col=t_col, b_col=b_col, err_col=err_col)
    result = fit_hc2(data, model, g=g, orientation=orientation, xi0_nm=xi_nm, fix=_name_values("fix", fix),
                     free=free, init=_name_values("init", init), ci=ci)
    files = {}
    if not no_write:
        stem = f"{Path(data_file).stem}_{model}_fit"
        # build everything in memory first: a failure leaves no partial output behind
        figure = plot_fit(result)
        dataset = result.to_dataset()
        text = result.to_json()
        files = {"plot": Path(plot) if plot is not None else folder / f"{stem}.png",
                 "json": folder / f"{stem}.json", "netcdf": folder / f"{stem}.nc"}
        from isingsc.experiment.results import save

        save(dataset, files["netcdf"])
        files["json"].write_text(text)
        save_figure(figure, files["plot"])
    print_fit(result, files, json_out)


@app.command("materials")
def materials_command(
    json_out: Json = False,
    plot: Annotated[Optional[Path], typer.Option("--plot", help="Write the Bc2/Bp-per-material plot to this path (.png, .pdf or .svg).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for materials.json, materials.nc and materials_bc2_over_bp.png.")] = None,
    material: Annotated[Optional[str], typer.Option("--material", help="Only entries whose material or id contains this text.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Print the Bc2/Bp consistency check (quoted ratio vs Bc2/(1.86 T/K x Tc)).")] = False,
):
    """Table of the Ising superconductors of the review (packaged, versioned data file).

    Columns: Tc (K; onset / zero resistance where given), Bc2 (T), Bc2/Bp, SOC (meV), Ising type,
    growth, reference, as quoted by the source ("> x" bound, "~x" approximate).  The check column
    compares a quoted Bc2/Bp with Bc2 / (1.86 T/K x Tc) within the quoted precision.
    Defaults: the whole table as text; nothing is written unless --out or --plot is given.
    """
    from isingsc.experiment import materials as mat
    from isingsc.plotting.experiment import plot_materials
    from isingsc.plotting.style import save_figure

    out = output_folder(out)
    plot = output_file(plot)
    entries = mat.select(mat.load_materials(), material)
    rows = mat.table_rows(entries)
    report = mat.consistency_check(entries)
    written = {}
    if out is not None:
        import json

        from isingsc.core.results import to_jsonable
        from isingsc.experiment.results import save

        ds = mat.materials_dataset(entries)
        fig = plot_materials(entries)
        out.mkdir(parents=True, exist_ok=True)
        (out / "materials.json").write_text(json.dumps(to_jsonable({"versions": mat.table_versions(), "rows": rows}),
                                                       allow_nan=False, indent=1) + "\n")
        save(ds, out / "materials.nc")
        save_figure(fig, out / "materials_bc2_over_bp.png")
        written.update(json=out / "materials.json", netcdf=out / "materials.nc", plot=out / "materials_bc2_over_bp.png")
    if plot is not None:
        plot_materials(entries, path=plot)
        written["plot"] = plot
    if json_out:
        print_json({"versions": mat.table_versions(), "sources": mat.sources(), "rows": rows,
                    "consistency_check": report, "files": {k: str(v) for k, v in written.items()}})
        return
    v = mat.table_versions()
    echo(f"isingsc materials table, data version {v['data_version']} (schema {v['schema_version']}); "
         f"values as quoted by the source; units K, T, meV")
    if check:
        for r in report:
            echo(f"{r['id']}: {r['status']} - {r['detail']}")
    else:
        echo(mat.format_table(rows))
    for k, p in written.items():
        echo(f"wrote {k}: {p}")


@app.command("pauli")
def pauli_command(
    tc: Annotated[float, number("--tc", "Critical temperature Tc.", lo=0.0, hi=1000.0, lo_open=True, unit="K")] = 1.0,
    g: GFactor = 2.0,
    variant: Annotated[str, typer.Option("--variant", help="bcs (Delta0 = 1.76388 k_B Tc, 1.8568 T/K) | clogston (2 Delta0 = 3.5 k_B Tc, 1.84 T/K).")] = "bcs",
    temperature: Annotated[Optional[float], number("--temperature", "Also give the Pauli-limited Hc2 at this T (below --tc).", lo=0.0, hi=1000.0, lo_open=True, unit="K", short="-T")] = None,
    json_out: Json = False,
):
    """Pauli (Chandrasekhar-Clogston) limit B_P = Delta0/(sqrt2 (g/2) mu_B) for a given Tc, and the tricritical point.

    Prints B_P (T), the slope B_P/Tc (T/K), Delta0 (meV) and the tricritical point of the clean
    Pauli-limited superconductor (T*/Tc, B*/B_P, derived from Re psi''(1/2 + i x*) = 0).
    """
    from isingsc.experiment import pauli as P

    tri = P.tricritical_point()
    out = {"Tc_K": tc, "g": P.check_g(g), "variant": variant, "B_P_T": P.pauli_field(tc, g, variant),
           "slope_T_per_K": P.pauli_slope(g, variant), "Delta0_meV": float(P.bcs_gap_mev(tc, variant)),
           "tricritical": {"T_over_Tc": tri["T_over_Tc"], "T_K": tri["T_over_Tc"] * tc,
                           "B_over_BP": tri["B_over_BP"], "B_T": tri["B_over_BP"] * P.pauli_field(tc, g),
                           "h_over_Delta0": tri["h_over_Delta0"]},
           "tolerance": "root finding to 1e-12 relative"}
    if temperature is not None:
        if temperature > tc:
            raise ParameterError("--temperature", temperature, f"0 < T <= Tc = {tc:g} K")
        T = temperature
        out["temperature_K"] = T
        out["Hc2_T"] = P.pauli_limited_hc2(T, tc, g=g)
        out["H2_second_order_T"] = P.pauli_limited_hc2(T, tc, g=g, transition="second-order")
        out["transition_order"] = "first" if T / tc < tri["T_over_Tc"] else "second"
    if json_out:
        print_json(out)
        return
    echo(f"Tc = {tc:g} K, g = {g:g}, {variant}: B_P = {out['B_P_T']:.6g} T ({out['slope_T_per_K']:.6g} T/K x Tc), "
         f"Delta0 = {out['Delta0_meV']:.6g} meV")
    echo(f"tricritical point (clean, Pauli-limited, BCS): T* = {tri['T_over_Tc']:.6f} Tc = {out['tricritical']['T_K']:.6g} K, "
         f"B* = {tri['B_over_BP']:.6f} B_P = {out['tricritical']['B_T']:.6g} T (mu_B H* = {tri['h_over_Delta0']:.6f} Delta0)")
    if temperature is not None:
        echo(f"T = {out['temperature_K']:g} K: Hc2 = {out['Hc2_T']:.6g} T ({out['transition_order']} order); "
             f"second-order (super-cooling) field {out['H2_second_order_T']:.6g} T")


@app.command("allen-dynes")
def allen_dynes_command(
    lam: Annotated[float, number("--lambda", "Electron-phonon coupling lambda (> mu* (1 + 0.62 lambda)).", lo=0.0, hi=20.0, lo_open=True)] = 1.0,
    mu_star: Annotated[float, number("--mu-star", "Coulomb pseudopotential mu*.", lo=0.0, hi=1.0)] = 0.1,
    omega_log: Annotated[Optional[float], number("--omega-log", "Logarithmic phonon frequency omega_log.", lo=0.0, hi=1e5, lo_open=True, unit="K")] = None,
    tc: Annotated[Optional[float], number("--tc", "Instead of --omega-log: the Tc to invert for omega_log.", lo=0.0, hi=1000.0, lo_open=True, unit="K")] = None,
    theta_debye: Annotated[Optional[float], number("--theta-debye", "Also give McMillan's Tc for this Debye temperature.", lo=0.0, hi=1e5, lo_open=True, unit="K")] = None,
    omega2_ratio: Annotated[Optional[float], number("--omega2-ratio", "wbar2/omega_log for the f2 shape correction; default f2 = 1.", lo=1.0, hi=100.0)] = None,
    no_corrections: Annotated[bool, typer.Option("--no-corrections", help="Plain McMillan-Allen-Dynes form (f1 = f2 = 1).")] = False,
    json_out: Json = False,
):
    """Allen-Dynes Tc (K) = f1 f2 (omega_log/1.2) exp[-1.04(1+lambda)/(lambda - mu*(1+0.62 lambda))].

    Give --omega-log (K) to get Tc, or --tc (K) to get the omega_log that produces it.
    f1, f2 from Allen & Dynes, PRB 12, 905 (1975); --no-corrections for the plain form.
    """
    from isingsc.experiment import eliashberg as E

    if (omega_log is None) == (tc is None):
        raise ParameterError("--omega-log/--tc", (omega_log, tc), "exactly one of --omega-log and --tc")
    f1, f2 = E.allen_dynes_factors(lam, mu_star, omega2_ratio) if not no_corrections else (1.0, 1.0)
    kw = {"corrections": not no_corrections, "omega2_over_omega_log": omega2_ratio}
    if omega_log is not None:
        out = {"omega_log_K": omega_log, "Tc_K": E.allen_dynes_tc(lam, mu_star, omega_log, **kw)}
    else:
        out = {"Tc_K": tc, "omega_log_K": E.omega_log_from_tc(tc, lam, mu_star, **kw)}
    out.update({"lambda": lam, "mu_star": mu_star, "f1": f1, "f2": f2, "corrections": not no_corrections})
    if theta_debye is not None:
        out["theta_debye_K"] = theta_debye
        out["Tc_McMillan_K"] = E.mcmillan_tc(lam, mu_star, theta_debye)
    if json_out:
        print_json(out)
        return
    echo(f"lambda = {lam:g}, mu* = {mu_star:g}: Tc = {out['Tc_K']:.6g} K with omega_log = {out['omega_log_K']:.6g} K "
         f"(f1 = {f1:.5f}, f2 = {f2:.5f}{'' if not no_corrections else ', plain form'})")
    if theta_debye is not None:
        echo(f"McMillan: Tc = {out['Tc_McMillan_K']:.6g} K for Theta_D = {theta_debye:g} K")


@app.command("ising-hc2")
def ising_hc2_command(
    tc: Annotated[float, number("--tc", "Zero-field Tc.", lo=0.0, hi=1000.0, lo_open=True, unit="K")] = 3.0,
    soc: Annotated[float, number("--soc", "Ising SOC: beta_so, or the full splitting with --soc-convention full.", lo=0.0, hi=1e4, unit="meV")] = 1.0,
    soc_convention: Annotated[str, typer.Option("--soc-convention", help="half (value = Ising field beta_so) | full (value = spin splitting 2 beta_so).")] = "half",
    gamma_so: Annotated[float, number("--gamma-so", "Spin-orbit scattering rate hbar/(3 tau_so).", lo=0.0, hi=1e4, unit="meV")] = 0.0,
    gamma_iv: Annotated[float, number("--gamma-iv", "Intervalley scattering rate hbar/tau_iv.", lo=0.0, hi=1e4, unit="meV")] = 0.0,
    g: GFactor = 2.0,
    n_points: Annotated[int, count("--n-points", "Number of temperatures from 0.02 Tc to Tc.", 2, 2000)] = 25,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for ising_hc2.nc and ising_hc2.png.")] = None,
    json_out: Json = False,
):
    """In-plane Hc2(T) (T) of an Ising superconductor from the Matsubara kernel (clean when both rates are 0).

    Prints T (K), Hc2 (T) and Hc2/B_P on a grid of T/Tc; --out writes the curve as NetCDF and a plot.
    """
    from isingsc.experiment.ising import ising_hc2_curve

    out = output_folder(out)
    ds = ising_hc2_curve(tc, soc, gamma_so, gamma_iv, g=g, convention=soc_convention, n_points=n_points)
    files = {}
    if out is not None:
        from isingsc.experiment.results import save
        from isingsc.plotting.experiment import plot_ising_hc2
        from isingsc.plotting.style import save_figure

        files = {"netcdf": save(ds, out / "ising_hc2.nc"),
                 "plot": save_figure(plot_ising_hc2(ds), out / "ising_hc2.png")[0]}
    if json_out:
        print_json({"T_K": ds["T"].values, "Hc2_T": ds.Hc2.values, "Hc2_over_BP": ds.Hc2_over_BP.values,
                    "attrs": dict(ds.attrs), "files": {k: str(v) for k, v in files.items()},
                    "tolerance": "root finding to 1e-13 relative"})
        return
    a = ds.attrs
    echo(f"Tc = {a['Tc_K']:g} K, beta_so = {a['beta_so_meV']:g} meV (splitting {a['soc_splitting_meV']:g} meV), "
         f"gamma_so = {a['gamma_so_meV']:g} meV, gamma_iv = {a['gamma_iv_meV']:g} meV, B_P = {a['B_P_T']:.5g} T")
    echo("T (K)      Hc2 (T)     Hc2/B_P")
    for T, b, r in zip(ds["T"].values, ds.Hc2.values, ds.Hc2_over_BP.values):
        echo(f"{T:<10.4g} {b:<11.5g} {r:.5g}")
    for k, p in files.items():
        echo(f"wrote {k}: {p}")
