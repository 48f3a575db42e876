"""``isingsc chain``: JSON with the symmetry class, invariant, gap and end-state energies; bad input is one line.

The command module registers itself on the app when imported (the lead adds it to ``isingsc.cli``); the
numbers it prints are those of the library (MagneticChain), which tests/test_chain.py checks physically.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import isingsc
import isingsc.cli.chains
from isingsc.correlations.host import HostGreensFunction
from isingsc.impurities.chain import MagneticChain, tilted

from .cli_helpers import run_cli

BASE = ["chain", "--model", "intrinsic", "--param", "mu=2.5", "--param", "beta_so=0.3", "--delta", "0.3"]


@pytest.mark.slow
def test_chain_json_equals_the_library_and_writes_files(capsys, tmp_path):
    """The printed class, invariant and gap are those of MagneticChain for the same input (degrees converted
    once: --theta 90 is an in-plane moment), and --out holds bands.nc, end_states.nc and chain.png."""
    code, out, err = run_cli(capsys, *BASE, "--J", "1.5", "--theta", "90", "--n-sites", "10", "--json",
                             "--out", tmp_path / "out")
    assert code == 0, err
    result = json.loads(out)
    chain = MagneticChain(HostGreensFunction(isingsc.model("intrinsic", mu=2.5, beta_so=0.3), 0.3), 1.5,
                          tilted(np.pi / 2))
    assert result["symmetry_class"] == "BDI" == chain.symmetry().symmetry_class
    assert result["invariant"] == int(chain.invariant().invariant) == 1
    assert abs(result["gap"] - float(chain.gap().gap)) < 1e-9
    assert len(result["end_state_energies"]) >= 1 and result["end_state_energies"][0] < result["gap"]
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"bands.nc", "end_states.nc", "chain.png"}


@pytest.mark.parametrize("args, flag", [
    (["--J", "0"], "--J"), (["--J", "-1"], "--J"), (["--J", "1e3"], "--J"), (["--spacing", "0"], "--spacing"),
    (["--spacing", "1.5"], "--spacing"), (["--n-sites", "1"], "--n-sites"), (["--direction", "0,0"], "--direction"),
    (["--direction", "2,4"], "--direction"), (["--direction", "x"], "--direction"), (["--theta", "200"], "--theta"),
    (["--texture", "helix"], "--texture"), (["--texture", "spiral", "--pitch", "1/0"], "--pitch"),
    (["--delta", "0"], "--delta"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(capsys, tmp_path, monkeypatch, args, flag):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *BASE, *args, "--out", tmp_path / "out")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and flag in lines[0] and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()
