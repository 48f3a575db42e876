"""Lightly hole-doped TMD monolayers (MoS2 to WSe2): spin-valley-locked "spinless" pockets at K and K'.

Review Sec. 5 and its Fig. 9 (Y.-T. Hsu, A. Vaezi, M. H. Fischer, E.-A. Kim, Nat. Commun. 8, 14985 (2017)):
the top valence band of a TMD monolayer is spin split at +-K by the Ising SOC (2 lambda_SO ~ 0.15 eV in MoS2,
~ 0.46 eV in WSe2); with the Fermi level inside the upper spin band only one spin species is left per
valley, up at K and down at K' (or the reverse).  Model: one spinful orbital on the triangular lattice,

    H(k) = (2 t C(k) - mu) sigma_0 + 2 beta_SO S(k) sigma_z,        t < 0: band top at +-K,

the Ising layer of paper Eq. 1 with its hopping reversed.  At +-K the band top is -3 t - mu and the spin
splitting 6 sqrt3 beta_SO (:func:`spin_splitting`); near K, E = -3 t - mu + 3 t q^2 / 4 (|t| a^2 = 2 hbar^2 /
(3 m* a^2) x 2: |t| ~ 1 eV for m* ~ 0.5 m_e, a = 3.2 A, so the splitting is 0.15 |t| (MoS2) to 0.45 |t| (WSe2)).
The hole pockets are spin polarised when the depth of the Fermi level below the upper band's top is less
than the splitting (:func:`hole_doped_parameters`).

The pairing is on-site s by default (every solver works); channels on bonds and pair momentum 2K:
:func:`isingsc.models.channels.with_pairing`, the Chern and channel solvers (docs/hole_doped_tmd.md).
Energies in |t|.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from isingsc.core.errors import check_finite, check_range
from isingsc.models.base import TightBindingModel
from isingsc.models.paper import ising_layer

SQRT3 = np.sqrt(3.0)


@dataclass(frozen=True)
class HoleDopedParams:
    """Hopping t (< 0: band top at +-K), chemical potential mu and Ising SOC beta_SO (|t|).

    Defaults (WSe2-like): spin splitting 6 sqrt3 beta_SO = 0.45 |t| at +-K, the Fermi level 0.15 |t| below
    the upper spin band's top (spin-polarised pockets of radius ~ 0.45 / a)."""

    t: float = -1.0
    mu: float = 3.075
    beta_so: float = 0.45 / (6 * SQRT3)

    def __post_init__(self):
        object.__setattr__(self, "t", check_range("t", self.t, hi=0.0, hi_open=True))
        object.__setattr__(self, "mu", check_finite("mu", self.mu))
        object.__setattr__(self, "beta_so", check_finite("beta_so", self.beta_so))

    def with_(self, **changes) -> "HoleDopedParams":
        return replace(self, **changes)

    def as_attrs(self) -> dict:
        return asdict(self)

    @property
    def spin_splitting(self) -> float:
        """E_up - E_down at K: 6 sqrt3 |beta_SO| (|t|)."""
        return 6 * SQRT3 * abs(self.beta_so)

    @property
    def hole_depth(self) -> float:
        """Depth of the Fermi level below the upper spin band's top at K (|t|; > 0: hole pockets)."""
        return -3 * self.t - self.mu + 0.5 * self.spin_splitting


#: WSe2-like: splitting 0.45 |t|, Fermi level 0.15 |t| below the upper band's top (the catalogue default).
WSE2_HOLE = HoleDopedParams()


def hole_doped_parameters(depth: float, splitting: float, t: float = -1.0) -> HoleDopedParams:
    """Parameters with the Fermi level ``depth`` below the upper spin band's top and total spin splitting
    ``splitting`` at K (|t|): spin-polarised pockets for 0 < depth < splitting."""
    depth = check_range("depth", depth, lo=0.0, lo_open=True, hi=9.0)
    splitting = check_range("splitting", splitting, lo=0.0, hi=3.0)
    return HoleDopedParams(t=t, mu=-3 * t + 0.5 * splitting - depth, beta_so=splitting / (6 * SQRT3))


#: MoS2-like: splitting 0.15 |t|, Fermi level 0.05 |t| below the upper band's top.
MOS2_HOLE = hole_doped_parameters(0.05, 0.15)


def hole_doped_model(params: HoleDopedParams = WSE2_HOLE, name: str = "hole-tmd") -> TightBindingModel:
    """The hole-doped TMD valence band: the Ising layer of paper Eq. 1 (:func:`~isingsc.models.paper.ising_layer`,
    one spinful orbital named after the model) with t < 0 and on-site s pairing."""
    return ising_layer(name, params.t, params.mu, params.beta_so, pairing=True, parameters=params.as_attrs())
