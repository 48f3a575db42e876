"""CLI commands of the normal state and the paper's figures: ``bands``, ``dos``, ``induced-soc``, ``reproduce``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from isingsc.cli.app import QUIET, app, echo, print_json
from isingsc.cli.options import (FieldAngle, FieldStrength, Json, OutDir, count, field_angle_rad, model_command,
                                 number, output_folder)
from isingsc.core.field import Field


@app.command("induced-soc")
@model_command(default="heterostructure")
def induced_soc_command(
    model,
    points_per_unit: Annotated[float, number("--points-per-unit", "Path sampling density per unit |k|.", lo=0.0,
                                             hi=1000.0, lo_open=True, unit="1/a")] = 20.0,
    json_out: Json = False,
):
    """Induced Ising SOC on the SC layer of the heterostructure along Γ-K-M-Γ (re-derived paper Eq. 5).

    sigma_z part of Sigma(k, 0) = -Gamma^2 H_TMD^-1:
    2 beta_eff S(k) = Gamma^2 2 beta_SO S / [(2 t_TMD C - mu_TMD)^2 - (2 beta_SO S)^2].
    Prints k (1/a), soc_z = 2 beta_eff S (|t|) and beta_eff (|t|); values at poles (a TMD band at zero
    energy) are null.  Energies in units of |t|.
    """
    from isingsc.core.errors import ModelCapabilityError
    from isingsc.lattice.triangular import high_symmetry_path
    from isingsc.models.paper import HeterostructureParams, induced_ising_soc_along

    if model.name not in ("heterostructure", "eq8-static", "effective-fit"):
        raise ModelCapabilityError(model.name, "induced Ising SOC", "it has no TMD layer to induce it "
                                   "(use heterostructure)")
    params = HeterostructureParams(**model.parameters)
    path = high_symmetry_path(points_per_unit=points_per_unit)
    soc = induced_ising_soc_along(params, path.k)
    result = {"k": path.k.tolist(), "path_distance": path.distance, "path_labels": list(path.labels),
              "path_ticks": list(path.tick_positions), "beta_eff": soc["beta_eff"], "soc_z": soc["soc_z"],
              "pole": soc["pole"], "parameters": params.as_attrs(),
              "units": {"k": "1/a", "beta_eff": "|t|", "soc_z": "|t|"},
              "definition": "soc_z = 2*beta_eff*S(k) = sigma_z coefficient of Sigma(k, omega=0); exact closed form"}
    if json_out:
        print_json(result)
        return
    echo(f"induced Ising SOC along Γ-K-M-Γ ({len(path.k)} points, closed form, units |t|); params {params.as_attrs()}")
    step = max(1, len(path.k) // 25)
    for i in range(0, len(path.k), step):
        be = "pole" if soc["pole"][i] else f"{soc['beta_eff'][i]: .6e}"
        sz = "pole" if soc["pole"][i] else f"{soc['soc_z'][i]: .6e}"
        echo(f"  k=({path.k[i, 0]: .4f},{path.k[i, 1]: .4f}) 1/a  beta_eff={be} |t|  soc_z={sz} |t|")


@app.command("bands")
@model_command(default="heterostructure")
def bands_command(
    model,
    out: OutDir = "isingsc-bands",
    n_grid: Annotated[int, count("--n-grid", "Grid size for the Fermi contours (n x n over the zone).", 16, 2001)] = 301,
    field: FieldStrength = None, field_angle: FieldAngle = 0.0,
):
    """Bands along Γ-K-M-Γ (spin-resolved) and Fermi contours of the model's normal state.

    Writes bands.nc, fermi_contours.nc and bands.png to --out (for the paper's Fig. 1 with both layers
    drawn separately: isingsc reproduce --figures 1).  Energies in |t|, k in 1/a; contours accurate to
    the grid spacing (in attrs).
    """
    from isingsc.core.results import save
    from isingsc.normal.bands import band_structure, fermi_contours
    from isingsc.plotting.paper import plot_bands
    from isingsc.plotting.style import save_figure

    outdir = output_folder(out)
    f = Field.in_plane(field or 0.0, field_angle_rad(field_angle))
    bands = band_structure(model.model, field=f)
    contours = fermi_contours(model.model, n_grid, field=f)
    files = [save(bands, outdir / "bands.nc"), save(contours, outdir / "fermi_contours.nc")]
    files += save_figure(plot_bands(bands, contours, title=f"{model.name}, |V| = {f.strength:g} |t|"),
                         outdir / "bands.png")
    for p in files:
        echo(f"wrote {p}")


@app.command("dos")
@model_command(default="heterostructure")
def dos_command(
    model,
    out: OutDir = "isingsc-dos",
    eta: Annotated[float, number("--eta", "Lorentzian broadening eta.", lo=0.0, hi=1.0, lo_open=True, unit="|t|")] = 0.05,
    delta: Annotated[float, number("--delta", "Pairing gap Delta on the pairing orbitals (0 = normal state).", lo=0.0,
                                   hi=1.0, unit="|t|")] = 0.0,
    field: FieldStrength = None, field_angle: FieldAngle = 0.0,
    energy_max: Annotated[float, number("--energy-max", "DOS energy window [-E_max, E_max].", lo=0.0, hi=20.0,
                                        lo_open=True, unit="|t|")] = 1.0,
    n_k: Annotated[int, count("--n-k", "k mesh n_k x n_k for the k-integrated DOS.", 6, 2000)] = 240,
    n_grid: Annotated[int, count("--n-grid", "Grid size of the rho_0 / rho_3 maps over the zone.", 8, 2001)] = 241,
    orbital: Annotated[Optional[str], typer.Option("--orbital", help="Orbital whose spectra are shown (default: "
                                                                       "the first pairing orbital, e.g. the SC layer).")] = None,
):
    """Spectral maps rho_0, rho_3 at E = 0 (paper Fig. 2) and the k-integrated DOS(E) of one orbital.

    rho_sigma(k, E) = -(1/pi) Im G^R_{sigma sigma} with broadening eta; DOS per site per spin in
    states/|t|.  Writes PNG + NetCDF to --out.
    """
    import numpy as np

    from isingsc.core.results import save
    from isingsc.normal.greens import dos_dataset, spectral_map
    from isingsc.plotting.paper import plot_dos, plot_fig2
    from isingsc.plotting.style import save_figure

    outdir = output_folder(out)
    f = Field.in_plane(field or 0.0, field_angle_rad(field_angle))
    smap = spectral_map(model.model, n_grid=n_grid, energy=0.0, eta=eta, orbital=orbital, delta=delta, field=f)
    dos = dos_dataset(model.model, np.linspace(-energy_max, energy_max, 401), eta=eta, n_k=n_k, orbital=orbital,
                      delta=delta, field=f)
    files = [save(smap, outdir / "spectral_map.nc"), save(dos, outdir / "dos.nc")]
    files += save_figure(plot_fig2(smap), outdir / "rho0_rho3.png")
    files += save_figure(plot_dos(dos), outdir / "dos.png")
    echo(f"DOS at E = 0: {float(dos.dos.sel(energy=0, method='nearest')):.6f} states/|t|/site "
         f"({dos.attrs['kmesh']}, eta={eta:g} |t|)")
    for p in files:
        echo(f"wrote {p}")


@app.command("reproduce")
def reproduce_command(
    out: OutDir = "results",
    figures: Annotated[str, typer.Option("--figures", help="Comma-separated figure numbers to make: the paper's "
                                                            "1-4 and 5, spectroscopy (default); 6 impurities and "
                                                            "chains, 7 junctions, 8 hole-doped TMDs; or all.")
                       ] = "1,2,3,4,5",
    quality: Annotated[str, typer.Option("--quality", help="fast (default) | paper (finer temperature, map, ky "
                                                           "and energy grids).")] = "fast",
    force: Annotated[bool, typer.Option("--force", help="Recompute every figure even if the cache holds it.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(
        "--cache-dir", help="Folder of the cache of finished figures (default: OUT/.isingsc-cache).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
):
    """Reproduce the paper's figures with its parameters into --out: PNG, PDF, NetCDF and report.html.

    Fig. 1: bands/Fermi surfaces (t_SC = t_TMD = -1, mu_SC = 0, mu_TMD = 3, beta_SO = 0.5, all in |t|);
    Fig. 2: rho_0 and rho_3 at E = 0 with Gamma = 0.5, eta = 0.05 |t|;
    Fig. 3: Hc2/HP vs T/Tc for Gamma = 0, 0.2, 0.3, 0.4, 0.5 at Delta0 = 0.02 |t| (converged to 0.5 %),
    Delta/Delta0 maps (Gamma = 0 and 0.5) and the large-gap regime Delta0 = 0.1 |t|;
    Fig. 4: armchair-y strip at Vx = 0 and 4 Delta (Delta = 0.05 |t|): ribbon spectrum, semi-infinite
    edge spectral function (the Majorana flat band), bulk W(ky), a zero-mode profile;
    Fig. 5 (not in the paper): tunnelling spectra in field (Pauli film vs Ising heterostructure), the gap
    against field, and the edge zero-bias peak of the flat bands.
    With --figures all also the review's routes to Majorana modes: Fig. 6 magnetic impurities and chains,
    Fig. 7 junctions through magnets, Fig. 8 hole-doped TMDs (Chern numbers, pairing channels).
    report.html: one self-contained page with the figures and a table of the headline numbers, each with
    its mesh and tolerance; reproduce.json: the run record (times, cache use).  Finished figures are
    cached (key: settings, quality, package version and source); a re-run reuses them unless --force.
    """
    import time

    from isingsc.plotting.figures import reproduce
    from isingsc.workflows.reproduce import command_line

    start = time.perf_counter()
    outdir = output_folder(out)
    output_folder(cache_dir, "--cache-dir")
    wanted = None if figures.strip() == "all" else [f.strip() for f in figures.split(",") if f.strip()]
    quiet = quiet or QUIET["on"]
    say = None if quiet else (lambda line: typer.echo(line, err=False))
    run = reproduce(outdir, figures=wanted, quality=quality, force=force, cache_dir=cache_dir, echo=say,
                    command=command_line() or None)
    echo(f"done in {time.perf_counter() - start:.1f} s; output in {outdir}; open {run.report} in a browser", quiet)
    sys.stdout.flush()
