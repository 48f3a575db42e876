"""Fitting measured dI/dV(V): the Ising DOS against its limits, parameter recovery, and one clear error per
bad file.

References: the one-valley Ising BdG matrix H = xi tau_z + beta sigma_z + b sigma_x tau_z + Delta sigma_y tau_y
(inverted numerically here); at b = 0 its DOS is BCS for any beta (E = sqrt((xi +- beta)^2 + Delta^2)),
at beta = 0 the Zeeman-split BCS; synthetic spectra from the BTK formula in the tunnelling limit
(an independent route to the thermally smeared Dynes DOS, corrections O(1/Z^2)).
"""

import json

import numpy as np
import pytest

from isingsc.core.errors import DataFileError, ParameterError
from isingsc.experiment.spectrum_fit import (dynes, fit_spectrum, ising_dos, ising_dos_quadrature, ising_trace,
                                             model_conductance, normalised_dos, read_spectrum_csv,
                                             spectrum_data)
from isingsc.plotting.experiment import plot_spectrum_fit
from isingsc.spectroscopy.bulk import zeeman_split_dynes
from isingsc.spectroscopy.tunnelling import btk_conductance
from isingsc.core.units import K_B_MEV_PER_K

SX = np.array([[0, 1], [1, 0]], complex)
SY = np.array([[0, -1j], [1j, 0]])
SZ = np.diag([1.0, -1.0]).astype(complex)
TY = np.array([[0, -1j], [1j, 0]])
TZ = np.diag([1.0, -1.0]).astype(complex)


def bdg(xi, delta, beta, b):
    """xi tau_z + beta sigma_z + b sigma_x tau_z + Delta sigma_y tau_y (tau outer, sigma inner)."""
    return (xi * np.kron(TZ, np.eye(2)) + beta * np.kron(np.eye(2), SZ) + b * np.kron(TZ, SX)
            + delta * np.kron(TY, SY))


def test_trace_formula_against_the_matrix_inverse():
    rng = np.random.default_rng(5)
    for _ in range(20):
        xi, delta, beta, b = rng.normal(size=4)
        z = rng.normal() + 1j * abs(rng.normal())
        g = np.linalg.inv(z * np.eye(4) - bdg(xi, delta, beta, b))
        assert ising_trace(xi, z, delta, abs(beta), abs(b)) == pytest.approx(np.trace(g[:2, :2]), rel=1e-10)


def test_ising_dos_closed_form_and_limits():
    e = np.linspace(-4, 4, 401)
    for beta, b in ((2.0, 0.0), (0.0, 0.4), (3.0, 1.5), (0.5, 2.0)):
        closed = ising_dos(e, 1.0, 0.05, beta, b)
        assert np.allclose(closed, ising_dos_quadrature(e, 1.0, 0.05, beta, b), atol=1e-7)
    assert np.allclose(ising_dos(e, 1.0, 0.05, 2.0, 0.0), dynes(e, 1.0, 0.05), atol=1e-12)  # b = 0: BCS
    up, dn = zeeman_split_dynes(e, 1.0, 0.05, 0.4)
    assert np.allclose(ising_dos(e, 1.0, 0.05, 0.0, 0.4), (up + dn) / 2, atol=1e-12)  # beta = 0: Zeeman split
    assert np.allclose(normalised_dos(e, 1.0, 0.05, 0.0, 0.4), (up + dn) / 2)
    # strong Ising field protects the gap against an in-plane field b < beta
    assert ising_dos(np.array([0.0]), 1.0, 0.01, 5.0, 0.8)[0] < 0.05


