"""Publication-quality figures of the spectroscopy results (no physics here).

Functions take the Datasets of :mod:`isingsc.spectroscopy.bulk`, :mod:`isingsc.spectroscopy.edge` and
:mod:`isingsc.spectroscopy.tunnelling` and return a :class:`matplotlib.figure.Figure` (or draw on ``ax``);
:func:`isingsc.plotting.paper.save_figure` writes PNG (+ PDF).  Layout after the review's Fig. 3d-f:
dI/dV map over (V, H), line cuts offset vertically, extracted gap against H.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm

from isingsc.plotting.paper import SPIN_DOWN, SPIN_UP
from isingsc.plotting.style import figure_for, new_figure, styled, subplots

PAULI_COLOR, ISING_COLOR = "#d62728", "#1f77b4"


@styled
def plot_didv_map(ds, ax=None, title: str | None = None):
    """dI/dV / G_N over bias (units of Delta0) and in-plane field H/HP (review Fig. 3d)."""
    fig, ax = figure_for(ax)
    d0 = ds.attrs["Delta0_reference"]
    m = ax.pcolormesh(ds.bias.values / d0, ds.H_over_HP.values, ds.dIdV.values, shading="nearest",
                      cmap="viridis", rasterized=True)
    (fig or ax.figure).colorbar(m, ax=ax, label=r"$dI/dV\,/\,G_N$")
    ax.set_xlabel(r"bias $eV/\Delta_0$")
    ax.set_ylabel(r"$H/H_P$")
    ax.set_title(title or rf"$T$={ds.attrs['T_over_Tc']:.2g}$T_{{c0}}$, $\Gamma_D$={ds.attrs['eta'] / d0:.2g}$\Delta_0$",
                 fontsize=9)
    return fig or ax.figure


@styled
def plot_line_cuts(ds, ax=None, n_cuts: int = 6, offset: float = 0.6, title: str | None = None):
    """dI/dV(V) at several fields, offset vertically (review Fig. 3e); field labels in H/HP."""
    fig, ax = figure_for(ax, (3.6, 4.2))
    d0 = ds.attrs["Delta0_reference"]
    idx = np.unique(np.linspace(0, ds.sizes["field"] - 1, min(n_cuts, ds.sizes["field"])).astype(int))
    colors = colormaps["plasma"](np.linspace(0.05, 0.85, len(idx)))
    for j, (i, c) in enumerate(zip(idx, colors)):
        g = ds.dIdV.values[i] + j * offset
        ax.plot(ds.bias.values / d0, g, color=c, lw=1.2)
        ax.annotate(f"{float(ds.H_over_HP.values[i]):.2g}", (ds.bias.values[-1] / d0, g[-1]), fontsize=7,
                    xytext=(2, 0), textcoords="offset points", va="center", color=c)
    ax.set_xlabel(r"bias $eV/\Delta_0$")
    ax.set_ylabel(rf"$dI/dV\,/\,G_N$ (offset {offset:g})")
    ax.set_title(title or r"line cuts, labels $H/H_P$", fontsize=9)
    return fig or ax.figure


@styled
def plot_gap_vs_field(curves, labels, ax=None, spectral: bool = True):
    """Delta(H)/Delta(T, 0) against H/HP (review Fig. 3f): a Pauli-limited film jumps (first order), an
    Ising superconductor closes continuously.  Dashed: the quasiparticle gap on the mesh."""
    fig, ax = figure_for(ax)
    colors = [PAULI_COLOR, ISING_COLOR, "#2ca02c", "#9467bd"]
    for ds, label, c in zip(curves, labels, colors):
        d = ds.delta.values
        d0 = d[0] if d[0] > 0 else 1.0
        order = ds.attrs.get("transition_order", "")
        ax.plot(ds.H_over_HP.values, d / d0, "o-", color=c, ms=3, lw=1.3,
                label=f"{label} ({order} order)" if order and not str(order).startswith("unknown") else label)
        if spectral and "spectral_gap" in ds and np.any(ds.spectral_gap.values > 0):
            ax.plot(ds.H_over_HP.values, ds.spectral_gap.values / d0, "--", color=c, lw=0.9)
        h = ds.attrs.get("Hc2_over_HP")
        if isinstance(h, (int, float)):
            ax.axvline(h, color=c, lw=0.6, ls=":")
    ax.set_xlabel(r"$H/H_P$")
    ax.set_ylabel(r"$\Delta(H)/\Delta(0)$")
    ax.set_ylim(-0.03, 1.1)
    ax.set_xlim(left=0)
    ax.legend(frameon=False, fontsize=7)
    ax.set_title("solid: order parameter; dashed: quasiparticle gap", fontsize=8)
    return fig or ax.figure


@styled
def plot_edge_ldos_map(scan, ax=None, title: str | None = None):
    """ky-integrated edge LDOS N_edge(E) against energy (units of Delta) and Vx/Delta (log colours)."""
    fig, ax = figure_for(ax)
    delta = scan.attrs["delta"]
    n = scan.N_edge.values
    floor = max(float(np.percentile(n, 2)), 1e-4)
    m = ax.pcolormesh(scan.energy.values / delta, scan.field_over_delta.values, np.clip(n, floor, None),
                      shading="nearest", cmap="inferno", norm=LogNorm(vmin=floor, vmax=float(n.max())), rasterized=True)
    (fig or ax.figure).colorbar(m, ax=ax, label=r"$N_{\rm edge}$ (1/|t| per a)")
    ax.set_xlabel(r"$E/\Delta$")
    ax.set_ylabel(r"$|V|/\Delta$")
    ax.axhline(1.0, color="w", lw=0.6, ls=":")
    ax.set_title(title or rf"edge LDOS, $\Delta$={delta:g}, $\eta$={scan.attrs['eta']:.2g} |t|", fontsize=9)
    return fig or ax.figure


@styled
def plot_edge_ldos_cuts(scan, ax=None, spin: bool = True):
    """N_edge(E) at each Vx (offset), spin-resolved along the field (red: parallel, blue: antiparallel)."""
    fig, ax = figure_for(ax, (3.6, 4.2))
    delta = scan.attrs["delta"]
    top = float(scan.N_edge.values[:, len(scan.energy) // 2].max())
    step = 1.1 * max(top, float(np.median(scan.N_edge.values)))
    for i, v in enumerate(scan.field_over_delta.values):
        e = scan.energy.values / delta
        ax.plot(e, scan.N_edge.values[i] + i * step, color="k", lw=1.0)
        if spin:
            ax.plot(e, scan.N_edge_spin.values[i, :, 0] + i * step, color=SPIN_UP, lw=0.7)
            ax.plot(e, scan.N_edge_spin.values[i, :, 1] + i * step, color=SPIN_DOWN, lw=0.7, ls="--")
        ax.annotate(rf"$V_x$={v:.2g}$\Delta$", (e[0], i * step + scan.N_edge.values[i, 0]), fontsize=7,
                    xytext=(0, 3), textcoords="offset points")
    ax.set_xlabel(r"$E/\Delta$")
    ax.set_ylabel(r"$N_{\rm edge}$ (offset)")
    ax.set_title("zero-bias peak for $V_x>\\Delta$", fontsize=9)
    return fig or ax.figure


@styled
def plot_bulk_spectrum(ds, title: str | None = None):
    """One bulk spectrum: spin-resolved DOS (left) and dI/dV at the junction temperature (right)."""
    fig, (a, b) = subplots(1, 2, figsize=(8.4, 3.4))
    d0 = ds.attrs["Delta0_reference"]
    e = ds.energy.values / d0
    a.plot(e, ds.dos.values, color="k", lw=1.2, label="total")
    a.plot(e, ds.dos_spin.values[:, 0], color=SPIN_UP, lw=0.8, label="spin ∥ field")
    a.plot(e, ds.dos_spin.values[:, 1], color=SPIN_DOWN, lw=0.8, ls="--", label="spin anti-∥")
    a.set_xlim(ds.bias.values[0] / d0, ds.bias.values[-1] / d0)
    a.set_xlabel(r"$E/\Delta_0$")
    a.set_ylabel(r"$N(E)/N_n(0)$")
    a.legend(frameon=False, fontsize=7)
    b.plot(ds.bias.values / d0, ds.dIdV.values, color="k", lw=1.2)
    b.set_xlabel(r"bias $eV/\Delta_0$")
    b.set_ylabel(r"$dI/dV\,/\,G_N$")
    att = ds.attrs
    fig.suptitle(title or (rf"$\Delta$={float(ds.delta):.4g}|t|, $|V|$={float(ds.field):.3g}|t|, T={att['T']:.3g}|t|, "
                           rf"$T_j$={att['T_junction']:.3g}|t|, $\eta$={att['eta']:.2g}|t|"), fontsize=9)
    fig.tight_layout()
    return fig


@styled
def plot_edge_spectrum(ldos, title: str | None = None):
    """N_edge(E) spin-resolved (left) and A_e(ky, E) (right, log colours)."""
    fig, (a, b) = subplots(1, 2, figsize=(8.4, 3.4))
    e = ldos.energy.values
    a.plot(e, ldos.N_edge.values, color="k", lw=1.2, label="total")
    a.plot(e, ldos.N_edge_spin.values[:, 0], color=SPIN_UP, lw=0.8, label="spin ∥ field")
    a.plot(e, ldos.N_edge_spin.values[:, 1], color=SPIN_DOWN, lw=0.8, ls="--", label="spin anti-∥")
    a.set_xlabel(r"$E$ (|t|)")
    a.set_ylabel(r"$N_{\rm edge}$ (1/|t| per a)")
    a.legend(frameon=False, fontsize=7)
    aa = ldos.A.values
    floor = max(float(np.percentile(aa, 5)), 1e-4)
    m = b.pcolormesh(ldos.ky.values, e, np.clip(aa, floor, None).T, shading="nearest", cmap="inferno",
                     norm=LogNorm(vmin=floor, vmax=float(aa.max())), rasterized=True)
    fig.colorbar(m, ax=b, label=r"$A_e$ (1/|t|)")
    b.set_xlabel(r"$k_y$ (1/a)")
    b.set_ylabel(r"$E$ (|t|)")
    at = ldos.attrs
    fig.suptitle(title or rf"{at.get('model', '')} edge ({at['edge']}): $\Delta$={at['delta']:g}, $|V|$={at['field_strength']:g}, "
                          rf"$\eta$={at['eta']:.2g} |t|, {at['n_ky']} $k_y$", fontsize=9)
    fig.tight_layout()
    return fig


@styled
def plot_spectroscopy_figure(sweep, pauli, ising, edge_scan, labels=("Pauli-limited BCS film", "Ising SC")):
    """The composite spectroscopy figure: (a) dI/dV map, (b) line cuts, (c) gap vs H, (d) edge LDOS map,
    (e) edge LDOS cuts."""
    fig = new_figure(figsize=(15.5, 7.6), layout="constrained")
    gs = fig.add_gridspec(2, 3)
    plot_didv_map(sweep, fig.add_subplot(gs[0, 0]), title="(a) Ising SC: dI/dV over (V, H)")
    plot_line_cuts(sweep, fig.add_subplot(gs[0, 1]), title=r"(b) line cuts, labels $H/H_P$")
    ax = fig.add_subplot(gs[0, 2])
    plot_gap_vs_field([pauli, ising], list(labels), ax)
    ax.set_title("(c) gap vs H: " + ax.get_title(), fontsize=8)
    plot_edge_ldos_map(edge_scan, fig.add_subplot(gs[1, 0]),
                       title=rf"(d) edge LDOS, $\Delta$={edge_scan.attrs['delta']:g}|t|")
    ax = fig.add_subplot(gs[1, 1])
    plot_edge_ldos_cuts(edge_scan, ax)
    ax.set_title("(e) " + ax.get_title(), fontsize=9)
    ax = fig.add_subplot(gs[1, 2])
    if "flat_band_density" in edge_scan:
        ax.plot(edge_scan.field_over_delta.values, edge_scan.flat_band_density.values, "o-", color="k",
                label=r"$\int dk_y/2\pi\, n_{\rm modes}$")
        if "flat_band_density_from_winding" in edge_scan:
            ax.plot(edge_scan.field_over_delta.values, edge_scan.flat_band_density_from_winding.values, "s--",
                    mfc="none", color=ISING_COLOR, label=r"$\int dk_y/2\pi\, |W(k_y)|$")
        ax.set_xlabel(r"$V_x/\Delta$")
        ax.set_ylabel("zero-energy states per a of edge")
        ax.legend(frameon=False, fontsize=7)
        ax.set_title("(f) flat-band (zero-bias peak) weight", fontsize=9)
    else:
        ax.axis("off")
    return fig


@styled
def plot_field_sweep(ds, label: str = ""):
    """A bulk field sweep (:func:`isingsc.spectroscopy.bulk.gap_versus_field`): the dI/dV map, line cuts and
    the gap against field, side by side (``isingsc spectrum bulk --h-max``)."""
    fig, axes = subplots(1, 3, figsize=(13.5, 3.8), layout="constrained")
    plot_didv_map(ds, axes[0])
    plot_line_cuts(ds, axes[1])
    plot_gap_vs_field([ds], [label], axes[2])
    return fig


@styled
def plot_edge_scan(scan):
    """An edge field scan (:func:`isingsc.spectroscopy.scans.edge_field_scan`): the LDOS map over (E, V) when
    there are several fields, and the LDOS cuts (``isingsc spectrum edge``)."""
    fig, axes = subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    if scan.sizes["field"] > 1:
        plot_edge_ldos_map(scan, axes[0])
    else:
        axes[0].axis("off")
    plot_edge_ldos_cuts(scan, axes[1])
    return fig
