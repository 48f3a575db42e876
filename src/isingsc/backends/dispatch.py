"""The backend seam: which kernels run (CPU or GPU), and the operators built on them.

Every mean-field quantity is a Brillouin-zone sum over the eigenvalues of small Nambu matrices
that are *linear* in the pairing and the field,

    H(k; Delta, V) = H0(k) + Delta P + V . Z,                               (1)

with P (pairing vertex) and Z = (Zx, Zy, Zz) (Zeeman vertices) independent of k for on-site
pairing and Zeeman couplings.  :class:`LinearNambu` stores H0 on a k mesh once and evaluates
eigenvalues, condensation free energies and the Delta = 0 pair blocks on the backend in force:
the ``backend`` setting of :mod:`isingsc.core.config` (``auto`` | ``cpu`` | ``gpu``).
:func:`eigvalsh` and :func:`orbital_spectral_function` dispatch the same way.  Nothing else in
the package knows which backend runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from isingsc.backends import cpu
from isingsc.backends.cpu import _pair_blocks, over_k, thermal_differences
from isingsc.core import config
from isingsc.core.errors import ConvergenceError, ParameterError
from isingsc.core.field import as_field
from isingsc.models.symmetry import chiral_basis


def _gpu():
    from isingsc.backends import gpu

    return gpu


def active_backend() -> str:
    """``cpu`` or ``gpu``: the backend that runs now (``auto`` resolves to the GPU when one is usable)."""
    name = config.current().backend
    if name == "cpu":
        return "cpu"
    if name == "gpu":
        _gpu().require()
        return "gpu"
    return "gpu" if _gpu().available() else "cpu"


def select_backend(name: str) -> str:
    """Set the ``backend`` setting after checking that it can run here; returns the backend in force."""
    if name == "gpu":
        _gpu().require()
    config.configure(backend=name)
    return active_backend()


def eigvalsh(h: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of a batch of Hermitian matrices, shape (..., N, N) -> (..., N).

    Drop-in for ``numpy.linalg.eigvalsh`` on many small matrices: the compiled Householder + QL
    kernel over threads (real symmetric or complex Hermitian, complex matrices with a zero imaginary
    part on the real path; only the lower triangle is read, so it must be Hermitian), or the GPU
    backend when it is active.  Eigenvalues agree with LAPACK to ~1e-14 of the matrix norm.

    On the CPU a batch whose matrices share a block-diagonal pattern of exact zeros (up to a permutation:
    spin-conserving bands, e.g. Ising SOC at zero or out-of-plane field, have no up-down entries) is solved
    block by block (:func:`diagonal_blocks`): 1 x 1 blocks are their entry, 2 x 2 blocks [[a, b], [b*, d]]
    have (a + d)/2 -+ hypot((a - d)/2, |b|) (error ~ eps max|E|, as the kernel's), larger ones go to the
    kernel; the eigenvalues of the blocks together, sorted, are those of the matrix.
    """
    h = np.asarray(h)
    if h.ndim < 2 or h.shape[-1] != h.shape[-2]:
        raise ParameterError("h", h.shape, "an array of square matrices, shape (..., N, N)")
    if np.iscomplexobj(h) and np.max(np.abs(h.imag), initial=0.0) <= 8 * np.finfo(float).eps * max(
            1.0, float(np.max(np.abs(h.real), initial=0.0))):
        # real up to the rounding of Bloch phases (e^{ik.R} sums): the real kernel, ~2x faster; the imaginary
        # parts dropped move eigenvalues by less than the kernel's own accuracy (~1e-14 of the norm)
        h = h.real
    batch = np.ascontiguousarray(h.reshape((-1,) + h.shape[-2:]), dtype=complex if np.iscomplexobj(h) else float)
    if active_backend() == "gpu":
        return _gpu().eigenvalues(batch, np.zeros(h.shape[-2:], dtype=batch.dtype)).reshape(h.shape[:-1])
    blocks = diagonal_blocks(batch) if h.shape[-1] > 1 else None
    if blocks is None:
        return cpu.eigenvalues(batch, np.zeros(h.shape[-2:], dtype=batch.dtype)).reshape(h.shape[:-1])
    parts = []
    for b in blocks:
        if len(b) == 1:
            parts.append(batch[:, b[0], b[0]].real[:, None])
        elif len(b) == 2:
            a, d, off = batch[:, b[0], b[0]].real, batch[:, b[1], b[1]].real, np.abs(batch[:, b[1], b[0]])
            mean, radius = 0.5 * (a + d), np.hypot(0.5 * (a - d), off)
            parts += [(mean - radius)[:, None], (mean + radius)[:, None]]
        else:
            sub = np.ascontiguousarray(batch[:, b[:, None], b[None, :]])
            parts.append(cpu.eigenvalues(sub, np.zeros(sub.shape[-2:], dtype=sub.dtype)))
    out = np.concatenate(parts, axis=-1)
    out.sort(axis=-1)
    return out.reshape(h.shape[:-1])


