"""The paper's figures: compute their data (Datasets), plot, and write PNG + NetCDF.

Each ``figure_N`` function returns the list of files it wrote.  Later issues
add Figs. 3 and 4; ``isingsc reproduce`` calls them all.
"""

from __future__ import annotations

from pathlib import Path

from . import plotting
from .bands import band_structure, fermi_contours
from .greens import spectral_map
from .models import PAPER, HeterostructureParams, heterostructure_model, sc_model, tmd_model
from .results import save


def figure_1(out: Path, params: HeterostructureParams = PAPER, n_grid: int = 301) -> list[Path]:
    """Fig. 1: bands of the SC (green) and TMD (red/blue spins) and their Fermi surfaces.

    As in the paper the two layers are shown uncoupled (their own Hamiltonians);
    the coupled heterostructure bands are drawn dashed for reference.
    """
    out = Path(out)
    data = {
        "fig1_bands_sc": band_structure(sc_model(params)),
        "fig1_bands_tmd": band_structure(tmd_model(params)),
        "fig1_bands_coupled": band_structure(heterostructure_model(params)),
        "fig1_fermi_sc": fermi_contours(sc_model(params), n_grid),
        "fig1_fermi_tmd": fermi_contours(tmd_model(params), n_grid),
    }
    files = [save(ds, out / f"{name}.nc") for name, ds in data.items()]
    fig = plotting.plot_fig1(data["fig1_bands_sc"], data["fig1_bands_tmd"], data["fig1_fermi_sc"],
                             data["fig1_fermi_tmd"], data["fig1_bands_coupled"])
    return files + plotting.save_figure(fig, out / "fig1_bands_fermi_surfaces.png", pdf=True)


def figure_2(out: Path, params: HeterostructureParams = PAPER, n_grid: int = 401,
             eta: float = 0.05) -> list[Path]:
    """Fig. 2: rho_0 and rho_3 of the SC layer in the normal state at omega = 0 (Gamma = params.gamma)."""
    out = Path(out)
    ds = spectral_map(heterostructure_model(params), n_grid=n_grid, omega=0.0, eta=eta)
    files = [save(ds, out / "fig2_spectral_maps.nc")]
    return files + plotting.save_figure(plotting.plot_fig2(ds), out / "fig2_rho0_rho3.png", pdf=True)
