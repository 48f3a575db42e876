"""Josephson junctions between Ising superconductors (isingsc.junctions): checks against closed forms,
symmetries and a second method (Green's functions against Hellmann-Feynman)."""

import numpy as np
import pytest

import isingsc
from isingsc.core.errors import ParameterError
from isingsc.junctions.greens import (
    LateralJunction,
    VerticalGreens,
    fermi_from_poles,
    fermi_poles,
)
from isingsc.junctions.squid import DomainJunction, FourierCPR, Squid
from isingsc.junctions.vertical import Barrier, Junction
from isingsc.lattice.quadrature import QuadratureSpec
from isingsc.lattice.triangular import structure_factors
from isingsc.models.base import SIGMA0, TightBindingModel

#: A conventional electrode (no SOC) and a strong Ising one, with a large gap so that coarse meshes converge.
SC = isingsc.model("sc", mu_sc=1.0)
ISING = isingsc.model("intrinsic", mu=1.0, beta_so=0.3)
DELTA = 0.05
T = 0.01
COARSE = QuadratureSpec(energy_scale=DELTA, n_theta=4, order=4)
#: For identities that hold on any mesh (symmetries, two methods on one mesh): the smallest quadrature.
TINY = QuadratureSpec(energy_scale=DELTA, n_theta=2, order=2)


def chain():
    """Spinful chains along a2: at fixed k along the zigzag-x edge each is a 1D chain with hopping -1."""
    return TightBindingModel("chain", ("s",), {(0, 0): 0 * SIGMA0, (0, 1): -1.0 * SIGMA0}, pairing_orbitals=("s",))


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("make, name", [
    (lambda: Barrier(m=(1.0, 1.0, 0.0)), "m"),
    (lambda: Barrier(m=(0.0, 0.0, 0.999)), "m"),
    (lambda: Barrier(layers=-1), "layers"),
    (lambda: Barrier(layers=1.5), "layers"),
    (lambda: Junction(SC, stacking=0.3), "stacking"),
    (lambda: Junction(SC, delta=-0.1), "delta"),
    (lambda: Junction(SC).current_phase([0.0], T=0.0), "T"),
    (lambda: Junction(SC).current_phase([0.0], T=-1.0), "T"),
    (lambda: Junction(SC).current_phase([7.0], T=0.01), "phases"),
    (lambda: Junction(SC).current_phase([np.nan], T=0.01), "phases"),
    (lambda: Junction(SC).ground_state_map(0.01, theta=[0.0], layers=[-1]), "layers"),
])
def test_bad_input_names_the_parameter(make, name):
    """Each invalid input raises ParameterError naming the parameter, before any k mesh is built
    (the checks come first: these calls return in milliseconds)."""
    with pytest.raises(ParameterError) as err:
        make()
    assert err.value.name == name


# ------------------------------------------------------------------ symmetries and Hellmann-Feynman
def test_current_is_odd_periodic_and_the_derivative_of_f():
    """I(phi) is odd and 2 pi periodic (F is even: complex conjugation maps phi -> -phi for these
    electrodes, whose Hamiltonians are real up to spin rotations that commute with the pairing... checked
    here numerically), and the Hellmann-Feynman current equals 2 dF/dphi of the eigenvalue-only free
    energy (central differences, h = 1e-3: error O(h^2) ~ 1e-6 relative)."""
    j = Junction(ISING, barrier=Barrier.magnetic(0.05, 0.08, 0.9, 0.4), delta=DELTA, spec=TINY, tol=1.0)
    phi = np.array([0.7, 2.1])
    h = 1e-3
    ds = j.current_phase(np.concatenate([phi, -phi, phi - 2 * np.pi, phi + h, phi - h]), T)
    i = ds.current.values
    scale = np.abs(i[:2]).max()
    np.testing.assert_allclose(i[2:4], -i[:2], atol=1e-10 * scale)
    np.testing.assert_allclose(i[4:6], i[:2], atol=1e-10 * scale)
    f = ds.free_energy.values
    fd = 2 * (f[6:8] - f[8:10]) / (2 * h)
    np.testing.assert_allclose(fd, i[:2], rtol=1e-5)
    assert 0 <= ds.attrs["achieved_convergence"] <= ds.attrs["tolerance"]
    assert ds.current.attrs["units"].startswith("e|t|/hbar")


