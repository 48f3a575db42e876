"""The command line: outputs, JSON, one-line errors, help."""

import json
import subprocess
import sys

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
    assert {"bands", "dos", "induced-soc", "reproduce"} <= set(group.commands)
    for name in group.commands:
        proc = run(name, "--help")
        assert proc.returncode == 0 and "Usage" in proc.stdout, name


def test_reproduce_writes_figures_and_data(tmp_path):
    main(["reproduce", "--out", str(tmp_path), "--quiet"])  # returns normally on success
    for name in ("fig1_bands_fermi_surfaces.png", "fig1_bands_fermi_surfaces.pdf", "fig2_rho0_rho3.png",
                 "fig1_bands_sc.nc", "fig2_spectral_maps.nc"):
        assert (tmp_path / name).stat().st_size > 1000, name


def test_dos_command(tmp_path):
    proc = run("dos", "--out", str(tmp_path), "--n-k", "30", "--n-grid", "21", "--delta", "0.1", check=True)
    assert "states/|t|/site" in proc.stdout and "mesh" in proc.stdout
    assert (tmp_path / "dos.nc").exists() and (tmp_path / "dos.png").exists()
