"""Progress bars and log messages of long computations, switched from one place.

Library loops call :func:`track` (a tqdm bar on stderr) and log through the ``isingsc`` logger.
Bars are shown only when stderr is a terminal, unless the ``progress`` setting
(:mod:`isingsc.core.config`) says otherwise; the CLI's global ``--quiet`` turns them off and
``-v`` / ``-vv`` turn the log on (INFO / DEBUG).
"""

from __future__ import annotations

import logging
import sys

from isingsc.core import config

logger = logging.getLogger("isingsc")


def progress_enabled() -> bool:
    """Progress bars on: the ``progress`` setting, else whether stderr is a terminal."""
    enabled = config.current().progress
    if enabled is not None:
        return enabled
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
