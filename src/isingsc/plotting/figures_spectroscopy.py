"""The spectroscopy figure: bulk tunnelling spectra in field, gap vs field, and the edge zero-bias peak.

:func:`figure_spectroscopy` computes every panel's data, writes one NetCDF file per dataset and the
composite figure as PNG + PDF, and returns a dict of what it wrote and the headline numbers.

Choices (stated in the datasets' attrs as well):

* pairing strength from Delta0 = 0.02 |t| of the isolated SC layer (the Fig. 3 regime, where the
  induced Ising SOC on the SC Fermi surface exceeds Delta0); temperature 0.1 Tc0, junction at the
  same temperature, Dynes broadening eta = Delta0/20;
* the Ising superconductor is the fitted effective model of the paper's heterostructure (Gamma = 0.5;
  ``quality="fast"``) or the exact 8-orbital heterostructure (``quality="paper"``); the
  Pauli-limited film is the isolated SC layer (Gamma = 0), gap only;
* the edge panels use Delta = 0.05 |t| held fixed (as the paper's Fig. 4 and the edge tests),
  Vx = 0 ... 5 Delta, the armchair-y edge; fields act on both layers (package default).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from isingsc.core.errors import ParameterError
from isingsc.models.catalogue import resolve
from isingsc.models.paper import PAPER, HeterostructureParams
from isingsc.core.results import save
from isingsc.plotting.style import save_figure

#: Settings per quality preset.
SPECTROSCOPY_QUALITY = {
    "fast": {"ising_model": "effective-fit", "n_fields": 11, "n_bias": 121, "n_pauli": 27, "n_vx": 6,
             "n_ky": 48, "n_ky_modes": 400, "n_energy": 41, "winding": False},
    "paper": {"ising_model": "heterostructure", "n_fields": 25, "n_bias": 241, "n_pauli": 61, "n_vx": 9,
              "n_ky": 121, "n_ky_modes": 2000, "n_energy": 81, "winding": True},
}
SPECTROSCOPY_DELTA0, SPECTROSCOPY_T_OVER_TC, EDGE_DELTA = 0.02, 0.1, 0.05


def figure_spectroscopy(out: Path, quality: str = "fast", params: HeterostructureParams = PAPER) -> dict:
    """Write the spectroscopy figure (PNG + PDF) and its NetCDF data into ``out``; ~20-30 s in fast quality.

    Returns {"files": [paths], "png": path, "pdf": path, "netcdf": [paths], "summary": {...}, "seconds": t}.
    """
    from isingsc.plotting import spectroscopy as ps
    from isingsc.spectroscopy.scans import edge_field_scan
    from isingsc.spectroscopy.bulk import BulkSpectroscopy, gap_versus_field

    if quality not in SPECTROSCOPY_QUALITY:
        raise ParameterError("quality", quality, " | ".join(SPECTROSCOPY_QUALITY))
    q = SPECTROSCOPY_QUALITY[quality]
    start = time.perf_counter()
    out = Path(out)
    resolved = resolve(q["ising_model"], parameters=params)
    ising = resolved.model
    d0 = SPECTROSCOPY_DELTA0

    # (a-c) bulk: the Ising superconductor in field, and the Pauli-limited film (gap only)
    bulk = BulkSpectroscopy(resolved, delta0=d0)
    T = SPECTROSCOPY_T_OVER_TC * bulk.ref.tc
    bias = np.linspace(-4 * d0, 4 * d0, q["n_bias"])
    sweep = gap_versus_field(bulk, T, np.linspace(0.0, 2.0, q["n_fields"]), bias=bias)
    sweep.attrs["ising_model"] = q["ising_model"]
    pauli_bulk = BulkSpectroscopy(resolve("sc", parameters=params), delta0=d0)
    pauli = _gap_curve(pauli_bulk, T, np.linspace(0.0, 1.3, q["n_pauli"]))

    # (d-f) edge: fixed Delta, Vx scan through the nodal transition at Vx = Delta
    vxs = EDGE_DELTA * np.linspace(0.0, 5.0, q["n_vx"])
    energies = np.linspace(-2 * EDGE_DELTA, 2 * EDGE_DELTA, q["n_energy"])
    scan = edge_field_scan(resolved, EDGE_DELTA, vxs, energies, eta=EDGE_DELTA / 25, n_ky=q["n_ky"],
                           n_ky_modes=q["n_ky_modes"], winding=q["winding"])
    dens = list(scan.flat_band_density.values)
    scan.attrs.update(model=str(ising.name))

    files = [save(sweep, out / "spectroscopy_bulk_field_sweep.nc"), save(pauli, out / "spectroscopy_pauli_gap.nc"),
             save(scan, out / "spectroscopy_edge_vx_scan.nc")]
    netcdf = list(files)
    fig = ps.plot_spectroscopy_figure(sweep, pauli, sweep, scan,
                                      labels=("Pauli-limited BCS film (Γ=0)", f"Ising SC ({q['ising_model']})"))
    fig.suptitle(rf"Spectroscopy: $\Delta_0$={d0:g}|t|, T={SPECTROSCOPY_T_OVER_TC:g}$T_{{c0}}$, "
                 rf"$\eta$={bulk.eta:.2g}|t|; edge: $\Delta$={EDGE_DELTA:g}|t| fixed, {q['n_ky']} $k_y$ "
                 rf"(zero modes: {q['n_ky_modes']})", fontsize=10)
    images = save_figure(fig, out / "fig5_spectroscopy.png", pdf=True)
    files += images
    summary = {
        "pauli_Hc2_over_HP": pauli.attrs.get("Hc2_over_HP"), "pauli_order": pauli.attrs.get("transition_order"),
        "ising_Hc2_over_HP": sweep.attrs.get("Hc2_over_HP"), "ising_order": sweep.attrs.get("transition_order"),
        "pauli_largest_gap_jump_over_delta0": pauli.attrs["largest_gap_jump_over_delta0"],
        "ising_largest_gap_jump_over_delta0": sweep.attrs["largest_gap_jump_over_delta0"],
        "edge_flat_band_density": dict(zip([f"{v / EDGE_DELTA:g}Delta" for v in vxs], dens)),
        "units": "fields H/HP; densities zero-energy states per a of edge",
    }
    return {"files": files, "png": images[0], "pdf": images[1], "netcdf": netcdf, "summary": summary,
            "seconds": time.perf_counter() - start}


def _gap_curve(bulk, T: float, h_over_hp) -> xr.Dataset:
    """Delta(H) only (no DOS) on a fine field grid, with the transition order from critical_field."""
    from isingsc.core.results import finalize
    from isingsc.meanfield.transitions import critical_field

    h = np.asarray(h_over_hp, dtype=float)
    ref = bulk.ref
    d = np.array([bulk.gap(T, x * ref.pauli_field).delta for x in h])
    ds = xr.Dataset({"delta": ("field", d, {"units": "|t|"}),
                     "delta_over_delta0": ("field", d / d[0] if d[0] > 0 else d, {"units": "1"})},
                    coords={"H_over_HP": ("field", h, {"units": "1"}),
                            "field": ("field", h * ref.pauli_field, {"units": "|t|"})})
    cf = critical_field(bulk.meanfield.problem_for(T, [bulk.field(h[-1] * ref.pauli_field)]), T,
                        delta_max=3 * ref.delta0, v_start=0.05 * ref.pauli_field, v_max=60 * ref.pauli_field)
    jumps = np.abs(np.diff(d)) / ref.delta0
    return finalize(ds, model=bulk.meanfield.model, T=T, T_over_Tc=T / ref.tc, Delta0_reference=ref.delta0,
                    HP_reference=ref.pauli_field, Hc2_over_HP=cf.field / ref.pauli_field, transition_order=cf.transition_order,
                    delta_jump_at_Hc2=cf.delta_jump, largest_gap_jump_over_delta0=float(jumps.max()),
                    gap_kmesh=f"{len(bulk.problem.mesh)} k points, {ref.spec.describe()}")
