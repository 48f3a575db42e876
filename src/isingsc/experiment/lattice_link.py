"""Link between lab units (K, T, meV) and the dimensionless lattice models (energies in |t|, k_B = 1).

A :class:`LatticeScale` fixes the hopping |t| in meV, either from a bandwidth
(the nearest-neighbour triangular band 2 t C(k) - mu spans 9 |t|: C ranges over
[-3/2, 3]) or by matching a measured Tc (K) to the lattice model's Tc (|t|).  Then

    T_lattice = k_B T / |t|,    V_lattice = (g/2) mu_B B / |t|,    E_lattice = E[meV] / |t|

and back.  The Ising SOC of the lattice model H = (2t C - mu) s0 + 2 beta_SO S(k) s_z
acts on a state at k as an Ising field 2 beta_SO |S(k)| (3 sqrt3 beta_SO at K, zero on
Gamma-M), so a measured Ising field beta (meV) maps to
beta_SO = beta / (|t| <2|S|>_FS) with the Fermi-surface average of 2|S(k)|
(:func:`fermi_surface_ising_factor`; 3 sqrt3 for small pockets at +/-K).

:func:`hc2_dataset_to_lab` converts a lattice Hc2(T) Dataset (from
:class:`isingsc.meanfield.MeanField`) to kelvin and tesla so it can be plotted next to
data (:func:`isingsc.plotting.experiment.plot_lattice_comparison`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from isingsc.core.errors import DataFileError, check_positive_int, check_range
from isingsc.core.units import G_FACTOR_DEFAULT, K_B_MEV_PER_K, MU_B_MEV_PER_T

#: Bandwidth of the nearest-neighbour triangular-lattice band in units of |t|.
TRIANGULAR_BANDWIDTH = 9.0
#: Ising field per beta_SO at the K point, 2 |S(K)| = 3 sqrt3.
K_POINT_ISING_FACTOR = 3.0 * math.sqrt(3.0)


@dataclass(frozen=True)
class LatticeScale:
    """Energy unit of a lattice model in lab units: |t| = ``t_mev`` meV; g the Zeeman g-factor."""

    t_mev: float
    g: float = G_FACTOR_DEFAULT
    origin: str = "given"

    def __post_init__(self):
        object.__setattr__(self, "t_mev", check_range("t_mev", self.t_mev, lo=0.0, lo_open=True))
        object.__setattr__(self, "g", check_range("g", self.g, lo=0.0, lo_open=True))

    @classmethod
    def from_bandwidth(cls, bandwidth_mev: float, lattice_bandwidth: float = TRIANGULAR_BANDWIDTH,
                       g: float = G_FACTOR_DEFAULT) -> "LatticeScale":
        """|t| = W / w: a measured (or DFT) bandwidth W in meV over the lattice bandwidth w in |t| (9 for the NN triangular band)."""
        w = check_range("bandwidth_mev", bandwidth_mev, lo=0.0, lo_open=True)
        lw = check_range("lattice_bandwidth", lattice_bandwidth, lo=0.0, lo_open=True)
        return cls(w / lw, g, f"bandwidth {w:g} meV = {lw:g} |t|")

    @classmethod
    def from_tc(cls, tc_kelvin: float, tc_lattice: float, g: float = G_FACTOR_DEFAULT) -> "LatticeScale":
        """|t| = k_B Tc[K] / Tc_lattice: match the model's Tc (in |t|, k_B = 1) to a measured Tc in K."""
        tc = check_range("Tc", tc_kelvin, lo=0.0, lo_open=True)
        tl = check_range("tc_lattice", tc_lattice, lo=0.0, lo_open=True)
        return cls(K_B_MEV_PER_K * tc / tl, g, f"Tc {tc:g} K = {tl:g} |t|")

    # energies
    def energy_to_lattice(self, energy_mev):
        return np.asarray(energy_mev, dtype=float) / self.t_mev

    def energy_to_mev(self, energy_lattice):
        return np.asarray(energy_lattice, dtype=float) * self.t_mev

    # temperatures (k_B = 1 in the lattice model)
    def temperature_to_lattice(self, temperature_k):
        return K_B_MEV_PER_K * np.asarray(temperature_k, dtype=float) / self.t_mev

    def temperature_to_kelvin(self, temperature_lattice):
        return np.asarray(temperature_lattice, dtype=float) * self.t_mev / K_B_MEV_PER_K

    # fields: Zeeman energy V = (g/2) mu_B B
    def field_to_lattice(self, field_tesla):
        return 0.5 * self.g * MU_B_MEV_PER_T * np.asarray(field_tesla, dtype=float) / self.t_mev

    def field_to_tesla(self, zeeman_lattice):
        return np.asarray(zeeman_lattice, dtype=float) * self.t_mev / (0.5 * self.g * MU_B_MEV_PER_T)

    def beta_so_to_lattice(self, beta_mev, ising_factor: float = K_POINT_ISING_FACTOR):
        """Lattice beta_SO whose Ising field ising_factor x beta_SO equals the measured Ising field beta (meV, half splitting)."""
        f = check_range("ising_factor", ising_factor, lo=0.0, lo_open=True)
        return self.energy_to_lattice(beta_mev) / f

    def describe(self) -> dict:
        return {"t_meV": self.t_mev, "g": self.g, "origin": self.origin,
                "kelvin_per_t": self.t_mev / K_B_MEV_PER_K,
                "tesla_per_t": self.t_mev / (0.5 * self.g * MU_B_MEV_PER_T)}


