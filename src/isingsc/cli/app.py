"""The typer application object shared by every command module.

Command modules (``isingsc.cli.foundation``, ``isingsc.cli.experiment``, ...)
import :data:`app` and decorate their functions with ``@app.command()``;
:mod:`isingsc.cli` imports them all and provides :func:`isingsc.cli.main`.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import typer

app = typer.Typer(
    name="isingsc",
    help=(
        "Two-dimensional Ising superconductivity: lattice models of TMD/superconductor "
        "heterostructures, bands, Green's functions, mean-field Hc2, topology and the "
        "formulas experimentalists fit.  Lattice energies are in units of |t| (k_B = 1); "
        "lab quantities in K, T, meV."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


#: Allowed ranges of command-line options (keyed by the option's first flag,
#: e.g. "--gamma"), appended to click's own "not a valid float" messages so
#: that the one error line names the range.  Command modules add theirs.
OPTION_RANGES: dict[str, str] = {}


def _jsonable(obj):
    """Convert numpy scalars/arrays to JSON; non-finite floats become null."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else None
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def print_json(obj) -> None:
    """Print one JSON object on stdout (strict JSON: no NaN/Infinity)."""
    sys.stdout.write(json.dumps(_jsonable(obj), allow_nan=False, indent=1) + "\n")


def echo(message: str, quiet: bool = False) -> None:
    """Human-readable progress/result line on stdout unless quiet."""
    if not quiet:
        typer.echo(message)
