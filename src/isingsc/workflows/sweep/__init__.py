"""Parameter sweeps: a TOML description, Dask execution, a Zarr store that survives crashes.

* :mod:`~isingsc.workflows.sweep.spec`       -- the sweep file and its validation,
* :mod:`~isingsc.workflows.sweep.quantities` -- what one point computes (runs on a worker),
* :mod:`~isingsc.workflows.sweep.store`      -- the Zarr store, written point by point,
* :mod:`~isingsc.workflows.sweep.runner`     -- dask.distributed execution and resume,
* :mod:`~isingsc.plotting.sweep`       -- maps of a finished 2-axis sweep.
"""

from isingsc.workflows.sweep.quantities import VARIABLES, compute_point, variables_for
from isingsc.workflows.sweep.runner import SweepReport, run_sweep
from isingsc.workflows.sweep.spec import QUANTITIES, SweepFileError, SweepSpec, load_sweep, parse_sweep

__all__ = ["QUANTITIES", "VARIABLES", "SweepFileError", "SweepReport", "SweepSpec", "SweepStore",
           "compute_point", "load_sweep", "parse_sweep", "run_sweep", "variables_for"]


def __getattr__(name):
    # the store (xarray, Zarr: 0.3 s) is imported on first use, so that a sweep starts its workers first
    if name == "SweepStore":
        from isingsc.workflows.sweep.store import SweepStore

        return SweepStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
