"""Mean-field thermodynamics of s-wave pairing on one orbital (the SC layer).

Pairing interaction  -v sum s^dag_{k up} s^dag_{-k dn} s_{q dn} s_{-q up}  on the
pairing orbital(s); mean field Delta = v <s_{-k dn} s_{k up}> (BZ average), real
and >= 0 by choice of gauge.  With E_n(k; Delta, V) the Nambu eigenvalues
(2 x the normal-state dimension of them; T-independent), the grand potential
per site is

    Omega(Delta; T, V) = Delta^2 / v + < sum_n G_T(E_n(k)) >_BZ + const,
    G_T(E) = -(T/2) ln(2 cosh(E / 2T))          (G_0(E) = -|E|/4),

and we report the condensation free energy Omega(Delta) - Omega(0) in |t| per
site.  Its stationary points solve the gap equation

    dOmega/dDelta = 2 Delta / v - (1/4) < sum_n tanh(E_n / 2T) <n|P|n> > = 0,

P = dH_BdG/dDelta (Hellmann-Feynman), i.e. Delta = v F(Delta) with
F = (1/8) < sum_n tanh(E_n/2T) <n|P|n> >.  For a single band at V = 0 this is
the BCS equation 1 = v < tanh(E/2T) / 2E >.  The curvature at Delta = 0 is

    Omega''(0) = 2/v + < sum_{n,m} |P_nm|^2 (G'_T(E_n) - G'_T(E_m)) / (E_n - E_m) >,

(G'_T(E) = -tanh(E/2T)/4; divided difference -> G''_T on degenerate pairs), the
pair susceptibility form that gives Tc and second-order lines without scanning
Delta.  Energies and temperatures in |t| (k_B = 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from isingsc.core.errors import ConvergenceError, ModelCapabilityError, ParameterError, check_range
from isingsc.backends import LinearNambu, eigvalsh, pair_curvature, thermal_difference, thermal_sum
from isingsc.core.field import as_field


def check_temperature(T, allow_zero: bool = False):
    """Temperatures must be finite and > 0 (or >= 0 where the T = 0 limit is defined)."""
    T = np.atleast_1d(np.asarray(T, dtype=float))
    bad = ~np.isfinite(T) | (T < 0) | ((T == 0) & (not allow_zero))
    if np.any(bad):
        allowed = "T >= 0 (finite)" if allow_zero else "T > 0 (finite)"
        raise ParameterError("T", T[bad][0], allowed)
    return T


def pairing_vertex(model) -> np.ndarray:
    """P = dH_BdG / dDelta (k-independent for on-site pairing), shape (N, N); ModelCapabilityError for a model
    whose pairing is on bonds or at finite momentum (its vertex depends on k: isingsc.channels)."""
    if not getattr(model, "onsite_pairing", True):
        raise ModelCapabilityError(model.name, "mean-field gap equation of on-site s-wave pairing",
                                   f"its pairing is the channel {model.pairing_channel!r} (bonds or pair momentum "
                                   "Q): use isingsc.channels.PairingChannels (isingsc channels) for its Tc")
    k0 = np.zeros((1, 2))
    return (model.bdg_hamiltonian(k0, 1.0, 0.0) - model.bdg_hamiltonian(k0, 0.0, 0.0))[0]


def quasiparticle_energies(model, k, delta: float, field=0.0, chunk: int = 8192) -> np.ndarray:
    """Nambu eigenvalues E_n(k) at pairing Delta and Zeeman field V, shape (n_k, N), units |t|."""
    k = np.asarray(k, dtype=float)
    out = np.empty((len(k), model.nambu_dim))
    for s in range(0, len(k), chunk):
        out[s:s + chunk] = eigvalsh(model.bdg_hamiltonian(k[s:s + chunk], delta, field))
    return out


def quasiparticle_sum(energies: np.ndarray, weights: np.ndarray, T) -> np.ndarray:
    """< sum_n G_T(E_n(k)) >_BZ for each T, shape (n_T,) (compiled reduction, :mod:`isingsc.backends.cpu`)."""
    return thermal_sum(energies, weights, T)


#: Delta = 0 kernels (:meth:`PairingProblem.pair_kernel`) kept per problem, by field.
KERNELS_KEPT = 4


@dataclass(frozen=True)
class PairingProblem:
    """A Nambu model, a BZ quadrature and the pairing strength v (|t| x site)."""

    model: object
    mesh: object
    v: float

    def __post_init__(self):
        check_range("v", self.v, lo=0.0, lo_open=True)

    @cached_property
    def operator(self) -> LinearNambu | None:
        """H0(k) + Delta P + V.Z stored on the mesh (None for models not linear in Delta and V)."""
        return LinearNambu.from_model(self.model, self.mesh.k)

    @cached_property
    def _fieldwise(self) -> dict:
        # models linear in Delta but not in V (the static effective model, whose self-energy depends on the
        # field): H(k; Delta, V) = H(k; 0, V) + Delta P, one operator per field (the last one kept)
        return {"linear_in_delta": LinearNambu.linear_in_pairing(self.model, self.mesh.k), "key": None, "op": None}

    def linear_at(self, field) -> tuple[LinearNambu | None, object]:
        """(operator, field to pass it): the linear operator of the mesh, or for a model linear in Delta
        only, H(k; 0, V) + Delta P at this field (built once per field); (None, field) otherwise."""
        if self.operator is not None:
            return self.operator, as_field(field)
        cache = self._fieldwise
        if not cache["linear_in_delta"]:
            return None, field
        f = as_field(field)
        key = tuple(f.vector)
        if cache["key"] != key:
            cache["op"] = LinearNambu.at_field(self.model, self.mesh.k, f)
            cache["key"] = key
        return cache["op"], None

    def energies(self, delta: float, field=0.0) -> np.ndarray:
        """Nambu eigenvalues on the mesh, shape (n_k, N), |t|."""
        op, f = self.linear_at(field)
        if op is None:
            return quasiparticle_energies(self.model, self.mesh.k, delta, field)
        return op.eigenvalues(delta, f)

    def thermal_levels(self, delta: float, field=0.0) -> np.ndarray:
        """The Nambu spectrum for the free energy's thermal sums (the ``normal`` of :meth:`landscape`): the
        chiral fast path where it holds (:meth:`~isingsc.backends.dispatch.LinearNambu.thermal_levels`), else
        :meth:`energies`; (n_k, N), |t|."""
        op, f = self.linear_at(field)
        if op is None:
            return self.energies(delta, field)
        return op.thermal_levels(delta, f)

    def quasiparticle_term(self, delta: float, T: float, field=0.0) -> float:
        """< sum_n G_T(E_n(k; Delta, V)) >_BZ at one temperature (|t| per site)."""
        return float(quasiparticle_sum(self.energies(delta, field), self.mesh.weights, [T])[0])

    def free_energy(self, delta, T, field=0.0) -> np.ndarray:
        """Condensation free energy Omega(Delta) - Omega(0) per site (|t|) for each T."""
        return self.landscape([check_range("delta", delta, lo=0.0)], T, field)[:, 0]

    def landscape(self, deltas, T, field=0.0, normal=None) -> np.ndarray:
        """Omega(Delta_i) - Omega(0) on a grid of Delta for all T at once: shape (n_T, n_Delta).

        One diagonalisation per Delta serves every temperature; the normal-state
        spectrum at this field is computed once (or passed as ``normal``) and the
        difference is summed k point by k point (:func:`isingsc.backends.cpu.thermal_difference`).
        """
        T = check_temperature(T, allow_zero=True)
        w = self.mesh.weights
        deltas = np.asarray(deltas, dtype=float)
        op, f = self.linear_at(field)
        if op is not None:
            return deltas**2 / self.v + op.condensation(deltas, T, f, w, normal)
        e_0 = self.energies(0.0, field) if normal is None else normal
        cols = [d * d / self.v + thermal_difference(self.energies(d, field), e_0, w, T)
                for d in np.asarray(deltas, dtype=float)]
        return np.stack(cols, axis=-1)

    def gap_function(self, delta: float, T: float, field=0.0) -> float:
        """F(Delta) = (1/8) < sum_n tanh(E_n/2T) <n|P|n> >; self-consistency is Delta = v F."""
        P = pairing_vertex(self.model)
        total = 0.0
        for s in range(0, len(self.mesh.k), 8192):
            h = self.model.bdg_hamiltonian(self.mesh.k[s:s + 8192], delta, field)
            e, u = np.linalg.eigh(h)
            pnn = np.einsum("kan,kan->kn", u.conj(), P @ u).real
            th = np.sign(e) if T == 0 else np.tanh(e / (2 * T))
            total += (th * pnn).sum(-1) @ self.mesh.weights[s:s + 8192]
        return total / 8.0

    def residual(self, delta: float, T: float, field=0.0) -> float:
        """Gap-equation residual Delta - v F(Delta) (|t|); zero at a stationary point."""
        return delta - self.v * self.gap_function(delta, T, field)

    def curvature(self, T, field=0.0) -> np.ndarray:
        """Omega''(Delta = 0) for each T (pair-susceptibility form); < 0 means the normal state is unstable."""
        return self.pair_kernel(field).curvature(T)

    def pair_kernel(self, field=0.0) -> "PairKernel":
        """Normal-state (Delta = 0) spectrum and pairing matrix elements at one field: every T from it.

        At Delta = 0 the Nambu matrix is block diagonal (particles, holes), so the two
        n x n blocks are diagonalised separately; P only connects particles and holes,
        each such pair appearing twice in the double sum over n, m.  The kernels of the
        :data:`KERNELS_KEPT` most recent fields are kept: a search in T at fixed field (Tc) diagonalises once,
        not once per temperature, and a root search in the field that returns to a field (Brent's method
        re-evaluates its bracket's ends) finds it again.
        """
        key = tuple(as_field(field).vector)
        kept = self._kernels
        kernel = kept.pop(key, None)
        if kernel is None:
            kernel = self._pair_kernel(field)
            while len(kept) >= KERNELS_KEPT:
                kept.pop(next(iter(kept)))
        kept[key] = kernel  # most recent last
        return kernel

    @cached_property
    def _kernels(self) -> dict:
        return {}

    def _pair_kernel(self, field) -> "PairKernel":
        op, f = self.linear_at(field)
        if op is not None:
            e_p, e_h, p2 = op.pair_blocks(f)
            return PairKernel(e_p, e_h, p2, self.mesh.weights, self.v)
        n = self.model.nambu_dim // 2
        D = pairing_vertex(self.model)[:n, n:]
        eps, ehs, p2s = [], [], []
        for s in range(0, len(self.mesh.k), 8192):
            h = self.model.bdg_hamiltonian(self.mesh.k[s:s + 8192], 0.0, field)
            e_p, u_p = np.linalg.eigh(h[:, :n, :n])
            e_h, u_h = np.linalg.eigh(h[:, n:, n:])
            eps.append(e_p)
            ehs.append(e_h)
            p2s.append(np.abs(np.swapaxes(u_p.conj(), -1, -2) @ (D @ u_h)) ** 2)
        return PairKernel(np.concatenate(eps), np.concatenate(ehs), np.concatenate(p2s),
                          self.mesh.weights, self.v)


@dataclass(frozen=True)
class PairKernel:
    """Delta = 0 particle/hole eigenvalues (n_k, n) and |<p|P|h>|^2 (n_k, n, n) at one field.

    ``curvature(T)`` evaluates Omega''(0; T) for any temperatures without a new
    diagonalisation (the eigenvalues do not depend on T).
    """

    e_particle: np.ndarray
    e_hole: np.ndarray
    p2: np.ndarray
    weights: np.ndarray
    v: float

    def curvature(self, T) -> np.ndarray:
        T = check_temperature(T)
        return 2.0 / self.v + pair_curvature(self.e_particle, self.e_hole, self.p2, self.weights, T)


def check_resolution(model, mesh, energy: float) -> None:
    """Raise if a uniform (or symmetry-reduced uniform) mesh cannot resolve the energy scale.

    Its energy resolution near a Fermi surface is v_F |b| / n (|b| = 4 pi / sqrt3 the
    reciprocal-lattice spacing, n the linear mesh size); with v_F the largest band
    velocity (finite differences on random k points) it must not exceed ``energy``
    (e.g. Delta0).  Ray quadratures are built for an energy scale and are not checked here.
    """
    if str(getattr(mesh, "group", "")).endswith("rays"):
        return
    k = np.random.default_rng(11).uniform(-4.0, 4.0, (256, 2))
    h = 1e-5
    from isingsc.meanfield.quadrature import band_energy_function

    energies = band_energy_function(model)
    v_f = 0.0
    for step in ((h, 0.0), (0.0, h)):
        v_f = max(v_f, float(np.max(np.abs(energies(k + np.array(step)) - energies(k)))) / h)
    spacing = 4 * np.pi / np.sqrt(3) / mesh.n
    if v_f * spacing > energy:
        suggested = int(np.ceil(v_f * 4 * np.pi / np.sqrt(3) / energy))
        raise ParameterError("mesh", f"{mesh.n} x {mesh.n}",
                             f"a mesh resolving {energy:.3g} |t| near the Fermi surface: n >= {suggested} "
                             f"(v_F |b| / n = {v_f * spacing:.3g} |t| now), or a ray quadrature "
                             "(isingsc.lattice.quadrature.ray_quadrature)")


def coupling_for_gap(model, mesh, delta0: float) -> float:
    """Pairing strength v giving the zero-temperature, zero-field gap Delta0 of ``model``.

    From the T = 0 gap equation 2 Delta0 / v = (1/4) < sum_n sign(E_n) <n|P|n> >.
    Raises if a uniform mesh is too coarse to resolve Delta0 (:func:`check_resolution`).
    """
    delta0 = check_range("delta0", delta0, lo=0.0, lo_open=True)
    check_resolution(model, mesh, delta0)
    probe = PairingProblem(model, mesh, 1.0)
    f = probe.gap_function(delta0, 0.0)
    if not f > 0:
        raise ConvergenceError(f"no attractive solution for delta0={delta0}: F(delta0)={f}")
    return delta0 / f
