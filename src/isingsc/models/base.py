"""Normal-state lattice models described as data, and their Bogoliubov-de Gennes doubling.

A :class:`TightBindingModel` is a Bravais lattice, a list of spinful orbitals
and a dictionary of hopping matrices ``T_R`` keyed by the lattice offset R
(integer coordinates in the primitive vectors) — the tight-binding-dictionary
style of kwant/meanfi.  Everything else follows from it:

* Bloch Hamiltonian     H(k)     = sum_R T_R exp(i k.R)
* its derivatives       dH/dk_a  = sum_R i R_a T_R exp(i k.R)
* Zeeman term           sum_o g_o V.sigma on orbital o (``zeeman_coupling``)
* Nambu doubling        H_BdG(k) = [[H(k), D], [D^dagger, -H(-k)^*]]
  in the basis [c_k, c^dagger_{-k}] (particles first, then holes), with
  on-site singlet pairing D = Delta (-i sigma_y) on the pairing orbitals, i.e.
  the paper's  Delta sigma_y tau_y  (Eq. 3), by default;
* pairing as data         D(k) = Delta x pairing_scale x sum_R D_R exp(i k.R)
  from real-space pairing amplitudes D_R (``pairing_terms``; bonds and channels:
  :mod:`isingsc.models.channels`), with fermion antisymmetry D_{-R} = -D_R^T built in;
* pair momentum Q         H_BdG(k) = [[H(k + Q/2), D(k)], [D(k)^dagger, -H(-k + Q/2)^*]]
  in the basis [c_{k+Q/2}, c^dagger_{-k+Q/2}]: pairs of total momentum Q (a pair-density
  wave; ``pair_momentum``, cartesian, 1/a).  Real space: the amplitude between orbital a at
  r and orbital b at r + R is D_R[a, b] exp(i Q.(r + R/2)).

Basis order of the normal state: orbital-major, spin-minor
(index = 2 * orbital + spin, spin 0 = up along z).  The Nambu basis repeats it
for the holes: [c_{o,s}(k)] + [c^dagger_{o,s}(-k)].

Hermiticity is built in: hoppings are given for one direction of each bond
and the reverse T_{-R} = T_R^dagger is added automatically; an on-site block
that is not Hermitian is rejected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from isingsc.core.errors import ModelCapabilityError, ParameterError
from isingsc.core.field import as_field
from isingsc.lattice.triangular import LATTICE, BravaisLattice

SIGMA0 = np.eye(2, dtype=complex)
SIGMAX = np.array([[0, 1], [1, 0]], dtype=complex)
SIGMAY = np.array([[0, -1j], [1j, 0]], dtype=complex)
SIGMAZ = np.array([[1, 0], [0, -1]], dtype=complex)
PAULI = (SIGMA0, SIGMAX, SIGMAY, SIGMAZ)


@runtime_checkable
class NambuModel(Protocol):
    """What every solver needs from a model: the interface the package is written against.

    Satisfied by :class:`TightBindingModel` (a model as data: hoppings on a lattice) and by the
    k-space-only :class:`~isingsc.models.paper.StaticEffectiveModel`.  Energies in |t|, momenta
    k of shape (..., 2) in 1/a, fields as :class:`~isingsc.core.field.Field` (or anything
    :func:`~isingsc.core.field.as_field` accepts).

    * ``name``, ``orbitals`` (spinful; basis orbital-major, spin-minor), ``pairing_orbitals``,
      ``zeeman_coupling`` (per orbital, the factor of V.sigma);
    * ``dim`` = 2 x orbitals (normal state), ``nambu_dim`` = 2 x dim;
    * ``hamiltonian(k, field)``: normal-state H(k) + Zeeman, shape (..., dim, dim);
    * ``bdg_hamiltonian(k, delta, field)``: [[H(k), D], [D^dagger, -H(-k)^*]], (..., nambu_dim, nambu_dim);
    * ``nambu_indices(orbital)``: Nambu indices [up, down, hole-up, hole-down] of one orbital;
    * ``describe()``: parameters and structure as NetCDF-friendly attrs.
    """

    name: str
    orbitals: tuple[str, ...]
    pairing_orbitals: tuple[str, ...]
    zeeman_coupling: tuple[float, ...]

    @property
    def dim(self) -> int: ...

    @property
    def nambu_dim(self) -> int: ...

    def hamiltonian(self, k, field=None) -> np.ndarray: ...

    def bdg_hamiltonian(self, k, delta: complex = 0.0, field=None) -> np.ndarray: ...

    def nambu_indices(self, orbital: str) -> np.ndarray: ...

    def describe(self) -> dict: ...


@dataclass(frozen=True)
class TightBindingModel:
    """A spinful tight-binding model as data.

    Parameters
    ----------
    name : short identifier.
    orbitals : orbital names; each carries spin 1/2 (2 basis states).
    hoppings : mapping lattice offset (n1, n2) -> (dim, dim) complex matrix,
        dim = 2 * len(orbitals).  Give each bond once (the reverse T_-R = T_R^dagger
        is added) or both directions consistently.  The on-site block is ``(0, 0)``
        and must be Hermitian.
    zeeman_coupling : per orbital, the factor multiplying V.sigma (1 = the
        full Zeeman energy, 0 = the orbital ignores the field).
    pairing_orbitals : orbitals carrying on-site s-wave singlet pairing.
    pairing_scale : the pairing on those orbitals is pairing_scale x Delta (1 for a
        layer that pairs itself; the quasiparticle weight Z of a fitted effective band).
    lattice : the Bravais lattice (positions R = n1 a1 + n2 a2).
    parameters : the physical parameters the model was built from (for attrs).
    pairing_terms : real-space pairing amplitudes per unit Delta, offset R -> (dim, dim) matrix D_R
        (default: the on-site singlet (-i sigma_y) on each pairing orbital).  A bond given in one
        direction gets its partner D_{-R} = -D_R^T (Pauli principle).
    pair_momentum : total momentum Q of the pairs (cartesian, 1/a; default 0).
    pairing_channel : the channel's name for attrs (e.g. ``"p+ip (triplet-z)"``; default ``"s"``).
    """

    name: str
    orbitals: tuple[str, ...]
    hoppings: Mapping[tuple[int, int], np.ndarray]
    zeeman_coupling: tuple[float, ...] | None = None
    pairing_orbitals: tuple[str, ...] = ()
    lattice: BravaisLattice = LATTICE
    parameters: Mapping[str, object] = field(default_factory=dict)
    pairing_scale: float = 1.0
    pairing_terms: Mapping[tuple[int, int], np.ndarray] | None = None
    pair_momentum: tuple[float, float] = (0.0, 0.0)
    pairing_channel: str = "s"

    def __post_init__(self):
        dim = 2 * len(self.orbitals)
        if dim == 0:
            raise ParameterError("orbitals", self.orbitals, "at least one orbital")
        given: dict[tuple[int, int], np.ndarray] = {}
        for offset, mat in self.hoppings.items():
            off = tuple(int(x) for x in offset)
            if len(off) != 2 or tuple(offset) != off:
                raise ParameterError("hoppings", offset, "keys are integer pairs (n1, n2)")
            m = np.asarray(mat, dtype=complex)
            if m.shape != (dim, dim):
                raise ParameterError(f"hoppings[{off}]", m.shape, f"a {dim}x{dim} matrix")
            if not np.all(np.isfinite(m)):
                raise ParameterError(f"hoppings[{off}]", "non-finite entries", "finite numbers")
            given[off] = given.get(off, 0) + m
        full: dict[tuple[int, int], np.ndarray] = {}
        for off, m in given.items():
            rev = (-off[0], -off[1])
            if rev in given and not np.allclose(given[rev], m.conj().T, atol=1e-12):
                raise ParameterError(f"hoppings[{off}]", "T_-R != T_R^dagger",
                                     "Hermitian hoppings: give each bond once, or both with T_-R = T_R^dagger")
            full[off] = m
            if rev not in given:
                full[rev] = m.conj().T  # Hermitian completion of a bond given in one direction
        object.__setattr__(self, "hoppings", full)
        zc = self.zeeman_coupling
        zc = (1.0,) * len(self.orbitals) if zc is None else tuple(float(x) for x in zc)
        if len(zc) != len(self.orbitals):
            raise ParameterError("zeeman_coupling", zc, f"{len(self.orbitals)} numbers, one per orbital")
        object.__setattr__(self, "zeeman_coupling", zc)
        for o in self.pairing_orbitals:
            if o not in self.orbitals:
                raise ParameterError("pairing_orbitals", o, f"one of {self.orbitals}")
        object.__setattr__(self, "orbitals", tuple(self.orbitals))
        object.__setattr__(self, "pairing_orbitals", tuple(self.pairing_orbitals))
        if not (np.isfinite(self.pairing_scale) and self.pairing_scale > 0):
            raise ParameterError("pairing_scale", self.pairing_scale, "a finite number > 0")
        object.__setattr__(self, "pairing_terms", self._complete_pairing(dim))
        q = np.asarray(self.pair_momentum, dtype=float)
        if q.shape != (2,) or not np.all(np.isfinite(q)):
            raise ParameterError("pair_momentum", self.pair_momentum, "two finite numbers (qx, qy) in 1/a")
        object.__setattr__(self, "pair_momentum", (float(q[0]), float(q[1])))

    def _complete_pairing(self, dim: int) -> dict[tuple[int, int], np.ndarray]:
        if self.pairing_terms is None:
            if not self.pairing_orbitals:
                return {}
            mask = np.array([o in self.pairing_orbitals for o in self.orbitals], dtype=float)
            return {(0, 0): np.kron(np.diag(mask), -1j * SIGMAY)}
        given: dict[tuple[int, int], np.ndarray] = {}
        for offset, mat in self.pairing_terms.items():
            off = tuple(int(x) for x in offset)
            m = np.asarray(mat, dtype=complex)
            if len(off) != 2 or tuple(offset) != off:
                raise ParameterError("pairing_terms", offset, "keys are integer pairs (n1, n2)")
            if m.shape != (dim, dim) or not np.all(np.isfinite(m)):
                raise ParameterError(f"pairing_terms[{off}]", m.shape, f"a finite {dim}x{dim} matrix")
            given[off] = given.get(off, 0) + m
        full: dict[tuple[int, int], np.ndarray] = {}
        for off, m in given.items():
            rev = (-off[0], -off[1])
            if rev in given and not np.allclose(given[rev], -m.T, atol=1e-12):
                raise ParameterError(f"pairing_terms[{off}]", "D_-R != -D_R^T",
                                     "fermion antisymmetry: give each bond once, or both with D_-R = -D_R^T")
            full[off] = m
            if rev not in given:
                full[rev] = -m.T
        if not self.pairing_orbitals and any(np.any(m != 0) for m in full.values()):
            raise ParameterError("pairing_orbitals", (), "the orbitals that pairing_terms pair")
        return {off: m for off, m in full.items() if np.any(m != 0)}

    # ------------------------------------------------------------------ sizes
    @property
    def dim(self) -> int:
        """Normal-state dimension 2 * n_orbitals (spin included)."""
        return 2 * len(self.orbitals)

    @property
    def nambu_dim(self) -> int:
        return 2 * self.dim

    def orbital_index(self, orbital: str) -> int:
        try:
            return self.orbitals.index(orbital)
        except ValueError:
            raise ParameterError("orbital", orbital, f"one of {self.orbitals}") from None

    def spin_indices(self, orbital: str) -> tuple[int, int]:
        """Normal-state indices (up, down) of an orbital."""
        o = self.orbital_index(orbital)
        return 2 * o, 2 * o + 1

    # --------------------------------------------------------- arrays of T_R
    @cached_property
    def _offsets(self) -> np.ndarray:
        return np.array(list(self.hoppings), dtype=float)  # (nR, 2)

    @cached_property
    def _cartesian_offsets(self) -> np.ndarray:
        return self._offsets @ self.lattice.primitive  # (nR, 2)

    @cached_property
    def _matrices(self) -> np.ndarray:
        return np.array(list(self.hoppings.values()))  # (nR, dim, dim)

    def _phases(self, k) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        if k.shape[-1] != 2:
            raise ParameterError("k", k.shape, "an array of shape (..., 2)")
        return np.exp(1j * (k @ self._cartesian_offsets.T))  # (..., nR)

    # ------------------------------------------------------------- builders
    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of everything that defines H_BdG (orbitals, hoppings, Zeeman couplings, pairing, lattice):
        equal for two models with the same Hamiltonian whatever their names; a key for caching results."""
        import hashlib

        h = hashlib.sha256()
        h.update(repr((self.orbitals, self.zeeman_coupling, self.pairing_orbitals, self.pairing_scale,
                       self.pair_momentum)).encode())
        h.update(np.ascontiguousarray(self.lattice.primitive, dtype=float).tobytes())
        for terms in (self.hoppings, self.pairing_terms):
            for off in sorted(terms):
                h.update(repr(off).encode())
                h.update(np.ascontiguousarray(terms[off], dtype=complex).tobytes())
            h.update(b"|")
        return h.hexdigest()

    @cached_property
    def _zeeman_matrices(self) -> dict:
        return {}

    def zeeman_matrix(self, field=0.0) -> np.ndarray:
        """sum_o g_o V.sigma on each orbital, shape (dim, dim) (read-only: one copy per field is kept, as
        root searches and scans build H(k) at the same field thousands of times)."""
        f = as_field(field)
        if f.strength == 0.0:  # (the common zero field: no Kronecker products)
            return np.zeros((self.dim, self.dim))
        cache = self._zeeman_matrices
        m = cache.get(f)
        if m is None:
            v = f.vector
            m = np.kron(np.diag(self.zeeman_coupling), v[0] * SIGMAX + v[1] * SIGMAY + v[2] * SIGMAZ)
            m.flags.writeable = False
            if len(cache) >= 256:  # a field sweep: keep the memory bounded
                cache.clear()
            cache[f] = m
        return m

    @cached_property
    def _bond_terms(self) -> "PairedBonds":
        """H(k) - Zeeman as :func:`paired_bonds` of the hoppings (T_-R = T_R^dagger: P = T_R + T_R^dagger,
        Q = i (T_R - T_R^dagger), both Hermitian)."""
        return paired_bonds(self._cartesian_offsets, self._matrices.reshape(-1, self.dim, self.dim))

    def _bloch(self, k, field, signs: tuple[int, ...]) -> list[np.ndarray]:
        """H(s k) + Zeeman for each s in ``signs`` (+1, -1), shape (..., dim, dim), from one cos and sin per bond pair
        (:func:`bond_sum`; sin(-x) = -sin(x))."""
        k = np.asarray(k, dtype=float)
        if k.shape[-1] != 2:
            raise ParameterError("k", k.shape, "an array of shape (..., 2)")
        bonds = self._bond_terms
        onsite = bonds.constant + self.zeeman_matrix(field)
        return [bond_sum(k, bonds, onsite, sign) for sign in signs]

    def hamiltonian(self, k, field=0.0) -> np.ndarray:
        """Bloch Hamiltonian H(k) + Zeeman, shape (..., dim, dim), energies in units of |t|:
        H(k) = sum_R e^{ik.R} T_R + sum_o g_o V.sigma, evaluated bond by bond as T_0 + sum_b [cos(k.R_b)
        (T_R + T_R^dagger) + i sin(k.R_b) (T_R - T_R^dagger)] (one of each +-R pair, :attr:`_bond_terms`)."""
        return self._bloch(k, field, (1,))[0]

    def hamiltonian_derivative(self, k) -> np.ndarray:
        """dH/dk_a = sum_R i R_a T_R e^{ik.R}, shape (..., 2, dim, dim) (energy x length)."""
        ph = self._phases(k)[..., None, :] * (1j * self._cartesian_offsets.T)  # (..., 2, nR)
        return np.einsum("...xr,rab->...xab", ph, self._matrices)

    @property
    def onsite_pairing(self) -> bool:
        """True if the pairing is on-site (k-independent D) at zero pair momentum: what the mean-field,
        impurity and junction solvers assume."""
        return set(self.pairing_terms) <= {(0, 0)} and not any(self.pair_momentum)

    def pairing_matrix(self, delta: complex) -> np.ndarray:
        """Anomalous block D = Delta x pairing_scale x D_0 of on-site pairing (default D_0 = -i sigma_y on
        the pairing orbitals), shape (dim, dim); ModelCapabilityError for bond or finite-momentum pairing."""
        if not self.onsite_pairing:
            raise ModelCapabilityError(self.name, "on-site pairing matrix",
                                       f"its pairing is the channel {self.pairing_channel!r} on bonds or at pair "
                                       f"momentum Q = {list(self.pair_momentum)} (k-dependent D(k)): use "
                                       "pairing_function(k, delta), the Chern and channel solvers")
        d0 = self.pairing_terms.get((0, 0), np.zeros((self.dim, self.dim), dtype=complex))
        return d0 * (delta * self.pairing_scale)

    def pairing_function(self, k, delta: complex = 1.0) -> np.ndarray:
        """D(k) = Delta x pairing_scale x sum_R D_R exp(i k.R), shape (..., dim, dim) (k: relative momentum)."""
        k = np.asarray(k, dtype=float)
        if not self.pairing_terms:
            return np.zeros(k.shape[:-1] + (self.dim, self.dim), dtype=complex)
        offs = np.array(list(self.pairing_terms), dtype=float) @ self.lattice.primitive
        mats = np.array(list(self.pairing_terms.values()))
        ph = np.exp(1j * (k @ offs.T))
        d = (ph.reshape(-1, len(mats)) @ mats.reshape(len(mats), -1)).reshape(k.shape[:-1] + (self.dim, self.dim))
        return d * (delta * self.pairing_scale)

    def bdg_hamiltonian(self, k, delta: complex = 0.0, field=0.0) -> np.ndarray:
        """Nambu BdG Hamiltonian, shape (..., 2 dim, 2 dim).

        H_BdG(k) = [[H(k + Q/2), D(k)], [D(k)^dagger, -H(-k + Q/2)^*]] (Q = 0 by default): the hole
        block of every normal-state term h(k) is -h(-k)^* (Zeeman included), so particle-hole
        symmetry tau_x H_BdG(k)^* tau_x = -H_BdG(-k) holds by construction.
        """
        k = np.asarray(k, dtype=float)
        if self.onsite_pairing:
            return nambu(*self._bloch(k, field, (1, -1)), self.pairing_matrix(delta))
        half = 0.5 * np.asarray(self.pair_momentum)
        return nambu(self.hamiltonian(k + half, field), self.hamiltonian(-k + half, field),
                     self.pairing_function(k, delta))

    def bdg_fourier(self, delta: complex = 0.0, field=0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """H_BdG(k) = sum_R e^{ik.R} B_R + B_0 for on-site pairing at zero pair momentum: (cartesian offsets R
        (n_R, 2) in a, B_R = diag(T_R, -T_R^*) (n_R, 2 dim, 2 dim), the k-independent B_0 = [[Z, D], [D^dagger,
        -Z^*]]) in |t|.  The hole block -h(-k)^* has the coefficient -T_R^* at e^{ik.R}.  The same matrix as
        :meth:`bdg_hamiltonian` (tested), for callers that evaluate it at many k with one phase factor per bond;
        ModelCapabilityError for bond or finite-momentum pairing (:meth:`pairing_matrix`)."""
        n = self.dim
        d = self.pairing_matrix(delta)
        z = self.zeeman_matrix(field)
        blocks = np.zeros((len(self.hoppings), 2 * n, 2 * n), dtype=complex)
        blocks[:, :n, :n] = self._matrices
        blocks[:, n:, n:] = -np.conj(self._matrices)
        onsite = np.zeros((2 * n, 2 * n), dtype=complex)
        onsite[:n, :n], onsite[n:, n:], onsite[:n, n:], onsite[n:, :n] = z, -np.conj(z), d, d.conj().T
        return self._cartesian_offsets.copy(), blocks, onsite

    def nambu_indices(self, orbital: str) -> np.ndarray:
        """Nambu indices [up, down, hole-up, hole-down] of one orbital."""
        up, dn = self.spin_indices(orbital)
        return np.array([up, dn, up + self.dim, dn + self.dim])

    def describe(self) -> dict:
        """Parameters and structure as NetCDF-friendly attrs."""
        out = {f"param_{k}": v for k, v in self.parameters.items()}
        out.update(model=self.name, orbitals=",".join(self.orbitals),
                   pairing_orbitals=",".join(self.pairing_orbitals),
                   zeeman_coupling=list(self.zeeman_coupling), pairing_scale=self.pairing_scale,
                   pairing_channel=self.pairing_channel, pair_momentum=list(self.pair_momentum))
        return out


class PairedBonds(NamedTuple):
    """A Fourier sum sum_R e^{ik.R} M_R grouped into pairs +-R: sum_b [cos(k.R_b) (M_R + M_-R) + sin(k.R_b)
    i (M_R - M_-R)] + M_0.  ``offsets`` R_b (n_b, 2) cartesian, one of each pair; ``coefficients_re`` /
    ``coefficients_im`` the real and imaginary parts of [M_R + M_-R; i (M_R - M_-R)] flattened, (2 n_b, m^2);
    ``constant`` M_0 (m, m)."""

    offsets: np.ndarray
    coefficients_re: np.ndarray
    coefficients_im: np.ndarray
    constant: np.ndarray


def paired_bonds(offsets, matrices) -> PairedBonds:
    """:class:`PairedBonds` of sum_R e^{ik.R} M_R (cartesian ``offsets`` (n_R, 2), ``matrices`` (n_R, m, m)); every
    R != 0 needs its -R among the offsets (a TightBindingModel completes every bond), else ParameterError."""
    offsets = np.asarray(offsets, dtype=float).reshape(-1, 2)
    matrices = np.asarray(matrices, dtype=complex)
    m = matrices.shape[-1] if matrices.ndim == 3 else 0
    index = {tuple(np.round(r, 12)): i for i, r in enumerate(offsets)}
    constant = np.zeros((m, m), dtype=complex)
    plus, minus = [], []
    for i, r in enumerate(offsets):
        j = index.get(tuple(np.round(-r, 12)))
        if j is None:
            raise ParameterError("offsets", tuple(r), "a Fourier sum with -R for every R (a Hermitian completion)")
        if i == j:  # R = 0
            constant = constant + matrices[i]
        elif tuple(r) > tuple(-r):
            plus.append(i)
            minus.append(j)
    c = np.concatenate([matrices[plus] + matrices[minus], 1j * (matrices[plus] - matrices[minus])]).reshape(
        2 * len(plus), m * m) if plus else np.zeros((0, m * m), dtype=complex)
    return PairedBonds(np.ascontiguousarray(offsets[plus]).reshape(-1, 2), np.ascontiguousarray(c.real),
                       np.ascontiguousarray(c.imag), constant)


def bond_sum(k, bonds: PairedBonds, constant=None, sign: int = 1) -> np.ndarray:
    """sum_R e^{i s k.R} M_R at k (..., 2) for s = ``sign`` (+1, or -1 for the sum at -k), with ``constant`` in place
    of M_0 if given: shape (..., m, m), complex.  One cos and sin per bond pair and real BLAS products written into
    the real and imaginary parts of the result (the imaginary part skipped where every coefficient is real)."""
    k = np.asarray(k, dtype=float)
    constant = (bonds.constant if constant is None else np.asarray(constant)).ravel()
    x = k.reshape(-1, 2) @ bonds.offsets.T  # (n, n_b)
    sin = np.sin(x)
    cs = np.concatenate([np.cos(x), sin if sign > 0 else -sin], axis=1)
    size = constant.size
    out = np.empty((len(x), size), dtype=complex)
    parts = out.view(float).reshape(len(x), size, 2)
    np.matmul(cs, bonds.coefficients_re, out=parts[..., 0])
    parts[..., 0] += constant.real
    if bonds.coefficients_im.any() or np.any(constant.imag):
        np.matmul(cs, bonds.coefficients_im, out=parts[..., 1])
        parts[..., 1] += constant.imag
    else:
        parts[..., 1] = 0.0
    n = int(round(np.sqrt(size)))
    return out.reshape(k.shape[:-1] + (n, n))


def nambu(h_k: np.ndarray, h_minus_k: np.ndarray, pairing: np.ndarray) -> np.ndarray:
    """Assemble [[h(k), D], [D^dagger, -h(-k)^*]] for batched (..., n, n) blocks."""
    h_k = np.asarray(h_k)
    shape = h_k.shape[:-2]
    n = h_k.shape[-1]
    out = np.empty(shape + (2 * n, 2 * n), dtype=complex)
    out[..., :n, :n] = h_k
    out[..., n:, n:] = -np.conj(h_minus_k)
    out[..., :n, n:] = pairing
    out[..., n:, :n] = np.conj(np.swapaxes(np.broadcast_to(pairing, shape + (n, n)), -1, -2))
    return out


def stack_layers(name: str, layers: Sequence[TightBindingModel],
                 couplings: Mapping[tuple[int, int], np.ndarray] | None = None,
                 parameters: Mapping[str, object] | None = None) -> TightBindingModel:
    """Block-diagonal combination of layer models plus inter-layer on-site couplings.

    ``couplings[(i, j)]`` is the (2 n_i, 2 n_j) on-site matrix from layer j to
    layer i (its Hermitian conjugate is added).  Orbital names are kept
    (they must be unique across layers).
    """
    orbitals = sum((m.orbitals for m in layers), ())
    if len(set(orbitals)) != len(orbitals):
        raise ParameterError("orbitals", orbitals, "unique names across layers")
    dims = [m.dim for m in layers]
    starts = np.concatenate([[0], np.cumsum(dims)])
    dim = int(starts[-1])
    offsets = set().union(*(m.hoppings for m in layers))
    hop = {}
    for off in offsets:
        # keep one of each +-R pair; TightBindingModel adds the reverse
        if (-off[0], -off[1]) in hop:
            continue
        mat = np.zeros((dim, dim), dtype=complex)
        for m, s, d in zip(layers, starts, dims):
            if off in m.hoppings:
                mat[s:s + d, s:s + d] = m.hoppings[off] if off != (0, 0) else m.hoppings[off]
        if off == (0, 0):
            for (i, j), c in (couplings or {}).items():
                c = np.asarray(c, dtype=complex)
                mat[starts[i]:starts[i] + dims[i], starts[j]:starts[j] + dims[j]] += c
                mat[starts[j]:starts[j] + dims[j], starts[i]:starts[i] + dims[i]] += c.conj().T
        hop[off] = mat
    return TightBindingModel(
        name=name, orbitals=orbitals, hoppings=hop,
        zeeman_coupling=sum((m.zeeman_coupling for m in layers), ()),
        pairing_orbitals=sum((m.pairing_orbitals for m in layers), ()),
        lattice=layers[0].lattice, parameters=dict(parameters or {}))
