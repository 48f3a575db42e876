"""Reproduce a set of figures into one folder, with a cache of finished figures and a report.

:func:`reproduce` runs each :class:`~isingsc.workflows.cache.FigureSpec` it is given (the paper's
figures are :data:`isingsc.plotting.figures.FIGURES`; ``isingsc.reproduce`` passes them), reusing a
cached result when the figure's settings, quality and the package's code are unchanged, writes
``reproduce.json`` (the run record: times, cache use, files) and ``report.html``
(:func:`isingsc.workflows.report.build_report`).  A figure that finishes is in the cache even if a
later one fails, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from isingsc.core import config
from isingsc.core.errors import ParameterError
from isingsc.core.version import __version__
from isingsc.workflows.cache import DEFAULT_CACHE_NAME, FigureCache, FigureSpec, figure_settings, settings_key
from isingsc.workflows.report import RUN_RECORD, build_report

QUALITIES = ("fast", "paper")


@dataclass(frozen=True)
class ReproduceRun:
    """What :func:`reproduce` did: the run record (as written to reproduce.json) and the report's path."""

    record: dict
    report: Path
    files: list[Path]


def reproduce(out, figures: Mapping[str, FigureSpec], *, wanted=None, quality: str = "fast", force: bool = False,
              cache_dir=None, echo: Callable[[str], None] | None = None, command: str | None = None) -> ReproduceRun:
    """Make the figures ``wanted`` (names of ``figures``, default all, in that order) into ``out``.

    ``quality``: fast | paper; ``force``: recompute even if cached; ``cache_dir``: the cache folder
    (default ``out/.isingsc-cache``); ``echo``: where progress lines go (default nowhere);
    ``command``: the command line recorded in reproduce.json.
    """
    wanted = list(dict.fromkeys(figures if wanted is None else wanted))  # each figure once, in the order given
    unknown = [f for f in wanted if f not in figures]
    if unknown or not wanted:
        raise ParameterError("figures", ",".join(map(str, wanted)), "a comma-separated subset of " + ",".join(figures))
    if quality not in QUALITIES:
        raise ParameterError("quality", quality, " | ".join(QUALITIES))
    say = echo or (lambda line: None)
    out = Path(out)
    cache = FigureCache(Path(cache_dir) if cache_dir else out / DEFAULT_CACHE_NAME)
    start = time.perf_counter()
    record = {"isingsc_version": __version__, "quality": quality,
              "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "command": command or f"isingsc reproduce --out {out} --figures {','.join(wanted)} --quality {quality}",
              "cpu_count": config.cpu_count(), "force": force, "cache_dir": str(cache.root), "figures": {}}
    files: list[Path] = []
    for name in wanted:
        spec = figures[name]
        t0 = time.perf_counter()
        settings = figure_settings(spec, quality)
        key = settings_key(settings)
        entry = None if force else cache.lookup(name, key)
        if cache.last_problem:
            say(f"Fig. {name}: cache entry corrupt ({cache.last_problem}); recomputing")
        cached = entry is not None
        if entry is None:
            say(f"Fig. {name}: computing ...")
            with config.single_threaded_blas():  # the kernels' threads fill the cores
                entry = cache.store(name, key, settings, lambda folder, spec=spec: spec.make(folder, quality))
        written = cache.restore(entry, out)
        files += written
        record["figures"][name] = {"cached": cached, "seconds": time.perf_counter() - t0,
                                   "compute_seconds": entry.compute_seconds, "cache_key": key,
                                   "files": [f.name for f in written]}
        how = (f"reused from cache (computed in {entry.compute_seconds:.1f} s)" if cached
               else f"computed in {entry.compute_seconds:.1f} s")
        say(f"Fig. {name}: {len(written)} files, {how}")
        for f in written:
            say(f"  wrote {f}")
    record["total_seconds"] = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    (out / RUN_RECORD).write_text(json.dumps(record, indent=1) + "\n")
    report = build_report(out, record)
    say(f"  wrote {out / RUN_RECORD}")
    say(f"  wrote {report}")
    return ReproduceRun(record=record, report=report, files=files)


def command_line() -> str:
    """The command line of this process, for the run record."""
    return " ".join(["isingsc", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("isingsc") else ""
