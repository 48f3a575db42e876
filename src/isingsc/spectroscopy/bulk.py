"""Bulk tunnelling spectroscopy of the self-consistent superconducting state.

Quantities (energies, biases eV, temperatures and Zeeman energies V = mu_B B in |t|, k_B = 1):

Quasiparticle DOS of an orbital o (the SC layer by default), spin-resolved along a unit axis n
(by default the direction of the in-plane field, where the Zeeman splitting is diagonal):

    N_{o,+-}(E) = < sum_n  u_n^dagger P_+- u_n  L_eta(E - E_n(k)) >_BZ,
    P_+- = (1 +- n.sigma) / 2,   L_eta(x) = (eta / pi) / (x^2 + eta^2),

u_n the particle (electron) components of orbital o in the Nambu eigenvector n at k.  This is
-(1/pi) Im G^R_ee(E + i eta) traced with P_+-: a constant broadening eta is the same as
evaluating the retarded Green's function at E + i eta, so for a BCS superconductor with a flat
normal DOS it gives *exactly* the Dynes form

    N_s(E) / N_n(0) = Re[ z / sqrt(z^2 - Delta^2) ],   z = E + i Gamma,   Gamma = eta

(:func:`dynes_dos`).  eta therefore plays the role of the Dynes broadening; it is stored as
``eta`` (= ``dynes_gamma``) in every dataset.  Spectra are normalised per spin by the normal
state (Delta = 0, V = 0) at E = 0 computed on the same k quadrature with the same eta:
n_+-(E) = N_+-(E) / N_n,+-(0), n = (N_+ + N_-) / (N_n,+ + N_n,-).

Tunnelling conductance of a junction whose counter-electrode has a flat DOS, at junction
temperature T_j:

    dI/dV (V) / G_N = int dE  n(E) [-f'(E - eV)],    -f'(x) = 1 / (4 T_j cosh^2(x / 2 T_j)),

evaluated exactly for the piecewise-linear interpolant of n(E) on its energy grid
(:func:`thermal_conductance`; T_j = 0 gives n(eV)).  Beyond the grid n is held at its end values.

k quadrature (:func:`dos_mesh`): the irreducible wedge Gamma-K-M in polar coordinates (as
:mod:`isingsc.lattice.quadrature`, whose ray geometry and Fermi-crossing search are reused), but with the
radial panels **uniform** of width ``panel_width`` x eta / v_F within +-(window + 10 eta) / v_F
of every Fermi crossing, so that a Lorentzian of width eta at any |E| < window is integrated
accurately; outside, panels grow geometrically.  The wedge (D6) is exact for the spin-resolved
DOS along the field: k -> -k maps H(k) to U H(k) U^dagger with U = diag(n.sigma, -(n.sigma)^*),
which commutes with P_+- (checked numerically on random k for every model and field).

Self-consistency: Delta(T, V) is the global minimum of the mean-field free energy from
:func:`isingsc.meanfield.transitions.solve_gap` on the :class:`~isingsc.meanfield.pairing.PairingProblem` built
by :class:`isingsc.meanfield.MeanField` (pairing strength v from Delta0 of the reference model).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xarray as xr

from isingsc.core.field import Field
from isingsc.core.errors import ConvergenceError, ParameterError, check_positive_int, check_range
from isingsc.core.progress import track
from isingsc.lattice.triangular import KMesh, check_spectral_symmetry
from isingsc.core.results import finalize
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ
from isingsc.normal.greens import selected_orbitals

#: Spin labels of the resolved DOS: parallel / antiparallel to the spin axis (the field).
SPINS = ("parallel", "antiparallel")
#: Default Dynes broadening in units of the reference gap Delta0.
DEFAULT_ETA_OVER_DELTA0 = 0.05
#: Energy step of the DOS grid used for the thermal convolution, in units of eta.
ENERGY_STEP_OVER_ETA = 0.2


# --------------------------------------------------------------------------- analytic references
def dynes_dos(energy, delta: float, gamma: float = 0.0) -> np.ndarray:
    """Normalised BCS / Dynes DOS  N_s(E)/N_n(0) = Re[z / sqrt(z^2 - Delta^2)],  z = E + i Gamma.

    The square root is the branch analytic in the upper half plane with sqrt(z^2 - D^2) -> z
    at large |z| (sqrt(z - D) sqrt(z + D), principal roots).  Gamma = 0 gives the BCS form
    |E| / sqrt(E^2 - Delta^2) (0 inside the gap, +inf exactly at E = +-Delta).  Energies in any
    unit shared by E, Delta and Gamma.
    """
    delta = check_range("delta", delta, lo=0.0)
    gamma = check_range("gamma", gamma, lo=0.0)
    z = np.asarray(energy, dtype=float) + 1j * gamma
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(z - delta) * np.sqrt(z + delta)
        out = np.real(z / root)
    return np.where(root == 0, np.inf, out)


def zeeman_split_dynes(energy, delta: float, gamma: float, vz: float) -> tuple[np.ndarray, np.ndarray]:
    """Spin-resolved Dynes DOS of a BCS superconductor in a Zeeman field V (no spin-orbit coupling).

    The Zeeman term V n.sigma shifts the spin-(+n) quasiparticles up by V and the spin-(-n) ones
    down (the Nambu block [[xi + V, D], [D, -xi + V]] has eigenvalues V +- sqrt(xi^2 + D^2), the
    particle weight u^2 at +, v^2 at -), so per spin

        n_+(E) = N_s(E - V),   n_-(E) = N_s(E + V),

    with coherence peaks at +-Delta + V and +-Delta - V.  Returns (n_+, n_-).
    """
    vz = check_range("vz", vz)
    e = np.asarray(energy, dtype=float)
    return dynes_dos(e - vz, delta, gamma), dynes_dos(e + vz, delta, gamma)


# --------------------------------------------------------------------------- thermal convolution
def fermi(x, temperature: float) -> np.ndarray:
    """Fermi function f(x) = 1/(exp(x/T) + 1); the step theta(-x) (1/2 at 0) for T = 0."""
    x = np.asarray(x, dtype=float)
    if temperature == 0:
        return np.where(x < 0, 1.0, np.where(x > 0, 0.0, 0.5))
    return 0.5 * (1.0 - np.tanh(x / (2.0 * temperature)))


def _fermi_integral(x, temperature: float) -> np.ndarray:
    """F(x) = int f dx = -T ln(1 + exp(-x/T)) (so F(+inf) = 0); min(x, 0) at T = 0."""
    x = np.asarray(x, dtype=float)
    if temperature == 0:
        return np.minimum(x, 0.0)
    return -temperature * np.logaddexp(0.0, -x / temperature)


def thermal_conductance(energies, dos, bias, temperature: float) -> np.ndarray:
    """dI/dV(V) = int dE N(E) [-f'(E - V)] for N piecewise linear on ``energies`` (exact).

    With x = E - V and N = c + s x on a segment, the antiderivatives are
    int -f' dx = -f(x) and int x (-f') dx = -x f(x) + F(x), F(x) = -T ln(1 + e^{-x/T});
    beyond the grid N is constant (its end values).  ``dos`` has the energy axis last and
    may carry leading axes (e.g. spin, field); returns shape dos.shape[:-1] + bias.shape.
    T = 0 returns the linear interpolant N(V).  Units: those of ``dos``; V, E, T in one unit.
    Only the grid within 40 T of each bias is used (-f' < 4e-18/T beyond; N outside that window is
    taken constant at its ends), so the cost is O(n_V x 80 T / dE).
    """
    T = check_range("temperature", temperature, lo=0.0)
    e = np.asarray(energies, dtype=float)
    n = np.asarray(dos, dtype=float)
    v = np.atleast_1d(np.asarray(bias, dtype=float))
    if e.ndim != 1 or len(e) < 2 or np.any(np.diff(e) <= 0):
        raise ParameterError("energies", f"{len(e)} values", "an increasing 1D grid of >= 2 energies")
    if n.shape[-1] != len(e):
        raise ParameterError("dos", n.shape, f"last axis of length {len(e)} (the energy grid)")
    if not np.all(np.isfinite(n)):
        raise ParameterError("dos", "non-finite values", "finite DOS values (use a broadening > 0)")
    out = np.empty(n.shape[:-1] + v.shape)
    order = np.argsort(v)
    # -f'(x) < 4e-18 / T for |x| > 40 T: each group of biases only needs the grid within 40 T of it
    # (outside, N is replaced by its values at the ends of that window: a relative error < 1e-17)
    for s in range(0, len(v), 64):
        idx = order[s:s + 64]
        vb = v[idx]
        lo = np.searchsorted(e, vb.min() - 40 * T, side="right") - 1
        hi = np.searchsorted(e, vb.max() + 40 * T, side="left") + 1
        lo, hi = max(lo, 0), min(hi, len(e))
        if hi - lo < 2:  # biases beyond the grid: N is constant there
            lo = min(lo, len(e) - 2)
            hi = lo + 2
        out[..., idx] = _segments(e[lo:hi], n[..., lo:hi], vb, T)
    return out


def _segments(e, n, v, T):
    """The exact piecewise-linear convolution on one energy window (see thermal_conductance)."""
    slope = np.diff(n, axis=-1) / np.diff(e)  # (..., n_E - 1)
    x = e[None, :] - v[:, None]  # (n_V, n_E)
    f = fermi(x, T)
    phi1 = -x * f + _fermi_integral(x, T)
    # c_i = N_i + s_i (V - E_i) on segment i, for every bias
    c = n[..., None, :-1] + slope[..., None, :] * (v[:, None] - e[None, :-1])  # (..., n_V, n_E-1)
    d0 = f[:, :-1] - f[:, 1:]  # -f(x_{i+1}) + f(x_i)
    d1 = phi1[:, 1:] - phi1[:, :-1]
    inner = np.sum(c * d0 + slope[..., None, :] * d1, axis=-1)
    tails = n[..., :1] * (1.0 - f[:, 0]) + n[..., -1:] * f[:, -1]
    return inner + tails


# --------------------------------------------------------------------------- spin projectors
def spin_axis(axis=None, field=None) -> np.ndarray:
    """Unit spin axis: ``axis`` if given, else the field direction, else x."""
    if axis is not None:
        a = np.asarray(axis, dtype=float).ravel()
        if a.size != 3 or not np.all(np.isfinite(a)) or np.linalg.norm(a) == 0:
            raise ParameterError("axis", axis, "a non-zero finite 3-vector")
        return a / np.linalg.norm(a)
    f = np.zeros(3) if field is None else np.asarray(field, dtype=float).ravel()
    return f / np.linalg.norm(f) if np.linalg.norm(f) > 0 else np.array([1.0, 0.0, 0.0])


def spin_projectors(axis) -> np.ndarray:
    """P_+- = (1 +- n.sigma)/2, shape (2, 2, 2) (projector index first)."""
    ns = axis[0] * SIGMAX + axis[1] * SIGMAY + axis[2] * SIGMAZ
    return np.stack([(np.eye(2) + ns) / 2, (np.eye(2) - ns) / 2])


def resolved_weights(model, k, delta: float, field, orbitals, axis) -> tuple[np.ndarray, np.ndarray]:
    """Nambu eigenvalues E_n(k) (n_k, N) and particle weights u^dagger P_+- u, shape (n_k, 2, N).

    Summed over ``orbitals``.  For every k and spin, sum_n weight = number of orbitals (the
    completeness of the eigenvectors: the per-k spectral sum rule).
    """
    h = model.bdg_hamiltonian(np.asarray(k, dtype=float), delta, field)
    if not np.any(h.imag):  # field along x: a real symmetric problem, ~2x faster
        h = h.real
    e, u = np.linalg.eigh(h)
    proj = spin_projectors(axis)
    w = np.zeros((len(e), 2, e.shape[-1]))
    for o in orbitals:
        uo = u[:, model.nambu_indices(o)[:2], :]  # (n_k, 2 spins, N)
        for s in range(2):
            w[:, s] += np.einsum("kan,ab,kbn->kn", uo.conj(), proj[s], uo).real
    return e, w


# --------------------------------------------------------------------------- k quadrature
def dos_mesh(model, eta: float, window: float, *, panel_width: float = 1.5, order: int = 4,
             n_theta: int = 8, angular_panels: int = 2, growth: float = 1.5,
             max_points: int = 400_000, zone: str | None = None) -> KMesh:
    """Ray quadrature that integrates Lorentzians of width ``eta`` at all |E| < ``window``.

    Radial panels of width panel_width * eta / v within (window + 10 eta)/v of every Fermi
    crossing (v = |dE/dr| there), ``order`` Gauss nodes each; geometric growth outside.  Angular:
    the panels of :mod:`isingsc.lattice.quadrature` (split where a Fermi surface meets the zone edge),
    each cut into ``angular_panels`` with ``n_theta`` Gauss nodes.  Weights sum to 1.  The Gamma-K-M
    wedge when the spectrum is D6-symmetric in in-plane fields (Ising SOC only), else the whole zone
    (twelve images of the wedge, each with its own panels); ``zone="full"`` asks for the whole zone.
    """
    from isingsc.lattice.quadrature import QuadratureSpec, zone_quadrature
    from isingsc.meanfield.quadrature import band_energy_function
    from isingsc.models.symmetry import is_d6_symmetric

    eta = check_range("eta", eta, lo=0.0, lo_open=True, hi=10.0)
    window = check_range("window", window, lo=0.0, hi=20.0)
    panel_width = check_range("panel_width", panel_width, lo=0.0, lo_open=True, hi=100.0)
    growth = check_range("growth", growth, lo=1.0, lo_open=True, hi=10.0)
    order = check_positive_int("order", order, 2)
    n_theta = check_positive_int("n_theta", n_theta, 2)
    angular_panels = check_positive_int("angular_panels", angular_panels, 1)
    if zone not in (None, "wedge", "full"):
        raise ParameterError("zone", zone, "None (chosen from the symmetry), 'wedge' or 'full'")
    if zone is None or zone == "wedge":
        zone = "wedge" if is_d6_symmetric(model, (0.0, 0.9273)) else "full"
    n_in = int(np.ceil((window + 10 * eta) / (panel_width * eta)))
    if 2 * n_in * order > max_points:
        raise ParameterError("eta", eta, f"eta > {(window + 10 * eta) * order / (max_points * panel_width / 2):.3g} "
                             f"for window = {window:g} (the uniform panels would exceed {max_points} points)")

    def radial(crossings, rm):
        # uniform panels of panel_width eta / v within (window + 10 eta) / v of each crossing, growing outside
        pts = [0.0, rm]
        for rc, v in crossings:
            h = panel_width * eta / max(v, 1e-12)
            pts.extend(rc + h * np.arange(-n_in, n_in + 1))
            x, step = n_in * h, h
            while x < rm:
                step *= growth
                x += step
                pts.extend((rc - x, rc + x))
        pts = np.array(sorted(p for p in pts if 0.0 <= p <= rm))
        return pts[np.concatenate([[True], np.diff(pts) > 1e-12 * rm])]

    spec = QuadratureSpec(energy_scale=eta, n_theta=n_theta, order=order, growth=growth)
    # (the uniform panels around the crossings and the angular panels resolve the DOS: no graded kinks)
    rays = zone_quadrature(band_energy_function(model, both_signs=zone != "wedge"), spec, zone=zone, radial=radial,
                           angular_panels=angular_panels, grade_kinks=False)
    n_points = sum((len(bp) - 1) * order for bp in rays.breakpoints)
    if n_points > max_points:
        raise ParameterError("eta", eta, f"a larger eta or smaller window: the quadrature would have {n_points} "
                             f"> {max_points} points")
    mesh = rays.mesh()
    return KMesh(k=mesh.k, weights=mesh.weights / mesh.weights.sum(), n=len(mesh), group=mesh.group + "-uniform")


def _check_spin_symmetry(model, orbitals, axis, delta: float, field) -> None:
    """The wedge sum needs the spin-resolved weights to be D6 symmetric (k -> -k with the spin
    axis along the field); raise otherwise (e.g. an axis not along an in-plane field)."""
    grid = np.linspace(-3.0, 3.0, 7)

    def invariant(k):
        e, w = resolved_weights(model, k, max(delta, 0.013), field, orbitals, axis)
        # smooth spectral moments per spin: invariant under relabelling of degenerate states
        return np.concatenate([np.sort(e, axis=-1),
                               np.einsum("ksn,kng->ksg", w, np.exp(-(e[..., None] - grid) ** 2)).reshape(len(k), -1)],
                              axis=-1)

    check_spectral_symmetry(invariant, "D6", name="spin-resolved DOS (spin axis not along the field?)")


#: Bin width of the cloud-in-cell histogram of the states near the Fermi level, in units of eta.
BIN_OVER_ETA = 1.0 / 40.0


class _Histogram:
    """Cloud-in-cell (linear) histogram of weighted energies on a uniform grid lo + j h.

    sum_n w_n g(E_n) is replaced by sum_j W_j g(c_j) with each weight split linearly between
    its two neighbouring nodes: exact for linear g, error <= (h^2/8) max|g''| per unit weight
    otherwise.  For g = L_eta (max|L''| = 2/(pi eta^3)) that is (h/eta)^2/4 of the peak value
    1/(pi eta): 1.6e-4 for h = eta/40.  The total weight is exact.
    """

    def __init__(self, lo: float, hi: float, step: float, n_spin: int = 2):
        self.lo, self.step = lo - step, step
        self.n = int(np.ceil((hi - lo) / step)) + 3
        self.w = np.zeros((self.n, n_spin))

    def add(self, e, w):
        pos = (e - self.lo) / self.step
        i0 = np.floor(pos).astype(int)
        frac = pos - i0
        for s in range(self.w.shape[1]):
            self.w[:, s] += np.bincount(i0, w[:, s] * (1 - frac), self.n) + np.bincount(i0 + 1, w[:, s] * frac, self.n)

    @property
    def nodes(self):
        return self.lo + self.step * np.arange(self.n)

    def centres(self):
        keep = np.any(self.w != 0, axis=1)
        return self.nodes[keep], self.w[keep]

    def lorentzian(self, energies, eta: float) -> np.ndarray:
        """sum_j W_j L_eta(E - c_j) at ``energies``: FFT convolution on the nodes, then linear
        interpolation (error <= (h^2/8) max|L''|, the same bound as the binning)."""
        from scipy.signal import fftconvolve

        offsets = self.step * np.arange(-(self.n - 1), self.n)
        kernel = (eta / np.pi) / (offsets * offsets + eta * eta)
        conv = np.stack([fftconvolve(self.w[:, s], kernel, mode="full")[self.n - 1:2 * self.n - 1]
                         for s in range(self.w.shape[1])], axis=-1)
        nodes = self.nodes
        return np.stack([np.interp(energies, nodes, conv[:, s]) for s in range(conv.shape[1])], axis=-1)


#: Levels farther than this many eta beyond the energy grid are left out of :func:`lattice_dos`.
FAR_CUTOFF_OVER_ETA = 1e5


def lattice_dos(model, mesh: KMesh, energies, eta: float, delta: float = 0.0, field=0.0, *,
                orbital=None, axis=None, chunk: int = 4096, check: bool = True) -> np.ndarray:
    """Spin-resolved DOS N_+-(E) of ``orbital`` (states / |t| / site / spin), shape (n_E, 2).

    N_+-(E) = < sum_n u_n^dagger P_+- u_n L_eta(E - E_n(k)) >_mesh, spin axis ``axis`` (default:
    the field direction, x at zero field).  The weighted eigenvalues with |E_n| <= max|E| + 50 eta
    are collected in a cloud-in-cell histogram (:class:`_Histogram`) of bin eta/40 and convolved
    with the Lorentzian by FFT; the others in a histogram of bin eta, summed directly (their tails
    vary on scales >= 50 eta at the energies asked for).  Error <= 3.2e-4 of the line height
    1/(pi eta) per unit weight; the total weight is exact.  ``orbital``: a name, "all", or None
    (the first pairing orbital).
    """
    eta = check_range("eta", eta, lo=0.0, lo_open=True)
    delta = check_range("delta", delta, lo=0.0)
    f = np.asarray(field, dtype=float)
    f = np.array([float(f), 0.0, 0.0]) if f.ndim == 0 else np.concatenate([f, np.zeros(3 - f.size)])
    ax = spin_axis(axis, f)
    orbitals = selected_orbitals(model, orbital)
    if check and mesh.group.startswith("D6"):  # a wedge sum needs D6-symmetric spin-resolved weights
        _check_spin_symmetry(model, orbitals, ax, delta, f)
    e_grid = np.atleast_1d(np.asarray(energies, dtype=float))
    lo, hi = float(e_grid.min()) - 50 * eta, float(e_grid.max()) + 50 * eta
    near = _Histogram(lo, hi, BIN_OVER_ETA * eta)
    far_e, far_w = [], []
    for s in range(0, len(mesh), chunk):
        e, w = resolved_weights(model, mesh.k[s:s + chunk], delta, f, orbitals, ax)
        w = np.swapaxes(w * mesh.weights[s:s + chunk, None, None], 1, 2).reshape(-1, 2)
        e = e.ravel()
        inside = (e >= lo) & (e <= hi)
        near.add(e[inside], w[inside])
        far_e.append(e[~inside])
        far_w.append(w[~inside])
    out = near.lorentzian(e_grid, eta)
    far_e, far_w = np.concatenate(far_e), np.concatenate(far_w)
    # levels more than FAR_CUTOFF_OVER_ETA eta beyond the grid add < eta / (pi (1e5 eta)^2) per unit weight,
    # 1e-10 of a line's height: left out (the static effective model has levels ~1e12 |t| near its poles)
    keep = (far_e > lo - FAR_CUTOFF_OVER_ETA * eta) & (far_e < hi + FAR_CUTOFF_OVER_ETA * eta)
    far_e, far_w = far_e[keep], far_w[keep]
    if len(far_e):
        far = _Histogram(far_e.min(), far_e.max(), eta)
        far.add(far_e, far_w)
        c, wc = far.centres()
        out += _lorentz_sum(e_grid, c, wc, eta)
    return out


def _lorentz_sum(e_grid, e, w, eta, block: int = 4_000_000):
    out = np.zeros((len(e_grid), w.shape[-1]))
    step = max(1, block // max(len(e_grid), 1))
    for s in range(0, len(e), step):
        x = e_grid[:, None] - e[None, s:s + step]
        out += ((eta / np.pi) / (x * x + eta * eta)) @ w[s:s + step]
    return out


# --------------------------------------------------------------------------- the workflow
@dataclass
class GapPoint:
    """Self-consistent state at (T, V): field strength (|t|), delta (|t|), free energy, residual."""

    T: float
    field: float
    delta: float
    free_energy: float
    residual: float


class BulkSpectroscopy:
    """Tunnelling spectra of the self-consistent state of ``model``.

    Parameters
    ----------
    model : a catalogue name, a :class:`~isingsc.models.catalogue.ResolvedModel` or a Nambu model; its
        reference (the catalogue's: the isolated SC layer for the heterostructure, the model itself
        otherwise) fixes the pairing strength by its zero-field T = 0 gap ``delta0`` and normalises T
        and H (Tc, V_P = Delta0/sqrt2), as in :class:`~isingsc.meanfield.MeanField`.
    delta0, v : at most one (|t| and |t| x site); default the catalogue's Delta0.
    eta : Lorentzian / Dynes broadening (|t|), default Delta0/20.
    window : the DOS quadrature resolves eta for |E| < window (|t|), default 5 Delta0, widened to cover the
        energies of a spectrum (bias + thermal and broadening padding); a given window is never widened and a
        spectrum beyond it is refused.
    orbital : tunnelling orbital (default: the pairing orbital, i.e. the SC layer).
    spec : :class:`~isingsc.lattice.quadrature.QuadratureSpec` of the gap solver (default MeanField's).
    mesh_options : passed to :func:`dos_mesh`.
    angle : in-plane direction (rad from x) of the fields of :meth:`field_sweep` and :meth:`spectrum`.
    """

    def __init__(self, model, *, delta0: float | None = None, v: float | None = None,
                 eta: float | None = None, window: float | None = None, orbital=None, spec=None,
                 mesh_options: dict | None = None, angle: float = 0.0):
        from isingsc.meanfield.solver import MeanField

        self.meanfield = MeanField(model, delta0=delta0, v=v, spec=spec)
        self.model = self.meanfield.model.model
        self.angle = check_range("angle", angle, lo=-10.0, hi=10.0)
        start = self.meanfield.pass_at()
        self.ref, self.problem = start.reference, start.problem
        d0 = self.ref.delta0
        self.eta = check_range("eta", DEFAULT_ETA_OVER_DELTA0 * d0 if eta is None else eta, lo=0.0, lo_open=True,
                               hi=10 * d0)
        self.window = check_range("window", 5 * d0 if window is None else window, lo=0.0, lo_open=True, hi=2.0)
        self._window_given = window is not None
        self.orbitals = selected_orbitals(self.model, orbital)
        self.orbital = orbital
        self.mesh_options = dict(mesh_options or {})
        self._gaps: dict[tuple[float, float], GapPoint] = {}

    @cached_property
    def mesh(self) -> KMesh:
        """The DOS quadrature (:func:`dos_mesh`), built on first use: the whole zone where the spin-resolved
        weights (spin axis along the field at ``angle``) are not D6 symmetric although the spectrum is (for
        example orbital textures that tie the spin to the orbital), so that no field along ``angle`` is refused."""
        options = dict(self.mesh_options)
        if "zone" not in options:
            probe = self.field(self.ref.pauli_field).vector
            try:
                _check_spin_symmetry(self.model, self.orbitals, spin_axis(None, probe), self.ref.delta0, probe)
            except ParameterError:
                options["zone"] = "full"
        return dos_mesh(self.model, self.eta, self.window, **options)

    @cached_property
    def normal_dos0(self) -> np.ndarray:
        """N_n,+-(0) per spin (states / |t| / site) at Delta = 0, V = 0 on the same mesh and eta."""
        n0 = lattice_dos(self.model, self.mesh, [0.0], self.eta, 0.0, 0.0, orbital=self.orbital)[0]
        if not np.all(n0 > 0):
            raise ParameterError("orbital", self.orbitals, "an orbital with a normal-state DOS at E_F")
        return n0

    def field(self, strength: float) -> Field:
        """The in-plane field of Zeeman energy ``strength`` (|t|) along the spectroscopy's angle."""
        return Field.in_plane(check_range("field strength", strength, lo=0.0), self.angle)

    # ------------------------------------------------------------------ state
    def gap(self, T: float, strength: float = 0.0) -> GapPoint:
        """Global minimum Delta of the mean-field free energy at (T, V) (:func:`solve_gap`), V along ``angle``."""
        from isingsc.meanfield.transitions import solve_gap

        key = (float(T), float(strength))
        if key in self._gaps:
            return self._gaps[key]
        f = self.field(strength)
        problem = self.meanfield.problem_for(max(T, 0.05 * self.ref.tc), [f])
        bound = 1.5 * self.ref.delta0  # doubled if the free energy still decreases there
        for _ in range(4):
            try:
                s = solve_gap(problem, T, f, delta_max=bound)
                self._gaps[key] = GapPoint(T=s.T, field=float(strength), delta=s.delta, free_energy=s.free_energy,
                                           residual=s.residual)
                return self._gaps[key]
            except ConvergenceError as exc:
                if "increase delta_max" not in str(exc):
                    raise
                bound *= 2
        raise ConvergenceError(f"gap above {bound:g} |t| at T={T:g}, |V|={strength:g}: pairing too strong",
                               quantity="Delta(T, V)", suggestion="lower delta0")

    def energy_grid(self, bias, t_junction: float) -> np.ndarray:
        """DOS grid for the conductance: step eta/5, covering the bias range +- (40 T_j + 10 eta)."""
        b = np.asarray(bias, dtype=float)
        pad = 40 * t_junction + 10 * self.eta
        lo, hi = b.min() - pad, b.max() + pad
        n = int(np.ceil((hi - lo) / (ENERGY_STEP_OVER_ETA * self.eta))) + 1
        if n > 200_000:
            raise ParameterError("bias", f"[{b.min():g}, {b.max():g}]", "a bias range below 4e4 eta")
        # the thermal kernel -f'(E - eV) weighs |E - eV| > 10 T_j by < 5e-5: those energies need not be resolved
        self._cover(float(np.abs(b).max()) + 10 * t_junction)
        return np.linspace(lo, hi, n)

    def _cover(self, e_max: float) -> None:
        """Make the DOS quadrature resolve eta up to |E| = e_max (|t|): the default window grows (the mesh is
        rebuilt); a window given by the caller that is too small is refused rather than silently under-resolved."""
        if e_max <= self.window:
            return
        if self._window_given:
            raise ParameterError("bias", f"energies up to {e_max:g} |t| (bias + 10 T_junction)",
                                 f"|E| <= window = {self.window:g} |t|, where the DOS quadrature resolves eta; "
                                 "raise window or lower the bias")
        self.window = e_max
        for cached in ("mesh", "normal_dos0"):
            self.__dict__.pop(cached, None)

    def dos(self, energies, delta: float, strength: float = 0.0, axis=None) -> np.ndarray:
        """N_+-(E) (states/|t|/site/spin) of the tunnelling orbital at pairing delta and field strength (|t|)."""
        return lattice_dos(self.model, self.mesh, energies, self.eta, delta, self.field(strength),
                           orbital=self.orbital, axis=axis)

    # ------------------------------------------------------------------ spectra
    def spectrum(self, T: float, strength: float = 0.0, bias=None, t_junction: float | None = None,
                 delta: float | None = None) -> xr.Dataset:
        """DOS and dI/dV at temperature T and field strength (Zeeman energy, |t|, along ``angle``),
        Delta self-consistent unless given.  ``bias`` (|t|, default 201 values in +-4 Delta0);
        ``t_junction`` default T.
        """
        T = check_range("T", T, lo=0.0, hi=10 * self.ref.tc)
        vx = check_range("field strength", strength, lo=0.0, hi=100 * self.ref.pauli_field)
        tj = T if t_junction is None else check_range("t_junction", t_junction, lo=0.0)
        bias = np.linspace(-4 * self.ref.delta0, 4 * self.ref.delta0, 201) if bias is None else np.asarray(bias, float)
        if delta is None:
            point = self.gap(T, vx)
        else:  # a given Delta: its free energy and gap-equation residual are reported, not minimised
            delta = check_range("delta", delta, lo=0.0)
            fv = self.field(vx)
            point = GapPoint(T, vx, delta, float(self.problem.free_energy(delta, [T], fv)[0]),
                             float(self.problem.residual(delta, T, fv)) if delta > 0 else 0.0)
        e = self.energy_grid(bias, tj)
        n = self.dos(e, point.delta, vx)
        return self._dataset([point], e, n[None], bias, tj, coords_field=False)

    def field_sweep(self, T: float, strengths, bias=None, t_junction: float | None = None) -> xr.Dataset:
        """dI/dV(V, H) maps (review Fig. 3d), line cuts (3e) and the gap vs H (3f) at temperature T, for
        field strengths (Zeeman energies, |t|) along ``angle``."""
        T = check_range("T", T, lo=0.0)
        vxs = np.atleast_1d(np.asarray(strengths, dtype=float))
        for x in vxs:
            check_range("field strength", x, lo=0.0)
        tj = T if t_junction is None else check_range("t_junction", t_junction, lo=0.0)
        bias = np.linspace(-4 * self.ref.delta0, 4 * self.ref.delta0, 161) if bias is None else np.asarray(bias, float)
        e = self.energy_grid(bias, tj)
        points, dos = [], []
        for x in track(vxs, "spectra in field", unit="field"):
            p = self.gap(T, x)
            points.append(p)
            dos.append(self.dos(e, p.delta, x))
        return self._dataset(points, e, np.array(dos), bias, tj, coords_field=True)

    def _spectral_gap(self, delta: float, vx: float) -> float:
        """min over the quadrature of min_n |E_n(k)| (|t|): the quasiparticle gap on the mesh
        (an upper bound; near nodes it is limited by the mesh spacing there)."""
        from isingsc.meanfield.pairing import quasiparticle_energies

        return float(np.abs(quasiparticle_energies(self.model, self.mesh.k, delta, self.field(vx))).min())

    def _dataset(self, points, energies, dos, bias, tj, coords_field: bool) -> xr.Dataset:
        n0 = self.normal_dos0
        norm = dos / n0[None, None, :]  # (field, E, spin)
        total = dos.sum(-1) / n0.sum()
        g_spin = thermal_conductance(energies, np.moveaxis(norm, -1, 1), bias, tj)  # (field, spin, V)
        g = thermal_conductance(energies, total, bias, tj)  # (field, V)
        deltas = np.array([p.delta for p in points])
        vxs = np.array([p.field for p in points])
        peak = np.array([_coherence_peak(bias, gi) for gi in g])
        sgap = np.array([self._spectral_gap(p.delta, p.field) for p in points])
        d0_model = self.gap(points[0].T, 0.0).delta if coords_field else None
        dims_f = ("field",)
        data = {
            "dos": (dims_f + ("energy",), total, {"units": "1", "long_name": "N(E)/N_n(0), both spins"}),
            "dos_spin": (dims_f + ("energy", "spin"), norm,
                         {"units": "1", "long_name": "N_s(E)/N_n,s(0) per spin along the spin axis"}),
            "N_spin": (dims_f + ("energy", "spin"), dos, {"units": "states / |t| / site / spin"}),
            "dIdV": (dims_f + ("bias",), g, {"units": "1", "long_name": "dI/dV / G_N"}),
            "dIdV_spin": (dims_f + ("spin", "bias"), g_spin,
                          {"units": "1", "long_name": "dI/dV / G_N per spin (spin-polarised counter-electrode)"}),
            "delta": (dims_f, deltas, {"units": "|t|", "long_name": "self-consistent gap Delta(T, H)"}),
            "free_energy": (dims_f, np.array([p.free_energy for p in points]), {"units": "|t| / site"}),
            "spectral_gap": (dims_f, sgap, {"units": "|t|", "long_name": "min_k min_n |E_n(k)| on the quadrature"}),
            "coherence_peak": (dims_f, peak, {"units": "|t|", "long_name": "bias of the dI/dV maximum at V > 0"}),
        }
        coords = {"field": (dims_f, vxs, {"units": "|t|", "long_name": "Zeeman energy mu_B B"}),
                  "H_over_HP": (dims_f, vxs / self.ref.pauli_field, {"units": "1"}),
                  "energy": ("energy", energies, {"units": "|t|"}),
                  "bias": ("bias", bias, {"units": "|t| (eV)"}), "spin": list(SPINS)}
        ds = xr.Dataset(data, coords=coords)
        if d0_model is not None and d0_model > 0:
            ds["delta_over_delta0"] = (dims_f, deltas / d0_model, {"units": "1", "long_name": "Delta(T, H)/Delta(T, 0)"})
        if not coords_field:
            ds = ds.isel(field=0)
        jumps = np.abs(np.diff(deltas)) / self.ref.delta0 if len(deltas) > 1 else np.zeros(1)
        return finalize(
            ds, model=self.meanfield.model, T=points[0].T, field_angle=self.angle, field_angle_units="rad", T_over_Tc=points[0].T / self.ref.tc, T_junction=tj,
            eta=self.eta, dynes_gamma=self.eta, Tc_reference=self.ref.tc, Delta0_reference=self.ref.delta0,
            HP_reference=self.ref.pauli_field, v=self.ref.v, orbitals=",".join(self.orbitals),
            spin_axis="along the field (x at zero field)", normal_dos0_per_spin=list(n0),
            kmesh=f"{len(self.mesh)} k points, uniform radial panels of {self.mesh_options.get('panel_width', 1.5):g} "
                  f"eta/v_F within +-(window + 10 eta) of each Fermi crossing",
            dos_window=self.window, energy_step=float(energies[1] - energies[0]),
            gap_kmesh=f"{len(self.problem.mesh)} k points, {self.ref.spec.describe()}",
            largest_gap_jump_over_delta0=float(jumps.max()),
            definition="dI/dV(V)/G_N = int N(E)/N_n(0) [-f'(E - eV)] dE at T_junction; N from "
                       "Lorentzian broadening eta (= Dynes Gamma)")


def _coherence_peak(bias, g) -> float:
    """Bias of the largest dI/dV at V > 0; 0.0 when there is no interior maximum (normal state,
    or a spectrum still rising at the largest bias)."""
    pos = np.flatnonzero(bias > 0)
    if len(pos) < 3:
        raise ParameterError("bias", "fewer than 3 positive biases", "a bias grid with >= 3 values V > 0")
    i = pos[np.argmax(g[pos])]
    return float(bias[i]) if i != pos[-1] and g[i] > g[pos[-1]] * (1 + 1e-6) else 0.0


def gap_versus_field(spectroscopy: BulkSpectroscopy, T: float, h_over_hp, bias=None,
                     t_junction: float | None = None) -> xr.Dataset:
    """Field sweep at fields H/HP (HP of the reference), with the order of the transition in attrs.

    The order and the critical field come from :func:`isingsc.meanfield.transitions.critical_field`
    (first order: Delta jumps to zero at Hc2; second order: it vanishes continuously).
    """
    from isingsc.meanfield.transitions import critical_field

    h = np.atleast_1d(np.asarray(h_over_hp, dtype=float))
    ref = spectroscopy.ref
    ds = spectroscopy.field_sweep(T, h * ref.pauli_field, bias=bias, t_junction=t_junction)
    try:
        hint = Field.in_plane(float(ds.field.values[-1]), spectroscopy.angle)
        problem = spectroscopy.meanfield.problem_for(T, [hint])
        cf = critical_field(problem, T, delta_max=3 * ref.delta0, v_start=0.05 * ref.pauli_field,
                            v_max=60 * ref.pauli_field, angle=spectroscopy.angle)
        ds.attrs.update(Hc2_over_HP=float(cf.field / ref.pauli_field), transition_order=cf.transition_order,
                        delta_jump_at_Hc2=float(cf.delta_jump))
    except (ConvergenceError, ParameterError) as exc:
        ds.attrs.update(Hc2_over_HP="not found", transition_order=f"unknown ({exc})")
    return ds
