"""Model options shared by every command (typer ``Annotated`` aliases) and their ranges."""

from __future__ import annotations

from typing import Annotated, Optional

import numpy as np
import typer

from isingsc.models.paper import PAPER, HeterostructureParams, IsingParams
from isingsc.cli.app import OPTION_RANGES

OPTION_RANGES.update({
    "--t-sc": "t_sc != 0 (finite)", "--t-tmd": "t_tmd != 0 (finite)", "--t": "t != 0 (finite)",
    "--mu-sc": "finite", "--mu-tmd": "finite", "--mu": "finite", "--beta-so": "finite",
    "--gamma": "gamma >= 0 (finite)", "--eta": "eta > 0 (finite)", "--vx": "vx >= 0 (finite)",
    "--n-k": "integer >= 6", "--n-grid": "integer >= 16", "--field-angle": "finite, degrees",
})

TSc = Annotated[float, typer.Option("--t-sc", help="SC nearest-neighbour hopping t_SC (energy unit |t|).")]
MuSc = Annotated[float, typer.Option("--mu-sc", help="SC chemical potential mu_SC (|t|).")]
TTmd = Annotated[float, typer.Option("--t-tmd", help="TMD hopping t_TMD (|t|).")]
MuTmd = Annotated[float, typer.Option("--mu-tmd", help="TMD chemical potential mu_TMD (|t|).")]
BetaSo = Annotated[float, typer.Option("--beta-so", help="TMD Ising SOC beta_SO (|t|); Ising field at K is 3*sqrt(3)*beta_SO (full splitting twice that).")]
Gamma = Annotated[float, typer.Option("--gamma", help="SC-TMD coupling Gamma >= 0 (|t|).")]
FieldOnTmd = Annotated[bool, typer.Option("--field-on-tmd/--no-field-on-tmd",
                                          help="Let the Zeeman field act on the TMD layer too.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
FieldAngle = Annotated[float, typer.Option(
    "--field-angle", help="In-plane field direction phi in degrees from the lattice x axis (Gamma-K, a "
                          "nearest-neighbour bond): V = |V| (cos phi, sin phi, 0).  Default 0.")]
OutDir = Annotated[Optional[str], typer.Option("--out", help="Output folder for PNG + NetCDF files.")]


def heterostructure_params(t_sc=PAPER.t_sc, mu_sc=PAPER.mu_sc, t_tmd=PAPER.t_tmd, mu_tmd=PAPER.mu_tmd,
                           beta_so=PAPER.beta_so, gamma=PAPER.gamma, field_on_tmd=True):
    """Validated parameters from command-line values (raises ParameterError naming the option)."""
    return HeterostructureParams(t_sc=t_sc, mu_sc=mu_sc, t_tmd=t_tmd, mu_tmd=mu_tmd,
                                 beta_so=beta_so, gamma=gamma, field_on_tmd=field_on_tmd)


def field_angle_rad(degrees: float) -> float:
    """--field-angle (degrees) in radians, validated."""
    from isingsc.core.errors import check_finite

    return float(np.deg2rad(check_finite("--field-angle", degrees)))


__all__ = ["IsingParams", "field_angle_rad", "heterostructure_params"]
