"""The Zeeman field: one value, :class:`Field`, accepted as ``field=`` by every function.

A field is stored as the Zeeman *energy* vector

    V = (g / 2) mu_B B            (units of the model's energies: |t| for lattice models),

so that it adds ``V . sigma`` to the normal-state Hamiltonian of every orbital that couples to it
(docs/conventions.md).  It is kept as a strength ``|V| >= 0`` and a unit direction, so that a zero
field still remembers its direction (the critical-field solvers scale a direction).

Angles are **radians** everywhere in Python: ``Field.in_plane(strength, angle)`` points at
``angle`` from the lattice x axis (Gamma-K, a nearest-neighbour bond) in the plane.  Degrees appear
only at the command line and in sweep files, converted once by :func:`degrees_to_radians`.

:func:`as_field` turns what users naturally write into a Field: a Field itself, a number ``Vx``
(along x), or a 2- or 3-vector ``(Vx, Vy[, Vz])``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from isingsc.core.errors import ParameterError, check_finite, check_range

_X = (1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Field:
    """A Zeeman field ``V = strength * direction`` (energy units; V = mu_B B for g = 2).

    Build it with :meth:`in_plane`, :meth:`from_vector` or :func:`as_field`; ``Field()`` is zero
    field along x.  ``strength`` is |V| >= 0 and ``direction`` a unit 3-vector.
    """

    strength: float = 0.0
    direction: tuple[float, float, float] = _X

    def __post_init__(self):
        s = check_range("field strength", self.strength, lo=0.0)
        d = np.asarray(self.direction, dtype=float)
        if d.shape != (3,) or not np.all(np.isfinite(d)) or not math.isclose(float(np.linalg.norm(d)), 1.0,
                                                                               rel_tol=1e-9):
            raise ParameterError("field direction", tuple(self.direction), "a unit 3-vector (finite)")
        object.__setattr__(self, "strength", s)
        object.__setattr__(self, "direction", tuple(float(x) for x in d / np.linalg.norm(d)))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def in_plane(cls, strength: float = 0.0, angle: float = 0.0) -> "Field":
        """In-plane field of Zeeman energy ``strength`` at ``angle`` (rad) from the x axis."""
        a = check_finite("field angle", angle)
        return cls(check_range("field strength", strength, lo=0.0), (math.cos(a), math.sin(a), 0.0))

    @classmethod
    def from_vector(cls, vector) -> "Field":
        """Field from its Zeeman vector (Vx, Vy, Vz) (or (Vx, Vy), or a number Vx)."""
        try:
            v = np.atleast_1d(np.asarray(vector, dtype=float))
        except (TypeError, ValueError):  # not numbers at all ("x", None inside a list, ...)
            raise ParameterError("field", vector, "a Field, Vx, (Vx, Vy) or (Vx, Vy, Vz) with finite numbers") from None
        if v.ndim != 1 or v.size not in (1, 2, 3) or not np.all(np.isfinite(v)):
            raise ParameterError("field", vector, "a Field, Vx, (Vx, Vy) or (Vx, Vy, Vz) with finite numbers")
        v = np.concatenate([v, np.zeros(3 - v.size)])
        scale = float(np.max(np.abs(v)))
        if scale == 0.0:
            return cls(0.0, _X)
        u = v / scale  # (scaled first: the squares of a tiny vector underflow, and its direction with them)
        n = float(np.linalg.norm(u))
        return cls(scale * n, tuple(u / n))

    # ------------------------------------------------------------------ views
    @property
    def vector(self) -> np.ndarray:
        """The Zeeman vector (Vx, Vy, Vz), shape (3,)."""
        return self.strength * np.asarray(self.direction)

    @property
    def angle(self) -> float:
        """Azimuth of the direction in the plane, rad from x (in (-pi, pi])."""
        return math.atan2(self.direction[1], self.direction[0])

    @property
    def is_in_plane(self) -> bool:
        return abs(self.direction[2]) < 1e-12

    def with_strength(self, strength: float) -> "Field":
        """The same direction at another strength."""
        return Field(check_range("field strength", strength, lo=0.0), self.direction)

    def __array__(self, dtype=None, copy=None):
        return self.vector if dtype is None else self.vector.astype(dtype)

    def attrs(self, prefix: str = "field") -> dict:
        """NetCDF-friendly attributes: strength (energy units), in-plane angle (rad) and direction."""
        return {f"{prefix}_strength": self.strength, f"{prefix}_angle": self.angle,
                f"{prefix}_direction": list(self.direction)}


#: Zero field (direction x).
ZERO_FIELD = Field()


def as_field(value) -> Field:
    """A :class:`Field` from a Field, a number Vx (along x), or a vector (Vx, Vy[, Vz])."""
    if isinstance(value, Field):
        return value
    if value is None:
        return ZERO_FIELD
    return Field.from_vector(value)


def direction(polar: float, azimuth: float = 0.0) -> np.ndarray:
    """The unit vector (sin th cos ph, sin th sin ph, cos th) at polar angle th from z and azimuth ph from x
    (radians), shape (3,): the one conversion of two angles to a direction (fields, moments, axes)."""
    th, ph = check_finite("polar angle", polar), check_finite("azimuth", azimuth)
    return np.array([math.sin(th) * math.cos(ph), math.sin(th) * math.sin(ph), math.cos(th)])


def degrees_to_radians(name: str, degrees: float) -> float:
    """The one conversion of a user's angle in degrees (CLI, sweep files) to radians."""
    return math.radians(check_finite(name, degrees))