def determinants(a: np.ndarray) -> np.ndarray:
    """det of each matrix of a batch, shape (..., m, m) -> (...), complex: the compiled LU kernel with partial
    pivoting (:func:`~isingsc.backends.cpu.determinants`; about 4x NumPy's on 4 x 4 batches, whose det goes through
    log|det|), on either backend (a determinant per k is never the expensive step)."""
    a = np.asarray(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ParameterError("a", a.shape, "an array of square matrices, shape (..., m, m)")
    return cpu.determinants(a.reshape((-1,) + a.shape[-2:])).reshape(a.shape[:-2])


#: The blocks of the sparsity patterns met so far (a pattern is an N x N boolean matrix; a few per model).
_BLOCKS: dict = {}


def diagonal_blocks(batch: np.ndarray) -> "tuple[np.ndarray, ...] | None":
    """Index sets of the diagonal blocks of a batch of Hermitian matrices (n, N, N): the connected components of
    the graph with an edge i - j wherever some matrix of the batch has a nonzero (i, j) entry; None if that is
    one block (nothing to split).  Exact zeros only: an entry that is 1e-300 somewhere keeps its block whole."""
    nonzero = np.any(batch != 0, axis=0)
    key = (nonzero.shape[0], np.packbits(nonzero).tobytes())
    if key not in _BLOCKS:
        n = nonzero.shape[0]
        linked = nonzero | nonzero.T
        label = np.arange(n)
        for _ in range(n):  # label propagation: each index takes the smallest label it is linked to
            new = np.min(np.where(linked, label[None, :], n), axis=1)
            new = np.minimum(new, label)
            if np.array_equal(new, label):
                break
            label = new
        groups = tuple(np.flatnonzero(label == g) for g in np.unique(label))
        if len(_BLOCKS) > 256:
            _BLOCKS.clear()
        _BLOCKS[key] = groups if len(groups) > 1 else None
    return _BLOCKS[key]


def orbital_spectral_function(h: np.ndarray, indices, omega, eta: float) -> np.ndarray:
    """A_s(k, omega) = sum_n |u_{i_s, n}(k)|^2 (eta/pi) / ((omega - E_n(k))^2 + eta^2) for each basis
    index i_s in ``indices``: shape (..., n_omega, len(indices)), states / |t|.

    ``h``: Hermitian matrices (..., N, N) (|t|), E_n and u_n their eigenpairs.  The kernel of the
    spin-resolved DOS and of the spectral maps (:mod:`isingsc.normal.greens`): LAPACK on the CPU, a
    Jacobi kernel per k on the GPU backend.
    """
    h = np.asarray(h)
    idx = np.asarray(indices, dtype=np.int64)
    omega = np.atleast_1d(np.asarray(omega, dtype=float))
    if active_backend() == "gpu":
        gpu = _gpu()
        batch = np.ascontiguousarray(h.reshape((-1,) + h.shape[-2:]))
        out = gpu.orbital_spectral_function(batch, idx, omega, float(eta))
        return out.reshape(h.shape[:-2] + out.shape[1:])
    e, u = np.linalg.eigh(h)
    w = np.abs(u[..., idx, :]) ** 2  # (..., S, N)
    x = omega[:, None] - e[..., None, :]  # (..., W, N)
    line = (eta / np.pi) / (x * x + eta * eta)
    return np.einsum("...wn,...sn->...ws", line, w)


def _anticommutes(c: np.ndarray, h: np.ndarray) -> bool:
    """C h C^dagger = -h (for every matrix of a batch h) to 1e-13 of the largest entry (in chunks: no copy of a
    whole mesh's matrices).  A C with one nonzero entry c_i in each row i, at column p_i (the chiral operator
    tau_y x 1 x sigma_x is one, up to entries of 1e-32 from its construction, which move C h C^dagger by far less
    than the tolerance), acts by a permutation and phases: (C h C^dagger)_ij = c_i h_{p_i p_j} c_j^*."""
    tol = 1e-13 * max(1.0, float(np.max(np.abs(h), initial=0.0)))
    flat = h.reshape((-1,) + h.shape[-2:])
    nonzero = np.abs(c) > 1e-15 * np.max(np.abs(c), initial=0.0)
    if np.all(nonzero.sum(axis=1) == 1):
        p = np.argmax(nonzero, axis=1)
        phases = c[np.arange(len(c)), p]
        outer = phases[:, None] * phases.conj()[None, :]
        return all(np.max(np.abs(outer * flat[s:s + 8192][:, p[:, None], p[None, :]] + flat[s:s + 8192]),
                          initial=0.0) <= tol for s in range(0, len(flat), 8192))
    return all(np.max(np.abs(c @ flat[s:s + 8192] @ c.conj().T + flat[s:s + 8192]), initial=0.0) <= tol
               for s in range(0, len(flat), 8192))


# ----------------------------------------------------------------- the linear Nambu operator
@dataclass(frozen=True)
class LinearNambu:
    """H(k; Delta, V) = H0(k) + Delta P + sum_a V_a Z_a on a fixed k mesh (Eq. 1).

    h0 : (n_k, N, N); pairing : (N, N); zeeman : (3, N, N).  Built by
    :meth:`from_model`, which verifies the decomposition against the model.
    """

    h0: np.ndarray
    pairing: np.ndarray
    zeeman: np.ndarray

    @classmethod
    def from_model(cls, model, k: np.ndarray) -> "LinearNambu | None":
        """Decompose ``model.bdg_hamiltonian`` on the mesh, or None if it is not of the form (1)
        (e.g. the static effective model, whose self-energy depends on the field non-linearly)."""
        k = np.asarray(k, dtype=float)
        k0 = np.zeros((1, 2))
        base = model.bdg_hamiltonian(k0, 0.0, 0.0)[0]
        pairing = model.bdg_hamiltonian(k0, 1.0, 0.0)[0] - base
        zeeman = np.stack([model.bdg_hamiltonian(k0, 0.0, np.eye(3)[a])[0] - base for a in range(3)])
        # check (1) on sample points with a random pairing and field
        rng = np.random.default_rng(7)
        ks = np.concatenate([k[:: max(1, len(k) // 64)], rng.uniform(-4, 4, (8, 2))])
        delta, field = 0.37, np.array([0.23, -0.11, 0.05])
        exact = model.bdg_hamiltonian(ks, delta, field)
        linear = (model.bdg_hamiltonian(ks, 0.0, 0.0) + delta * pairing
                  + np.tensordot(field, zeeman, axes=1))
        if not np.allclose(exact, linear, rtol=0, atol=1e-12):
            return None
        h0 = np.concatenate([model.bdg_hamiltonian(k[s:s + 8192], 0.0, 0.0)
                             for s in range(0, len(k), 8192)]) if len(k) else np.zeros((0,) + base.shape)
        # real up to rounding of the Bloch phases (field along x): keep the fast real path
        if np.max(np.abs(h0.imag), initial=0.0) < 1e-13 * max(1.0, np.max(np.abs(h0.real), initial=0.0)):
            h0 = np.ascontiguousarray(h0.real)
        return cls(h0=h0, pairing=pairing, zeeman=zeeman)

    @classmethod
    def linear_in_pairing(cls, model, k: np.ndarray) -> bool:
        """True if ``model.bdg_hamiltonian`` is H(k; 0, V) + Delta P with a k- and V-independent P (checked on
        sample points): the static effective model, whose field dependence is not linear, is."""
        k = np.asarray(k, dtype=float)
        k0 = np.zeros((1, 2))
        pairing = model.bdg_hamiltonian(k0, 1.0, 0.0)[0] - model.bdg_hamiltonian(k0, 0.0, 0.0)[0]
        rng = np.random.default_rng(8)
        ks = np.concatenate([k[:: max(1, len(k) // 32)], rng.uniform(-4, 4, (8, 2))])
        field = np.array([0.21, -0.13, 0.0])
        exact = model.bdg_hamiltonian(ks, 0.37, field)
        linear = model.bdg_hamiltonian(ks, 0.0, field) + 0.37 * pairing
        return bool(np.all(np.isfinite(exact)) and np.allclose(exact, linear, rtol=0, atol=1e-10))

    @classmethod
    def at_field(cls, model, k: np.ndarray, field) -> "LinearNambu":
        """H(k; 0, V) + Delta P at one field (a model linear in the pairing, :meth:`linear_in_pairing`): the
        field's part is inside H0 and the Zeeman vertices are zero."""
        k = np.asarray(k, dtype=float)
        k0 = np.zeros((1, 2))
        pairing = model.bdg_hamiltonian(k0, 1.0, 0.0)[0] - model.bdg_hamiltonian(k0, 0.0, 0.0)[0]
        h0 = np.concatenate([model.bdg_hamiltonian(k[s:s + 8192], 0.0, field) for s in range(0, len(k), 8192)])
        if np.max(np.abs(h0.imag), initial=0.0) < 1e-13 * max(1.0, np.max(np.abs(h0.real), initial=0.0)):
            h0 = np.ascontiguousarray(h0.real)
        return cls(h0=h0, pairing=pairing, zeeman=np.zeros((3,) + pairing.shape, dtype=pairing.dtype))

    @property
    def dim(self) -> int:
        return self.h0.shape[-1]

    def perturbation(self, delta: float, field=None) -> np.ndarray:
        """Delta P + V . Z: the k-independent part of H(k; Delta, V) (Eq. 1), shape (N, N)."""
        return delta * self.pairing + np.tensordot(as_field(field).vector, self.zeeman, axes=1)

    def eigenvalues(self, delta: float, field) -> np.ndarray:
        """Ascending Nambu eigenvalues E_n(k), shape (n_k, N), units |t|.

        Real matrices (field along x) and complex Hermitian ones (a y component) both run in
        the compiled Householder + QL kernel, or on the GPU backend when it is selected.
        """
        shift = self.perturbation(delta, field)
        h0, shift = self._matching(shift)
        if active_backend() == "gpu":
            return _gpu().eigenvalues(h0, shift)
        return cpu.eigenvalues(h0, shift)

    def _matching(self, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """H0 and the shift in one dtype: real if both are, else complex (H0's copy cached)."""
        if np.isrealobj(self.h0) and not np.any(shift.imag):
            return self.h0, np.ascontiguousarray(shift.real)
        return self._h0_complex, np.ascontiguousarray(shift, dtype=complex)

    @cached_property
    def _h0_complex(self) -> np.ndarray:
        return np.ascontiguousarray(self.h0, dtype=complex)

    def condensation(self, deltas, temperatures, field, weights, normal=None) -> np.ndarray:
        """sum_k w_k sum_n [G_T(E_n(k; Delta_i, V)) - G_T(E_n(k; 0, V))] for every (T, Delta_i),
        shape (n_T, n_Delta), |t| per site; ``weights`` are the mesh weights w_k, ``normal``
        optionally the Delta = 0 spectrum at this field.

        The hot path of the free energy and the gap equation: a diagonalisation per (Delta, k)
        and the thermal sums, on the CPU kernels or fused on the GPU backend.
        """
        t = np.ascontiguousarray(np.atleast_1d(temperatures), dtype=float)
        deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
        w = np.ascontiguousarray(weights, dtype=float)
        if active_backend() == "gpu":
            gpu = _gpu()
            shifts = np.stack([self.perturbation(d, field) for d in deltas])
            h0, shifts = self._matching_many(shifts)
            e0 = normal if normal is not None else self.eigenvalues(0.0, field)
            return gpu.condensation(h0, shifts, np.ascontiguousarray(e0), w, t)
        e0 = normal if normal is not None else self.eigenvalues(0.0, field)
        # the spectra of several Delta against one reference per kernel call (its thermal terms computed once),
        # in groups that keep the stack within cpu.STACK_FLOATS
        group = max(1, cpu.STACK_FLOATS // max(1, e0.size))
        cols = [thermal_differences(np.stack([self.thermal_levels(d, field) for d in deltas[s:s + group]]), e0, w, t)
                for s in range(0, len(deltas), group)]
        return np.concatenate(cols, axis=-1)

    def thermal_levels(self, delta: float, field) -> np.ndarray:
        """The spectrum E_n(k; Delta, V) for the thermal sums of the free energy (n_k, N), ascending, |t|.

        Where a chiral operator C = tau_y x 1 x sigma_x anticommutes with H (Ising SOC, in-plane field at any
        angle: :attr:`chiral_blocks`), H = [[0, A], [A^dagger, 0]] in C's eigenbasis and the levels are
        +-sqrt(eig A^dagger A) (:func:`~isingsc.backends.cpu.chiral_levels`, N/2 x N/2 problems, 3-4x faster); each
        thermal term G_T(E) moves by at most ~ eps ||H||^2 / (8 max(|E|, T)) from the exact one.  Otherwise,
        and on the GPU backend, :meth:`eigenvalues`.
        """
        blocks = self.chiral_blocks
        shift = self.perturbation(delta, field)
        if blocks is None or active_backend() == "gpu" or not _anticommutes(blocks[2], shift):
            return self.eigenvalues(delta, field)
        up, um, _ = blocks
        return cpu.chiral_levels(self._chiral_a0, np.ascontiguousarray(up.conj().T @ shift @ um))

    @cached_property
    def chiral_blocks(self):
        """(U+, U-, C): C = tau_y x 1_orbitals x sigma_x (the paper's chiral symmetry sigma_x tau_y) and its
        +1 / -1 eigenvectors, if C anticommutes with H0 on the whole mesh and with the pairing vertex; else None.
        The field's part is checked at each use (an out-of-plane component breaks it)."""
        if self.dim % 4:
            return None
        up, um = chiral_basis(self.dim // 4)
        c = up @ up.conj().T - um @ um.conj().T
        if not (_anticommutes(c, self.pairing) and _anticommutes(c, self.h0)):
            return None
        return up, um, c

    @cached_property
    def _chiral_a0(self) -> np.ndarray:
        up, um, _ = self.chiral_blocks
        return np.ascontiguousarray(up.conj().T @ self.h0 @ um)

    def _matching_many(self, shifts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if np.isrealobj(self.h0) and not np.any(shifts.imag):
            return self.h0, np.ascontiguousarray(shifts.real)
        return self._h0_complex, np.ascontiguousarray(shifts, dtype=complex)

    def hole_block_relation(self, shift_p, shift_h):
        """W = 1_orbitals x sigma_x if the hole block equals -W (particle block) W^T on the whole mesh.

        This holds for real Hamiltonians whose spin-dependent terms are sigma_z-odd in k and the
        field along x (time reversal combined with a pi rotation about x): h(-k) = W h(k) W^T.
        Checked for H0 once (cached) and for the field term at every call.
        """
        w = self._sigma_x_relation
        if w is None or np.max(np.abs(shift_h + w @ shift_p @ w)) > 1e-13 * max(1.0, np.max(np.abs(shift_p))):
            return None
        return w

    @cached_property
    def _sigma_x_relation(self):
        n = self.dim // 2
        w = np.kron(np.eye(n // 2), np.array([[0.0, 1.0], [1.0, 0.0]]))
        if not np.isrealobj(self.h0):
            return None
        hp, hh = self.h0[:, :n, :n], self.h0[:, n:, n:]
        scale = max(1.0, float(np.max(np.abs(hp), initial=0.0)))
        return w if np.max(np.abs(hh + w @ hp @ w), initial=0.0) < 1e-12 * scale else None

    def pair_blocks(self, field):
        """Delta = 0: particle and hole eigenvalues (n_k, n) and |<p_i|D|h_j>|^2 (n_k, n, n), n = N/2."""
        n = self.dim // 2
        shift = self.perturbation(0.0, field)
        d_block = self.pairing[:n, n:]
        if np.isrealobj(self.h0) and not np.any(shift.imag) and not np.any(d_block.imag):
            nk = len(self.h0)
            e_p, e_h, p2 = np.empty((nk, n)), np.empty((nk, n)), np.empty((nk, n, n))
            shift_p = np.ascontiguousarray(shift.real[:n, :n])
            shift_h = np.ascontiguousarray(shift.real[n:, n:])
            hp = np.ascontiguousarray(self.h0[:, :n, :n])
            w = self.hole_block_relation(shift_p, shift_h)
            related = w is not None
            m_block = np.ascontiguousarray(d_block.real @ w if related else d_block.real)
            hh = hp if related else np.ascontiguousarray(self.h0[:, n:, n:])
            fails = over_k(nk, lambda a, b: _pair_blocks(hp[a:b], hh[a:b], shift_p, shift_h, m_block, related,
                                                          e_p[a:b], e_h[a:b], p2[a:b]))
            if sum(fails):
                raise ConvergenceError("Jacobi eigen-decomposition did not converge")
            return e_p, e_h, p2
        eps, ehs, p2s = [], [], []
        for s in range(0, len(self.h0), 8192):
            h = self.h0[s:s + 8192] + shift
            e_p, u_p = np.linalg.eigh(h[:, :n, :n])
            e_h, u_h = np.linalg.eigh(h[:, n:, n:])
            eps.append(e_p)
            ehs.append(e_h)
            p2s.append(np.abs(np.swapaxes(u_p.conj(), -1, -2) @ (d_block @ u_h)) ** 2)
        return np.concatenate(eps), np.concatenate(ehs), np.concatenate(p2s)
