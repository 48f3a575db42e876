"""A half-metal wire on a superconducting host: induced equal-spin pairing, its effective 1D model,
topological phase and Majorana end states (review Sec. 5; Zhou, Yuan, Jiang, Law, PRB 93, 180501 (2016)).

**The wire.**  One spinless band -- electrons fully polarised along the unit vector n, spinor
chi = |n+> -- on the host sites R_j = j a_w under it, a_w = n1 a1 + n2 a2 a primitive lattice vector:

    H_w = sum_j [t_w (w^dagger_{j+1} w_j + h.c.) - mu_w w^dagger_j w_j],    eps(q) = 2 t_w cos q - mu_w,
    H_T = t_c sum_j sum_o [w^dagger_j (chi^dagger c_{R_j, o}) + h.c.]      (spin-conserving tunnelling)

(o: the host orbitals the wire touches, default the pairing orbitals).  In the Nambu basis
[w_q, w^dagger_{-q}] the tunnelling is T = t_c tau_z P with P = [[chi^dagger, 0], [0, chi^T]] on each
orbital's [up, down, hole-up, hole-down] (holes enter with -h^*: hence tau_z).

**Self-energy.**  Integrating out the host exactly,

    Sigma(q, z) = t_c^2 tau_z P G0_line(q, z) P^dagger tau_z,   G0_line(q, z) = sum_m e^{-iqm} G0(m a_w, z)
                = < (z - H_BdG(k))^-1 >_{k . a_w = -q}     (the zone average over the line k . a_w = -q),

with the package's G0(R) = <R|G|0> (:mod:`isingsc.correlations.host`; :class:`BdGChain`'s H(q) = sum_m
e^{-iqm} <j + m|H|j> is the same convention, so Sigma_m = T G0(m a_w) T^dagger is <j + m|Sigma|j>),
whose anomalous part Sigma_12 = -t_c^2 chi^dagger F_line chi^* = -t_c^2 sin th e^{-i ph} d_z,line for an
Ising host (F = (Psi_s + d_z sigma_z) i sigma_y, d_z odd in k) is the induced equal-spin p-wave pairing:
odd in q, zero for n along z (S_z conservation), proportional to sin th and largest in the plane; zero
for a conventional host at zero field (F = Psi_s i sigma_y and chi^dagger (i sigma_y) chi^* = 0 for any
chi); zero for a wire along a next-nearest-neighbour direction (a1 + a2, ...), whose mirror plane
maps the line k . a_w = -q onto itself and flips S(k).

**Effective model** (static): H_eff(q) = h_w(q) + Sigma(q, 0), a one-band class-D BdG chain with
Z2 index nu = sign[Pf A(0) Pf A(pi)] (A the Majorana form, :func:`majorana_form`; pfapack), = -1
(topological) when eps_eff(0) eps_eff(pi) < 0; its nearest-neighbour truncation is a Kitaev chain
(mu_eff, t_eff, Delta_eff), topological for |mu_eff| < 2 |t_eff|.

**Explicit calculation.**  A finite wire of N sites with the exact, energy-dependent self-energy:
its sub-gap states are the zeros of det M(E), M(E) = E - h_w,N - Sigma_N(E), Sigma_N(E)_{ij} =
t_c^2 tau_z P G0((i - j) a_w, E) P^dagger tau_z.  Inside the host gap M(E) is Hermitian and
dM/dE = 1 + t_c^2 tau_z P G0^2 P^dagger tau_z >= 1, so each sorted eigenvalue lambda_i(E) of M(E)
increases with slope >= 1: the i-th positive bound state is the single root of lambda_{N-i}(E) (1-based)
and lies below the static (effective-model) energy E_i^static (M(0) = -H_eff,N).  Their ratio ~ the
wire weight Z = 1 / <psi| dM/dE |psi> of the state says how far the static approximation holds.

**Host propagators.**  :class:`~isingsc.correlations.line.LineGreensFunction` of the host on the wire's sites
(spacing |a_w|, one site per cell): G0_line(q, z) by the 1D zone integral along each line (trapezoid rule,
doubled until converged to tol) and G0(m a_w, E) for |E| <= e_top as Chebyshev series in E, from N_q momenta
doubled until the images at N_q a_w are below tol (e_top: the highest energy used, at least half the gap; one
set serves the static model, the root searches and every shorter wire).  Its convergence is stated there;
the tests compare it with a plain uniform mesh of the zone and with
:meth:`~isingsc.correlations.host.HostGreensFunction.propagators`.

Energies in |t|, lengths in units of the wire spacing |a_w| (sites), q in 1/|a_w|.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import xarray as xr

from isingsc.core.errors import (
    ParameterError,
    check_positive_int,
    check_range,
    check_unit_vector,
)
from isingsc.core.results import finalize
from isingsc.correlations.host import HostGreensFunction
from isingsc.correlations.line import (
    LineGreensFunction,
    LineSeparations,
    chebyshev_basis,
    lattice_direction,
)
from isingsc.lattice.triangular import LATTICE

TAU_Z = np.diag([1.0, -1.0])
#: Majorana transformation of one Nambu pair [c, c^dagger]: gamma_1 = (c + c^dagger)/sqrt2, gamma_2 = i (c - c^dagger)/sqrt2.
_MAJORANA = np.array([[1.0, 1.0], [1j, -1j]]) / np.sqrt(2.0)
#: A static effective chain whose gap is below this x max(|t_w|, t_c^2, |mu_w|) is gapless: no index (0).
GAPLESS = 1e-8
#: Default upper end of the bound-state search, as a fraction of the host gap (near the gap edge the
#: bound states spread over kappa^-1 -> infinity and the lattice sums need ever larger grids).
DEFAULT_WINDOW = 0.9


# ------------------------------------------------------------------ 1D BdG chains and their Z2 index
def majorana_form(h, half: int = 1) -> np.ndarray:
    """A = -i Omega H Omega^dagger: the real antisymmetric Majorana form of a BdG matrix at a particle-hole
    invariant momentum (tau_x H^* tau_x = -H), in a basis of blocks [particles (``half``), holes (``half``)]
    (one Nambu pair [c, c^dagger]: half = 1; [up, down, hole-up, hole-down]: half = 2); Omega = 1 (x)
    [[1, 1], [i, -i]] / sqrt2 (x) 1_half.  ParameterError when A is not real antisymmetric (H is not
    particle-hole symmetric in that basis)."""
    h = np.asarray(h, dtype=complex)
    half = check_positive_int("half", half, 1)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.shape[0] % (2 * half):
        raise ParameterError("hamiltonian", h.shape, f"a square matrix of blocks of 2 x {half} (particles, holes)")
    omega = np.kron(np.eye(h.shape[0] // (2 * half)), np.kron(_MAJORANA, np.eye(half)))
    a = -1j * (omega @ h @ omega.conj().T)
    scale = max(1.0, float(np.abs(a).max()))
    broken = max(float(np.abs(a.imag).max()), float(np.abs(a + a.T).max())) / scale
    if broken > 1e-8:
        raise ParameterError("hamiltonian", f"particle-hole symmetry broken by {broken:.2g}",
                             "a BdG matrix at q = 0 or pi (tau_x H^* tau_x = -H)")
    return np.ascontiguousarray(a.real)


def pfaffian_sign(h, half: int = 1) -> int:
    """sign Pf A of the Majorana form A of ``h`` (:func:`majorana_form`), by pfapack: +-1, 0 if Pf A = 0."""
    from pfapack import pfaffian

    return int(np.sign(float(np.real(pfaffian.pfaffian(majorana_form(h, half))))))


def z2_index(h0, hpi, half: int = 1) -> int:
    """Kitaev's Z2 index nu = sign[Pf A(0) Pf A(pi)] of a 1D class-D BdG chain from its Hamiltonians at q = 0
    and pi (:func:`pfaffian_sign`): -1 topological, +1 trivial; 0 if gapless at q = 0 or pi (Pf = 0)."""
    return pfaffian_sign(h0, half) * pfaffian_sign(hpi, half)


@dataclass(frozen=True)
class BdGChain:
    """A one-band BdG chain, Nambu [w_j, w^dagger_j] per site: ``couplings[m]`` = <j + m| H |j> (2 x 2, |t|),
    H(q) = sum_m couplings[m] e^{-iqm}.  Hermitian: couplings[-m] = couplings[m]^dagger (added if absent)."""

    couplings: dict = field(default_factory=dict)

    def __post_init__(self):
        full = {}
        for m, c in self.couplings.items():
            c = np.asarray(c, dtype=complex)
            if c.shape != (2, 2) or not np.all(np.isfinite(c)):
                raise ParameterError(f"couplings[{m}]", c.shape, "a finite 2 x 2 matrix")
            full[int(m)] = c
        for m in list(full):
            if -m not in full:
                full[-m] = full[m].conj().T
            elif not np.allclose(full[-m], full[m].conj().T, atol=1e-12):
                raise ParameterError(f"couplings[{m}]", "H_-m != H_m^dagger", "Hermitian couplings")
        object.__setattr__(self, "couplings", dict(sorted(full.items())))

    @classmethod
    def kitaev(cls, mu: float, t: float, delta: complex) -> BdGChain:
        """Kitaev's chain sum_j [-mu w^dag_j w_j + t (w^dag_{j+1} w_j + h.c.) + (Delta w^dag_{j+1} w^dag_j + h.c.)]:
        H(q) = [[2t cos q - mu, -2i Delta sin q], [2i Delta^* sin q, mu - 2t cos q]]."""
        mu, t = float(mu), float(t)
        return cls({0: np.diag([-mu, mu]), 1: np.array([[t, delta], [-np.conj(delta), -t]])})

    @property
    def reach(self) -> int:
        return max(abs(m) for m in self.couplings) if self.couplings else 0

    def hamiltonian(self, q) -> np.ndarray:
        """H(q), shape q.shape + (2, 2) (|t|)."""
        q = np.asarray(q, dtype=float)
        out = np.zeros(q.shape + (2, 2), dtype=complex)
        for m, c in self.couplings.items():
            out += np.exp(-1j * q * m)[..., None, None] * c
        return out

    def index(self) -> int:
        """Z2 index (:func:`z2_index`): -1 topological, +1 trivial, 0 gapless at q = 0 or pi."""
        return z2_index(self.hamiltonian(0.0), self.hamiltonian(np.pi))

    def kitaev_parameters(self) -> tuple[float, float, complex]:
        """(mu_eff, t_eff, Delta_eff) of the nearest-neighbour part: -H_0[0,0], H_1[0,0], H_1[0,1]."""
        h0 = self.couplings.get(0, np.zeros((2, 2)))
        h1 = self.couplings.get(1, np.zeros((2, 2)))
        return float(-h0[0, 0].real), float(h1[0, 0].real), complex(h1[0, 1])

    def truncated(self, reach: int = 1) -> BdGChain:
        """The chain with couplings of range <= ``reach`` only."""
        return BdGChain({m: c for m, c in self.couplings.items() if abs(m) <= reach})

    def spectrum(self, q) -> np.ndarray:
        """Quasiparticle energies at q, sorted, shape q.shape + (2,)."""
        return np.linalg.eigvalsh(self.hamiltonian(q))

    def gap(self, n_q: int = 512) -> tuple[float, float]:
        """(gap, q at the minimum): min_q min |E(q)| on n_q points, refined by bounded minimisation."""
        from scipy.optimize import minimize_scalar

        q = np.linspace(-np.pi, np.pi, n_q, endpoint=False)
        low = np.min(np.abs(self.spectrum(q)), axis=-1)
        i = int(np.argmin(low))
        dq = 2 * np.pi / n_q
        r = minimize_scalar(lambda x: float(np.min(np.abs(self.spectrum(np.array(x))))),
                            bounds=(q[i] - dq, q[i] + dq), method="bounded", options={"xatol": 1e-12})
        return (float(r.fun), float(r.x)) if r.fun < low[i] else (float(low[i]), float(q[i]))

    def finite(self, n_sites: int) -> np.ndarray:
        """The open chain of ``n_sites`` sites, (2N, 2N), blocks [i, j] = couplings[i - j]."""
        n = check_positive_int("n_sites", n_sites, 2)
        h = np.zeros((2 * n, 2 * n), dtype=complex)
        for m, c in self.couplings.items():
            for j in range(max(0, -m), min(n, n - m)):
                h[2 * (j + m):2 * (j + m) + 2, 2 * j:2 * j + 2] = c
        return h


# ------------------------------------------------------------------ the wire
class HalfMetalWire:
    """A fully spin-polarised single-band wire on a superconducting host (see the module docstring).

    Parameters
    ----------
    host_model : catalogue name, ResolvedModel or NambuModel with pairing and a real-space lattice.
    polarisation : unit 3-vector n, the wire's spin direction.
    t_w, mu_w : the wire's hopping and chemical potential (|t|): eps(q) = 2 t_w cos q - mu_w.
    t_c : tunnelling between a wire site and the host site under it (|t|, >= 0).
    direction : primitive lattice vector (n1, n2) along the wire (default a1, a nearest-neighbour bond).
    delta, field, orbitals : the host's fixed Delta (|t|; default the model's Delta0), Zeeman field and
        the orbitals the wire couples to (default the pairing orbitals), as
        :class:`~isingsc.correlations.host.HostGreensFunction`.
    tol : relative tolerance of the lattice sums (1e-12 ... 1e-2).
    window : bound states are searched for below window x the host gap (0 < window < 1).
    """

    def __init__(self, host_model, polarisation=(1.0, 0.0, 0.0), *, t_w: float = -1.0, mu_w: float = 0.0,
                 t_c: float = 0.5, direction=(1, 0), delta: float | None = None, field=None, orbitals=None,
                 tol: float = 1e-8, window: float = DEFAULT_WINDOW):
        self.polarisation = check_unit_vector("polarisation", polarisation)
        self.t_w = check_range("t_w", t_w, lo=-20.0, hi=20.0, nonzero=True)
        self.mu_w = check_range("mu_w", mu_w, lo=-50.0, hi=50.0)
        self.t_c = check_range("t_c", t_c, lo=0.0, hi=20.0)
        self.direction = lattice_direction(direction)[0]
        self.tol = check_range("tol", tol, lo=1e-12, hi=1e-2)
        self.window = check_range("window", window, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
        self.host = HostGreensFunction(host_model, delta, field, orbitals=orbitals, tol=max(self.tol, 1e-12))
        n = self.polarisation
        theta = math.acos(max(-1.0, min(1.0, float(n[2]))))
        phi = math.atan2(float(n[1]), float(n[0])) if math.hypot(float(n[0]), float(n[1])) > 0 else 0.0
        self.spinor = np.array([math.cos(theta / 2), np.exp(1j * phi) * math.sin(theta / 2)])
        n_orb = len(self.host.orbitals)
        p = np.zeros((2, 4 * n_orb), dtype=complex)
        for o in range(n_orb):
            p[0, 4 * o:4 * o + 2] = self.spinor.conj()
            p[1, 4 * o + 2:4 * o + 4] = self.spinor
        #: T = t_c tau_z P: the wire-host coupling in Nambu form (2 x n).
        self.coupling = self.t_c * TAU_Z @ p
        a_w = np.asarray(self.direction, dtype=float) @ LATTICE.primitive
        self.spacing = float(np.linalg.norm(a_w))
        #: G0 of the host on the wire's sites (one site per cell, spacing |a_w|).
        self.line = LineGreensFunction(self.host, self.direction, 1, 1, tol=self.tol)
        self._sets: list[LineSeparations] = []

    # ------------------------------------------------------------------ basics
    def describe(self) -> dict:
        """Attrs: the host's and the wire's parameters."""
        out = {"delta": self.host.delta, **self.host.field.attrs(), "host_orbitals": ",".join(self.host.orbitals)}
        out.update(polarisation=list(self.polarisation), t_w=self.t_w, mu_w=self.mu_w, t_c=self.t_c,
                   wire_direction=list(self.direction), wire_spacing=self.spacing, tol=self.tol, window=self.window,
                   host_gap=self.gap)
        return out

    @property
    def gap(self) -> float:
        """The host's quasiparticle gap (|t|)."""
        return self.host.gap

    def wire_hamiltonian(self, q) -> np.ndarray:
        """h_w(q) = diag(eps(q), -eps(-q)), eps(q) = 2 t_w cos q - mu_w, shape q.shape + (2, 2)."""
        q = np.asarray(q, dtype=float)
        eps = 2 * self.t_w * np.cos(q) - self.mu_w
        out = np.zeros(q.shape + (2, 2))
        out[..., 0, 0] = eps
        out[..., 1, 1] = -eps
        return out

    def wire_chain(self) -> BdGChain:
        """The bare wire as a :class:`BdGChain`."""
        return BdGChain({0: np.diag([-self.mu_w, self.mu_w]), 1: np.diag([self.t_w, -self.t_w])})

    def _project(self, g) -> np.ndarray:
        """t_c^2 tau_z P g P^dagger tau_z = T g T^dagger for g (..., n, n) on the host's kept indices: (..., 2, 2)."""
        return np.einsum("ai,...ij,bj->...ab", self.coupling, g, self.coupling.conj(), optimize=True)

    def self_energy(self, q, energy=0.0) -> np.ndarray:
        """Sigma(q, z) = t_c^2 tau_z P G0_line(q, z) P^dagger tau_z, shape q.shape + (2, 2) (|t|), G0_line(q, z) =
        sum_m e^{-iqm} G0(m a_w, z) (:class:`~isingsc.correlations.line.LineGreensFunction`, converged to tol)."""
        return self._project(self.line(q, energy))

    def _separations(self, n: int, top: float = 0.0) -> LineSeparations:
        """G0(m a_w, E) for |m| < n at |E| <= max(top, gap / 2): a set converged at E = 0 and at the highest
        energy used (the slowest decay), reused for every shorter wire and lower energy."""
        top = max(float(top), 0.5 * self.gap)
        for sep in self._sets:
            if sep.reach >= n and sep.e_top >= top:
                return sep
        sep = self.line.separations(top, reach=n)
        self._sets.append(sep)
        return sep

    # ------------------------------------------------------------------ the static effective model
    @cached_property
    def _static(self):
        """(BdGChain of h_w + Sigma(., 0) in real space, achieved, momenta): the couplings Sigma_m(0) = T G0(m a_w, 0)
        T^dagger for every |m| < N_q / 2, N_q doubled until the couplings near N_q / 2 are below tol (relative)."""
        sep = self._separations(1)
        blocks = self._project(sep.values(0.0, sep.reach))
        chain = {m: blocks[m + sep.reach] for m in range(-sep.reach, sep.reach + 1)}
        for m, c in self.wire_chain().couplings.items():
            chain[m] = chain[m] + c
        return BdGChain(chain), sep.achieved, sep.n_q

    def effective_chain(self) -> BdGChain:
        """The static effective model h_w + Sigma(q, 0) as a :class:`BdGChain` (its real-space couplings,
        converged to tol in range and value)."""
        return self._static[0]

    def effective_hamiltonian(self, q) -> np.ndarray:
        """H_eff(q) = h_w(q) + Sigma(q, 0) (exact line averages), shape q.shape + (2, 2) (|t|)."""
        return self.wire_hamiltonian(q) + self.self_energy(q, 0.0)

    def effective(self, n_q: int = 128) -> xr.Dataset:
        """The static effective model: its Z2 index (pfapack), gap, induced p-wave pairing and Kitaev form.

        Dataset over ``q`` (n_q points in [-pi, pi), 1/|a_w|): ``eps_eff`` (Sigma-renormalised band, |t|),
        ``delta_eff_re/_im`` (induced pairing H_eff[0, 1], odd in q), ``energy`` (the static quasiparticle
        bands, dim ``branch``).  Attrs: ``index`` (-1 topological, +1 trivial, from the exact H_eff(0), H_eff(pi);
        0 when the chain is gapless, gap < GAPLESS x the wire's scale: no invariant is reported then),
        ``gap`` and ``q_gap``, the Kitaev parameters ``mu_eff``, ``t_eff``, ``delta_eff`` (nearest-neighbour
        couplings), ``kitaev_index`` (Pfaffian of that Kitaev chain) and ``kitaev_topological``
        (|mu_eff| < 2 |t_eff|), ``pairing_odd_residual`` (max |Delta(q) + Delta(-q)| / max |Delta|)."""
        from scipy.optimize import minimize_scalar

        n_q = check_positive_int("n_q", n_q, 4)
        h0 = self.effective_hamiltonian(np.array(0.0))
        hpi = self.effective_hamiltonian(np.array(np.pi))
        index = z2_index(h0, hpi)
        q = np.linspace(-np.pi, np.pi, n_q, endpoint=False)
        h = self.effective_hamiltonian(q)
        hm = self.effective_hamiltonian(-q)
        energies = np.linalg.eigvalsh(h)
        # the gap: the lowest |E(q)| on the q grid, refined with the exact line sums around it
        lowest = np.min(np.abs(energies), axis=-1)
        i = int(np.argmin(lowest))
        dq = 2 * np.pi / n_q
        r = minimize_scalar(lambda x: float(np.min(np.abs(np.linalg.eigvalsh(self.effective_hamiltonian(
            np.array(x)))))), bounds=(q[i] - dq, q[i] + dq), method="bounded", options={"xatol": 1e-10})
        gap, q_gap = (float(r.fun), float(r.x)) if r.fun < lowest[i] else (float(lowest[i]), float(q[i]))
        # never an invariant of a gapless chain: a wire band crossing zero without induced pairing is a metal
        if gap < GAPLESS * max(abs(self.t_w), self.t_c**2, abs(self.mu_w)):
            index = 0
        odd = float(np.max(np.abs(h[:, 0, 1] + hm[:, 0, 1])) / max(float(np.max(np.abs(h[:, 0, 1]))), 1e-300))
        # the nearest-neighbour couplings (Kitaev form): lattice sums converged for |m| <= 1 at E = 0
        sep = self._separations(1)
        achieved = sep.achieved
        nn = self._project(sep.values(0.0, 1))  # m = -1, 0, 1
        chain = BdGChain({0: nn[1] + np.diag([-self.mu_w, self.mu_w]), 1: nn[2] + np.diag([self.t_w, -self.t_w])})
        mu_eff, t_eff, delta_eff = chain.kitaev_parameters()
        kitaev = BdGChain.kitaev(mu_eff, t_eff, delta_eff)
        ds = xr.Dataset(
            {"eps_eff": ("q", h[:, 0, 0].real, {"units": "|t|", "long_name": "2 t_w cos q - mu_w + Sigma_11(q, 0)"}),
             "delta_eff_re": ("q", h[:, 0, 1].real, {"units": "|t|", "long_name": "re induced pairing Sigma_12(q, 0)"}),
             "delta_eff_im": ("q", h[:, 0, 1].imag, {"units": "|t|", "long_name": "im induced pairing Sigma_12(q, 0)"}),
             "energy": (("q", "branch"), energies, {"units": "|t|", "long_name": "static quasiparticle bands"})},
            coords={"q": ("q", q, {"units": "1/|a_w|"}), "branch": [0, 1]})
        return finalize(ds, model=self.host.resolved, **self.describe(), index=index,
                        topological=int(index == -1), gap=gap, q_gap=q_gap, eps_eff_0=float(h0[0, 0].real),
                        eps_eff_pi=float(hpi[0, 0].real), mu_eff=mu_eff, t_eff=t_eff, delta_eff_re=delta_eff.real,
                        delta_eff_im=delta_eff.imag, kitaev_index=kitaev.index(),
                        kitaev_topological=int(abs(mu_eff) < 2 * abs(t_eff)), pairing_odd_residual=odd,
                        achieved=achieved, resolution=f"{sep.resolution()} (nearest-neighbour couplings); exact line "
                                                      "sums at each q")

    def exact_band(self, q, n_states: int = 1) -> np.ndarray:
        """Sub-gap energies of the infinite wire with the exact Sigma(q, E): the lowest positive roots of
        det(E - H_eff... ) i.e. of the eigenvalues of M(q, E) = E - h_w(q) - Sigma(q, E), per q (NaN: no
        root below window x gap), shape q.shape + (n_states,) -- n_states <= 1 for a one-band wire."""
        from scipy.optimize import brentq

        q = np.atleast_1d(np.asarray(q, dtype=float))
        n_states = check_positive_int("n_states", n_states, 1)
        if n_states > 1:
            raise ParameterError("n_states", n_states, "1 (a one-band wire has one positive branch)")
        top = self.window * self.gap
        out = np.full(q.shape + (1,), np.nan)
        for i, qq in np.ndenumerate(q):
            c = self.line.chebyshev(float(qq), top)  # G0_line(q, E) for |E| <= top
            hw = self.wire_hamiltonian(np.array(qq))

            def lam(e, hw=hw, c=c):
                g = np.tensordot(chebyshev_basis(e / top, len(c)), c, axes=(0, 0))
                return float(np.linalg.eigvalsh(e * np.eye(2) - hw - self._project(g))[0])

            static = -lam(0.0)
            hi = min(abs(static), top) if static > 0 else top
            if lam(hi) < 0:
                continue
            out[i + (0,)] = brentq(lam, 0.0, hi, xtol=1e-15, rtol=1e-13) if lam(0.0) < 0 else 0.0
        return out

    # ------------------------------------------------------------------ finite wires
    def _sigma_n(self, sep: LineSeparations, e: float, n: int, derivative: bool = False) -> np.ndarray:
        """Sigma_N(E) (or dSigma_N/dE), (2N, 2N): blocks [i, j] = T G0((i - j) a_w, E) T^dagger."""
        return self._assemble(self._project(sep.values(e, n - 1, derivative)), n)

    def chain_self_energy(self, n_sites: int, energy) -> np.ndarray:
        """Sigma_N(E): the (2N, 2N) self-energy of a finite wire of ``n_sites`` sites at a real energy inside the
        gap, blocks [i, j] = t_c^2 tau_z P G0((i - j) a_w, E) P^dagger tau_z (|t|)."""
        n = self._check_sites(n_sites)
        e = check_range("energy", energy, lo=-self.gap, hi=self.gap, lo_open=True, hi_open=True)
        return self._sigma_n(self._separations(n, abs(e)), e, n)

    def _check_sites(self, n_sites) -> int:
        if isinstance(n_sites, bool) or int(n_sites) != n_sites or int(n_sites) < 2:
            raise ParameterError("n_sites", n_sites, "an integer >= 2")
        if int(n_sites) > 2000:
            raise ParameterError("n_sites", n_sites, "an integer 2 ... 2000")
        return int(n_sites)

    @staticmethod
    def _assemble(blocks, n: int) -> np.ndarray:
        out = np.empty((2 * n, 2 * n), dtype=complex)
        for i in range(n):
            for j in range(n):
                out[2 * i:2 * i + 2, 2 * j:2 * j + 2] = blocks[i - j + n - 1]
        return out

    def count_states(self, n_sites: int, energy: float) -> int:
        """The number of bound states of a finite wire with energies in (0, E] (E inside the gap), from the
        inertia of M(E) alone: the eigenvalues of M increase with E, so N - (number of negative eigenvalues of
        M(E)) states have crossed zero in (0, E] (N: those negative at 0+; exact, no root search)."""
        n = self._check_sites(n_sites)
        e = check_range("energy", energy, lo=0.0, hi=self.window * self.gap, lo_open=True)
        hw = self.wire_chain().finite(n)
        m = e * np.eye(2 * n) - hw - self._sigma_n(self._separations(n, e), e, n)
        return n - int(np.sum(np.linalg.eigvalsh(m) < 0))

    def bound_states(self, n_sites: int, n_states: int = 2) -> xr.Dataset:
        """Sub-gap states of a finite wire of ``n_sites`` sites with the exact self-energy Sigma_N(E).

        The i-th positive bound state is the root of lambda_{N-i}(E) (sorted eigenvalues of M(E) = E - h_w,N
        - Sigma_N(E), increasing with slope >= 1) in [0, E_i^static] (brentq), where E_i^static are the positive
        eigenvalues of the static H_eff,N = h_w,N + Sigma_N(0).  Dataset over ``state`` (n_states lowest):
        ``energy`` (exact; NaN: none below window x gap), ``energy_static``, ``wire_weight`` Z = 1 / <psi| dM/dE
        |psi>; over ``site``: ``profile`` (|u_j|^2 + |v_j|^2 of the lowest state, normalised on the wire),
        ``profile_static`` (the same for the static model's lowest state)."""
        from scipy.optimize import brentq

        n = self._check_sites(n_sites)
        n_states = check_positive_int("n_states", n_states, 1)
        if n_states > n:
            raise ParameterError("n_states", n_states, f"an integer 1 ... n_sites = {n}")
        hw = self.wire_chain().finite(n)
        window = self.window * self.gap
        # the static model first (the grid converged at E = 0): the roots lie below its energies
        h_static = hw + self._sigma_n(self._separations(n), 0.0, n)
        ev, vec = np.linalg.eigh(h_static)
        static = ev[n:n + n_states]
        top = float(min(window, static[-1]))
        sep = self._separations(n, top)
        achieved = sep.achieved

        def m_of(e):
            return e * np.eye(2 * n) - hw - self._sigma_n(sep, e, n)
        energies = np.full(n_states, np.nan)
        weights = np.full(n_states, np.nan)
        vectors = [None] * n_states
        evaluations = 0
        for i in range(n_states):
            idx = n - 1 - i

            def lam(e, idx=idx):
                nonlocal evaluations
                evaluations += 1
                return float(np.linalg.eigvalsh(m_of(e))[idx])

            hi = min(float(static[i]), window)
            if hi <= 0:
                energies[i] = 0.0
            else:
                if lam(hi) < 0:
                    continue  # no root below the window
                energies[i] = brentq(lam, 0.0, hi, xtol=1e-16, rtol=1e-12, maxiter=200) if lam(0.0) < 0 else 0.0
            _, v = np.linalg.eigh(m_of(energies[i]))
            psi = v[:, idx]
            slope = np.eye(2 * n) - self._sigma_n(sep, energies[i], n, derivative=True)  # dM/dE
            weights[i] = 1.0 / float(np.real(psi.conj() @ slope @ psi))
            vectors[i] = psi
        profile = np.full(n, np.nan) if vectors[0] is None else \
            np.abs(vectors[0][0::2]) ** 2 + np.abs(vectors[0][1::2]) ** 2
        static_profile = np.abs(vec[0::2, n]) ** 2 + np.abs(vec[1::2, n]) ** 2
        ds = xr.Dataset(
            {"energy": ("state", energies, {"units": "|t|", "long_name": "bound-state energy, exact Sigma_N(E)"}),
             "energy_static": ("state", static, {"units": "|t|", "long_name": "static model h_w + Sigma_N(0)"}),
             "wire_weight": ("state", weights, {"units": "1", "long_name": "Z = 1/<psi|dM/dE|psi> (weight on the "
                                                                           "wire)"}),
             "profile": ("site", profile / max(profile.sum(), 1e-300) if np.all(np.isfinite(profile)) else profile,
                         {"units": "1", "long_name": "|u|^2 + |v|^2 of the lowest state (wire part, normalised)"}),
             "profile_static": ("site", static_profile / static_profile.sum(),
                                {"units": "1", "long_name": "lowest state of the static model"})},
            coords={"state": np.arange(n_states), "site": np.arange(n)})
        return finalize(ds, model=self.host.resolved, **self.describe(), n_sites=n, search_window=window,
                        achieved=achieved, evaluations=evaluations,
                        resolution=sep.resolution())

    def splitting(self, sizes) -> xr.Dataset:
        """The lowest bound-state energy of finite wires of each size in ``sizes`` (exact and static), and the
        decay lengths from least-squares fits of log E(N) (sites).  Dataset over ``n_sites``: ``energy``,
        ``energy_static``, ``wire_weight``; attrs ``decay_length`` / ``decay_length_static`` (NaN-free fits
        only where every energy is positive)."""
        try:
            sizes = np.unique(np.asarray(sizes, dtype=int))
        except (TypeError, ValueError):
            raise ParameterError("sizes", sizes, "integers >= 2") from None
        if sizes.size < 2:
            raise ParameterError("sizes", sizes.tolist(), "at least two different wire lengths >= 2")
        for n in sizes:
            self._check_sites(n)
        rows = [self.bound_states(int(n), 1) for n in sizes[::-1]][::-1]  # the longest first: its grid serves all
        e = np.array([float(r.energy.values[0]) for r in rows])
        es = np.array([float(r.energy_static.values[0]) for r in rows])
        z = np.array([float(r.wire_weight.values[0]) for r in rows])
        attrs = {}
        for name, vals in (("decay_length", e), ("decay_length_static", es)):
            if np.all(np.isfinite(vals)) and np.all(vals > 0):
                slope = np.polyfit(sizes.astype(float), np.log(vals), 1)[0]
                attrs[name] = float(-1.0 / slope) if slope < 0 else float("inf")
            else:
                attrs[name] = "none"
        ds = xr.Dataset(
            {"energy": ("n_sites", e, {"units": "|t|", "long_name": "lowest bound state, exact Sigma_N(E)"}),
             "energy_static": ("n_sites", es, {"units": "|t|", "long_name": "lowest state of h_w + Sigma_N(0)"}),
             "wire_weight": ("n_sites", z, {"units": "1", "long_name": "Z of the lowest state"})},
            coords={"n_sites": ("n_sites", sizes, {"units": "sites"})})
        return finalize(ds, model=self.host.resolved, **self.describe(), **attrs)


__all__ = ["DEFAULT_WINDOW", "GAPLESS", "BdGChain", "HalfMetalWire", "majorana_form", "pfaffian_sign", "z2_index"]
