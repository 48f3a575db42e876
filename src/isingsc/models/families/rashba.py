"""Zeeman-type (Ising) SOC plus Rashba SOC: the PdTe2-film family (review Fig. 7c).

Review Sec. 3.2: in ultrathin PdTe2 films the protecting Zeeman-type SOC comes from the
p_x +- i p_y bands near Gamma (spin-orbital locking beta_SO tau_z), while the substrate
(SrTiO3) breaks inversion and adds an effective Rashba SOC; the measured Hc2/HP(T) was
fitted with a fixed Zeeman-type SOC and an increasing Rashba SOC (Fig. 7c), the Rashba term
lowering the enhancement.  Model: the type-II doublet of :mod:`isingsc.models.families.type_ii`
plus an orbital-independent Rashba term

    H_R(k) = alpha_R tau_0 (s(k) x z).sigma = alpha_R tau_0 [s_y(k) sigma_x - s_x(k) sigma_y],
    s(k) = sum_i sin(k.R_i) R^_i  ~ (3/2) k near Gamma,

(nearest-neighbour bonds T_Ri = -(i/2) alpha_R (R^_iy sigma_x - R^_ix sigma_y)).  beta tau_y sigma_z
anticommutes with H_R, so (t_orb = delta_orb = 0) the bands are
eps(k) +- sqrt(beta_SO^2 + alpha_R^2 |s(k)|^2): the spins tilt from z into the plane by
tan theta = alpha_R |s(k_F)| / beta_SO, and the in-plane field gains a Pauli-like component.

* alpha_R = 0: the type-II model with zero orbital splitting, i.e. the clean Ising formula
  with beta = beta_SO (see :mod:`isingsc.models.families.type_ii`).
* alpha_R > 0: Hc2/HP decreases monotonically with alpha_R at every T < Tc (Fig. 7c).

Symmetry: C3v with the in-plane field rotated together with k; Hc2(phi) has period 60 degrees
(C3 and V -> -V), not the full rotation invariance of the pure Ising case.  The Nambu spectrum
is not D6-symmetric in k alone, so Hc2 is computed on half of the Brillouin zone.
Only uniform (q = 0) pairing is considered: helical (finite-q) phases that a Rashba term
can favour at high field are outside this mean-field model.  Energies in |t|.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from isingsc.core.errors import check_finite
from isingsc.models.base import TightBindingModel
from isingsc.models.families import terms
from isingsc.models.families.type_ii import TypeIIParams, type_ii_hoppings


@dataclass(frozen=True)
class RashbaParams:
    """Type-II Zeeman-type SOC (``base``) plus Rashba alpha_R (|t|)."""

    base: TypeIIParams = TypeIIParams()
    alpha_r: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "alpha_r", check_finite("alpha_r", self.alpha_r))

    def with_(self, **changes) -> "RashbaParams":
        base_changes = {k: v for k, v in changes.items() if k in TypeIIParams.__dataclass_fields__}
        own = {k: v for k, v in changes.items() if k not in base_changes}
        return replace(self, base=self.base.with_(**base_changes), **own)

    def as_attrs(self) -> dict:
        return {**self.base.as_attrs(), "alpha_r": self.alpha_r}


#: PdTe2-like default: the type-II pocket (beta_SO = 0.2 |t|) with alpha_R = 0.1 |t|.
PDTE2 = RashbaParams()

#: The Rashba strengths of the family of curves in docs/families.md (review Fig. 7c analogue).
FAMILY_ALPHAS = (0.0, 0.05, 0.1, 0.2, 0.4)


def rashba_model(params: RashbaParams = PDTE2, name: str = "rashba") -> TightBindingModel:
    """Type-II doublet + Rashba: orbitals ("px", "py"), pairing on both."""
    hop = type_ii_hoppings(params.base)
    if params.alpha_r:
        terms.inplane_soc(hop, 2, (0, 1), params.alpha_r, params.alpha_r)
    return TightBindingModel(name=name, orbitals=("px", "py"), hoppings=terms.clean(hop),
                             pairing_orbitals=("px", "py"), parameters=params.as_attrs())


def spin_tilt(params: RashbaParams, k) -> np.ndarray:
    """tan(theta) = alpha_R |s(k)| / beta_SO: tilt of the locked spins into the plane at k."""
    s = terms.structure_vector(k)
    return abs(params.alpha_r) * np.linalg.norm(s, axis=-1) / abs(params.base.beta_so)
