"""xarray results: common attributes, NetCDF output and safe loading.

Every computation returns an :class:`xarray.Dataset` with named dimensions,
coordinates with ``units`` attributes and the model parameters and
convergence information in ``attrs``.  Attributes are restricted to NetCDF
types (str, numbers, lists of numbers) so that a file reads back unchanged.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from isingsc.core.version import __version__
from isingsc.core.errors import DataFileError

if TYPE_CHECKING:  # (imported by load: a process that only computes numbers never needs xarray)
    import xarray as xr

ENERGY_UNITS = "|t| (lattice hopping), k_B = 1"
MOMENTUM_UNITS = "1/a"


def _netcdf_attr(value):
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        if arr.dtype.kind in "biuf":
            values = arr.astype(float if arr.dtype.kind == "f" else int).ravel().tolist()
            # NetCDF stores a length-1 attribute as a scalar: store it so to round-trip
            return values[0] if len(values) == 1 else values
        return json.dumps(np.asarray(value).tolist())
    if isinstance(value, (int, float, str)):
        return value
    if value is None:
        return "none"
    return json.dumps(value, default=str)


def to_jsonable(obj):
    """Convert numpy scalars/arrays to JSON; non-finite floats become null."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else None
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def finalize(ds: xr.Dataset, *, model=None, **attrs) -> xr.Dataset:
    """Attach package version, model description and extra attrs (NetCDF-safe)."""
    merged = {"isingsc_version": __version__, "energy_units": ENERGY_UNITS}
    if model is not None:
        merged.update(model.describe())
    merged.update(attrs)
    ds.attrs.update({k: _netcdf_attr(v) for k, v in merged.items()})
    return ds


def save(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a dataset to NetCDF (netCDF4 engine); parent folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine="netcdf4")
    return path


def load(path: str | Path) -> xr.Dataset:
    """Read a NetCDF result written by :func:`save`; a corrupt file raises DataFileError."""
    import xarray as xr

    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"no such result file: {path}")
    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{path} is not a readable NetCDF result ({exc})") from None
