"""Progress bars and log messages of long computations, switched from one place.

Library loops call :func:`track` (a tqdm bar on stderr) and log through the ``isingsc`` logger.
Bars are shown only when stderr is a terminal, unless :func:`set_progress` says otherwise; the
CLI's global ``--quiet`` turns them off and ``-v`` / ``-vv`` turn the log on (INFO / DEBUG).
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("isingsc")

_ENABLED: bool | None = None  # None: on when stderr is a terminal


def set_progress(enabled: bool | None) -> None:
    """Show progress bars (True), never (False), or only on a terminal (None, the default)."""
    global _ENABLED
    _ENABLED = enabled


def progress_enabled() -> bool:
    if _ENABLED is not None:
        return _ENABLED
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def track(iterable, desc: str, total: int | None = None, unit: str = "it"):
    """``iterable`` wrapped in a tqdm bar (stderr, removed when done) when progress is enabled."""
    if not progress_enabled():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit=unit, leave=False, file=sys.stderr, dynamic_ncols=True)


def configure_logging(verbosity: int) -> None:
    """-v: INFO (passes, refinements, timings); -vv: DEBUG (every root-finding step)."""
    if verbosity <= 0:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("isingsc %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)
