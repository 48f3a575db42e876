"""CLI commands of the topology and edge physics: ``winding``, ``ribbon``, ``edge``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from ..errors import ParameterError, check_positive_int, check_range
from ..models import PAPER, IsingParams, fit_effective_model, heterostructure_model, intrinsic_ising_model
from .app import OPTION_RANGES, app, echo, print_json
from .options import BetaSo, FieldOnTmd, Gamma, Json, MuSc, MuTmd, OutDir, TSc, TTmd, heterostructure_params

OPTION_RANGES.update({"--delta": "delta > 0 (finite), |t|", "--vx": "vx >= 0 (finite), |t|",
                      "--n-ky": "integer >= 2", "--width": "integer >= 2"})

TopologyModel = Annotated[str, typer.Option(
    "--model", help="heterostructure (exact 8-orbital) | effective (Eq. 8 form fitted to the exact model: "
                    "t~, mu~, beta~ and the pairing factor Z; the literal Eq. 8 model has poles) | intrinsic "
                    "(one Ising layer with t = --t-sc, mu = --mu-sc, beta_SO = --beta-so).")]
Delta = Annotated[float, typer.Option("--delta", help="Pairing Delta on the SC layer (|t|), held fixed (not self-consistent).")]
Vx = Annotated[Optional[float], typer.Option("--vx", help="In-plane Zeeman energy V_x = mu_B B_x (|t|); default 4 Delta.")]
NKy = Annotated[int, typer.Option("--n-ky", help="Number of momenta ky along the edge, in [-pi/sqrt3, pi/sqrt3].")]

#: Default pairing of the topology commands: small enough for the paper's regime, large enough that
#: the nodal structure is resolved in seconds (Vx = 4 Delta = 0.2 |t|, as the paper's Fig. 4b).
DEFAULT_DELTA = 0.05


def topology_model(name, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd):
    """The model of the topology commands and a short description of it."""
    params = heterostructure_params(t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd)
    if name == "heterostructure":
        return heterostructure_model(params), "exact 8-orbital heterostructure"
    if name == "effective":
        fit = fit_effective_model(params)
        return fit.model(), (f"effective model fitted to the exact one: t~={fit.params.t:.6g}, mu~={fit.params.mu:.6g}, "
                             f"beta~={fit.params.beta_so:.6g}, Z={fit.pairing_factor:.6g} (rms {fit.rms_error:.2g} |t|)")
    if name == "intrinsic":
        return intrinsic_ising_model(IsingParams(t=t_sc, mu=mu_sc, beta_so=beta_so)), "intrinsic Ising layer"
    raise ParameterError("model", name, "heterostructure | effective | intrinsic")


def field_for(delta: float, vx: float | None) -> float:
    check_range("delta", delta, lo=0.0, lo_open=True)
    vx = 4.0 * delta if vx is None else vx
    return check_range("vx", vx, lo=0.0)


def ky_grid(n_ky: int) -> np.ndarray:
    """n_ky momenta along the edge, symmetric about 0, avoiding the zone boundary twice."""
    n_ky = check_positive_int("n_ky", n_ky, 2)
    half = math.pi / math.sqrt(3)
    return np.linspace(-half, half, n_ky, endpoint=False) + half / n_ky


def _ints(values) -> list:
    return [None if not np.isfinite(v) else int(round(v)) for v in np.asarray(values, dtype=float)]


@app.command("winding")
def winding_command(
    model: TopologyModel = "heterostructure", delta: Delta = DEFAULT_DELTA, vx: Vx = None, n_ky: NKy = 121,
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd, mu_tmd: MuTmd = PAPER.mu_tmd,
    beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma, field_on_tmd: FieldOnTmd = True,
    out: OutDir = None, json_out: Json = False,
):
    """Winding number W(ky) of the fixed-ky 1D Hamiltonian (class BDI, chiral C = sigma_x tau_y) and the bulk
    nodal points with their charges.  Energies in |t|, momenta in 1/a; W is null on lines through a node
    (the smallest |E| along kx, `min_gap`, says how close each line comes)."""
    from ..topology import find_nodes, winding_number

    m, description = topology_model(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd)
    v = field_for(delta, vx)
    ky = ky_grid(n_ky)
    ds = winding_number(m, delta, (v, 0.0, 0.0), ky)
    nodes = find_nodes(m, delta, (v, 0.0, 0.0))
    result = {"model": model, "description": description, "delta": delta, "vx": v, "ky": ky.tolist(),
              "winding": _ints(ds.winding.values), "min_gap": ds.min_gap.values.tolist(),
              "nodes": {"kx": nodes.kx.values.tolist(), "ky": nodes.ky.values.tolist(),
                        "charge": _ints(nodes.charge.values)},
              "units": "energies |t|, momenta 1/a", "kx_loop": "kx in [0, 4 pi) at fixed ky"}
    if out:
        from ..results import save
        outdir = Path(out)
        save(ds, outdir / "winding.nc")
        save(nodes, outdir / "nodes.nc")
    if json_out:
        print_json(result)
        return
    w = np.asarray(ds.winding.values, dtype=float)
    echo(f"{description}: Delta = {delta:g} |t|, Vx = {v:g} |t| ({v / delta:g} Delta); {len(nodes.kx)} nodal points")
    nonzero = np.isfinite(w) & (w != 0)
    if nonzero.any():
        echo(f"W != 0 on {nonzero.sum()} of {len(ky)} ky values; max |W| = {int(np.nanmax(np.abs(w)))}")
    else:
        echo("W = 0 for every ky (no flat bands)")
    for kx_, ky_, c in zip(nodes.kx.values, nodes.ky.values, nodes.charge.values):
        echo(f"  node at k = ({kx_:+.8f}, {ky_:+.8f}) /a, charge {int(c):+d}")
