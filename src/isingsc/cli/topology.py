"""CLI commands of the topology and edge physics: ``winding``, ``ribbon``, ``edge``."""

from __future__ import annotations

from typing import Annotated, Optional

import numpy as np
import typer

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (Delta0, FieldAngle, Json, OutDir, count, field_angle_rad, model_command, number,
                                 output_folder)
from isingsc.core.field import Field
from isingsc.topology.defaults import DEFAULT_DELTA, DEFAULT_FIELD_OVER_DELTA

Delta = Annotated[float, number("--delta", "Pairing Delta on the pairing orbitals, held fixed (not self-consistent).",
                                lo=0.0, hi=1.0, lo_open=True, unit="|t|")]
TopologyField = Annotated[Optional[float], number(
    "--field", f"Zeeman energy |V| = mu_B B of the in-plane field along --field-angle; default "
               f"{DEFAULT_FIELD_OVER_DELTA:g} Delta.", lo=0.0, hi=5.0, unit="|t|")]
NKy = Annotated[int, count("--n-ky", "Number of momenta ky along the edge (midpoints of equal cells).", 2, 20000)]
Edge = Annotated[str, typer.Option("--edge", help="Edge orientation: armchair-y (edges along y, period sqrt3, paper "
                                                  "Fig. 4) | zigzag-x (edges along x, period 1).")]


def _ints(values) -> list:
    return [None if not np.isfinite(v) else int(round(v)) for v in np.asarray(values, dtype=float)]


def _field(delta: float, strength: float | None, field_angle: float) -> Field:
    return Field.in_plane(DEFAULT_FIELD_OVER_DELTA * delta if strength is None else strength,
                          field_angle_rad(field_angle))


@app.command("winding")
@model_command(requires="winding")
def winding_command(
    model,
    delta: Delta = DEFAULT_DELTA, field: TopologyField = None, field_angle: FieldAngle = 0.0, n_ky: NKy = 121,
    self_consistent: Annotated[bool, typer.Option(
        "--self-consistent/--fixed-delta",
        help="Use the mean-field gap at (--temperature, |V|) instead of --delta (pairing strength from --delta0 of "
             "the reference); |V| then defaults to 1.4 x the zero-field gap.")] = False,
    temperature: Annotated[float, number("--temperature", "Temperature for --self-consistent, in units of Tc of "
                                                          "the reference.", lo=0.0, hi=1.0, lo_open=True)] = 0.1,
    delta0: Delta0 = None,
    out: OutDir = None, json_out: Json = False,
):
    """Winding number W(ky) of the fixed-ky 1D Hamiltonian (class BDI, chiral C = sigma_x tau_y) and the bulk
    nodal points with their charges.  Energies in |t|, momenta in 1/a; W is null on lines through a node
    (the smallest |E| along kx, ``min_gap``, says how close each line comes)."""
    from isingsc.topology.bulk import KY_PERIOD, find_nodes, winding_number
    from isingsc.lattice.triangular import edge_momenta

    outdir = output_folder(out)
    angle = field_angle_rad(field_angle)
    description = f"{model.name} ({model.description})" if model.description else model.name
    if self_consistent:
        from isingsc.meanfield.solver import MeanField, nodal_state

        delta, strength = nodal_state(MeanField(model, delta0=delta0), temperature, field, angle)
        if delta == 0.0:
            result = {"model": model.name, "delta": 0.0, "field": strength, "phase": "normal",
                      "note": "|V| above Hc2 at this temperature: no superconductivity, no flat bands",
                      "units": "energies |t|"}
            print_json(result) if json_out else echo(f"{model.name}: normal state at |V| = {strength:g} |t| "
                                                     f"(T = {temperature:g} Tc_ref): no flat bands")
            return
        description += f"; self-consistent Delta = {delta:.6g} |t| at T = {temperature:g} Tc_ref"
        f = Field.in_plane(strength, angle)
    else:
        f = _field(delta, field, field_angle)
    ky = edge_momenta(2 * np.pi / KY_PERIOD, n_ky)
    ds = winding_number(model.model, delta, f, ky)
    nodes = find_nodes(model.model, delta, f)
    result = {"model": model.name, "description": description, "delta": delta, "field": f.strength,
              "field_angle_deg": field_angle, "ky": ky.tolist(),
              "winding": _ints(ds.winding.values), "min_gap": ds.min_gap.values.tolist(),
              "nodes": {"kx": nodes.kx.values.tolist(), "ky": nodes.ky.values.tolist(),
                        "charge": _ints(nodes.charge.values)},
              "units": "energies |t|, momenta 1/a", "kx_loop": "kx in [0, 4 pi) at fixed ky"}
    if outdir is not None:
        from isingsc.core.results import save

        save(ds, outdir / "winding.nc")
        save(nodes, outdir / "nodes.nc")
    if json_out:
        print_json(result)
        return
    w = np.asarray(ds.winding.values, dtype=float)
    echo(f"{description}: Delta = {delta:g} |t|, |V| = {f.strength:g} |t| ({f.strength / delta:g} Delta); "
         f"{len(nodes.kx)} nodal points")
    nonzero = np.isfinite(w) & (w != 0)
    if nonzero.any():
        echo(f"W != 0 on {nonzero.sum()} of {len(ky)} ky values; max |W| = {int(np.nanmax(np.abs(w)))}")
    else:
        echo("W = 0 for every ky (no flat bands)")
    for kx_, ky_, c in zip(nodes.kx.values, nodes.ky.values, nodes.charge.values):
        echo(f"  node at k = ({kx_:+.8f}, {ky_:+.8f}) /a, charge {int(c):+d}")