def test_greens_function_current_equals_hellmann_feynman():
    """The link formula with the electrodes' Green's functions summed over Ozaki poles gives the same
    current as the Hellmann-Feynman derivative of the spectrum (two different methods, same mesh)."""
    j = Junction(ISING, barrier=Barrier.magnetic(0.06, 0.1, 0.6), delta=DELTA, spec=TINY, tol=1.0)
    phases = np.array([0.5, 2.5])
    hf = j.current_phase(phases, 2 * T)
    gf = VerticalGreens(j, tol=1e-7).current_phase(phases, 2 * T)
    assert gf.attrs["k_points"] == hf.attrs["k_points"]
    np.testing.assert_allclose(gf.current.values, hf.current.values, rtol=1e-6)


def test_fermi_pole_expansion():
    """Ozaki's poles reproduce the Fermi function 1/(e^x + 1) to rounding for |x| <= 60 with 16 poles."""
    x = np.linspace(-60, 60, 601)
    np.testing.assert_allclose(fermi_from_poles(x, 16), 1 / (np.exp(x) + 1), atol=1e-12)
    z, r = fermi_poles(8)
    assert np.all(np.diff(z) > 0) and np.all(r > 0)
    # the lowest poles approach the Matsubara ones (2n+1) pi with residue 1
    np.testing.assert_allclose(fermi_poles(64)[0][:3], np.pi * np.array([1, 3, 5]), rtol=1e-10)


# ------------------------------------------------------------------ conventional electrodes
def test_conventional_electrode_does_not_feel_the_magnetisation_direction():
    """Without spin-orbit coupling the electrodes are spin-rotation invariant: rotating m is a global
    spin rotation, so F(phi) and the ground state do not depend on the direction of m (exactly)."""
    out = []
    for theta, az in ((0.0, 0.0), (np.pi / 2, 0.0), (1.1, 2.0)):
        j = Junction(SC, barrier=Barrier.magnetic(0.05, 0.08, theta, az), delta=DELTA, spec=TINY, tol=1.0)
        out.append(j.current_phase([np.pi / 2, np.pi], T).free_energy.values)
    np.testing.assert_allclose(out[1], out[0], rtol=1e-9)
    np.testing.assert_allclose(out[2], out[0], rtol=1e-9)
    # t_m > t0: the singlet picks up (t0^2 - t_m^2) < 0 -> a pi junction for every direction
    assert out[0][1] < 0


def _chain_current(delta, coupling, phases, temperature):
    lj = LateralJunction(chain(), "zigzag-x", coupling=coupling, delta=delta)
    tau = np.pi * lj.normal_conductance()  # G = tau/pi e^2/hbar for a spin-degenerate channel
    return lj.current_phase(phases, temperature).current.values, tau


def test_transmission_of_a_weak_link():
    """Landauer transmission of two semi-infinite chains (hopping t) joined by x t, at the band centre:
    surface Green's functions g = -i/t give tau = 4 x^2 / (1 + x^2)^2."""
    for x in (1.0, 0.3):
        lj = LateralJunction(chain(), "zigzag-x", coupling=x, delta=0.01)
        assert np.pi * lj.normal_conductance() == pytest.approx(4 * x * x / (1 + x * x) ** 2, rel=1e-4)


@pytest.mark.parametrize("coupling", [1.0, 0.3])
def test_short_ballistic_channel(coupling):
    """Short channel of transmission tau: Andreev levels +-E_A, E_A = Delta sqrt(1 - tau sin^2(phi/2)),
    F = -2 T ln 2cosh(E_A/2T) per spin-degenerate channel, so I = (2e/hbar) dF/dphi =
    (e Delta^2 tau / 2 hbar) sin(phi) tanh(E_A/2T) / E_A; at tau = 1, T -> 0: (e Delta/hbar) sin(phi/2),
    I_c = e Delta/hbar.  The lattice chain approaches it as Delta/t -> 0 (corrections linear in Delta/t):
    the Richardson extrapolation 2 I(Delta/2)/I0(Delta/2) - I(Delta)/I0(Delta) matches within 0.3 %."""
    phases = np.array([np.pi / 2, 0.8 * np.pi])
    ratios = []
    for delta in (0.008, 0.004):
        t_low = delta / 50
        i, tau = _chain_current(delta, coupling, phases, t_low)
        ea = delta * np.sqrt(1 - tau * np.sin(phases / 2) ** 2)
        exact = delta ** 2 * tau * np.sin(phases) / (2 * ea) * np.tanh(ea / (2 * t_low))
        ratios.append(i / exact)
    assert np.all(np.abs(ratios[1] - 1) < np.abs(ratios[0] - 1))
    np.testing.assert_allclose(2 * ratios[1] - ratios[0], 1.0, atol=3e-3)
    if coupling == 1.0:  # I_c = e Delta / hbar at phi -> pi
        np.testing.assert_allclose(ratios[1] * 0.004 * np.sin(phases / 2) / 0.004, np.sin(phases / 2), rtol=2e-2)


