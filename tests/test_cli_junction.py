"""The junction commands: JSON keys and units, degrees at the boundary, bad input refused in one line."""

import json

import pytest

from .cli_helpers import run_cli


def test_junction_json_between_conventional_electrodes_is_a_zero_junction(capsys):
    """Without SOC the singlet coupling through T = t0 + t_m m.sigma goes as t0^2 - t_m^2 for every direction of
    m (T iσy T^T = (t0^2 - t_m^2) iσy): a 0 junction for t_m < t0, with the CPR on the requested grid in degrees."""
    code, out, err = run_cli(capsys, "junction", "--model", "sc", "--delta", "0.1", "--m-polar", "90", "--t-m", "0.02",
                             "--n-phases", "16", "--tol", "0.05", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ground_state"] == "0" and data["ground_state_phase"] == pytest.approx(0.0, abs=1e-6)
    assert data["phase"][0] == pytest.approx(-180.0) and len(data["current"]) == 16
    assert data["critical_current"] > 0 and data["free_energy_pi_minus_0"] > 0
    assert data["achieved_convergence"] <= 0.05 and "degrees" in data["units"]


@pytest.mark.parametrize("args, name", [
    (["junction", "--m-polar", "200"], "--m-polar"),
    (["junction", "--stacking", "45"], "--stacking"),
    (["junction", "--temperature", "0"], "--temperature"),
    (["junction", "--layers", "-1"], "--layers"),
    (["squid", "--pi-fraction", "1.5"], "--pi-fraction"),
    (["tmr", "--counter", "metal"], "counter"),
])
def test_bad_input_is_one_line_and_nothing_written(capsys, tmp_path, args, name):
    code, out, err = run_cli(capsys, *args, "--out", tmp_path / "o")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and name in lines[0], err
    assert not (tmp_path / "o").exists()
