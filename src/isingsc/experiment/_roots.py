"""Vectorised bracketing root finder shared by the Hc2 solvers (private).

Every Hc2 equation of the toolkit has the form f(x; args) = 0 with f increasing
in x from f(lo) < 0, so a bracket is found by doubling an upper bound and the
root by a bracketing method: scipy's element-wise Chandrupatla solver
(:func:`scipy.optimize.elementwise.find_root`, scipy >= 1.15) when available,
else :func:`scipy.optimize.brentq` point by point.  Bracketing methods cannot
diverge, which is what "robust for all 0 < T < Tc" needs.

``f(x, *args)`` must be element-wise: x and every arg have the same shape.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from isingsc.core.errors import ConvergenceError

try:  # scipy >= 1.15
    from scipy.optimize.elementwise import find_root as _find_root
except ImportError:  # pragma: no cover - older scipy
    _find_root = None

XRTOL = 1e-13


def expand_upper(f, lo, hi, args=(), *, what: str, max_doublings: int = 300):
    """Double ``hi`` element-wise until f(hi) > 0 (f increasing, f(lo) < 0)."""
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    val = f(hi, *args)
    for _ in range(max_doublings):
        bad = ~(val > 0)
        if not np.any(bad):
            return lo, hi
        lo = np.where(bad, hi, lo)
        hi = np.where(bad, 2.0 * hi, hi)
        val = np.where(bad, f(hi, *args), val)
    raise ConvergenceError(f"could not bracket {what}: no sign change up to {np.max(hi):.3g}")


def find_roots(f, lo, hi, args=(), *, what: str, xrtol: float = XRTOL):
    """Roots of the increasing, element-wise ``f(x, *args)`` inside the brackets [lo, hi]."""
    lo = np.asarray(lo, float)
    hi = np.asarray(hi, float)
    if lo.size == 0:
        return np.zeros(lo.shape)
    if _find_root is not None:
        res = _find_root(f, (lo, hi), args=tuple(args), tolerances={"xrtol": xrtol, "xatol": 1e-300})
        if not np.all(res.success):
            raise ConvergenceError(f"root finding for {what} failed at {int(np.sum(~res.success))} point(s)")
        return np.asarray(res.x, dtype=float)
    out = np.empty(lo.shape)  # pragma: no cover - older scipy
    for idx in np.ndindex(lo.shape):  # pragma: no cover
        a = [np.array([np.asarray(v)[idx]]) for v in args]
        out[idx] = brentq(lambda x: float(f(np.array([x]), *a)[0]), lo[idx], hi[idx],
                          rtol=4 * np.finfo(float).eps)
    return out  # pragma: no cover
