"""2D Ginzburg-Landau critical fields of a thin film and their angular dependence.

Units: T and Tc in K, fields in tesla, lengths in nm.  Phi0 = h/2e from
:mod:`isingsc.core.units` (CODATA).  Sources: Tinkham, "Introduction to
Superconductivity", 2nd ed. (1996): thin-film critical fields (Ch. 4) and the
anisotropic (effective-mass) GL model (Ch. 9); Tinkham, Phys. Rev. 129, 2413
(1963): angular dependence of the critical field of a thin film.

    B_perp(T) = Phi0 / (2 pi xi_GL(0)^2) (1 - T/Tc)
    B_par(T)  = sqrt(12) Phi0 / (2 pi xi_GL(0) d) (1 - T/Tc)^(1/2)     (d << xi)
    Tinkham 2D:       |B(th) sin th / B_perp| + (B(th) cos th / B_par)^2 = 1   (cusp at th = 0)
    anisotropic 3D:   (B(th) sin th / B_perp)^2 + (B(th) cos th / B_par)^2 = 1
with th the angle between field and film plane.
"""

from __future__ import annotations

import math

import numpy as np

from isingsc.core.errors import ParameterError, check_range
from isingsc.core.units import PHI0_WB

NM = 1e-9
SQRT12 = math.sqrt(12.0)


def _reduced_gap(T, Tc):
    tc = check_range("Tc", Tc, lo=0.0, lo_open=True)
    T = np.asarray(T, dtype=float)
    bad = ~np.isfinite(T) | (T < 0) | (T > tc)
    if np.any(bad):
        raise ParameterError("T", float(np.atleast_1d(T)[np.atleast_1d(bad)][0]), f"0 <= T <= Tc = {tc:g} K")
    return 1.0 - T / tc


def _out(x):
    return float(x) if np.ndim(x) == 0 else x


def gl_hc2_perpendicular(T, Tc, xi0_nm):
    """Perpendicular Hc2 (T) of a 2D film: Phi0/(2 pi xi(0)^2) (1 - T/Tc); xi(0) the GL coherence length (nm)."""
    xi = check_range("xi0_nm", xi0_nm, lo=0.0, lo_open=True) * NM
    return _out(PHI0_WB / (2 * math.pi * xi**2) * _reduced_gap(T, Tc))


def gl_hc2_parallel(T, Tc, xi0_nm, d_nm):
    """Parallel Hc2 (T) of a film of thickness d << xi: sqrt(12) Phi0/(2 pi xi(0) d) (1 - T/Tc)^(1/2).

    Only the product xi(0) d is constrained by parallel data alone.
    """
    xi = check_range("xi0_nm", xi0_nm, lo=0.0, lo_open=True) * NM
    d = check_range("d_nm", d_nm, lo=0.0, lo_open=True) * NM
    return _out(SQRT12 * PHI0_WB / (2 * math.pi * xi * d) * np.sqrt(_reduced_gap(T, Tc)))


def coherence_length_nm(b_perp0_tesla):
    """xi_GL(0) in nm from the T = 0 extrapolated perpendicular field: sqrt(Phi0 / (2 pi B_perp(0)))."""
    b = check_range("B_perp0", b_perp0_tesla, lo=0.0, lo_open=True)
    return math.sqrt(PHI0_WB / (2 * math.pi * b)) / NM


def thickness_nm(b_par0_tesla, xi0_nm):
    """GL thickness d (nm) from the T = 0 extrapolated parallel field and xi(0): sqrt(12) Phi0/(2 pi xi B_par(0))."""
    b = check_range("B_par0", b_par0_tesla, lo=0.0, lo_open=True)
    xi = check_range("xi0_nm", xi0_nm, lo=0.0, lo_open=True) * NM
    return SQRT12 * PHI0_WB / (2 * math.pi * xi * b) / NM


def _angles(theta_deg):
    th = np.deg2rad(np.asarray(theta_deg, dtype=float))
    if np.any(~np.isfinite(th)):
        raise ParameterError("theta", theta_deg, "finite angle in degrees")
    return np.abs(np.sin(th)), np.cos(th) ** 2


def tinkham_hc2_angle(theta_deg, b_perp, b_par):
    """Hc2(theta) (T) of a 2D film from Tinkham's formula; theta from the film plane (degrees).

    Solves c B^2 + s B - 1 = 0 with s = |sin th|/B_perp, c = cos^2 th / B_par^2 (positive root,
    written as 2/(s + sqrt(s^2 + 4c)) to stay accurate when c -> 0).
    """
    bpe = check_range("B_perp", b_perp, lo=0.0, lo_open=True)
    bpa = check_range("B_par", b_par, lo=0.0, lo_open=True)
    s, c2 = _angles(theta_deg)
    s, c = s / bpe, c2 / bpa**2
    return _out(2.0 / (s + np.sqrt(s * s + 4 * c)))


def anisotropic_gl_hc2_angle(theta_deg, b_perp, b_par):
    """Hc2(theta) (T) of the anisotropic 3D GL model: [(sin th/B_perp)^2 + (cos th/B_par)^2]^(-1/2)."""
    bpe = check_range("B_perp", b_perp, lo=0.0, lo_open=True)
    bpa = check_range("B_par", b_par, lo=0.0, lo_open=True)
    s, c2 = _angles(theta_deg)
    return _out(1.0 / np.sqrt((s / bpe) ** 2 + c2 / bpa**2))
