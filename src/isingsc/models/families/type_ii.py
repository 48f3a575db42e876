"""Type-II Ising superconductor: spin-orbital locking in a p_x +- i p_y doublet near Gamma.

Review Sec. 3 (Fig. 6d, e) and C. Wang et al., PRL 123, 126402 (2019).  A centrosymmetric
triangular lattice (site inversion; every hopping is even in R) with two orbitals
(p_x, p_y) per site, each spinful (normal-state dimension 4, Nambu 8):

    H(k) = (2 t C(k) - mu) tau_0 sigma_0                                 kinetic, degenerate at Gamma
           + 2 t_orb sum_i cos(k.R_i) (cos 2theta_i tau_z + sin 2theta_i tau_x) sigma_0   orbital texture
           + delta_orb tau_z sigma_0                                     on-site orbital splitting (breaks C3)
           + beta_SO tau_y sigma_z                                       atomic SOC beta L_z sigma_z

with tau the Pauli matrices on (p_x, p_y), theta_i the bond angles (0, 120, 240 degrees).
In the p_+- = (p_x +- i p_y)/sqrt2 basis tau_y is the review's tau_z: the SOC is the
"effective Zeeman field beta_SO tau_z" of opposite sign on the two orbitals, along z.
Every band is doubly degenerate (inversion x time reversal).  Pairing: on-site s-wave
singlet, intra-orbital, Delta (-i sigma_y) on p_x and on p_y (i.e. p_+ up with p_- down).

**Zero orbital splitting** (t_orb = delta_orb = 0): the Nambu matrix splits into two
4 x 4 blocks {p_+ up, p_+ dn, hole p_- up, hole p_- dn} and its time-reversed partner, each
identical to the Nambu block of an Ising superconductor whose Ising field is the constant
beta_SO on the whole Fermi surface (partners p_+ up and p_- dn both shifted by +beta_SO).
The in-plane Hc2 then follows the clean Ising formula
ln(T/Tc) + [V^2/(beta^2 + V^2)] * [Re psi(1/2 + i sqrt(beta^2 + V^2)/(2 pi T)) - psi(1/2)] = 0
(Lu et al., Science 350, 1353 (2015); isingsc.experiment.ising.clean_ising_field_reduced) in the
weak-coupling limit, with beta = beta_SO exactly (no k dependence): Hc2/HP >> 1 for beta_SO >> Tc.

**Orbital splitting** competes with the locking: with g(k) the orbital term the bands are
eps(k) +- sqrt(beta_SO^2 + |g|^2) and the part g/sqrt(beta^2 + g^2) of the field acts like a Pauli
field inside each degenerate pair, so the enhancement drops and Hc2(T -> 0) saturates (first-order
transition at low T) instead of growing like the Ising curve.  The stanene-like preset
(:data:`STANENE`, Hc2 ~ 2 HP with a low-T upturn) is instead a weak locking beta_SO ~ 1.8 Tc.

The spin enters only through sigma_z (SOC) and the field: rotating the spin about z is a
symmetry, so Hc2 does not depend on the in-plane field angle.  Energies in |t|.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from isingsc.core.errors import check_finite, check_range
from isingsc.models.base import TightBindingModel
from isingsc.models.families import terms


@dataclass(frozen=True)
class TypeIIParams:
    """Parameters of the type-II Ising model (units of |t|).

    t : mean p-p hopping (t_sigma + t_pi)/2; t_orb : (t_sigma - t_pi)/2, the orbital texture
    (splitting ~ (3/4) |t_orb| k^2 near Gamma); delta_orb : on-site p_x/p_y splitting (breaks C3);
    mu : chemical potential (default: a Gamma pocket 1.5 |t| deep, k_F ~ 1/a);
    beta_so : spin-orbital locking beta_SO tau_z sigma_z (p_+- basis).
    """

    t: float = -1.0
    t_orb: float = 0.0
    delta_orb: float = 0.0
    mu: float = -4.5
    beta_so: float = 0.2

    def __post_init__(self):
        object.__setattr__(self, "t", check_range("t", self.t, nonzero=True))
        for name in ("t_orb", "delta_orb", "mu", "beta_so"):
            object.__setattr__(self, name, check_finite(name, getattr(self, name)))

    def with_(self, **changes) -> "TypeIIParams":
        return replace(self, **changes)

    def as_attrs(self) -> dict:
        return asdict(self)


#: Default: zero orbital splitting, beta_SO = 0.2 |t|, Gamma pocket of depth 1.5 |t|.
TYPE_II = TypeIIParams()

#: Stanene-like: the same pocket with a weak locking beta_SO = 0.03 |t| (= Delta0 at the default
#: Delta0 = 0.03 |t|, i.e. beta_SO ~ 1.76 Tc) and no orbital splitting: Hc2(0.1 Tc) ~ 2 HP and still
#: rising as T -> 0 (review Fig. 7b: few-layer stanene exceeds the Pauli limit by a factor ~2, with an
#: upturn at low T).  (A strong locking beta_SO = 0.2 |t| with an orbital texture t_orb ~ 0.14 |t| also
#: gives ~2 HP, but saturating and first order at low T: docs/families.md.)
STANENE = TypeIIParams(beta_so=0.03)


def type_ii_hoppings(params: TypeIIParams, n_orbitals: int = 2, px: int = 0, py: int = 1) -> dict:
    """Hopping dictionary of the type-II doublet on orbitals (px, py) of an n-orbital model."""
    hop: dict = {}
    terms.onsite(hop, np.zeros((2 * n_orbitals,) * 2))
    for o in (px, py):
        terms.onsite(hop, terms.orbital_block(n_orbitals, o, o, -params.mu * terms.SIGMA0))
    terms.p_orbital_hopping(hop, n_orbitals, px, py, params.t, params.t_orb)
    if params.delta_orb:
        terms.orbital_splitting_p(hop, n_orbitals, px, py, params.delta_orb)
    terms.atomic_soc_p(hop, n_orbitals, px, py, params.beta_so)
    return hop


def type_ii_model(params: TypeIIParams = TYPE_II, name: str = "type-ii") -> TightBindingModel:
    """Type-II Ising superconductor: orbitals ("px", "py"), pairing on both, Zeeman on both."""
    return TightBindingModel(name=name, orbitals=("px", "py"), hoppings=terms.clean(type_ii_hoppings(params)),
                             pairing_orbitals=("px", "py"), parameters=params.as_attrs())


def stanene_model(params: TypeIIParams = STANENE) -> TightBindingModel:
    """The stanene-like parameter set (:data:`STANENE`)."""
    return type_ii_model(params, name="type-ii-stanene")


def locking_field(params: TypeIIParams, k) -> np.ndarray:
    """Spin-orbit gap sqrt(beta_SO^2 + |g(k)|^2) of each doubly degenerate pair (|t|), shape (...).

    The normal-state bands are 2tC - mu +- this (exact: beta tau_y sigma_z anticommutes with the
    orbital terms, which are real combinations of tau_z, tau_x).
    """
    k = np.asarray(k, dtype=float)
    gz = params.delta_orb + 0 * k[..., 0]
    gx = 0 * k[..., 0]
    for off in terms.SHELLS[1]:
        d = terms.unit_vector(off)
        c = np.cos(k @ terms.bond_vector(off))
        gz = gz + 2 * params.t_orb * c * (d[0] ** 2 - d[1] ** 2)
        gx = gx + 2 * params.t_orb * c * (2 * d[0] * d[1])
    return np.sqrt(params.beta_so**2 + gz**2 + gx**2)
