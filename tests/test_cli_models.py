"""``isingsc models``, --model / --model-file / --param and the model options of every command."""

import json
import shutil
import subprocess
import sys

import pytest

from isingsc.models import catalogue as registry
from isingsc.cli.options import parse_name_values, resolve_model
from isingsc.core.errors import DataFileError, ParameterError
from isingsc.models.modelfile import packaged_model_path

from tests.cli_helpers import run_cli


call = run_cli


def test_models_lists_every_builtin(capsys):
    code, out, _ = call(capsys, "models")
    assert code == 0
    for name in registry.names():
        assert name in out


def test_models_json(capsys):
    code, out, _ = call(capsys, "models", "--json")
    assert code == 0
    rows = json.loads(out)["models"]
    assert [r["name"] for r in rows] == registry.names()
    for r in rows:
        assert r["description"] and r["reference"] and r["parameters"]
        assert set(r["parameters"]) == set(registry.get(r["name"]).parameter_names)
        if r["file"]:
            assert r["file"].endswith(".toml")
    assert {r["name"] for r in rows} >= {"heterostructure", "type-ii", "stanene", "pdte2", "mote2", "nbse2", "ws2"}


@pytest.mark.parametrize("name, d6", [("ws2.toml", True), ("pdte2.toml", False)])
def test_model_file_is_described(capsys, tmp_path, name, d6):
    path = tmp_path / name
    shutil.copy(packaged_model_path(name), path)
    code, out, err = call(capsys, "models", "--model-file", str(path), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["source"] == str(path)
    assert info["d6_spectrum"] is d6  # Rashba breaks the D6 symmetry of the spectrum in an in-plane field
    assert info["delta0"] == pytest.approx(0.03)


def test_param_overrides_reach_the_model(capsys):
    path = str(packaged_model_path("pdte2.toml"))
    code, out, _ = call(capsys, "models", "--model-file", path, "--param", "alpha_r=0.25", "--json")
    assert code == 0
    assert json.loads(out)["parameters"]["alpha_r"] == pytest.approx(0.25)


@pytest.mark.parametrize("args, words", [
    (["models", "--param", "beta=0.1"], "--param"),
    (["models", "--model-file", "PATH", "--param", "beta0.1"], "--param"),
    (["models", "--model-file", "PATH", "--param", "nope=1"], "override nope"),
    (["models", "--model-file", "/nonexistent/model.toml"], "no such file"),
])
def test_bad_options_are_one_line(capsys, args, words):
    args = [str(packaged_model_path("ws2.toml")) if a == "PATH" else a for a in args]
    code, out, err = call(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and words in err


def test_malformed_model_file_one_line_naming_the_key(tmp_path):
    """End to end (subprocess): exit status non-zero, exactly one line on stderr that names the key."""
    text = packaged_model_path("ws2.toml").read_text().replace('type = "ising"', 'type = "ising"\nbetta = 0.1')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    proc = subprocess.run([sys.executable, "-c", "from isingsc.cli import main; main()", "models",
                           "--model-file", str(bad)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "soc[0].betta" in lines[0] and "unknown key" in lines[0] and "Traceback" not in proc.stderr


def test_resolve_model():
    r = resolve_model("pdte2", None, None, {})
    assert r.source == "built-in" and r.model.orbitals == ("px", "py") and r.reference is r.model
    h = resolve_model("heterostructure", None, None, {})
    assert h.reference.orbitals == ("sc",) and h.delta0 == pytest.approx(0.02)
    f = resolve_model(None, packaged_model_path("ws2.toml"), ["beta_so=0.05"], {})
    assert f.name == "ws2" and f.model.parameters["beta_so"] == pytest.approx(0.05)
    # --param works for built-in models too, and the paper's flags are the same overrides
    p = resolve_model("pdte2", None, ["alpha_r=0.15"], {})
    assert p.parameters["alpha_r"] == pytest.approx(0.15)
    i = resolve_model("intrinsic", None, None, {"mu_sc": 2.7, "beta_so": 0.01})
    assert i.parameters == {"t": -1.0, "mu": 2.7, "beta_so": 0.01}
    with pytest.raises(ParameterError, match="one of heterostructure"):
        resolve_model("graphene", None, None, {})
    with pytest.raises(ParameterError, match="has no parameter 'gamma'"):
        resolve_model("intrinsic", None, None, {"gamma": 0.9})
    with pytest.raises(ParameterError, match="both by the flag and by --param"):
        resolve_model("intrinsic", None, ["beta_so=0.1"], {"beta_so": 0.2})
    with pytest.raises(ParameterError, match="eq8-static"):
        resolve_model("effective", None, None, {})
    with pytest.raises(DataFileError):
        resolve_model(None, "/nonexistent.toml", None, {})
    assert parse_name_values("--param", ["a=1", "b = -2.5"]) == {"a": 1.0, "b": -2.5}
