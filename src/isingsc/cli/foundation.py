"""CLI commands of the foundation: ``bands``, ``dos``, ``induced-soc``, ``reproduce``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from isingsc.plotting import figures as figures
from isingsc.core.errors import check_positive_int, check_range
from isingsc.lattice.triangular import high_symmetry_path
from isingsc.lattice.triangular import structure_factors
from isingsc.models.paper import PAPER, IsingParams, induced_ising_soc, model_from_name
from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (BetaSo, FieldAngle, FieldOnTmd, Gamma, Json, MuSc, MuTmd, OutDir, TSc, TTmd,
                      field_angle_rad, heterostructure_params)

ModelName = Annotated[str, typer.Option("--model", help="heterostructure | effective | intrinsic | sc | tmd")]


def _model(name, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd=True):
    params = heterostructure_params(t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd)
    ising = IsingParams(t=t_sc, mu=mu_sc, beta_so=beta_so) if name == "intrinsic" else None
    return params, model_from_name(name, params, ising)


@app.command("induced-soc")
def induced_soc_command(
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd,
    mu_tmd: MuTmd = PAPER.mu_tmd, beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma,
    points_per_unit: Annotated[float, typer.Option(help="Path sampling density per unit |k| (1/a).")] = 20.0,
    json_out: Json = False,
):
    """Induced Ising SOC on the SC layer along Γ-K-M-Γ (re-derived paper Eq. 5).

    sigma_z part of Sigma(k, 0) = -Gamma^2 H_TMD^-1:
    2 beta_eff S(k) = Gamma^2 2 beta_SO S / [(2 t_TMD C - mu_TMD)^2 - (2 beta_SO S)^2].
    Prints k (1/a), soc_z = 2 beta_eff S (|t|) and beta_eff (|t|); values at poles
    (a TMD band at zero energy) are null.  Energies in units of |t|.
    """
    params = heterostructure_params(t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma)
    check_range("points_per_unit", points_per_unit, lo=0.0, lo_open=True)
    path = high_symmetry_path(points_per_unit=points_per_unit)
    soc_z = induced_ising_soc(params, path.k)
    c, s = structure_factors(path.k)
    a = 2 * params.t_tmd * c - params.mu_tmd
    b = 2 * params.beta_so * s
    denom = a * a - b * b
    # within 1e-9 of a pole the value is meaningless: report null rather than inf
    pole = np.abs(denom) < 1e-9
    beta_eff = np.where(pole, np.nan, params.gamma**2 * params.beta_so / np.where(pole, 1.0, denom))
    soc_z = np.where(pole, np.nan, soc_z)
    result = {
        "k": path.k.tolist(), "path_distance": path.distance, "path_labels": list(path.labels),
        "path_ticks": list(path.tick_positions), "beta_eff": beta_eff, "soc_z": soc_z,
        "pole": pole, "parameters": params.as_attrs(),
        "units": {"k": "1/a", "beta_eff": "|t|", "soc_z": "|t|"},
        "definition": "soc_z = 2*beta_eff*S(k) = sigma_z coefficient of Sigma(k, omega=0); exact closed form",
    }
    if json_out:
        print_json(result)
        return
    echo(f"induced Ising SOC along Γ-K-M-Γ ({len(path.k)} points, closed form, units |t|); params {params.as_attrs()}")
    step = max(1, len(path.k) // 25)
    for i in range(0, len(path.k), step):
        be = "pole" if pole[i] else f"{beta_eff[i]: .6e}"
        sz = "pole" if pole[i] else f"{soc_z[i]: .6e}"
        echo(f"  k=({path.k[i, 0]: .4f},{path.k[i, 1]: .4f}) 1/a  beta_eff={be} |t|  soc_z={sz} |t|")


@app.command("bands")
def bands_command(
    out: OutDir = "isingsc-bands",
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd,
    mu_tmd: MuTmd = PAPER.mu_tmd, beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma,
    n_grid: Annotated[int, typer.Option(help="Grid size for Fermi contours (n x n over the BZ).")] = 301,
):
    """Bands along Γ-K-M-Γ and Fermi surfaces of the SC and TMD layers (paper Fig. 1).

    Writes fig1_bands_fermi_surfaces.png/.pdf and NetCDF data to --out.
    Energies in |t|, k in 1/a; Fermi contours accurate to the grid spacing (in attrs).
    """
    params = heterostructure_params(t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma)
    check_positive_int("n_grid", n_grid, 16)
    files = figures.figure_1(Path(out), params, n_grid=n_grid)
    for f in files:
        echo(f"wrote {f}")


@app.command("dos")
def dos_command(
    out: OutDir = "isingsc-dos",
    model: ModelName = "heterostructure",
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd,
    mu_tmd: MuTmd = PAPER.mu_tmd, beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma,
    field_on_tmd: FieldOnTmd = True,
    eta: Annotated[float, typer.Option(help="Lorentzian broadening eta > 0 (|t|).")] = 0.05,
    delta: Annotated[float, typer.Option(help="Pairing gap Delta on the SC layer (|t|); 0 = normal state.")] = 0.0,
    vx: Annotated[float, typer.Option(help="Zeeman energy |V| = mu_B B of the in-plane field (|t|), along x unless "
                                           "--field-angle.")] = 0.0,
    omega_max: Annotated[float, typer.Option(help="DOS energy window [-omega_max, omega_max] (|t|).")] = 1.0,
    n_k: Annotated[int, typer.Option(help="k mesh n_k x n_k for the k-integrated DOS.")] = 240,
    n_grid: Annotated[int, typer.Option(help="Grid size of the rho_0 / rho_3 maps over the BZ.")] = 241,
    field_angle: FieldAngle = 0.0,
):
    """Spectral maps rho_0, rho_3 at omega = 0 (paper Fig. 2) and the k-integrated DOS(omega).

    rho_sigma(k, omega) = -(1/pi) Im G^R_{sigma sigma} of the SC layer with broadening eta;
    DOS per site per spin in states/|t|.  Writes PNG + NetCDF to --out.
    """
    from isingsc.plotting import paper as plotting
    from isingsc.normal.greens import check_eta, dos_dataset, spectral_map
    from isingsc.core.results import save

    eta = check_eta(eta)
    check_range("delta", delta, lo=0.0)
    check_range("vx", vx, lo=0.0)
    check_range("omega_max", omega_max, lo=0.0, lo_open=True)
    check_positive_int("n_k", n_k, 6)
    params, m = _model(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd)
    orbital = "ising" if model == "intrinsic" else ("tmd" if model == "tmd" else "sc")
    out = Path(out)
    from isingsc.core.field import Field

    field = Field.in_plane(vx, field_angle_rad(field_angle))
    smap = spectral_map(m, n_grid=n_grid, omega=0.0, eta=eta, orbital=orbital, delta=delta, field=field)
    omega = np.linspace(-omega_max, omega_max, 401)
    dos = dos_dataset(m, omega, eta=eta, n_k=n_k, orbital=orbital, delta=delta, field=field)
    files = [save(smap, out / "spectral_map.nc"), save(dos, out / "dos.nc")]
    files += plotting.save_figure(plotting.plot_fig2(smap), out / "rho0_rho3.png")
    files += plotting.save_figure(plotting.plot_dos(dos), out / "dos.png")
    echo(f"DOS at omega=0: {float(dos.dos.sel(omega=0, method='nearest')):.6f} states/|t|/site "
         f"({dos.attrs['kmesh']}, eta={eta:g} |t|)")
    for f in files:
        echo(f"wrote {f}")


@app.command("reproduce")
def reproduce_command(
    out: OutDir = "results",
    figures_: Annotated[str, typer.Option("--figures", help="Comma-separated figure numbers to make: the paper's "
                                                             "1-4 and 5, spectroscopy.")] = "1,2,3,4,5",
    quality: Annotated[str, typer.Option("--quality", help="fast (default; ~2-3 min on 2 cores) | paper (finer "
                                                           "temperature, map, ky and energy grids; ~13 min).")] = "fast",
    force: Annotated[bool, typer.Option("--force", help="Recompute every figure even if the cache holds it.")] = False,
    cache_dir: Annotated[Optional[str], typer.Option(
        "--cache-dir", help="Folder of the cache of finished figures (default: OUT/.isingsc-cache).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (no progress bar).")] = False,
):
    """Reproduce the paper's figures with its parameters into --out: PNG, PDF, NetCDF and report.html.

    Fig. 1: bands/Fermi surfaces (t_SC = t_TMD = -1, mu_SC = 0, mu_TMD = 3, beta_SO = 0.5, all in |t|);
    Fig. 2: rho_0 and rho_3 at omega = 0 with Gamma = 0.5, eta = 0.05 |t|;
    Fig. 3: Hc2/HP vs T/Tc for Gamma = 0, 0.2, 0.3, 0.4, 0.5 at Delta0 = 0.02 |t| (converged to 0.5 %),
    Delta/Delta0 maps (Gamma = 0 and 0.5) and the large-gap regime Delta0 = 0.1 |t| (~60 s on 2 cores);
    Fig. 4: armchair-y strip at Vx = 0 and 4 Delta (Delta = 0.05 |t|): ribbon spectrum, semi-infinite
    edge spectral function (the Majorana flat band), bulk W(ky), a zero-mode profile (~50 s);
    Fig. 5 (not in the paper): tunnelling spectra in field (Pauli film vs Ising heterostructure), the gap
    against field, and the edge zero-bias peak of the flat bands (~25 s).
    report.html: one self-contained page with the figures and a table of the headline numbers, each with
    its mesh and tolerance; reproduce.json: the run record (times, cache use).  Finished figures are
    cached (key: settings, quality, package version and source); a re-run reuses them unless --force.
    """
    import json
    import os
    import sys
    from datetime import datetime, timezone

    from tqdm import tqdm

    from isingsc.core.version import __version__
    from isingsc.workflows.cache import DEFAULT_CACHE_NAME, FigureCache, figure_settings, settings_key
    from isingsc.core.errors import ParameterError
    from isingsc.workflows.report import RUN_RECORD, build_report

    makers = {"1": figures.figure_1, "2": figures.figure_2,
              "3": lambda o: figures.figure_3(o, quality=quality),
              "4": lambda o: figures.figure_4(o, quality=quality),
              "5": lambda o: figures.figure_5(o, quality=quality)}
    wanted = [f.strip() for f in figures_.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in makers]
    if unknown or not wanted:
        raise ParameterError("figures", figures_, "a comma-separated subset of 1,2,3,4,5")
    wanted = list(dict.fromkeys(wanted))  # each figure once, in the order given
    if quality not in figures.FIG3_QUALITY:
        raise ParameterError("quality", quality, " | ".join(figures.FIG3_QUALITY))
    out = Path(out)
    cache = FigureCache(Path(cache_dir) if cache_dir else out / DEFAULT_CACHE_NAME)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = time.perf_counter()
    record = {"isingsc_version": __version__, "quality": quality, "started": started,
              "command": " ".join(["isingsc", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("isingsc")
              else f"isingsc reproduce --out {out} --figures {','.join(wanted)} --quality {quality}",
              "cpu_count": os.cpu_count(), "force": force, "cache_dir": str(cache.root), "figures": {}}
    # no bar when quiet or when stderr is not a terminal (logs, CI): tqdm disables itself for disable=None
    bar = tqdm(wanted, desc="reproduce", unit="fig", disable=True if quiet else None, file=sys.stderr,
               bar_format="{desc}: {n_fmt}/{total_fmt} figures |{bar}| {elapsed}{postfix}")
    for name in bar:
        bar.set_postfix_str(f"Fig. {name}")
        t0 = time.perf_counter()
        settings = figure_settings(name, quality, getattr(figures, f"figure_{name}"))
        key = settings_key(settings)
        entry = None if force else cache.lookup(name, key)
        if cache.last_problem and not quiet:
            bar.write(f"Fig. {name}: cache entry corrupt ({cache.last_problem}); recomputing")
        cached = entry is not None
        if entry is None:
            entry = cache.store(name, key, settings, makers[name])
        files = cache.restore(entry, out)
        seconds = time.perf_counter() - t0
        record["figures"][name] = {"cached": cached, "seconds": seconds, "compute_seconds": entry.compute_seconds,
                                   "cache_key": key, "files": [f.name for f in files]}
        if not quiet:
            how = (f"reused from cache (computed in {entry.compute_seconds:.1f} s)" if cached
                   else f"computed in {entry.compute_seconds:.1f} s")
            bar.write(f"Fig. {name}: {len(files)} files, {how}")
            for f in files:
                bar.write(f"  wrote {f}")
    bar.close()
    record["total_seconds"] = time.perf_counter() - start
    (out / RUN_RECORD).write_text(json.dumps(record, indent=1) + "\n")
    report = build_report(out, record)
    echo(f"  wrote {out / RUN_RECORD}", quiet)
    echo(f"  wrote {report}", quiet)
    echo(f"done in {time.perf_counter() - start:.1f} s; output in {out}; open {report} in a browser", quiet)
