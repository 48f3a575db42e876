"""Lab <-> lattice unit conversion."""

import math

import numpy as np
import pytest
import scipy.constants as sc
import xarray as xr

from isingsc.core.errors import ParameterError
from isingsc.experiment import hc2_data
from isingsc.experiment.lattice_link import (K_POINT_ISING_FACTOR, LatticeScale, fermi_surface_ising_factor,
                                             hc2_dataset_to_lab, material_to_lattice)

KB_MEV = sc.physical_constants["Boltzmann constant in eV/K"][0] * 1e3
MUB_MEV = sc.physical_constants["Bohr magneton in eV/T"][0] * 1e3


def test_scales_and_round_trips():
    s = LatticeScale.from_bandwidth(900.0)  # 9 |t| = 900 meV
    assert s.t_mev == pytest.approx(100.0)
    assert s.temperature_to_lattice(10.0) == pytest.approx(10 * KB_MEV / 100.0, rel=1e-14)
    assert s.field_to_lattice(1.0) == pytest.approx(MUB_MEV / 100.0, rel=1e-14)
    assert LatticeScale(100.0, g=1.0).field_to_lattice(2.0) == pytest.approx(s.field_to_lattice(1.0), rel=1e-14)
    x = np.array([0.1, 3.0, 42.0])
    assert np.allclose(s.temperature_to_kelvin(s.temperature_to_lattice(x)), x, rtol=1e-14)
    assert np.allclose(s.field_to_tesla(s.field_to_lattice(x)), x, rtol=1e-14)
    assert np.allclose(s.energy_to_mev(s.energy_to_lattice(x)), x, rtol=1e-14)
    s2 = LatticeScale.from_tc(3.0, 0.01)
    assert s2.temperature_to_lattice(3.0) == pytest.approx(0.01, rel=1e-14)


def test_ising_factor():
    # 2|S(K)| = 3 sqrt3; small hole pockets at the band top (mu -> 6|t|... for t = -1 the K point is at +3|t|)
    assert K_POINT_ISING_FACTOR == pytest.approx(2 * abs(-1.5 * math.sqrt(3)))
    f = fermi_surface_ising_factor(-1.0, 2.99, eta=0.005, n_k=720)
    assert f == pytest.approx(K_POINT_ISING_FACTOR, rel=0.01)  # pocket radius ~0.06/a: 2|S| = 3sqrt3 (1 - O(q^2))
    assert fermi_surface_ising_factor(-1.0, -5.9) < 0.01  # pocket at Gamma, where S ~ q^3
    with pytest.raises(ParameterError, match="mu"):
        fermi_surface_ising_factor(-1.0, 3.5)


def test_material_and_dataset_conversion(tmp_path):
    scale = LatticeScale.from_tc(3.0, 0.02)
    m = material_to_lattice(3.0, 2.0, scale)
    assert m["Tc_lattice"] == pytest.approx(0.02)
    assert m["beta_so_lattice"] * K_POINT_ISING_FACTOR * scale.t_mev == pytest.approx(2.0, rel=1e-14)
    lat = xr.Dataset({"Hc2": ("point", np.array([0.05, 0.03, 0.0]))},
                     coords={"T": ("point", np.array([0.002, 0.01, 0.02])),
                             "T_over_Tc": ("point", np.array([0.1, 0.5, 1.0]))})
    lab = hc2_dataset_to_lab(lat, scale)
    assert np.allclose(lab.T_K, [0.3, 1.5, 3.0], rtol=1e-12)
    assert np.allclose(lab.Hc2, lat.Hc2 * scale.t_mev / MUB_MEV, rtol=1e-12)
    from isingsc.plotting.experiment import plot_lattice_comparison

    data = hc2_data([0.5, 1.5, 2.5], [20.0, 15.0, 8.0], [0.5, 0.5, 0.5])
    plot_lattice_comparison(data, lab, 3.0, path=tmp_path / "cmp.png")
    assert (tmp_path / "cmp.png").stat().st_size > 1000


def test_bad_scale():
    with pytest.raises(ParameterError, match="bandwidth_mev"):
        LatticeScale.from_bandwidth(-1.0)
    with pytest.raises(ParameterError, match="tc_lattice"):
        LatticeScale.from_tc(3.0, 0.0)
