"""Families of Ising superconductors beyond the paper's heterostructure (review Secs. 2-3).

Each family is a builder of a :class:`~isingsc.models.base.TightBindingModel` (data), so bands,
Green's functions, the mean-field solvers and ribbons work on it; docs/families.md gives the
equations, parameters, figures and sources.

* :mod:`.type_ii` -- type-II Ising: p_x +- i p_y doublet near Gamma with spin-orbital locking
  beta_SO tau_z sigma_z on a centrosymmetric triangular lattice (stanene-like preset).
* :mod:`.rashba` -- Zeeman-type SOC plus Rashba SOC (PdTe2 films, review Fig. 7c).
* :mod:`.anisotropic` -- Td-MoTe2-like anisotropic SOC from broken mirrors: two-fold Hc2(phi).
* :mod:`.multipocket` -- NbSe2/TaS2-like Gamma + K pockets, and the K-pocket-only WS2-like variant.
* :mod:`.hole_tmd` -- lightly hole-doped TMD monolayers: spin-valley-locked pockets at +-K (review Sec. 5).
* :mod:`.terms` -- the hopping and SOC building blocks (shared with :mod:`isingsc.models.modelfile`).

Each is also a catalogue entry (:mod:`isingsc.models.catalogue`); Hc2(T) and Hc2(phi) of any of them:
:class:`isingsc.meanfield.MeanField`.

Energies in units of |t| (k_B = 1); Zeeman energy V = mu_B B (docs/conventions.md).
"""

from isingsc.models.families.anisotropic import MOTE2, AnisotropicParams, anisotropic_model
from isingsc.models.families.hole_tmd import (MOS2_HOLE, WSE2_HOLE, HoleDopedParams, hole_doped_model,
                                              hole_doped_parameters)
from isingsc.models.families.multipocket import NBSE2, MultiPocketParams, k_only_model, k_pocket_ising_field, multipocket_model
from isingsc.models.families.rashba import FAMILY_ALPHAS, PDTE2, RashbaParams, rashba_model
from isingsc.models.families.type_ii import STANENE, TYPE_II, TypeIIParams, stanene_model, type_ii_model

__all__ = [
    "AnisotropicParams", "MOTE2", "anisotropic_model",
    "MultiPocketParams", "NBSE2", "k_only_model", "k_pocket_ising_field", "multipocket_model",
    "RashbaParams", "PDTE2", "FAMILY_ALPHAS", "rashba_model",
    "HoleDopedParams", "WSE2_HOLE", "MOS2_HOLE", "hole_doped_model", "hole_doped_parameters",
    "TypeIIParams", "TYPE_II", "STANENE", "type_ii_model", "stanene_model",
]