def test_ambegaokar_baratoff_tunnel_limit():
    """Tunnel limit (tau << 1) of one conventional channel: I(phi) = I_c sin(phi) (1 + O(tau)) with
    I_c R_N = (pi Delta / 2e) tanh(Delta / 2 k_B T), R_N = 1/G_N from the normal-state Landauer
    conductance of the same link.  In the units here (I in e|t|/hbar, G in e^2/hbar):
    I_c / G_N = (pi/2) Delta tanh(Delta/2T).  The lattice link's scattering phase varies with energy on
    the scale t, so the ratio tends to 1 as Delta/t -> 0 with corrections in powers of Delta/t: the
    quadratic Richardson extrapolation (8 r(D/4) - 6 r(D/2) + r(D))/3 is compared, at two temperatures;
    tau = 4 x^2/(1 + x^2)^2 ~ 0.01 keeps the O(tau) shape corrections below 0.3 %."""
    for t_over_delta in (0.2, 1.0):
        r = []
        for delta in (0.008, 0.004, 0.002):
            lj = LateralJunction(chain(), "zigzag-x", coupling=0.05, delta=delta)
            ic = lj.current_phase([np.pi / 2], t_over_delta * delta).current.values[0]
            r.append(ic / lj.normal_conductance() / (np.pi / 2 * delta * np.tanh(1 / (2 * t_over_delta))))
        assert abs(r[2] - 1) < abs(r[1] - 1) < abs(r[0] - 1)
        assert (8 * r[2] - 6 * r[1] + r[0]) / 3 == pytest.approx(1.0, abs=3e-3)


# ------------------------------------------------------------------ Ising electrodes, tunnel limit
def _pocket_average_ratio(beta_so, delta, temperature, t_k=-1.0, mu_k=2.5, n_angles=240, n_w=4000):
    """Second-order (in T) prediction for pure spin tunnelling T = t_m m.sigma between identical Ising
    electrodes (H = xi + beta(k) sigma_z, singlet Delta): the anomalous functions are
    F = Delta (a + b sigma_z)(-i sigma_y), a, b = (f_+ +- f_-)/2, f_+- = 1/(w^2 + (xi +- beta)^2 + Delta^2), and
    E_J ~ Re e^{i phi} sum_k sum_w Tr[(a + b sigma_z) T (a + b sigma_z) (t0 - t_m m.sigma)]
        = 2 [a a (t0^2 - t_m^2) + b b (t0^2 - t_m^2 cos 2 theta)]:
    at t0 = 0, [F(pi) - F(0)](theta = pi/2) / [F(pi) - F(0)](theta = 0) = <A - B> / <A + B>, with (xi
    integrated over a flat DOS) A + B = pi / (2 W^3), A - B = pi / (2 W (W^2 + beta^2)), W = sqrt(w^2 + Delta^2).
    The Matsubara sums are done here directly, the Fermi-surface average over the K pocket (contour by
    bisection on rays from K, weight q_F / |d xi/dq|) with beta = 2 beta_so S(k)."""
    K = np.array([4 * np.pi / 3, 0.0])
    th = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    u = np.stack([np.cos(th), np.sin(th)], -1)

    def xi(q):
        return 2 * t_k * structure_factors(K + q[:, None] * u)[0] - mu_k

    lo, hi = np.full(n_angles, 1e-6), np.full(n_angles, 2 * np.pi / 3)
    s_lo = np.sign(xi(lo))
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        same = np.sign(xi(mid)) == s_lo
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    q = 0.5 * (lo + hi)
    dq = 1e-6
    weight = q / np.abs((xi(q + dq) - xi(q - dq)) / (2 * dq))
    beta = 2 * beta_so * structure_factors(K + q[:, None] * u)[1]
    w = np.pi * temperature * (2 * np.arange(n_w) + 1)
    big_w = np.sqrt(w ** 2 + delta ** 2)
    s3 = np.sum(1 / big_w ** 3)
    s1 = np.sum(1 / (big_w[None] * (big_w[None] ** 2 + beta[:, None] ** 2)), axis=1)
    return float(np.sum(weight * s1) / (np.sum(weight) * s3))


