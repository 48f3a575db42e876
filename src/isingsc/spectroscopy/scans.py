"""Field scans of the edge spectroscopy: the edge LDOS and the zero-bias peak against the Zeeman field.

:func:`edge_field_scan` is what ``isingsc spectrum edge`` and the report's Fig. 5 show: at fixed
pairing Delta, for each field strength |V| (along x, the flat-band direction), the ky-integrated
LDOS of the outermost layer of the semi-infinite edge and the density of zero-energy modes per
length of edge (the zero-bias peak), optionally with the bulk value int dky/2pi |W(ky)|.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from isingsc.core.errors import check_positive_int, check_range
from isingsc.models.catalogue import as_nambu_model
from isingsc.core.field import Field
from isingsc.spectroscopy.edge import EdgeSpectroscopy, ldos_field_scan


def edge_field_scan(model, delta: float, strengths, energies, eta: float, *, n_ky: int = 96,
                    n_ky_modes: int = 600, winding: bool = True, edge: str = "armchair-y") -> xr.Dataset:
    """N_edge(E) and the flat-band density against the field strength at fixed Delta (|t|).

    Dims (field, energy[, spin]): ``N_edge`` (states / |t| / a of edge, ``n_ky`` momenta), and per field
    ``flat_band_density`` (zero-energy states per a of edge from the zero modes on ``n_ky_modes``
    momenta), ``flat_band_density_from_winding`` (int dky/2pi |W(ky)|, with ``winding``),
    ``surface_peak_weight``, ``flat_band_length`` and ``max_modes_per_ky``.
    """
    lattice_model = as_nambu_model(model)
    delta = check_range("delta", delta, lo=0.0, lo_open=True, hi=1.0)
    vxs = np.atleast_1d(np.asarray(strengths, dtype=float))
    for v in vxs:
        check_range("field strength", v, lo=0.0, hi=5.0)
    check_positive_int("n_ky_modes", n_ky_modes, 2)
    scan = ldos_field_scan(lattice_model, delta, vxs, energies, eta, edge=edge, n_ky=n_ky)
    cols = {"flat_band_density": [], "flat_band_density_from_winding": [], "surface_peak_weight": [],
            "flat_band_length": [], "max_modes_per_ky": []}
    for v in vxs:
        zb = EdgeSpectroscopy(lattice_model, delta, Field.in_plane(v), edge=edge,
                              n_ky=n_ky_modes).zero_bias_peak(winding=winding)
        a = zb.attrs
        cols["flat_band_density"].append(a["flat_band_density"])
        cols["flat_band_density_from_winding"].append(a.get("flat_band_density_from_winding", np.nan))
        cols["surface_peak_weight"].append(a["surface_peak_weight"])
        cols["flat_band_length"].append(a["flat_band_length"])
        n = zb.n_modes.values
        cols["max_modes_per_ky"].append(float(np.max(n[np.isfinite(n)])) if np.isfinite(n).any() else np.nan)
    units = {"flat_band_density": "zero-energy states per a of edge",
             "flat_band_density_from_winding": "zero-energy states per a of edge",
             "surface_peak_weight": "1", "flat_band_length": "1/a", "max_modes_per_ky": "1"}
    for name, values in cols.items():
        if name == "flat_band_density_from_winding" and not winding:
            continue
        scan[name] = ("field", np.array(values, dtype=float), {"units": units[name]})
    scan.attrs.update(edge_delta=delta, n_ky_modes=n_ky_modes)
    return scan
