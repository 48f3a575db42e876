"""Anisotropic Ising superconductor: Td-MoTe2-like SOC from broken mirrors, two-fold Hc2(phi).

Review Sec. 2.2 and Fig. 4 (J. Cui et al., Nat. Commun. 10, 2044 (2019)): in few-layer
Td-MoTe2 both the in-plane mirror (x -> -x) and the out-of-plane mirror (z -> -z) are broken.
To linear order in k, the SOC g(k).sigma allowed by the remaining mirror y -> -y
(k_y -> -k_y, sigma_x -> -sigma_x, sigma_z -> -sigma_z) is spanned by k_y sigma_z, k_y sigma_x and
k_x sigma_y; the mirror x -> -x forbids k_y sigma_z (so breaking it gives the out-of-plane,
Ising-like SOC), the mirror z -> -z forbids the in-plane terms (so breaking it gives the in-plane
SOC), and without C3 the two in-plane coefficients differ.  On the triangular lattice, with
s(k) = sum_i sin(k.R_i) R^_i ~ (3/2) k (nearest-neighbour bonds):

    H(k) = (2 t C(k) - mu) sigma_0 + 2 beta_SO S(k) sigma_z                 (C3 Ising, optional)
           + lambda_z s_y(k) sigma_z                                       (broken M_x)
           + alpha_x s_y(k) sigma_x - alpha_y s_x(k) sigma_y              (broken M_z)

with on-site singlet pairing.  The *anisotropy* is (alpha_x - alpha_y, lambda_z): with
alpha_x = alpha_y and lambda_z = 0 the model is C3v-symmetric (Ising + Rashba) and Hc2(phi) has
period 60 degrees (C3 with V -> -V); with alpha_x = alpha_y = lambda_z = 0 it is a pure Ising
superconductor and Hc2 does not depend on phi at all.  With the anisotropy on, only the mirror and
V -> -V remain: Hc2(phi) = Hc2(phi + pi) = Hc2(-phi), a two-fold pattern.  A field component
parallel to the local SOC vector g(k) is pair breaking (Pauli-like), a perpendicular one is not;
with alpha_x > alpha_y the field along x is the more pair-breaking one, so Hc2 is largest along y
(the review's Fig. 4f, g: different phase diagrams for x and y fields).

The default Fermi surface is a Gamma pocket (t = -1, mu = -4.5, k_F ~ 1/a), where the three SOC
terms are linear in k.  Only uniform (q = 0) pairing is considered.  Energies in |t|.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from isingsc.core.errors import check_finite, check_range
from isingsc.models.base import SIGMA0, TightBindingModel
from isingsc.models.families import terms


@dataclass(frozen=True)
class AnisotropicParams:
    """Td-MoTe2-like single band (units of |t|); see the module docstring for the terms."""

    t: float = -1.0
    mu: float = -4.5
    beta_so: float = 0.0
    lambda_z: float = 0.2
    alpha_x: float = 0.1
    alpha_y: float = 0.02

    def __post_init__(self):
        object.__setattr__(self, "t", check_range("t", self.t, nonzero=True))
        for name in ("mu", "beta_so", "lambda_z", "alpha_x", "alpha_y"):
            object.__setattr__(self, name, check_finite(name, getattr(self, name)))

    @property
    def anisotropic(self) -> bool:
        """True if the terms break C3 (alpha_x != alpha_y or lambda_z != 0)."""
        return self.alpha_x != self.alpha_y or self.lambda_z != 0.0

    def isotropic(self) -> "AnisotropicParams":
        """The same model with the anisotropy off: alpha_x = alpha_y = their mean, lambda_z = 0."""
        a = 0.5 * (self.alpha_x + self.alpha_y)
        return replace(self, alpha_x=a, alpha_y=a, lambda_z=0.0)

    def with_(self, **changes) -> "AnisotropicParams":
        return replace(self, **changes)

    def as_attrs(self) -> dict:
        return asdict(self)


#: Td-MoTe2-like default (two-fold).
MOTE2 = AnisotropicParams()


def anisotropic_hoppings(params: AnisotropicParams) -> dict:
    hop: dict = {}
    terms.onsite(hop, -params.mu * SIGMA0)
    terms.shell_hopping(hop, 1, 0, params.t)
    if params.beta_so:
        terms.ising_soc(hop, 1, 0, params.beta_so)
    if params.lambda_z:
        terms.line_ising_soc(hop, 1, (0,), params.lambda_z)
    if params.alpha_x or params.alpha_y:
        terms.inplane_soc(hop, 1, (0,), params.alpha_x, params.alpha_y)
    return terms.clean(hop)


def anisotropic_model(params: AnisotropicParams = MOTE2, name: str = "anisotropic") -> TightBindingModel:
    """Single-orbital anisotropic Ising model: orbital ("mote2",), pairing on it."""
    return TightBindingModel(name=name, orbitals=("mote2",), hoppings=anisotropic_hoppings(params),
                             pairing_orbitals=("mote2",), parameters=params.as_attrs())
