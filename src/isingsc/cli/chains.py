"""CLI command ``isingsc chain``: a chain of magnetic moments on a superconducting host (Shiba chain)."""

from __future__ import annotations

from typing import Annotated

import typer

from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import (
    FieldAngle,
    Json,
    OutDir,
    count,
    FieldPolar,
    HostField,
    host_field,
    model_command,
    number,
    output_folder,
)

ChainDelta = Annotated[float, number("--delta", "Pairing Delta of the host, held fixed (not self-consistent).",
                                     lo=0.0, hi=1.0, lo_open=True, unit="|t|")]


def _direction(text: str):
    from isingsc.core.errors import ParameterError

    parts = str(text).replace(" ", "").split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ParameterError("--direction", text, "D1,D2: two integers with gcd 1 (R = D1 a1 + D2 a2)") from None
    if len(values) != 2:
        raise ParameterError("--direction", text, "D1,D2: two integers with gcd 1 (R = D1 a1 + D2 a2)")
    from isingsc.correlations.line import lattice_direction

    try:
        return lattice_direction(values)[0]
    except ParameterError as exc:
        raise ParameterError("--direction", text, exc.allowed) from None


def _pitch(text: str):
    from isingsc.core.errors import ParameterError

    allowed = "A/B with integers A and 1 <= B <= 12 (spiral angle 2 pi A / B per site)"
    num, sep, den = str(text).partition("/")
    try:
        a, b = int(num), int(den)
    except ValueError:
        raise ParameterError("--pitch", text, allowed) from None
    if not sep or not 1 <= b <= 12:
        raise ParameterError("--pitch", text, allowed)
    return a, b


@app.command("chain")
@model_command(default="intrinsic", requires=("pairing", "real-space"))
def chain_command(
    model,
    J: Annotated[float, number("--J", "Exchange energy J of each moment (J m.sigma on the host orbitals).", lo=0.0,
                               hi=100.0, lo_open=True, unit="|t|")] = 1.5,
    U: Annotated[float, number("--U", "Potential scattering U of each impurity.", lo=-100.0, hi=100.0,
                               unit="|t|")] = 0.0,
    spacing: Annotated[int, count("--spacing", "Impurity spacing s in units of |d| (R_j = j s d).", 1, 20)] = 1,
    direction: Annotated[str, typer.Option("--direction", help="Chain direction D1,D2: R = D1 a1 + D2 a2 (integers, "
                                                               "gcd 1; 1,0 is the x axis, a nearest-neighbour "
                                                               "bond). Lattice units a.")] = "1,0",
    texture: Annotated[str, typer.Option("--texture", help="collinear (every moment at --theta, --phi) | spiral "
                                                           "(in-plane spiral of --pitch starting at --phi).")]
    = "collinear",
    theta: Annotated[float, number("--theta", "Polar angle of the moments from z (90: in plane).", lo=0.0, hi=180.0,
                                   unit="degrees")] = 90.0,
    phi: Annotated[float, number("--phi", "Azimuth of the moments from x (spiral: of the first moment).", lo=-360.0,
                                 hi=360.0, unit="degrees")] = 0.0,
    pitch: Annotated[str, typer.Option("--pitch", help="Spiral pitch A/B: the moment turns by 2 pi A / B per site "
                                                       "(--texture spiral; supercell of B moments, B <= 12).")]
    = "1/4",
    n_sites: Annotated[int, count("--n-sites", "Impurities N of the finite chain for the end states.", 2, 400)] = 24,
    delta: ChainDelta = 0.3, field: HostField = 0.0, field_angle: FieldAngle = 0.0,
    field_polar: FieldPolar = 90.0,
    out: OutDir = None, json_out: Json = False,
):
    """Shiba chain on a superconducting host: symmetry class (BDI with the chiral operator, else D), the gap, the
    invariant (winding W or Z2 nu; refused on a gapless chain) and the end states of a chain of --n-sites
    impurities in the infinite host (T-matrix).  Energies in |t|, angles in degrees, lengths in lattice
    constants a.  --out writes bands.nc, end_states.nc and chain.png."""
    import math

    import numpy as np

    from isingsc.core.errors import ParameterError
    from isingsc.correlations.host import HostGreensFunction
    from isingsc.impurities.chain import GAP_RESOLUTION, MagneticChain, spiral, tilted

    outdir = output_folder(out)
    d = _direction(direction)
    if texture == "collinear":
        moments = tilted(math.radians(theta), math.radians(phi))
    elif texture == "spiral":
        a, b = _pitch(pitch)
        moments = spiral(a, b, math.radians(phi))
    else:
        raise ParameterError("--texture", texture, "collinear | spiral")
    f = host_field(field, field_polar, field_angle)
    host = HostGreensFunction(model, delta, f)
    chain = MagneticChain(host, J, moments, d, spacing, U)
    gap_ds = chain.gap()
    gap = float(gap_ds.gap)
    info = chain.symmetry()
    if gap >= GAP_RESOLUTION:
        inv_ds = chain.invariant()
        invariant = int(inv_ds.invariant)
    else:
        invariant = None
    ends = chain.end_states(n_sites)
    energies = [float(e) for e in ends.energy.values if np.isfinite(e)]
    result = {"model": model.name, "delta": delta, "field": f.strength, "field_angle_deg": field_angle,
              "J": J, "U": U, "spacing": spacing, "direction": list(d), "texture": texture,
              "theta_deg": theta, "phi_deg": phi, "pitch": pitch if texture == "spiral" else None,
              "moments": chain.moments.tolist(), "n_sites": n_sites,
              "symmetry_class": info.symmetry_class, "invariant": invariant,
              "gapless": gap < GAP_RESOLUTION, "gap": gap, "q_min": float(gap_ds.q_min), "host_gap": host.gap,
              "end_state_energies": energies, "units": "energies |t|, q per supercell (period 2 pi)"}
    if outdir is not None:
        from isingsc.core.results import save
        from isingsc.plotting.chains import plot_chain_summary
        from isingsc.plotting.style import save_figure

        bands = chain.bands()
        files = [save(bands, outdir / "bands.nc"), save(ends, outdir / "end_states.nc")]
        files += save_figure(plot_chain_summary(bands, ends, title=f"{model.name}, J = {J:g} |t|"),
                             outdir / "chain.png")
        result["files"] = [str(p) for p in files]
    if json_out:
        print_json(result)
        return
    inv_text = "none (gapless chain)" if invariant is None else str(invariant)
    echo(f"{model.name}: chain J = {J:g} |t| along {d}, spacing {spacing}, {texture}; class {info.symmetry_class}, "
         f"gap {gap:.6g} |t| (host {host.gap:.6g}), invariant {inv_text}; lowest end-state energies "
         + ", ".join(f"{e:.3g}" for e in energies[:4]) + " |t|")
