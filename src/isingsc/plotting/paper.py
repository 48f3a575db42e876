"""Publication-quality matplotlib figures from result Datasets (no physics here).

Each function takes Datasets produced by the solvers and returns a
:class:`matplotlib.figure.Figure`; :func:`save_figure` writes PNG (and PDF).
"""

from __future__ import annotations


import numpy as np
from matplotlib.colors import TwoSlopeNorm

from isingsc.lattice.triangular import LATTICE
from isingsc.plotting.style import styled, subplots

SPIN_UP, SPIN_DOWN, SC_COLOR = "#d62728", "#1f77b4", "#2ca02c"


@styled
def draw_bz(ax, **kwargs) -> None:
    """Outline of the hexagonal first Brillouin zone with Γ, K, K', M labels."""
    corners = np.vstack([LATTICE.bz_corners, LATTICE.bz_corners[:1]])
    ax.plot(corners[:, 0], corners[:, 1], color=kwargs.pop("color", "k"), lw=kwargs.pop("lw", 1.0))
    for name, (x, y) in LATTICE.high_symmetry_points.items():
        ax.plot(x, y, "k.", ms=3)
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 3), fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$k_x$ (1/a)")
    ax.set_ylabel(r"$k_y$ (1/a)")


def _spin_color(sz: float) -> str:
    return SPIN_UP if sz > 0 else SPIN_DOWN


@styled
def plot_fig1(bands_sc, bands_tmd, contours_sc, contours_tmd, bands_coupled=None):
    """Paper Fig. 1: (a) bands along Γ-K-M-Γ, (b) Fermi surfaces in the BZ."""
    fig, (ax_b, ax_f) = subplots(1, 2, figsize=(9.0, 3.8), gridspec_kw={"width_ratios": [1.25, 1]})
    k = bands_sc.k.values
    if bands_coupled is not None:
        for n in bands_coupled.band.values:
            ax_b.plot(bands_coupled.k, bands_coupled.energy.sel(band=n), color="0.6", lw=0.8, ls="--",
                      label=rf"coupled, $\Gamma$={bands_coupled.attrs.get('param_gamma', '?')}" if n == 0 else None)
    for n in bands_sc.band.values:
        ax_b.plot(k, bands_sc.energy.sel(band=n), color=SC_COLOR, lw=1.6, label="SC" if n == 0 else None)
    e_all = bands_tmd.energy.values
    degenerate = np.abs(np.diff(e_all, axis=1)).min(axis=1) < 1e-9  # Γ-M: Ising SOC vanishes
    for n in bands_tmd.band.values:
        e, sz = e_all[:, n], bands_tmd.spin_z.sel(band=n).values
        # colour each segment by its spin; spin-degenerate segments in purple
        for i in range(len(k) - 1):
            color = "#9467bd" if degenerate[i] and degenerate[i + 1] else _spin_color(sz[i] + sz[i + 1])
            ax_b.plot(k[i:i + 2], e[i:i + 2], color=color, lw=1.6)
    ax_b.plot([], [], color=SPIN_UP, label=r"TMD $\uparrow$")
    ax_b.plot([], [], color=SPIN_DOWN, label=r"TMD $\downarrow$")
    _band_axes(ax_b, bands_sc)
    ax_b.legend(loc="lower left", frameon=False, ncol=2)
    draw_bz(ax_f)
    for ds, colorer in ((contours_sc, lambda sz: SC_COLOR), (contours_tmd, _spin_color)):
        for seg in np.unique(ds.segment.values):
            sel = ds.segment.values == seg
            ax_f.plot(ds.kx.values[sel], ds.ky.values[sel], color=colorer(ds.spin_z.values[sel].mean()), lw=1.5)
    ax_f.set_title(r"(b) Fermi surfaces ($E=0$)")
    fig.tight_layout()
    return fig


def _band_axes(ax, bands) -> None:
    """Decorations of a band-structure panel: E = 0, the high-symmetry points of the path, labels."""
    k = bands.k.values
    ax.axhline(0.0, color="k", lw=0.6, ls=":")
    ticks = bands.attrs["path_ticks"]
    for t in ticks:
        ax.axvline(t, color="k", lw=0.5)
    ax.set_xticks(ticks, bands.attrs["path_labels"].split(","))
    ax.set_xlim(k[0], k[-1])
    ax.set_ylabel(r"$E$ ($|t|$)")
    ax.set_title("(a) bands")


