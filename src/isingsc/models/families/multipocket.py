"""Multi-pocket Ising monolayers: NbSe2/TaS2-like (Gamma + K pockets) and WS2-like (K pockets only).

Review Sec. 2.1: "even with larger Ising SOC, the level of Ising protection in NbSe2 and TaS2
is weaker than that in WS2 due to ... a spin degenerate Gamma point"; and (He et al., Sec. 5)
in NbSe2 the Ising SOC vanishes on the Gamma-M lines, where an in-plane field opens nodal
points.  The Ising SOC of a triangular-lattice band is 2 beta_SO S(k) sigma_z (paper Eq. 1):
nearly constant, |2 beta_SO S| ~ 3 sqrt3 beta_SO, on small pockets around +-K, but small
(~ k^3) and *nodal* (S = 0 on Gamma-M) on a pocket around Gamma.

Model (band-resolved): two uncoupled spinful orbitals on the triangular lattice, both paired
with the same on-site singlet Delta (one pairing strength v) and both with Ising SOC beta_SO,

    "gamma": (2 t_G C(k) - mu_G) sigma_0 + 2 beta_SO S(k) sigma_z     t_G = +1: hole pocket around Gamma
    "k":     (2 t_K C(k) - mu_K) sigma_0 + 2 beta_SO S(k) sigma_z     t_K = -1: hole pockets around +-K

(one physical d band of NbSe2 makes both pockets; two bands let each pocket be tuned and removed
independently).  The WS2-like variant is the "k" band alone, with the same parameters, so the two
models differ only by the Gamma pocket.

* K-only: the Ising field is 2 beta_SO |S(k)| = 3 sqrt3 beta_SO (1 - O(q^2)) on the pockets, so Hc2
  follows the clean Ising formula (isingsc.experiment.ising) with beta = the Fermi-surface average of
  2 beta_SO |S| (:func:`k_pocket_ising_field`), up to the variation of S over the pocket.
* Gamma + K: pairs near the Gamma-M nodes of the Gamma pocket are Pauli limited, so Hc2/HP is lower
  than for the K-only model at every T < Tc.

The spin enters only through sigma_z and the field: Hc2 does not depend on the in-plane field angle.
Energies in |t|.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from isingsc.core.errors import ConvergenceError, check_finite, check_range
from isingsc.lattice.triangular import structure_factors
from isingsc.models.base import SIGMA0, TightBindingModel
from isingsc.models.families import terms


@dataclass(frozen=True)
class MultiPocketParams:
    """Parameters of the Gamma band (t_gamma, mu_gamma), the K band (t_k, mu_k) and beta_SO (|t|).

    Defaults: a Gamma hole pocket of depth 4.7 |t| (k_F ~ 2/a along Gamma-K) and K hole pockets of
    depth 0.5 |t| (q_F ~ 0.8/a), beta_SO = 0.033 |t| (Ising field ~ 0.17 |t| on the K pockets).
    """

    t_gamma: float = 1.0
    mu_gamma: float = 1.33
    t_k: float = -1.0
    mu_k: float = 2.5
    beta_so: float = 0.033

    def __post_init__(self):
        for name in ("t_gamma", "t_k"):
            object.__setattr__(self, name, check_range(name, getattr(self, name), nonzero=True))
        for name in ("mu_gamma", "mu_k", "beta_so"):
            object.__setattr__(self, name, check_finite(name, getattr(self, name)))

    def with_(self, **changes) -> "MultiPocketParams":
        return replace(self, **changes)

    def as_attrs(self) -> dict:
        return asdict(self)


NBSE2 = MultiPocketParams()


def _band(hop: dict, n: int, o: int, t: float, mu: float, beta: float) -> None:
    terms.onsite(hop, terms.orbital_block(n, o, o, -mu * SIGMA0))
    terms.shell_hopping(hop, n, o, t)
    if beta:
        terms.ising_soc(hop, n, o, beta)


def multipocket_model(params: MultiPocketParams = NBSE2, name: str = "nbse2") -> TightBindingModel:
    """NbSe2/TaS2-like: orbitals ("gamma", "k"), uncoupled, both paired, Ising SOC on both."""
    hop: dict = {}
    _band(hop, 2, 0, params.t_gamma, params.mu_gamma, params.beta_so)
    _band(hop, 2, 1, params.t_k, params.mu_k, params.beta_so)
    return TightBindingModel(name=name, orbitals=("gamma", "k"), hoppings=terms.clean(hop),
                             pairing_orbitals=("gamma", "k"), parameters=params.as_attrs())


def k_only_model(params: MultiPocketParams = NBSE2, name: str = "ws2") -> TightBindingModel:
    """WS2-like: the "k" band of :func:`multipocket_model` alone (pockets around +-K only)."""
    hop: dict = {}
    _band(hop, 1, 0, params.t_k, params.mu_k, params.beta_so)
    attrs = {k: v for k, v in params.as_attrs().items() if k not in ("t_gamma", "mu_gamma")}
    return TightBindingModel(name=name, orbitals=("k",), hoppings=terms.clean(hop),
                             pairing_orbitals=("k",), parameters=attrs)


def k_pocket_ising_field(params: MultiPocketParams = NBSE2, n_angles: int = 720) -> tuple[float, float]:
    """Mean and spread (max - min) of the Ising field 2 beta_SO |S(k)| on the K-band Fermi surface (|t|).

    The Fermi surface of the spin-averaged band 2 t_K C(k) = mu_K around K, found on rays from K
    (bisection in |q|); the mean is the arithmetic mean over the polar angle, weighted by the
    inverse Fermi velocity along the ray (the DOS weight of each piece of contour)."""
    K = np.array([4 * np.pi / 3, 0.0])
    th = np.linspace(0.0, 2 * np.pi, n_angles, endpoint=False)
    u = np.stack([np.cos(th), np.sin(th)], -1)
    xi = lambda q: 2 * params.t_k * structure_factors(K + q[:, None] * u)[0] - params.mu_k  # noqa: E731
    lo, hi = np.zeros(n_angles), np.full(n_angles, 2 * np.pi / 3)  # up to the K-M distance
    if np.any(np.sign(xi(lo + 1e-9)) == np.sign(xi(hi))):
        raise ConvergenceError("no closed Fermi pocket around K for these parameters")
    s_lo = np.sign(xi(lo + 1e-9))
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        same = np.sign(xi(mid)) == s_lo
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    q = 0.5 * (lo + hi)
    kf = K + q[:, None] * u
    field = 2 * abs(params.beta_so) * np.abs(structure_factors(kf)[1])
    h = 1e-6
    v_r = np.abs(xi(q + h) - xi(q - h)) / (2 * h)
    w = q / v_r  # dk_parallel / |v_F| for a polar contour: q dtheta / v_r
    return float(np.sum(w * field) / np.sum(w)), float(field.max() - field.min())
