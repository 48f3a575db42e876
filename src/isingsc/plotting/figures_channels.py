"""Report figure of the hole-doped TMD route (review Sec. 5, Fig. 9; not a figure of the paper).

* Fig. 8: (a) the Berry curvature of the inter-pocket chiral state (channel p+ip, triplet-z, at Q = 0) of the
  hole-doped TMD, C = 2; (b) its ribbon spectrum with the chiral edge modes (net chirality -2 / +2);
  (c) Tc of every channel at Q = 0 and 2K at one attraction; (d) the leading channel over the Fermi level's
  depth and the spin splitting.

Writes PNG + NetCDF into ``out`` and returns the paths; settings per quality preset.  Energies in |t|.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from isingsc.core.errors import ParameterError
from isingsc.core.results import finalize, save
from isingsc.models.catalogue import resolve
from isingsc.plotting.style import save_figure

#: Fig. 8 settings per quality preset.
CHANNEL_QUALITY = {
    "fast": {"delta": 0.1, "curvature_grid": 192, "width": 120, "n_k": 161, "attraction": 0.5, "momenta": ("0", "2K"),
             "map_channels": ("s", "extended-s", "d+id", "p+ip:triplet-z", "f:triplet-z"),
             "map_depths": (0.05, 0.15), "map_splittings": (0.15, 0.45)},
    "paper": {"delta": 0.1, "curvature_grid": 384, "width": 160, "n_k": 401, "attraction": 0.5, "momenta": ("0", "2K", "2K'"),
              "map_channels": None, "map_depths": (0.03, 0.08, 0.15, 0.25, 0.4),
              "map_splittings": (0.1, 0.2, 0.3, 0.45, 0.6)},
}


def figure_channels(out: Path, quality: str = "fast") -> list[Path]:
    """Fig. 8: Berry curvature and chiral edge modes of the hole-doped TMD's inter-pocket state, Tc per channel,
    and the leading-channel map over doping and Ising splitting."""
    from isingsc.channels import PairingChannels, leading_channel_map
    from isingsc.models.channels import with_pairing
    from isingsc.plotting.channels import plot_berry_curvature, plot_channel_map, plot_channel_tcs, plot_edge_spectrum
    from isingsc.topology.chern import Chern
    from isingsc.topology.ribbon import Ribbon

    if quality not in CHANNEL_QUALITY:
        raise ParameterError("quality", quality, " | ".join(CHANNEL_QUALITY))
    q = CHANNEL_QUALITY[quality]
    out = Path(out)
    model = resolve("hole-tmd")
    state = with_pairing(model, "p+ip", spin="triplet-z")
    chern = Chern(state, q["delta"])
    files = []
    chern.chern_number()  # the converged number first (its gap and grids checked)
    curvature = chern.berry_curvature(q["curvature_grid"])  # a finer map than the coarse grid the number needs
    files.append(save(curvature, out / "fig8a_berry_curvature.nc"))
    files += save_figure(plot_berry_curvature(curvature, title="hole-doped TMD, p+ip (triplet-z): C = %d"
                                              % round(curvature.attrs["chern_flux_sum"])),
                         out / "fig8a_berry_curvature.png")
    edges = chern.edge_modes(q["width"])
    ribbon = Ribbon(state, edges.attrs["width"], (1, 0), (0, 1))
    ks = np.linspace(-np.pi, np.pi, q["n_k"]) / ribbon.period
    e, v = np.linalg.eigh(ribbon.bdg_hamiltonian(ks, q["delta"]))
    w = np.abs(v.reshape(len(ks), 2, ribbon.width, state.dim, -1)) ** 2
    first = w[:, :, : ribbon.width // 2].sum(axis=(1, 2, 3))
    spectrum = finalize(xr.Dataset({"energy": (("k", "n"), e, {"units": "|t|"}),
                                    "first_edge_weight": (("k", "n"), first, {"units": "1"})},
                                   coords={"k": ("k", ks, {"units": "1/a"})}), model=model, delta=q["delta"],
                        width=ribbon.width, channel=state.pairing_channel)
    files.append(save(spectrum, out / "fig8b_edge_spectrum.nc"))
    files.append(save(edges, out / "fig8b_edge_crossings.nc"))
    net = [int(x) for x in edges.net_chirality.values]
    files += save_figure(plot_edge_spectrum(ks, e, first, edges, gap=edges.attrs["gap"],
                                            title=f"{ribbon.width}-column ribbon: net chirality {net[0]:+d} / {net[1]:+d}"),
                         out / "fig8b_edge_spectrum.png")
    tcs = PairingChannels(model, None, q["momenta"], q["attraction"]).critical_temperatures()
    files.append(save(tcs, out / "fig8c_channel_tc.nc"))
    files += save_figure(plot_channel_tcs(tcs), out / "fig8c_channel_tc.png")
    cmap = leading_channel_map(q["map_depths"], q["map_splittings"], channels=q["map_channels"],
                               momenta=q["momenta"], attraction=q["attraction"])
    files.append(save(cmap, out / "fig8d_channel_map.nc"))
    files += save_figure(plot_channel_map(cmap, title=f"leading channel at v = {q['attraction']:g} |t|"),
                         out / "fig8d_channel_map.png")
    return files
