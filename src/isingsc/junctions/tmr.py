"""Tunnelling magnetoresistance of two Ising superconductors through a spin-filtering barrier.

Incoherent (momentum-non-conserving) tunnelling through a barrier with the tunnelling matrix
T = t0 + t_m m.sigma (t0, t_m real; m the barrier's magnetisation): with the k-averaged electron
spectral matrices of the two electrodes A(E) = a0(E) + a(E).sigma (2 x 2 in spin; a0 = (N_+ + N_-)/2,
a = (N_+ - N_-)/2 n along the spin axis n, from :func:`isingsc.spectroscopy.bulk.lattice_dos` via
:class:`~isingsc.spectroscopy.bulk.BulkSpectroscopy`), the current is

    I(V) ~ int dE K(E, E + V) [f(E) - f(E + V)],     K = Tr[T A_L(E) T^dag A_R(E + V)]
    K / 2 = t0^2 (a0 b0 + a.b) + 2 t0 t_m (a0 m.b + b0 m.a) + t_m^2 (a0 b0 + 2 (m.a)(m.b) - a.b)

(a for the left electrode, b for the right; derived from (m.sigma)(v.sigma)(m.sigma) = 2 (m.v) m.sigma - v.sigma
and {m.sigma, v.sigma} = 2 m.v).  The spin polarisation of the barrier is P = 2 t0 t_m / (t0^2 + t_m^2).
Both electrodes are the same Ising superconductor in the same in-plane field (Zeeman energy ``strength``
along ``angle``); the k-averaged spin polarisation lies along the field (Ising SOC averages out), so
m.a = a (m.n).  dI/dV / G_N, with G_N = 2 (t0^2 + t_m^2) N_n^2 the normal state's, is the derivative of a
cubic spline through I(V) on a bias grid of the DOS grid's step.

Parallel / antiparallel: m along the field (m.n = +1) or against it (m.n = -1); out of plane: m.n = 0
(the barrier's easy axis, CrBr3).  The ratio R_AP / R_P = (dI/dV)_P / (dI/dV)_AP is reported at the
coherence peak of the parallel spectrum, and R_out-of-plane / R_P = (dI/dV)_P / (dI/dV)_(m.n = 0) there
(``resistance_ratio_out_of_plane_p``).

With a normal counter-electrode (flat DOS N_n, b = 0) the conductance reduces to the thermal
convolution of the spin-filtered DOS, n_eff(E) = [a0 + P (m.a)] / N_n (:func:`thermal_conductance`),
computed that way by ``counter="normal"``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.interpolate import CubicSpline

from isingsc.core.errors import ParameterError, check_finite, check_range
from isingsc.core.results import finalize
from isingsc.spectroscopy.bulk import BulkSpectroscopy, fermi, thermal_conductance


class MagneticTunnelJunction:
    """Ising superconductor | spin-filter barrier | Ising superconductor (or a normal counter-electrode).

    Parameters
    ----------
    model : catalogue name, ResolvedModel or NambuModel of both electrodes (their DOS, self-consistent gap).
    t0, t_m : spin-independent and spin-dependent tunnelling amplitudes (only their ratio matters: the
        spectra are normalised by the normal state).
    angle : in-plane direction of the field (rad from x).
    counter : "superconductor" (both electrodes the same) or "normal" (flat DOS).
    spectroscopy_options : passed to :class:`BulkSpectroscopy` (eta, delta0, ...).
    """

    def __init__(self, model, t0: float = 1.0, t_m: float = 0.3, angle: float = 0.0,
                 counter: str = "superconductor", **spectroscopy_options):
        self.t0 = check_finite("t0", t0)
        self.t_m = check_finite("t_m", t_m)
        if self.t0 == 0 and self.t_m == 0:
            raise ParameterError("t0", t0, "t0 != 0 or t_m != 0")
        if counter not in ("superconductor", "normal"):
            raise ParameterError("counter", counter, "superconductor | normal")
        self.counter = counter
        self.spectroscopy = BulkSpectroscopy(model, angle=angle, **spectroscopy_options)

    @property
    def polarisation(self) -> float:
        """P = 2 t0 t_m / (t0^2 + t_m^2)."""
        return 2 * self.t0 * self.t_m / (self.t0 ** 2 + self.t_m ** 2)

    def spectrum(self, T: float, strength: float, projections=(1.0, 0.0, -1.0), bias=None,
                 delta: float | None = None) -> xr.Dataset:
        """dI/dV / G_N at biases (|t|, default 161 in +-4 Delta0) for magnetisation projections m.n on the
        field (1: parallel, 0: out of plane, -1: antiparallel), temperature T and Zeeman energy ``strength``."""
        T = check_range("T", T, lo=0.0, lo_open=True, hi=1.0)
        sp = self.spectroscopy
        proj = np.atleast_1d(np.asarray(projections, dtype=float))
        if np.any(np.abs(proj) > 1) or not np.all(np.isfinite(proj)):
            raise ParameterError("projections", proj.tolist(), "m.n in [-1, 1] (m a unit vector)")
        d0 = sp.ref.delta0
        bias = np.linspace(-4 * d0, 4 * d0, 161) if bias is None else np.atleast_1d(np.asarray(bias, float))
        delta = sp.gap(T, strength).delta if delta is None else check_range("delta", delta, lo=0.0)
        e = sp.energy_grid(np.concatenate([bias, bias + bias.max(), bias + bias.min()]), T)
        n = sp.dos(e, delta, strength)  # (n_E, 2): N_+, N_- along the field
        nn = sp.normal_dos0  # per spin at E = 0
        a0 = 0.5 * (n[:, 0] + n[:, 1]) / (0.5 * (nn[0] + nn[1]))
        a1 = 0.5 * (n[:, 0] - n[:, 1]) / (0.5 * (nn[0] + nn[1]))
        out = np.empty((len(proj), len(bias)))
        norm = self.t0 ** 2 + self.t_m ** 2
        for j, p in enumerate(proj):
            if self.counter == "normal":
                out[j] = thermal_conductance(e, (a0 + self.polarisation * p * a1), bias, T)
            else:
                out[j] = self._sis(e, a0, a1, p, bias, T) / norm
        ds = xr.Dataset({"conductance": (("projection", "bias"), out, {"units": "G_N",
                                                                       "long_name": "dI/dV / G_N"})},
                        coords={"projection": ("projection", proj, {"units": "1", "long_name": "m.n (field axis)"}),
                                "bias": ("bias", bias, {"units": "|t| (eV)"})})
        attrs = {"temperature": T, "zeeman_energy": float(strength), "delta": float(delta), "t0": self.t0,
                 "t_m": self.t_m, "polarisation": self.polarisation, "counter": self.counter,
                 "eta": sp.eta, "field_angle": sp.angle}
        if {1.0, -1.0} <= set(proj.tolist()):
            gp, gap_ = out[list(proj).index(1.0)], out[list(proj).index(-1.0)]
            pos = bias > 0
            i = int(np.argmax(np.where(pos, gp, -np.inf)))
            attrs.update(coherence_peak_bias=float(bias[i]), resistance_ratio_ap_p=float(gp[i] / gap_[i]),
                         tmr_percent=float(100 * (gp[i] / gap_[i] - 1)))
            if 0.0 in proj.tolist():  # in plane (along the field) against out of plane (the easy axis)
                g0 = out[list(proj).index(0.0)]
                attrs.update(resistance_ratio_out_of_plane_p=float(gp[i] / g0[i]))
        return finalize(ds, model=sp.meanfield.model, **attrs)

    def _sis(self, e, a0, a1, p, bias, T):
        """dI/dV of the SIS current with kernel K/2 (module docstring), normalised per (t0^2 + t_m^2)."""
        t0, tm = self.t0, self.t_m
        step = e[1] - e[0]
        vb = np.arange(np.floor(bias.min() / step) - 3, np.ceil(bias.max() / step) + 4) * step
        f = fermi(e, T)
        cur = np.empty(len(vb))
        for i, v in enumerate(vb):
            b0 = np.interp(e + v, e, a0)
            b1 = np.interp(e + v, e, a1)
            k = (t0 ** 2 * (a0 * b0 + a1 * b1) + 2 * t0 * tm * p * (a0 * b1 + b0 * a1)
                 + tm ** 2 * (a0 * b0 + 2 * p * p * a1 * b1 - a1 * b1))
            cur[i] = np.trapezoid(k * (f - fermi(e + v, T)), e)
        return CubicSpline(vb, cur)(bias, 1)


__all__ = ["MagneticTunnelJunction"]
