"""2D Ginzburg-Landau fields, Tinkham's angular formula, McMillan / Allen-Dynes and the W2N3 numbers."""

import math

import numpy as np
import pytest
import scipy.constants as sc

from isingsc.core.errors import ParameterError
from isingsc.experiment import eliashberg as E
from isingsc.experiment import ginzburg_landau as G

PHI0 = sc.h / (2 * sc.e)


def test_gl_perpendicular_and_parallel():
    # xi = 10 nm: Phi0 / (2 pi (1e-8 m)^2) = 3.2911 T
    assert G.gl_hc2_perpendicular(0.0, 5.0, 10.0) == pytest.approx(PHI0 / (2 * math.pi * 1e-16), rel=1e-12)
    assert G.gl_hc2_perpendicular(2.5, 5.0, 10.0) == pytest.approx(0.5 * PHI0 / (2 * math.pi * 1e-16), rel=1e-12)
    b = G.gl_hc2_parallel(np.array([0.0, 3.75]), 5.0, 10.0, 1.0)
    assert b[0] == pytest.approx(math.sqrt(12) * PHI0 / (2 * math.pi * 1e-8 * 1e-9), rel=1e-12)
    assert b[1] == pytest.approx(0.5 * b[0], rel=1e-12)  # sqrt(1 - 0.75)
    assert G.coherence_length_nm(G.gl_hc2_perpendicular(0.0, 5.0, 7.0)) == pytest.approx(7.0, rel=1e-12)
    assert G.thickness_nm(G.gl_hc2_parallel(0.0, 5.0, 7.0, 0.8), 7.0) == pytest.approx(0.8, rel=1e-12)


def test_tinkham_and_anisotropic_angles():
    bpe, bpa = 2.0, 30.0
    for f in (G.tinkham_hc2_angle, G.anisotropic_gl_hc2_angle):
        assert f(0.0, bpe, bpa) == pytest.approx(bpa, rel=1e-14)
        assert f(90.0, bpe, bpa) == pytest.approx(bpe, rel=1e-12)
    th = np.linspace(-89, 89, 41)
    b = G.tinkham_hc2_angle(th, bpe, bpa)
    r = np.deg2rad(th)
    assert np.allclose(np.abs(b * np.sin(r) / bpe) + (b * np.cos(r) / bpa) ** 2, 1.0, rtol=1e-12)
    b3 = G.anisotropic_gl_hc2_angle(th, bpe, bpa)
    assert np.allclose((b3 * np.sin(r) / bpe) ** 2 + (b3 * np.cos(r) / bpa) ** 2, 1.0, rtol=1e-12)
    # Tinkham has a cusp at theta = 0: with B = B_par - delta, to first order -2 delta/B_par + theta B_par/B_perp = 0,
    # so B_par - B(theta) = |theta| B_par^2 / (2 B_perp); the 3D form is smooth: ~ theta^2
    d = 1e-4
    slope_2d = (bpa - G.tinkham_hc2_angle(math.degrees(d), bpe, bpa)) / d
    assert slope_2d == pytest.approx(bpa**2 / (2 * bpe), rel=1e-3)
    def drop(f, x):
        return bpa - f(math.degrees(x), bpe, bpa)

    assert drop(G.tinkham_hc2_angle, 2 * d) / drop(G.tinkham_hc2_angle, d) == pytest.approx(2.0, rel=1e-3)
    # 3D: B = B_par (1 - theta^2 (B_par^2/B_perp^2 - 1)/2 + ...)
    assert drop(G.anisotropic_gl_hc2_angle, d) == pytest.approx(bpa * d**2 * (bpa**2 / bpe**2 - 1) / 2, rel=1e-3)
    assert drop(G.anisotropic_gl_hc2_angle, 2 * d) / drop(G.anisotropic_gl_hc2_angle, d) == pytest.approx(4.0, rel=1e-3)


