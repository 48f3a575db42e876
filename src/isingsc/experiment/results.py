"""xarray results of the experiment toolkit: lab-unit attributes on top of :mod:`isingsc.core.results`."""

from __future__ import annotations

import xarray as xr

from isingsc.core.results import finalize, load, save  # noqa: F401  (re-exported for the toolkit)

LAB_UNITS = "lab units: temperature K, field T (tesla), energy meV; Zeeman energy (g/2) mu_B B"


def finalize_lab(ds: xr.Dataset, **attrs) -> xr.Dataset:
    """Attach version, lab-unit description and NetCDF-safe attrs (str/number/list)."""
    return finalize(ds, energy_units=LAB_UNITS, **attrs)
