"""The package's figure style, applied in a context: nothing global is changed.

Figures are built with matplotlib's object-oriented API (:class:`matplotlib.figure.Figure`, never
``pyplot``), so the library neither selects a backend nor touches the caller's pyplot state: in
Jupyter (with the inline backend, ``%matplotlib inline``) a returned figure displays as the cell's
value, in scripts :func:`save_figure` writes it.  Every public plot
function runs inside :func:`style` (the :func:`styled` decorator), a ``matplotlib.rc_context``.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

#: rcParams of the package's figures (publication quality: inward ticks, 10-11 pt text).
RC = {
    "figure.dpi": 150, "savefig.dpi": 200, "font.size": 10, "axes.labelsize": 11,
    "axes.titlesize": 11, "legend.fontsize": 9, "xtick.direction": "in", "ytick.direction": "in",
}
#: File formats :func:`save_figure` writes (by suffix).
FORMATS = (".png", ".pdf", ".svg")


@contextmanager
def style():
    """The package's rcParams inside a ``with`` block (restored on exit)."""
    with matplotlib.rc_context(RC):
        yield


def styled(function):
    """Decorator: run a plot function inside :func:`style`."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with style():
            return function(*args, **kwargs)
    return wrapper


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, layout=None, **kwargs):
    """(figure, axes) like ``pyplot.subplots``, without pyplot (no global figure registry)."""
    fig = Figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def figure_for(ax, size=(4.4, 3.4)):
    """(figure, axes) to draw on: a new figure of ``size`` inches when ``ax`` is None, else (None, ax)
    (a plot function drawing into a caller's axes returns no figure of its own)."""
    if ax is None:
        return subplots(figsize=size)
    return None, ax


def new_figure(*, figsize=None, layout=None) -> Figure:
    """An empty figure without pyplot."""
    return Figure(figsize=figsize, layout=layout)


@styled
def save_figure(fig: Figure, path, pdf: bool = False) -> list[Path]:
    """Write ``fig`` to ``path`` (format from its suffix: .png, .pdf or .svg) and, with ``pdf``, a PDF
    beside it; returns the files written."""
    from isingsc.core.errors import ParameterError

    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ParameterError("plot file", str(path), "a file name ending in " + ", ".join(FORMATS))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    out = [path]
    if pdf and path.suffix.lower() != ".pdf":
        fig.savefig(path.with_suffix(".pdf"), bbox_inches="tight")
        out.append(path.with_suffix(".pdf"))
    return out
