"""isingsc: two-dimensional Ising superconductivity.

Lattice models of transition-metal-dichalcogenide (TMD) / s-wave superconductor
heterostructures and intrinsic Ising superconductors, their bands, Green's
functions, mean-field thermodynamics and topology, plus the formulas and fits
experimentalists use.  Energies of lattice models are in units of the hopping
|t| (dimensionless, k_B = 1); lab-unit helpers live in :mod:`isingsc.core.units`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("isingsc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

from isingsc.core.errors import ConvergenceError, DataFileError, IsingscError, ParameterError

__all__ = ["ConvergenceError", "DataFileError", "IsingscError", "ParameterError", "__version__"]
