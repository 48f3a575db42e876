"""The lattice Green's function of a superconducting host in real space, converged, and its gap.

For a host with Bloch-de Gennes Hamiltonian H_BdG(k) (fixed pairing Delta, Zeeman field V) the
Green's function between lattice sites R1 and R2 is

    G0(R1 - R2, E) = <R1| (E - H)^-1 |R2> = (1/N) sum_k e^{-i k.(R1 - R2)} (E - H_BdG(k))^-1     (|t|^-1)

in the package's real-space convention (that of the ribbons, kwant's ``syst[b, a]``): the hopping
T_R of a :class:`~isingsc.models.base.TightBindingModel` is the block <R2 + R|H|R2> (from site R2 to
site R2 + R), so <R1|H|R2> = (1/N) sum_k e^{-ik.(R1-R2)} H_BdG(k) with H(k) = sum_R T_R e^{ik.R};
Nambu holes c^dagger_{-k} transform like the particles (their hopping is -T_R^*), so the same sum
serves all four Nambu blocks.  Only
the Nambu indices of the orbitals an impurity or a wire couples to are kept (``orbitals``, default
the pairing orbitals): per orbital [up, down, hole-up, hole-down].

* **Inside the gap** (real E, |E| < E_g) the resolvent is Hermitian and has no poles: G0 is exact,
  with no broadening.  Its integrand is analytic in k and peaked on the Fermi surface with width
  kappa^-1 ~ v_F / sqrt(E_g^2 - E^2), so
* :meth:`HostGreensFunction.local` (R = 0) uses the package's Brillouin-zone quadrature (rays with
  Gauss panels graded around the Fermi crossings, :func:`~isingsc.meanfield.quadrature.quadrature_for`,
  the whole zone), refined until two successive results agree to ``tol`` (relative, max norm);
* :meth:`HostGreensFunction.propagators` and :meth:`HostGreensFunction.grid` (R != 0) use the
  periodic trapezoid rule on an L x L grid of the zone, i.e. one FFT per energy: the sum over the
  grid is the exact G0 plus its images at L-lattice translations, so its error decays like
  exp(-kappa L); L is doubled until two successive grids agree to ``tol`` on the requested sites
  (near the gap edge kappa -> 0 and L grows: the bound states there are that extended).
* :attr:`HostGreensFunction.gap` is the quasiparticle gap E_g = min_k min_n |E_n(k)|, located on the
  quadrature's rays (which crowd the Fermi surface, where the minimum lies) and refined by a local
  minimisation; a host whose gap is below :data:`GAP_RESOLUTION` x Delta is refused.

Energies in |t|, lengths in the lattice constant a, G0 in 1/|t|.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.optimize import minimize

from isingsc.core.errors import ConvergenceError, ParameterError, check_range
from isingsc.core.field import as_field
from isingsc.lattice.quadrature import QuadratureSpec
from isingsc.lattice.triangular import LATTICE, point_group_matrices
from isingsc.models.base import SIGMAX
from isingsc.meanfield.pairing import pairing_vertex
from isingsc.meanfield.quadrature import quadrature_for
from isingsc.models.catalogue import as_resolved

#: A host whose quasiparticle gap is below this fraction of Delta is treated as gapless (refused).
GAP_RESOLUTION = 1e-4
#: Largest FFT grid side (memory ~ L x (sites per side) x n^2 x 16 bytes).
MAX_GRID = 4096
#: Smallest FFT grid side.
MIN_GRID = 32
#: Most refinements of the zone quadrature of the local Green's function.
MAX_REFINEMENTS = 8
#: Below this E_g / Delta the zone quadrature's radial panels follow each band's own gap
#: (:meth:`SuperconductingHost.quadrature`).
GAP_SCALING_RATIO = 0.5
#: Memory (bytes) of the amplitudes of one zone quadrature of the local Green's function (n x N complex numbers
#: per k point: n kept indices, N bands), and of all the Bloch sums one host caches together.
MAX_ZONE_BYTES = 5 * 1024**3
MAX_CACHED_BYTES = 7 * 1024**3
#: k points per batch of Hamiltonians (memory).
_CHUNK = 65536


@dataclass(frozen=True)
class Propagator:
    """Converged Green's-function values with their convergence.

    values : the array (1/|t|); achieved : the last relative change (max norm) between the two finest
    resolutions; resolution : the finest resolution, as text.
    """

    values: np.ndarray
    achieved: float
    resolution: str


class BlochSum:
    """G0(E) = sum_k w_k (E - H_BdG(k))^-1 on the kept indices over one weighted k set, for any energy.

    One batched eigendecomposition H_BdG(k) = U_k diag(e_k) U_k^dagger (in chunks of k points); then every
    energy costs one product: with a_{i,(k,m)} = sqrt(w_k) u_{k,im} (the weights are >= 0),
    G0(E)_ij = sum_{k,m} a_{i,(k,m)} conj(a_{j,(k,m)}) / (E - e_{km}).  ``k`` (n_k, 2) in 1/a, ``weights``
    summing to 1 (a zone average); ``resolution`` describes the k set.  Memory: n x N complex numbers per k.
    """

    def __init__(self, host: HostGreensFunction, k, weights, resolution: str, symmetry=None):
        self.symmetry = symmetry  # matrices U_g on the kept indices: the result is (1/n) sum_g U_g G U_g^dagger
        self.k = np.asarray(k, dtype=float)
        self.weights = np.asarray(weights, dtype=float)
        if np.any(self.weights < 0):
            raise ParameterError("weights", float(self.weights.min()), "non-negative quadrature weights")
        self.resolution = resolution
        n, n_k = len(host.indices), len(self.k)
        big_n = host.model.nambu_dim
        self.energies = np.empty((n_k, big_n))          # (n_k, N) quasiparticle energies, |t|
        self._amp = np.empty((n, n_k * big_n), dtype=complex)
        root = np.sqrt(self.weights)
        for start in range(0, n_k, _CHUNK):
            stop = min(n_k, start + _CHUNK)
            e, u = np.linalg.eigh(host.hamiltonian(self.k[start:stop]))
            self.energies[start:stop] = e
            self._amp[:, start * big_n:stop * big_n] = (u[:, host.indices, :] * root[start:stop, None, None]) \
                .transpose(1, 0, 2).reshape(n, -1)
        self._e = self.energies.ravel()

    @property
    def nbytes(self) -> int:
        return int(self._amp.nbytes + self.energies.nbytes)

    @property
    def amplitudes(self) -> np.ndarray:
        """u_{k,im} on the kept indices, (n_k, n, N)."""
        n_k, big_n = self.energies.shape
        a = self._amp.reshape(-1, n_k, big_n).transpose(1, 0, 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.weights[:, None, None] > 0, a / np.sqrt(self.weights)[:, None, None], 0.0)

    def __call__(self, energy) -> np.ndarray:
        """(n, n) for a scalar energy, (m, n, n) for an array of m energies (1/|t|)."""
        z = np.atleast_1d(np.asarray(energy, dtype=complex))
        n, size = self._amp.shape
        out = np.zeros((len(z), n, n), dtype=complex)
        step = _CHUNK * 8
        for i, zi in enumerate(z):
            for s in range(0, size, step):  # bounded temporaries
                a = self._amp[:, s:s + step]
                e = self._e[s:s + step]
                d = 1.0 / (zi.real - e) if zi.imag == 0 else 1.0 / (zi - e)
                out[i] += (a * d) @ a.conj().T
        if self.symmetry is not None:
            out = sum(u @ out @ u.conj().T for u in self.symmetry) / len(self.symmetry)
        return out[0] if np.ndim(energy) == 0 else out


def _check_energy(energy, gap) -> complex:
    """The energy as a complex number: real inside the gap (``gap()`` is evaluated only then), or Im > 0."""
    try:
        z = complex(energy)
    except (TypeError, ValueError):
        raise ParameterError("energy", energy, "a real number inside the gap or a complex number with Im > 0") \
            from None
    if not (np.isfinite(z.real) and np.isfinite(z.imag)):
        raise ParameterError("energy", energy, "finite")
    if z.imag < 0:
        raise ParameterError("energy", energy, "Im E > 0 (retarded), or a real E inside the host gap")
    if z.imag == 0 and abs(z.real) >= gap():
        raise ParameterError("energy", energy, f"|E| < {gap():.6g} |t| (inside the host gap) for real E, "
                             "or Im E > 0 (retarded)")
    return z


class SuperconductingHost:
    """A superconducting host: a model with pairing at a fixed (not self-consistent) Delta and a Zeeman field.

    The one value behind every host quantity (:class:`HostGreensFunction`, :class:`~isingsc.correlations.
    amplitudes.PairingCorrelations`, and through them impurities, chains, wires): its BdG Hamiltonian, its
    Brillouin-zone quadrature and its quasiparticle gap are computed once and shared.

    Parameters
    ----------
    model : a catalogue name, a :class:`~isingsc.models.catalogue.ResolvedModel` or a NambuModel with pairing.
    delta : the pairing amplitude Delta (|t|, 0 < Delta <= 10); default the model's Delta0.
    field : the Zeeman field (anything :func:`~isingsc.core.field.as_field` takes; |t|).
    """

    def __init__(self, model, delta: float | None = None, field=None):
        self.resolved = as_resolved(model)
        self.resolved.require("pairing")
        self.model = self.resolved.model
        pairing_vertex(self.model)  # the host's quadratures and gap assume on-site pairing: refuse bond channels
        self.delta = check_range("delta", self.resolved.delta0 if delta is None else delta, lo=0.0, hi=10.0,
                                 lo_open=True)
        self.field = as_field(field)
        self._quadratures: dict = {}

    def describe(self) -> dict:
        """Attrs of a result: the model's, Delta and the field."""
        out = dict(self.resolved.describe())
        out.update(delta=self.delta, **self.field.attrs())
        return out

    def hamiltonian(self, k) -> np.ndarray:
        """H_BdG(k) of the host at its Delta and field, shape (..., N, N) (|t|)."""
        return self.model.bdg_hamiltonian(k, self.delta, self.field)

    def orbitals(self, orbitals=None) -> tuple[str, ...]:
        """The orbital names ``orbitals`` (one name or several; default the pairing orbitals), checked."""
        names = tuple(self.model.pairing_orbitals) if orbitals is None else tuple(
            [orbitals] if isinstance(orbitals, str) else orbitals)
        if not names:
            raise ParameterError("orbitals", orbitals, f"one or more of {tuple(self.model.orbitals)}")
        for o in names:
            if o not in tuple(self.model.orbitals):
                raise ParameterError("orbitals", o, f"one or more of {tuple(self.model.orbitals)}")
        return names

    def quadrature(self, spec: QuadratureSpec, *, per_band: bool = True, zone: str | None = None):
        """The whole-zone ray quadrature at ``spec`` that resolves every Green's-function element
        (:func:`~isingsc.meanfield.quadrature.quadrature_for` with ``resolve="all"``; panels at the Fermi
        crossings at zero field and, in a field, at the field), cached per spec.

        When the gap is set by a band of small pairing weight (E_g < GAP_SCALING_RATIO x Delta, e.g. the
        proximitised TMD band of the heterostructure) and ``per_band``, each band's radial panels follow its
        own gap (``gap_ratio`` = E_g / Delta): the small-gap band keeps panels of width ~E_g / v_F, the paired
        bands get panels ~Delta / v_F, instead of all of them E_g / v_F.  ``zone``: "wedge" or "full" (default:
        the wedge when :attr:`point_group_invariant`)."""
        ratio = None
        if per_band and self.gap < GAP_SCALING_RATIO * self.delta:
            ratio = self.gap / self.delta
        zone = zone or ("wedge" if self.point_group_invariant else "full")
        key = (spec, ratio, zone)
        if key not in self._quadratures:
            fields = (self.field,) if self.field.strength > 0 else ()
            self._quadratures[key] = quadrature_for(self.model, spec, facts=self.resolved.facts, zone=zone,
                                                    fields=fields, label=self.resolved.name, resolve="all",
                                                    gap_ratio=ratio)
        return self._quadratures[key]

    @cached_property
    def point_group_invariant(self) -> bool:
        """True when H_BdG(g k) = H_BdG(k) as matrices for all 12 operations g of D6 (checked to 1e-12 on
        random momenta): e.g. a layer without SOC at zero field.  Every zone average of a function of
        H_BdG(k) is then the average over the Gamma-K-M wedge (12 times fewer k points); otherwise (Ising
        SOC, a field) the quadrature covers the whole zone."""
        k = np.random.default_rng(11).uniform(-4.0, 4.0, size=(8, 2))
        h = self.hamiltonian(k)
        return all(np.allclose(self.hamiltonian(k @ g.T), h, rtol=0, atol=1e-12)
                   for g in point_group_matrices("D6"))

    @cached_property
    def spin_representation(self) -> list[np.ndarray] | None:
        """Nambu matrices U_g with H_BdG(g k) = U_g H_BdG(k) U_g^dagger for all 12 operations g of D6, or None.

        U_g = diag(S, S^*), S = 1_orbitals x s with s a spin rotation exp(-i m pi/12 sigma_z) or
        i sigma_x exp(-i m pi/12 sigma_z) (found by trying the 48, checked to 1e-12 on random momenta): the
        Ising layer at zero field has them (its sixfold rotations flip the Ising field, undone by i sigma_x).
        Then G(g k) = U_g G(k) U_g^dagger and a zone average of G is (1/12) sum_g U_g <G>_wedge U_g^dagger."""
        k = np.random.default_rng(13).uniform(-4.0, 4.0, size=(6, 2))
        h = self.hamiltonian(k)
        n_orb = self.model.nambu_dim // 4
        spins = [rot @ p for p in (np.eye(2), 1j * SIGMAX)
                 for rot in (np.diag([np.exp(-0.5j * m * np.pi / 6), np.exp(0.5j * m * np.pi / 6)]) for m in range(24))]
        out = []
        for g in point_group_matrices("D6"):
            hg = self.hamiltonian(k @ g.T)
            for sp in spins:
                big = np.kron(np.eye(n_orb), sp)
                u = np.block([[big, np.zeros_like(big)], [np.zeros_like(big), big.conj()]])
                if np.allclose(hg, u @ h @ u.conj().T, rtol=0, atol=1e-12):
                    out.append(u)
                    break
            else:
                return None
        return out

    @cached_property
    def gap(self) -> float:
        """Quasiparticle gap E_g = min_k min_n |E_n(k)| (|t|), refined to ~1e-12 relative.

        Located on the quadrature's rays at energy scale Delta/2 (which crowd the Fermi surface, where the
        minimum lies) and on a uniform 96 x 96 grid (an unpaired band's minimum may lie anywhere), refined
        by Nelder-Mead from the 12 lowest points.  Raises ParameterError "host gap" when
        E_g < GAP_RESOLUTION x Delta (nodes, a Fermi surface without pairing, a field beyond the gap)."""
        mesh = self.quadrature(QuadratureSpec(energy_scale=self.delta / 2, n_theta=12, order=8), per_band=False).mesh()
        frac = (np.stack(np.meshgrid(np.arange(96), np.arange(96), indexing="ij"), -1).reshape(-1, 2) + 0.5) / 96
        ks = np.concatenate([mesh.k, LATTICE.fractional_to_cartesian(frac)])
        lows = np.concatenate([np.min(np.abs(np.linalg.eigvalsh(self.hamiltonian(ks[i:i + _CHUNK]))), axis=1)
                               for i in range(0, len(ks), _CHUNK)])
        # the 12 lowest points, one per distinct value: the images of one minimum under the point group have
        # the same |E| and need one local minimisation, not one each
        order = np.argsort(lows)[:12]
        _, first = np.unique(np.round(lows[order] / max(float(lows[order[0]]), 1e-300), 9), return_index=True)
        seeds = ks[order[np.sort(first)]][:4]

        def f(k):
            return float(np.min(np.abs(np.linalg.eigvalsh(self.hamiltonian(np.asarray(k)[None])[0]))))

        best = float(lows.min())
        for k0 in seeds:
            r = minimize(f, k0, method="Nelder-Mead", options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 4000})
            best = min(best, float(r.fun))
        if best < GAP_RESOLUTION * self.delta:
            raise ParameterError("host gap", best, f"a gapped host: E_g >= {GAP_RESOLUTION:g} x Delta = "
                                 f"{GAP_RESOLUTION * self.delta:.3g} |t|",
                                 reason=f"the host {self.resolved.name!r} at Delta = {self.delta:g}, field "
                                        f"{tuple(np.round(self.field.vector, 6))} has no gap (min |E| = {best:.3g} "
                                        "|t|): bound states and invariants need a gapped host")
        return best


