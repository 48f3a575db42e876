"""CLI commands fit / materials / pauli / allen-dynes / ising-hc2: outputs, JSON, one-line errors, nothing written."""

import json

import pytest

from isingsc.cli import main


def run(capsys, *args):
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fit_writes_plot_json_netcdf(capsys, ising_csv, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "fit", str(ising_csv), "--out", str(out))
    assert code == 0, err
    for suffix in (".png", ".json", ".nc"):
        assert (out / f"hc2_ising_fit{suffix}").is_file()
    assert "beta_so" in stdout and "meV" in stdout and "reduced chi2" in stdout and "95% CI" in stdout
    d = json.loads((out / "hc2_ising_fit.json").read_text())
    assert d["parameters"]["Tc"]["unit"] == "K"


def test_fit_json_and_options(capsys, ising_csv):
    code, stdout, err = run(capsys, "fit", str(ising_csv), "--model", "ising-scattering", "--fix", "gamma_so=0.1",
                            "--json", "--no-write")
    assert code == 0, err
    d = json.loads(stdout)
    assert d["parameters"]["gamma_so"]["vary"] is False and d["parameters"]["gamma_so"]["value"] == 0.1
    assert d["files"] == {}


@pytest.mark.parametrize("content, needle", [
    ("T,field_x\n1.0,5.0\n", "missing column"),
    ("T,B\n1.0,5.0\n2.0,abc\n", "non-numeric"),
    ("T,B\n-1.0,5.0\n1.0,3.0\n2.0,1.0\n", "0 < T <= 1000 K"),
    ("T,B\n1.0,-5.0\n1.5,3.0\n2.0,1.0\n", "0 <= B <= 1000 T"),
    ("", "empty"),
    ("T,B,err\n" + "".join(f"{0.3 * i:.2f},{max(30 - 9 * i, 0.5):.2f},0.2\n" for i in range(1, 10)) + "3.6,0.5,0.05\n",
     "above the fitted Tc"),
])
def test_fit_bad_input_one_line_nothing_written(capsys, tmp_path, content, needle):
    data = tmp_path / "bad.csv"
    data.write_text(content)
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "fit", str(data), "--out", str(out))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], err
    assert "Traceback" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.parametrize("args, name", [
    (["fit", "x.csv", "--model", "bcs"], "model"),
    (["pauli", "--tc", "-1"], "--tc"),
    (["pauli", "--tc", "1e300"], "--tc"),
    (["pauli", "--tc", "2", "--temperature", "3"], "--temperature"),
    (["pauli", "--tc", "abc"], "--tc"),
    (["pauli", "--variant", "x"], "variant"),
    (["allen-dynes", "--lambda", "0.1", "--mu-star", "0.2", "--omega-log", "100"], "lambda"),
    (["allen-dynes", "--lambda", "1.0"], "--omega-log/--tc"),
    (["ising-hc2", "--soc", "-1"], "--soc"),
    (["ising-hc2", "--n-points", "1000000000"], "--n-points"),
    (["materials", "--plot", "x.bogus"], "--plot"),
    (["ising-hc2", "--soc-convention", "quarter"], "convention"),
    (["materials", "--material", "unobtainium"], "material"),
])
def test_bad_options_one_line(capsys, args, name):
    code, stdout, err = run(capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "allowed range" in lines[0], err


def test_materials_table_json_and_files(capsys, tmp_path):
    code, stdout, err = run(capsys, "materials")
    assert code == 0 and "NbSe2-1L-MBE" in stdout and "inconsistent" in stdout and "Bc2/Bp" in stdout
    code, stdout, err = run(capsys, "materials", "--json")
    d = json.loads(stdout)
    assert d["versions"]["schema_version"] == 1 and len(d["rows"]) == len(d["consistency_check"])
    code, stdout, err = run(capsys, "materials", "--out", str(tmp_path / "m"), "--plot", str(tmp_path / "p.png"))
    assert code == 0
    assert {p.name for p in (tmp_path / "m").iterdir()} == {"materials.json", "materials.nc", "materials_bc2_over_bp.png"}
    assert (tmp_path / "p.png").is_file()
    code, stdout, err = run(capsys, "materials", "--check", "--material", "NbSe2")
    assert "inconsistent" in stdout and "WS2" not in stdout


def test_pauli_allen_dynes_ising_commands(capsys, tmp_path):
    code, stdout, err = run(capsys, "pauli", "--tc", "3", "-T", "1", "--json")
    d = json.loads(stdout)
    assert round(d["slope_T_per_K"], 4) == 1.8568 and d["transition_order"] == "first"
    assert round(d["tricritical"]["T_over_Tc"], 4) == 0.5615
    code, stdout, err = run(capsys, "allen-dynes", "--lambda", "1.815", "--mu-star", "0.10", "--tc", "24.58", "--json")
    d = json.loads(stdout)
    code, stdout, err = run(capsys, "allen-dynes", "--lambda", "1.815", "--mu-star", "0.17",
                            "--omega-log", str(d["omega_log_K"]), "--json")
    assert round(json.loads(stdout)["Tc_K"], 2) == 19.93  # see test_gl_eliashberg: the review quotes 20.06 K
    code, stdout, err = run(capsys, "ising-hc2", "--tc", "3", "--soc", "4", "--soc-convention", "full", "--n-points", "5",
                            "--out", str(tmp_path))
    assert code == 0 and "beta_so = 2 meV" in stdout
    assert (tmp_path / "ising_hc2.nc").is_file() and (tmp_path / "ising_hc2.png").is_file()


@pytest.mark.parametrize("cmd", ["fit", "materials", "pauli", "allen-dynes", "ising-hc2"])
def test_help(capsys, cmd):
    code, stdout, err = run(capsys, cmd, "--help")
    assert code == 0 and "Usage" in stdout
