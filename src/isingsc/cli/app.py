"""The typer application object shared by every command module.

Command modules (``isingsc.cli.foundation``, ``isingsc.cli.experiment``, ...)
import :data:`app` and decorate their functions with ``@app.command()``;
:mod:`isingsc.cli` imports them all and provides :func:`isingsc.cli.main`.
"""

from __future__ import annotations

import json
import sys

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


def print_json(obj) -> None:
    """Print one JSON object on stdout (strict JSON: no NaN/Infinity)."""
    # imported here: isingsc.core.results brings in xarray and pandas (0.3 s), which a command that starts
    # worker processes (sweep) should not wait for before it starts them
    from isingsc.core.results import to_jsonable

    sys.stdout.write(json.dumps(to_jsonable(obj), allow_nan=False, indent=1) + "\n")


def print_fit(result, files: dict, json_out: bool) -> None:
    """A fit result (``to_dict()`` / ``summary()``) and the files written, as JSON or text."""
    if json_out:
        d = result.to_dict()
        d["files"] = {k: str(v) for k, v in files.items()}
        print_json(d)
        return
    echo(result.summary())
    for k, v in files.items():
        echo(f"wrote {k}: {v}")


def echo(message: str, quiet: bool = False) -> None:
    """Human-readable result line on stdout unless the command's --quiet (the global --quiet only
    silences progress bars and logs, never results)."""
    if not quiet:
        typer.echo(message)


@app.callback()
def global_options(
    backend: str = typer.Option(
        "auto", "--backend", envvar="ISINGSC_BACKEND",
        help="Backend of the mean-field hot path (batched Nambu eigenvalues, free-energy sums, spectral "
             "functions): cpu (compiled Numba kernels), gpu (numba.cuda on an NVIDIA GPU; error if none) or "
             "auto (the GPU when one is usable).  Results agree to ~1e-12 relative."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars (default: shown on a terminal)."),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True,
                                help="Log what long computations do on stderr: -v passes and refinements, "
                                     "-vv every root-finding step.  Default: off."),
):
    """Global options, given before the command: ``isingsc -v --backend cpu hc2 ...``."""
    from isingsc.core import config
    from isingsc.core.progress import configure_logging

    if backend == "gpu":  # a missing GPU is refused here, before any work
        from isingsc.backends import select_backend

        select_backend(backend)
    else:  # (the compiled kernels load with the first command that uses them: a sweep's parent never does)
        config.configure(backend=backend)
    QUIET["on"] = quiet
    config.configure(progress=False if quiet else None)
    configure_logging(verbose)


#: The global --quiet (commands' own --quiet options add to it).
QUIET = {"on": False}