@pytest.mark.slow
@pytest.mark.parametrize("beta_so", [0.006, 0.02])
def test_ising_tunnel_limit_angle_ratio(beta_so):
    """Full calculation against the second-order closed form (docstring of _pocket_average_ratio): WS2-like
    K pockets, beta/Delta ~ 0.8 and 2.8, pure spin-filter tunnelling t_m = 0.005 (second order exact to
    O(t_m^2/Delta^2)... here (t_m/Delta)^2 < 0.03 of the ratio's correction)."""
    delta, temperature = 0.03, 0.004
    ws2 = isingsc.model("ws2", beta_so=beta_so)
    dF = []
    for theta in (0.0, np.pi / 2):
        j = Junction(ws2, barrier=Barrier.magnetic(0.0, 0.005, theta), delta=delta)
        dF.append(j.current_phase([np.pi], temperature).free_energy.values[0])
    predicted = _pocket_average_ratio(beta_so, delta, temperature)
    assert dF[1] / dF[0] == pytest.approx(predicted, rel=2e-2)
    assert dF[0] < 0  # pure spin tunnelling (t0 = 0): J = -t_m^2 (A + B) < 0, a pi junction


@pytest.mark.slow
def test_sixty_degree_stacking_reverses_the_ising_field():
    """Rotating the right electrode by 60 deg maps S(k) -> -S(k): b_R = -b_L in the second-order coupling,
    so with spin-independent tunnelling (t_m = 0) J(60)/J(0) = (A - B)/(A + B), the same pocket-averaged
    closed form as the pure spin-tunnelling angle ratio (_pocket_average_ratio)."""
    delta, temperature, beta_so = 0.03, 0.004, 0.006
    ws2 = isingsc.model("ws2", beta_so=beta_so)
    dF = [Junction(ws2, barrier=Barrier(t0=0.005), delta=delta, stacking=s).current_phase([np.pi], temperature)
          .free_energy.values[0] for s in (0.0, np.pi / 3)]
    assert dF[1] / dF[0] == pytest.approx(_pocket_average_ratio(beta_so, delta, temperature), rel=2e-2)
    assert dF[0] > 0  # a plain tunnel barrier: a 0 junction


@pytest.mark.slow
def test_ising_angle_dependence_is_second_harmonic_in_theta():
    """At second order in T the coupling is J(theta) = c0 + c2 cos 2 theta (derivation in
    _pocket_average_ratio): hence [F(pi) - F(0)] at theta = pi/4 is the mean of its values at 0 and pi/2;
    the deviation is of fourth order, (t/Delta)^2 relative, and falls ~4x when t0 and t_m are halved
    (one k mesh for all angles: Junction.variant).  Strong Ising SOC: out of plane -> pi, in plane -> 0
    for t_m > t0 (J = 2A (t0^2 - t_m^2 cos^2 theta) when A ~ B)."""
    dev = []
    for scale in (1.0, 0.5):
        base = Junction(ISING, barrier=Barrier.magnetic(0.01 * scale, 0.02 * scale, 0.0), delta=DELTA,
                        spec=COARSE, tol=0.1)
        d = [base.current_phase([np.pi], T).free_energy.values[0]]
        for theta in (np.pi / 4, np.pi / 2):
            m = (np.sin(theta), 0.0, np.cos(theta))
            d.append(base.variant(m=m).current_phase([np.pi], T).free_energy.values[0])
        dev.append(abs(d[1] - 0.5 * (d[0] + d[2])) / abs(d[0] - d[2]))
        if scale == 1.0:
            assert d[0] < 0 < d[2]  # pi out of plane, 0 in plane
    assert dev[1] < dev[0] / 3
    assert dev[1] < 5e-3


