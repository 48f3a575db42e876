"""The topology commands: winding (ribbon and edge: see below), JSON output and one-line errors."""

import json

import pytest

from .cli_helpers import run



def test_winding_json_paper_defaults(capsys):
    out = json.loads(run(capsys, "winding", "--json", "--n-ky", "24", check=True).stdout)
    for key in ("ky", "winding", "min_gap", "nodes", "delta", "field", "model", "units"):
        assert key in out
    assert out["field"] == pytest.approx(4 * out["delta"])
    assert len(out["ky"]) == len(out["winding"]) == 24
    assert len(out["nodes"]["kx"]) == 12 and sum(out["nodes"]["charge"]) == 0
    assert any(w not in (0, None) for w in out["winding"])


def test_winding_zero_field_is_trivial(capsys):
    out = json.loads(run(capsys, "winding", "--json", "--n-ky", "12", "--field", "0", "--model", "effective-fit",
                         check=True).stdout)
    assert out["winding"] == [0] * 12 and out["nodes"]["kx"] == []


@pytest.mark.parametrize("args, name", [
    (["winding", "--field", "-1"], "--field"),
    (["winding", "--delta", "0"], "--delta"),
    (["winding", "--model", "graphene"], "model"),
    (["winding", "--n-ky", "1"], "--n-ky"),
    (["winding", "--n-ky", "1000000000"], "--n-ky"),
])
def test_topology_bad_input_is_one_line(capsys, args, name):
    proc = run(capsys, *args)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert name in proc.stderr and "allowed" in proc.stderr and "Traceback" not in proc.stderr


def test_ribbon_json_defaults_match_the_winding(capsys):
    """Paper parameters, Vx = 4 Delta, default method (semi-infinite edge): zero modes per edge = |W|."""
    out = json.loads(run(capsys, "ribbon", "--json", "--n-ky", "40", check=True).stdout)
    for key in ("ky", "zero_modes_per_edge", "winding", "gap", "width", "field", "delta", "model", "edge", "method"):
        assert key in out
    assert out["method"] == "semi-infinite" and out["edge"] == "armchair-y"
    assert [abs(w) for w in out["winding"]] == out["zero_modes_per_edge"] == out["zero_modes_right_edge"]
    assert sum(out["zero_modes_per_edge"]) > 0
    assert all(g == 0 for g, n in zip(out["gap"], out["zero_modes_per_edge"]) if n)


def test_finite_ribbon_method_matches_the_winding(capsys):
    """A finite ribbon resolves the flat band when it is much wider than the decay length (large gap)."""
    args = ["ribbon", "--json", "--model", "intrinsic", "--t-sc", "-1", "--mu-sc", "-3", "--beta-so", "1",
            "--delta", "0.25", "--field", "0.75", "--method", "ribbon", "--width", "1500", "--n-ky", "10"]
    out = json.loads(run(capsys, *args, check=True).stdout)
    assert out["width"] == 1500
    assert [abs(w) for w in out["winding"]] == out["zero_modes_per_edge"] == out["zero_modes_right_edge"]
    assert sum(out["zero_modes_per_edge"]) > 0


def test_edge_command_writes_map(capsys, tmp_path):
    out = json.loads(run(capsys, "edge", "--json", "--n-ky", "20", "--n-energy", "11", "--out", str(tmp_path),
                         check=True).stdout)
    assert len(out["zero_modes_per_edge"]) == 20
    assert (tmp_path / "edge.nc").stat().st_size > 1000 and (tmp_path / "edge.png").stat().st_size > 1000


@pytest.mark.parametrize("args, name", [
    (["ribbon", "--edge", "diagonal"], "edge"),
    (["ribbon", "--width", "1", "--method", "ribbon"], "--width"),
    (["ribbon", "--method", "magic"], "method"),
    (["edge", "--field", "-0.1"], "--field"),
    (["edge", "--eta", "1e300"], "--eta"),
    (["edge", "--delta", "1e300"], "--delta"),
])
def test_ribbon_and_edge_bad_input(capsys, args, name):
    proc = run(capsys, *args)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert name in proc.stderr and "allowed" in proc.stderr


def test_figure_4_small(capsys, tmp_path):
    """Fig. 4 pipeline on a coarse grid (the real one: `isingsc reproduce --figures 4`)."""
    from isingsc.plotting.figures import figure_4

    files = figure_4(tmp_path, n_ky=6, n_energy=5, ribbon_width=20, ribbon_states=8, profile_width=2000)
    names = {f.name for f in files}
    assert {"fig4_ribbon_edge_winding.png", "fig4_edge_vx4delta.nc", "fig4_winding_vx0.nc"} <= names
    assert (tmp_path / "fig4_ribbon_edge_winding.png").stat().st_size > 10_000


def test_winding_with_the_self_consistent_gap(capsys):
    """Gamma = 0.5, Delta0 = 0.02, T = 0.1 Tc0: flat bands need Delta(T, V) < V < Hc2 (~1.5 HP = 0.021 |t|)."""
    inside = json.loads(run(capsys, "winding", "--json", "--self-consistent", "--field", "0.016", "--n-ky", "240",
                            check=True).stdout)
    assert 0 < inside["delta"] < inside["field"] and len(inside["nodes"]["kx"]) == 12
    assert any(w not in (0, None) for w in inside["winding"])
    above = json.loads(run(capsys, "winding", "--json", "--self-consistent", "--field", "0.05", check=True).stdout)
    assert above["phase"] == "normal" and above["delta"] == 0.0
