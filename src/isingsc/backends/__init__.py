"""Compute backends of the hot path: compiled CPU kernels (:mod:`.cpu`), numba.cuda (:mod:`.gpu`),
and the seam that chooses between them (:mod:`.dispatch`, driven by :mod:`isingsc.core.config`)."""

from isingsc.backends.cpu import BLOCK_SIZE, pair_curvature, thermal_difference, thermal_sum
from isingsc.backends.dispatch import (LinearNambu, active_backend, determinants, eigvalsh,
                                       orbital_spectral_function, select_backend)

__all__ = ["BLOCK_SIZE", "LinearNambu", "active_backend", "determinants", "eigvalsh", "orbital_spectral_function",
           "pair_curvature", "select_backend", "thermal_difference", "thermal_sum"]
