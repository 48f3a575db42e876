"""The bad-input suite: every command, every numeric option, every malformed file kind.

Each malformed input must end with exit status 2, exactly one line on stderr that names the offending
option (or file and key) and what is allowed, no traceback, and no file written -- checked before any
computation.  The numeric options are enumerated from the CLI itself, so a new option is covered the
moment it is added.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
import typer

from isingsc.cli import app
from isingsc.core.errors import ParameterError
from isingsc.cli.options import Count, Number
from isingsc.models.modelfile import packaged_model_path

from .cli_helpers import run_cli

SWEEP = """[model]
name = "intrinsic"
[parameters]
mu = 2.7
[axes]
beta_so = [0.0, 0.01]
[compute]
quantities = ["Tc"]
"""
CSV_HC2 = "T,B\n" + "".join(f"{t:.2f},{b:.3f}\n" for t, b in ((0.5, 9.0), (1.0, 8.0), (1.5, 6.0), (2.0, 4.0),
                                                             (2.5, 1.5)))
CSV_SPECTRUM = "V,dIdV\n" + "".join(f"{v:.2f},{1 + 0.1 * math.exp(-v * v):.4f}\n" for v in
                                    [x / 10 for x in range(-30, 31)])


def _walk(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _walk(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


COMMANDS = dict(_walk(typer.main.get_command(app)))


def _parser(param):
    info = getattr(getattr(param, "type_descriptor", None), "parameter_info", None)
    parser = getattr(info, "parser", None)
    return parser if isinstance(parser, (Number, Count)) else None


def _bad_values(parser) -> list[str]:
    values = ["nan", "inf", "abc", "1e300", "-1e300"]
    if isinstance(parser, Count):
        values += [str(parser.lo - 1), str(parser.hi + 1), "2.5"]
    else:
        if parser.lo is not None:
            values.append(repr(parser.lo) if parser.lo_open else repr(parser.lo - 1.0 - abs(parser.lo)))
        if parser.hi is not None:
            values.append(repr(parser.hi) if parser.hi_open else repr(parser.hi + 1.0 + abs(parser.hi)))
        if parser.nonzero:
            values.append("0")
    return values


def _required(path, tmp_path) -> list[str]:
    """Valid values of a command's required arguments (a data file, a sweep file)."""
    if path == ("fit",):
        f = tmp_path / "hc2.csv"
        f.write_text(CSV_HC2)
        return [str(f)]
    if path == ("fit-spectrum",):
        f = tmp_path / "spec.csv"
        f.write_text(CSV_SPECTRUM)
        return [str(f)]
    if path == ("sweep",):
        f = tmp_path / "sweep.toml"
        f.write_text(SWEEP)
        return [str(f), "--out", str(tmp_path / "sweep-out")]
    return []


CASES = [(path, param.opts[0], value) for path, cmd in COMMANDS.items() for param in cmd.params
         if (parser := _parser(param)) is not None for value in _bad_values(parser)]


def test_every_numeric_option_has_a_range_parser():
    """Every float/int option of every command goes through a range-checking parser (with upper bounds)."""
    missing = []
    for path, cmd in COMMANDS.items():
        for param in cmd.params:
            ann = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            if ann in (float, int) and getattr(param, "param_type_name", "") == "option" and not param.count:
                parser = _parser(param)
                if parser is None or (isinstance(parser, Number) and parser.hi is None and parser.lo is None):
                    missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert not missing, missing


