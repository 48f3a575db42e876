"""Figures of magnetic (Shiba) chains: phase diagram, end-state profile, bands.  Datasets in, Figures out.

The Datasets come from :class:`isingsc.impurities.chain.MagneticChain`: ``phase_diagram`` (gap, invariant over J
and the moments' polar angle), ``end_states`` (energies and weight per impurity) and ``bands``.
"""

from __future__ import annotations

import numpy as np

from isingsc.plotting.style import styled, subplots


@styled
def plot_chain_phase_diagram(ds, title: str | None = None):
    """Gap (colour, |t|) and invariant (numbers; hatched where gapless) over (theta, J) of a chain phase diagram."""
    fig, (ax_gap, ax_inv) = subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    theta = np.degrees(np.asarray(ds.theta.values, dtype=float))
    J = np.asarray(ds.J.values, dtype=float)
    gap = np.asarray(ds.gap.values, dtype=float)
    inv = np.asarray(ds.invariant.values, dtype=float)
    mesh = ax_gap.pcolormesh(theta, J, gap, shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax_gap, label="chain gap (|t|)")
    ax_gap.set_xlabel("moment polar angle θ (deg)")
    ax_gap.set_ylabel("exchange J (|t|)")
    ax_gap.set_title("gap")
    shown = np.ma.masked_invalid(inv)
    vmax = max(1.0, float(np.nanmax(np.abs(inv))) if np.isfinite(inv).any() else 1.0)
    mesh = ax_inv.pcolormesh(theta, J, shown, shading="nearest", cmap="coolwarm", vmin=-vmax, vmax=vmax)
    fig.colorbar(mesh, ax=ax_inv, label="invariant (W in BDI, ν in D)")
    gapless = np.asarray(ds.gapless.values, dtype=bool)
    if gapless.any():
        tt, jj = np.meshgrid(theta, J)
        ax_inv.scatter(tt[gapless], jj[gapless], marker="x", color="k", s=12, label="gapless")
        ax_inv.legend(loc="upper right")
    ax_inv.set_xlabel("moment polar angle θ (deg)")
    ax_inv.set_title("invariant")
    if title:
        fig.suptitle(title)
    return fig


@styled
def plot_end_state_profile(ds, title: str | None = None, states: int = 2):
    """Weight per impurity site of the lowest ``states`` sub-gap states of a finite chain (log scale), with their
    energies in the legend."""
    fig, ax = subplots(figsize=(5.5, 3.6), layout="constrained")
    site = np.asarray(ds.site.values)
    for i in range(min(states, ds.sizes["state"])):
        w = np.asarray(ds.weight.values[i], dtype=float)
        if not np.isfinite(w).all():
            continue
        ax.semilogy(site, np.maximum(w, 1e-16), "o-", ms=3, label=f"E = {float(ds.energy.values[i]):.3g} |t|")
    ax.set_xlabel("impurity j")
    ax.set_ylabel("weight |ψ(R_j)|²")
    ax.legend()
    ax.set_title(title or f"end states, N = {len(site)}")
    return fig


@styled
def plot_chain_summary(bands, ends, title: str | None = None):
    """Two panels: the Shiba bands E(q) (|t|) inside the host gap, and the lowest state's weight per site."""
    fig, (ax_b, ax_p) = subplots(1, 2, figsize=(9.0, 3.6), layout="constrained")
    q = np.asarray(bands.q.values, dtype=float)
    e = np.asarray(bands.energy.values, dtype=float)
    for j in range(e.shape[1]):
        ax_b.plot(q, e[:, j], ".", ms=2, color="C0")
    gap = float(bands.attrs.get("host_gap", np.nan))
    if np.isfinite(gap):
        ax_b.axhspan(gap, 1.2 * gap, color="0.85")
        ax_b.axhspan(-1.2 * gap, -gap, color="0.85")
        ax_b.set_ylim(-1.1 * gap, 1.1 * gap)
    ax_b.axhline(0.0, color="k", lw=0.5)
    ax_b.set_xlabel("q (per supercell)")
    ax_b.set_ylabel("E (|t|)")
    ax_b.set_title("Shiba bands")
    site = np.asarray(ends.site.values)
    w = np.asarray(ends.weight.values[0], dtype=float)
    if np.isfinite(w).all():
        ax_p.semilogy(site, np.maximum(w, 1e-16), "o-", ms=3,
                      label=f"E = {float(ends.energy.values[0]):.3g} |t|")
        ax_p.legend()
    ax_p.set_xlabel("impurity j")
    ax_p.set_ylabel("weight |ψ(R_j)|²")
    ax_p.set_title(f"lowest state, N = {len(site)}")
    if title:
        fig.suptitle(title)
    return fig
