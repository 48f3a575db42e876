"""Figures of the junction results (no physics here): CPRs, ground-state maps, SQUID branches, TMR spectra.

Every function takes Datasets of :mod:`isingsc.junctions` and returns a :class:`matplotlib.figure.Figure`
(or draws on ``ax``); :func:`isingsc.plotting.style.save_figure` writes it.
"""

from __future__ import annotations

import numpy as np

from isingsc.plotting.style import figure_for, styled

#: Colours of the ground-state classes 0, pi, phi0, anomalous.
CLASS_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


@styled
def plot_current_phase(cprs, ax=None, normalise: bool = True, title: str | None = None):
    """I(phi) of several junctions (e.g. ``{"m out of plane": ds_z, "m in plane": ds_x}``: a dict label ->
    Dataset of :meth:`Junction.current_phase`, or a list), each divided by its max |I| if ``normalise``."""
    fig, ax = figure_for(ax)
    items = cprs.items() if isinstance(cprs, dict) else ((None, c) for c in cprs)
    for label, ds in items:
        phase = np.asarray(ds.phase.values)
        order = np.argsort(phase)
        i = np.asarray(ds.current.values)[order]
        scale = np.abs(i).max() if normalise and np.abs(i).max() > 0 else 1.0
        ax.plot(phase[order] / np.pi, i / scale, label=label)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel(r"phase $\varphi/\pi$")
    ax.set_ylabel(r"$I/I_c$" if normalise else r"$I$ ($e|t|/\hbar$ per cell)")
    if isinstance(cprs, dict):
        ax.legend(frameon=False)
    if title:
        ax.set_title(title, fontsize=9)
    return fig or ax.figure


#: Axis labels of the ground-state map's dimensions.
AXIS_LABELS = {"theta": r"magnetisation polar angle $\theta_m$ (deg)", "ratio": r"$t_m/t_0$",
               "layers": "barrier layers $N$", "exchange": r"barrier exchange $J$ ($|t|$)", "T": r"$T$ ($|t|$)"}


@styled
def plot_ground_state_map(ds, ax=None, title: str | None = None):
    """The ground-state phase over the two axes of :meth:`Junction.ground_state_map` (one axis: a line),
    with the 0 / pi boundary (F(pi) - F(0) = 0) drawn."""
    fig, ax = figure_for(ax)
    dims = list(ds.ground_state_phase.dims)
    phase = np.abs(ds.ground_state_phase.values) / np.pi

    def axis(dim):  # angles on the axes in degrees
        values = np.asarray(ds[dim].values, dtype=float)
        return (np.degrees(values), AXIS_LABELS[dim]) if dim == "theta" else (values, AXIS_LABELS.get(
            dim, f"{dim} ({ds[dim].attrs.get('units', '')})"))

    if len(dims) == 1:
        x, xlabel = axis(dims[0])
        ax.plot(x, phase, "o-")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(r"$|\varphi_{gs}|/\pi$")
    else:
        (y, ylabel), (x, xlabel) = axis(dims[0]), axis(dims[1])
        m = ax.pcolormesh(x, y, phase, shading="nearest", cmap="coolwarm", vmin=0, vmax=1, rasterized=True)
        (fig or ax.figure).colorbar(m, ax=ax, label=r"$|\varphi_{gs}|/\pi$")
        df = ds.free_energy_pi_minus_0.values
        if np.nanmin(df) < 0 < np.nanmax(df) and min(df.shape) > 1:
            ax.contour(x, y, df, levels=[0.0], colors="k", linewidths=1.0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=9)
    return fig or ax.figure


@styled
def plot_squid(ds, ax=None, title: str | None = None):
    """I_c(Phi) of :meth:`Squid.critical_current` with the two metastable branches."""
    fig, ax = figure_for(ax)
    flux = ds.flux.values
    ax.plot(flux, ds.critical_current.values, color="0.3", lw=2.5, alpha=0.4, label="global")
    for j, label in enumerate(ds.branch.values):
        b = ds.branch_critical_current.values[j]
        if np.all(np.isnan(b)):
            continue
        ax.plot(flux, b, lw=1.2, label=f"branch {label}", color=CLASS_COLORS[j])
    ax.set_xlabel(r"flux $\Phi/\Phi_0$")
    ax.set_ylabel(r"$I_c$ ($e|t|/\hbar$)")
    ax.legend(frameon=False)
    if title:
        ax.set_title(title, fontsize=9)
    return fig or ax.figure


@styled
def plot_tmr(ds, ax=None, title: str | None = None):
    """dI/dV / G_N against bias for each magnetisation projection m.n of :meth:`MagneticTunnelJunction.spectrum`."""
    fig, ax = figure_for(ax)
    names = {1.0: "parallel", -1.0: "antiparallel", 0.0: "out of plane"}
    for j, p in enumerate(ds.projection.values):
        ax.plot(ds.bias.values, ds.conductance.values[j], label=names.get(float(p), f"m.n = {p:.2g}"))
    ax.set_xlabel(r"bias $eV$ ($|t|$)")
    ax.set_ylabel(r"$dI/dV\,/\,G_N$")
    ax.legend(frameon=False)
    if "tmr_percent" in ds.attrs:
        ax.set_title(title or f"TMR at the coherence peak: {ds.attrs['tmr_percent']:.3g} %", fontsize=9)
    elif title:
        ax.set_title(title, fontsize=9)
    return fig or ax.figure


__all__ = ["CLASS_COLORS", "plot_current_phase", "plot_ground_state_map", "plot_squid", "plot_tmr"]