def fermi_surface_ising_factor(t: float = -1.0, mu: float = 0.0, *, n_k: int = 480, eta: float = 0.02) -> float:
    """<2|S(k)|> over the Fermi surface of the band 2 t C(k) - mu (triangular lattice, units |t|).

    DOS-weighted average with a Gaussian delta of width ``eta`` |t| on an n_k x n_k mesh
    (:func:`isingsc.lattice.triangular.uniform_mesh`, :func:`isingsc.lattice.triangular.structure_factors`).
    Tends to 3 sqrt3 for small pockets around +/-K.  Raises if mu is outside the band.
    """
    from isingsc.lattice.triangular import structure_factors, uniform_mesh

    t = check_range("t", t, nonzero=True)
    band = sorted((2 * t * 3.0, 2 * t * -1.5))  # 2 t C(k) with C in [-3/2, 3]
    mu = check_range("mu", mu, lo=band[0], hi=band[1], lo_open=True, hi_open=True)
    eta = check_range("eta", eta, lo=0.0, lo_open=True)
    n_k = check_positive_int("n_k", n_k, 24)
    mesh = uniform_mesh(n_k, shift=True)
    c, s = structure_factors(mesh.k)
    w = np.exp(-0.5 * ((2 * t * c - mu) / eta) ** 2)
    if w.sum() <= 0:
        raise DataFileError(f"no k point within eta = {eta:g} |t| of the Fermi level: raise n_k or eta")
    return float(np.sum(w * 2 * np.abs(s)) / np.sum(w))


def material_to_lattice(tc_kelvin: float, beta_mev: float, scale: LatticeScale,
                        ising_factor: float = K_POINT_ISING_FACTOR) -> dict:
    """Lattice parameters for a measured material: T_c and beta_SO in |t|, and the field scale.

    ``beta_mev`` is the Ising field (half splitting; convert with
    :func:`isingsc.experiment.ising.beta_from_splitting`).
    """
    tc = check_range("Tc", tc_kelvin, lo=0.0, lo_open=True)
    beta = check_range("beta_so", beta_mev, lo=0.0)
    return {"Tc_lattice": float(scale.temperature_to_lattice(tc)),
            "beta_so_lattice": float(scale.beta_so_to_lattice(beta, ising_factor)),
            "ising_field_lattice": float(scale.energy_to_lattice(beta)),
            "ising_factor": ising_factor, **scale.describe()}


def hc2_dataset_to_lab(ds: xr.Dataset, scale: LatticeScale) -> xr.Dataset:
    """Lattice Hc2(T) Dataset (coord ``T`` and variable ``Hc2`` in |t|) -> new Dataset in K and T."""
    for name in ("T", "Hc2"):
        if name not in ds.variables:
            raise DataFileError(f"lattice Hc2 dataset lacks {name!r} (expected coord T and variable Hc2 in |t|)")
    out = xr.Dataset(
        {"Hc2": (ds["Hc2"].dims, scale.field_to_tesla(ds["Hc2"].values), {"units": "T"})},
        coords={"T_K": (ds["T"].dims, scale.temperature_to_kelvin(ds["T"].values), {"units": "K"})},
    )
    for name in ("T_over_Tc", "T_over_Tc_reference", "Hc2_over_HP", "transition_order"):
        if name in ds.variables:
            out[name] = ds[name]
    out.attrs.update({k: v for k, v in ds.attrs.items()})
    out.attrs.update({f"scale_{k}": v for k, v in scale.describe().items()})
    return out
