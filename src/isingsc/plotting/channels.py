"""Figures of the channel and Chern results (no physics here): Berry curvature maps, edge spectra with the
chiral modes, Tc per channel and momentum, and the leading-channel map of the hole-doped TMD."""

from __future__ import annotations

import numpy as np

from isingsc.plotting.style import figure_for, styled


@styled
def plot_berry_curvature(ds, ax=None, title: str | None = None):
    """Omega(k) of :meth:`isingsc.topology.chern.Chern.berry_curvature` over the reciprocal cell (a^2), on a
    symmetric log-like colour scale (the curvature is concentrated near the Fermi surfaces)."""
    fig, ax = figure_for(ax, size=(4.4, 3.8))
    omega = np.asarray(ds.berry_curvature.values)
    scale = float(np.max(np.abs(omega))) or 1.0
    from matplotlib.colors import SymLogNorm

    norm = SymLogNorm(linthresh=scale * 1e-3, vmin=-scale, vmax=scale)
    m = ax.pcolormesh(ds.kx.values, ds.ky.values, omega, shading="auto", cmap="RdBu_r", norm=norm, rasterized=True)
    (fig or ax.figure).colorbar(m, ax=ax, label=r"Berry curvature $\Omega$ ($a^2$)")
    ax.set_aspect("equal")
    ax.set_xlabel(r"$k_x$ ($1/a$)")
    ax.set_ylabel(r"$k_y$ ($1/a$)")
    c = ds.attrs.get("chern_flux_sum")
    ax.set_title(title or (f"C = {round(c):d}" if c is not None else ""), fontsize=9)
    return fig or ax.figure


@styled
def plot_edge_spectrum(k, energies, edge_weight, crossings=None, ax=None, gap: float | None = None,
                       title: str | None = None):
    """Ribbon spectrum E(k) (|t|) coloured by the weight on the first edge (0 blue ... 1 red), with the crossings
    of :meth:`~isingsc.topology.chern.Chern.edge_modes` marked."""
    fig, ax = figure_for(ax)
    k = np.asarray(k)
    e = np.asarray(energies)
    w = np.asarray(edge_weight)
    kk = np.broadcast_to(k[:, None], e.shape)
    ax.scatter(kk.ravel(), e.ravel(), c=w.ravel(), s=2, cmap="coolwarm", vmin=0, vmax=1, rasterized=True)
    if crossings is not None and crossings.sizes.get("crossing", 0):
        ax.plot(crossings.k.values, np.full(crossings.sizes["crossing"], crossings.attrs["energy"]), "kx", ms=5)
    if gap:
        ax.set_ylim(-2 * gap, 2 * gap)
        ax.axhspan(-gap, gap, color="0.9", zorder=-1)
    ax.set_xlabel(r"$k$ along the edge ($1/a$)")
    ax.set_ylabel(r"$E$ ($|t|$)")
    if title:
        ax.set_title(title, fontsize=9)
    return fig or ax.figure


@styled
def plot_channel_tcs(ds, ax=None, title: str | None = None):
    """Tc per channel (bars) and pair momentum (groups) of :meth:`PairingChannels.critical_temperatures`."""
    fig, ax = figure_for(ax, size=(6.0, 3.4))
    tc = np.asarray(ds.Tc.values)
    channels = list(ds.channel.values)
    momenta = list(ds.momentum.values)
    width = 0.8 / len(momenta)
    x = np.arange(len(channels))
    for j, m in enumerate(momenta):
        ax.bar(x + (j - (len(momenta) - 1) / 2) * width, tc[:, j], width, label=f"Q = {m}")
    ax.set_xticks(x, channels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel(r"$T_c$ ($|t|$)")
    ax.legend(frameon=False, fontsize=7)
    ax.set_title(title or f"leading: {ds.attrs.get('leading_channel')} at Q = {ds.attrs.get('leading_momentum')}",
                 fontsize=9)
    return fig or ax.figure


@styled
def plot_channel_map(ds, ax=None, title: str | None = None):
    """The leading channel over the Fermi level's depth and the spin splitting (:func:`leading_channel_map`),
    labelled, with its Tc (|t|) as the colour."""
    fig, ax = figure_for(ax, size=(5.0, 3.8))
    tc = np.asarray(ds.Tc.values)
    best = tc.reshape(tc.shape[:2] + (-1,)).max(-1)
    labels = ds.attrs["leading_labels"].split(";")
    m = ax.pcolormesh(ds.splitting.values, ds.depth.values, best, shading="nearest", cmap="viridis", rasterized=True)
    (fig or ax.figure).colorbar(m, ax=ax, label=r"leading $T_c$ ($|t|$)")
    for i, d in enumerate(ds.depth.values):
        for j, s in enumerate(ds.splitting.values):
            idx = int(ds.leading.values[i, j])
            text = "none" if idx < 0 else labels[idx].replace(" (", "\n(").replace(" @ ", "\n@ ")
            ax.text(s, d, text, ha="center", va="center", fontsize=5.5, color="w")
    ax.plot(ds.splitting.values, ds.splitting.values, "w--", lw=0.8)  # depth = splitting: both spin bands cut
    ax.set_xlabel(r"spin splitting at K ($|t|$)")
    ax.set_ylabel(r"Fermi level below the band top ($|t|$)")
    if title:
        ax.set_title(title, fontsize=9)
    return fig or ax.figure
