"""The ``spectrum`` and ``fit-spectrum`` commands: JSON, files, one-line errors, help.

Physics checked through the CLI (known results): below the Pauli field at T = 0.1 Tc the gap of a film
without spin-orbit coupling equals its zero-field value (no quasiparticles are excited for V < Delta, and
T << Tc); the edge of the nodal phase (Vx = 3 Delta) has zero modes, the gapped phase (Vx = 0) none.
"""

import json

import numpy as np
import pytest

from isingsc.spectroscopy.tunnelling import btk_conductance

from tests.cli_helpers import run_cli


run = run_cli


def test_bulk_spectrum_json_and_files(capsys, tmp_path):
    code, out, err = run(capsys, "spectrum", "bulk", "--model", "sc", "--h", "0.5", "--n-bias", "41", "--json",
                         "--out", str(tmp_path))
    assert code == 0, err
    d = json.loads(out)
    assert d["delta"] == pytest.approx(d["delta0"], rel=1e-3)
    assert d["H_over_HP"] == 0.5 and len(d["dIdV"]) == 41
    assert d["coherence_peak"] > 0 and "kmesh_dos" in d and d["eta"] == pytest.approx(0.001)
    assert d["spectral_gap"] == pytest.approx(d["delta"] - d["field"], rel=0.05)  # Zeeman-split gap Delta - V
    for f in d["files"]:
        assert (tmp_path / f.split("/")[-1]).exists()
    assert {p.suffix for p in tmp_path.iterdir()} == {".nc", ".png"}


def test_edge_spectrum(capsys, tmp_path):
    code, out, err = run(capsys, "spectrum", "edge", "--model", "intrinsic", "--t-sc", "-1",
                         "--mu-sc", "-3", "--beta-so", "1", "--delta", "0.25", "--field", "0", "--field", "0.75",
                         "--n-ky", "16", "--n-ky-modes", "120", "--n-energy", "11", "--no-compare-winding",
                         "--json", "--out", str(tmp_path))
    assert code == 0, err
    d = json.loads(out)
    modes = {round(z["field_over_delta"]): z["flat_band_density"] for z in d["zero_modes"]}
    assert modes[0] == 0 and modes[3] > 0
    assert (tmp_path / "spectrum_edge.nc").exists() and (tmp_path / "spectrum_edge.png").exists()


@pytest.mark.parametrize("args, name", [
    (["spectrum", "side"], "side"),
    (["spectrum", "bulk", "--model", "graphene"], "model"),
    (["spectrum", "bulk", "--eta", "0"], "--eta"),
    (["spectrum", "bulk", "--temperature", "-1"], "--temperature"),
    (["spectrum", "bulk", "--h", "1e300"], "--h"),
    (["spectrum", "edge", "--delta", "-0.1"], "--delta"),
    (["spectrum", "bulk", "--n-bias", "abc"], "--n-bias"),
    (["spectrum", "bulk", "--delta", "0.1"], "--delta"),  # an edge option is not a bulk option
    (["spectrum", "edge", "--t-junction", "0.1"], "--t-junction"),
])
def test_bad_options_are_one_line(capsys, args, name):
    code, out, err = run(capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in err


def test_fit_spectrum_command(capsys, tmp_path):
    v = np.linspace(-3, 3, 81)
    g = 1.5 * btk_conductance(v, 0.9, 30.0, 0.05, temperature=0.05)
    rng = np.random.default_rng(2)
    f = tmp_path / "spec.csv"
    f.write_text("V (mV),dI/dV (a.u.)\n" + "\n".join(f"{a:.5f},{b:.6f}" for a, b in
                                                      zip(v, g + rng.normal(0, 0.003, v.size))))
    code, out, err = run(capsys, "fit-spectrum", str(f), "--json", "--out", str(tmp_path / "fit"))
    assert code == 0, err
    d = json.loads(out)
    assert d["parameters"]["delta"]["value"] == pytest.approx(0.9, abs=0.02)
    assert set(d["files"]) == {"plot", "json", "netcdf"}
    for p in d["files"].values():
        assert (tmp_path / "fit" / p.split("/")[-1]).exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("V,dIdV\n" + "\n".join(f"{x},1.0" for x in [0, 1, 2, 3, 2.5, 5, 6, 7, 8, 9, 10]))
    code, out, err = run(capsys, "fit-spectrum", str(bad))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "monotonic" in err


def test_help_states_units(capsys):
    for cmd, words in ((("spectrum", "bulk"), ["|t|", "Tc_ref", "Dynes"]), (("spectrum", "edge"), ["|t|", "zero-bias"]),
                       (("fit-spectrum",), ["meV", "K", "mV"])):
        code, out, err = run(capsys, *cmd, "--help")
        assert code == 0 and all(w in out for w in words), cmd
