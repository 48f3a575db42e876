"""Pairing correlations of a superconducting host: the anomalous Green's function, its singlet
amplitude and triplet d-vector, their rotation to any spin axis (review Sec. 5; Zhou, Yuan, Jiang,
Law, PRB 93, 180501 (2016)).

**Definition.**  For one orbital of the host the anomalous (pair) Green's function is

    F_{ab}(k, z) = << c_{k a} ; c_{-k b} >>_z ,     F^R_{ab}(k, E) = -i int_0^inf dt e^{i(E + i0)t} <{c_{ka}(t), c_{-kb}(0)}>

(a, b = up, down along z; the review's F_{alpha beta}).  In the package's Nambu basis
[c_k, c^dagger_{-k}] it is the particle-hole block of the resolvent,

    F(k, z) = [(z - H_BdG(k))^-1]_{particle (up, down); hole (up, down)}      (1/|t|),

at z = E + i eta on the real axis (retarded; eta -> 0 allowed inside the gap, where the resolvent
has no poles) or z = i omega on the imaginary (Matsubara) axis.

**Singlet and triplet.**  Every 2 x 2 F is uniquely

    F = (Psi_s + d . sigma) i sigma_y ,   Psi_s = Tr[F (-i sigma_y)] / 2,   d_j = Tr[sigma_j F (-i sigma_y)] / 2,

i.e. F = [[-d_x + i d_y, Psi_s + d_z], [-Psi_s + d_z, d_x + i d_y]].  Fermi statistics and
particle-hole symmetry give F(k, z) = -F(-k, -z)^T: Psi_s(k, z) = Psi_s(-k, -z), d(k, z) = -d(-k, -z).

**The two-band Ising layer** H = xi_k + beta_k sigma_z (+ V_x sigma_x), pairing D = Delta (-i sigma_y)
(package convention): with a = z^2 - xi^2 - beta^2 - V^2 - Delta^2,
B^2 = xi^2 beta^2 + xi^2 V^2 + V^2 Delta^2, D(z) = (z^2 - E_+^2)(z^2 - E_-^2), E_pm^2 = xi^2 + beta^2
+ V^2 + Delta^2 pm 2B (docs/correlations.md derives it),

    Psi_s = -Delta (z^2 - xi^2 - beta^2 - Delta^2 + V^2) / D,
    d_x = -2 z V Delta / D,   d_y = -2 i V beta Delta / D,   d_z = -2 xi beta Delta / D .

At V = 0: Psi_s, d_z = -(Delta/2) [1/(z^2 - E_+^2) +- 1/(z^2 - E_-^2)], E_pm^2 = (xi +- beta)^2 + Delta^2:
d_z is odd in k (beta_k is), vanishes where xi_k = 0, and its zone sum (the on-site amplitude) is zero.

**Rotation to a spin axis n** = (sin th cos ph, sin th sin ph, cos th): with the spinors
|n+> = (cos th/2, e^{i ph} sin th/2), |n-> = (-e^{-i ph} sin th/2, cos th/2) and U the matrix of rows
<n+|, <n-| (U n.sigma U^dagger = sigma_z), the amplitudes of pairs with spins along +-n are

    F_n = U F U^T = (Psi_s + d' . sigma) i sigma_y,  d'_z = d . n,   and for d = d_z z:
    F_n = [[ d_z sin th e^{-i ph},  Psi_s + d_z cos th], [-Psi_s + d_z cos th, -d_z sin th e^{i ph}]].

The review prints the diagonal with the opposite sign: its matrix is ours at ph = pi, or ours with
the spinor phases |n+-> -> +-i |n+->, a gauge (docs/departures.md); |F_{++}| = |F_{--}| = |d_z sin th|
either way: along an in-plane axis the Ising triplet is made of equal-spin pairs.

Energies in |t|, momenta in 1/a, F, Psi_s and d in 1/|t| (per site for the on-site amplitudes).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from isingsc.core.errors import (
    ConvergenceError,
    ParameterError,
    check_finite,
    check_positive_int,
    check_range,
    check_unit_vector,
)
from isingsc.core.results import MOMENTUM_UNITS, finalize
from isingsc.correlations.host import as_host
from isingsc.lattice.quadrature import QuadratureSpec, corner_distance, smooth_cutoff
from isingsc.lattice.triangular import bz_grid
from isingsc.meanfield.quadrature import band_energy_function
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ
from isingsc.normal.bands import inside_bz

#: -i sigma_y and i sigma_y.
_MISY = -1j * SIGMAY
_ISY = 1j * SIGMAY
#: Components of the d-vector.
COMPONENTS = ("x", "y", "z")
#: Most refinements of a zone quadrature before ConvergenceError.
MAX_REFINEMENTS = 7
#: k points per batch of matrix inverses (memory).
_CHUNK = 32768
AMPLITUDE_UNITS = "1/|t|"


# ------------------------------------------------------------------ spin algebra
def spin_rotation(axis) -> np.ndarray:
    """U (2 x 2, SU(2)) with rows <n+|, <n-|: U (n . sigma) U^dagger = sigma_z.

    |n+> = (cos th/2, e^{i ph} sin th/2), |n-> = (-e^{-i ph} sin th/2, cos th/2) for
    n = (sin th cos ph, sin th sin ph, cos th); U = 1 for n = z.  ``axis``: a unit 3-vector.
    """
    n = check_unit_vector("axis", axis)
    theta = np.arccos(np.clip(n[2], -1.0, 1.0))
    phi = np.arctan2(n[1], n[0]) if np.hypot(n[0], n[1]) > 0 else 0.0
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    plus = np.array([c, np.exp(1j * phi) * s])
    minus = np.array([-np.exp(-1j * phi) * s, c])
    return np.stack([plus.conj(), minus.conj()])


def rotate(f, axis) -> np.ndarray:
    """F_n = U F U^T: the pair amplitudes of spins along +-n (``axis``), for F of shape (..., 2, 2)."""
    u = spin_rotation(axis)
    return u @ np.asarray(f) @ u.T


def singlet_triplet(f) -> tuple[np.ndarray, np.ndarray]:
    """(Psi_s, d) of F = (Psi_s + d . sigma) i sigma_y, for F of shape (..., 2, 2); d has shape (..., 3)."""
    m = np.asarray(f) @ _MISY
    psi = 0.5 * (m[..., 0, 0] + m[..., 1, 1])
    d = np.stack([0.5 * np.einsum("ab,...ba->...", s, m) for s in (SIGMAX, SIGMAY, SIGMAZ)], axis=-1)
    return psi, d


def pair_matrix(psi, d) -> np.ndarray:
    """F = (Psi_s + d . sigma) i sigma_y, shape (..., 2, 2) (the inverse of :func:`singlet_triplet`)."""
    psi = np.asarray(psi)
    d = np.asarray(d)
    m = psi[..., None, None] * np.eye(2) + sum(d[..., j, None, None] * s for j, s in
                                               enumerate((SIGMAX, SIGMAY, SIGMAZ)))
    return m @ _ISY


def complex_part(ds: xr.Dataset, name: str) -> xr.DataArray:
    """The complex variable ``name`` of a correlations Dataset: ``ds[name + "_re"] + 1j ds[name + "_im"]``
    (NetCDF stores real numbers: each complex amplitude is kept as its real and imaginary parts)."""
    if f"{name}_re" not in ds or f"{name}_im" not in ds:
        raise ParameterError("name", name, "a complex variable of the Dataset: "
                             + ", ".join(sorted({v[:-3] for v in ds.data_vars if v.endswith("_re")})))
    out = ds[f"{name}_re"] + 1j * ds[f"{name}_im"]
    out.attrs = dict(ds[f"{name}_re"].attrs)
    return out


# ------------------------------------------------------------------ frequencies
def frequencies(energy, eta=None, matsubara: bool = False) -> tuple[np.ndarray, np.ndarray, str]:
    """(values, z, axis label) of the energies asked for: z = E + i eta (eta None: E itself, real) or,
    with ``matsubara``, z = i omega for omega = ``energy``.  ParameterError for non-finite values,
    eta <= 0 or eta with ``matsubara``."""
    try:
        values = np.atleast_1d(np.asarray(energy, dtype=float))
    except (TypeError, ValueError):
        raise ParameterError("energy", energy, "real numbers (|t|)") from None
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ParameterError("energy", energy, "a finite real number or a 1D array of them (|t|)")
    if matsubara:
        if eta is not None:
            raise ParameterError("eta", eta, "None with matsubara=True (z = i omega needs no broadening)")
        return values, 1j * values, "matsubara: z = i omega"
    if eta is None:
        return values, values.astype(complex), "real: z = E (exact, no broadening)"
    eta = check_range("eta", eta, lo=0.0, lo_open=True)
    return values, values + 1j * eta, f"real: z = E + i eta, eta = {eta:g} |t|"


class PairingCorrelations:
    """The anomalous Green's function F(k, z) of a host and its singlet/triplet decomposition.

    Parameters
    ----------
    model : a catalogue name, a :class:`~isingsc.models.catalogue.ResolvedModel` or a NambuModel with pairing.
    delta : the pairing amplitude Delta (|t|, > 0), held fixed; default the model's Delta0.
    field : the Zeeman field (anything :func:`~isingsc.core.field.as_field` takes; |t|).
    orbitals : the orbitals whose amplitudes are returned (default the pairing orbitals; any orbital of
        the model is allowed, e.g. the proximitised ``tmd`` layer of the heterostructure).
    tol : relative tolerance of the zone and Fermi-surface averages (1e-12 ... 1e-2).

    Every method returns an :class:`xarray.Dataset` with ``psi_s_re/_im`` (Psi_s), ``d_re/_im`` (the
    d-vector, dim ``component`` = x, y, z) and ``f_re/_im`` (F in the spin basis along ``axis``, dims
    ``spin``, ``spin2`` = +, -; default axis z: up, down), in 1/|t|; :func:`complex_part` joins them.
    Energies: ``energy`` real (|t|) with ``eta`` None (exact; zone averages need |E| < :attr:`gap`) or
    ``eta`` > 0 (z = E + i eta), or Matsubara frequencies ``matsubara=True`` (z = i omega, omega = energy).
    """

    def __init__(self, model, delta: float | None = None, field=None, *, orbitals=None, tol: float = 1e-6):
        self.host = as_host(model, delta, field)
        self.resolved, self.model = self.host.resolved, self.host.model
        self.delta, self.field = self.host.delta, self.host.field
        self.tol = check_range("tol", tol, lo=1e-12, hi=1e-2)
        self.orbitals = self.host.orbitals(orbitals)
        self.indices = np.stack([np.asarray(self.model.nambu_indices(o)) for o in self.orbitals])  # (n_orb, 4)
        self._cache: dict = {}

    # ------------------------------------------------------------------ basics
    def describe(self) -> dict:
        """Attrs of a result besides the model's: Delta, the field, the orbitals, the tolerance."""
        return dict(delta=self.delta, **self.field.attrs(), correlation_orbitals=",".join(self.orbitals),
                    tol=self.tol)

    def hamiltonian(self, k) -> np.ndarray:
        """H_BdG(k) at the host's Delta and field, (..., N, N) (|t|)."""
        return self.host.hamiltonian(k)

    def anomalous(self, k, z) -> np.ndarray:
        """F(k, z) per orbital, shape k.shape[:-1] + z.shape + (n_orb, 2, 2) (1/|t|), by batched inverses
        of z - H_BdG(k).  A real z equal to a quasiparticle energy E_n(k) raises ParameterError."""
        k = np.asarray(k, dtype=float)
        if k.shape[-1] != 2:
            raise ParameterError("k", k.shape, "an array of shape (..., 2) (1/a)")
        z = np.asarray(z, dtype=complex)
        kshape, zshape = k.shape[:-1], z.shape
        kk = k.reshape(-1, 2)
        zz = z.ravel()
        n_orb = len(self.orbitals)
        out = np.empty((len(kk), len(zz), n_orb, 2, 2), dtype=complex)
        rows = self.indices[:, :2]
        cols = self.indices[:, 2:]
        for start in range(0, len(kk), _CHUNK):
            h = self.hamiltonian(kk[start:start + _CHUNK])
            e, u = np.linalg.eigh(h)
            denom = zz[None, :, None] - e[:, None, :]  # (k, z, n)
            if np.any(np.abs(denom) < 1e-13 * max(1.0, float(np.max(np.abs(e))))):
                raise ParameterError("energy", zz[np.argmin(np.min(np.abs(denom), axis=(0, 2)))],
                                     "not a quasiparticle energy E_n(k) at the given k (give eta > 0)")
            for o in range(n_orb):
                up = u[:, rows[o], :]  # (k, 2, n)
                uh = u[:, cols[o], :]
                out[start:start + _CHUNK, :, o] = np.einsum("kan,kzn,kbn->kzab", up, 1.0 / denom, uh.conj(),
                                                            optimize=True)
        return out.reshape(kshape + zshape + (n_orb, 2, 2))

    @property
    def gap(self) -> float:
        """The host's quasiparticle gap min_k min_n |E_n(k)| (|t|): :attr:`SuperconductingHost.gap
        <isingsc.correlations.host.SuperconductingHost.gap>` (zone averages at real E need |E| below it;
        ParameterError "host gap" for a gapless host)."""
        return self.host.gap

    def _check_inside_gap(self, values, z) -> None:
        real = np.imag(z) == 0
        if np.any(real) and np.any(np.abs(values[real]) >= self.gap):
            raise ParameterError("energy", float(values[real][np.argmax(np.abs(values[real]))]),
                                 f"|E| < {self.gap:.6g} |t| (inside the gap) for a zone or Fermi-surface "
                                 "average at real E, or give eta > 0")

    # ------------------------------------------------------------------ datasets
    def _variables(self, f, dims, axis) -> dict:
        """psi_s, d, f (rotated to ``axis``) as real/imaginary pairs; f has shape dims-shape + (2, 2)."""
        psi, d = singlet_triplet(f)
        fr = rotate(f, axis) if axis is not None else f
        units = {"units": AMPLITUDE_UNITS}
        out = {}
        for name, value, extra, long in (("psi_s", psi, (), "singlet amplitude Psi_s"),
                                         ("d", d, ("component",), "triplet d-vector"),
                                         ("f", fr, ("spin", "spin2"), "F = <<c_a ; c_b>> along the axis")):
            for part, fn in (("re", np.real), ("im", np.imag)):
                out[f"{name}_{part}"] = (dims + extra, fn(value), {**units, "long_name": f"{part} {long}"})
        return out

    def _spin_coords(self, axis) -> dict:
        labels = ["up", "down"] if axis is None else ["+", "-"]
        return {"component": list(COMPONENTS), "spin": labels, "spin2": labels}

    def _attrs(self, values, axis_label, axis, **extra) -> dict:
        n = np.array([0.0, 0.0, 1.0]) if axis is None else check_unit_vector("axis", axis)
        return dict(frequency_axis=axis_label, spin_axis=list(n), **extra)

    def at(self, k, energy=0.0, *, eta=None, matsubara: bool = False, axis=None) -> xr.Dataset:
        """F(k, z) at momenta ``k`` ((2,) or (n, 2), 1/a) and energies ``energy`` (scalar or 1D, |t|).

        Dims (orbital, k, energy[, component | spin, spin2]); coordinates kx, ky on ``k``.  ``axis``: the
        spin quantisation axis of ``f`` (unit 3-vector; default z)."""
        values, z, label = frequencies(energy, eta, matsubara)
        if axis is not None:
            check_unit_vector("axis", axis)
        k = np.atleast_2d(np.asarray(k, dtype=float))
        if k.ndim != 2 or k.shape[1] != 2 or not np.all(np.isfinite(k)):
            raise ParameterError("k", np.shape(k), "finite momenta of shape (2,) or (n, 2) (1/a)")
        f = np.moveaxis(self.anomalous(k, z), -3, 0)  # (orb, k, E, 2, 2)
        ds = xr.Dataset(self._variables(f, ("orbital", "k", "energy"), axis),
                        coords={"orbital": list(self.orbitals), "k": np.arange(len(k)),
                                "kx": ("k", k[:, 0], {"units": MOMENTUM_UNITS}),
                                "ky": ("k", k[:, 1], {"units": MOMENTUM_UNITS}),
                                "energy": ("energy", values, {"units": "|t|"}), **self._spin_coords(axis)})
        return finalize(ds, model=self.resolved, **self.describe(), **self._attrs(values, label, axis))

    # ------------------------------------------------------------------ quadratures
    def _quadrature(self, spec: QuadratureSpec):
        return (self.host.quadrature(spec),)

    def _first_spec(self, z) -> QuadratureSpec:
        # the integrands vary on the scale sqrt(Delta^2 - E^2) (in the gap), eta, or |omega| + Delta
        widths = [self.delta]
        for zz in np.atleast_1d(z):
            if zz.imag == 0:
                widths.append(np.sqrt(max(self.gap ** 2 - zz.real ** 2, 0.0)))
            elif zz.real == 0:
                widths.append(self.delta + abs(zz.imag))
            else:
                widths.append(zz.imag)
        return QuadratureSpec(energy_scale=max(min(widths), 1e-9) / 2, n_theta=12, order=8)

    def _refine(self, compute, z, what: str):
        """Refine the zone quadrature until two successive results of ``compute(spec)`` agree to tol."""
        spec = self._first_spec(z)
        previous, change = None, np.inf
        for _ in range(MAX_REFINEMENTS):
            value = compute(spec)
            if previous is not None:
                change = _relative_change(value, previous)
                if change < self.tol:
                    return value, change, spec
            previous, spec = value, spec.refined()
        raise ConvergenceError(f"{what}: relative change {change:.2g} after {MAX_REFINEMENTS} refinements of the "
                               "zone quadrature", quantity=what, achieved=change, requested=self.tol,
                               resolution=spec.describe(),
                               suggestion="raise tol, or move E away from the gap edge (eta larger)")

    def local(self, energy=0.0, *, eta=None, matsubara: bool = False, axis=None) -> xr.Dataset:
        """The on-site amplitude F(R = 0, z) = <F(k, z)>_BZ (zone average, 1/|t| per site), converged to tol.

        Real energies without ``eta`` must lie inside the gap.  The quadrature is the package's Fermi-surface
        quadrature over the whole zone, with extra panels where a quasiparticle band crosses Re z."""
        values, z, label = frequencies(energy, eta, matsubara)
        if axis is not None:
            check_unit_vector("axis", axis)
        self._check_inside_gap(values, z)

        def compute(spec):
            quad = self._quadrature(spec)[0]
            # quasiparticle surfaces E_n(k) = Re z get panels (none inside the gap, where z is real)
            shifts = sorted({float(x.real) for x in z if x.real != 0 and x.imag != 0})

            def qp_bands(k):
                e = np.linalg.eigvalsh(self.hamiltonian(k))
                return np.concatenate([e - s for s in shifts], axis=-1) if shifts else e

            mesh = quad.mesh(extra_bands=qp_bands if shifts else None)
            n_points[0] = len(mesh)
            f = self.anomalous(mesh.k, z)  # (k, E, orb, 2, 2)
            return np.tensordot(mesh.weights, f, axes=(0, 0))

        n_points = [0]
        f, change, spec = self._refine(compute, z, "on-site pair amplitude")
        f = np.moveaxis(f, -3, 0)  # (orb, E, 2, 2)
        ds = xr.Dataset(self._variables(f, ("orbital", "energy"), axis),
                        coords={"orbital": list(self.orbitals), "energy": ("energy", values, {"units": "|t|"}),
                                **self._spin_coords(axis)})
        return finalize(ds, model=self.resolved, **self.describe(), **self._attrs(values, label, axis), achieved=change,
                        resolution=f"{spec.describe()}, {n_points[0]} k points, whole zone")

    def _fermi_points(self, spec: QuadratureSpec):
        """Fermi-surface points of the normal-state bands (at the field) on the quadrature's rays, with their
        band and DOS weight w = ray weight x r / |dE/dr| (x the K-disk partition of unity): sum w X = the zone
        integral of delta(E_n(k)) X(k)."""
        key = ("fs", spec)
        if key in self._cache:
            return self._cache[key]
        quad = self._quadrature(spec)[0]
        bands = band_energy_function(self.model, (self.field,))
        ks, ws, bs = [], [], []
        n_bands = self.model.dim
        for n in range(n_bands):
            crossings = quad.crossings(lambda k, n=n: bands(k)[:, n:n + 1])
            for j, cross in enumerate(crossings):
                for r, slope in cross:
                    if slope <= 0:
                        continue
                    k = quad.centres[j] + r * quad.directions[j]
                    w = quad.ray_weights[j] * r / slope
                    if quad.cutoff is not None:
                        chi = smooth_cutoff(r if quad.from_corner[j] else corner_distance(k[None])[0], *quad.cutoff)
                        w = w * (chi if quad.from_corner[j] else 1.0 - chi)
                    if w != 0.0:
                        ks.append(k)
                        ws.append(w)
                        bs.append(n)
        if not ks:
            raise ParameterError("model", self.resolved.name, "a model with a Fermi surface at the field given",
                                 reason="no normal-state band crosses zero energy")
        out = (np.array(ks), np.array(ws), np.array(bs, dtype=int))
        self._cache[key] = out
        return out

    def _band_spin(self, k, bands) -> np.ndarray:
        """<sigma_z> (summed over orbitals) of normal-state band ``bands[p]`` at ``k[p]``."""
        _, u = np.linalg.eigh(self.model.hamiltonian(k, self.field))
        v = u[np.arange(len(k)), :, bands]  # (p, dim)
        return np.sum(np.abs(v[:, 0::2]) ** 2 - np.abs(v[:, 1::2]) ** 2, axis=-1)

    def fermi_surface(self, energy=0.0, *, eta=None, matsubara: bool = False, axis=None) -> xr.Dataset:
        """F(k_F, z) on the normal-state Fermi surfaces (at the field) and its Fermi-surface averages.

        Dim ``point``: the Fermi crossings of the quadrature's rays (Gauss nodes in angle), with ``kx``, ``ky``,
        ``band`` and ``weight`` (the density-of-states weight dS / |grad E_n|, normalised to 1).  Averages
        <X>_FS = sum_p weight_p X_p: ``psi_s_fs``, ``d_fs`` (total), ``d_spin`` = <s_z d>_FS (each point weighted
        by the spin <sigma_z> of its band, coordinate ``spin_z``: nonzero where d is locked to the band's spin,
        as d_z of the Ising layer), ``d_rms`` = <|d|^2>^(1/2) and ``psi_rms``.  Converged to tol in the quadrature's resolution."""
        values, z, label = frequencies(energy, eta, matsubara)
        if axis is not None:
            check_unit_vector("axis", axis)
        self._check_inside_gap(values, z)

        def compute(spec):
            k, w, _ = self._fermi_points(spec)
            w = w / w.sum()
            f = self.anomalous(k, z)  # (p, E, orb, 2, 2)
            psi, d = singlet_triplet(f)
            return np.concatenate([np.tensordot(w, psi, (0, 0)).ravel(), np.tensordot(w, d, (0, 0)).ravel(),
                                   np.sqrt(np.tensordot(w, np.sum(np.abs(d) ** 2, -1), (0, 0))).ravel()])

        _, change, spec = self._refine(compute, z, "Fermi-surface average")
        k, w, b = self._fermi_points(spec)
        w = w / w.sum()
        f = np.moveaxis(self.anomalous(k, z), -3, 0)  # (orb, p, E, 2, 2)
        psi, d = singlet_triplet(f)
        variables = self._variables(f, ("orbital", "point", "energy"), axis)
        avg_psi = np.einsum("p,ope->oe", w, psi)
        avg_d = np.einsum("p,opec->oec", w, d)
        spin_z = self._band_spin(k, b)
        d_spin = np.einsum("p,opec->oec", w * spin_z, d)
        units = {"units": AMPLITUDE_UNITS}
        for name, value, dims, long in (
                ("psi_s_fs", avg_psi, ("orbital", "energy"), "Fermi-surface average of Psi_s"),
                ("d_fs", avg_d, ("orbital", "energy", "component"), "Fermi-surface average of d"),
                ("d_spin", d_spin, ("orbital", "energy", "component"),
                 "spin-weighted Fermi-surface average <s_z d>_FS (s_z = <sigma_z> of the band)")):
            for part, fn in (("re", np.real), ("im", np.imag)):
                variables[f"{name}_{part}"] = (dims, fn(value), {**units, "long_name": f"{part} {long}"})
        variables["d_rms"] = (("orbital", "energy"), np.sqrt(np.einsum("p,ope->oe", w, np.sum(np.abs(d) ** 2, -1))),
                              {**units, "long_name": "<|d|^2>_FS^(1/2)"})
        variables["psi_rms"] = (("orbital", "energy"), np.sqrt(np.einsum("p,ope->oe", w, np.abs(psi) ** 2)),
                                {**units, "long_name": "<|Psi_s|^2>_FS^(1/2)"})
        variables["weight"] = ("point", w, {"units": "1", "long_name": "DOS weight dS/|grad E| (normalised)"})
        ds = xr.Dataset(variables, coords={
            "orbital": list(self.orbitals), "point": np.arange(len(k)),
            "kx": ("point", k[:, 0], {"units": MOMENTUM_UNITS}), "ky": ("point", k[:, 1], {"units": MOMENTUM_UNITS}),
            "band": ("point", b), "spin_z": ("point", spin_z, {"units": "1", "long_name": "<sigma_z> of the band"}),
            "energy": ("energy", values, {"units": "|t|"}), **self._spin_coords(axis)})
        return finalize(ds, model=self.resolved, **self.describe(), **self._attrs(values, label, axis), achieved=change,
                        resolution=f"{spec.describe()}: {len(k)} Fermi points on the rays, whole zone")

    def zone_map(self, energy=0.0, n_grid: int = 121, *, eta=None, matsubara: bool = False,
                 axis=None) -> xr.Dataset:
        """F(k, z) on a rectangular ``n_grid`` x ``n_grid`` (kx, ky) grid covering the hexagonal zone (one energy).

        Variables on (orbital, kx, ky[, ...]) and ``inside_zone`` (the points of the first zone; the
        others are periodic images).  Real energies without ``eta`` must lie inside the gap."""
        n_grid = check_positive_int("n_grid", n_grid, 8)
        if n_grid > 2001:
            raise ParameterError("n_grid", n_grid, "an integer 8 ... 2001")
        energy = check_finite("energy", energy)
        values, z, label = frequencies(energy, eta, matsubara)
        if axis is not None:
            check_unit_vector("axis", axis)
        self._check_inside_gap(values, z)
        kx, ky = bz_grid(n_grid)
        kk = np.stack(np.meshgrid(kx, ky, indexing="ij"), axis=-1)
        f = np.moveaxis(self.anomalous(kk, z)[:, :, 0], -3, 0)  # (orb, kx, ky, 2, 2)
        variables = self._variables(f, ("orbital", "kx", "ky"), axis)
        variables["inside_zone"] = (("kx", "ky"), inside_bz(kk).astype(np.int8),
                                    {"units": "1", "long_name": "1 inside the first Brillouin zone"})
        ds = xr.Dataset(variables, coords={"orbital": list(self.orbitals),
                                           "kx": ("kx", kx, {"units": MOMENTUM_UNITS}),
                                           "ky": ("ky", ky, {"units": MOMENTUM_UNITS}), **self._spin_coords(axis)})
        return finalize(ds, model=self.resolved, **self.describe(), **self._attrs(values, label, axis), energy=float(values[0]),
                        grid=n_grid)


def _relative_change(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a))), 1e-300))


__all__ = ["AMPLITUDE_UNITS", "COMPONENTS", "PairingCorrelations", "complex_part", "frequencies", "pair_matrix",
           "rotate", "singlet_triplet", "spin_rotation"]
