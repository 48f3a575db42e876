"""Units, physical constants and the Zeeman convention — in one place.

Conventions used throughout the package
---------------------------------------
* Lattice models are dimensionless: energies in units of the hopping |t|,
  lengths in units of the lattice constant a, k_B = 1 (so temperatures are
  energies), hbar = 1.
* Lab units: kelvin (K), tesla (T), milli-electronvolt (meV).
* **Zeeman convention** (one for the whole package): an in-plane field B adds
  ``V . sigma`` to the normal-state Hamiltonian with

      V = (g / 2) * mu_B * B          (g = 2 by default, so V = mu_B B).

  The paper (Eq. 1 text) writes ``V_x = 2 mu_B H_x``; with that factor the
  Pauli limit would not be the Chandrasekhar-Clogston ``mu_B H_P = Delta0/sqrt2``
  that the paper itself uses for normalisation, so we keep the standard
  ``V = mu_B B`` (g = 2) and document the departure.
* The Pauli (Chandrasekhar-Clogston) field: ``V_P = Delta0 / sqrt(2)``.

Constants come from ``scipy.constants`` (CODATA), not typed-in numbers.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.constants as _sc

#: Bohr magneton in meV/T (CODATA via scipy).
MU_B_MEV_PER_T: float = _sc.physical_constants["Bohr magneton in eV/T"][0] * 1e3
#: Boltzmann constant in meV/K.
K_B_MEV_PER_K: float = _sc.physical_constants["Boltzmann constant in eV/K"][0] * 1e3
#: Magnetic flux quantum h/2e in Wb (T m^2).
PHI0_WB: float = _sc.physical_constants["mag. flux quantum"][0]
#: Euler-Mascheroni constant.
EULER_GAMMA: float = float(np.euler_gamma)
#: Weak-coupling BCS ratio Delta0 / (k_B Tc) = pi exp(-gamma_E) = 1.76388...
BCS_GAP_RATIO: float = math.pi * math.exp(-EULER_GAMMA)
#: Default electron g-factor.
G_FACTOR_DEFAULT: float = 2.0


def zeeman_energy_mev(field_tesla, g: float = G_FACTOR_DEFAULT):
    """Zeeman energy V = (g/2) mu_B B in meV for a field B in tesla."""
    return 0.5 * g * MU_B_MEV_PER_T * np.asarray(field_tesla, dtype=float)


def field_tesla_from_zeeman(energy_mev, g: float = G_FACTOR_DEFAULT):
    """Inverse of :func:`zeeman_energy_mev`: B = V / ((g/2) mu_B), tesla."""
    return np.asarray(energy_mev, dtype=float) / (0.5 * g * MU_B_MEV_PER_T)


def kelvin_to_mev(temperature_k):
    """k_B T in meV for T in kelvin."""
    return K_B_MEV_PER_K * np.asarray(temperature_k, dtype=float)


def mev_to_kelvin(energy_mev):
    """Temperature in kelvin whose k_B T equals ``energy_mev``."""
    return np.asarray(energy_mev, dtype=float) / K_B_MEV_PER_K


def pauli_zeeman_energy(delta0):
    """Chandrasekhar-Clogston Zeeman energy V_P = Delta0 / sqrt(2) (same units as Delta0)."""
    return np.asarray(delta0, dtype=float) / math.sqrt(2.0)
