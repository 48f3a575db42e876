"""In-plane Hc2 of Ising superconductors: clean formula and one Matsubara kernel with scattering.

Conventions (read these before comparing with a paper)
------------------------------------------------------
* **Ising SOC** ``beta_so`` is the *Ising field*, the coefficient of sigma_z in
  H_SO = +/- beta_so sigma_z on the K / K' pockets: the spin splitting at the
  Fermi level is **2 beta_so** (full splitting).  Papers differ (Lu et al.,
  Science 350, 1353 (2015) and Xi et al., Nat. Phys. 12, 139 (2016) quote
  various forms): :func:`beta_from_splitting` converts, every lab function takes
  ``convention="half"`` (default: the value given *is* beta_so) or ``"full"``
  (the value given is the splitting 2 beta_so).
* Zeeman energy b = (g/2) mu_B B (g = 2 by default), as in :mod:`isingsc.core.units`.
* Scattering rates in meV: Gamma_s = hbar/(3 tau_so) (spin-orbit / spin-flip
  scattering, the WHH convention, Werthamer-Helfand-Hohenberg, Phys. Rev. 147,
  295 (1966)) and Gamma_iv = hbar/tau_iv (spin-conserving intervalley scattering).
  Use :func:`gamma_so_from_tau_so` / :func:`gamma_from_tau` to convert times.
* Reduced functions (suffix ``_reduced``): k_B Tc = 1, t = T/Tc, energies in k_B Tc.

The kernel [derived; see docs/experiment.md]
--------------------------------------------
Linearised gap equation for the singlet amplitude f0 with the Zeeman field
(along x) mixing it into the triplet d_x, and the valley-odd Ising field
rotating d_x into d_y; d_x relaxes at Gamma_s, the valley-odd d_y also at Gamma_iv:

    ln(Tc/T) = 2 pi T sum_{n>=0} [ 1/w_n - 1/( w_n + b^2/( w_n + Gamma_s + beta^2/(w_n + Gamma_s + Gamma_iv) ) ) ],

w_n = pi T (2n + 1).  The summand is 1/w - Q(w)/P(w) with a monic cubic P and
quadratic Q, so the sum is closed-form in digamma functions:
ln(Tc/T) = sum_k c_k [psi(1/2 - p_k/(2 pi T)) - psi(1/2)], p_k the roots of P,
c_k = Q(p_k)/P'(p_k) (sum_k c_k = 1).  Its limits are tests of each other:

1. Gamma_s = Gamma_iv = 0: the clean Ising formula (Lu et al. 2015; Xi et al. 2016)
   ln(T/Tc) + b^2/(beta^2 + b^2) [Re psi(1/2 + i sqrt(beta^2 + b^2)/(2 pi T)) - psi(1/2)] = 0;
2. beta = 0: the spin part of WHH (orbital term off);
3. beta = 0, Gamma_s >> b, T: Klemm-Luther-Beasley (PRB 12, 877 (1975)),
   ln(T/Tc) + psi(1/2 + b^2/(2 pi T Gamma_s)) - psi(1/2) = 0;
4. beta >> w_n, Gamma: an Abrikosov-Gor'kov pair breaker Gamma_pb = b^2 (Gamma_s + Gamma_iv)/beta^2
   (the form of Sosenko, Zhang & Aji, PRB 95, 144508 (2017)).

The forms fitted by Xi et al. 2016, de la Barrera et al., Nat. Commun. 9, 1427 (2018)
and Ilic, Meyer & Houzet, PRL 119, 117001 (2017) are of this type; their rate
definitions differ by factors of order one [verify against the originals before
comparing scattering times quantitatively].
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.constants import hbar, e as _e

from isingsc.core.errors import ParameterError, check_range
from isingsc.core.units import G_FACTOR_DEFAULT, K_B_MEV_PER_K, MU_B_MEV_PER_T
from isingsc.experiment._psi import PSI_HALF, psi_shift
from isingsc.experiment._roots import expand_upper, find_roots
from isingsc.experiment.pauli import _check_tc, check_g, pauli_field

#: hbar in meV s (CODATA via scipy).
HBAR_MEV_S: float = hbar / _e * 1e3
CONVENTIONS = ("half", "full")


# ------------------------------------------------------------------------------ conventions
def beta_from_splitting(value_mev, convention: str = "full"):
    """Ising field beta_so (meV) from a quoted SOC value: ``"full"`` = splitting 2 beta_so, ``"half"`` = beta_so."""
    if convention not in CONVENTIONS:
        raise ParameterError("convention", convention, "half | full")
    value = np.asarray(value_mev, dtype=float)
    out = value / 2.0 if convention == "full" else value
    return float(out) if out.ndim == 0 else out


def splitting_from_beta(beta_mev):
    """Full spin splitting at the Fermi level, 2 beta_so (meV)."""
    out = 2.0 * np.asarray(beta_mev, dtype=float)
    return float(out) if out.ndim == 0 else out


def gamma_from_tau(tau_seconds):
    """Rate hbar/tau in meV for a scattering time tau in seconds (e.g. Gamma_iv = hbar/tau_iv)."""
    tau = check_range("tau", tau_seconds, lo=0.0, lo_open=True)
    return HBAR_MEV_S / tau


def gamma_so_from_tau_so(tau_so_seconds):
    """Gamma_s = hbar / (3 tau_so) in meV (WHH convention) for tau_so in seconds."""
    return gamma_from_tau(tau_so_seconds) / 3.0


def tau_so_from_gamma_so(gamma_so_mev):
    """Inverse of :func:`gamma_so_from_tau_so`: tau_so = hbar / (3 Gamma_s), seconds."""
    g = check_range("gamma_so", gamma_so_mev, lo=0.0, lo_open=True)
    return HBAR_MEV_S / (3.0 * g)


# -------------------------------------------------------------------------------- reduced
def _t_array(t):
    t = np.asarray(t, dtype=float)
    bad = ~np.isfinite(t) | (t <= 0) | (t > 1)
    if np.any(bad):
        raise ParameterError("T/Tc", float(np.atleast_1d(t)[np.atleast_1d(bad)][0]), "0 < T/Tc <= 1")
    return t


def clean_ising_equation(h, t, beta):
    """Left side of the clean Ising Hc2 equation (zero on Hc2), reduced units.

    ln t + [h^2/(beta^2 + h^2)] * [Re psi(1/2 + i sqrt(beta^2 + h^2)/(2 pi t)) - psi(1/2)].
    Increasing in h from ln t < 0, so Hc2 is its unique root.
    """
    h, t, beta = np.broadcast_arrays(np.asarray(h, float), np.asarray(t, float), np.asarray(beta, float))
    rho2 = beta * beta + h * h
    rho = np.sqrt(rho2)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(rho2 > 0, h * h / np.where(rho2 > 0, rho2, 1.0), 0.0)
    return np.log(t) + w * psi_shift(1j * rho, 2 * np.pi * t).real


def clean_ising_field_reduced(t, beta):
    """Clean Ising Hc2: Zeeman field h(t)/(k_B Tc) for Ising field beta/(k_B Tc) >= 0; 0 < t <= 1.

    Bracketing root finder (doubling + Chandrupatla); finite for every t > 0 and
    growing like beta sqrt(ln(1/t) / ln(2h/Delta0)) as t -> 0 (the clean limit diverges
    at T = 0, which is therefore excluded).
    """
    t = _t_array(t)
    beta = np.asarray(beta, dtype=float)
    if np.any(~np.isfinite(beta)) or np.any(beta < 0):
        raise ParameterError("beta_so", float(np.min(beta)), "beta_so >= 0 (finite)")
    t, beta = np.broadcast_arrays(t, beta)
    out = np.zeros(t.shape)
    inside = t < 1
    if np.any(inside):
        tt, bb = t[inside], beta[inside]
        lo, hi = expand_upper(clean_ising_equation, np.zeros_like(tt), np.maximum(1.0, bb), (tt, bb),
                              what="the clean Ising Hc2")
        out[inside] = find_roots(clean_ising_equation, lo, hi, (tt, bb), what="the clean Ising Hc2")
    return out if out.ndim else float(out)


def _cubic(h, beta, gs, giv):
    """Coefficients of P(w) = w^3 + a2 w^2 + a1 w + a0 and Q(w) = w^2 + a2 w + q0 of the kernel."""
    gsum = gs + giv
    a2 = 2 * gs + giv
    q0 = gs * gsum + beta * beta
    return a2, q0 + h * h, h * h * gsum, q0


def _kernel_closed(h, t, beta, gs, giv):
    a2, a1, a0, q0 = _cubic(h, beta, gs, giv)
    n = h.size
    comp = np.zeros((n, 3, 3))
    comp[:, 0, :] = np.stack([-a2, -a1, -a0], axis=-1)
    comp[:, 1, 0] = 1.0
    comp[:, 2, 1] = 1.0
    p = np.linalg.eigvals(comp)  # roots of P, shape (n, 3)
    a2c, a1c, a0c, q0c = (x[:, None] for x in (a2, a1, a0, q0))
    for _ in range(2):  # Newton polish: eigenvalues carry absolute errors ~ eps * max|coef|
        pp = ((p + a2c) * p + a1c) * p + a0c
        dp = (3 * p + 2 * a2c) * p + a1c
        ok = np.abs(dp) > 1e-8 * (np.abs(p) ** 2 + np.abs(a1c) + 1e-300)
        p = np.where(ok, p - pp / np.where(ok, dp, 1.0), p)
    dp = (3 * p + 2 * a2c) * p + a1c
    q = (p + a2c) * p + q0c
    scale = np.max(np.abs(p), axis=1) + 2 * np.pi * t
    gaps = np.min(np.abs(p[:, [0, 0, 1]] - p[:, [1, 2, 2]]), axis=1)
    degenerate = gaps < 1e-6 * scale
    c = q / np.where(np.abs(dp) > 0, dp, 1.0)
    total = np.sum(c * psi_shift(-p, (2 * np.pi * t)[:, None]), axis=1).real
    return total, degenerate


def pair_kernel_reduced(h, t, beta, gamma_s=0.0, gamma_iv=0.0):
    """Kernel residual 2 pi t sum_n [1/w_n - 1/(w_n + h^2/(w_n + G_s + beta^2/(w_n + G_s + G_iv)))] - ln(1/t).

    Zero on Hc2; closed form through the roots of the cubic (module docstring).  Near a
    double root (measure zero in h) the average at h(1 +/- 1e-4) is used: the kernel is
    smooth in h, so the error is O(1e-8).  All arguments broadcast; reduced units.
    """
    h, t, beta, gs, giv = (np.asarray(x, dtype=float) for x in (h, t, beta, gamma_s, gamma_iv))
    shape = np.broadcast_shapes(h.shape, t.shape, beta.shape, gs.shape, giv.shape)
    h, t, beta, gs, giv = (np.broadcast_to(x, shape).ravel() for x in (h, t, beta, gs, giv))
    out = np.log(t)  # h = 0: the sum vanishes
    nz = h != 0
    if np.any(nz):
        val, deg = _kernel_closed(h[nz], t[nz], beta[nz], gs[nz], giv[nz])
        if np.any(deg):
            idx = np.flatnonzero(deg)
            args = (t[nz][idx], beta[nz][idx], gs[nz][idx], giv[nz][idx])
            up, _ = _kernel_closed(h[nz][idx] * (1 + 1e-4), *args)
            dn, _ = _kernel_closed(h[nz][idx] * (1 - 1e-4), *args)
            val[idx] = 0.5 * (up + dn)
        out = out.copy()
        out[nz] = out[nz] + val
    return out.reshape(shape) if shape else float(out[0])


def pair_kernel_sum_reduced(h, t, beta, gamma_s=0.0, gamma_iv=0.0, n_terms: int | None = None) -> float:
    """The same kernel residual by direct Matsubara summation (reference implementation, scalar).

    Sums n < N exactly (N such that w_N >= 2000 max(h, beta, Gamma, pi t) unless given) and adds
    the tail of the leading term h^2 / w_n^3 by the midpoint rule.  Slow at low t; used to
    check :func:`pair_kernel_reduced`.
    """
    t = float(t)
    scale = max(abs(h), abs(beta), gamma_s, gamma_iv, math.pi * t)
    n = int(n_terms or max(1000, math.ceil(2000 * scale / (2 * math.pi * t))))
    w = 2 * math.pi * t * (np.arange(n) + 0.5)
    inner = w + gamma_s + beta**2 / (w + gamma_s + gamma_iv)
    terms = 1.0 / w - 1.0 / (w + h * h / inner)
    tail = h * h / (2 * math.pi * t) ** 3 / (2.0 * n * n)
    return 2 * math.pi * t * (float(np.sum(terms)) + tail) + math.log(t)


def scattering_field_reduced(t, beta, gamma_s=0.0, gamma_iv=0.0):
    """Hc2 Zeeman field h(t)/(k_B Tc) of the scattering kernel (reduced; 0 < t <= 1).

    Finite at T -> 0 when Gamma_s + Gamma_iv > 0 or beta = 0; the kernel is increasing in h.
    """
    t = _t_array(t)
    beta, gs, giv = (np.asarray(x, dtype=float) for x in (beta, gamma_s, gamma_iv))
    for name, v in (("beta_so", beta), ("gamma_so", gs), ("gamma_iv", giv)):
        if np.any(~np.isfinite(v)) or np.any(v < 0):
            raise ParameterError(name, float(np.min(v)), f"{name} >= 0 (finite)")
    t, beta, gs, giv = np.broadcast_arrays(t, beta, gs, giv)
    out = np.zeros(t.shape)
    inside = t < 1
    if np.any(inside):
        args = tuple(x[inside] for x in (t, beta, gs, giv))
        f = lambda h, tt, bb, ss, ii: pair_kernel_reduced(h, tt, bb, ss, ii)  # noqa: E731
        lo, hi = expand_upper(f, np.zeros_like(args[0]), np.maximum(1.0, args[1]), args,
                              what="the Ising Hc2 with scattering")
        out[inside] = find_roots(f, lo, hi, args, what="the Ising Hc2 with scattering")
    return out if out.ndim else float(out)


def _ag_inverse(t):
    """y >= 0 with psi(1/2 + y) - psi(1/2) = ln(1/t) (Abrikosov-Gor'kov form), array t in (0, 1)."""
    target = -np.log(t)
    f = lambda y, tt: psi_shift(y, np.ones_like(y)).real - tt  # noqa: E731
    hi0 = 2.0 * np.exp(np.minimum(target + PSI_HALF, 700.0)) + 1.0
    lo, hi = expand_upper(f, np.zeros_like(target), hi0, (target,), what="the Abrikosov-Gor'kov equation")
    return find_roots(f, lo, hi, (target,), what="the Abrikosov-Gor'kov equation")


def klb_field_reduced(t, gamma_s):
    """Klemm-Luther-Beasley Hc2 (beta = 0, Gamma_s >> b, T): h = sqrt(2 pi t Gamma_s y),
    psi(1/2 + y) - psi(1/2) = ln(1/t).  T -> 0: h = sqrt(Delta0 Gamma_s / 2), i.e. B/B_P = sqrt(Gamma_s/Delta0).
    Source: Klemm, Luther & Beasley, PRB 12, 877 (1975)."""
    t = _t_array(t)
    gs = check_range("gamma_so", gamma_s, lo=0.0, lo_open=True)
    scalar = t.ndim == 0
    t = np.atleast_1d(t)
    out = np.zeros_like(t)
    inside = t < 1
    out[inside] = np.sqrt(2 * np.pi * t[inside] * gs * _ag_inverse(t[inside]))
    return float(out[0]) if scalar else out


def strong_soc_field_reduced(t, beta, gamma_s, gamma_iv=0.0):
    """Strong-Ising-SOC limit (beta >> w_n, Gamma): AG pair breaker Gamma_pb = h^2 (Gamma_s + Gamma_iv)/beta^2,
    ln(Tc/T) = psi(1/2 + Gamma_pb/(2 pi T)) - psi(1/2)  =>  h = beta sqrt(2 pi t y / (Gamma_s + Gamma_iv)).
    Valid for h << beta (corrections O(h^2/beta^2)).  Form of Sosenko, Zhang & Aji, PRB 95, 144508 (2017)."""
    t = _t_array(t)
    b = check_range("beta_so", beta, lo=0.0, lo_open=True)
    g = check_range("gamma_so + gamma_iv", float(gamma_s) + float(gamma_iv), lo=0.0, lo_open=True)
    scalar = t.ndim == 0
    t = np.atleast_1d(t)
    out = np.zeros_like(t)
    inside = t < 1
    out[inside] = b * np.sqrt(2 * np.pi * t[inside] * _ag_inverse(t[inside]) / g)
    return float(out[0]) if scalar else out


# ------------------------------------------------------------------------------ lab units
def _reduced_inputs(T, Tc, g):
    tc = float(_check_tc(Tc))
    g = check_g(g)
    T = np.asarray(T, dtype=float)
    if np.any(~np.isfinite(T)) or np.any(T <= 0) or np.any(T > tc):
        bad = np.atleast_1d(T)[np.atleast_1d(~np.isfinite(T) | (T <= 0) | (T > tc))][0]
        raise ParameterError("T", float(bad), f"0 < T <= Tc = {tc:g} K")
    ktc = K_B_MEV_PER_K * tc
    to_tesla = ktc / (0.5 * g * MU_B_MEV_PER_T)
    return T / tc, ktc, to_tesla


def _energy(name, value_mev, *, positive=False):
    return check_range(name, value_mev, lo=0.0, lo_open=positive)


def ising_hc2(T, Tc, beta_so_mev, *, g: float = G_FACTOR_DEFAULT, convention: str = "half"):
    """Clean Ising in-plane Hc2 in tesla at T (K) for Tc (K) and Ising SOC (meV).

    ln(T/Tc) + [b^2/(beta^2 + b^2)] * [Re psi(1/2 + i sqrt(beta^2 + b^2)/(2 pi k_B T)) - psi(1/2)] = 0,
    b = (g/2) mu_B B.  ``convention``: "half" (value = beta_so, the Ising field; default) or
    "full" (value = spin splitting 2 beta_so).  beta_so = 0 gives the Pauli second-order line.
    Sources: Lu et al., Science 350, 1353 (2015); Xi et al., Nat. Phys. 12, 139 (2016);
    derivation in docs/experiment.md.  0 < T <= Tc (Hc2 diverges as T -> 0).
    """
    t, ktc, to_tesla = _reduced_inputs(T, Tc, g)
    beta = beta_from_splitting(_energy("beta_so", beta_so_mev), convention) / ktc
    return np.asarray(clean_ising_field_reduced(t, beta)) * to_tesla if np.ndim(t) else \
        float(clean_ising_field_reduced(t, beta)) * to_tesla


def ising_scattering_hc2(T, Tc, beta_so_mev, gamma_so_mev=0.0, gamma_iv_mev=0.0, *,
                         g: float = G_FACTOR_DEFAULT, convention: str = "half"):
    """In-plane Hc2 (tesla) of an Ising superconductor with spin-orbit and intervalley scattering.

    The single Matsubara kernel of the module docstring with Ising field beta_so (meV;
    ``convention`` as in :func:`ising_hc2`), Gamma_s = hbar/(3 tau_so) and Gamma_iv = hbar/tau_iv (meV).
    T, Tc in K; 0 < T <= Tc.
    """
    t, ktc, to_tesla = _reduced_inputs(T, Tc, g)
    beta = beta_from_splitting(_energy("beta_so", beta_so_mev), convention) / ktc
    gs = _energy("gamma_so", gamma_so_mev) / ktc
    giv = _energy("gamma_iv", gamma_iv_mev) / ktc
    h = scattering_field_reduced(t, beta, gs, giv)
    return np.asarray(h) * to_tesla if np.ndim(h) else float(h) * to_tesla


def klb_hc2(T, Tc, gamma_so_mev, *, g: float = G_FACTOR_DEFAULT):
    """Klemm-Luther-Beasley Hc2 (tesla): spin-orbit-scattering-limited, no Ising SOC (PRB 12, 877 (1975))."""
    t, ktc, to_tesla = _reduced_inputs(T, Tc, g)
    h = klb_field_reduced(t, _energy("gamma_so", gamma_so_mev, positive=True) / ktc)
    return np.asarray(h) * to_tesla if np.ndim(h) else float(h) * to_tesla


def ising_hc2_curve(Tc: float, beta_so_mev: float, gamma_so_mev: float = 0.0, gamma_iv_mev: float = 0.0, *,
                    g: float = G_FACTOR_DEFAULT, convention: str = "half", n_points: int = 60,
                    t_min: float = 0.02) -> xr.Dataset:
    """Ising Hc2(T) curve as a Dataset (dim ``T`` in K; ``Hc2`` in T and ``Hc2_over_BP``; params in attrs)."""
    from isingsc.experiment.results import finalize_lab

    tc = float(_check_tc(Tc))
    t = np.linspace(check_range("t_min", t_min, lo=0.0, hi=1.0, lo_open=True, hi_open=True), 1.0, int(n_points))
    b = ising_scattering_hc2(t * tc, tc, beta_so_mev, gamma_so_mev, gamma_iv_mev, g=g, convention=convention)
    bp = pauli_field(tc, g)
    beta = beta_from_splitting(beta_so_mev, convention)
    ds = xr.Dataset({"Hc2": ("T", b, {"units": "T"}), "Hc2_over_BP": ("T", b / bp, {"units": "1"})},
                    coords={"T": ("T", t * tc, {"units": "K"}), "T_over_Tc": ("T", t, {"units": "1"})})
    return finalize_lab(ds, kind="ising_hc2_curve", Tc_K=tc, beta_so_meV=beta, soc_splitting_meV=2 * beta,
                        gamma_so_meV=float(gamma_so_mev), gamma_iv_meV=float(gamma_iv_mev), g=g, B_P_T=bp,
                        beta_convention="beta_so = Ising field (half of the spin splitting)")
