"""--field-angle and --model-file in the solver and topology commands (issue 7 wiring)."""

import json

import numpy as np
import pytest

from isingsc.models.modelfile import packaged_model_path

from tests.cli_helpers import run_cli


run = run_cli


def gap(capsys, *args):
    code, out, err = run(capsys, "gap", "--json", *args)
    assert code == 0, err
    return json.loads(out)["Delta"]


def test_gap_is_isotropic_for_a_sixfold_ising_layer_and_twofold_for_mote2(capsys):
    """An intrinsic Ising layer (sigma_z SOC, C3 lattice): the spin-rotation about z maps a field at
    any in-plane angle to one along x, so Delta(V, phi) is independent of phi.  The Td-MoTe2-like
    model's in-plane SOC breaks that symmetry: Delta(V) differs between x and y, and phi -> phi + 180 deg
    (time reversal x the field sign) leaves it unchanged."""
    common = ("--model", "intrinsic", "--mu-sc", "2.7", "--beta-so", "0.01", "--delta0", "0.05",
              "--temperature", "0.01", "--field", "0.03")
    iso = [gap(capsys, *common, "--field-angle", a) for a in (0, 37, 90)]
    # gap solved to tol = 1e-6 x delta_max (delta_max = 1.5 Delta0): equality to that accuracy
    assert np.allclose(iso, iso[0], rtol=2e-6) and iso[0] > 0
    mote2 = ("--model-file", packaged_model_path("mote2.toml"), "--temperature", "0.008", "--field", "0.03")
    d = {a: gap(capsys, *mote2, "--field-angle", a) for a in (0, 90, 180)}
    assert d[0] == pytest.approx(d[180], rel=2e-6)
    assert d[90] > 0 and abs(d[0] - d[90]) > 1e-3 * d[90]


def test_model_file_equals_the_builtin_model(capsys):
    """The packaged heterostructure.toml is the paper's model: same W(ky) and nodes at 30 degrees."""
    args = ("--n-ky", "9", "--field-angle", "30", "--json")
    code, out_file, err = run(capsys, "winding", "--model-file", packaged_model_path("heterostructure.toml"), *args)
    assert code == 0, err
    code, out_builtin, err = run(capsys, "winding", "--model", "heterostructure", *args)
    assert code == 0, err
    a, b = json.loads(out_file), json.loads(out_builtin)
    assert a["winding"] == b["winding"] and a["field_angle_deg"] == 30.0
    assert len(a["nodes"]["kx"]) == len(b["nodes"]["kx"]) == 12


def test_malformed_model_file_in_a_solver_command_is_one_error_line(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(open(packaged_model_path("ws2.toml")).read().replace("[model]", "[model]\ncolour = 3", 1))
    code, out, err = run(capsys, "tc", "--model-file", bad)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "colour" in err


def test_field_angle_must_be_finite(capsys):
    code, _, err = run(capsys, "gap", "--field-angle", "nan")
    assert code == 2 and "--field-angle" in err
