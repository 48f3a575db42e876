"""CLI commands of the topology and edge physics: ``winding``, ``ribbon``, ``edge``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from isingsc.core.errors import ParameterError, check_positive_int, check_range
from isingsc.models.paper import PAPER, IsingParams, fit_effective_model, heterostructure_model, intrinsic_ising_model
from isingsc.cli.app import OPTION_RANGES, app, echo, print_json
from isingsc.core.field import Field
from isingsc.cli.models import ModelFile, ModelParam, resolve_model
from isingsc.cli.options import (BetaSo, FieldAngle, FieldOnTmd, Gamma, Json, MuSc, MuTmd, OutDir, TSc, TTmd,
                      field_angle_rad, heterostructure_params)

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


def topology_model(name, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd, model_file=None, param=None):
    """The model of the topology commands and a short description of it (``--model-file`` first)."""
    if model_file is not None:
        r = resolve_model(None, model_file, overrides=param)
        return r.model, f"model file {r.source}: {r.description}"
    if param:
        raise ParameterError("--param", ", ".join(param), "only together with --model-file")
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


SelfConsistent = Annotated[bool, typer.Option(
    "--self-consistent/--fixed-delta",
    help="Use the mean-field gap at (--temperature, Vx) instead of --delta (pairing strength from --delta0 of "
         "the isolated SC layer); Vx then defaults to 1.4 x the zero-field gap.")]
Temperature = Annotated[float, typer.Option("--temperature", help="Temperature for --self-consistent, in units of "
                                                                   "Tc of the isolated SC layer.")]
Delta0Opt = Annotated[float, typer.Option("--delta0", help="Zero-T gap of the isolated SC layer fixing the pairing "
                                                            "strength for --self-consistent (|t|).")]


def self_consistent_gap(model, reference, t_over_tc: float, vx: float | None, delta0: float,
                        angle: float = 0.0) -> tuple[float, float]:
    """(Delta, Vx): the global-minimum mean-field gap of ``model`` at T = t_over_tc Tc0 and Vx (default 2 x the
    zero-field gap at that T: inside the nodal window Delta(V) < V < Hc2 at Gamma = 0.5), with v fixed by the
    reference's Delta0 (the isolated SC layer for the paper's models; isingsc.meanfield.phase_diagram); field at ``angle``."""
    from isingsc.meanfield.phase_diagram import setup
    from isingsc.meanfield.transitions import solve_gap

    check_range("temperature", t_over_tc, lo=0.0, lo_open=True)
    ref, problem = setup(model, reference, delta0=check_range("delta0", delta0, lo=0.0, lo_open=True), angle=angle)
    T = t_over_tc * ref.tc
    if vx is None:
        vx = 1.4 * solve_gap(problem, T, 0.0, delta_max=1.5 * ref.delta0).delta
    vx = check_range("vx", vx, lo=0.0)
    return solve_gap(problem, T, vx, delta_max=1.5 * ref.delta0, angle=angle).delta, vx


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
    self_consistent: SelfConsistent = False, temperature: Temperature = 0.1, delta0: Delta0Opt = 0.02,
    field_angle: FieldAngle = 0.0, model_file: ModelFile = None, param: ModelParam = None,
    out: OutDir = None, json_out: Json = False,
):
    """Winding number W(ky) of the fixed-ky 1D Hamiltonian (class BDI, chiral C = sigma_x tau_y) and the bulk
    nodal points with their charges.  Energies in |t|, momenta in 1/a; W is null on lines through a node
    (the smallest |E| along kx, `min_gap`, says how close each line comes)."""
    from isingsc.topology.bulk import find_nodes, winding_number

    m, description = topology_model(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd,
                                    model_file, param)
    angle = field_angle_rad(field_angle)
    if self_consistent:
        if model_file is not None:
            reference = resolve_model(None, model_file, overrides=param).reference
        else:
            from isingsc.models.paper import sc_model

            reference = sc_model(heterostructure_params(t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd))
        delta, v = self_consistent_gap(m, reference, temperature, vx, delta0, angle)
        if delta == 0.0:
            result = {"model": model, "description": description, "delta": 0.0, "vx": v, "phase": "normal",
                      "note": "Vx above Hc2 at this temperature: no superconductivity, no flat bands",
                      "units": "energies |t|"}
            print_json(result) if json_out else echo(f"{description}: normal state at Vx = {v:g} |t| "
                                                     f"(T = {temperature:g} Tc0): no flat bands")
            return
        description += f"; self-consistent Delta = {delta:.6g} |t| at T = {temperature:g} Tc0"
    else:
        v = field_for(delta, vx)
    ky = ky_grid(n_ky)
    ds = winding_number(m, delta, Field.in_plane(v, angle), ky)
    nodes = find_nodes(m, delta, Field.in_plane(v, angle))
    result = {"model": model, "description": description, "delta": delta, "vx": v, "field_angle_deg": field_angle,
              "ky": ky.tolist(),
              "winding": _ints(ds.winding.values), "min_gap": ds.min_gap.values.tolist(),
              "nodes": {"kx": nodes.kx.values.tolist(), "ky": nodes.ky.values.tolist(),
                        "charge": _ints(nodes.charge.values)},
              "units": "energies |t|, momenta 1/a", "kx_loop": "kx in [0, 4 pi) at fixed ky"}
    if out:
        from isingsc.core.results import save
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


Edge = Annotated[str, typer.Option("--edge", help="Edge orientation: armchair-y (edges along y, period sqrt3, paper "
                                                  "Fig. 4) | zigzag-x (edges along x, period 1).")]
Method = Annotated[str, typer.Option(
    "--method", help="semi-infinite (default: surface Green's function by Lopez Sancho decimation, the infinite-"
                     "width limit) | ribbon (finite ribbon of --width columns, sparse shift-invert; at the paper's "
                     "parameters the edge modes decay over ~1e4 columns, so it needs ~1e5 columns).")]
Width = Annotated[int, typer.Option("--width", help="Ribbon width in columns (--method ribbon).")]


@app.command("ribbon")
def ribbon_command(
    model: TopologyModel = "heterostructure", delta: Delta = DEFAULT_DELTA, vx: Vx = None, n_ky: NKy = 61,
    edge: Edge = "armchair-y", method: Method = "semi-infinite", width: Width = 100_000,
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd, mu_tmd: MuTmd = PAPER.mu_tmd,
    beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma, field_on_tmd: FieldOnTmd = True,
    field_angle: FieldAngle = 0.0, model_file: ModelFile = None, param: ModelParam = None,
    out: OutDir = None, json_out: Json = False,
):
    """Zero-energy edge modes per edge of a ribbon (open across, periodic along the edge) against the bulk
    winding number |W(ky)| at the same momenta.  `gap`: smallest |E| per ky (0 where zero modes exist;
    otherwise, semi-infinite: the bulk gap of the ky line; ribbon: the lowest ribbon state).  Energies |t|."""
    from isingsc.topology.edge import SemiInfiniteEdge
    from isingsc.core.results import finalize, save
    from isingsc.topology.ribbon import Ribbon
    from isingsc.topology.bulk import winding_number
    import xarray as xr

    m, description = topology_model(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd,
                                    model_file, param)
    angle = field_angle_rad(field_angle)
    v = field_for(delta, vx)
    if method not in ("semi-infinite", "ribbon"):
        raise ParameterError("method", method, "semi-infinite | ribbon")
    check_positive_int("width", width, 2)
    if edge != "armchair-y":
        from isingsc.topology.ribbon import check_edge
        check_edge(edge)
    fv = Field.in_plane(v, angle)
    period = Ribbon.oriented(m, 2, edge).period
    half = math.pi / period
    ky = np.linspace(-half, half, check_positive_int("n_ky", n_ky, 2), endpoint=False) + half / n_ky
    # the bulk winding along the edge momentum: implemented for the armchair-y strip (kx loop at fixed ky)
    bulk = winding_number(m, delta, fv, ky) if edge == "armchair-y" else None
    if method == "semi-infinite":
        modes = SemiInfiniteEdge(m, edge, delta, fv).zero_modes(ky).n_modes.values  # (side, ky)
        left, right = modes[0], modes[1]
        line_gap = bulk.min_gap.values if bulk is not None else np.full(len(ky), np.nan)
        gap = np.where((left + right) > 0, 0.0, line_gap)
        width_out = None
    else:
        states = Ribbon.oriented(m, width, edge).edge_states(ky, delta, fv, method="sparse")
        left, right = states.n_left.values, states.n_right.values
        energies = np.abs(states.energy.values)
        gap = np.where(np.isfinite(energies).any(1), np.nanmin(np.where(np.isfinite(energies), energies, np.inf), 1),
                       states.bulk_gap.values)
        width_out = width
    winding = _ints(bulk.winding.values) if bulk is not None else [None] * len(ky)
    result = {"model": model, "description": description, "edge": edge, "method": method, "width": width_out,
              "delta": delta, "vx": v, "ky": ky.tolist(), "zero_modes_per_edge": [int(x) for x in left],
              "zero_modes_right_edge": [int(x) for x in right], "winding": winding, "gap": np.asarray(gap).tolist(),
              "units": "energies |t|, momenta 1/a"}
    if out:
        ds = xr.Dataset({"zero_modes_left": ("ky", np.asarray(left)), "zero_modes_right": ("ky", np.asarray(right)),
                         "winding": ("ky", np.array([np.nan if w is None else w for w in winding], dtype=float)),
                         "gap": ("ky", np.asarray(gap, dtype=float), {"units": "|t|"})},
                        coords={"ky": ("ky", ky, {"units": "1/a"})})
        save(finalize(ds, model=m, delta=delta, vx=v, edge=edge, method=method,
                      width=width_out if width_out else "semi-infinite"), Path(out) / "ribbon.nc")
    if json_out:
        print_json(result)
        return
    agree = all(w is None or abs(w) == n for w, n in zip(winding, left))
    echo(f"{description}, {edge} edge, {method}{'' if width_out is None else f' ({width} columns)'}: "
         f"Delta = {delta:g} |t|, Vx = {v:g} |t|; zero modes on {int(np.sum(np.asarray(left) > 0))} of {len(ky)} ky; "
         f"{'matches' if agree else 'DIFFERS FROM'} |W(ky)|")


@app.command("edge")
def edge_command(
    model: TopologyModel = "heterostructure", delta: Delta = DEFAULT_DELTA, vx: Vx = None, n_ky: NKy = 121,
    edge: Edge = "armchair-y",
    n_energy: Annotated[int, typer.Option("--n-energy", help="Number of energies in [-window, window].")] = 101,
    window: Annotated[Optional[float], typer.Option("--window", help="Energy window (|t|); default 2 Delta.")] = None,
    eta: Annotated[Optional[float], typer.Option("--eta", help="Broadening (|t|); default window / 100.")] = None,
    t_sc: TSc = PAPER.t_sc, mu_sc: MuSc = PAPER.mu_sc, t_tmd: TTmd = PAPER.t_tmd, mu_tmd: MuTmd = PAPER.mu_tmd,
    beta_so: BetaSo = PAPER.beta_so, gamma: Gamma = PAPER.gamma, field_on_tmd: FieldOnTmd = True,
    field_angle: FieldAngle = 0.0, model_file: ModelFile = None, param: ModelParam = None,
    out: OutDir = "isingsc-edge", json_out: Json = False,
):
    """Edge spectral function A_edge(ky, E) = -(1/pi) Im Tr G_surface(ky, E + i eta) of the semi-infinite strip
    (left edge, Lopez Sancho decimation) and the zero-energy edge modes per ky.  Writes edge.nc and edge.png.
    Energies |t|, A in states per |t| per surface principal layer."""
    from isingsc.plotting import paper as plotting
    from isingsc.topology.edge import SemiInfiniteEdge
    from isingsc.core.results import save

    m, description = topology_model(model, t_sc, mu_sc, t_tmd, mu_tmd, beta_so, gamma, field_on_tmd,
                                    model_file, param)
    angle = field_angle_rad(field_angle)
    v = field_for(delta, vx)
    window = 2 * delta if window is None else check_range("window", window, lo=0.0, lo_open=True)
    eta = window / 100 if eta is None else eta
    check_positive_int("n_energy", n_energy, 2)
    edge_model = SemiInfiniteEdge(m, edge, delta, Field.in_plane(v, angle))
    half = math.pi / edge_model.ribbon.period
    ky = np.linspace(-half, half, check_positive_int("n_ky", n_ky, 2), endpoint=False) + half / n_ky
    energies = np.linspace(-window, window, n_energy)
    ds = edge_model.spectral_function(ky, energies, eta=eta, side="left")
    modes = edge_model.zero_modes(ky).n_modes.values[0]
    ds["zero_modes"] = ("k", modes)
    outdir = Path(out)
    files = [save(ds, outdir / "edge.nc")]
    files += plotting.save_figure(plotting.plot_edge_spectral_function(ds, title=f"{description}, Vx = {v:g}"),
                                  outdir / "edge.png")
    if json_out:
        print_json({"model": model, "description": description, "edge": edge, "method": "semi-infinite",
                    "delta": delta, "vx": v, "eta": eta, "ky": ky.tolist(), "zero_modes_per_edge": modes.tolist(),
                    "energy_window": window, "n_energy": n_energy, "files": [str(f) for f in files],
                    "units": "energies |t|, A states/|t| per surface layer"})
        return
    echo(f"{description}, {edge} edge: zero modes on {int(np.sum(modes > 0))} of {len(ky)} ky "
         f"(eta = {eta:g} |t|); wrote {', '.join(str(f) for f in files)}")
