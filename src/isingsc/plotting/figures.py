"""The paper's figures: compute their data (Datasets), plot, and write PNG + NetCDF.

Each ``figure_N`` function returns the list of files it wrote; :data:`FIGURES` lists them for
:func:`reproduce` (``isingsc reproduce``, ``isingsc.reproduce``), which runs them through the cache
and writes the report (:mod:`isingsc.workflows.reproduce`).
"""

from __future__ import annotations

from pathlib import Path

from isingsc.plotting import paper as plotting
from isingsc.plotting.style import save_figure
from isingsc.normal.bands import band_structure, fermi_contours
from isingsc.normal.greens import spectral_map
from isingsc.models.catalogue import resolve
from isingsc.models.paper import PAPER, HeterostructureParams
from isingsc.core.results import save
from isingsc.plotting.figures_magnetism import ISING_HOST, JUNCTION_QUALITY, MAGNETISM_QUALITY
from isingsc.plotting.figures_channels import CHANNEL_QUALITY
from isingsc.plotting.figures_spectroscopy import SPECTROSCOPY_QUALITY as FIG5_QUALITY
from isingsc.workflows.cache import FigureSpec


def figure_1(out: Path, params: HeterostructureParams = PAPER, n_grid: int = 301) -> list[Path]:
    """Fig. 1: bands of the SC (green) and TMD (red/blue spins) and their Fermi surfaces.

    As in the paper the two layers are shown uncoupled (their own Hamiltonians);
    the coupled heterostructure bands are drawn dashed for reference.
    """
    out = Path(out)
    sc, tmd = resolve("sc", parameters=params).model, resolve("tmd", parameters=params).model
    data = {
        "fig1_bands_sc": band_structure(sc),
        "fig1_bands_tmd": band_structure(tmd),
        "fig1_bands_coupled": band_structure(resolve("heterostructure", parameters=params).model),
        "fig1_fermi_sc": fermi_contours(sc, n_grid),
        "fig1_fermi_tmd": fermi_contours(tmd, n_grid),
    }
    files = [save(ds, out / f"{name}.nc") for name, ds in data.items()]
    fig = plotting.plot_fig1(data["fig1_bands_sc"], data["fig1_bands_tmd"], data["fig1_fermi_sc"],
                             data["fig1_fermi_tmd"], data["fig1_bands_coupled"])
    return files + save_figure(fig, out / "fig1_bands_fermi_surfaces.png", pdf=True)


def figure_2(out: Path, params: HeterostructureParams = PAPER, n_grid: int = 401,
             eta: float = 0.05) -> list[Path]:
    """Fig. 2: rho_0 and rho_3 of the SC layer in the normal state at E = 0 (Gamma = params.gamma)."""
    out = Path(out)
    ds = spectral_map(resolve("heterostructure", parameters=params).model, n_grid=n_grid, energy=0.0, eta=eta)
    files = [save(ds, out / "fig2_spectral_maps.nc")]
    return files + save_figure(plotting.plot_fig2(ds), out / "fig2_rho0_rho3.png", pdf=True)


#: Settings of Fig. 3 per quality preset (number of temperatures, map size, Gamma values).
FIG3_QUALITY = {
    "fast": {"n_points": 20, "map_t": 12, "map_h": 12},
    "paper": {"n_points": 40, "map_t": 40, "map_h": 40},
}
FIG3_GAMMAS = (0.0, 0.2, 0.3, 0.4, 0.5)
#: Zero-field gap of the isolated SC used for Fig. 3: well below the induced Ising SOC
#: on the SC Fermi surface (a few hundredths of |t| at Gamma = 0.5), see docs/meanfield.md.
FIG3_DELTA0 = 0.02


