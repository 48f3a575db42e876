"""The junction figures draw the Datasets they are given (no pyplot, no global state)."""

import numpy as np
import xarray as xr

from isingsc.junctions.squid import DomainJunction, FourierCPR, Squid
from isingsc.plotting.junctions import (
    plot_current_phase,
    plot_ground_state_map,
    plot_squid,
    plot_tmr,
)


def test_plots_return_figures():
    """Each plot function returns a Figure with one curve per input (synthetic Datasets of the right form)."""
    phase = np.linspace(-np.pi, np.pi, 64, endpoint=False)
    cpr = lambda s: xr.Dataset({"current": ("phase", s * np.sin(phase))}, coords={"phase": phase})
    fig = plot_current_phase({"out of plane": cpr(-1.0), "in plane": cpr(1.0)})
    assert len(fig.axes[0].lines) == 3  # two CPRs and the zero line
    theta, ratio = np.linspace(0, 1.5, 4), np.linspace(0.5, 2, 3)
    df = np.cos(theta)[None, :] * ratio[:, None] - 1
    gs = xr.Dataset({"ground_state_phase": (("ratio", "theta"), np.where(df < 0, np.pi, 0.0)),
                     "free_energy_pi_minus_0": (("ratio", "theta"), df)},
                    coords={"ratio": ratio, "theta": theta})
    assert plot_ground_state_map(gs).axes
    sq = Squid(DomainJunction([FourierCPR.from_harmonics([0.0, -1.0])], weights=[1.0]), 3.0)
    fig = plot_squid(sq.critical_current(np.linspace(-0.5, 0.5, 11)))
    assert len(fig.axes[0].lines) == 3
    tmr = xr.Dataset({"conductance": (("projection", "bias"), np.ones((2, 5)))},
                     coords={"projection": [1.0, -1.0], "bias": np.linspace(-1, 1, 5)})
    assert len(plot_tmr(tmr).axes[0].lines) == 2
