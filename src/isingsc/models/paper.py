"""The paper's lattice models and their general variants.

All energies in units of |t| (the paper uses t_SC = t_TMD = -1), k in 1/a.

* TMD top valence bands, paper Eq. (1):
      H_TMD(k) = (2 t_TMD C(k) - mu_TMD) sigma_0 + 2 beta_SO S(k) sigma_z
  The Ising field at +-K is 2 beta_SO |S(K)| = 3 sqrt3 beta_SO (the paper's
  "spin splitting 3 sqrt3 beta_SO"); the full splitting E_up - E_dn there is 6 sqrt3 beta_SO.
* s-wave superconductor, paper Eq. (3), Nambu basis [s_k up, s_k dn, s^dag_-k up, s^dag_-k dn]:
      H_BdG(k) = (2 t_SC C(k) - mu_SC) sigma_0 tau_z + Delta sigma_y tau_y + V_x sigma_x tau_z
* Heterostructure: the two layers coupled by spin-independent on-site hopping
  Gamma (c^dag s + h.c.), i.e. Gamma sigma_0 tau_z between the layers in Nambu form;
  pairing on the SC layer only; the Zeeman field acts on the TMD too unless
  ``field_on_tmd=False``.  8x8 Nambu matrix per k.
* Static effective model, paper Eq. (8): H_eff = H_BdG + Sigma(omega = 0), the
  TMD integrated out (Schur complement at zero frequency).  It has poles where
  a TMD band crosses the Fermi level: use it for k-space checks away from them.
* Intrinsic Ising superconductor: one layer with its own Ising SOC
  (2 t C - mu) sigma_0 + 2 beta_SO S sigma_z with on-site pairing (NbSe2 / gated MoS2-like).

Each builder returns a :class:`~isingsc.models.base.TightBindingModel` (data),
so bands, Green's functions, solvers and ribbons work for all of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from isingsc.core.errors import ParameterError, check_finite, check_range
from isingsc.lattice.triangular import structure_factors
from isingsc.core.field import as_field
from isingsc.models.base import (SIGMA0, SIGMAX, SIGMAY, SIGMAZ, TightBindingModel,
                           stack_layers)

# Nearest-neighbour bonds R1 = a1, R2 = a2 - a1, R3 = -a2 in lattice coordinates.
NN_OFFSETS = ((1, 0), (-1, 1), (0, -1))


def _check_hopping(name: str, t) -> float:
    t = check_finite(name, t)
    if t == 0.0:
        raise ParameterError(name, t, f"{name} != 0 (finite)")
    return t


@dataclass(frozen=True)
class HeterostructureParams:
    """Parameters of the TMD / s-wave superconductor heterostructure (units of |t|).

    Defaults are the paper's (Figs. 1-2): t_SC = t_TMD = -1, mu_SC = 0,
    mu_TMD = 3, beta_SO = 0.5, Gamma = 0.5.  ``field_on_tmd`` (default True):
    the in-plane Zeeman field acts on the TMD layer as well as on the SC.
    """

    t_sc: float = -1.0
    mu_sc: float = 0.0
    t_tmd: float = -1.0
    mu_tmd: float = 3.0
    beta_so: float = 0.5
    gamma: float = 0.5
    field_on_tmd: bool = True

    def __post_init__(self):
        for name in ("t_sc", "t_tmd"):
            object.__setattr__(self, name, _check_hopping(name, getattr(self, name)))
        for name in ("mu_sc", "mu_tmd", "beta_so"):
            object.__setattr__(self, name, check_finite(name, getattr(self, name)))
        object.__setattr__(self, "gamma", check_range("gamma", self.gamma, lo=0.0))
        object.__setattr__(self, "field_on_tmd", bool(self.field_on_tmd))

    def with_(self, **changes) -> "HeterostructureParams":
        return replace(self, **changes)

    def as_attrs(self) -> dict:
        d = asdict(self)
        d["field_on_tmd"] = int(d["field_on_tmd"])  # NetCDF has no bool
        return d


@dataclass(frozen=True)
class IsingParams:
    """Single-layer Ising superconductor: (2 t C - mu) sigma_0 + 2 beta_SO S sigma_z (units of |t|)."""

    t: float = -1.0
    mu: float = 0.0
    beta_so: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "t", _check_hopping("t", self.t))
        object.__setattr__(self, "mu", check_finite("mu", self.mu))
        object.__setattr__(self, "beta_so", check_finite("beta_so", self.beta_so))

    def with_(self, **changes) -> "IsingParams":
        return replace(self, **changes)

    def as_attrs(self) -> dict:
        return asdict(self)


#: The paper's parameters (Figs. 1 and 2; Fig. 3 varies gamma).
PAPER = HeterostructureParams()


def ising_layer(name: str, t: float, mu: float, beta_so: float, *, pairing: bool,
                zeeman: float = 1.0, parameters: dict | None = None,
                pairing_scale: float = 1.0) -> TightBindingModel:
    """One spinful orbital on the triangular lattice with NN hopping t and Ising SOC.

    H(k) = (2 t C(k) - mu) sigma_0 + 2 beta_SO S(k) sigma_z, from the bonds
    T_{R_i} = t sigma_0 - i beta_SO sigma_z (and their Hermitian conjugates on -R_i),
    since 2 sin(k.R) = -i (e^{ik.R} - e^{-ik.R}).
    """
    hop = {(0, 0): -mu * SIGMA0}
    for off in NN_OFFSETS:
        hop[off] = t * SIGMA0 - 1j * beta_so * SIGMAZ
    return TightBindingModel(name=name, orbitals=(name,), hoppings=hop,
                             zeeman_coupling=(zeeman,),
                             pairing_orbitals=(name,) if pairing else (),
                             parameters=parameters or {}, pairing_scale=pairing_scale)


def tmd_model(params: HeterostructureParams = PAPER) -> TightBindingModel:
    """TMD normal state, paper Eq. (1) (no pairing)."""
    return ising_layer("tmd", params.t_tmd, params.mu_tmd, params.beta_so, pairing=False,
                       zeeman=1.0 if params.field_on_tmd else 0.0,
                       parameters={"t_tmd": params.t_tmd, "mu_tmd": params.mu_tmd,
                                   "beta_so": params.beta_so})


def sc_model(params: HeterostructureParams = PAPER) -> TightBindingModel:
    """Isolated s-wave superconductor layer, paper Eq. (3) (no SOC)."""
    return ising_layer("sc", params.t_sc, params.mu_sc, 0.0, pairing=True,
                       parameters={"t_sc": params.t_sc, "mu_sc": params.mu_sc})


def heterostructure_model(params: HeterostructureParams = PAPER) -> TightBindingModel:
    """Exact SC (+) TMD heterostructure: orbitals ("sc", "tmd"), Gamma coupling, 8x8 Nambu."""
    return stack_layers("heterostructure", [sc_model(params), tmd_model(params)],
                        couplings={(0, 1): params.gamma * SIGMA0},
                        parameters=params.as_attrs())


def intrinsic_ising_model(params: IsingParams = IsingParams()) -> TightBindingModel:
    """Intrinsic Ising superconductor (one layer, its own beta_SO, pairing on it)."""
    return ising_layer("ising", params.t, params.mu, params.beta_so, pairing=True,
                       parameters=params.as_attrs())


# ------------------------------------------------------------------ effective model
def downfold(h: np.ndarray, keep: np.ndarray, z: complex = 0.0) -> np.ndarray:
    """Schur complement H_AA + H_AB (z - H_BB)^-1 H_BA for batched (..., n, n) matrices.

    At z = 0 this is the static effective Hamiltonian of the kept block A
    (the other block B integrated out); as a function of z, the second term
    is the self-energy Sigma(z) of A.
    """
    n = h.shape[-1]
    keep = np.asarray(keep)
    drop = np.setdiff1d(np.arange(n), keep)
    h_aa = h[..., keep[:, None], keep]
    h_ab = h[..., keep[:, None], drop]
    h_ba = h[..., drop[:, None], keep]
    h_bb = h[..., drop[:, None], drop]
    eye = np.eye(len(drop))
    try:
        return h_aa + h_ab @ np.linalg.solve(z * eye - h_bb, h_ba)
    except np.linalg.LinAlgError:
        # z exactly on an eigenvalue of H_BB (a pole of Sigma, hit e.g. by a root search along a line in k):
        # the value there is infinite; move z off the pole by 1e-12 |t|, which changes the others by ~1e-12
        return h_aa + h_ab @ np.linalg.solve((z + 1e-12) * eye - h_bb, h_ba)


@dataclass(frozen=True)
class StaticEffectiveModel:
    """Paper Eq. (8): H_eff(k) = H_BdG(k) + Sigma(k, omega = 0), TMD integrated out.

    Sigma(k, 0) = Gamma^2 tau_z (0 - H_TMD^Nambu(k))^-1 tau_z (the field acts on
    the TMD if the parent model says so).  Diverges where a TMD band crosses
    zero energy (the paper's TMD pockets around K): k-space checks only.
    """

    parent: TightBindingModel
    keep_orbital: str = "sc"

    @property
    def name(self) -> str:
        return "eq8-static"

    @property
    def orbitals(self) -> tuple[str, ...]:
        return (self.keep_orbital,)

    @property
    def dim(self) -> int:
        return 2

    @property
    def nambu_dim(self) -> int:
        return 4

    @property
    def pairing_orbitals(self) -> tuple[str, ...]:
        return (self.keep_orbital,)

    @property
    def zeeman_coupling(self) -> tuple[float, ...]:
        return (1.0,)

    def hamiltonian(self, k, field=0.0) -> np.ndarray:
        """Normal-state block H_SC(k) + Sigma_ee(k, 0) (the particle block at Delta = 0), (..., 2, 2)."""
        return self.bdg_hamiltonian(k, 0.0, field)[..., :2, :2]

    def bdg_hamiltonian(self, k, delta: complex = 0.0, field=0.0) -> np.ndarray:
        h = self.parent.bdg_hamiltonian(k, delta, field)
        return downfold(h, self.parent.nambu_indices(self.keep_orbital), 0.0)

    def nambu_indices(self, orbital: str) -> np.ndarray:
        if orbital != self.keep_orbital:
            raise ParameterError("orbital", orbital, f"{self.keep_orbital!r} (the only orbital kept)")
        return np.arange(4)

    def describe(self) -> dict:
        d = self.parent.describe()
        d["model"] = "eq8-static"
        return d


def effective_model(params: HeterostructureParams = PAPER) -> StaticEffectiveModel:
    """The static effective 4x4 model of the SC layer (paper Eq. 8)."""
    return StaticEffectiveModel(heterostructure_model(params))


@dataclass(frozen=True)
class EffectiveFit:
    """A well-defined effective model of the SC layer of the paper's Eq. (8) form.

    H_eff(k) = (2 t~ C(k) - mu~) sigma_0 + 2 beta~ S(k) sigma_z, pairing Z Delta, Zeeman V
    (Z V if the field does not act on the TMD), fitted to the two SC-like bands of the exact
    heterostructure within ``window`` of the Fermi level.  Energies in |t|.
    """

    params: IsingParams
    pairing_factor: float
    zeeman_factor: float
    n_points: int
    rms_error: float
    window: float

    def model(self) -> TightBindingModel:
        return ising_layer("sc_eff", self.params.t, self.params.mu, self.params.beta_so, pairing=True,
                           zeeman=self.zeeman_factor, pairing_scale=self.pairing_factor,
                           parameters={**self.params.as_attrs(), "fit_pairing_factor": self.pairing_factor,
                                       "fit_zeeman_factor": self.zeeman_factor, "fit_points": self.n_points,
                                       "fit_rms_error": self.rms_error, "fit_window": self.window})


def fit_effective_model(params: HeterostructureParams = PAPER, window: float = 0.05,
                        n_theta: int = 31, n_r: int = 2000) -> EffectiveFit:
    """Fit the Eq. (8)-form single-layer model to the exact heterostructure near the SC Fermi surface.

    The literal static model H_BdG + Sigma(omega = 0) has poles where a TMD band crosses
    zero (the paper's TMD pockets), so its real-space hoppings do not decay.  Instead:
    on rays of the irreducible wedge, the two normal-state bands with the largest SC weight
    Z_k = sum_s |<sc, s|n>|^2 are taken where both have Z_k > 1/2 and their mean lies within
    ``window`` of zero; their mean is fitted to 2 t~ C - mu~ (linear least squares) and
    their splitting to 4 |beta~ S| (the induced Ising SOC, sign from the spin of the upper
    band); the pairing factor is the mean Z_k there (the SC component carries the pairing),
    and so is the Zeeman factor if the field does not act on the TMD.  ``rms_error`` is the
    rms deviation of the fitted bands from the exact ones on those points (|t|).
    """
    check_range("window", window, lo=0.0, lo_open=True)
    model = heterostructure_model(params.with_(field_on_tmd=True))
    theta = np.linspace(0.0, np.pi / 6, n_theta)
    k_list = []
    for th in theta:
        r = np.linspace(0.0, 2 * np.pi / np.sqrt(3) / np.cos(np.pi / 6 - th), n_r)
        k_list.append(np.stack([r * np.cos(th), r * np.sin(th)], -1))
    k = np.concatenate(k_list)
    e, u = np.linalg.eigh(model.hamiltonian(k))
    sc = [2 * model.orbital_index("sc"), 2 * model.orbital_index("sc") + 1]
    weight = (np.abs(u[:, sc, :]) ** 2).sum(1)  # (n_k, 4) SC weight of each band
    pair = np.sort(np.argsort(weight, axis=1)[:, -2:], axis=1)  # the two SC-like bands
    rows = np.arange(len(k))[:, None]
    e_pair, w_pair = e[rows, pair], weight[rows, pair]
    mean = e_pair.mean(1)
    keep = (w_pair.min(1) > 0.5) & (np.abs(mean) < window)
    if keep.sum() < 10:
        raise ParameterError("params", "no SC-like Fermi surface", "an SC band crossing the Fermi level "
                             "away from the TMD bands (SC weight > 1/2 within the window)")
    c, s = structure_factors(k[keep])
    design = np.stack([2 * c, -np.ones_like(c)], -1)
    (t_fit, mu_fit), *_ = np.linalg.lstsq(design, mean[keep], rcond=None)
    split = e_pair[keep, 1] - e_pair[keep, 0]
    # spin of the upper SC-like band on the SC orbital: sign of beta~ S
    upper = u[keep][np.arange(keep.sum()), :, pair[keep, 1]]
    sz = np.abs(upper[:, sc[0]]) ** 2 - np.abs(upper[:, sc[1]]) ** 2
    signed = np.sign(sz) * split  # = 4 beta~ S
    beta_fit = float(np.sum(signed * 4 * s) / np.sum((4 * s) ** 2))
    z = float(w_pair[keep].mean())
    fitted = np.stack([2 * t_fit * c - mu_fit - 2 * beta_fit * np.abs(s) * np.sign(s * beta_fit),
                       2 * t_fit * c - mu_fit + 2 * beta_fit * np.abs(s) * np.sign(s * beta_fit)], -1)
    fitted.sort(axis=1)
    rms = float(np.sqrt(np.mean((fitted - e_pair[keep]) ** 2)))
    return EffectiveFit(params=IsingParams(t=float(t_fit), mu=float(mu_fit), beta_so=beta_fit), pairing_factor=z,
                        zeeman_factor=1.0 if params.field_on_tmd else z, n_points=int(keep.sum()),
                        rms_error=rms, window=window)


# ------------------------------------------------------------------ closed forms
def induced_ising_soc(params: HeterostructureParams, k) -> np.ndarray:
    """sigma_z coefficient of Sigma(k, 0) (zero field): the induced Ising SOC, energy units of |t|.

    Re-derived paper Eq. (5): Sigma(0) = -Gamma^2 H_TMD^-1; with
    H_TMD = a sigma_0 + b sigma_z (a = 2 t_TMD C - mu_TMD, b = 2 beta_SO S),
    H_TMD^-1 = (a sigma_0 - b sigma_z)/(a^2 - b^2), so

        2 beta~ S~(k) = Gamma^2 * 2 beta_SO S(k) / [(2 t_TMD C - mu_TMD)^2 - (2 beta_SO S)^2].

    (The paper's printed denominator has a + sign and an extra minus sign; both
    are garbled.)  Diverges where a TMD band crosses zero.
    """
    c, s = structure_factors(k)
    a = 2 * params.t_tmd * c - params.mu_tmd
    b = 2 * params.beta_so * s
    return params.gamma**2 * b / (a * a - b * b)


def induced_ising_soc_along(params: HeterostructureParams, k, pole_tolerance: float = 1e-9) -> dict:
    """The induced Ising SOC (:func:`induced_ising_soc`) at momenta k (n, 2), with its poles marked.

    Returns {"soc_z": 2 beta~ S~(k), "beta_eff": Gamma^2 beta_SO / [(2 t_TMD C - mu_TMD)^2 - (2 beta_SO S)^2],
    "pole": bool} (|t|); within ``pole_tolerance`` of a pole (a TMD band at zero energy) the values are
    NaN and ``pole`` is True: the closed form is meaningless there, not large.
    """
    c, s = structure_factors(k)
    a = 2 * params.t_tmd * c - params.mu_tmd
    b = 2 * params.beta_so * s
    denom = a * a - b * b
    pole = np.abs(denom) < pole_tolerance
    safe = np.where(pole, 1.0, denom)
    return {"soc_z": np.where(pole, np.nan, params.gamma**2 * b / safe),
            "beta_eff": np.where(pole, np.nan, params.gamma**2 * params.beta_so / safe), "pole": pole}


def heterostructure_bdg_closed_form(params: HeterostructureParams, c, s, delta=0.0,
                                    field=0.0) -> np.ndarray:
    """8x8 Nambu matrix of the heterostructure from C(k), S(k) (fast path).

    Same basis as :func:`heterostructure_model` (SC up/dn, TMD up/dn; then
    holes).  Because S(-k) = -S(k) and C(-k) = C(k), the hole block is
    -(xi_C sigma_0 - b sigma_z - V.sigma^*) per layer.  Verified against the
    general tight-binding path in the tests.
    """
    c = np.asarray(c, dtype=float)
    s = np.asarray(s, dtype=float)
    v = as_field(field).vector
    zee = v[0] * SIGMAX + v[1] * SIGMAY + v[2] * SIGMAZ
    g_tmd = 1.0 if params.field_on_tmd else 0.0
    xi_sc = (2 * params.t_sc * c - params.mu_sc)[..., None, None]
    xi_tmd = (2 * params.t_tmd * c - params.mu_tmd)[..., None, None]
    b = (2 * params.beta_so * s)[..., None, None]
    out = np.zeros(c.shape + (8, 8), dtype=complex)
    out[..., 0:2, 0:2] = xi_sc * SIGMA0 + zee
    out[..., 2:4, 2:4] = xi_tmd * SIGMA0 + b * SIGMAZ + g_tmd * zee
    out[..., 4:6, 4:6] = -(xi_sc * SIGMA0 + zee.conj())
    out[..., 6:8, 6:8] = -(xi_tmd * SIGMA0 - b * SIGMAZ + g_tmd * zee.conj())
    for p, q in ((0, 2), (4, 6)):
        sign = 1.0 if p == 0 else -1.0
        out[..., p:p + 2, q:q + 2] = sign * params.gamma * SIGMA0
        out[..., q:q + 2, p:p + 2] = sign * params.gamma * SIGMA0
    pair = -1j * SIGMAY * delta
    out[..., 0:2, 4:6] = pair
    out[..., 4:6, 0:2] = pair.conj().T
    return out
