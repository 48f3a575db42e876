"""``isingsc pairing``: JSON with Psi_s and the d-vector (Fermi surface, on site), PNG + NetCDF, bad input.

The numbers are checked against what the library returns for the same host (the command adds nothing) and
against the symmetry facts of the Ising layer (the Fermi-surface and on-site d vanish, the spin-weighted
<s_z d_z> does not).
"""

from __future__ import annotations

import json

import pytest

import isingsc.cli.correlations  # noqa: F401  (registers the command until cli/__init__ imports it)
from isingsc.correlations.amplitudes import PairingCorrelations, complex_part
from isingsc.models.catalogue import resolve

from .cli_helpers import run_cli

ARGS = ["pairing", "--model", "intrinsic", "--param", "mu=1.0", "--param", "beta_so=0.1", "--delta", "0.1",
        "--tol", "1e-5"]


@pytest.mark.slow
def test_pairing_json_and_files(capsys, tmp_path):
    code, out, err = run_cli(capsys, *ARGS, "--json", "--out", tmp_path / "p", "--n-grid", "24")
    assert code == 0, err
    data = json.loads(out)
    assert data["model"] == "intrinsic" and data["units"].startswith("amplitudes 1/|t|")
    fs, onsite = data["fermi_surface"], data["on_site"]
    psi = fs["psi_s"]["re"]
    assert abs(fs["d"]["re"][2]) < 1e-5 * psi and fs["d_spin"]["re"][2] > 0.1 * psi
    assert max(abs(x) for x in onsite["d"]["re"]) < 1e-5 * onsite["psi_s"]["re"]
    ref = PairingCorrelations(resolve("intrinsic", mu=1.0, beta_so=0.1), delta=0.1, tol=1e-5).local(0.0)
    assert onsite["psi_s"]["re"] == pytest.approx(float(complex_part(ref, "psi_s").values[0, 0].real), rel=1e-9)
    names = {p.name for p in (tmp_path / "p").iterdir()}
    assert {"pairing.nc", "pairing.png", "pairing_fermi_surface.nc"} <= names


def test_pairing_matsubara_text(capsys):
    code, out, err = run_cli(capsys, *ARGS, "--matsubara", "--energy", "0.2")
    assert code == 0, err
    assert "matsubara" in out and "on site" in out


@pytest.mark.slow
def test_pairing_wire_json(capsys):
    code, out, err = run_cli(capsys, "pairing", "--model", "intrinsic", "--param", "mu=1.0", "--param", "beta_so=0.3",
                             "--delta", "0.3", "--wire", "--n-sites", "16", "--tol", "1e-5", "--json")
    assert code == 0, err
    wire = json.loads(out)["wire"]
    assert wire["index"] == -1 and wire["kitaev_index"] == -1
    assert 0 < wire["end_state_energy"] <= wire["end_state_energy_static"]


@pytest.mark.parametrize("extra, word", [
    (["--wire", "--polarisation", "1,1,0"], "--polarisation"),
    (["--wire", "--polarisation", "1,0"], "--polarisation"),
    (["--wire", "--direction", "2,0"], "direction"),
    (["--wire", "--t-c", "-0.5"], "--t-c"),
    (["--wire", "--n-sites", "1"], "--n-sites"),
    (["--eta", "0"], "--eta"),
    (["--energy", "0.5"], "energy"),  # real, outside the gap, no broadening
    (["--matsubara", "--eta", "0.1"], "eta"),
])
def test_bad_input_one_line_exit_2_nothing_written(capsys, tmp_path, extra, word):
    code, _, err = run_cli(capsys, *ARGS, *extra, "--out", tmp_path / "p")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and word in lines[0], err
    assert not (tmp_path / "p").exists()


def test_model_without_pairing_is_refused(capsys, tmp_path):
    code, _, err = run_cli(capsys, "pairing", "--model", "tmd", "--out", tmp_path / "p")
    assert code == 2 and "no pairing" in err and not (tmp_path / "p").exists()
