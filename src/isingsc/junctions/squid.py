"""phi-junctions from 0 and pi domains in parallel, and a SQUID of such a junction with a reference junction.

Current-phase relations as Fourier series
-----------------------------------------
A CPR sampled on a uniform phase grid (:meth:`Junction.current_phase` on n phases covering 2 pi) is a
trigonometric polynomial I(phi) = sum_m [I_m sin(m phi) + J_m cos(m phi)] (FFT), evaluated at any phase
exactly for a band-limited CPR; F(phi) = (1/2) int I dphi = -sum_m [I_m cos(m phi) - J_m sin(m phi)] / (2m)
(I = 2 dF/dphi in e|t|/hbar, F in |t|).

Domains in parallel
-------------------
A barrier of domains i with area fractions w_i (given, or counted on a domain map) carries
I(phi) = sum_i w_i I_i(phi): each domain a junction with its own magnetisation, no phase gradients
along the junction (domains smaller than the Josephson length).  With a 0 and a pi domain the first
harmonics cancel in part and the second harmonic (always with E_2 < 0 for tunnel junctions with
transparent channels) can win: for F = -E_1 cos phi - E_2 cos 2 phi, dF/dphi = sin phi (E_1 + 4 E_2
cos phi) = 0 gives the degenerate minima +-phi0,

    cos phi0 = -E_1 / (4 E_2) = -I_1 / (2 I_2)    (I_1 = 2 E_1, I_2 = 4 E_2),

a minimum when E_2 < 0 and |E_1| < 4 |E_2| (F''(phi0) = E_1^2/(4 E_2) - 4 E_2 > 0).

SQUID
-----
Junction a (the magnetic one) in parallel with a reference junction b (I_b(phi) = I_cb sin phi, or a CPR),
loop inductance neglected: phi_a = phi_b + 2 pi Phi/Phi0.  I(phi_b; Phi) = I_b(phi_b) + I_a(phi_b + 2 pi
Phi/Phi0) and the critical current I_c(Phi) = max_{phi_b} I.  For a phi-junction with minima +-phi0
separated by maxima of F_a at phi_1 < phi_2 (0 and pi for a symmetric one), the junction can stay in
one basin (the metastable states seen as two branches of I_c(Phi) with telegraph switching): branch
+- is max_{phi_b} I with phi_a restricted to the basin (phi_1, phi_2) of +phi0 or its complement.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.optimize import brentq, minimize_scalar

from isingsc.core.errors import ParameterError, check_range
from isingsc.core.results import finalize
from isingsc.junctions.vertical import (
    CURRENT_UNITS,
    FREE_ENERGY_UNITS,
    PHASE_TOLERANCE,
    PHASE_UNITS,
)


class FourierCPR:
    """A CPR as a trigonometric series from a Dataset with ``current`` on a uniform grid covering 2 pi."""

    def __init__(self, cpr: xr.Dataset):
        if "current" not in cpr or "phase" not in cpr.coords:
            raise ParameterError("cpr", type(cpr).__name__, "a Dataset with a current(phase) variable")
        phase = np.asarray(cpr.phase.values, dtype=float)
        n = len(phase)
        order = np.argsort(np.mod(phase - phase.min(), 2 * np.pi))
        p = phase[order]
        step = 2 * np.pi / n
        if n < 4 or not np.allclose(np.diff(p), step, atol=1e-9):
            raise ParameterError("cpr", f"{n} phases", "a uniform grid of >= 4 phases covering 2 pi once "
                                 "(e.g. Junction.current_phase() with its default phases)")
        c = np.fft.rfft(np.asarray(cpr.current.values, dtype=float)[order]) / n
        self.start = float(p[0])
        m = np.arange(len(c))
        # shift to phases measured from 0: coefficient c_m e^{i m (phi - start)}
        c = c * np.exp(-1j * m * self.start)
        keep = m < n / 2  # drop the Nyquist term (ambiguous sine part)
        self.m = m[keep][1:]
        self.sine = -2 * c.imag[keep][1:]
        self.cosine = 2 * c.real[keep][1:]
        self.offset = float(c.real[0])
        self.attrs = dict(cpr.attrs)

    @classmethod
    def from_harmonics(cls, sine, cosine=None) -> FourierCPR:
        """I(phi) = sum_m [sine_m sin(m phi) + cosine_m cos(m phi)], m = 1, 2, ..."""
        obj = cls.__new__(cls)
        obj.sine = np.atleast_1d(np.asarray(sine, dtype=float))
        obj.cosine = np.zeros_like(obj.sine) if cosine is None else np.atleast_1d(np.asarray(cosine, dtype=float))
        obj.m = np.arange(1, len(obj.sine) + 1)
        obj.offset, obj.start, obj.attrs = 0.0, 0.0, {}
        return obj

    def current(self, phi) -> np.ndarray:
        phi = np.asarray(phi, dtype=float)[..., None]
        return self.offset + np.sum(self.sine * np.sin(self.m * phi) + self.cosine * np.cos(self.m * phi), -1)

    def free_energy(self, phi) -> np.ndarray:
        """F(phi) - F(0) = (1/2) int_0^phi I (|t| per cell; the same units as the junction's)."""
        phi = np.asarray(phi, dtype=float)[..., None]
        f = np.sum((-self.sine * (np.cos(self.m * phi) - 1) + self.cosine * np.sin(self.m * phi)) / (2 * self.m), -1)
        return f + 0.5 * self.offset * phi[..., 0]

    def scaled(self, w: float) -> FourierCPR:
        return FourierCPR.from_harmonics(w * self.sine, w * self.cosine)

    def plus(self, other: FourierCPR) -> FourierCPR:
        n = max(len(self.sine), len(other.sine))
        s = np.zeros(n)
        c = np.zeros(n)
        s[:len(self.sine)] += self.sine
        s[:len(other.sine)] += other.sine
        c[:len(self.cosine)] += self.cosine
        c[:len(other.cosine)] += other.cosine
        return FourierCPR.from_harmonics(s, c)

    def minima(self, n_grid: int = 720) -> np.ndarray:
        """Local minima of F in [-pi, pi) (rad), refined by Brent on I = 0."""
        grid = np.linspace(-np.pi, np.pi, n_grid, endpoint=False)
        f = self.free_energy(grid)
        out = []
        for i in range(n_grid):
            if f[i] <= f[i - 1] and f[i] <= f[(i + 1) % n_grid]:
                a, b = grid[i] - 2 * np.pi / n_grid, grid[i] + 2 * np.pi / n_grid
                ia, ib = self.current(a), self.current(b)
                x = brentq(lambda p: float(self.current(p)), a, b, xtol=1e-12) if ia < 0 < ib else grid[i]
                out.append((x + np.pi) % (2 * np.pi) - np.pi)
        return np.array(sorted(set(np.round(out, 12))))

    def maxima(self, n_grid: int = 720) -> np.ndarray:
        neg = FourierCPR.from_harmonics(-self.sine, -self.cosine)
        return neg.minima(n_grid)


def _as_cpr(x) -> FourierCPR:
    return x if isinstance(x, FourierCPR) else FourierCPR(x)


class DomainJunction:
    """Domains in parallel: I(phi) = sum_i w_i I_i(phi).

    ``cprs``: CPR Datasets (uniform phase grids covering 2 pi) or FourierCPRs, one per domain type;
    ``weights``: area fractions (>= 0, normalised to 1), or ``domain_map``: an integer array of domain
    labels 0 .. len(cprs) - 1 (the fractions are counted on it).
    """

    def __init__(self, cprs, weights=None, domain_map=None):
        self.cprs = [_as_cpr(c) for c in cprs]
        if not self.cprs:
            raise ParameterError("cprs", "[]", "at least one domain CPR")
        if (weights is None) == (domain_map is None):
            raise ParameterError("weights", weights, "exactly one of weights or domain_map")
        if domain_map is not None:
            labels = np.asarray(domain_map)
            if labels.size == 0 or np.any(labels < 0) or np.any(labels >= len(self.cprs)) \
                    or np.any(labels != np.round(labels)):
                raise ParameterError("domain_map", labels.shape, f"integer labels 0 .. {len(self.cprs) - 1}")
            weights = np.bincount(labels.astype(int).ravel(), minlength=len(self.cprs)) / labels.size
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(self.cprs),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ParameterError("weights", weights, f"{len(self.cprs)} area fractions >= 0, not all 0")
        self.weights = w / w.sum()
        total = self.cprs[0].scaled(self.weights[0])
        for c, x in zip(self.cprs[1:], self.weights[1:]):
            total = total.plus(c.scaled(x))
        self.cpr = total

    def current_phase(self, phases=None) -> xr.Dataset:
        phases = np.linspace(-np.pi, np.pi, 64, endpoint=False) if phases is None else np.asarray(phases, float)
        ds = xr.Dataset({"current": ("phase", self.cpr.current(phases), {"units": CURRENT_UNITS}),
                         "free_energy": ("phase", self.cpr.free_energy(phases), {"units": FREE_ENERGY_UNITS})},
                        coords={"phase": ("phase", phases, {"units": PHASE_UNITS})})
        return finalize(ds, weights=list(self.weights))

    def ground_state(self) -> xr.Dataset:
        """The global minima of F: one phase (0, pi, anomalous) or the degenerate pair +-phi0, with the
        first two harmonics and the two-harmonic prediction cos phi0 = -I_1 / (2 I_2)."""
        minima = self.cpr.minima()
        f = self.cpr.free_energy(minima)
        scale = max(np.ptp(self.cpr.free_energy(np.linspace(-np.pi, np.pi, 256))), 1e-300)
        best = minima[f <= f.min() + 1e-9 * scale]
        i1 = float(self.cpr.sine[0]) if len(self.cpr.sine) else 0.0
        i2 = float(self.cpr.sine[1]) if len(self.cpr.sine) > 1 else 0.0
        pred = float(np.arccos(np.clip(-i1 / (2 * i2), -1, 1))) if i2 != 0 else float("nan")
        phi0 = float(np.max(np.abs(best)))
        if phi0 < PHASE_TOLERANCE:
            kind = "0"
        elif abs(phi0 - np.pi) < PHASE_TOLERANCE:
            kind = "pi"
        elif len(best) >= 2 and np.allclose(np.sort(np.abs(best)), np.abs(best[0]), atol=1e-6):
            kind = "phi0"
        else:
            kind = "anomalous"
        ds = xr.Dataset({"phi0": ((), phi0, {"units": PHASE_UNITS}),
                         "minima": ("minimum", best, {"units": PHASE_UNITS}),
                         "first_harmonic": ((), i1, {"units": CURRENT_UNITS}),
                         "second_harmonic": ((), i2, {"units": CURRENT_UNITS}),
                         "phi0_two_harmonics": ((), pred, {"units": PHASE_UNITS,
                                                            "long_name": "arccos(-I1/(2 I2))"})})
        return finalize(ds, ground_state_class=kind, weights=list(self.weights))


class Squid:
    """A dc SQUID: junction ``junction`` (a CPR Dataset, FourierCPR or DomainJunction) in parallel with a
    reference junction (``reference``: its critical current I_cb for a sinusoidal CPR, or a CPR); loop
    inductance neglected (phi_a = phi_b + 2 pi Phi/Phi0)."""

    def __init__(self, junction, reference):
        self.junction = junction.cpr if isinstance(junction, DomainJunction) else _as_cpr(junction)
        if isinstance(reference, (int, float, np.floating)):
            ic = check_range("reference", reference, lo=0.0, lo_open=True)
            self.reference = FourierCPR.from_harmonics([ic])
        else:
            self.reference = _as_cpr(reference)

    def _branch_max(self, flux, lo=None, hi=None, n_grid: int = 720) -> float:
        """max over phi_b of I_b(phi_b) + I_a(phi_a), phi_a = phi_b + 2 pi flux, restricted to phi_a in (lo, hi)."""
        shift = 2 * np.pi * flux
        if lo is None:
            pa = np.linspace(-np.pi, np.pi, n_grid, endpoint=False)
        else:
            pa = np.linspace(lo, hi, n_grid + 2)[1:-1]
        total = self.reference.current(pa - shift) + self.junction.current(pa)
        i = int(np.argmax(total))
        h = pa[1] - pa[0]
        a, b = pa[i] - h, pa[i] + h
        if lo is not None:
            a, b = max(a, lo), min(b, hi)
        res = minimize_scalar(lambda x: -(self.reference.current(x - shift) + self.junction.current(x)),
                              bounds=(a, b), method="bounded", options={"xatol": 1e-10})
        return float(max(-res.fun, total[i]))

    def critical_current(self, flux) -> xr.Dataset:
        """I_c(Phi) (global maximum) and, for a junction with two degenerate minima, the two metastable
        branches (phi_a kept in the basin of +phi0 or of -phi0).  ``flux`` in units of Phi0."""
        flux = np.atleast_1d(np.asarray(flux, dtype=float))
        if not np.all(np.isfinite(flux)) or np.any(np.abs(flux) > 100):
            raise ParameterError("flux", "values", "finite fluxes |Phi/Phi0| <= 100")
        ic = np.array([self._branch_max(f) for f in flux])
        maxima = self.junction.maxima()
        minima = self.junction.minima()
        branches = np.full((2, len(flux)), np.nan)
        basins = []
        if len(minima) == 2 and len(maxima) == 2:
            a, b = np.sort(maxima)
            basins = [(a, b), (b, a + 2 * np.pi)]  # the two arcs between the maxima
            for j, (lo, hi) in enumerate(basins):
                branches[j] = [self._branch_max(f, lo, hi) for f in flux]
            # label by the minimum each basin holds: branch 0 holds +phi0
            inside0 = [(m - basins[0][0]) % (2 * np.pi) < (basins[0][1] - basins[0][0]) for m in minima]
            plus_first = minima[int(np.argmax(inside0))] > 0
            if not plus_first:
                branches = branches[::-1]
        # where each curve peaks in flux: the phase offset 2 pi Phi_max/Phi0 (mod 2 pi) of the branch
        def offset(curve):
            if not np.all(np.isfinite(curve)):
                return float("nan")
            return float(np.mod(2 * np.pi * flux[int(np.argmax(curve))], 2 * np.pi))

        ds = xr.Dataset({"critical_current": ("flux", ic, {"units": CURRENT_UNITS}),
                         "branch_critical_current": (("branch", "flux"), branches, {"units": CURRENT_UNITS}),
                         "branch_peak_phase": ("branch", [offset(branches[0]), offset(branches[1])],
                                               {"units": PHASE_UNITS, "long_name": "2 pi Phi_peak/Phi0 mod 2 pi"})},
                        coords={"flux": ("flux", flux, {"units": "Phi0 = h/2e"}),
                                "branch": ("branch", ["+phi0", "-phi0"], {"units": "1"})})
        return finalize(ds, junction_minima=list(minima), junction_maxima=list(maxima),
                        inductance="neglected (phi_a - phi_b = 2 pi Phi/Phi0)",
                        reference_first_harmonic=float(self.reference.sine[0]))


__all__ = ["DomainJunction", "FourierCPR", "Squid"]
