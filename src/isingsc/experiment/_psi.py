"""Digamma helpers for pair-breaking equations (private).

All pair-breaking equations of this package (Pauli, Ising, Klemm-Luther-Beasley,
Abrikosov-Gor'kov, WHH) reduce to sums of ``psi(1/2 + w) - psi(1/2)`` with a
complex ``w = z / (2 pi T)``.  Two things need care:

* at very low temperature ``w`` can exceed the float range, so the large-``w``
  branch is evaluated from logarithms, ``ln w = ln z - ln(2 pi T)``, with the
  asymptotic series psi(w + 1/2) = ln w + 1/(24 w^2) - 7/(960 w^4) + ...
  (Abramowitz & Stegun 6.3.18 shifted by 1/2; DLMF 5.15.8);
* :func:`scipy.special.polygamma` is real-only, so the second derivative
  psi''(z) needed for the quartic Landau coefficient is computed here by the
  recurrence psi''(z) = psi''(z + N) - 2 sum_{k<N} (z + k)^-3 and the
  asymptotic series of psi''(z) (DLMF 5.15.8 differentiated twice).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

#: psi(1/2) = -gamma_E - 2 ln 2 (DLMF 5.4.13).
PSI_HALF: float = float(digamma(0.5))

_BIG = 1e7  # |w| above which the asymptotic series is exact to double precision


def psi_shift(z, two_pi_t):
    """psi(1/2 + z / two_pi_t) - psi(1/2) for complex z with Re z >= 0 (array-valued).

    ``z`` and ``two_pi_t`` (= 2 pi k_B T) in the same energy unit.  ``z = 0``
    gives exactly 0.  No overflow for any ``two_pi_t > 0``.
    """
    z = np.asarray(z, dtype=complex)
    two_pi_t = np.asarray(two_pi_t, dtype=float)
    z, two_pi_t = np.broadcast_arrays(z, two_pi_t)
    out = np.zeros(z.shape, dtype=complex)
    absz = np.abs(z)
    nonzero = absz > 0
    # log|w| without forming w (w may overflow when T is tiny)
    with np.errstate(divide="ignore"):
        log_abs_w = np.where(nonzero, np.log(np.where(nonzero, absz, 1.0)) - np.log(two_pi_t), -np.inf)
    big = nonzero & (log_abs_w > np.log(_BIG))
    small = nonzero & ~big
    if np.any(small):
        w = z[small] / two_pi_t[small]
        out[small] = digamma(0.5 + w) - PSI_HALF
    if np.any(big):
        zb, tb = z[big], two_pi_t[big]
        log_w = np.log(zb) - np.log(tb)
        inv_w2 = np.exp(-2.0 * log_w)  # 1/w^2, tiny
        out[big] = log_w + inv_w2 / 24.0 - 7.0 * inv_w2**2 / 960.0 - PSI_HALF
    return out


def re_psi_shift_imag(x):
    """Re psi(1/2 + i x) - psi(1/2) for real x >= 0 (array); large x via ln x."""
    x = np.asarray(x, dtype=float)
    return psi_shift(1j * x, np.ones_like(x)).real


def psi2(z):
    """Second derivative of the digamma function, psi''(z), for complex z with Re z > 0."""
    z = np.asarray(z, dtype=complex)
    n_shift = 20
    acc = np.zeros_like(z)
    for k in range(n_shift):
        acc += 1.0 / (z + k) ** 3
    w = z + n_shift
    # psi''(w) ~ -1/w^2 - 1/w^3 - 1/(2 w^4) + 1/(6 w^6) - 1/(6 w^8) + 3/(10 w^10) - 5/(6 w^12)
    iw = 1.0 / w
    iw2 = iw * iw
    asym = -iw2 * (1 + iw + iw2 * (0.5 + iw2 * (-1 / 6 + iw2 * (1 / 6 + iw2 * (-3 / 10 + iw2 * 5 / 6)))))
    return asym - 2.0 * acc
