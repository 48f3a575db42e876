"""The command line: outputs, JSON, one-line errors, help."""

import json
import subprocess
import sys

import numpy as np
import pytest

from .cli_helpers import run_cli


def run(*args, check=False):
    """The console entry point in a fresh interpreter (what a user runs)."""
    proc = subprocess.run([sys.executable, "-c", "from isingsc.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_induced_soc_json(capsys):
    code, out, err = run_cli(capsys, "induced-soc", "--json")
    assert code == 0, err
    out = json.loads(out)
    for key in ("k", "beta_eff", "parameters", "soc_z", "units"):
        assert key in out
    assert len(out["k"]) == len(out["beta_eff"])
    assert out["parameters"]["gamma"] == 0.5
    # Γ: beta_eff = Gamma^2 beta_SO / (2 t_TMD * 3 - mu_TMD)^2 (closed form at C = 3, S = 0)
    assert out["beta_eff"][0] == pytest.approx(0.25 * 0.5 / 81.0)


@pytest.mark.parametrize("args, name", [
    (["induced-soc", "--gamma", "-1"], "gamma"),
    (["induced-soc", "--gamma", "abc"], "--gamma"),
    (["dos", "--eta", "0"], "--eta"),
    (["bands", "--t-sc", "0"], "t_sc"),
    (["dos", "--field", "-0.1"], "--field"),
    (["gap", "--temperature", "-0.01"], "--temperature"),
    (["gap", "--field", "1e300"], "--field"),
    (["tc", "--delta0", "0"], "--delta0"),
    (["tc", "--delta0", "nan"], "--delta0"),
    (["tc", "--gamma", "inf"], "--gamma"),
    (["hc2", "--n-points", "1000000000"], "--n-points"),
    (["reproduce", "--figures", "9"], "figures"),
    (["reproduce", "--quality", "best"], "quality"),
])
def test_bad_input_is_one_line_naming_the_parameter_and_range(capsys, args, name):
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0] and "allowed" in lines[0], lines[0]
    assert "Traceback" not in err


def test_console_script_error_has_no_traceback():
    proc = run("tc", "--delta0", "1e300")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "isingsc: error: invalid value for --delta0: '1e300' is outside the allowed range > 0 and <= 1 (|t|)"]


@pytest.mark.parametrize("args", [["hc2", "--n-points", "2"], ["bands", "--n-grid", "16"], ["edge", "--n-ky", "2"],
                                  ["dos", "--n-k", "6", "--n-grid", "8"]])
def test_an_out_that_is_a_file_is_refused_before_any_work(capsys, tmp_path, args):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker, blocker / "below"):
        code, _, err = run_cli(capsys, *args, "--out", out)
        assert code == 2 and "--out" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_every_command_has_help(capsys):
    from isingsc.cli.app import app
    import typer.main

    group = typer.main.get_command(app)
    assert {"bands", "dos", "induced-soc", "reproduce", "gap", "tc", "hc2", "spectrum", "models"} <= set(group.commands)
    commands = [[n] for n in group.commands if n != "spectrum"] + [["spectrum", "bulk"], ["spectrum", "edge"]]
    for name in commands:
        code, out, _ = run_cli(capsys, *name, "--help")
        assert code == 0 and "Usage" in out, name


def test_reproduce_writes_figures_and_data(capsys, tmp_path):
    code, _, err = run_cli(capsys, "reproduce", "--out", tmp_path, "--figures", "1,2", "--quiet")
    assert code == 0, err
    for name in ("fig1_bands_fermi_surfaces.png", "fig1_bands_fermi_surfaces.pdf", "fig2_rho0_rho3.png",
                 "fig1_bands_sc.nc", "fig2_spectral_maps.nc", "report.html"):
        assert (tmp_path / name).stat().st_size > 1000, name


def test_dos_command(capsys, tmp_path):
    code, out, err = run_cli(capsys, "dos", "--out", tmp_path, "--n-k", "30", "--n-grid", "21", "--delta", "0.1")
    assert code == 0, err
    assert "states/|t|/site" in out and "mesh" in out
    assert (tmp_path / "dos.nc").exists() and (tmp_path / "dos.png").exists()


def test_bands_command_for_a_family_model(capsys, tmp_path):
    code, out, err = run_cli(capsys, "bands", "--model", "type-ii", "--out", tmp_path, "--n-grid", "41")
    assert code == 0, err
    for name in ("bands.nc", "fermi_contours.nc", "bands.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_gap_and_tc_json_at_zero_coupling(capsys):
    """Gamma = 0: the heterostructure is the isolated SC: BCS ratio and Delta0 as requested."""
    code, out, err = run_cli(capsys, "tc", "--gamma", "0", "--delta0", "0.02", "--json")
    assert code == 0, err
    out = json.loads(out)
    assert out["Delta0"] == pytest.approx(0.02, rel=1e-3)
    assert out["Delta0"] / out["Tc"] == pytest.approx(np.pi * np.exp(-np.euler_gamma), rel=0.01)
    assert out["achieved_tolerance"] <= out["tolerance"] and "k points" in out["kmesh"]
    code, out, err = run_cli(capsys, "gap", "--gamma", "0", "--field", "0.005", "--json")
    assert code == 0, err
    gap = json.loads(out)
    assert gap["Delta"] == pytest.approx(0.02, rel=0.01) and abs(gap["residual"]) < 1e-6
    assert gap["achieved_tolerance"] <= 0.005


def test_hc2_json_intrinsic(capsys, tmp_path):
    code, out, err = run_cli(capsys, "hc2", "--model", "intrinsic", "--mu-sc", "0", "--beta-so", "0",
                             "--n-points", "4", "--out", tmp_path, "--json")
    assert code == 0, err
    out = json.loads(out)
    for key in ("Tc", "Delta0", "HP", "T", "T_over_Tc", "Hc2_over_HP", "transition_order", "kmesh", "tolerance",
                "units"):
        assert key in out
    assert out["HP"] == pytest.approx(out["Delta0"] / np.sqrt(2))
    assert len(out["transition_order"]) == 4 and (tmp_path / "hc2.nc").exists()
    # no spin-orbit coupling: the Pauli limit, first order at low T (Sarma: below T* = 0.5615 Tc)
    assert out["transition_order"][0] == "first" and out["transition_order"][-1] == "second"
