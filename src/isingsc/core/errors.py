"""Exceptions and input validation shared by the whole package.

Every check names the parameter and the allowed range, so that the CLI can
print one line and a Python user sees at once what to change.  Nothing in the
package returns NaN silently: invalid input raises :class:`ParameterError`,
a solver that does not converge raises :class:`ConvergenceError`.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np


class IsingscError(Exception):
    """Base class of all errors raised deliberately by isingsc."""


class ParameterError(IsingscError, ValueError):
    """An input parameter is outside its allowed range.

    Parameters
    ----------
    name : the parameter's name as the user wrote it (e.g. ``"gamma"``).
    value : the offending value.
    allowed : human-readable allowed range (e.g. ``"gamma >= 0"``).
    """

    def __init__(self, name: str, value, allowed: str, *, reason: str | None = None):
        self.name, self.value, self.allowed, self.reason = name, value, allowed, reason
        if reason:
            super().__init__(f"invalid {name} = {value!r}: {reason}")
        else:
            super().__init__(f"invalid {name} = {value!r}: allowed range is {allowed}")


class ConvergenceError(IsingscError, RuntimeError):
    """A solver did not reach the requested tolerance.

    Besides the one-line message it carries what a program needs to react without parsing it:
    ``quantity`` (what did not converge), ``achieved`` (the last relative change, or None),
    ``requested`` (the tolerance asked for), ``resolution`` (the last quadrature or mesh, as text)
    and ``suggestion`` (what to change).
    """

    def __init__(self, message: str, *, quantity: str | None = None, achieved: float | None = None,
                 requested: float | None = None, resolution: str | None = None,
                 suggestion: str | None = None):
        self.quantity, self.achieved, self.requested = quantity, achieved, requested
        self.resolution, self.suggestion = resolution, suggestion
        super().__init__(message + (f"; {suggestion}" if suggestion else ""))


class ModelCapabilityError(ParameterError):
    """A model cannot be used for an observable (e.g. a winding number without chiral symmetry).

    ``model`` names the model, ``observable`` the quantity asked for, ``reason`` the physics.
    """

    def __init__(self, model: str, observable: str, reason: str):
        self.model, self.observable = model, observable
        super().__init__("model", model, f"a model for which the {observable} is defined", reason=reason)
        self.args = (f"model {model!r} cannot give the {observable}: {reason}",)


class DataFileError(IsingscError, ValueError):
    """A data file (CSV, model file, NetCDF) is missing, malformed or corrupt."""


def _as_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ParameterError(name, value, "a finite real number") from None
    value = float(value)
    if not math.isfinite(value):
        raise ParameterError(name, value, "a finite real number")
    return value


def check_finite(name: str, value) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    return _as_float(name, value)


def check_range(
    name: str,
    value,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    nonzero: bool = False,
) -> float:
    """Validate a scalar against an interval and return it as a float.

    ``lo_open``/``hi_open`` make the bound strict; ``nonzero`` forbids 0.
    The error message spells out the interval, e.g. ``eta > 0``.
    """
    x = _as_float(name, value)
    parts = []
    if lo is not None:
        parts.append(f"{name} {'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{name} {'<' if hi_open else '<='} {hi:g}")
    if nonzero:
        parts.append(f"{name} != 0")
    allowed = " and ".join(parts) + " (finite)" if parts else "a finite real number"
    if lo is not None and (x < lo or (lo_open and x == lo)):
        raise ParameterError(name, x, allowed)
    if hi is not None and (x > hi or (hi_open and x == hi)):
        raise ParameterError(name, x, allowed)
    if nonzero and x == 0.0:
        raise ParameterError(name, x, allowed)
    return x


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    """Validate an integer count (mesh size, width, ...) ``>= minimum``."""
    if isinstance(value, bool) or int(value) != value:
        raise ParameterError(name, value, f"an integer >= {minimum}")
    value = int(value)
    if value < minimum:
        raise ParameterError(name, value, f"an integer >= {minimum}")
    return value


def check_unit_vector(name: str, value, size: int = 3) -> np.ndarray:
    """Validate a unit vector (a spin direction, a moment, a polarisation, a spin axis) and return it
    normalised as a float array of shape (size,).

    Raises ParameterError naming ``name`` unless ``value`` is ``size`` finite real numbers with
    norm 1 to 1e-9 (a rounding error of a unit vector is accepted, a scaled vector is not)."""
    allowed = f"a unit {size}-vector (norm 1 to 1e-9)"
    try:
        v = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, value, allowed) from None
    if v.shape != (size,) or not np.all(np.isfinite(v)):
        raise ParameterError(name, value if v.shape != (size,) else tuple(v.tolist()), allowed)
    norm = float(np.linalg.norm(v))
    if abs(norm - 1.0) > 1e-9:
        raise ParameterError(name, tuple(v.tolist()), allowed, reason=f"its norm is {norm:.12g}, not 1")
    return v / norm
