"""Maps of a finished sweep: one panel per variable over the first two axes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from matplotlib import colormaps

from isingsc.core.errors import ParameterError
from isingsc.plotting.style import save_figure, styled, subplots

_DEFAULT_VARIABLES = ("Hc2_over_HP", "Tc_over_Tc0", "Delta0", "nodal", "flat_band_fraction", "max_abs_winding")


@styled
def plot_sweep(ds: xr.Dataset, path: str | Path | None = None, variables=None):
    """Phase-diagram panels (pcolormesh over the two axes) of a 2-axis sweep; failed or pending
    points are hatched grey.  Nodal-phase points are outlined on every panel when ``nodal`` exists."""
    dims = [d for d in ds["status"].dims]
    if len(dims) != 2:
        raise ParameterError("sweep axes", dims, "exactly two axes for a phase-diagram plot")
    names = [v for v in (variables or _DEFAULT_VARIABLES) if v in ds]
    if not names:
        raise ParameterError("variables", variables, f"some of {list(ds.data_vars)}")
    x, y = dims[0], dims[1]
    fig, axes = subplots(1, len(names), figsize=(3.6 * len(names), 3.2), squeeze=False, layout="constrained")
    missing = ds["status"].values.T != 1
    for ax, name in zip(axes[0], names):
        da = ds[name].transpose(y, x)
        binary = name in ("nodal", "transition_order")
        lims = {"nodal": (0, 1), "transition_order": (1, 2)}.get(name, (None, None))
        mesh = ax.pcolormesh(ds[x].values, ds[y].values, da.values, shading="nearest",
                             cmap=colormaps["coolwarm"].resampled(2) if binary else "viridis",
                             vmin=lims[0], vmax=lims[1])
        bar = fig.colorbar(mesh, ax=ax, label=f"{name} [{da.attrs.get('units', '')}]")
        if name == "nodal":
            bar.set_ticks([0.25, 0.75], labels=["gapped", "nodal"])
        if name == "Hc2_over_HP" and "transition_order" in ds:
            first = ds["transition_order"].transpose(y, x).values == 1
            gx, gy = np.meshgrid(ds[x].values, ds[y].values)
            ax.plot(gx[first], gy[first], "w.", ms=4, label="first order")
            if first.any():
                ax.legend(loc="upper left", fontsize=7, framealpha=0.5)
        if missing.any():
            ax.contourf(ds[x].values, ds[y].values, missing.astype(float), levels=[0.5, 1.5],
                        colors="none", hatches=["xx"])
        if "nodal" in ds and name != "nodal":
            nodal = np.nan_to_num(ds["nodal"].transpose(y, x).values)
            if 0 < nodal.sum() < nodal.size:
                ax.contour(ds[x].values, ds[y].values, nodal, levels=[0.5], colors="w", linewidths=1.2)
        ax.set_xlabel(f"{x} [{ds[x].attrs.get('units', '')}]")
        ax.set_ylabel(f"{y} [{ds[y].attrs.get('units', '')}]")
        ax.set_title(name, fontsize=10)
    import textwrap

    title = f"isingsc sweep: {ds.attrs.get('model', '')}; fixed {ds.attrs.get('fixed_parameters', '')}"
    fig.suptitle("\n".join(textwrap.wrap(title, 60 * len(names))), fontsize=8)
    if path is not None:
        save_figure(fig, path)
    return fig
