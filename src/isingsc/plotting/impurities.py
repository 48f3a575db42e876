"""Figures of magnetic impurities in the host (no physics here): LDOS maps, bound-state energies against J,
and the report figure: the YSR energy against the field direction with and without Ising SOC.

Functions take the Datasets of :mod:`isingsc.impurities.single` and return a
:class:`matplotlib.figure.Figure`; :func:`isingsc.plotting.style.save_figure` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from isingsc.plotting.style import styled, subplots


@styled
def plot_ldos_map(ds, title: str | None = None):
    """LDOS rho(R, E) around the impurity (Dataset of ``MagneticImpurity.ldos_map``) in real space (x, y in a),
    normalised by the clean host's LDOS."""
    fig, ax = subplots(figsize=(4.4, 3.8))
    ratio = ds.ldos.values / float(ds.ldos_host)
    m = ax.scatter(ds.x.values.ravel(), ds.y.values.ravel(), c=ratio.ravel(), s=max(2.0, 2000.0 / ratio.size),
                   cmap="magma", marker="h", linewidths=0)
    fig.colorbar(m, ax=ax, label=r"$\rho(\mathbf{R}, E)/\rho_{\rm host}(E)$")
    ax.set_aspect("equal")
    ax.set_xlabel(r"$x$ ($a$)")
    ax.set_ylabel(r"$y$ ($a$)")
    ax.set_title(title or "", fontsize=9, loc="left")
    ax.set_title(rf"$E$ = {ds.attrs['energy']:.4g} $|t|$, $\eta$ = {ds.attrs['eta']:.2g} $|t|$", fontsize=9,
                 loc="right")
    return fig


@styled
def plot_bound_states_versus_exchange(ds, title: str | None = None):
    """Bound-state energies E/Delta against the exchange J (Dataset of ``bound_states_versus_exchange``),
    coloured by the particle weight on the impurity site."""
    fig, ax = subplots(figsize=(4.4, 3.4))
    m = ax.scatter(ds.J.values, ds.energy_over_delta.values, c=ds.particle_weight.values, cmap="coolwarm",
                   vmin=0, vmax=1, s=14)
    fig.colorbar(m, ax=ax, label="particle weight")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel(r"exchange $J$ ($|t|$)")
    ax.set_ylabel(r"$E/\Delta$")
    ax.set_title(title or "Yu-Shiba-Rusinov energies", fontsize=9)
    return fig


@styled
def plot_ysr_field_direction(datasets: Mapping[str, object], title: str | None = None):
    """The report figure: the lowest positive YSR energy against the polar angle of the field (degrees from z),
    one curve per host, e.g. {"Ising SOC (intrinsic)": ds1, "no SOC (sc)": ds2}, each the Dataset of
    ``bound_states_versus_field_direction``.  When every Dataset carries its zero-field energy (attr
    ``zero_field_energy``, |t|) the shift (E - E(V = 0)) / |V| is drawn: +-1 is the free-spin Zeeman shift,
    0 a quenched response; else E / Delta."""
    fig, ax = subplots(figsize=(4.6, 3.4))
    shift = all("zero_field_energy" in ds.attrs for ds in datasets.values())
    for label, ds in datasets.items():
        angles = ds.angle.values
        lowest = []
        for a in angles:
            sel = (ds.field_polar.values == a) & (ds.energy.values > 0)
            e = ds.energy.values[sel] if shift else ds.energy_over_delta.values[sel]
            lowest.append(e.min() if len(e) else np.nan)  # no positive state: a gap in the curve
        y = (np.asarray(lowest) - ds.attrs["zero_field_energy"]) / ds.attrs["field_strength"] if shift else lowest
        ax.plot(np.degrees(angles), y, marker="o", ms=4, ls="-" if len(angles) > 3 else ":", label=label)
    ax.set_xlabel(r"field polar angle $\theta_V$ (deg; 0 = out of plane)")
    ax.set_ylabel(r"YSR shift $(E - E_{V=0})/|V|$" if shift else r"YSR energy $E/\Delta$")
    if shift:
        ax.axhline(0.0, color="0.6", lw=0.6)
    any_ds = next(iter(datasets.values()))
    ax.set_title(title or rf"$|V|$ = {any_ds.attrs['field_strength']:.3g} $|t|$, $J$ = {any_ds.attrs['J']:.3g} $|t|$",
                 fontsize=9)
    ax.legend(frameon=False)
    return fig