def test_allen_dynes_factors_by_hand():
    lam, mu, r = 1.2, 0.13, 1.5
    l1 = 2.46 * (1 + 3.8 * mu)
    l2 = 1.82 * (1 + 6.3 * mu) * r
    f1, f2 = E.allen_dynes_factors(lam, mu, r)
    assert f1 == pytest.approx((1 + (lam / l1) ** 1.5) ** (1 / 3), rel=1e-14)
    assert f2 == pytest.approx(1 + (r - 1) * lam**2 / (lam**2 + l2**2), rel=1e-14)
    expo = math.exp(-1.04 * (1 + lam) / (lam - mu * (1 + 0.62 * lam)))
    assert E.allen_dynes_tc(lam, mu, 300.0, omega2_over_omega_log=r) == pytest.approx(f1 * f2 * 300 / 1.2 * expo, rel=1e-14)
    # McMillan with Theta_D/1.45 equals the plain Allen-Dynes form with omega_log/1.2 when Theta_D = 1.45/1.2 omega_log
    assert E.mcmillan_tc(lam, mu, 1.45 / 1.2 * 300.0) == pytest.approx(E.allen_dynes_tc(lam, mu, 300.0, corrections=False),
                                                                      rel=1e-14)
    assert E.omega_log_from_tc(E.allen_dynes_tc(lam, mu, 250.0), lam, mu) == pytest.approx(250.0, rel=1e-14)


def test_w2n3_review_values_from_a_single_omega_log():
    """The review (Chen & Ge) quotes lambda = 1.815: Tc = 24.58 K (mu* = 0.10) and 20.06 K (mu* = 0.17).

    Fixing omega_log with the first value, the second follows from the Tc ratio, which does not depend on
    omega_log.  Hand computation: exponent ratio exp(-2.01390 + 1.82694) = 0.82948 and f1(0.17)/f1(0.10) =
    1.09142/1.11627 = 0.97774.  The plain form gives 20.39 K, the f1-corrected form 19.93 K: the quoted 20.06 K
    lies between them and agrees with neither to the 0.005 K rounding of the quoted numbers (the discrepancy,
    0.6 % and 1.6 %, is explained in docs/experiment.md).  No physical f2 (wbar2/omega_log >= 1) can close it:
    f2 lowers the mu* = 0.17 value further.
    """
    lam, tc1, tc2 = 1.815, 24.58, 20.06
    e1 = math.exp(-1.04 * (1 + lam) / (lam - 0.10 * (1 + 0.62 * lam)))
    e2 = math.exp(-1.04 * (1 + lam) / (lam - 0.17 * (1 + 0.62 * lam)))
    f1a = (1 + (lam / (2.46 * (1 + 3.8 * 0.10))) ** 1.5) ** (1 / 3)
    f1b = (1 + (lam / (2.46 * (1 + 3.8 * 0.17))) ** 1.5) ** (1 / 3)
    plain = E.allen_dynes_tc(lam, 0.17, E.omega_log_from_tc(tc1, lam, 0.10, corrections=False), corrections=False)
    with_f1 = E.allen_dynes_tc(lam, 0.17, E.omega_log_from_tc(tc1, lam, 0.10))
    assert plain == pytest.approx(tc1 * e2 / e1, rel=1e-12)
    assert with_f1 == pytest.approx(tc1 * e2 / e1 * f1b / f1a, rel=1e-12)
    assert round(plain, 2) == 20.39 and round(with_f1, 2) == 19.93
    assert with_f1 < tc2 < plain
    assert abs(with_f1 - tc2) > 0.005 and abs(plain - tc2) > 0.005  # not a rounding effect
    for r in (1.0, 1.2, 2.0, 5.0):
        w = E.omega_log_from_tc(tc1, lam, 0.10, omega2_over_omega_log=r)
        assert E.allen_dynes_tc(lam, 0.17, w, omega2_over_omega_log=r) <= with_f1 + 1e-12
    # the omega_log each variant needs (reported in docs): 183.3 K (plain), 164.2 K (f1)
    assert round(E.omega_log_from_tc(tc1, lam, 0.10, corrections=False), 1) == 183.3
    assert round(E.omega_log_from_tc(tc1, lam, 0.10), 1) == 164.2


@pytest.mark.parametrize("call, name", [
    (lambda: E.allen_dynes_tc(0.1, 0.2, 100.0), "lambda"),
    (lambda: E.allen_dynes_tc(1.0, -0.1, 100.0), "mu_star"),
    (lambda: E.allen_dynes_tc(1.0, 0.1, 0.0), "omega_log"),
    (lambda: E.allen_dynes_tc(1.0, 0.1, 100.0, omega2_over_omega_log=0.5), "omega2_over_omega_log"),
    (lambda: G.gl_hc2_perpendicular(6.0, 5.0, 10.0), "T"),
    (lambda: G.gl_hc2_parallel(1.0, 5.0, 10.0, 0.0), "d_nm"),
    (lambda: G.tinkham_hc2_angle(10.0, -1.0, 3.0), "B_perp"),
])
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ParameterError) as exc:
        call()
    assert name in str(exc.value) and "allowed range" in str(exc.value)
