"""Sweep quantities of magnetic impurities and chains: a sweep point is the library's answer, bad settings
and hosts that cannot give them are refused before anything runs, and a gapless chain stores an error
instead of an invariant."""

import math

import numpy as np
import pytest

from isingsc.correlations.host import HostGreensFunction
from isingsc.impurities.single import MagneticImpurity
from isingsc.workflows.sweep import SweepFileError, load_sweep
from isingsc.workflows.sweep.quantities import compute_point


def test_ysr_point_equals_the_impurity_solver():
    values = {"host_delta": 0.25, "J": 1.0, "moment_polar": 0.0}
    result, err = compute_point("sc", ("ysr",), values)
    assert err == ""
    host = HostGreensFunction("sc", 0.25, tol=1e-8)
    energies = MagneticImpurity(host, 1.0, (0.0, 0.0, 1.0)).bound_states().energy.values
    assert result["ysr_energy"] == pytest.approx(energies[energies >= 0].min(), rel=1e-12)
    assert result["host_gap"] == pytest.approx(0.25, rel=1e-9)  # E_g = Delta for a BCS layer with a Fermi surface
    assert result["n_bound_states"] == 2  # one particle-hole pair of a classical spin in a one-orbital host


@pytest.mark.slow
def test_zeeman_field_out_of_plane_shifts_the_ysr_energy_by_v():
    """Moment and field both along z: sigma_z is conserved and the (c_up, c_down^dagger) sector moves rigidly
    by V_z, so the positive state moves by exactly -V (its spin is down along the moment for J > 0) or +V;
    |shift| = V."""
    base = {"host_delta": 0.25, "J": 1.0, "moment_polar": 0.0}
    e0, err0 = compute_point("sc", ("ysr",), base)
    e1, err1 = compute_point("sc", ("ysr",), {**base, "field_strength": 0.02, "field_polar": 0.0})
    assert err0 == err1 == ""
    assert abs(e1["ysr_energy"] - e0["ysr_energy"]) == pytest.approx(0.02, abs=1e-7)


@pytest.mark.slow
def test_chain_point_is_the_topological_bdi_chain():
    """In-plane moments along a1 on the Ising layer (mu = 2.5, beta_so = 0.3, Delta = 0.3, J = 1.5): class
    BDI with W = +-1 and a gap of 0.0801 |t|, as the strip diagonalisation gives (tests/test_chain.py)."""
    values = {"mu": 2.5, "beta_so": 0.3, "host_delta": 0.3, "J": 1.5, "moment_polar": 90.0}
    result, err = compute_point("intrinsic", ("chain",), values)
    assert err == ""
    assert result["chain_bdi"] == 1.0 and abs(result["chain_invariant"]) == 1.0
    assert result["chain_gap"] == pytest.approx(0.0801, abs=2e-4)


def _write(tmp_path, body: str):
    path = tmp_path / "sweep.toml"
    path.write_text(body)
    return path


@pytest.mark.parametrize("setting, value", [("chain_spacing", 1.5), ("moment_polar", 200.0), ("host_delta", 0.0),
                                            ("J", 1e3), ("field_polar", -1.0)])
def test_bad_magnetic_settings_are_refused_naming_the_key(tmp_path, setting, value):
    body = ('[model]\nname = "sc"\n[parameters]\n' + f"{setting} = {value}\n"
            '[axes]\nJ = [0.5, 1.0]\n[compute]\nquantities = ["ysr"]\n') if setting != "J" else (
        '[model]\nname = "sc"\n[parameters]\nJ = 1000.0\n[axes]\nU = [0.0, 0.1]\n[compute]\nquantities = ["ysr"]\n')
    with pytest.raises(SweepFileError, match=setting):
        load_sweep(_write(tmp_path, body))


def test_a_host_without_pairing_is_refused_before_anything_runs(tmp_path):
    body = '[model]\nname = "tmd"\n[axes]\nJ = [0.5, 1.0]\n[compute]\nquantities = ["ysr"]\n'
    with pytest.raises(SweepFileError, match="ysr"):
        load_sweep(_write(tmp_path, body))


@pytest.mark.slow
def test_degrees_are_converted_once():
    """moment_polar = 90, moment_azimuth = 90 is the moment along y: at zero field an Ising-free host gives
    the same energy as along z (spin-rotation invariance), to the solver's tolerance."""
    a, _ = compute_point("sc", ("ysr",), {"host_delta": 0.25, "J": 1.0, "moment_polar": 90.0, "moment_azimuth": 90.0})
    b, _ = compute_point("sc", ("ysr",), {"host_delta": 0.25, "J": 1.0, "moment_polar": 0.0})
    assert a["ysr_energy"] == pytest.approx(b["ysr_energy"], rel=1e-9)
    assert math.isfinite(a["ysr_energy"]) and np.isfinite(b["host_gap"])


def test_junction_point_is_the_junction_solver():
    """A junction sweep point is Junction.ground_state of the same electrodes and barrier: between Ising
    layers an out-of-plane magnet gives the pi ground state (F(pi) < F(0))."""
    import math

    import isingsc
    from isingsc.junctions.vertical import Barrier, Junction

    values = {"beta_so": 0.3, "mu": 1.0, "t0": 0.05, "t_m": 0.1, "m_polar": 0.0, "junction_delta": 0.05,
              "temperature": 0.005}
    result, err = compute_point("intrinsic", ("junction",), values)
    assert err == ""
    ref = Junction(isingsc.model("intrinsic", beta_so=0.3, mu=1.0), barrier=Barrier(0.05, 0.1, (0, 0, 1)),
                   delta=0.05).ground_state(0.005)
    assert result["ground_state"] == float(ref.ground_state) == 1.0
    assert result["ground_state_phase"] == pytest.approx(math.pi)
    assert result["critical_current"] == pytest.approx(float(ref.critical_current), rel=1e-12)
    assert result["free_energy_pi_minus_0"] < 0 and result["junction_convergence"] <= 1e-2
