"""Mean-field thermodynamics: the pairing problem (:mod:`.pairing`), gap solutions and transitions
(:mod:`.transitions`), the quadrature chooser (:mod:`.quadrature`) and the pipeline object
:class:`MeanField` (:mod:`.solver`) that returns every observable as an xarray Dataset."""

from isingsc.meanfield.pairing import PairingProblem, coupling_for_gap
from isingsc.meanfield.quadrature import quadrature_for
from isingsc.meanfield.solver import (DEFAULT_TOL, Hc2Points, MeanField, Reference, angular_harmonics, converge, default_spec,
                                      tricritical_point)
from isingsc.meanfield.transitions import (CriticalField, GapSolution, critical_field, critical_temperature,
                                           first_order_field, instability_field, solve_gap)

__all__ = ["CriticalField", "DEFAULT_TOL", "angular_harmonics", "GapSolution", "Hc2Points", "MeanField", "PairingProblem", "Reference", "converge",
           "coupling_for_gap", "critical_field", "critical_temperature", "default_spec", "first_order_field",
           "instability_field", "quadrature_for", "solve_gap", "tricritical_point"]
