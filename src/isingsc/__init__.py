"""isingsc: two-dimensional Ising superconductivity.

Lattice models of transition-metal-dichalcogenide (TMD) / s-wave superconductor heterostructures and
intrinsic Ising superconductors, their bands, Green's functions, mean-field thermodynamics and
topology, plus the formulas and fits experimentalists use.  Energies of lattice models are in units of
the hopping |t| (dimensionless, k_B = 1); lab-unit helpers live in :mod:`isingsc.core.units`.

The names a physicist types::

    import isingsc
    m = isingsc.model("intrinsic", mu=2.7, beta_so=0.01)      # the catalogue (isingsc.models.catalogue)
    isingsc.models_available()                                # its names
    mf = isingsc.MeanField(m)                                 # Tc, gap, Hc2(T), Hc2(phi), Delta maps
    ds = mf.hc2(n_points=20); ds.sel(T=0.005, method="nearest")
    f = isingsc.Field.in_plane(0.02, angle=0.5)               # one Zeeman field value, radians
    isingsc.winding_number(m.model, 0.05, f, ky)              # topology; also find_nodes, Ribbon, SemiInfiniteEdge
    isingsc.BulkSpectroscopy(m).spectrum(T)                   # tunnelling spectra
    with isingsc.config.using(backend="cpu", threads=1): ...  # run-time settings
    isingsc.reproduce("results")                              # the paper's figures + report.html

Heavy modules are imported on first use of their names.
"""

from isingsc.core import config
from isingsc.core.errors import (ConvergenceError, DataFileError, IsingscError, ModelCapabilityError,
                                 ParameterError)
from isingsc.core.field import ZERO_FIELD, Field, as_field
from isingsc.core.version import __version__

#: Public names imported lazily: name -> (module, attribute).
_LAZY = {
    "model": ("isingsc.models.catalogue", "resolve"),
    "ResolvedModel": ("isingsc.models.catalogue", "ResolvedModel"),
    "TightBindingModel": ("isingsc.models.base", "TightBindingModel"),
    "NambuModel": ("isingsc.models.base", "NambuModel"),
    "HeterostructureParams": ("isingsc.models.paper", "HeterostructureParams"),
    "IsingParams": ("isingsc.models.paper", "IsingParams"),
    "PAPER": ("isingsc.models.paper", "PAPER"),
    "load_model_file": ("isingsc.models.modelfile", "load_model_file"),
    "MeanField": ("isingsc.meanfield.solver", "MeanField"),
    "QuadratureSpec": ("isingsc.lattice.quadrature", "QuadratureSpec"),
    "band_structure": ("isingsc.normal.bands", "band_structure"),
    "fermi_contours": ("isingsc.normal.bands", "fermi_contours"),
    "spectral_map": ("isingsc.normal.greens", "spectral_map"),
    "density_of_states": ("isingsc.normal.greens", "dos_dataset"),
    "winding_number": ("isingsc.topology.bulk", "winding_number"),
    "find_nodes": ("isingsc.topology.bulk", "find_nodes"),
    "winding_intervals": ("isingsc.topology.bulk", "winding_intervals"),
    "Ribbon": ("isingsc.topology.ribbon", "Ribbon"),
    "SemiInfiniteEdge": ("isingsc.topology.edge", "SemiInfiniteEdge"),
    "BulkSpectroscopy": ("isingsc.spectroscopy.bulk", "BulkSpectroscopy"),
    "EdgeSpectroscopy": ("isingsc.spectroscopy.edge", "EdgeSpectroscopy"),
    "HostGreensFunction": ("isingsc.correlations.host", "HostGreensFunction"),
    "LineGreensFunction": ("isingsc.correlations.line", "LineGreensFunction"),
    "PairingCorrelations": ("isingsc.correlations.amplitudes", "PairingCorrelations"),
    "HalfMetalWire": ("isingsc.correlations.wire", "HalfMetalWire"),
    "MagneticImpurity": ("isingsc.impurities.single", "MagneticImpurity"),
    "MagneticChain": ("isingsc.impurities.chain", "MagneticChain"),
    "Junction": ("isingsc.junctions.vertical", "Junction"),
    "Barrier": ("isingsc.junctions.vertical", "Barrier"),
    "DomainJunction": ("isingsc.junctions.squid", "DomainJunction"),
    "Squid": ("isingsc.junctions.squid", "Squid"),
    "MagneticTunnelJunction": ("isingsc.junctions.tmr", "MagneticTunnelJunction"),
    "LateralJunction": ("isingsc.junctions.greens", "LateralJunction"),
    "reproduce": ("isingsc.plotting.figures", "reproduce"),
    "save": ("isingsc.core.results", "save"),
    "load": ("isingsc.core.results", "load"),
}


def models_available() -> list[str]:
    """Names of the catalogue's built-in models (``isingsc models`` describes them)."""
    from isingsc.models.catalogue import names

    return names()


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'isingsc' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


__all__ = ["ConvergenceError", "DataFileError", "Field", "IsingscError", "ModelCapabilityError", "ParameterError",
           "ZERO_FIELD", "__version__", "as_field", "config", "models_available", *_LAZY]
