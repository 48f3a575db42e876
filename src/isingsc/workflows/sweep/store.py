"""The Zarr store of a sweep: one dimension per axis, filled point by point.

Layout (readable with ``xarray.open_zarr``): a coordinate per axis (with units), one
float64 variable per computed quantity (NaN until the point is done), ``status``
(int8: 0 pending, 1 done, 2 failed) and ``error`` (the failure message, fixed width).
Every variable is chunked one point per chunk, and Zarr's local store writes each chunk
atomically (temporary file + rename), so a process killed at any moment leaves every
chunk either old or new.  ``status`` is written *after* a point's values: a point whose
status is still 0 is recomputed on ``--resume``, whatever of it was written before the
crash, and the final store is the same as after an uninterrupted run.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np
import xarray as xr

from isingsc.core.version import __version__
from isingsc.core.errors import DataFileError, IsingscError
from isingsc.core.results import ENERGY_UNITS
from isingsc.workflows.sweep.quantities import variables_for
from isingsc.workflows.sweep.spec import SETTINGS, SweepSpec

PENDING, DONE, FAILED = 0, 1, 2
ERROR_WIDTH = 400

#: Units of the parameters that can be axes.
PARAMETER_UNITS = {"field_on_tmd": "1", "v": "|t| x site", **{k: "1" for k in SETTINGS}, "tol": "1",
                   "topology_delta": "|t|", "field_angle": "degrees"}


def _zarr():
    import zarr

    return zarr


def template(spec: SweepSpec) -> xr.Dataset:
    """The empty result: every variable missing, every status pending."""
    dims = tuple(spec.axes)
    shape = spec.shape
    data_vars = {}
    for name, (units, description) in variables_for(spec.quantities).items():
        data_vars[name] = (dims, np.full(shape, np.nan), {"units": units, "long_name": description})
        if name == "transition_order":  # CF flags: the same name and meaning as the Hc2 datasets' strings
            data_vars[name][2].update(flag_values=[1.0, 2.0], flag_meanings="first second")
    data_vars["status"] = (dims, np.zeros(shape, dtype=np.int8),
                           {"long_name": "0 pending, 1 done, 2 failed (message in error)"})
    data_vars["error"] = (dims, np.full(shape, "", dtype=f"<U{ERROR_WIDTH}"),
                          {"long_name": "error message of a failed point ('' otherwise)"})
    coords = {name: (name, np.asarray(values), {"units": PARAMETER_UNITS.get(name, "|t|")})
              for name, values in spec.axes.items()}
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs.update({
        "isingsc_version": __version__, "energy_units": ENERGY_UNITS,
        "model": spec.model if spec.model != "file" else f"model file {spec.model_file}",
        "sweep_spec": spec.canonical(), "sweep_file": spec.source,
        "fixed_parameters": json.dumps(spec.fixed, sort_keys=True),
        "quantities": ", ".join(spec.quantities),
        "convergence": "mean-field numbers converged to tol by quadrature refinement (achieved_tol per "
                       "point); topology: nodes to 1e-12 1/a, windings certified integers",
    })
    return ds


class SweepStore:
    """Open sweep store: write finished points, list the missing ones."""

    def __init__(self, path: Path, spec: SweepSpec):
        self.path = Path(path)
        self.spec = spec
        self.group = _zarr().open_group(str(self.path), mode="r+")

    @classmethod
    def create(cls, path, spec: SweepSpec) -> "SweepStore":
        path = Path(path)
        ds = template(spec)
        encoding = {name: {"chunks": (1,) * len(spec.axes)} for name in ds.data_vars}
        ds.to_zarr(str(path), mode="w-", encoding=encoding, consolidated=True, zarr_format=2)
        return cls(path, spec)

    @classmethod
    def open(cls, path, spec: SweepSpec) -> "SweepStore":
        """Open an existing store for ``--resume``; it must come from the same sweep file content."""
        path = Path(path)
        try:
            group = _zarr().open_group(str(path), mode="r")
            stored = group.attrs["sweep_spec"]
        except Exception as exc:
            raise DataFileError(f"--out {path}: not a readable isingsc sweep store ({type(exc).__name__}: "
                                f"{exc}); choose a new --out folder") from None
        if stored != spec.canonical():
            raise IsingscError(f"--out {path} holds a different sweep (model, parameters, axes or quantities "
                               "changed); --resume needs the same sweep file, or choose a new --out folder")
        store = cls(path, spec)
        store.damaged = store.check()
        return store

    damaged: tuple = ()

    def check(self) -> tuple:
        """Read every chunk of the store; the points whose chunks cannot be read (a truncated or corrupt file)
        are reset to pending, so that they are recomputed, and returned as (index, file) pairs.  Readable
        points are not touched."""
        bad = []
        names = [n for n in self.group.array_keys()]
        shape = self.spec.shape
        for name in names:
            array = self.group[name]
            if array.shape != shape:
                continue
            try:
                array[...]  # the whole array at once; chunk by chunk only where that fails
                continue
            except Exception:
                pass
            for index in np.ndindex(*shape):
                try:
                    array[index]
                except Exception:
                    bad.append((index, f"{name}/{'.'.join(map(str, index))}"))
        for index in {i for i, _ in bad}:
            for name in names:
                if self.group[name].shape == shape and name not in ("status", "error"):
                    self.group[name][index] = np.nan
            self.group["error"][index] = ""
            self.group["status"][index] = PENDING
        return tuple(bad)

    def write(self, index: tuple, values: dict, error: str) -> None:
        """Store one point; ``status`` last (the commit mark of the point)."""
        arrays = self._arrays
        for name, value in values.items():
            if name in arrays:
                arrays[name][index] = value
        arrays["error"][index] = error[:ERROR_WIDTH]
        arrays["status"][index] = FAILED if error else DONE

    @cached_property
    def _arrays(self) -> dict:
        # the group's arrays opened once: opening one reads its metadata file (2 ms a point for a sweep's variables)
        return {name: self.group[name] for name in self.group.array_keys()}

    def status(self) -> np.ndarray:
        return np.asarray(self.group["status"][...])

    def pending(self) -> list[tuple]:
        """Indices of points not yet done (neither finished nor failed), in C order."""
        return [tuple(int(i) for i in idx) for idx in np.argwhere(self.status() == PENDING)]

    def dataset(self) -> xr.Dataset:
        """The store as an in-memory Dataset (read by Zarr directly: a Dask graph over its one-point chunks
        would cost more than the reading)."""
        with xr.open_zarr(str(self.path), consolidated=True, chunks=None) as ds:
            return ds.load()
