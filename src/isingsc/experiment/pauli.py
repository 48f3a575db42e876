"""Pauli (Chandrasekhar-Clogston) limit and the Pauli-limited clean superconductor.

Units
-----
Lab functions take temperatures in kelvin and return fields in tesla.  The
reduced functions (suffix ``_reduced``) use k_B Tc = 1: ``t = T/Tc`` and the
Zeeman energy ``h = (g/2) mu_B B / (k_B Tc)`` (the package-wide Zeeman
convention of :mod:`isingsc.core.units`, g = 2 by default).  Weak-coupling BCS
throughout: Delta0 = pi e^(-gamma_E) k_B Tc = 1.76388 k_B Tc.

Physics
-------
* Pauli limit (Chandrasekhar, Appl. Phys. Lett. 1, 7 (1962); Clogston, PRL 9,
  266 (1962)): at T = 0 the normal state, which gains the Pauli energy
  N0 (mu_B B)^2, and the BCS state, with condensation energy N0 Delta0^2 / 2,
  have equal energies at  mu_B B_P = Delta0 / sqrt(2),  i.e.
  B_P = Delta0 / (sqrt(2) mu_B) = 1.8568 T/K x Tc (g = 2, BCS ratio).
  Clogston's "1.84 T/K" uses 2 Delta0 = 3.5 k_B Tc (``variant="clogston"``).
* Second-order (instability / super-cooling) line of a clean Pauli-limited
  superconductor, no orbital effect (Sarma, J. Phys. Chem. Solids 24, 1029
  (1963); Maki & Tsuneto, Prog. Theor. Phys. 31, 945 (1964)):
      ln(Tc/T) = Re psi(1/2 + i h / (2 pi T)) - psi(1/2);   h(T -> 0) = Delta0 / 2.
* Quartic Landau coefficient on that line,
      c4(T, h) = -Re psi''(1/2 + i h/(2 pi T)) / (8 (2 pi T)^2)   [Omega = a D^2 + c4 D^4 + ...],
  changes sign at the tricritical point (T*, h*): below T* the transition is
  first order.  T* and h* are *derived* here (Re psi''(1/2 + i x*) = 0), not typed in.
* First-order (thermodynamic) line: equal free energies of the normal state
  and the superconducting minimum, from the weak-coupling free energy
      Omega_S - Omega_N = N0 { D^2 [ln(T/Tc) + Re psi(1/2 + i h/2piT) - psi(1/2)]
                               + 2 pi T sum_{n>=0} Re D^4 / (w~ (s + w~)^2) },
  w~ = w_n + i h, s = sqrt(w~^2 + D^2), w_n = pi T (2n + 1)
  (derived from Omega = D^2/lambda - T sum ln 2cosh(E/2T); the form with
  D^4/(w~(s+w~)^2) is the cancellation-free rewriting of D^2/w~ - 2(s - w~)).
  At T -> 0 it tends to Delta0/sqrt2; at low T, h1^2 = Delta0^2/2 - (pi^2/3) T^2
  (Sommerfeld term of the normal state) up to exponentially small terms.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import xarray as xr
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq, minimize_scalar

from isingsc.core.errors import ConvergenceError, ParameterError, check_range
from isingsc.core.units import BCS_GAP_RATIO, G_FACTOR_DEFAULT, K_B_MEV_PER_K, MU_B_MEV_PER_T
from isingsc.experiment._psi import PSI_HALF, psi2, psi_shift, re_psi_shift_imag
from isingsc.experiment._roots import expand_upper, find_roots

#: Delta0 / (k_B Tc) for each variant of the Pauli limit.
GAP_RATIOS = {"bcs": BCS_GAP_RATIO, "clogston": 1.75}
SQRT2 = math.sqrt(2.0)


def check_g(g) -> float:
    """Validate the electron g-factor (g > 0)."""
    return check_range("g", g, lo=0.0, lo_open=True)


def gap_ratio(variant: str = "bcs") -> float:
    """Delta0/(k_B Tc): pi e^(-gamma_E) = 1.76388 ("bcs") or 1.75 ("clogston", 2 Delta0 = 3.5 k_B Tc)."""
    if variant not in GAP_RATIOS:
        raise ParameterError("variant", variant, " | ".join(GAP_RATIOS))
    return GAP_RATIOS[variant]


def _check_tc(tc):
    arr = np.asarray(tc, dtype=float)
    if arr.ndim == 0:
        return check_range("Tc", float(arr), lo=0.0, lo_open=True)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ParameterError("Tc", arr[~(np.isfinite(arr) & (arr > 0))][0], "Tc > 0 K (finite)")
    return arr


def bcs_gap_mev(tc_kelvin, variant: str = "bcs"):
    """Zero-temperature gap Delta0 = r k_B Tc in meV (r = 1.76388 BCS, or 1.75); Tc in K."""
    return gap_ratio(variant) * K_B_MEV_PER_K * _check_tc(tc_kelvin)


def pauli_slope(g: float = G_FACTOR_DEFAULT, variant: str = "bcs") -> float:
    """B_P / Tc in T/K: Delta0 / (sqrt2 (g/2) mu_B Tc) = 1.8568 T/K (BCS, g = 2) or 1.8422 (Clogston)."""
    g = check_g(g)
    return gap_ratio(variant) * K_B_MEV_PER_K / (SQRT2 * 0.5 * g * MU_B_MEV_PER_T)


def pauli_field(tc_kelvin, g: float = G_FACTOR_DEFAULT, variant: str = "bcs"):
    """Pauli (Chandrasekhar-Clogston) field B_P = Delta0 / (sqrt2 (g/2) mu_B) in tesla; Tc in K.

    ``variant="bcs"``: Delta0 = 1.76388 k_B Tc (B_P = 1.8568 T/K x Tc for g = 2);
    ``"clogston"``: 2 Delta0 = 3.5 k_B Tc (1.84 T/K).  Sources: Chandrasekhar,
    Appl. Phys. Lett. 1, 7 (1962); Clogston, PRL 9, 266 (1962).
    """
    return pauli_slope(g, variant) * _check_tc(tc_kelvin)


def tc_from_pauli_field(b_pauli_tesla, g: float = G_FACTOR_DEFAULT, variant: str = "bcs"):
    """Inverse of :func:`pauli_field`: the Tc (K) whose Pauli field is ``b_pauli_tesla``."""
    b = np.asarray(b_pauli_tesla, dtype=float)
    if not np.all(np.isfinite(b)) or np.any(b <= 0):
        raise ParameterError("B_P", b_pauli_tesla, "B_P > 0 T (finite)")
    out = b / pauli_slope(g, variant)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------- reduced units
def _check_t(t, *, upper_inclusive=True):
    t = np.asarray(t, dtype=float)
    bad = ~np.isfinite(t) | (t <= 0) | ((t > 1) if upper_inclusive else (t >= 1))
    if np.any(bad):
        value = t[bad][0] if t.ndim else float(t)
        raise ParameterError("T/Tc", float(value), "0 < T/Tc <= 1" if upper_inclusive else "0 < T/Tc < 1")
    return t


def _x_of_log(y):
    """x >= 0 with Re psi(1/2 + i x) - psi(1/2) = y >= 0 (inverse of an increasing function)."""
    y = np.asarray(y, dtype=float)
    f = lambda x, yy: re_psi_shift_imag(x) - yy  # noqa: E731
    # Re psi(1/2 + i x) ~ ln x for large x, so x ~ exp(y + psi(1/2)): start above that
    hi0 = 2.0 * np.exp(np.minimum(y + PSI_HALF, 700.0)) + 1.0
    lo, hi = expand_upper(f, np.zeros_like(y), hi0, (y,), what="the Pauli second-order field")
    return find_roots(f, lo, hi, (y,), what="the Pauli second-order field")


def second_order_field_reduced(t):
    """Second-order (super-cooling) Zeeman field h2(t)/(k_B Tc) of the clean Pauli-limited superconductor.

    Solves ln(1/t) = Re psi(1/2 + i x) - psi(1/2) for x = h / (2 pi t) (so h = 2 pi t x);
    h2(1) = 0 and h2(t -> 0) -> Delta0/2 = (pi/2) e^(-gamma_E).  Source: Sarma (1963);
    Maki & Tsuneto (1964).  0 < t <= 1.
    """
    t = _check_t(t)
    scalar = t.ndim == 0
    t = np.atleast_1d(t)
    h = np.zeros_like(t)
    inside = t < 1
    if np.any(inside):
        h[inside] = 2 * np.pi * t[inside] * _x_of_log(-np.log(t[inside]))
    return float(h[0]) if scalar else h


def quartic_coefficient_reduced(t, h):
    """Quartic Landau coefficient c4 = -Re psi''(1/2 + i h/2pi t) / (8 (2 pi t)^2), in N0/(k_B Tc)^2.

    Omega_S - Omega_N = N0 [a D^2 + c4 D^4 + ...]; c4(t, h=0) = 7 zeta(3) / (16 pi^2 t^2) (GL).
    Negative c4 on the second-order line means a first-order transition.
    """
    t = _check_t(t)
    h = np.asarray(h, dtype=float)
    return -psi2(0.5 + 1j * h / (2 * np.pi * t)).real / (8 * (2 * np.pi * t) ** 2)


@lru_cache(maxsize=1)
def tricritical_point() -> dict:
    """Tricritical point of the clean Pauli-limited superconductor, derived (not tabulated).

    x* solves Re psi''(1/2 + i x*) = 0 (sign change of the quartic coefficient along
    the second-order line, which depends on T and h only through x = h/(2 pi T)); then
    ln(Tc/T*) = Re psi(1/2 + i x*) - psi(1/2) and h* = 2 pi T* x*.  Returns T*/Tc,
    h*/(k_B Tc), h*/Delta0 and B*/B_P (literature: T* = 0.56 Tc, mu_B H* = 1.07 k_B Tc;
    Sarma 1963, Saint-James, Sarma & Thomas, "Type II Superconductivity" (1969)).
    """
    x_star = brentq(lambda x: float(psi2(0.5 + 1j * x).real), 0.05, 1.0, xtol=1e-15, rtol=1e-15)
    t_star = math.exp(-float(re_psi_shift_imag(x_star)))
    h_star = 2 * math.pi * t_star * x_star
    return {"x_star": x_star, "T_over_Tc": t_star, "h_over_kTc": h_star,
            "h_over_Delta0": h_star / BCS_GAP_RATIO, "B_over_BP": h_star * SQRT2 / BCS_GAP_RATIO}


# ------------------------------------------------------------------ weak-coupling free energy
def _frequencies(t, scale):
    """Matsubara frequencies w_n (n < N) with w_N >= 200 x the largest energy scale."""
    n_max = int(max(64, math.ceil(200.0 * scale / (2 * math.pi * t))))
    return 2 * math.pi * t * (np.arange(n_max) + 0.5), n_max


def _pair_breaking(t, h):
    """ln t + Re psi(1/2 + i h / 2 pi t) - psi(1/2) (the second-order function a(t, h))."""
    return math.log(t) + float(psi_shift(1j * h, 2 * math.pi * t).real)


def free_energy_reduced(delta, t, h):
    """(Omega_S - Omega_N) / (N0 (k_B Tc)^2) of the uniform BCS state with gap ``delta`` (units k_B Tc).

    Clean weak-coupling superconductor in a Zeeman field h (units k_B Tc), no orbital effect;
    formula in the module docstring.  The Matsubara sum is cut at w_N >= 200 max(D, h, pi t)
    and its tail added from the leading asymptotic term D^4 / (4 w~^3) (midpoint rule).
    """
    t = float(_check_t(t))
    d2 = float(delta) ** 2
    if d2 == 0.0:
        return 0.0
    w, n_max = _frequencies(t, max(abs(delta), h, math.pi * t))
    wt = w + 1j * h
    s = np.sqrt(wt * wt + d2)
    body = np.sum((1.0 / (wt * (s + wt) ** 2)).real)
    x = h / (2 * math.pi * t)
    tail = (1.0 / (2.0 * (n_max + 1j * x) ** 2)).real / (4.0 * (2 * math.pi * t) ** 3)
    return d2 * _pair_breaking(t, h) + 2 * math.pi * t * d2 * d2 * (body + tail)


def gap_function_reduced(delta, t, h):
    """d(Omega_S - Omega_N)/d(D^2) / N0: zero on the gap equation (BCS self-consistency).

    = ln t + 2 pi t sum_n Re[1/w_n - 1/sqrt(w~_n^2 + D^2)], written cancellation-free.
    """
    t = float(t)
    d2 = float(delta) ** 2
    a = _pair_breaking(t, h)
    if d2 == 0.0:
        return a
    w, n_max = _frequencies(t, max(abs(delta), h, math.pi * t))
    wt = w + 1j * h
    s = np.sqrt(wt * wt + d2)
    body = np.sum((1.0 / (wt * s * (s + wt))).real)
    x = h / (2 * math.pi * t)
    tail = (1.0 / (2.0 * (n_max + 1j * x) ** 2)).real / (2.0 * (2 * math.pi * t) ** 3)
    return a + 2 * math.pi * t * d2 * (body + tail)


def zero_field_gap_reduced(t) -> float:
    """BCS gap Delta(T)/(k_B Tc) at zero field (gap equation solved by brentq); 0 at t = 1."""
    t = float(_check_t(t))
    if t == 1.0:
        return 0.0
    return brentq(lambda d: gap_function_reduced(d, t, 0.0), 1e-12, 1.01 * BCS_GAP_RATIO, xtol=1e-14, rtol=1e-13)


def _sc_minimum(t, h, delta_top):
    """(Delta_s, Omega) of the upper superconducting minimum at (t, h), or None if it does not exist."""
    g = lambda d: gap_function_reduced(d, t, h)  # noqa: E731
    hi = delta_top * (1 + 1e-9)
    for _ in range(60):  # the field lowers the gap, so g(Delta(T, 0)) >= 0; guard anyway
        if g(hi) > 0:
            break
        hi *= 1.01
    if _pair_breaking(t, h) < 0:
        lo = 1e-9 * delta_top  # normal state unstable: a single minimum above it
    else:
        res = minimize_scalar(g, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-10 * delta_top})
        if res.fun >= 0:
            return None  # no superconducting minimum: above the super-heating field
        lo = res.x
    d = brentq(g, lo, hi, xtol=1e-14, rtol=1e-13)
    return d, free_energy_reduced(d, t, h)


def first_order_field_reduced(t) -> float:
    """Thermodynamic (first-order) critical Zeeman field h1(t)/(k_B Tc) for t < T*/Tc.

    Root in h of Omega_S(Delta_s(h)) - Omega_N = 0 on the superconducting branch, bracketed
    between the second-order field h2(t) (where the SC minimum is below the normal state)
    and the first field where it is above it or has disappeared (super-heating).  For
    T*/Tc - 2e-3 < t < T*/Tc, where h1 - h2 = O((T* - T)^2) < 1e-6 h2, h2 is returned.
    """
    t = float(_check_t(t))
    t_star = tricritical_point()["T_over_Tc"]
    if t >= t_star:
        raise ParameterError("T/Tc", t, f"0 < T/Tc < T*/Tc = {t_star:.6f} (above T* the transition is second order)")
    h2 = second_order_field_reduced(t)
    if t > t_star - 2e-3:
        return h2
    delta_top = zero_field_gap_reduced(t)

    def margin(h):
        m = _sc_minimum(t, h, delta_top)
        return 1.0 if m is None else m[1]

    lo = h2
    if margin(lo) >= 0:
        raise ConvergenceError(f"first-order field at T/Tc = {t:g}: superconducting state not below the normal state at h2")
    step = 0.02 * BCS_GAP_RATIO
    hi = lo + step
    for _ in range(200):
        if margin(hi) > 0:
            break
        lo, hi = hi, hi + step
    else:
        raise ConvergenceError(f"could not bracket the first-order field at T/Tc = {t:g}")
    return brentq(margin, lo, hi, xtol=1e-12, rtol=1e-12)


@lru_cache(maxsize=1)
def _physical_table():
    """Universal reduced Pauli-limited Hc2: (t, h) nodes of a monotone (PCHIP) interpolant.

    First-order field below T*, second-order above; computed once per process
    (about a second) and used by the fits, where the model is evaluated many times.
    """
    t_star = tricritical_point()["T_over_Tc"]
    t_low = np.linspace(0.02, t_star - 2.5e-3, 28)
    t_high = np.concatenate([np.linspace(t_star, 0.96, 22), [0.97, 0.98, 0.99, 0.995, 1.0]])
    h_low = np.array([first_order_field_reduced(x) for x in t_low])
    h_high = second_order_field_reduced(t_high)
    return np.concatenate([t_low, t_high]), np.concatenate([h_low, h_high])


def physical_field_reduced(t, *, exact: bool = False):
    """Pauli-limited Hc2 (reduced): first-order field for t < T*/Tc, second-order above.

    ``exact=False`` interpolates a cached table (relative error < 1e-4, checked in the
    tests against the exact solution); below t = 0.02 the low-T expansion
    h1^2 = Delta0^2/2 - (pi^2/3) t^2 is used (exponentially small error).
    """
    t = _check_t(t)
    scalar = t.ndim == 0
    t = np.atleast_1d(t)
    t_star = tricritical_point()["T_over_Tc"]
    if exact:
        out = np.array([first_order_field_reduced(x) if x < t_star else second_order_field_reduced(x) for x in t])
    else:
        nodes_t, nodes_h = _physical_table()
        # interpolate h^2, which is linear in (1 - t) near Tc (h itself has a square-root cusp)
        out = np.sqrt(np.maximum(PchipInterpolator(nodes_t, nodes_h**2)(np.clip(t, nodes_t[0], 1.0)), 0.0))
        low = t < nodes_t[0]
        out[low] = np.sqrt(BCS_GAP_RATIO**2 / 2 - (math.pi**2 / 3) * t[low] ** 2)
    return float(out[0]) if scalar else out


# --------------------------------------------------------------------------------- lab units
def _field_from_reduced(h, tc, g):
    return h * K_B_MEV_PER_K * tc / (0.5 * g * MU_B_MEV_PER_T)


def pauli_limited_hc2(T, Tc, *, g: float = G_FACTOR_DEFAULT, transition: str = "thermodynamic"):
    """In-plane Hc2 (tesla) of a clean, Pauli-limited 2D superconductor at T (K), Tc (K).

    ``transition="thermodynamic"``: the physical Hc2, first order below T* = 0.5615 Tc
    (equal free energies), second order above; ``"second-order"``: the instability
    (super-cooling) line ln(Tc/T) = Re psi(1/2 + i h/2piT) - psi(1/2) at all T.
    B = h k_B Tc / ((g/2) mu_B).  0 < T <= Tc.  Sources: Sarma (1963); Maki & Tsuneto (1964).
    """
    tc = float(_check_tc(Tc))
    g = check_g(g)
    t = np.asarray(T, dtype=float) / tc
    if transition == "second-order":
        h = second_order_field_reduced(t)
    elif transition == "thermodynamic":
        h = physical_field_reduced(t, exact=True)
    else:
        raise ParameterError("transition", transition, "thermodynamic | second-order")
    return _field_from_reduced(np.asarray(h), tc, g) if np.ndim(h) else float(_field_from_reduced(h, tc, g))


def pauli_limited_curve(Tc: float, *, g: float = G_FACTOR_DEFAULT, n_points: int = 60) -> xr.Dataset:
    """Pauli-limited phase boundary as a Dataset: Hc2 (physical), H2 (second order), order, vs T.

    dims ``T`` (K); variables in tesla; attrs: Tc, g, B_P, the tricritical point.
    """
    from isingsc.experiment.results import finalize_lab

    tc = float(_check_tc(Tc))
    g = check_g(g)
    t = np.linspace(0.02, 1.0, int(n_points))
    tri = tricritical_point()
    h_phys = physical_field_reduced(t, exact=True)
    h2 = second_order_field_reduced(t)
    order = np.where(t < tri["T_over_Tc"], "first", "second")
    ds = xr.Dataset(
        {"Hc2": ("T", _field_from_reduced(h_phys, tc, g), {"units": "T", "long_name": "thermodynamic Hc2"}),
         "H2": ("T", _field_from_reduced(h2, tc, g), {"units": "T", "long_name": "second-order (super-cooling) field"}),
         "transition_order": ("T", order.astype(str), {"long_name": "order of the transition (first | second)"})},
        coords={"T": ("T", t * tc, {"units": "K"}), "T_over_Tc": ("T", t, {"units": "1"})},
    )
    return finalize_lab(ds, kind="pauli_limited_curve", Tc_K=tc, g=g, B_P_T=pauli_field(tc, g),
                        tricritical_T_over_Tc=tri["T_over_Tc"], tricritical_B_over_BP=tri["B_over_BP"])
