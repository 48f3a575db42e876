"""``isingsc impurity``: the JSON equals the library's result; files are written; bad input is one line, exit 2,
nothing written."""

from __future__ import annotations

import json

import numpy as np
import pytest

import isingsc.cli.impurities  # noqa: F401  (registers the command until cli/__init__ imports it)
from isingsc.impurities.single import MagneticImpurity, moment_direction

from .cli_helpers import run_cli


def test_json_equals_the_library_and_converts_degrees_once(capsys):
    code, out, err = run_cli(capsys, "impurity", "--model", "sc", "--delta", "0.2", "--J", "1.5", "--moment-polar",
                             "90", "--moment-azimuth", "30", "--json")
    assert code == 0, err
    data = json.loads(out)
    m = moment_direction(np.pi / 2, np.pi / 6)
    ref = MagneticImpurity("sc", 1.5, m, delta=0.2).bound_states()
    np.testing.assert_allclose(data["moment"], m, atol=1e-15)
    np.testing.assert_allclose(data["bound_state_energies"], ref.energy.values, rtol=1e-12)
    assert data["delta"] == 0.2 and len(data["bound_state_energies"]) == 2


def test_out_writes_netcdf_and_png(capsys, tmp_path):
    code, _, err = run_cli(capsys, "impurity", "--model", "sc", "--delta", "0.3", "--J", "1.5", "--size", "12",
                             "--out", tmp_path / "o")
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert names == ["bound_states.nc", "ldos_map.nc", "ldos_map.png"]


@pytest.mark.parametrize("args, word", [
    (["--J", "101"], "--J"),
    (["--moment-polar", "181"], "--moment-polar"),
    (["--field", "0.5", "--field-polar", "0", "--delta", "0.05"], "host gap"),  # Zeeman beyond the gap
    (["--model", "tmd"], "no pairing"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(capsys, tmp_path, args, word):
    args = (["--model", "sc"] if "--model" not in args else []) + args
    code, _, err = run_cli(capsys, "impurity", *args, "--out", tmp_path / "o")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and word in lines[0] and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()
