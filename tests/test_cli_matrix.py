"""Every catalogue model x every command that can apply to it.

Each cell either succeeds (exit 0, output files written) or exits 2 with one line giving the physics
reason the model cannot give that observable.  The refusals follow from the physics of the model, not
from the code: the TMD alone has no pairing; the literal Eq. 8 model is k-space only (its static
self-energy has poles, so it has no real-space lattice and its det A winds around the poles); the
Rashba (PdTe2-like) and broken-mirror (MoTe2-like) models have in-plane spin-orbit terms that break
the chiral symmetry C = sigma_x tau_y, so W(ky) is not defined.

The default run uses the model defaults and the command defaults except for the counts of the output
grids (temperatures, momenta, energies), a 5 % tolerance of the mean-field commands and a wider
broadening of the bulk spectrum, to keep it fast; the ``slow`` test runs every cell on the full
command defaults.
"""

import json

import pytest

from isingsc.models.catalogue import get, names
from isingsc.workflows.sweep.quantities import compute_point

from .cli_helpers import run_cli

NO_PAIRING = "no pairing orbital"
K_SPACE_ONLY = "k space only"
NO_CHIRAL = "no chiral symmetry"
POLES = "poles"

#: The expected refusals: (model, command) -> words of the physics reason.
REFUSED = {
    **{("tmd", c): NO_PAIRING for c in ("tc", "gap", "hc2", "spectrum bulk", "spectrum edge", "ribbon", "edge")},
    ("tmd", "winding"): "no pairing",
    **{("eq8-static", c): K_SPACE_ONLY for c in ("ribbon", "edge", "spectrum edge")},
    ("eq8-static", "winding"): POLES,
    ("pdte2", "winding"): NO_CHIRAL,
    ("mote2", "winding"): NO_CHIRAL,
}

#: Command lines; OUT is replaced by a folder.  FAST: the options of the default run: smaller output grids,
#: and for the mean-field commands a 5 % tolerance (the same code paths, fewer refinements).
COMMANDS = {
    "bands": (["bands", "--out", "OUT"], ["--n-grid", "41"]),
    "dos": (["dos", "--out", "OUT"], ["--n-k", "24", "--n-grid", "16"]),
    "tc": (["tc", "--json"], ["--tol", "0.05"]),
    "gap": (["gap", "--json"], ["--tol", "0.05"]),
    "hc2": (["hc2", "--out", "OUT", "--json"], ["--n-points", "2", "--tol", "0.05"]),
    "winding": (["winding", "--json"], ["--n-ky", "6"]),
    "ribbon": (["ribbon", "--json"], ["--n-ky", "4"]),
    "edge": (["edge", "--out", "OUT", "--json"], ["--n-ky", "4", "--n-energy", "5"]),
    "spectrum bulk": (["spectrum", "bulk", "--json"], ["--n-bias", "21", "--eta", "0.004"]),
    "spectrum edge": (["spectrum", "edge", "--json"], ["--n-ky", "4", "--n-ky-modes", "8", "--n-energy", "5"]),
}

#: The commands of the magnetic routes (issues 16, 17) with fast options (coarser tolerances, small outputs).
MAGNETIC_COMMANDS = {
    "pairing": (["pairing", "--out", "OUT", "--json"], ["--tol", "1e-4", "--n-grid", "12"]),
    "impurity": (["impurity", "--out", "OUT", "--json"], ["--tol", "1e-6", "--size", "6"]),
    "chain": (["chain", "--out", "OUT", "--json"], ["--n-sites", "6"]),
    "junction": (["junction", "--out", "OUT", "--json"], ["--n-phases", "16", "--tol", "0.05"]),
    "squid": (["squid", "--out", "OUT", "--json"], ["--n-flux", "16", "--tol", "0.05"]),
    "tmr": (["tmr", "--out", "OUT", "--json"], []),
}
COMMANDS.update(MAGNETIC_COMMANDS)
REFUSED.update({("tmd", c): NO_PAIRING for c in MAGNETIC_COMMANDS})
REFUSED.update({("eq8-static", c): K_SPACE_ONLY for c in ("impurity", "chain")})

