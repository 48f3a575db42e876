"""Experimentalist toolkit: Pauli limit, Ising Hc2 formulas and fits, 2D Ginzburg-Landau,
McMillan / Allen-Dynes, the materials of the review, and the link to the lattice models.

Independent of the lattice solvers.  Lab units throughout: kelvin, tesla, meV
(Zeeman energy (g/2) mu_B B, g = 2 by default; constants from :mod:`isingsc.core.units`).
The Ising SOC ``beta_so`` is the Ising field, half the spin splitting 2 beta_so
(see :mod:`isingsc.experiment.ising` for conversions).

Modules: :mod:`.pauli`, :mod:`.ising`, :mod:`.whh`, :mod:`.ginzburg_landau`,
:mod:`.eliashberg`, :mod:`.data_io`, :mod:`.fitting`, :mod:`.materials`,
:mod:`.lattice_link`, :mod:`.plotting`.
"""

from isingsc.experiment.data_io import Hc2Data, hc2_data, read_hc2_csv
from isingsc.experiment.eliashberg import allen_dynes_factors, allen_dynes_tc, mcmillan_tc, omega_log_from_tc
from isingsc.experiment.fitting import MODELS, FitParameter, FitResult, fit_hc2, get_model
from isingsc.experiment.ginzburg_landau import (anisotropic_gl_hc2_angle, coherence_length_nm, gl_hc2_parallel,
                              gl_hc2_perpendicular, thickness_nm, tinkham_hc2_angle)
from isingsc.experiment.ising import (beta_from_splitting, clean_ising_field_reduced, gamma_from_tau, gamma_so_from_tau_so,
                    ising_hc2, ising_hc2_curve, ising_scattering_hc2, klb_hc2, pair_kernel_reduced,
                    scattering_field_reduced, splitting_from_beta, tau_so_from_gamma_so)
from isingsc.experiment.lattice_link import LatticeScale, fermi_surface_ising_factor, hc2_dataset_to_lab, material_to_lattice
from isingsc.experiment.materials import consistency_check, load_materials, materials_dataset, parse_quantity, table_rows
from isingsc.experiment.pauli import (bcs_gap_mev, first_order_field_reduced, pauli_field, pauli_limited_curve, pauli_limited_hc2,
                    pauli_slope, second_order_field_reduced, tc_from_pauli_field, tricritical_point)
from isingsc.experiment.whh import whh_hc2

__all__ = [
    "Hc2Data", "hc2_data", "read_hc2_csv",
    "allen_dynes_factors", "allen_dynes_tc", "mcmillan_tc", "omega_log_from_tc",
    "MODELS", "FitParameter", "FitResult", "fit_hc2", "get_model",
    "anisotropic_gl_hc2_angle", "coherence_length_nm", "gl_hc2_parallel", "gl_hc2_perpendicular", "thickness_nm",
    "tinkham_hc2_angle",
    "beta_from_splitting", "clean_ising_field_reduced", "gamma_from_tau", "gamma_so_from_tau_so", "ising_hc2",
    "ising_hc2_curve", "ising_scattering_hc2", "klb_hc2", "pair_kernel_reduced", "scattering_field_reduced",
    "splitting_from_beta", "tau_so_from_gamma_so",
    "LatticeScale", "fermi_surface_ising_factor", "hc2_dataset_to_lab", "material_to_lattice",
    "consistency_check", "load_materials", "materials_dataset", "parse_quantity", "table_rows",
    "bcs_gap_mev", "first_order_field_reduced", "pauli_field", "pauli_limited_curve", "pauli_limited_hc2",
    "pauli_slope", "second_order_field_reduced", "tc_from_pauli_field", "tricritical_point",
    "whh_hc2",
]
