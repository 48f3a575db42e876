"""Werthamer-Helfand-Hohenberg Hc2(T) of a dirty superconductor (orbital + Pauli + spin-orbit scattering).

Source: Werthamer, Helfand & Hohenberg, Phys. Rev. 147, 295 (1966), Eq. (40):

    ln(1/t) = sum_{nu in Z} { 1/|2nu+1| - [ |2nu+1| + hbar/t + (alpha hbar/t)^2 / (|2nu+1| + (hbar + lambda_so)/t) ]^-1 },

t = T/Tc, hbar = (4/pi^2) Hc2 / (Tc |dHc2/dT|_Tc), alpha the Maki parameter
(alpha = sqrt2 Hc2^orb(0)/H_P), lambda_so = hbar/(3 pi k_B Tc tau_so).
The summand is 1/x - (x + C)/((x + A)(x + C) + B^2) with x = |2nu+1|, A = hbar/t,
B = alpha hbar/t, C = (hbar + lambda_so)/t, so the sum is closed-form:
ln(1/t) = sum_k c_k [psi(1/2 - p_k/2) - psi(1/2)], p_k the two poles, c_k their residues.
alpha = 0: ln(1/t) = psi(1/2 + hbar/2t) - psi(1/2), Hc2(0) = 0.693 Tc |dHc2/dT| (WHH's number).

Units: T, Tc in K; slope |dHc2/dT| at Tc in T/K; Hc2 in tesla.
"""

from __future__ import annotations

import math

import numpy as np

from isingsc.core.errors import ParameterError, check_range
from isingsc.experiment._psi import psi_shift
from isingsc.experiment._roots import expand_upper, find_roots


def whh_equation(hbar, t, alpha=0.0, lambda_so=0.0):
    """Residual of the WHH equation (zero on Hc2): sum_k c_k [psi(1/2 - p_k/2) - psi(1/2)] - ln(1/t)."""
    hbar, t, alpha, lam = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (hbar, t, alpha, lambda_so)))
    a = hbar / t
    b2 = (alpha * hbar / t) ** 2
    c = (hbar + lam) / t
    # poles of (x + C)/(x^2 + (A + C) x + A C + B^2)
    disc = np.sqrt(((a - c) ** 2 - 4 * b2).astype(complex))
    p1 = (-(a + c) + disc) / 2
    p2 = (-(a + c) - disc) / 2
    near = np.abs(p1 - p2) < 1e-7 * (np.abs(p1) + 1.0)
    # residues; at a (near-)double pole the two terms merge into c psi'-like form: use a tiny split
    split = np.where(near, 1e-4 * (np.abs(p1) + 1.0), 0.0)
    p1 = p1 + split
    p2 = p2 - split
    c1 = (p1 + c) / (p1 - p2)
    c2 = (p2 + c) / (p2 - p1)
    two = np.full(p1.shape, 2.0)
    val = (c1 * psi_shift(-p1, two) + c2 * psi_shift(-p2, two)).real
    return val + np.log(t)


def whh_hbar(t, alpha=0.0, lambda_so=0.0):
    """Reduced WHH field hbar(t) (0 < t <= 1); the lowest root in hbar (bracketed from hbar = 0)."""
    t = np.asarray(t, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t <= 0) or np.any(t > 1):
        raise ParameterError("T/Tc", float(np.atleast_1d(t)[0]), "0 < T/Tc <= 1")
    alpha = check_range("alpha", alpha, lo=0.0)
    lam = check_range("lambda_so", lambda_so, lo=0.0)
    scalar = t.ndim == 0
    t = np.atleast_1d(t)
    out = np.zeros_like(t)
    inside = t < 1
    if np.any(inside):
        tt = t[inside]
        args = (tt, np.full_like(tt, alpha), np.full_like(tt, lam))
        lo, hi = expand_upper(whh_equation, np.zeros_like(tt), np.full_like(tt, 0.1), args, what="the WHH Hc2")
        out[inside] = find_roots(whh_equation, lo, hi, args, what="the WHH Hc2")
    return float(out[0]) if scalar else out


def whh_hc2(T, Tc, slope_t_per_k, *, alpha: float = 0.0, lambda_so: float = 0.0):
    """WHH Hc2 (tesla) at T (K): Hc2 = (pi^2/4) hbar(t) Tc |dHc2/dT|_Tc; 0 < T <= Tc."""
    tc = check_range("Tc", Tc, lo=0.0, lo_open=True)
    slope = abs(check_range("slope", slope_t_per_k, nonzero=True))  # sign convention-free: |dHc2/dT|
    T = np.asarray(T, dtype=float)
    if np.any(~np.isfinite(T)) or np.any(T <= 0) or np.any(T > tc):
        raise ParameterError("T", float(np.atleast_1d(T)[0]), f"0 < T <= Tc = {tc:g} K")
    h = whh_hbar(T / tc, alpha, lambda_so)
    return (math.pi**2 / 4) * tc * slope * (np.asarray(h) if np.ndim(h) else float(h))
