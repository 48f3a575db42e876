"""Figures of the pairing correlations: d_z over the Brillouin zone and on the Fermi surface."""

from __future__ import annotations

import numpy as np

from isingsc.plotting.style import styled, subplots


@styled
def plot_pairing_map(zone_map, fermi_surface=None, *, component: str = "z", title: str | None = None):
    """Re d_component(k, E) over the zone (``PairingCorrelations.zone_map``), with the Fermi-surface points of
    ``fermi_surface`` (``PairingCorrelations.fermi_surface``) on top; returns the Figure."""
    fig, ax = subplots(figsize=(5.0, 4.2), layout="constrained")
    d = zone_map.d_re.sel(component=component).values[0]
    d = np.where(zone_map.inside_zone.values > 0, d, np.nan)
    lim = float(np.nanmax(np.abs(d))) or 1.0
    mesh = ax.pcolormesh(zone_map.kx.values, zone_map.ky.values, d.T, cmap="RdBu_r", vmin=-lim, vmax=lim,
                         shading="auto")
    fig.colorbar(mesh, ax=ax, label=f"Re d_{component} (1/|t|)")
    if fermi_surface is not None:
        ax.plot(fermi_surface.kx.values, fermi_surface.ky.values, ".", color="k", ms=1.5, label="Fermi surface")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlabel("kx (1/a)")
    ax.set_ylabel("ky (1/a)")
    if title:
        ax.set_title(title)
    return fig


__all__ = ["plot_pairing_map"]
