"""Parameter sweeps: a TOML description, Dask execution, a Zarr store that survives crashes.

* :mod:`~isingsc.sweep.spec`       -- the sweep file and its validation,
* :mod:`~isingsc.sweep.quantities` -- what one point computes (runs on a worker),
* :mod:`~isingsc.sweep.store`      -- the Zarr store, written point by point,
* :mod:`~isingsc.sweep.runner`     -- dask.distributed execution and resume,
* :mod:`~isingsc.sweep.plot`       -- maps of a finished 2-axis sweep.
"""

from .quantities import VARIABLES, compute_point, variables_for
from .runner import SweepReport, run_sweep
from .spec import QUANTITIES, SweepFileError, SweepSpec, load_sweep, parse_sweep
from .store import SweepStore

__all__ = ["QUANTITIES", "VARIABLES", "SweepFileError", "SweepReport", "SweepSpec", "SweepStore",
           "compute_point", "load_sweep", "parse_sweep", "run_sweep", "variables_for"]