@styled
def plot_bands(bands, contours, title: str | None = None):
    """Bands along the path (coloured by <sigma_z>: red up, blue down, grey unpolarised) and the Fermi
    contours in the zone, for any model (``isingsc bands``)."""
    fig, (ax_b, ax_f) = subplots(1, 2, figsize=(9.0, 3.8), gridspec_kw={"width_ratios": [1.25, 1]})
    k = bands.k.values
    for n in bands.band.values:
        e, sz = bands.energy.sel(band=n).values, bands.spin_z.sel(band=n).values
        for i in range(len(k) - 1):
            s = 0.5 * (sz[i] + sz[i + 1])
            color = "0.45" if abs(s) < 0.05 else _spin_color(s)
            ax_b.plot(k[i:i + 2], e[i:i + 2], color=color, lw=1.3)
    _band_axes(ax_b, bands)
    draw_bz(ax_f)
    for seg in np.unique(contours.segment.values):
        sel = contours.segment.values == seg
        s = contours.spin_z.values[sel].mean()
        ax_f.plot(contours.kx.values[sel], contours.ky.values[sel], color="0.3" if abs(s) < 0.05 else _spin_color(s),
                  lw=1.4)
    ax_f.set_title(r"(b) Fermi surfaces ($E=0$)")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


@styled
def plot_fig2(spectral_map):
    """Paper Fig. 2: rho_0 and rho_3 of the SC layer over the BZ at E = 0."""
    fig, axes = subplots(1, 2, figsize=(9.0, 3.9))
    kx, ky = spectral_map.kx.values, spectral_map.ky.values
    r0 = spectral_map.rho_0.values.T
    r3 = spectral_map.rho_3.values.T
    m0 = axes[0].pcolormesh(kx, ky, r0, shading="auto", cmap="viridis", rasterized=True)
    lim = float(np.abs(r3).max()) or 1.0
    m3 = axes[1].pcolormesh(kx, ky, r3, shading="auto", cmap="RdBu_r",
                            norm=TwoSlopeNorm(0.0, -lim, lim), rasterized=True)
    for ax, m, title in ((axes[0], m0, r"(a) $\rho_0=\rho_\uparrow+\rho_\downarrow$"),
                         (axes[1], m3, r"(b) $\rho_3=\rho_\uparrow-\rho_\downarrow$")):
        draw_bz(ax, color="w" if ax is axes[0] else "k")
        ax.set_title(title)
        fig.colorbar(m, ax=ax, label=r"states / $|t|$", shrink=0.85)
    a = spectral_map.attrs
    fig.suptitle(rf"{a.get('orbital', '')} orbital, $E$={a['energy']:g}, $\eta$={a['eta']:g} $|t|$, "
                 rf"$\Gamma$={a.get('param_gamma', 0):g}", fontsize=10)
    fig.tight_layout()
    return fig


@styled
def plot_dos(dos):
    """Spin-resolved k-integrated DOS against energy."""
    fig, ax = subplots(figsize=(5.0, 3.5))
    ax.plot(dos.energy, dos.dos, color="k", label="total")
    ax.plot(dos.energy, dos.dos_up, color=SPIN_UP, lw=1, label=r"$\uparrow$")
    ax.plot(dos.energy, dos.dos_down, color=SPIN_DOWN, lw=1, ls="--", label=r"$\downarrow$")
    ax.set_xlabel(r"$E$ ($|t|$)")
    ax.set_ylabel(r"$N(E)$ (states / $|t|$ / site)")
    ax.set_title(f"{dos.attrs.get('model', '')}: {dos.attrs.get('kmesh', '')}, η={dos.attrs['eta']:g}", fontsize=9)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


@styled
def plot_hc2(datasets, labels=None, ax=None):
    """Hc2/HP against T/Tc (paper Fig. 3a): filled markers second order, open first order."""
    fig = None
    if ax is None:
        fig, ax = subplots(figsize=(4.8, 3.8))
    for i, ds in enumerate(datasets):
        label = labels[i] if labels else ds.attrs.get("model", "")
        t, h = ds.T_over_Tc_reference.values, ds.Hc2_over_HP.values
        line, = ax.plot(t, h, lw=1.5, label=label)
        first = ds.transition_order.values == "first"
        ax.plot(t[first], h[first], "o", mfc="none", mec=line.get_color(), ms=3.5)
        ax.plot(t[~first], h[~first], "o", color=line.get_color(), ms=2.5)
    ax.axhline(1.0, color="k", lw=0.6, ls=":")
    ax.set_xlabel(r"$T/T_c(\Gamma=0)$")
    ax.set_ylabel(r"$H_{c2}/H_P$")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("open: first order, filled: second order", fontsize=8)
    if fig is not None:
        fig.tight_layout()
        return fig
    return ax.figure


def _gap_map_panel(ax, ds, title):
    m = ax.pcolormesh(ds.T_over_Tc_reference, ds.H_over_HP, ds.delta_over_delta0.T, shading="auto", cmap="magma",
                      vmin=0, vmax=1, rasterized=True)
    ax.set_xlabel(r"$T/T_c(\Gamma=0)$")
    ax.set_ylabel(r"$H/H_P$")
    ax.set_title(title)
    return m


