"""Ribbons (strips) built automatically from a :class:`~isingsc.tightbinding.TightBindingModel`.

A ribbon is periodic along a lattice translation ``T`` (integer coordinates in
a1, a2) and open along a complementary vector ``U`` with det[U; T] = +-1, so every
lattice vector R is uniquely R = alpha U + beta T.  Sites are m U + n T with
m = 0 .. W-1 ("columns"); Bloch's theorem along T gives the W*dim x W*dim matrix

    H_{m m'}(k) = sum_{R: alpha = m' - m} T_R exp(i k beta |T|),

k the momentum along T in [-pi/|T|, pi/|T|].  The paper's Fig. 4 strip has edges
along y: T = 2 a2 - a1 = (0, sqrt3) (period sqrt3) and U = a2 (columns at x = m/2).
The Nambu doubling and the Zeeman field follow from the same model data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ParameterError, check_positive_int
from .tightbinding import TightBindingModel, nambu

#: Edge orientations: (periodic T, open U) in lattice coordinates.
ORIENTATIONS = {
    "armchair-y": ((-1, 2), (0, 1)),  # edges along y (paper Fig. 4), period sqrt3
    "zigzag-x": ((1, 0), (0, 1)),  # edges along x, period 1
}


@dataclass(frozen=True)
class Ribbon:
    """A strip of ``width`` columns of ``model`` periodic along ``periodic`` and open along ``open_``."""

    model: TightBindingModel
    width: int
    periodic: tuple[int, int] = ORIENTATIONS["armchair-y"][0]
    open_: tuple[int, int] = ORIENTATIONS["armchair-y"][1]
    closed: bool = False  # True: wrap the open direction too (a torus; for tests against the bulk)

    def __post_init__(self):
        check_positive_int("width", self.width, 2)
        det = self.open_[0] * self.periodic[1] - self.open_[1] * self.periodic[0]
        if abs(det) != 1:
            raise ParameterError("open_/periodic", (self.open_, self.periodic),
                                 "two lattice vectors spanning a primitive cell (det = +-1)")

    @classmethod
    def oriented(cls, model, width: int, edge: str = "armchair-y", closed: bool = False) -> "Ribbon":
        if edge not in ORIENTATIONS:
            raise ParameterError("edge", edge, " | ".join(ORIENTATIONS))
        t, u = ORIENTATIONS[edge]
        return cls(model, width, t, u, closed)

    @property
    def period(self) -> float:
        """|T| in units of a."""
        return float(np.linalg.norm(np.array(self.periodic) @ self.model.lattice.primitive))

    def _decompose(self, offset):
        basis = np.array([self.open_, self.periodic], dtype=float).T  # columns U, T
        alpha, beta = np.linalg.solve(basis, np.array(offset, dtype=float))
        return int(round(alpha)), int(round(beta))

    def hamiltonian(self, k, field_vector=0.0) -> np.ndarray:
        """Normal-state ribbon Bloch Hamiltonian, shape (n_k, W dim, W dim), k along T (1/a)."""
        k = np.atleast_1d(np.asarray(k, dtype=float))
        dim, W = self.model.dim, self.width
        out = np.zeros((len(k), W * dim, W * dim), dtype=complex)
        zee = self.model.zeeman_matrix(field_vector)
        for offset, mat in self.model.hoppings.items():
            alpha, beta = self._decompose(offset)
            phase = np.exp(1j * k * beta * self.period)[:, None, None]
            for m in range(W):
                mp = m + alpha
                if self.closed:
                    mp %= W
                elif not 0 <= mp < W:
                    continue
                # H_{m', m} collects T_R for R from column m to column m' = m + alpha
                out[:, mp * dim:(mp + 1) * dim, m * dim:(m + 1) * dim] += phase * mat
        out += np.kron(np.eye(W), zee)
        return out

    def bdg_hamiltonian(self, k, delta: complex = 0.0, field_vector=0.0) -> np.ndarray:
        """Nambu ribbon Hamiltonian [[h(k), D], [D^dagger, -h(-k)^*]], shape (n_k, 2 W dim, 2 W dim)."""
        k = np.atleast_1d(np.asarray(k, dtype=float))
        pairing = np.kron(np.eye(self.width), self.model.pairing_matrix(delta))
        return nambu(self.hamiltonian(k, field_vector), self.hamiltonian(-k, field_vector), pairing)

    def momenta(self, n: int) -> np.ndarray:
        """n momenta along T covering [-pi/|T|, pi/|T|)."""
        return np.linspace(-np.pi, np.pi, check_positive_int("n", n, 1), endpoint=False) / self.period