@pytest.mark.parametrize("path, flag, value", CASES, ids=[f"{'-'.join(p)} {f}={v}" for p, f, v in CASES])
def test_malformed_number_is_one_line_naming_the_option(capsys, tmp_path, monkeypatch, path, flag, value):
    monkeypatch.chdir(tmp_path)
    args = _required(path, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run_cli(capsys, *path, *args, flag, value)
    lines = err.strip().splitlines()
    assert code == 2, (code, err)
    assert len(lines) == 1 and flag in lines[0] and "allowed" in lines[0], err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


@pytest.mark.parametrize("path", [p for p in COMMANDS if any(param.opts[0] == "--out" for param in COMMANDS[p].params)])
def test_out_that_is_a_file_is_refused_before_the_computation(capsys, tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    args = _required(path, tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    for out in (blocker, blocker / "below"):
        code, _, err = run_cli(capsys, *path, *[a for a in args if a != str(tmp_path / "sweep-out")
                                                if a != "--out"], "--out", out)
        assert code == 2 and len(err.strip().splitlines()) == 1 and "--out" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("args, words", [
    (["materials", "--plot", "x.bogus"], "--plot"),
    (["fit", "DATA", "--plot", "fit.bogus"], "--plot"),
    (["sweep", "SWEEP", "--out", "OUT", "--scheduler", "not-an-address"], "--scheduler"),
    (["sweep", "SWEEP", "--out", "OUT", "--resume"], "--resume"),
    (["tc", "--model", "effective"], "eq8-static"),
    (["tc", "--model-file", "/nonexistent/model.toml"], "no such file"),
    (["tc", "--model", "ws2", "--gamma", "0.3"], "gamma"),
    (["tc", "--model", "intrinsic", "--param", "gamma=0.9"], "gamma"),
    (["tc", "--param", "gamma"], "--param"),
    (["tc", "--model", "intrinsic", "--model-file", "MODEL"], "--model"),
])
def test_malformed_choices_and_files_are_one_line(capsys, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hc2.csv").write_text(CSV_HC2)
    (tmp_path / "sweep.toml").write_text(SWEEP)
    shutil.copy(packaged_model_path("ws2.toml"), tmp_path / "model.toml")
    subs = {"DATA": "hc2.csv", "SWEEP": "sweep.toml", "OUT": "out", "MODEL": "model.toml"}
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = run_cli(capsys, *[subs.get(a, a) for a in args])
    assert code == 2 and len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


MODEL_FILES = {
    "toml syntax": lambda t: t + "\n[[broken\n",
    "unknown key": lambda t: t.replace("[model]", "[model]\ncolour = 3", 1),
    "missing model table": lambda t: t.replace("[model]", "[modelx]", 1),
    "non-numeric value": lambda t: t.replace("mu_k = 2.5", 'mu_k = "deep"', 1),
    "wrong matrix shape": lambda t: t + '\n[[hoppings]]\noffset = [0, 0]\nmatrix = [[1, 0], [0, 1], [0, 0]]\n',
    "non-Hermitian on-site": lambda t: t + '\n[[hoppings]]\noffset = [0, 0]\nvalue = "1j"\n',
    "empty file": lambda t: "",
}


@pytest.mark.parametrize("kind", MODEL_FILES)
def test_malformed_model_files_are_one_line_naming_the_file(capsys, tmp_path, kind):
    bad = tmp_path / "bad.toml"
    bad.write_text(MODEL_FILES[kind](packaged_model_path("ws2.toml").read_text()))
    code, _, err = run_cli(capsys, "tc", "--model-file", bad)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "bad.toml" in lines[0] and "Traceback" not in err, err


CSV_FILES = {
    "empty": "",
    "header only": "T,B\n",
    "wrong columns": "temperature_in_furlongs,x\n1,2\n2,3\n3,4\n",
    "non-numeric": "T,B\n1.0,5.0\n2.0,abc\n3.0,1.0\n",
    "NaN": "T,B\n1.0,5.0\n2.0,nan\n3.0,1.0\n",
    "huge": "T,B\n1.0,1e300\n2.0,1e300\n3.0,1.0\n",
    "binary": "\x00\x01\x02\x03",
}


@pytest.mark.parametrize("kind", CSV_FILES)
@pytest.mark.parametrize("command", ["fit", "fit-spectrum"])
def test_malformed_csv_is_one_line_and_writes_nothing(capsys, tmp_path, kind, command):
    bad = tmp_path / "data.csv"
    bad.write_text(CSV_FILES[kind])
    code, _, err = run_cli(capsys, command, bad, "--out", tmp_path / "out")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_truncated_netcdf_is_a_data_file_error(tmp_path):
    import xarray as xr

    from isingsc.core.errors import DataFileError
    from isingsc.core.results import load, save

    path = save(xr.Dataset({"x": ("i", [1.0, 2.0, 3.0])}), tmp_path / "r.nc")
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(DataFileError, match="r.nc"):
        load(path)


@pytest.mark.parametrize("bad", [np.ones((3, 4, 5)), np.ones(4), np.full((2, 3, 3), np.nan)])
def test_smallest_singular_value_refuses_non_square_or_non_finite(bad):
    from isingsc.topology.bulk import smallest_singular_value

    with pytest.raises(ParameterError, match="square"):
        smallest_singular_value(bad)


@pytest.mark.parametrize("level", [-1.0, float("nan"), "high"])
def test_smallest_singular_value_refuses_a_bad_resolve_below(level):
    from isingsc.topology.bulk import smallest_singular_value

    with pytest.raises(ParameterError, match="resolve_below"):
        smallest_singular_value(np.eye(4)[None].repeat(3, axis=0), resolve_below=level)


@pytest.mark.parametrize("rtol", [-1e-3, float("nan"), 0.5])
def test_instability_point_refuses_a_bad_rtol(rtol):
    from isingsc.meanfield import PairingProblem, default_spec
    from isingsc.meanfield.quadrature import quadrature_for
    from isingsc.meanfield.transitions import instability_point
    from isingsc.models.catalogue import resolve

    model = resolve("intrinsic").model
    problem = PairingProblem(model, quadrature_for(model, default_spec(0.02)).mesh(), 1.0)
    with pytest.raises(ParameterError, match="rtol"):
        instability_point(problem, 1e-3, v_start=1e-3, v_max=1.0, rtol=rtol)