def as_host(model, delta: float | None = None, field=None) -> SuperconductingHost:
    """``model`` as a :class:`SuperconductingHost` (a host given with delta and field None is returned as is)."""
    if isinstance(model, SuperconductingHost):
        if delta is None and field is None:
            return model
        model = model.resolved
    return SuperconductingHost(model, delta, field)


class HostGreensFunction:
    """The real-space Green's function G0(R, E) of a superconducting host on chosen orbitals.

    Parameters
    ----------
    model : a :class:`SuperconductingHost`, or a catalogue name, a
        :class:`~isingsc.models.catalogue.ResolvedModel` or a NambuModel with pairing and a real-space lattice.
    delta : the (fixed, not self-consistent) pairing amplitude Delta (|t|, > 0); default the model's Delta0.
    field : the Zeeman field (anything :func:`~isingsc.core.field.as_field` takes; |t|).
    orbitals : the orbitals of one site kept (default the pairing orbitals).
    tol : relative tolerance of every converged value (1e-14 ... 1e-2).
    """

    def __init__(self, model, delta: float | None = None, field=None, *, orbitals=None, tol: float = 1e-10):
        self.host = as_host(model, delta, field)
        self.host.resolved.require("real-space")
        self.resolved, self.model = self.host.resolved, self.host.model
        self.delta, self.field = self.host.delta, self.host.field
        self.tol = check_range("tol", tol, lo=1e-14, hi=1e-2)
        self.orbitals = self.host.orbitals(orbitals)
        self.indices = np.concatenate([np.asarray(self.model.nambu_indices(o)) for o in self.orbitals])
        self._bloch_cache: dict = {}

    # ------------------------------------------------------------------ the host
    def describe(self) -> dict:
        """Attrs of a result: the model, Delta, field, orbitals, tolerance."""
        out = self.host.describe()
        out.update(host_orbitals=",".join(self.orbitals), tol=self.tol)
        return out

    def hamiltonian(self, k) -> np.ndarray:
        """H_BdG(k) of the host at its Delta and field, shape (..., N, N) (|t|)."""
        return self.host.hamiltonian(k)

    @property
    def gap(self) -> float:
        """The host's quasiparticle gap E_g (|t|): :attr:`SuperconductingHost.gap`."""
        return self.host.gap

    def _spec(self, energy_scale: float) -> QuadratureSpec:
        return QuadratureSpec(energy_scale=energy_scale, n_theta=12, order=8)

    def zone_sum(self, spec: QuadratureSpec) -> BlochSum:
        """The :class:`BlochSum` over the package's Brillouin-zone rays at resolution ``spec`` (the whole
        zone; panels at the Fermi crossings of the normal state and, in a field, of the Zeeman-split
        bands); cached per spec."""
        key = ("zone", spec)
        ops = None
        if not self.host.point_group_invariant and self.host.spin_representation is not None:
            # the wedge and its twelve images by the spin representation: 12 times fewer k points
            ops = [u[np.ix_(self.indices, self.indices)] for u in self.host.spin_representation]
        if key not in self._bloch_cache:
            quad = self.host.quadrature(spec, zone="wedge" if ops is not None else None)
            mesh = quad.mesh()
            need = mesh.n * (len(self.indices) + 1) * self.model.nambu_dim * 16
            if need > MAX_ZONE_BYTES:
                raise ConvergenceError(f"host {self.resolved.name!r} (gap E_g = {self.gap:.3g} |t| = "
                                       f"{self.gap / self.delta:.3g} Delta): the zone quadrature at {spec.describe()} "
                                       f"has {mesh.n} k points, {need / 1024**3:.1f} GiB of amplitudes "
                                       f"(> {MAX_ZONE_BYTES / 1024**3:g} GiB)",
                                       quantity="G0(0, E)", requested=self.tol, resolution=spec.describe(),
                                       suggestion="raise tol (e.g. 1e-8 or 1e-6), keep fewer orbitals, or take "
                                                  "a larger Delta (a small host gap needs fine panels)")
            held = sum(b.nbytes for b in self._bloch_cache.values())
            while self._bloch_cache and held + need > MAX_CACHED_BYTES:  # bounded memory: drop the oldest
                held -= self._bloch_cache.pop(next(iter(self._bloch_cache))).nbytes
            where = "whole zone" if ops is None and not self.host.point_group_invariant else \
                "Gamma-K-M wedge, symmetrised over D6"
            self._bloch_cache[key] = BlochSum(self, mesh.k, mesh.weights,
                                              f"{spec.describe()}, {len(mesh.weights)} k points, {where}",
                                              symmetry=ops)
        return self._bloch_cache[key]

    def torus_sum(self, size: int) -> BlochSum:
        """The :class:`BlochSum` over the L x L grid k = (i b1 + j b2)/L (``size`` = L): the host on the finite
        L x L periodic lattice, exactly (what an exact diagonalisation of that lattice gives)."""
        if isinstance(size, bool) or int(size) != size or not 2 <= int(size) <= MAX_GRID:
            raise ParameterError("lattice size", size, f"an integer 2 ... {MAX_GRID}")
        size = int(size)
        key = ("torus", size)
        if key not in self._bloch_cache:
            frac = np.stack(np.meshgrid(np.arange(size), np.arange(size), indexing="ij"), -1).reshape(-1, 2) / size
            self._bloch_cache[key] = BlochSum(self, LATTICE.fractional_to_cartesian(frac),
                                              np.full(size * size, 1.0 / size**2),
                                              f"{size} x {size} periodic lattice (exact)")
        return self._bloch_cache[key]

    def torus_grid(self, energy, size: int) -> np.ndarray:
        """G0(R, E) on the finite L x L periodic lattice (``size`` = L), exactly: values (L, L, n, n) indexed
        [n1 mod L, n2 mod L] (one FFT of the torus's Bloch sum)."""
        z = _check_energy(energy, lambda: float(np.min(np.abs(self.torus_sum(size).energies))))
        ts = self.torus_sum(size)
        u = ts.amplitudes
        d = 1.0 / (z - ts.energies)
        gk = np.einsum("kim,km,kjm->kij", u, d, u.conj(), optimize=True).reshape(size, size, u.shape[1], u.shape[1])
        return np.fft.fft2(gk, axes=(0, 1)) / size**2

    # ------------------------------------------------------------------ k space
    def momentum(self, k, energy) -> np.ndarray:
        """G0(k, E) = (E - H_BdG(k))^-1 on the kept indices, shape (..., n, n) (1/|t|)."""
        z = _check_energy(energy, lambda: self.gap)
        k = np.asarray(k, dtype=float)
        e, u = np.linalg.eigh(self.hamiltonian(k))
        w = u[..., self.indices, :]
        return np.einsum("...im,...m,...jm->...ij", w, 1.0 / (z - e), w.conj())

    # ------------------------------------------------------------------ R = 0
    def local(self, energy, tol: float | None = None) -> Propagator:
        """The on-site G0(0, E), (n, n), converged to ``tol`` (default the host's) by refining the zone
        quadrature.

        The quadrature's energy scale is Delta/2^(j+1) with the smallest j that resolves the integrand's
        width sqrt(E_g^2 - E^2) (or Im E), so that nearby energies share quadratures: after the first
        call, each energy costs two weighted sums (the quadrature and its refinement)."""
        z = _check_energy(energy, lambda: self.gap)
        tol = self.tol if tol is None else check_range("tol", tol, lo=1e-14, hi=1e-2)
        width = np.sqrt(max(self.gap**2 - z.real**2, 0.0)) if z.imag == 0 else z.imag
        level = max(0, int(np.ceil(np.log2(self.delta / max(width, 1e-12)))))
        spec = self._spec(self.delta / 2 ** (level + 1))
        previous, change = self.zone_sum(spec)(z), np.inf
        for _ in range(MAX_REFINEMENTS):
            spec = spec.refined()
            try:
                zs = self.zone_sum(spec)
            except ConvergenceError as exc:
                what = str(exc)[:len(str(exc)) - (len(exc.suggestion) + 2 if exc.suggestion else 0)]
                raise ConvergenceError(f"local Green's function at E = {z.real if z.imag == 0 else z:.6g}: "
                                       f"relative change {change:.2g} when {what}", quantity="G0(0, E)",
                                       achieved=change, requested=tol, resolution=spec.describe(),
                                       suggestion=exc.suggestion) from None
            value = zs(z)
            change = float(np.max(np.abs(value - previous)) / max(np.max(np.abs(value)), 1e-300))
            if change < tol:
                return Propagator(value, change, zs.resolution)
            previous = value
        raise ConvergenceError(f"local Green's function at E = {z:.6g}: relative change {change:.2g} after "
                               f"{MAX_REFINEMENTS} refinements", quantity="G0(0, E)", achieved=change,
                               requested=tol, resolution=spec.describe(),
                               suggestion="raise tol or move E away from the gap edge")

    def estimate(self, energy, width: float) -> Propagator:
        """G0(0, E) on the quadrature pair made for an integrand of ``width`` (|t|; e.g. E_g, the width at
        E = 0, whose quadratures a search has built already), not refined: ``achieved`` is the relative
        change between the two, an error estimate that may exceed tol.  For decisions that need only a
        bound (the inertia of K(E) away from its zeros), not for reported values."""
        z = _check_energy(energy, lambda: self.gap)
        level = max(0, int(np.ceil(np.log2(self.delta / max(float(width), 1e-12)))))
        spec = self._spec(self.delta / 2 ** (level + 1))
        coarse = self.zone_sum(spec)(z)
        zs = self.zone_sum(spec.refined())
        value = zs(z)
        change = float(np.max(np.abs(value - coarse)) / max(np.max(np.abs(value)), 1e-300))
        return Propagator(value, change, zs.resolution)

    # ------------------------------------------------------------------ R != 0
    def _grid_values(self, z: complex, L: int, n1_keep: np.ndarray, n2_keep: np.ndarray) -> np.ndarray:
        """(1/L^2) sum_m e^{-2 pi i (m1 n1 + m2 n2)/L} G0(k_m, z) for n1 in n1_keep, n2 in n2_keep:
        separable FFTs (first along m2 in chunks of rows, then along m1), shape (len1, len2, n, n)."""
        n = len(self.indices)
        partial = np.empty((L, len(n2_keep), n, n), dtype=complex)
        rows = max(1, _CHUNK // L)
        m2 = np.arange(L)
        for start in range(0, L, rows):
            m1 = np.arange(start, min(L, start + rows))
            frac = np.stack(np.meshgrid(m1, m2, indexing="ij"), -1) / L
            g = self._bloch_at(frac.reshape(-1, 2), z).reshape(len(m1), L, n, n)
            partial[m1] = np.fft.fft(g, axis=1)[:, n2_keep % L] / L
        return np.fft.fft(partial, axis=0)[n1_keep % L] / L

    def _bloch_at(self, frac: np.ndarray, z: complex) -> np.ndarray:
        h = self.hamiltonian(LATTICE.fractional_to_cartesian(frac))
        g = np.linalg.inv(z * np.eye(h.shape[-1]) - h)  # one batched LU: cheaper than eigh + products
        return g[:, self.indices][:, :, self.indices]

    def _converged_grid(self, z: complex, n1_keep, n2_keep, pick, reach: int, what: str) -> Propagator:
        L = MIN_GRID
        while L < 4 * reach + 4:
            L *= 2
        previous, change, before = None, np.inf, np.inf
        while L <= MAX_GRID:
            value = pick(self._grid_values(z, L, n1_keep, n2_keep))
            if previous is not None:
                change = float(np.max(np.abs(value - previous)) / max(np.max(np.abs(value)), 1e-300))
                # the trapezoid rule of an analytic periodic integrand converges like exp(-kappa L): with
                # changes c1 (L/4 -> L/2) and c2 (L/2 -> L) well inside that regime (c2 < c1 / 8), the
                # error of the L grid is c2 (c2 / c1)^2
                estimate = change * (change / before) ** 2 if np.isfinite(before) and change < before / 8 else change
                if min(change, estimate) < self.tol:
                    return Propagator(value, min(change, estimate), f"{L} x {L} zone grid (FFT)"
                                      + ("" if change < self.tol else ", error extrapolated from the last "
                                         "two grid doublings (exponential convergence)"))
                before = change
            previous, L = value, 2 * L
        raise ConvergenceError(f"{what} at E = {z:.6g}: relative change {change:.2g} on the {L // 2}-point grid",
                               quantity=what, achieved=change, requested=self.tol,
                               resolution=f"{L // 2} x {L // 2} zone grid",
                               suggestion="raise tol or move E away from the gap edge (longer decay lengths "
                                          "need larger grids)")

    def propagators(self, energy, offsets) -> Propagator:
        """G0(R_j, E) = <R_j|G|0> for integer offsets (m, 2): R = n1 a1 + n2 a2, values (m, n, n), converged
        to ``tol``."""
        z = _check_energy(energy, lambda: self.gap)
        off = np.asarray(offsets)
        if off.ndim != 2 or off.shape[1] != 2 or not np.all(np.equal(np.mod(off, 1), 0)):
            raise ParameterError("offsets", np.shape(offsets), "an integer array of shape (m, 2)")
        off = off.astype(int)
        n1u, i1 = np.unique(off[:, 0], return_inverse=True)
        n2u, i2 = np.unique(off[:, 1], return_inverse=True)
        reach = int(np.max(np.abs(off))) if off.size else 0
        return self._converged_grid(z, n1u, n2u, lambda v: v[i1, i2], reach, "G0(R, E)")

    def grid(self, energy, size: int) -> Propagator:
        """G0 at all offsets n1, n2 in range(-size//2, size - size//2): values (size, size, n, n)."""
        z = _check_energy(energy, lambda: self.gap)
        if isinstance(size, bool) or int(size) != size or not 1 <= int(size) <= MAX_GRID // 4:
            raise ParameterError("size", size, f"an integer 1 ... {MAX_GRID // 4}")
        size = int(size)
        ns = np.arange(-(size // 2), size - size // 2)
        return self._converged_grid(z, ns, ns, lambda v: v, size // 2 + 1, "G0 grid")


__all__ = ["GAP_RESOLUTION", "BlochSum", "HostGreensFunction", "Propagator", "SuperconductingHost", "as_host"]
