"""Command-line interface ``isingsc`` (typer).

:func:`main` runs the typer app in non-standalone mode so that every usage
error and every :class:`isingsc.core.errors.IsingscError` is reported as **one line**
on stderr (naming the parameter and its allowed range) with exit status 2,
never as a traceback.
"""

from __future__ import annotations

import atexit
import gc
import sys

import typer

from isingsc.core.errors import IsingscError
from isingsc.cli.app import app

# Command modules register themselves on `app` when imported.
from isingsc.cli import foundation  # noqa: E402,F401
from isingsc.cli import experiment  # noqa: E402,F401
from isingsc.cli import meanfield  # noqa: E402,F401
from isingsc.cli import topology  # noqa: E402,F401
from isingsc.cli import models  # noqa: E402,F401
from isingsc.cli import sweep  # noqa: E402,F401
from isingsc.cli import spectrum  # noqa: E402,F401
from isingsc.cli import correlations  # noqa: E402,F401
from isingsc.cli import impurities  # noqa: E402,F401
from isingsc.cli import chains  # noqa: E402,F401
from isingsc.cli import junctions  # noqa: E402,F401
from isingsc.cli import channels  # noqa: E402,F401


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _leave_to_the_os() -> None:
    """At exit, before the interpreter's last garbage collection: move every object to the permanent generation.
    That collection would walk all objects of the loaded libraries (0.35 s with SciPy, Numba, Dask and matplotlib)
    only to free memory the operating system takes back anyway; modules are still cleared and their objects
    released by reference counting (files closed, buffers flushed), only reference cycles are left."""
    gc.freeze()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``isingsc`` console script."""
    atexit.unregister(_leave_to_the_os)  # once, however often main runs in a process
    atexit.register(_leave_to_the_os)
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv, prog_name="isingsc", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("isingsc: aborted\n")
        sys.exit(130)
    except typer.BadParameter as exc:
        opts = getattr(exc.param, "opts", None) or []
        name = opts[0] if opts else (exc.param_hint or "")
        msg = f"isingsc: error: invalid value for {name}: {_one_line(getattr(exc, 'message', '') or exc.format_message())}"
        sys.stderr.write(_one_line(msg) + "\n")
        sys.exit(2)
    except IsingscError as exc:
        sys.stderr.write(f"isingsc: error: {_one_line(exc)}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("isingsc: interrupted\n")
        sys.exit(130)
    except MemoryError:
        sys.stderr.write("isingsc: error: out of memory: use smaller grids (counts) or a coarser resolution\n")
        sys.exit(2)
    except typer.TyperException as exc:  # usage errors of the vendored click
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            sys.stdout.write(ctx.get_help() + "\n")
            sys.exit(0)
        text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        sys.stderr.write(f"isingsc: error: {_one_line(text)}\n")
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except Exception as exc:  # a bug: one line, the traceback with -v
        from isingsc.core.progress import logger

        if logger.isEnabledFor(10) or logger.isEnabledFor(20):
            raise
        sys.stderr.write(f"isingsc: internal error ({type(exc).__name__}: {_one_line(exc)}); rerun with -v for "
                         "the traceback and please report it\n")
        sys.exit(1)
    if isinstance(rv, int) and rv:
        sys.exit(rv)
