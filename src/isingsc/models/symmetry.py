"""Symmetry facts of a model: what the solvers may rely on, checked on the Hamiltonian itself.

* **D6 spectrum in an in-plane field** -- the Nambu spectrum is invariant under the point group
  D6 acting on k alone, for in-plane fields at the angles used: then the Gamma-K-M wedge (1/12
  of the zone) is an exact quadrature for every spectral quantity (free energy, gap equation,
  pair susceptibility, DOS).  True for spin terms that are sigma_z-only (Ising SOC) and an
  in-plane field (docs/conventions.md); false with Rashba or anisotropic in-plane SOC.
* **Chiral symmetry at fixed ky** -- C = sigma_x tau_y (identity over orbitals) anticommutes with
  H(kx, ky) for in-plane fields: at fixed ky the Hamiltonian is in class BDI and has an integer
  winding number W(ky) (paper Eq. 8 and after; :mod:`isingsc.topology`).  The 1D "time reversal"
  T = sigma_x tau_z K and "particle-hole" P = sigma_0 tau_x K come with it.
* **Fermi pockets** -- where the normal-state Fermi surfaces sit: around Gamma (rays from Gamma
  cross them) and/or around the zone corners K, K' (every ray from K crosses a band within
  0.75 x K_DISK_LIMIT).  The quadrature chooser puts disks around K for the latter.

:func:`detect_facts` measures them on any :class:`~isingsc.models.base.NambuModel`; the catalogue
declares them for its built-in models and a test checks the declarations against detection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isingsc.core.errors import ParameterError, check_positive_int
from isingsc.core.field import Field
from isingsc.lattice.quadrature import K_DISK_LIMIT, corner_distance, k_pocket_radius, ray_crossings, zone_edge_distance
from isingsc.lattice.triangular import check_spectral_symmetry
from isingsc.models.base import SIGMA0, SIGMAX, SIGMAY, SIGMAZ, TightBindingModel


@dataclass(frozen=True)
class SymmetryFacts:
    """What the solvers may rely on for one model.

    d6_in_plane : the Nambu spectrum is D6-invariant (k alone) for in-plane fields at any angle.
    chiral : C = sigma_x tau_y anticommutes with H_BdG(k) for in-plane fields (winding numbers defined).
    pockets : normal-state Fermi-pocket centres at zero field, a subset of ("Γ", "K").
    pairing : the model has pairing orbitals (superconductivity possible).
    real_space : the model is a lattice model with hoppings (ribbons, edges, real-space methods).
    """

    d6_in_plane: bool
    chiral: bool
    pockets: tuple[str, ...]
    pairing: bool = True
    real_space: bool = True

    def as_attrs(self) -> dict:
        return {"d6_in_plane": int(self.d6_in_plane), "chiral": int(self.chiral),
                "fermi_pockets": ",".join(self.pockets) or "none", "pairing": int(self.pairing),
                "real_space": int(self.real_space)}


# ------------------------------------------------------------------ the operators
def nambu_operator(tau: np.ndarray, sigma: np.ndarray, n_orbitals: int) -> np.ndarray:
    """sigma_a tau_b in the Nambu basis: tau outermost (particles, holes), then orbital, then spin."""
    return np.kron(tau, np.kron(np.eye(n_orbitals), sigma))


def symmetry_operators(n_orbitals: int = 1) -> dict[str, np.ndarray]:
    """Unitary parts of the paper's T = sigma_x tau_z K, P = sigma_0 tau_x K and C = sigma_x tau_y.

    Returned as 4N x 4N matrices in our Nambu basis (identity over the N orbitals).  T and P are
    antiunitary: T H T^-1 = U_T H^* U_T^dagger.
    """
    n = check_positive_int("n_orbitals", n_orbitals, 1)
    return {"T": nambu_operator(SIGMAZ, SIGMAX, n), "P": nambu_operator(SIGMAX, SIGMA0, n),
            "C": nambu_operator(SIGMAY, SIGMAX, n)}


def chiral_basis(n_orbitals: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal eigenvectors of C = sigma_x tau_y: (U_plus, U_minus), each (4N, 2N).

    Built analytically from tau_y |tau+-> = +-|tau+->, |tau+-> = (1, +-i)/sqrt2 and
    sigma_x |sigma+-> = +-|sigma+->, |sigma+-> = (1, +-1)/sqrt2:
    C = +1 on |tau+, sigma+> and |tau-, sigma->, C = -1 on the other two.
    """
    n = check_positive_int("n_orbitals", n_orbitals, 1)
    tp, tm = np.array([1, 1j]) / np.sqrt(2), np.array([1, -1j]) / np.sqrt(2)
    sp, sm = np.array([1, 1]) / np.sqrt(2), np.array([1, -1]) / np.sqrt(2)
    eye = np.eye(n)

    def block(t, s):
        return np.stack([np.kron(t, np.kron(eye[o], s)) for o in range(n)], axis=-1)

    return (np.concatenate([block(tp, sp), block(tm, sm)], axis=1),
            np.concatenate([block(tp, sm), block(tm, sp)], axis=1))