def test_fit_recovers_a_btk_tunnelling_spectrum():
    """Synthetic data: BTK with Z = 30 (G/G_N -> Dynes DOS, corrections ~1/Z^2 ~ 1e-3), thermally smeared,
    times G_N = 2, plus noise 0.004.  The fit returns Delta, T, Gamma within 4 standard errors plus the O(1/Z^2)
    model difference."""
    delta, T, gamma = 1.1, 1.2, 0.04
    v = np.linspace(-4, 4, 161)
    g = 2.0 * btk_conductance(v, delta, 30.0, gamma, temperature=K_B_MEV_PER_K * T)
    rng = np.random.default_rng(7)
    data = spectrum_data(v, g + rng.normal(0, 0.004, v.size), np.full(v.size, 0.004))
    res = fit_spectrum(data)
    p = res.parameters
    for name, true in (("delta", delta), ("temperature", T), ("gamma", gamma), ("scale", 2.0)):
        assert abs(p[name].value - true) <= 4 * p[name].stderr + 2e-3 * abs(true), name
    assert 0.5 < res.redchi < 2.0 and not res.warnings
    d = json.loads(res.to_json())
    assert d["parameters"]["delta"]["unit"] == "meV" and d["statistics"]["weighted"]
    ds = res.to_dataset()
    assert ds.V.attrs["units"] == "mV" and "delta_stderr" in ds.attrs
    plot_spectrum_fit(res)


def test_fit_with_ising_soc_in_field():
    """Spectrum of an Ising superconductor at B = 12 T: beta_so is recovered with the field held fixed."""
    v = np.linspace(-3, 3, 121)
    true = dict(delta=1.0, temperature=0.4, gamma=0.05, scale=1.0, beta_so=2.0, field=12.0)
    g = model_conductance(v, **true)
    rng = np.random.default_rng(11)
    data = spectrum_data(v, g + rng.normal(0, 0.003, v.size), np.full(v.size, 0.003))
    res = fit_spectrum(data, fix={"field": 12.0}, free=["beta_so"], init={"beta_so": 1.0})
    p = res.parameters
    for name in ("delta", "beta_so"):
        assert abs(p[name].value - true[name]) <= 4 * p[name].stderr, name
    assert p["field"].vary is False and p["field"].value == 12.0


def _write(tmp_path, text, name="s.csv"):
    f = tmp_path / name
    f.write_text(text)
    return f


def _rows(n=20, start=-2.0):
    v = np.linspace(start, -start, n)
    return "\n".join(f"{x:.4f},{1 + 0.1 * x * x:.4f}" for x in v)


@pytest.mark.parametrize("text, match", [
    ("", "empty"),
    ("V,dIdV\n", "header only"),
    ("time,current\n" + _rows(), "missing column for the bias"),
    ("V,foo\n" + _rows(), "missing column for the conductance"),
    ("V,dIdV\n" + _rows(5), "need at least"),
    ("V,dIdV\n" + _rows().replace("1.4000", "abc", 1), "non-numeric cell 'abc'"),
    ("V,dIdV\n" + _rows().replace("1.4000", "nan", 1), "NaN"),
    ("V,dIdV\n" + _rows().replace("1.4000", "", 1), "empty cell"),
    ("V,dIdV\n" + _rows() + "\n0.5,1.0", "monotonic"),
    ("V,dIdV,err\n" + "\n".join(f"{x:.2f},1.0,{-0.1 if i == 3 else 0.1}" for i, x in
                                enumerate(np.linspace(-1, 1, 20))), "error"),
])
def test_bad_files_give_one_clear_error(tmp_path, text, match):
    with pytest.raises(DataFileError, match=match) as info:
        read_spectrum_csv(_write(tmp_path, text))
    msg = str(info.value)
    assert "\n" not in msg and "s.csv" in msg


def test_error_names_the_line(tmp_path):
    text = "# a comment\nV,dIdV\n" + _rows().replace("1.4000", "abc", 1)
    with pytest.raises(DataFileError, match="line 3"):
        read_spectrum_csv(_write(tmp_path, text))
    with pytest.raises(DataFileError, match="no such data file"):
        read_spectrum_csv(tmp_path / "missing.csv")


def test_reading_columns_and_descending_sweep(tmp_path):
    v = np.linspace(2, -2, 30)
    text = "bias (mV),G (a.u.),sigma\n" + "\n".join(f"{x},{1 + x * x},0.01" for x in v)
    d = read_spectrum_csv(_write(tmp_path, text))
    assert np.all(np.diff(d.V) > 0) and d.weighted and d.columns["G"] == "G (a.u.)"
    d2 = read_spectrum_csv(_write(tmp_path, text), err_col="none")
    assert not d2.weighted
    with pytest.raises(ParameterError, match="free"):
        fit_spectrum(d, free=["kappa"])
