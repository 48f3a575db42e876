"""CLI command ``isingsc sweep``: a TOML-described parameter sweep on Dask, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from isingsc.core.errors import IsingscError, ParameterError
from isingsc.cli.app import app, echo, print_json
from isingsc.cli.options import Json, count, output_folder


@app.command("sweep")
def sweep_command(
    file: Annotated[Path, typer.Argument(help="Sweep file (TOML) with the tables model, parameters, axes and "
                                              "compute; see docs/sweeps.md.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder: the Zarr store (sweep.zarr) and plots.")],
    resume: Annotated[bool, typer.Option("--resume", help="Continue the sweep stored in --out: compute only "
                                                          "the missing points.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a sweep stored in --out.")] = False,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", help="Address of an existing dask scheduler (tcp://host:8786); default: a "
                            "LocalCluster on this machine.")] = None,
    workers: Annotated[Optional[int], count("--workers", "Worker processes of the LocalCluster (default: one per core).",
                                            1, 1024)] = None,
    threads: Annotated[int, count("--threads", "Kernel threads per worker.", 1, 256)] = 1,
    plot: Annotated[bool, typer.Option("--plot/--no-plot", help="Write sweep.png (2-axis sweeps).")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or text.")] = False,
    json_out: Json = False,
):
    """Run a parameter sweep: Tc, Delta0 (|t|), Hc2 at T = t_over_tc x Tc (|t| and / HP), the order of
    the transition, the nodal-phase flag and W(ky) over a grid of model parameters.

    Each point is converged to the file's tol (default 0.005) by quadrature refinement; the store
    (OUT/sweep.zarr, one dimension per axis) is written point by point as results arrive, so an
    interrupted sweep (Ctrl-C, kill -9, a dead worker) continues with --resume.  A failing point
    stores its error message and the sweep goes on.  Defaults: --workers = cores, --threads 1;
    the global --backend (isingsc --backend gpu sweep ...) applies on the workers.
    """
    from isingsc.workflows.sweep import load_sweep, run_sweep
    from isingsc.workflows.sweep.runner import check_scheduler_address

    spec = load_sweep(file)  # validation first: a bad file writes nothing
    out = output_folder(out)
    store = Path(out) / "sweep.zarr"
    if store.exists() and not resume and not overwrite:
        raise IsingscError(f"--out {out} already holds a sweep: pass --resume to continue it, "
                           "--overwrite to replace it, or choose a new folder")
    if resume and not store.exists():
        raise ParameterError("--resume", str(store), "an existing sweep store to continue (none here: run without "
                             "--resume to start one)")
    if scheduler is not None:
        check_scheduler_address(scheduler)
    Path(out).mkdir(parents=True, exist_ok=True)
    plotting = plot and len(spec.axes) == 2
    try:
        # matplotlib is loaded while the workers compute, not after the last point
        report = run_sweep(spec, store, resume=resume, overwrite=overwrite, scheduler=scheduler,
                           n_workers=workers, threads_per_worker=threads, progress=not quiet and not json_out,
                           prefetch=("isingsc.plotting.sweep",) if plotting else ())
    except KeyboardInterrupt:
        from isingsc.workflows.sweep.store import SweepStore

        left = len(SweepStore.open(store, spec).pending())
        typer.echo(f"isingsc: interrupted; {spec.n_points - left} of {spec.n_points} points are saved in "
                   f"{store}; continue with --resume", err=True)
        raise typer.Exit(130)
    from isingsc.workflows.sweep.store import SweepStore

    ds = SweepStore(store, spec).dataset()  # just written: no integrity check (that is for --resume)
    figure = None
    if plotting:
        from isingsc.plotting.sweep import plot_sweep

        figure = plot_sweep(ds, Path(out) / "sweep.png")
        figure = Path(out) / "sweep.png"
    result = {"store": str(store), "points": report.total, "computed_now": report.computed,
              "failed": int((ds["status"].values == 2).sum()), "pending": report.pending,
              "axes": {k: len(v) for k, v in spec.axes.items()}, "quantities": list(spec.quantities),
              "plot": str(figure) if figure else None}
    if json_out:
        print_json(result)
    else:
        echo(f"sweep {file}: {report.total} points ({', '.join(f'{k} x{len(v)}' for k, v in spec.axes.items())}); "
             f"computed now {report.computed}, failed {result['failed']}, pending {report.pending}; "
             f"store {store}" + (f"; plot {figure}" if figure else ""), quiet)
    if report.damaged:
        files = ", ".join(sorted({f for _, f in report.damaged})[:8]) + (" ..." if len(report.damaged) > 8 else "")
        typer.echo(f"isingsc: the store had {len({i for i, _ in report.damaged})} damaged points (unreadable chunks "
                   f"{files} in {store}); they were recomputed, the other points kept", err=True)
    if report.pending:
        typer.echo(f"isingsc: {report.pending} points were not computed (workers died); rerun with --resume",
                   err=True)
        raise typer.Exit(1)