def figure_3(out: Path, params: HeterostructureParams = PAPER, quality: str = "fast",
             delta0: float = FIG3_DELTA0, gammas=FIG3_GAMMAS) -> list[Path]:
    """Fig. 3: (a) Hc2/HP vs T/Tc0 for several Gamma, (b) Delta/Delta0 map at Gamma = 0, (c) at Gamma = 0.5;
    plus the two regimes (Delta0 = 0.02 and 0.1 |t| at Gamma = 0.5).

    Gamma = 0 uses the isolated SC layer, which is exact: the decoupled TMD adds a
    Delta-independent constant to Omega.  Every Hc2 curve is converged to the default
    tolerance (0.5 %) by quadrature refinement (:meth:`~isingsc.meanfield.MeanField.hc2`);
    the maps use the starting quadrature and a Delta grid (resolution in their attrs).
    """
    import numpy as np

    from isingsc.meanfield import MeanField

    if quality not in FIG3_QUALITY:
        from isingsc.core.errors import ParameterError
        raise ParameterError("quality", quality, " | ".join(FIG3_QUALITY))
    q = FIG3_QUALITY[quality]
    out = Path(out)
    files, curves = [], []
    maps = {}
    for gamma in gammas:
        mf = MeanField(_paper_model(params.with_(gamma=gamma)), delta0=delta0)
        ds = mf.hc2(n_points=q["n_points"])
        ds.attrs["gamma"] = gamma
        files.append(save(ds, out / f"fig3a_hc2_gamma{gamma:g}.nc"))
        curves.append(ds)
        if gamma in (0.0, max(gammas)):
            ref = mf.reference_state()
            t = np.linspace(0.02, 1.05, q["map_t"])
            h = np.linspace(0.0, 1.1 * float(ds.Hc2_over_HP.max()), q["map_h"])
            maps[gamma] = mf.gap_map(t * ref.tc, h * ref.pauli_field)
            maps[gamma].attrs["gamma"] = gamma
            files.append(save(maps[gamma], out / f"fig3_gap_map_gamma{gamma:g}.nc"))
    # the two regimes: a large gap shows no enhancement (the small gap is panel (a)'s largest-Gamma curve)
    regimes = []
    for d0 in (delta0, 0.1):
        if d0 == delta0:
            ds = curves[int(np.argmax(gammas))].copy()
        else:
            mf = MeanField(_paper_model(params.with_(gamma=max(gammas))), delta0=d0)
            ds = mf.hc2(n_points=max(6, q["n_points"] // 2))
        ds.attrs["delta0"] = d0
        files.append(save(ds, out / f"fig3_regime_delta0_{d0:g}.nc"))
        regimes.append(ds)
    fig = plotting.plot_fig3(curves, maps[0.0], maps[max(gammas)], regimes)
    return files + save_figure(fig, out / "fig3_hc2_gap_maps.png", pdf=True)


def _paper_model(params: HeterostructureParams):
    """The catalogue's heterostructure at ``params``, or the isolated SC layer at Gamma = 0 (exact there:
    the decoupled TMD only adds a Delta-independent constant to the free energy)."""
    return resolve("sc" if params.gamma == 0 else "heterostructure", parameters=params)


#: Settings of Fig. 4 per quality preset: ky points, energies of A_edge, ribbon width and states.
FIG4_QUALITY = {
    "fast": {"n_ky": 41, "n_energy": 81, "ribbon_width": 400, "ribbon_states": 24},
    "paper": {"n_ky": 161, "n_energy": 161, "ribbon_width": 400, "ribbon_states": 40},
}
#: Pairing of Fig. 4 (held fixed, |t|), the flat-band momentum of the zero-mode profile (1/a) and the range of
#: distances it shows (columns from the edge).
FIG4_DELTA, FIG4_PROFILE_KY, FIG4_PROFILE_WIDTH = 0.05, 1.26, 100_000


def figure_4(out: Path, params: HeterostructureParams = PAPER, quality: str = "fast",
             delta: float = FIG4_DELTA, profile_width: int = FIG4_PROFILE_WIDTH, **overrides) -> list[Path]:
    """Fig. 4: the armchair-y strip of the exact heterostructure at Vx = 0 and Vx = 4 Delta.

    Per field: the spectrum of a finite ribbon near E = 0 (sparse shift-invert), the edge
    spectral function of the semi-infinite strip (Lopez Sancho decimation), and the bulk
    winding W(ky).  At the paper's parameters the flat-band states decay over ~1e4 columns,
    so a ribbon of a few hundred columns (the paper's picture) shows no flat band; the
    semi-infinite edge shows it, and the profile of the zero modes at ky = FIG4_PROFILE_KY,
    Vx = 4 Delta, shows their decay: the weight per column w(n) = |psi(n)|^2 of the
    semi-infinite strip's zero mode on each edge, psi(j) = sum_i c_i lambda_i^j phi_i over
    the decaying (|lambda_i| < 1) Bloch solutions at E = 0 with the edge's boundary
    condition, normalised over the strip (:meth:`SemiInfiniteEdge.zero_mode_profile`), on a
    log grid of distances n = 1 .. ``profile_width`` columns (no finite ribbon is built).
    Delta is held fixed (not self-consistent).
    """
    import numpy as np

    from isingsc.core.errors import ConvergenceError, ParameterError, check_positive_int
    from isingsc.topology.bulk import winding_intervals, winding_number
    from isingsc.topology.edge import SemiInfiniteEdge
    from isingsc.topology.ribbon import Ribbon

    if quality not in FIG4_QUALITY:
        raise ParameterError("quality", quality, " | ".join(FIG4_QUALITY))
    q = {**FIG4_QUALITY[quality], **overrides}
    out = Path(out)
    model = resolve("heterostructure", parameters=params).model
    ribbon = Ribbon.oriented(model, q["ribbon_width"], "armchair-y")
    half = np.pi / ribbon.period
    ky = np.linspace(-half, half, q["n_ky"], endpoint=False) + half / q["n_ky"]
    energies = np.linspace(-2 * delta, 2 * delta, q["n_energy"])
    files, panels = [], []
    for label, vx in (("Vx = 0", 0.0), ("Vx = 4Δ", 4 * delta)):
        field = (vx, 0.0, 0.0)
        tag = "vx0" if vx == 0 else "vx4delta"
        edge = SemiInfiniteEdge(model, "armchair-y", delta, field)
        a_edge = edge.spectral_function(ky, energies, eta=delta / 50, side="left")
        a_edge["zero_modes"] = ("k", edge.zero_modes(ky).n_modes.values[0])
        spectrum = ribbon.spectrum(ky, delta, field, n_states=q["ribbon_states"], method="sparse")
        winding = winding_number(model, delta, field, ky)
        # exact W(ky) intervals: their ends are the ky projections of the nodes (for the report's table)
        intervals = winding_intervals(model, delta, field)
        for name, ds in (("edge", a_edge), ("ribbon", spectrum), ("winding", winding),
                         ("winding_intervals", intervals)):
            files.append(save(ds, out / f"fig4_{name}_{tag}.nc"))
        panels.append({"label": label, "ribbon": spectrum, "edge": a_edge, "winding": winding})
    # the flat-band zero modes of the semi-infinite strip (evanescent modes), on a log grid of columns
    profile_width = check_positive_int("profile_width", profile_width, 1)
    try:
        prof = SemiInfiniteEdge(model, "armchair-y", delta, (4 * delta, 0.0, 0.0)).zero_mode_profile(
            FIG4_PROFILE_KY, profile_width)
    except (ParameterError, ConvergenceError):  # no (resolved) zero mode at this ky: no profile panel
        profile = None
    else:
        profile = prof.sel(distance=np.unique(np.geomspace(1, profile_width, 400).astype(int)))
        files.append(save(profile, out / "fig4_zero_mode_profile.nc"))
    fig = plotting.plot_fig4(panels, profile)
    fig.suptitle("Flat band: semi-infinite edge (Lopez Sancho); a %d-column ribbon is too narrow "
                 "(decay length ~1e4 columns); W(ky) from the bulk" % q["ribbon_width"], fontsize=10, y=1.02)
    return files + save_figure(fig, out / "fig4_ribbon_edge_winding.png", pdf=True)


def figure_5(out: Path, params: HeterostructureParams = PAPER, quality: str = "fast") -> list[Path]:
    """Spectroscopy (issue 8; not a figure of the paper): bulk dI/dV in field for a Pauli-limited film and
    the Ising heterostructure, the gap against field, and the edge zero-bias peak of the flat bands
    (:func:`isingsc.plotting.figures_spectroscopy.figure_spectroscopy`; ~25 s in fast quality)."""
    from isingsc.plotting.figures_spectroscopy import figure_spectroscopy

    return list(figure_spectroscopy(Path(out), quality, params)["files"])


def figure_6(out: Path, quality: str = "fast") -> list[Path]:
    """Magnetic impurities and chains (review Sec. 5; not a figure of the paper): the YSR shift against the
    field direction with and without Ising SOC, a Shiba-chain phase diagram, Majorana end states
    (:func:`isingsc.plotting.figures_magnetism.figure_magnetism`)."""
    from isingsc.plotting.figures_magnetism import figure_magnetism

    return figure_magnetism(Path(out), quality)


def figure_7(out: Path, quality: str = "fast") -> list[Path]:
    """Josephson junctions through magnets (review Sec. 4; not a figure of the paper): the CPR for an
    out-of-plane and an in-plane magnetisation, the ground state over angle and t_m/t0
    (:func:`isingsc.plotting.figures_magnetism.figure_junctions`)."""
    from isingsc.plotting.figures_magnetism import figure_junctions

    return figure_junctions(Path(out), quality)


def figure_8(out: Path, quality: str = "fast") -> list[Path]:
    """Hole-doped TMD monolayers (review Sec. 5; not a figure of the paper): Berry curvature and chiral edge modes
    of the inter-pocket state (C = 2), Tc per pairing channel, the leading channel over doping and splitting
    (:func:`isingsc.plotting.figures_channels.figure_channels`)."""
    from isingsc.plotting.figures_channels import figure_channels

    return figure_channels(Path(out), quality)


#: The figures of ``isingsc reproduce``: the paper's Figs. 1-4, the spectroscopy Fig. 5 and the review's magnetic
#: routes, Figs. 6 (impurities, chains) and 7 (junctions), and its hole-doped TMD route, Fig. 8.
FIGURES = {
    "1": FigureSpec("1", figure_1),
    "2": FigureSpec("2", figure_2),
    "3": FigureSpec("3", figure_3, {"FIG3_QUALITY": FIG3_QUALITY, "FIG3_GAMMAS": FIG3_GAMMAS,
                                    "FIG3_DELTA0": FIG3_DELTA0}, has_quality=True),
    "4": FigureSpec("4", figure_4, {"FIG4_QUALITY": FIG4_QUALITY, "FIG4_DELTA": FIG4_DELTA,
                                    "FIG4_PROFILE_KY": FIG4_PROFILE_KY, "FIG4_PROFILE_WIDTH": FIG4_PROFILE_WIDTH},
                    has_quality=True),
    "5": FigureSpec("5", figure_5, {"FIG5_QUALITY": FIG5_QUALITY}, has_quality=True),
    "6": FigureSpec("6", figure_6, {"MAGNETISM_QUALITY": MAGNETISM_QUALITY, "ISING_HOST": ISING_HOST},
                    has_quality=True),
    "7": FigureSpec("7", figure_7, {"JUNCTION_QUALITY": JUNCTION_QUALITY, "ISING_HOST": ISING_HOST},
                    has_quality=True),
    "8": FigureSpec("8", figure_8, {"CHANNEL_QUALITY": CHANNEL_QUALITY}, has_quality=True),
}


def reproduce(out="results", *, figures=None, quality: str = "fast", force: bool = False, cache_dir=None,
              echo=None, command: str | None = None):
    """Reproduce the paper's figures (``figures``: names of :data:`FIGURES`, default all) into ``out`` with
    the report; finished figures are cached (:func:`isingsc.workflows.reproduce.reproduce`)."""
    from isingsc.workflows.reproduce import reproduce as run

    return run(out, FIGURES, wanted=figures, quality=quality, force=force, cache_dir=cache_dir, echo=echo,
               command=command)