# ------------------------------------------------------------------ checks
_TEST_DELTA = 0.01
_TEST_FIELDS = (0.05, 0.0), (0.03, 0.04)  # (V_parallel, V_perpendicular) to the field angle


def _test_fields(angles) -> list[Field]:
    """Zero field and two in-plane test fields per angle (along it and off it)."""
    out = [Field()]
    for a in np.atleast_1d(np.asarray(angles, dtype=float)):
        for v, w in _TEST_FIELDS:
            out.append(Field.from_vector((v * np.cos(a) - w * np.sin(a), v * np.sin(a) + w * np.cos(a), 0.0)))
    return out


def is_d6_symmetric(model, angles=(0.0,)) -> bool:
    """True if the Nambu spectrum (test pairing) is D6-invariant, k acted on alone, at zero field and
    in in-plane test fields at ``angles`` (rad): then the Gamma-K-M wedge is an exact quadrature."""
    try:
        for f in _test_fields(angles):
            check_spectral_symmetry(lambda k: np.linalg.eigvalsh(model.bdg_hamiltonian(k, _TEST_DELTA, f)), "D6")
    except ParameterError:
        return False
    return True


def chiral_residual(model, field=None, k=None) -> float:
    """max |C H C^dagger + H| / max |H| at sample momenta: 0 if C = sigma_x tau_y is a chiral symmetry."""
    n_orb = model.nambu_dim // 4
    c = symmetry_operators(n_orb)["C"]
    if k is None:
        k = np.random.default_rng(11).uniform(-4.0, 4.0, size=(8, 2))
    h = model.bdg_hamiltonian(np.asarray(k, dtype=float), _TEST_DELTA, field)
    return float(np.abs(c @ h @ c.conj().T + h).max()) / max(1.0, float(np.abs(h).max()))


def has_chiral_symmetry(model, angles=(0.0, np.pi / 2), atol: float = 1e-9) -> bool:
    """True if C = sigma_x tau_y is a chiral symmetry at zero field and in in-plane fields at ``angles``."""
    if model.nambu_dim % 4:
        return False
    return all(chiral_residual(model, f) <= atol for f in _test_fields(angles))


def fermi_pockets(model, n_rays: int = 24) -> tuple[str, ...]:
    """Centres of the zero-field normal-state Fermi pockets: "K" if every ray from K crosses a band within
    0.75 K_DISK_LIMIT (pockets around the zone corners), "Γ" if rays from Gamma (half the zone) cross a
    band farther from the corners than those pockets reach."""
    def energies(k):
        return np.linalg.eigvalsh(model.hamiltonian(k, None))

    out = []
    pocket = k_pocket_radius(energies, 0.75 * K_DISK_LIMIT)
    # Gamma-centred surfaces: crossings on rays from Gamma (half the zone) farther from K than the K pockets
    limit = pocket or 0.0
    gamma = False
    for theta in np.linspace(-np.pi / 2, np.pi / 2, n_rays, endpoint=False) + np.pi / (2 * n_rays):
        u = np.array([np.cos(theta), np.sin(theta)])
        for r, _ in ray_crossings(energies, np.zeros(2), u, float(zone_edge_distance(theta)), n_samples=300):
            if corner_distance((r * u)[None])[0] > limit * 1.05 + 1e-9:
                gamma = True
                break
        if gamma:
            break
    if gamma:
        out.append("Γ")
    if pocket is not None:
        out.append("K")
    return tuple(out)


def detect_facts(model) -> SymmetryFacts:
    """:class:`SymmetryFacts` measured on ``model`` (a few hundred small diagonalisations)."""
    return SymmetryFacts(d6_in_plane=is_d6_symmetric(model, (0.0, 0.3, np.pi / 2)),
                         chiral=has_chiral_symmetry(model),
                         pockets=fermi_pockets(model),
                         pairing=bool(tuple(model.pairing_orbitals)),
                         real_space=isinstance(model, TightBindingModel))
