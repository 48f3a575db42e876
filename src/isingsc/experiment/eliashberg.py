"""McMillan and Allen-Dynes estimates of Tc from the electron-phonon coupling.

Units: Tc, Theta_D and omega_log in kelvin (multiply meV by 1/k_B = 11.6045 K/meV
with :func:`isingsc.core.units.mev_to_kelvin`).  lambda and mu* are dimensionless.

* McMillan, Phys. Rev. 167, 331 (1968), with Dynes' prefactor:
      Tc = (Theta_D / 1.45) exp[-1.04 (1 + lambda) / (lambda - mu* (1 + 0.62 lambda))]
* Allen & Dynes, PRB 12, 905 (1975), Eqs. (34)-(38):
      Tc = f1 f2 (omega_log / 1.2) exp[-1.04 (1 + lambda) / (lambda - mu* (1 + 0.62 lambda))]
      f1 = [1 + (lambda/L1)^(3/2)]^(1/3),  L1 = 2.46 (1 + 3.8 mu*)
      f2 = 1 + (wbar2/omega_log - 1) lambda^2 / (lambda^2 + L2^2),  L2 = 1.82 (1 + 6.3 mu*) (wbar2/omega_log)
  wbar2 = <omega^2>^(1/2) >= omega_log for any alpha^2 F, so f2 >= 1; f2 = 1 when the
  ratio is unknown (``omega2_over_omega_log=None``).  ``corrections=False`` gives the
  plain "McMillan-Allen-Dynes" form (f1 = f2 = 1) that many DFT papers quote.
The formula needs lambda > mu* (1 + 0.62 lambda) (attractive effective coupling).
"""

from __future__ import annotations

import math

from isingsc.core.errors import ParameterError, check_range


def _exponent(lam: float, mu_star: float) -> float:
    lam = check_range("lambda", lam, lo=0.0, lo_open=True)
    mu = check_range("mu_star", mu_star, lo=0.0, hi=1.0)
    denom = lam - mu * (1 + 0.62 * lam)
    if denom <= 0:
        raise ParameterError("lambda", lam, f"lambda > mu*(1 + 0.62 lambda), i.e. lambda > {mu / (1 - 0.62 * mu):.4g} "
                                            f"for mu* = {mu:g}" if mu < 1 / 0.62 else "lambda > mu*(1 + 0.62 lambda)")
    return -1.04 * (1 + lam) / denom


def mcmillan_tc(lam: float, mu_star: float, theta_debye_k: float) -> float:
    """McMillan Tc (K) = (Theta_D/1.45) exp[-1.04(1+lambda)/(lambda - mu*(1+0.62 lambda))] (PR 167, 331 (1968))."""
    theta = check_range("theta_D", theta_debye_k, lo=0.0, lo_open=True)
    return theta / 1.45 * math.exp(_exponent(lam, mu_star))


def allen_dynes_factors(lam: float, mu_star: float, omega2_over_omega_log: float | None = None) -> tuple[float, float]:
    """(f1, f2) strong-coupling and shape corrections of Allen & Dynes, PRB 12, 905 (1975)."""
    lam = check_range("lambda", lam, lo=0.0, lo_open=True)
    mu = check_range("mu_star", mu_star, lo=0.0, hi=1.0)
    lam1 = 2.46 * (1 + 3.8 * mu)
    f1 = (1 + (lam / lam1) ** 1.5) ** (1 / 3)
    if omega2_over_omega_log is None:
        return f1, 1.0
    r = check_range("omega2_over_omega_log", omega2_over_omega_log, lo=1.0)
    lam2 = 1.82 * (1 + 6.3 * mu) * r
    f2 = 1 + (r - 1) * lam**2 / (lam**2 + lam2**2)
    return f1, f2


def allen_dynes_tc(lam: float, mu_star: float, omega_log_k: float, *, corrections: bool = True,
                   omega2_over_omega_log: float | None = None) -> float:
    """Allen-Dynes Tc (K) from lambda, mu* and omega_log (K); f1 f2 applied unless ``corrections=False``."""
    w = check_range("omega_log", omega_log_k, lo=0.0, lo_open=True)
    f1, f2 = allen_dynes_factors(lam, mu_star, omega2_over_omega_log) if corrections else (1.0, 1.0)
    return f1 * f2 * w / 1.2 * math.exp(_exponent(lam, mu_star))


def omega_log_from_tc(tc_k: float, lam: float, mu_star: float, *, corrections: bool = True,
                      omega2_over_omega_log: float | None = None) -> float:
    """omega_log (K) that gives ``tc_k`` in :func:`allen_dynes_tc` (Tc is linear in omega_log)."""
    tc = check_range("Tc", tc_k, lo=0.0, lo_open=True)
    return tc / allen_dynes_tc(lam, mu_star, 1.0, corrections=corrections,
                               omega2_over_omega_log=omega2_over_omega_log)