@styled
def plot_fig3(curves, map_isolated, map_coupled, regimes=None):
    """Paper Fig. 3: (a) Hc2/HP vs T/Tc per Gamma, (b, c) Delta/Delta0 maps, (d) the two gap regimes."""
    ncols = 4 if regimes else 3
    fig, axes = subplots(1, ncols, figsize=(4.3 * ncols, 3.7), layout="constrained")
    plot_hc2(curves, [rf"$\Gamma$={ds.attrs['gamma']:g}" for ds in curves], ax=axes[0])
    axes[0].set_title(rf"(a) $H_{{c2}}$, $\Delta_0$={curves[0].attrs['Delta0_reference']:g}$|t|$", fontsize=10)
    m = _gap_map_panel(axes[1], map_isolated, r"(b) $\Delta/\Delta_0$, $\Gamma=0$")
    _gap_map_panel(axes[2], map_coupled, rf"(c) $\Delta/\Delta_0$, $\Gamma$={map_coupled.attrs['gamma']:g}")
    fig.colorbar(m, ax=axes[1:3], label=r"$\Delta/\Delta_0$", shrink=0.9)
    if regimes:
        plot_hc2(regimes, [rf"$\Delta_0$={ds.attrs['delta0']:g}$|t|$" for ds in regimes], ax=axes[3])
        axes[3].set_title(rf"(d) two regimes, $\Gamma$={regimes[0].attrs.get('param_gamma', '')}", fontsize=10)
    return fig


@styled
def plot_edge_spectral_function(ds, title: str | None = None, ax=None):
    """A_edge(ky, E) of the left edge on a logarithmic colour scale (the flat band is the E = 0 line)."""
    from matplotlib.colors import LogNorm

    fig = None
    if ax is None:
        fig, ax = subplots(figsize=(4.2, 3.4))
    a = ds["A_particle"].sel(side="left").values if "side" in ds["A_particle"].dims else ds["A_particle"].values
    floor = max(float(np.percentile(a, 5)), 1e-3)
    mesh = ax.pcolormesh(ds.k.values, ds.energy.values, np.clip(a, floor, None).T, shading="nearest",
                         cmap="inferno", norm=LogNorm(vmin=floor, vmax=float(a.max())), rasterized=True)
    (fig or ax.figure).colorbar(mesh, ax=ax, label=r"$A_{\rm edge}$ (1/|t|)")
    ax.set_xlabel(r"$k_y$ (1/a)")
    ax.set_ylabel(r"$E$ (|t|)")
    if title:
        ax.set_title(title)
    return fig if fig is not None else ax.figure


@styled
def plot_fig4(panels, profile=None):
    """Paper Fig. 4: for each field (rows), the finite-ribbon spectrum near E = 0, the semi-infinite edge
    spectral function A_edge(ky, E), and the bulk winding W(ky); optionally an edge-state profile.

    ``panels``: list of dicts with keys label, ribbon (energy(k, band)), edge (A_edge Dataset),
    winding (Dataset with winding(ky)).  ``profile``: Dataset with weight(state, distance) and edge(state)
    (:meth:`SemiInfiniteEdge.zero_mode_profile`, as Fig. 4 saves it).
    """
    rows = len(panels)
    ncols = 4 if profile is not None else 3
    fig, axes = subplots(rows, ncols, figsize=(4.0 * ncols, 3.2 * rows), squeeze=False)
    for r, p in enumerate(panels):
        ax = axes[r, 0]
        ax.plot(p["ribbon"].k.values, p["ribbon"].energy.values, "k.", ms=1.5)
        win = float(np.abs(p["edge"].energy.values).max())
        ax.set_ylim(-win, win)
        ax.set_xlabel(r"$k_y$ (1/a)")
        ax.set_ylabel(r"$E$ (|t|)")
        ax.set_title(f"({chr(97 + r)}) ribbon, {p['ribbon'].attrs.get('width')} columns, {p['label']}")
        plot_edge_spectral_function(p["edge"], title=f"semi-infinite edge, {p['label']}", ax=axes[r, 1])
        ax = axes[r, 2]
        w = p["winding"]
        ax.step(w.ky.values, w.winding.values, where="mid", color="k")
        ax.set_xlabel(r"$k_y$ (1/a)")
        ax.set_ylabel(r"$W(k_y)$")
        ax.set_title(f"bulk winding, {p['label']}")
        ax.set_ylim(-2.5, 2.5)
    if profile is not None:
        ax = axes[0, 3]
        for s in range(profile.sizes["state"]):
            ax.loglog(profile.distance.values, profile.weight.values[s],
                      label=f"{'left' if profile.edge.values[s] > 0 else 'right'} edge")
        ax.set_xlabel("columns from its edge")
        ax.set_ylabel("weight per column")
        ax.set_title(f"zero-mode profile, $k_y$={float(profile.attrs.get('k', np.nan)):.3g}")
        ax.legend(fontsize=7)
        for r in range(1, rows):
            axes[r, 3].axis("off")
    fig.tight_layout()
    return fig
