"""The commands chern and channels: JSON keys and units, the bulk-boundary check, refusals in one line, exit 2."""

import json

import pytest

from .cli_helpers import run_cli


def test_chern_of_the_inter_pocket_chiral_state_and_its_edge_modes(capsys, tmp_path):
    """The hole-doped TMD's inter-pocket p+ip (triplet-z) state pairs the two spin-polarised pockets at K and K',
    around each of which the form factor (zero at K) winds once: |C| = 2, and the ribbon's two edges carry net
    chiralities -C and +C (bulk-boundary correspondence)."""
    code, out, err = run_cli(capsys, "chern", "--delta", "0.1", "--width", "120", "--json", "--out", tmp_path / "o")
    assert code == 0, err
    data = json.loads(out)
    assert abs(data["chern_number"]) == 2 and data["gap"] > 0
    assert data["edge_net_chirality"] == [-data["chern_number"], data["chern_number"]] and data["bulk_boundary"]
    assert {p.split("/")[-1] for p in data["files"]} >= {"chern.nc", "chern.png", "edge.nc"}


def test_channels_json_names_the_leading_channel(capsys):
    code, out, err = run_cli(capsys, "channels", "--channels", "s,extended-s,f", "--momenta", "0", "--attraction",
                             "0.5", "--no-chern", "--json")
    assert code == 0, err
    data = json.loads(out)
    tc = data["Tc"]
    # on spin-polarised K pockets every channel's weight is |f(K)|^2: 1 (s), 9/4 (extended-s), 27/4 (f)
    assert tc["f (triplet-z)"]["0"] > tc["extended-s (singlet)"]["0"] >= tc["s (singlet)"]["0"]
    assert data["leading_channel"] == "f (triplet-z)" and "|t|" in data["units"]


@pytest.mark.parametrize("args, name", [
    (["chern", "--momentum", "0.3,0.1"], "pair_momentum"),          # Q not commensurate with the sqrt3 cell
    (["chern", "--channel", "p+ip", "--spin", "triplet-up", "--momentum", "2K", "--no-edge"], "gapless"),
    (["chern", "--channel", "g"], "channel"),
    (["chern", "--channel", "f", "--spin", "singlet"], "spin"),
    (["chern", "--model", "tmd"], "pairing"),
    (["channels", "--momenta", "2Q"], "pair_momentum"),
    (["channels", "--attraction", "0"], "--attraction"),
])
def test_bad_input_is_one_line_and_nothing_written(capsys, tmp_path, args, name):
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, *args, "--out", out)
    assert code == 2, err
    lines = [x for x in err.strip().splitlines() if x]
    assert len(lines) == 1 and name in lines[0]
    assert not out.exists()
