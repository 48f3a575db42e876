"""Building blocks of the model families: hopping shells and spin-orbit terms as bond matrices.

Every term is written as hopping matrices T_R on the triangular lattice (a = 1) and
added to a :class:`~isingsc.models.base.TightBindingModel` hopping dictionary; the
reverse bonds T_-R = T_R^dagger are added by the model.  With the bonds R_i of one
shell (three vectors 120 degrees apart, one direction each):

* even (cosine) term    T_Ri = M_i / 2          ->  sum_i cos(k.R_i) M_i      (M_i real symmetric)
* odd (sine) term       T_Ri = -(i/2) M_i       ->  sum_i sin(k.R_i) M_i      (M_i Hermitian)

so that, with the nearest-neighbour bonds R_1 = (1, 0), R_2 = (-1/2, sqrt3/2),
R_3 = (-1/2, -sqrt3/2) and their unit vectors R^_i:

* Ising SOC            2 beta S(k) sigma_z,        S(k) = sum_i sin(k.R_i)       (paper Eq. 1)
* in-plane SOC         alpha_x s_y(k) sigma_x - alpha_y s_x(k) sigma_y,
                       s(k) = sum_i sin(k.R_i) R^_i  ~ (3/2) k near Gamma
  (alpha_x = alpha_y = alpha: Rashba alpha (s(k) x z).sigma ~ (3/2) alpha (k_y sigma_x - k_x sigma_y))
* line Ising SOC       lambda_z s_y(k) sigma_z     (odd in k, nodal along k_y = 0; two-fold)
* atomic SOC of a (p_x, p_y) doublet  beta L_z sigma_z = beta tau_y sigma_z,
  tau acting on (p_x, p_y): L_z = tau_y has eigenvalue +-1 on p_+- = (p_x +- i p_y)/sqrt2,
  so this is the review's "beta_SO tau_z sigma_z" in the p_+- basis.
* p-orbital (Slater-Koster) nearest-neighbour hopping in the (p_x, p_y) doublet:
  T_R = t_sigma d d^T + t_pi (1 - d d^T) = t tau_0 + t_orb (cos 2theta tau_z + sin 2theta tau_x),
  t = (t_sigma + t_pi)/2, t_orb = (t_sigma - t_pi)/2, theta the bond angle; near Gamma the
  doublet is split by |g(k)| ~ (3/4) |t_orb| k^2 (the orbital texture), degenerate at Gamma (C3).

All energies in units of |t|.  Basis: orbital-major, spin-minor (isingsc.models.base).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from isingsc.lattice.triangular import LATTICE
from isingsc.models.base import SIGMA0, SIGMAX, SIGMAY, SIGMAZ

#: One direction of each bond of the first three shells (lattice coordinates, 120 degrees apart):
#: 1 = nearest neighbours R_1, R_2, R_3 (paper Eq. 2; isingsc.models.paper.NN_OFFSETS), distance 1;
#: 2 = next-nearest neighbours a1 + a2, a2 - 2 a1, a1 - 2 a2, distance sqrt3;
#: 3 = third neighbours 2 R_i, distance 2.
SHELLS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((1, 0), (-1, 1), (0, -1)),
    2: ((1, 1), (-2, 1), (1, -2)),
    3: ((2, 0), (-2, 2), (0, -2)),
}

TAU0 = np.eye(2, dtype=complex)
TAUX = SIGMAX
TAUY = SIGMAY
TAUZ = SIGMAZ


def bond_vector(offset) -> np.ndarray:
    """Cartesian vector R = n1 a1 + n2 a2 of a lattice offset (n1, n2) (units of a)."""
    return np.asarray(offset, dtype=float) @ LATTICE.primitive


def unit_vector(offset) -> np.ndarray:
    r = bond_vector(offset)
    return r / np.linalg.norm(r)


def orbital_block(n_orbitals: int, row: int, col: int, spin_matrix) -> np.ndarray:
    """(2n, 2n) matrix with the 2x2 ``spin_matrix`` in the (row, col) orbital block."""
    out = np.zeros((2 * n_orbitals, 2 * n_orbitals), dtype=complex)
    out[2 * row:2 * row + 2, 2 * col:2 * col + 2] = spin_matrix
    return out


def add(hoppings: dict, offset, matrix) -> None:
    """hoppings[offset] += matrix (creating the entry)."""
    off = tuple(int(x) for x in offset)
    hoppings[off] = hoppings.get(off, 0) + np.asarray(matrix, dtype=complex)


def shell_hopping(hoppings: dict, n_orbitals: int, orbital: int, t: float, shell: int = 1) -> None:
    """Spin-independent hopping t on the bonds of one shell: 2 t sum_i cos(k.R_i) on ``orbital``."""
    for off in SHELLS[shell]:
        add(hoppings, off, orbital_block(n_orbitals, orbital, orbital, t * SIGMA0))


def onsite(hoppings: dict, matrix) -> None:
    """Add a Hermitian on-site matrix."""
    add(hoppings, (0, 0), matrix)


def ising_soc(hoppings: dict, n_orbitals: int, orbital: int, beta: float) -> None:
    """2 beta S(k) sigma_z on ``orbital``: T_Ri = -i beta sigma_z on the nearest-neighbour bonds."""
    for off in SHELLS[1]:
        add(hoppings, off, orbital_block(n_orbitals, orbital, orbital, -1j * beta * SIGMAZ))


def odd_bond_term(hoppings: dict, n_orbitals: int, orbitals: Sequence[int], matrix_of_bond) -> None:
    """sum_i sin(k.R_i) M(R^_i) on each of ``orbitals`` (nearest-neighbour bonds; M Hermitian 2x2)."""
    for off in SHELLS[1]:
        m = matrix_of_bond(unit_vector(off))
        for o in orbitals:
            add(hoppings, off, orbital_block(n_orbitals, o, o, -0.5j * m))


def inplane_soc(hoppings: dict, n_orbitals: int, orbitals: Sequence[int], alpha_x: float, alpha_y: float) -> None:
    """alpha_x s_y(k) sigma_x - alpha_y s_x(k) sigma_y, s(k) = sum_i sin(k.R_i) R^_i.

    alpha_x = alpha_y = alpha is the Rashba term alpha (s(k) x z).sigma (C6v-symmetric spin texture).
    """
    odd_bond_term(hoppings, n_orbitals, orbitals, lambda d: alpha_x * d[1] * SIGMAX - alpha_y * d[0] * SIGMAY)


def line_ising_soc(hoppings: dict, n_orbitals: int, orbitals: Sequence[int], lambda_z: float) -> None:
    """lambda_z s_y(k) sigma_z: out-of-plane SOC allowed once the mirror x -> -x is broken (two-fold)."""
    odd_bond_term(hoppings, n_orbitals, orbitals, lambda d: lambda_z * d[1] * SIGMAZ)


def atomic_soc_p(hoppings: dict, n_orbitals: int, px: int, py: int, beta: float) -> None:
    """beta L_z sigma_z in the (p_x, p_y) doublet: L_z = tau_y (on-site; spin-orbital locking)."""
    m = np.zeros((2 * n_orbitals, 2 * n_orbitals), dtype=complex)
    for a, ia in enumerate((px, py)):
        for b, ib in enumerate((px, py)):
            m[2 * ia:2 * ia + 2, 2 * ib:2 * ib + 2] = beta * TAUY[a, b] * SIGMAZ
    onsite(hoppings, m)


def p_orbital_hopping(hoppings: dict, n_orbitals: int, px: int, py: int, t: float, t_orb: float) -> None:
    """Slater-Koster nearest-neighbour hopping of a (p_x, p_y) doublet (spin-independent).

    T_R = t tau_0 + t_orb (cos 2theta tau_z + sin 2theta tau_x) sigma_0 for the bond at angle theta;
    real symmetric and even in R (inversion-symmetric).
    """
    for off in SHELLS[1]:
        d = unit_vector(off)
        c2, s2 = d[0] ** 2 - d[1] ** 2, 2 * d[0] * d[1]
        tau = t * TAU0 + t_orb * (c2 * TAUZ + s2 * TAUX)
        m = np.zeros((2 * n_orbitals, 2 * n_orbitals), dtype=complex)
        for a, ia in enumerate((px, py)):
            for b, ib in enumerate((px, py)):
                m[2 * ia:2 * ia + 2, 2 * ib:2 * ib + 2] = tau[a, b] * SIGMA0
        add(hoppings, off, m)


def orbital_splitting_p(hoppings: dict, n_orbitals: int, px: int, py: int, delta: float) -> None:
    """On-site crystal-field splitting delta tau_z of the doublet (E_px - E_py = 2 delta; breaks C3)."""
    m = np.zeros((2 * n_orbitals, 2 * n_orbitals), dtype=complex)
    m[2 * px:2 * px + 2, 2 * px:2 * px + 2] = delta * SIGMA0
    m[2 * py:2 * py + 2, 2 * py:2 * py + 2] = -delta * SIGMA0
    onsite(hoppings, m)


def structure_vector(k) -> np.ndarray:
    """s(k) = sum_i sin(k.R_i) R^_i over the nearest-neighbour bonds, shape (..., 2)."""
    k = np.asarray(k, dtype=float)
    out = 0.0
    for off in SHELLS[1]:
        out = out + np.sin(k @ bond_vector(off))[..., None] * unit_vector(off)
    return out


def clean(hoppings: Mapping) -> dict:
    """Drop exactly-zero bond matrices (keeps the on-site block)."""
    return {k: v for k, v in hoppings.items() if k == (0, 0) or np.any(np.asarray(v) != 0)}