@app.command("ribbon")
@model_command(requires=("pairing", "real-space"))
def ribbon_command(
    model,
    delta: Delta = DEFAULT_DELTA, field: TopologyField = None, field_angle: FieldAngle = 0.0, n_ky: NKy = 61,
    edge: Edge = "armchair-y",
    method: Annotated[str, typer.Option(
        "--method", help="semi-infinite (default: surface Green's function by Lopez Sancho decimation, the infinite-"
                         "width limit) | ribbon (finite ribbon of --width columns, sparse shift-invert).")] = "semi-infinite",
    width: Annotated[int, count("--width", "Ribbon width in columns (--method ribbon).", 2, 2_000_000)] = 100_000,
    out: OutDir = None, json_out: Json = False,
):
    """Zero-energy edge modes per edge of a ribbon (open across, periodic along the edge) against the bulk
    winding number |W(ky)| at the same momenta.  ``gap``: smallest |E| per ky (0 where zero modes exist;
    otherwise, semi-infinite: the bulk gap of the ky line; ribbon: the lowest ribbon state).  Energies |t|."""
    from isingsc.core.errors import ParameterError
    from isingsc.core.results import save
    from isingsc.topology.defaults import ribbon_zero_modes

    outdir = output_folder(out)
    if method not in ("semi-infinite", "ribbon"):
        raise ParameterError("--method", method, "semi-infinite | ribbon")
    f = _field(delta, field, field_angle)
    ds = ribbon_zero_modes(model, delta, f, n_ky, edge=edge, method=method, width=width)
    if outdir is not None:
        save(ds, outdir / "ribbon.nc")
    winding = _ints(ds.winding.values) if "winding" in ds else [None] * ds.sizes["ky"]
    result = {"model": model.name, "edge": edge, "method": method, "width": width if method == "ribbon" else None,
              "delta": delta, "field": f.strength, "field_angle_deg": field_angle, "ky": ds.ky.values.tolist(),
              "zero_modes_per_edge": _ints(ds.zero_modes_left.values),
              "zero_modes_right_edge": _ints(ds.zero_modes_right.values), "winding": winding,
              "gap": ds.gap.values.tolist(), "units": "energies |t|, momenta 1/a"}
    if "resolved" in ds:
        result["resolved"] = [bool(x) for x in ds.resolved.values]
    if json_out:
        print_json(result)
        return
    left = np.asarray(ds.zero_modes_left.values, dtype=float)
    agree = all(w is None or not np.isfinite(n) or abs(w) == n for w, n in zip(winding, left))
    echo(f"{model.name}, {edge} edge, {method}{'' if method != 'ribbon' else f' ({width} columns)'}: "
         f"Delta = {delta:g} |t|, |V| = {f.strength:g} |t|; zero modes on {int(np.sum(left > 0))} of "
         f"{len(left)} ky; {'matches' if agree else 'DIFFERS FROM'} |W(ky)|")


@app.command("edge")
@model_command(requires=("pairing", "real-space"))
def edge_command(
    model,
    delta: Delta = DEFAULT_DELTA, field: TopologyField = None, field_angle: FieldAngle = 0.0, n_ky: NKy = 121,
    edge: Edge = "armchair-y",
    n_energy: Annotated[int, count("--n-energy", "Number of energies in [-window, window].", 2, 5000)] = 101,
    window: Annotated[Optional[float], number("--window", "Energy window; default 2 Delta.", lo=0.0, hi=5.0,
                                              lo_open=True, unit="|t|")] = None,
    eta: Annotated[Optional[float], number("--eta", "Broadening of the spectral function; default window / 100.",
                                           lo=0.0, hi=1.0, lo_open=True, unit="|t|")] = None,
    out: OutDir = "isingsc-edge", json_out: Json = False,
):
    """Edge spectral function A_edge(ky, E) = -(1/pi) Im Tr G_surface(ky, E + i eta) of the semi-infinite strip
    (left edge, Lopez Sancho decimation) and the zero-energy edge modes per ky.  Writes edge.nc and edge.png.
    Energies |t|, A in states per |t| per surface principal layer."""
    from isingsc.core.results import save
    from isingsc.plotting.paper import plot_edge_spectral_function
    from isingsc.plotting.style import save_figure
    from isingsc.lattice.triangular import edge_momenta
    from isingsc.topology.edge import SemiInfiniteEdge

    outdir = output_folder(out)
    f = _field(delta, field, field_angle)
    window = 2 * delta if window is None else window
    eta = window / 100 if eta is None else eta
    edge_model = SemiInfiniteEdge(model.model, edge, delta, f)
    ky = edge_momenta(edge_model.ribbon.period, n_ky)
    energies = np.linspace(-window, window, n_energy)
    ds = edge_model.spectral_function(ky, energies, eta=eta, side="left")
    modes = edge_model.zero_modes(ky)
    ds["zero_modes"] = (modes.n_modes.dims[1:], modes.n_modes.values[0])
    files = [save(ds, outdir / "edge.nc")]
    files += save_figure(plot_edge_spectral_function(ds, title=f"{model.name}, |V| = {f.strength:g}"),
                         outdir / "edge.png")
    n0 = modes.n_modes.values[0]
    if json_out:
        print_json({"model": model.name, "edge": edge, "method": "semi-infinite", "delta": delta, "field": f.strength,
                    "field_angle_deg": field_angle, "eta": eta, "ky": ky.tolist(), "zero_modes_per_edge": _ints(n0),
                    "energy_window": window, "n_energy": n_energy, "files": [str(p) for p in files],
                    "units": "energies |t|, A states/|t| per surface layer"})
        return
    echo(f"{model.name}, {edge} edge: zero modes on {int(np.sum(np.nan_to_num(n0) > 0))} of {len(ky)} ky "
         f"(eta = {eta:g} |t|); wrote {', '.join(str(p) for p in files)}")
