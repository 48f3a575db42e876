"""The topology commands: winding (ribbon and edge: see below), JSON output and one-line errors."""

import json

import pytest

from .test_cli import run


def test_winding_json_paper_defaults():
    out = json.loads(run("winding", "--json", "--n-ky", "24", check=True).stdout)
    for key in ("ky", "winding", "min_gap", "nodes", "delta", "vx", "model", "units"):
        assert key in out
    assert out["vx"] == pytest.approx(4 * out["delta"])
    assert len(out["ky"]) == len(out["winding"]) == 24
    assert len(out["nodes"]["kx"]) == 12 and sum(out["nodes"]["charge"]) == 0
    assert any(w not in (0, None) for w in out["winding"])


def test_winding_zero_field_is_trivial():
    out = json.loads(run("winding", "--json", "--n-ky", "12", "--vx", "0", "--model", "effective",
                         check=True).stdout)
    assert out["winding"] == [0] * 12 and out["nodes"]["kx"] == []


@pytest.mark.parametrize("args, name", [
    (["winding", "--vx", "-1"], "vx"),
    (["winding", "--delta", "0"], "delta"),
    (["winding", "--model", "graphene"], "model"),
    (["winding", "--n-ky", "1"], "n_ky"),
])
def test_topology_bad_input_is_one_line(args, name):
    proc = run(*args)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert name in proc.stderr and "allowed" in proc.stderr and "Traceback" not in proc.stderr
