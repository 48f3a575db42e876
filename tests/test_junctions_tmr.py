"""Tunnelling magnetoresistance of Ising superconductor | spin filter | Ising superconductor junctions."""

import numpy as np
import pytest

import isingsc
from isingsc.core.errors import ParameterError
from isingsc.junctions.tmr import MagneticTunnelJunction

ISING = isingsc.model("intrinsic", mu=1.0, beta_so=0.02)
BIAS = np.linspace(-0.1, 0.1, 41)


@pytest.mark.slow
def test_normal_state_conductance_is_one():
    """Delta = 0 and no field: a0 = b0 = N_n (flat on the scale of the bias), a = b = 0, so
    K/2 = (t0^2 + t_m^2) N_n^2 and dI/dV / G_N = 1 for every magnetisation (up to the curvature of the
    normal DOS, ~ (V/W)^2: below 1e-3 within +-0.04 |t|)."""
    mtj = MagneticTunnelJunction(ISING, t0=1.0, t_m=0.4, eta=0.002)
    ds = mtj.spectrum(T=0.005, strength=0.0, bias=np.linspace(-0.04, 0.04, 17), delta=0.0)
    np.testing.assert_allclose(ds.conductance.values, 1.0, atol=1e-3)


def test_spin_filter_sum_rule():
    """With a perfect filter (t0 = t_m, P = 1) only one spin tunnels: K/2 = 2 t^2 N_+-(E) N_+-(E+V) for
    m.n = +-1, while t_m = 0 gives K/2 = t0^2 (N_+ N_+ + N_- N_-)/2 (spin conserved, unpolarised).
    Normalised by 2 t^2 and t0^2: G(P=1, +1) + G(P=1, -1) = 2 G(P=0), at any bias, in a field."""
    kw = {"T": 0.004, "strength": 0.015, "bias": BIAS, "delta": 0.02}
    full = MagneticTunnelJunction(ISING, t0=1.0, t_m=1.0, eta=0.002).spectrum(projections=(1.0, -1.0), **kw)
    none = MagneticTunnelJunction(ISING, t0=1.0, t_m=0.0, eta=0.002).spectrum(projections=(0.0,), **kw)
    g = full.conductance.values
    np.testing.assert_allclose(g[0] + g[1], 2 * none.conductance.values[0], rtol=1e-9, atol=1e-12)
    # the field polarises the quasiparticles along it: parallel and antiparallel differ
    assert np.abs(g[0] - g[1]).max() > 1e-3
    assert full.attrs["polarisation"] == pytest.approx(1.0)


def test_zero_field_has_no_magnetoresistance():
    """At zero field the k-averaged spin polarisation vanishes (Ising SOC is odd in k): a = b = 0, so the
    conductance cannot depend on m (all projections equal)."""
    ds = MagneticTunnelJunction(ISING, t0=1.0, t_m=0.5, eta=0.002).spectrum(T=0.004, strength=0.0, bias=BIAS,
                                                                           delta=0.02)
    g = ds.conductance.values
    np.testing.assert_allclose(g[0], g[2], rtol=1e-9)
    np.testing.assert_allclose(g[1], g[2], rtol=1e-9)
    assert ds.attrs["tmr_percent"] == pytest.approx(0.0, abs=1e-6)


def test_bad_input():
    with pytest.raises(ParameterError) as err:
        MagneticTunnelJunction(ISING, t0=0.0, t_m=0.0)
    assert err.value.name == "t0"
    mtj = MagneticTunnelJunction(ISING)
    with pytest.raises(ParameterError) as err:
        mtj.spectrum(T=0.0, strength=0.01, delta=0.02)
    assert err.value.name == "T"
    with pytest.raises(ParameterError) as err:
        mtj.spectrum(T=0.01, strength=0.01, projections=(1.5,), delta=0.02)
    assert err.value.name == "projections"