#: The pairing-channel commands (issue 19): the inter-pocket chiral state's Chern number (without the ribbon, whose
#: edge count has its own tests) and Tc of two channels; their defaults are the hole-doped TMD's.
CHANNEL_COMMANDS = {
    "chern": (["chern", "--no-edge", "--json"], []),
    "channels": (["channels", "--json"], ["--channels", "s,f", "--momenta", "0", "--no-chern"]),
}
COMMANDS.update(CHANNEL_COMMANDS)
REFUSED.update({("tmd", c): NO_PAIRING for c in CHANNEL_COMMANDS})
REFUSED.update({("eq8-static", c): K_SPACE_ONLY for c in CHANNEL_COMMANDS})
# the p+ip state of the heterostructure: the proximitised TMD band's gap (~1e-3 |t|) turns the occupied projector
# over ~4e-4 / a along the TMD Fermi surface, finer than a 64-fold subdivided grid resolves: refused, not guessed
REFUSED[("heterostructure", "chern")] = "not resolved"

#: The default run covers the magnetic commands on one Ising host (ws2: K pockets, strong Ising SOC; its
#: junction and squid cells take a minute each and run with the slow tests) and their refusals; every other model's
#: cells of these commands run with the slow tests (tens of seconds each), but the heterostructure's impurity:
#: its LDOS map at the default broadening E_g/10 = 1e-4 |t| needs an FFT grid beyond the limit
#: (tests/test_impurity.py has the slow test of its bound states).
HEAVY = ("heterostructure", "impurity")
SLOW_CELLS = {(m, c) for m in names() for c in MAGNETIC_COMMANDS
              if m not in ("ws2", "tmd") and (m, c) not in REFUSED} - {HEAVY} | {
    ("ws2", "junction"), ("ws2", "squid")} | {  # (the junction commands' default run: tests/test_cli_junction.py)
    (m, c) for m in names() for c in CHANNEL_COMMANDS if m not in ("hole-tmd", "tmd", "eq8-static")}
CELLS = [(m, c) for m in names() for c in COMMANDS if (m, c) not in SLOW_CELLS and (m, c) != HEAVY]
ALL_CELLS = [(m, c) for m in names() for c in COMMANDS if (m, c) != HEAVY]


def _run(capsys, tmp_path, model, command, fast: bool):
    args, small = COMMANDS[command]
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args] + (small if fast else [])
    return run_cli(capsys, *args, "--model", model)


def _check(code, out, err, model, command, tmp_path):
    if (model, command) in REFUSED:
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1, err
        assert model in lines[0] and REFUSED[model, command] in lines[0], lines[0]
        assert not (tmp_path / "out").exists()
        return
    assert code == 0, err
    if "--json" in COMMANDS[command][0]:
        data = json.loads(out)
        assert data["model"] == model
    if "OUT" in COMMANDS[command][0]:
        assert any(p.suffix == ".nc" for p in (tmp_path / "out").iterdir())


@pytest.mark.parametrize("model, command", CELLS, ids=[f"{m}-{c.replace(' ', '-')}" for m, c in CELLS])
def test_matrix_cell(capsys, tmp_path, model, command):
    code, out, err = _run(capsys, tmp_path, model, command, fast=True)
    _check(code, out, err, model, command, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("model, command", sorted(SLOW_CELLS),
                         ids=[f"{m}-{c.replace(' ', '-')}" for m, c in sorted(SLOW_CELLS)])
def test_slow_matrix_cell(capsys, tmp_path, model, command):
    code, out, err = _run(capsys, tmp_path, model, command, fast=True)
    _check(code, out, err, model, command, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("model, command", ALL_CELLS, ids=[f"{m}-{c.replace(' ', '-')}" for m, c in ALL_CELLS])
def test_matrix_cell_on_command_defaults(capsys, tmp_path, model, command):
    code, out, err = _run(capsys, tmp_path, model, command, fast=False)
    _check(code, out, err, model, command, tmp_path)


@pytest.mark.parametrize("model", names())
def test_sweep_quantities_of_every_model(model):
    """A sweep point (the worker's function) gives an answer or the same refusal as the commands."""
    entry = get(model)
    quantities = ("Tc", "nodal") if entry.facts.chiral and entry.facts.real_space else ("Tc",)
    values, err = compute_point(model, quantities, {"delta0": entry.delta0})
    if model == "tmd":
        assert NO_PAIRING in err
        return
    assert err == "", err
    assert values["Tc"] > 0 and values["achieved_tol"] <= 0.005
    if "nodal" in quantities:  # the node charges of a 2D BdG spectrum sum to zero: an even number of nodes
        assert values["n_nodes"] % 2 == 0 and values["nodal"] == float(values["n_nodes"] > 0)
