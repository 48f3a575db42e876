"""CLI commands ``chern`` (Chern number, Berry curvature and chiral edge modes of a pairing channel) and
``channels`` (Tc per pairing channel and pair momentum: which channel wins), for any model with pairing;
default the hole-doped TMD (review Sec. 5)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (FieldAngle, FieldPolar, HostField, Json, OutDir, count, host_field, model_command,
                                 number, output_folder, write_result)

Channel = Annotated[str, typer.Option("--channel", help="Pairing channel: s | extended-s | d+id | d-id | p+ip | p-ip "
                                                        "| f (nearest-neighbour bonds; docs/hole_doped_tmd.md).")]
Spin = Annotated[str, typer.Option("--spin", help="Spin structure: singlet | triplet-z | triplet-up | triplet-down "
                                                  "(default: singlet for s, extended-s, d; triplet-z for p, f).")]
Momentum = Annotated[str, typer.Option("--momentum", help="Pair momentum Q: 0 | 2K | 2K' | K | K' | qx,qy (1/a).")]


@app.command("chern")
@model_command(default="hole-tmd", requires=("pairing", "real-space"))
def chern_command(
    model,
    channel: Channel = "p+ip", spin: Spin = "", momentum: Momentum = "0",
    delta: Annotated[float, number("--delta", "Pairing amplitude Delta of the channel, held fixed.", lo=0.0, hi=1.0,
                                   lo_open=True, unit="|t|")] = 0.1,
    field: HostField = 0.0, field_angle: FieldAngle = 0.0, field_polar: FieldPolar = 90.0,
    pdw: Annotated[bool, typer.Option("--pdw", help="The intra-pocket pair-density wave instead: --channel with "
                                                    "--spin (triplet-up or triplet-down) at Q = 2K plus the opposite "
                                                    "spin at 2K', on the sqrt3 x sqrt3 supercell (--momentum "
                                                    "ignored).")] = False,
    edge: Annotated[bool, typer.Option("--edge/--no-edge", help="Also count the chiral edge modes of a ribbon "
                                                                "(default: yes; Q != 0 on the sqrt3 x sqrt3 "
                                                                "supercell).")] = True,
    width: Annotated[Optional[int], count("--width", "Ribbon width in columns (default: 8 decay lengths, doubled until the "
                                           "modes are on one edge).", 4, 1600)] = None,
    out: OutDir = None, json_out: Json = False,
):
    """Chern number of the occupied BdG bands (Fukui-Hatsugai-Suzuki, the gap checked first; a gapless state is
    refused), and the net chirality of the edge modes on each edge of a ribbon (bulk-boundary: -C and +C).
    With --out: chern.nc (Berry curvature map, a^2), chern.png, edge.nc.  Energies |t|, momenta 1/a."""
    from isingsc.core.results import save
    from isingsc.models.channels import (SQRT3_SUPERCELL, PairingChannel, pair_density_wave, supercell,
                                         with_pairing)
    from isingsc.topology.chern import Chern

    outdir = output_folder(out)
    ch = PairingChannel(channel, spin or None)
    cell = None
    if pdw:
        state = pair_density_wave(model, ch.name, ch.spin)
    else:
        state = with_pairing(model, ch, momentum=momentum)
        if edge and any(state.pair_momentum):
            cell = supercell(state, SQRT3_SUPERCELL)  # refuses an incommensurate Q before any work
    f = host_field(field, field_polar, field_angle)
    solver = Chern(state, delta, f)
    ds = solver.chern_number()
    c = int(ds.chern_number)
    result = {"model": model.name, "channel": state.pairing_channel if pdw else ch.label,
              "pair_momentum": ["2K", "2K'"] if pdw else list(state.pair_momentum), "delta": delta,
              "field": f.strength, "field_polar_deg": field_polar, "field_angle_deg": field_angle,
              "chern_number": c, "gap": float(ds.gap), "grid": ds.attrs["grid"],
              "agrees_with_grid": ds.attrs["agrees_with_grid"], "max_plaquette_flux": ds.attrs["max_plaquette_flux"],
              "link_ratio": ds.attrs["link_ratio"], "units": "energies |t|, momenta 1/a"}
    edges = None
    if edge:
        edges = Chern(cell if cell is not None else state, delta, f).edge_modes(width)
        net = [int(x) for x in edges.net_chirality.values]
        result.update(edge_net_chirality=net, edge_width=edges.attrs["width"], edge_energy=edges.attrs["energy"],
                      edge_crossings=int(edges.sizes["crossing"]),
                      bulk_boundary=bool(net[0] == -c and net[1] == c), edge_cell="sqrt3 x sqrt3 supercell"
                      if cell is not None or pdw else "primitive cell")
    if outdir is not None:
        from isingsc.plotting.channels import plot_berry_curvature

        curvature = solver.berry_curvature(max(192, int(ds.attrs["grid"].split("x")[0])))  # a map to look at
        write_result(outdir, result, curvature, "chern", plot_berry_curvature(curvature))
        if edges is not None:
            result["files"].append(str(save(edges, outdir / "edge.nc")))
    if json_out:
        print_json(result)
        return
    where = "Q = 2K and 2K' (sqrt3 x sqrt3 cell)" if pdw else \
        f"Q = {[round(float(x), 6) for x in state.pair_momentum]} /a"
    echo(f"{model.name}, channel {result['channel']}, {where}, Delta = {delta:g} |t|, |V| = {f.strength:g} |t|")
    echo(f"Chern number C = {c:+d} (gap {float(ds.gap):.4g} |t|; grid {ds.attrs['grid']} agrees with "
         f"{ds.attrs['agrees_with_grid']}, max plaquette flux {ds.attrs['max_plaquette_flux']:.3g} rad)")
    if edges is not None:
        net = result["edge_net_chirality"]
        echo(f"edge modes at E = {edges.attrs['energy']:.3g} |t| on a {edges.attrs['width']}-column ribbon "
             f"({result['edge_cell']}): net chirality {net[0]:+d} (first edge), {net[1]:+d} (last edge); "
             f"bulk-boundary {'holds' if result['bulk_boundary'] else 'FAILS'}")
    for p in result.get("files", []):
        echo(f"wrote {p}")


@app.command("channels")
@model_command(default="hole-tmd", requires=("pairing", "real-space"))
def channels_command(
    model,
    channels: Annotated[str, typer.Option("--channels", help="Comma-separated channels, each NAME or NAME:SPIN "
                                                             "(default: all channels, all spins).")] = "",
    momenta: Annotated[str, typer.Option("--momenta", help="Semicolon-separated pair momenta: 0, 2K, 2K', K, K' or "
                                                           "qx,qy (1/a).")] = "0;2K;2K'",
    attraction: Annotated[float, number("--attraction", "Attraction v of every channel (Omega = |Delta|^2 / v + ...).",
                                        lo=0.0, hi=100.0, lo_open=True, unit="|t| x site")] = 1.0,
    field: HostField = 0.0, field_angle: FieldAngle = 0.0, field_polar: FieldPolar = 90.0,
    tol: Annotated[float, number("--tol", "Relative tolerance of each Tc.", lo=1e-4, hi=0.2)] = 0.01,
    t_min: Annotated[float, number("--t-min", "Lowest temperature resolved (Tc below it reads 0).", lo=1e-4, hi=1.0,
                                   unit="|t|")] = 2e-3,
    chern: Annotated[bool, typer.Option("--chern/--no-chern", help="Chern number of the leading state at Delta = "
                                                                   "1.76 Tc (default: yes).")] = True,
    out: OutDir = None, json_out: Json = False,
):
    """Linearised gap equation per pairing channel and pair momentum: Tc of each (the root of v chi(Q, Tc) = 1),
    the leading one and its Chern number.  With --out: channels.nc, channels.png.  Energies and T in |t|."""
    from isingsc.channels import PairingChannels

    outdir = output_folder(out)
    names = [c for c in channels.split(",") if c.strip()] or None
    qs = [q.strip() for q in momenta.split(";") if q.strip()]
    solver = PairingChannels(model, names, qs, attraction, host_field(field, field_polar, field_angle), tol=tol,
                             t_min=t_min)
    ds = solver.leading() if chern else solver.critical_temperatures()
    tc = {c: {m: float(ds.Tc.sel(channel=c, momentum=m)) for m in ds.momentum.values} for c in ds.channel.values}
    result = {"model": model.name, "attraction": attraction, "Tc": tc, "leading_channel": ds.attrs["leading_channel"],
              "leading_momentum": ds.attrs["leading_momentum"], "leading_Tc": ds.attrs["leading_Tc"],
              "grid": ds.attrs["grid"], "achieved_tolerance": ds.attrs["achieved_tolerance"], "t_min": t_min,
              "units": "T and energies |t| (k_B = 1), momenta 1/a"}
    if chern:
        result.update(leading_chern_number=ds.attrs["leading_chern_number"],
                      leading_chern_note=ds.attrs["leading_chern_note"])
    if outdir is not None:
        from isingsc.plotting.channels import plot_channel_tcs

        write_result(outdir, result, ds, "channels", plot_channel_tcs(ds))
    if json_out:
        print_json(result)
        return
    echo(f"{model.name}: attraction v = {attraction:g} |t| per channel; Tc (|t|; 0 = below t_min = {t_min:g}); grid "
         f"{ds.attrs['grid']}, achieved {ds.attrs['achieved_tolerance']:.2g}")
    width = max(len(c) for c in ds.channel.values)
    echo(" " * width + "  " + "  ".join(f"{'Q=' + m:>10}" for m in ds.momentum.values))
    for c in ds.channel.values:
        echo(f"{c:<{width}}  " + "  ".join(f"{tc[c][m]:>10.4g}" for m in ds.momentum.values))
    echo(f"leading: {ds.attrs['leading_channel']} at Q = {ds.attrs['leading_momentum']} "
         f"(Tc = {ds.attrs['leading_Tc']:.4g} |t|)")
    if chern:
        echo(f"its Chern number: {ds.attrs['leading_chern_number']} ({ds.attrs['leading_chern_note']})")
    for p in result.get("files", []):
        echo(f"wrote {p}")
