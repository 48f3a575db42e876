"""The command line: outputs, JSON, one-line errors, help."""

import json
import subprocess
import sys

import numpy as np
import pytest

from isingsc.cli import main


def run(*args, check=False):
    proc = subprocess.run([sys.executable, "-c", "from isingsc.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_induced_soc_json():
    out = json.loads(run("induced-soc", "--json", check=True).stdout)
    for key in ("k", "beta_eff", "parameters", "soc_z", "units"):
        assert key in out
    assert len(out["k"]) == len(out["beta_eff"])
    assert out["parameters"]["gamma"] == 0.5
    # Γ: beta_eff = Gamma^2 beta_SO / (2 t_TMD * 3 - mu_TMD)^2 (closed form at C = 3, S = 0)
    assert out["beta_eff"][0] == pytest.approx(0.25 * 0.5 / 81.0)


@pytest.mark.parametrize("args, name", [
    (["induced-soc", "--gamma", "-1"], "gamma"),
    (["induced-soc", "--gamma", "abc"], "--gamma"),
    (["dos", "--eta", "0"], "eta"),
    (["bands", "--t-sc", "0"], "t_sc"),
    (["dos", "--vx", "-0.1"], "vx"),
    (["gap", "--temperature", "-0.01"], "T"),
    (["gap", "--vx", "-1"], "vx"),
    (["tc", "--delta0", "0"], "delta0"),
    (["hc2", "--model", "graphene"], "model"),
    (["reproduce", "--figures", "7"], "figures"),
])
def test_bad_input_is_one_line_naming_the_parameter(args, name):
    proc = run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert name in lines[0] and ("allowed range" in lines[0])
    assert "Traceback" not in proc.stderr


def test_every_command_has_help():
    from isingsc.cli.app import app
    import typer.main

    group = typer.main.get_command(app)
    assert {"bands", "dos", "induced-soc", "reproduce", "gap", "tc", "hc2"} <= set(group.commands)
    for name in group.commands:
        proc = run(name, "--help")
        assert proc.returncode == 0 and "Usage" in proc.stdout, name


def test_reproduce_writes_figures_and_data(tmp_path):
    main(["reproduce", "--out", str(tmp_path), "--figures", "1,2", "--quiet"])  # returns normally on success
    for name in ("fig1_bands_fermi_surfaces.png", "fig1_bands_fermi_surfaces.pdf", "fig2_rho0_rho3.png",
                 "fig1_bands_sc.nc", "fig2_spectral_maps.nc"):
        assert (tmp_path / name).stat().st_size > 1000, name


def test_dos_command(tmp_path):
    proc = run("dos", "--out", str(tmp_path), "--n-k", "30", "--n-grid", "21", "--delta", "0.1", check=True)
    assert "states/|t|/site" in proc.stdout and "mesh" in proc.stdout
    assert (tmp_path / "dos.nc").exists() and (tmp_path / "dos.png").exists()


def test_gap_and_tc_json_at_zero_coupling():
    """Gamma = 0: the heterostructure is the isolated SC: BCS ratio and Delta0 as requested."""
    out = json.loads(run("tc", "--gamma", "0", "--delta0", "0.02", "--json", check=True).stdout)
    assert out["Delta0"] == pytest.approx(0.02, rel=1e-3)
    assert out["Delta0"] / out["Tc"] == pytest.approx(np.pi * np.exp(-np.euler_gamma), rel=0.01)
    assert out["achieved_tolerance"] <= out["tolerance"] and "k points" in out["kmesh"]
    gap = json.loads(run("gap", "--gamma", "0", "--vx", "0.005", "--json", check=True).stdout)
    assert gap["Delta"] == pytest.approx(0.02, rel=0.01) and abs(gap["residual"]) < 1e-6


@pytest.mark.slow
def test_hc2_json_intrinsic(tmp_path):
    out = json.loads(run("hc2", "--model", "intrinsic", "--mu-sc", "0", "--beta-so", "0", "--n-points", "4",
                         "--out", str(tmp_path), "--json", check=True).stdout)
    for key in ("Tc", "Delta0", "HP", "T_over_Tc", "Hc2_over_HP", "order", "kmesh", "tolerance", "units"):
        assert key in out
    assert out["HP"] == pytest.approx(out["Delta0"] / np.sqrt(2))
    assert len(out["order"]) == 4 and (tmp_path / "hc2.nc").exists()