# ------------------------------------------------------------------ phi junctions and SQUIDs
@pytest.mark.parametrize("i1, i2", [(0.2, -0.5), (-0.6, -0.4), (0.0, -1.0)])
def test_two_harmonic_phi0(i1, i2):
    """F = -E1 cos phi - E2 cos 2 phi (I = 2 dF/dphi: I1 = 2 E1, I2 = 4 E2): minima at cos phi0 = -I1/(2 I2)
    when E2 < 0 and |E1| < 4|E2|, degenerate +-phi0."""
    dj = DomainJunction([FourierCPR.from_harmonics([i1, i2])], weights=[1.0])
    gs = dj.ground_state()
    assert gs.attrs["ground_state_class"] == "phi0"
    assert float(gs.phi0) == pytest.approx(np.arccos(-i1 / (2 * i2)), abs=1e-9)
    np.testing.assert_allclose(np.sort(gs.minima.values), [-float(gs.phi0), float(gs.phi0)], atol=1e-9)


def test_zero_and_pi_domains_make_a_phi_junction():
    """Equal 0 and pi domains with the same second harmonic: I1 cancels, phi0 = pi/2; weights from a
    domain map are the area fractions."""
    zero = FourierCPR.from_harmonics([1.0, -0.2])
    pi = FourierCPR.from_harmonics([-1.0, -0.2])
    dmap = np.array([[0, 1], [1, 0]])
    gs = DomainJunction([zero, pi], domain_map=dmap).ground_state()
    assert float(gs.phi0) == pytest.approx(np.pi / 2, abs=1e-9)
    assert DomainJunction([zero, pi], weights=[1, 0]).ground_state().attrs["ground_state_class"] == "0"
    with pytest.raises(ParameterError):
        DomainJunction([zero, pi], domain_map=[[0, 2]])


def test_squid_of_two_sinusoidal_junctions():
    """Two sinusoidal junctions: I_c(Phi) = sqrt(I_a^2 + I_b^2 + 2 I_a I_b cos(2 pi Phi/Phi0))."""
    flux = np.linspace(-1, 1, 21)
    sq = Squid(FourierCPR.from_harmonics([0.7]), 1.3).critical_current(flux)
    exact = np.sqrt(0.7 ** 2 + 1.3 ** 2 + 2 * 0.7 * 1.3 * np.cos(2 * np.pi * flux))
    np.testing.assert_allclose(sq.critical_current.values, exact, rtol=1e-8)


def test_squid_branches_of_a_phi_junction():
    """A phi junction (minima +-pi/2 of F = -E2 cos 2 phi, E2 < 0) held in either basin: two branches of
    I_c(Phi), each below the global I_c(Phi).  With only even harmonics I_a(phi + pi) = I_a(phi), and the
    basin of -phi0 is that of +phi0 shifted by pi: branch-(Phi) = branch+(Phi - 1/2)."""
    flux = np.linspace(-0.5, 0.5, 41)
    dj = DomainJunction([FourierCPR.from_harmonics([0.0, -1.0])], weights=[1.0])
    sq = Squid(dj, 3.0).critical_current(flux)
    b = sq.branch_critical_current.values
    assert np.all(b <= sq.critical_current.values[None] + 1e-9)
    # (maxima on a basin edge are found by a bounded search to ~1e-7)
    np.testing.assert_allclose(b[1][:21], b[0][20:], rtol=1e-6, atol=1e-6)  # period 1 in Phi
    assert not np.allclose(b[0], b[1])


def test_fourier_current_on_a_uniform_grid_equals_hellmann_feynman():
    """On a uniform phase grid the CPR comes from the Fourier series of F (eigenvalues only); at the same phases
    without the full period (so every phase by Hellmann-Feynman) the currents agree within the check's bound."""
    import isingsc

    j = Junction(isingsc.model("intrinsic", beta_so=0.3, mu=1.0), barrier=Barrier(0.05, 0.1, (1.0, 0.0, 0.0)),
                 delta=0.05, tol=1e-2)
    phases = np.linspace(-np.pi, np.pi, 32, endpoint=False)
    fast = j.current_phase(phases, T=0.005)
    exact = j.current_phase(phases[:-1], T=0.005)
    assert "Fourier" in fast.attrs["current_method"] and "every phase" in exact.attrs["current_method"]
    scale = np.abs(exact.current.values).max()
    assert np.abs(fast.current.values[:-1] - exact.current.values).max() <= 1e-3 * scale
    np.testing.assert_allclose(fast.free_energy.values[:-1], exact.free_energy.values, rtol=0, atol=1e-12 * scale)
