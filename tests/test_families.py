"""Model families (type-II, Ising + Rashba, anisotropic, multi-pocket) against limits derived elsewhere.

Every Hc2 number is a Zeeman energy V = mu_B B normalised by the model's own Pauli field
HP = Delta0/sqrt2, temperatures by its own Tc (Delta0 = 0.03 |t|; weak coupling, Tc ~ 0.017 |t|);
each family model is its own reference, so T/Tc and T/Tc_reference coincide.
Reference results:
* clean Ising formula, ln(T/Tc) + V^2/(beta^2 + V^2) [Re psi(1/2 + i sqrt(beta^2 + V^2)/2piT) - psi(1/2)] = 0
  (Lu et al., Science 350, 1353 (2015); Xi et al., Nat. Phys. 12, 139 (2016); implemented and tested
  independently in isingsc.experiment.ising);
* symmetry: spin rotation about z (sigma_z-only SOC), C3 x time reversal, mirrors;
* experiment (review Fig. 7b): few-layer stanene, Hc2 ~ 2 HP with a low-T upturn.
"""

import numpy as np
import pytest

from isingsc.core.errors import ParameterError
from isingsc.core.field import Field
from isingsc.experiment.ising import clean_ising_field_reduced
from isingsc.lattice.triangular import NN_VECTORS, structure_factors
from isingsc.meanfield import (MeanField, PairingProblem, angular_harmonics, default_spec, instability_field,
                               quadrature_for)
from isingsc.models.base import TightBindingModel
from isingsc.models.families import (MOTE2, NBSE2, TYPE_II, AnisotropicParams, RashbaParams, TypeIIParams,
                                     anisotropic_model, k_only_model, k_pocket_ising_field, multipocket_model,
                                     rashba_model, stanene_model, type_ii_model)
from isingsc.models.paper import IsingParams, intrinsic_ising_model

DELTA0 = 0.03
BCS_RATIO = np.pi * np.exp(-np.euler_gamma)  # Delta0/Tc in weak coupling


def clean_ising(ds, beta):
    """Clean Ising Hc2/HP at the dataset's T/Tc for Ising field beta (|t|), with the dataset's Tc and HP."""
    tc, hp = ds.attrs["Tc_reference"], ds.attrs["HP_reference"]
    return clean_ising_field_reduced(ds.T_over_Tc_reference.values, beta / tc) * tc / hp


def v2_over_hp(model, t_over_tc, **kw):
    """Second-order field V2/HP at T/Tc = t_over_tc (scalar or list) on the starting quadrature, and the
    MeanField: the pair-susceptibility root (cheaper than the full Hc2 search, and equal to Hc2 where the
    transition is second order), solved again with panels at the Zeeman-split crossings of the field found."""
    mf = MeanField(model, delta0=DELTA0, **kw)
    ref = mf.reference_state()
    vp = ref.pauli_field
    out = []
    for t in np.atleast_1d(t_over_tc):
        T = t * ref.tc
        v = instability_field(mf.problem_for(T), T, v_start=0.05 * vp, v_max=60 * vp, xtol=1e-8 * vp)
        v = instability_field(mf.problem_for(T, [Field.in_plane(v)]), T, v_start=0.05 * vp, v_max=60 * vp,
                              xtol=1e-8 * vp, guess=v)
        out.append(v / vp)
    return (out[0] if np.ndim(t_over_tc) == 0 else np.array(out)), mf


# ------------------------------------------------------------------------------ type II
def test_type_ii_bands_are_doubly_degenerate_and_locked(rng):
    """Zero orbital splitting: E = 2tC - mu +- beta_SO, each twice (p_+ up / p_- dn share +beta)."""
    p = TYPE_II
    k = rng.uniform(-4, 4, (50, 2))
    e = np.linalg.eigvalsh(type_ii_model(p).hamiltonian(k))
    xi = 2 * p.t * structure_factors(k)[0] - p.mu
    expect = np.sort(np.stack([xi - p.beta_so, xi - p.beta_so, xi + p.beta_so, xi + p.beta_so], -1), axis=-1)
    np.testing.assert_allclose(e, expect, atol=1e-12)


def test_type_ii_orbital_texture_near_gamma(rng):
    """With t_orb: degenerate doublet at Gamma (C3), and near Gamma each Kramers pair is split by
    2 sqrt(beta^2 + g^2), g = (3/4) t_orb k^2 (expansion of sum_i cos(k.R_i)(cos 2theta_i, sin 2theta_i)
    = -(3/8) k^2 (cos 2alpha, sin 2alpha) + O(k^4))."""
    p = TypeIIParams(t_orb=0.3, beta_so=0.05)
    m = type_ii_model(p)
    e0 = np.linalg.eigvalsh(m.hamiltonian(np.zeros((1, 2))))[0]
    np.testing.assert_allclose(e0, 6 * p.t - p.mu + np.array([-1, -1, 1, 1]) * p.beta_so, atol=1e-12)
    kk = 0.08
    for alpha in rng.uniform(0, 2 * np.pi, 4):
        e = np.linalg.eigvalsh(m.hamiltonian(kk * np.array([[np.cos(alpha), np.sin(alpha)]])))[0]
        assert e[0] == pytest.approx(e[1], abs=1e-12) and e[2] == pytest.approx(e[3], abs=1e-12)
        assert (e[2] - e[0]) / 2 == pytest.approx(np.hypot(p.beta_so, 0.75 * p.t_orb * kk**2), rel=2e-3)


@pytest.fixture(scope="module")
def type_ii_curve():
    return MeanField(type_ii_model(), delta0=DELTA0).hc2(t_over_tc=(0.2, 0.5, 0.8))


def test_type_ii_zero_orbital_splitting_is_the_clean_ising_formula(type_ii_curve):
    """t_orb = delta_orb = 0: two decoupled Ising blocks with the constant Ising field beta_SO on the whole
    Fermi surface (module docstring of isingsc.models.families.type_ii), so Hc2 follows the clean Ising formula with
    beta = beta_SO.  1.5 %: weak-coupling and lattice (non-parabolic DOS over +-beta) corrections, with
    beta_SO = 0.2 against a pocket depth of 1.5 |t| (measured 0.4 % at 0.2 Tc)."""
    ds = type_ii_curve
    assert ds.attrs["Delta0_reference"] / ds.attrs["Tc_reference"] == pytest.approx(BCS_RATIO, rel=0.01)
    np.testing.assert_allclose(ds.Hc2_over_HP.values, clean_ising(ds, TYPE_II.beta_so), rtol=0.015)
    assert set(ds.transition_order.values) == {"second"}


def test_type_ii_catalogue_entry_is_this_model():
    """The catalogue's type-ii is type_ii_model(TYPE_II) with Delta0 = 0.03: the curve above is its Hc2."""
    mf = MeanField("type-ii")
    assert mf.delta0 == DELTA0 and mf.model.reference is mf.model.model
    k = np.random.default_rng(5).uniform(-4, 4, (20, 2))
    np.testing.assert_allclose(mf.model.model.bdg_hamiltonian(k, 0.02, (0.01, 0.02, 0.0)),
                               type_ii_model().bdg_hamiltonian(k, 0.02, (0.01, 0.02, 0.0)), atol=1e-14)


def test_type_ii_hc2_far_beyond_pauli_and_rising(type_ii_curve):
    """Review Fig. 6e: Hc2/HP >> 1, growing steeply as T decreases."""
    h = type_ii_curve.Hc2_over_HP.values  # T/Tc = 0.2, 0.5, 0.8
    assert h[0] > 5
    assert h[0] > h[1] > h[2] > 1
    assert h[0] - h[1] > h[1] - h[2]  # steeper at low T (the Ising upturn)


def test_stanene_like_hc2_is_about_twice_pauli_with_upturn():
    """Review Fig. 7b (few-layer stanene): Hc2 exceeds the Pauli limit by a factor of ~2 and still rises
    at low T.  Stanene-like set: beta_SO = 0.03 |t| = Delta0 (~1.76 Tc), no orbital splitting."""
    ds = MeanField(stanene_model(), delta0=DELTA0).hc2(t_over_tc=(0.1, 0.3))
    h = ds.Hc2_over_HP.values
    assert 1.8 < h[0] < 2.2
    assert h[0] > 1.1 * h[1]


def test_orbital_texture_limits_the_locking_and_saturates_hc2():
    """A Pauli-like share g/sqrt(beta^2 + g^2) of the field inside each Kramers pair: with t_orb the
    enhancement drops and Hc2 saturates at low T (no Ising upturn), unlike t_orb = 0."""
    ds = MeanField("type-ii", t_orb=0.2, delta0=DELTA0).hc2(t_over_tc=(0.1, 0.3))
    h = ds.Hc2_over_HP.values
    assert 1.0 < h[0] < 3.0
    assert abs(h[0] - h[1]) < 0.1 * h[1]


# ------------------------------------------------------------------------------ Rashba
def test_rashba_bands_exact(rng):
    """beta tau_y sigma_z anticommutes with the Rashba term: E = xi +- sqrt(beta^2 + alpha^2 |s|^2), doubly
    degenerate, s(k) = sum_i sin(k.R_i) R^_i (computed here from the lattice's NN vectors)."""
    p = RashbaParams(alpha_r=0.3)
    k = rng.uniform(-4, 4, (40, 2))
    s = np.sin(k @ NN_VECTORS.T) @ NN_VECTORS  # |R_i| = 1
    xi = 2 * p.base.t * structure_factors(k)[0] - p.base.mu
    rho = np.hypot(p.base.beta_so, p.alpha_r * np.linalg.norm(s, axis=-1))
    expect = np.sort(np.stack([xi - rho, xi - rho, xi + rho, xi + rho], -1), axis=-1)
    np.testing.assert_allclose(np.linalg.eigvalsh(rashba_model(p).hamiltonian(k)), expect, atol=1e-12)


def test_rashba_to_zero_recovers_ising_and_rashba_lowers_hc2():
    """Review Fig. 7c: with the Zeeman-type SOC fixed, Hc2 decreases as the Rashba SOC grows; alpha_R -> 0
    gives the pure Ising curve (clean formula with beta = beta_SO, as for the type-II model).
    Computed on half of the Brillouin zone (Rashba breaks the D6 symmetry of the spectrum)."""
    t = 0.5
    values = []
    for alpha in (1e-3, 0.1):
        h, mf = v2_over_hp(rashba_model(RashbaParams(alpha_r=alpha)), t)
        assert mf.problem_for(0.5 * mf.reference_state().tc).mesh.group.startswith("C2")
        values.append(h)
    ref = mf.reference_state()
    ising = clean_ising_field_reduced(t, TYPE_II.beta_so / ref.tc) * ref.tc / ref.pauli_field
    assert values[0] == pytest.approx(ising, rel=0.015)
    assert values[1] < 0.7 * values[0]  # alpha_R |s(k_F)| ~ 0.15 ~ beta_SO: a strong reduction
    assert values[1] > 1.0


# ------------------------------------------------------------------------------ field angle
@pytest.mark.parametrize("model", [
    intrinsic_ising_model(IsingParams(t=-1.0, mu=2.5, beta_so=0.033)),
    type_ii_model(TypeIIParams(t_orb=0.2)),
], ids=["ising", "type-ii-textured"])
def test_sigma_z_only_models_do_not_depend_on_the_field_angle(model):
    """Spin couples only through sigma_z (SOC) and the field: the spin rotation about z maps the field at
    phi to the field along x, so Hc2(phi) is constant (to the root-finding tolerance)."""
    ds = MeanField(model, delta0=DELTA0).hc2_vs_angle(0.5, [0.0, 0.4, np.pi / 2], second_order_only=True)
    h = ds.Hc2_over_HP.values
    np.testing.assert_allclose(h, h[0], rtol=1e-6)
    assert h[0] > 1.2  # enhanced: a Pauli-limited layer has V2 ~ 0.75 HP at 0.5 Tc


def test_d6_catalogue_model_does_not_depend_on_the_field_angle():
    """The same for the catalogue's K-pocket model (ws2, K disks) at its defaults, the full Hc2 at 0.3 Tc."""
    ds = MeanField("ws2").hc2_vs_angle(0.3, [0.0, np.pi / 6, 1.3])
    h = ds.Hc2_over_HP.values
    np.testing.assert_allclose(h, h[0], rtol=1e-6)
    assert set(ds.transition_order.values) == {"second"}


def test_rotated_field_equals_spin_rotated_model():
    """H(k) + V (cos phi sigma_x + sin phi sigma_y) = U [U^dag H U + V sigma_x] U^dag, U = exp(-i phi sigma_z / 2)
    on every orbital: the field at phi must equal the spin-rotated model in a field along x."""
    model = anisotropic_model()
    phi = 0.7
    u = np.kron(np.eye(len(model.orbitals)), np.diag([np.exp(-0.5j * phi), np.exp(0.5j * phi)]))
    rotated = TightBindingModel("rot", model.orbitals, {k: u.conj().T @ v @ u for k, v in model.hoppings.items()},
                                pairing_orbitals=model.pairing_orbitals)
    mesh = quadrature_for(model, default_spec(DELTA0), angles=(0.0, phi), zone="half").mesh()
    a = PairingProblem(model, mesh, 1.0)
    b = PairingProblem(rotated, mesh, 1.0)
    for V in (0.02, 0.05):
        at_phi = Field.in_plane(V, phi)
        assert a.curvature([0.01], at_phi)[0] == pytest.approx(b.curvature([0.01], Field.in_plane(V))[0], rel=1e-10)
        assert a.landscape([0.02], [0.01], at_phi)[0, 0] == pytest.approx(
            b.landscape([0.02], [0.01], Field.in_plane(V))[0, 0], rel=1e-9)


PHI12 = np.linspace(0.0, 2 * np.pi, 12, endpoint=False)  # every 30 deg


@pytest.fixture(scope="module")
def mote2_angles():
    """V2(phi)/HP at 0.5 Tc on 12 angles over 2 pi: the catalogue's mote2 (anisotropic_model(MOTE2),
    Delta0 = 0.03) and its isotropic variant (C3 restored)."""
    aniso = MeanField("mote2").hc2_vs_angle(0.5, PHI12, second_order_only=True)
    iso = MeanField(anisotropic_model(MOTE2.isotropic()), delta0=DELTA0).hc2_vs_angle(
        0.5, PHI12, second_order_only=True)
    return aniso, iso


def test_hc2_angle_sixfold_when_isotropic_twofold_when_anisotropic(mote2_angles):
    """Anisotropy off (alpha_x = alpha_y, lambda_z = 0): C3 x (V -> -V) gives period 60 deg.  On: only the
    mirror and V -> -V remain, Hc2(phi) = Hc2(phi + pi) = Hc2(pi - phi), and 0 and 60 deg differ.
    With alpha_x > alpha_y the field along x is the more pair-breaking one (parallel to the larger
    in-plane SOC component): Hc2(x) < Hc2(y)."""
    aniso, iso = mote2_angles
    k = np.random.default_rng(8).uniform(-4, 4, (10, 2))
    catalogue_mote2 = MeanField("mote2")
    assert catalogue_mote2.delta0 == DELTA0
    np.testing.assert_allclose(catalogue_mote2.model.model.bdg_hamiltonian(k, 0.02, (0.01, 0.02, 0.0)),
                               anisotropic_model(MOTE2).bdg_hamiltonian(k, 0.02, (0.01, 0.02, 0.0)), atol=1e-14)
    pick = [0, 2, 3, 4, 6]  # 0, pi/3, pi/2, 2pi/3, pi
    np.testing.assert_allclose(iso.angle.values[pick], [0.0, np.pi / 3, np.pi / 2, 2 * np.pi / 3, np.pi])
    h_iso = iso.Hc2_over_HP.values
    np.testing.assert_allclose(h_iso[[0, 2, 4, 6, 8, 10]], h_iso[0], rtol=1e-6)  # period 60 deg
    h = aniso.Hc2_over_HP.values[pick]
    assert h[4] == pytest.approx(h[0], rel=1e-6)  # phi + pi
    assert h[3] == pytest.approx(h[1], rel=1e-6)  # pi - phi
    assert abs(h[1] - h[0]) > 0.05 * h[0]  # not six-fold
    assert h[0] < 0.8 * h[2]  # two-fold: x much lower than y
    assert min(aniso.Hc2_over_HP.values) > 1.0  # beyond the Pauli limit in every direction (review Fig. 4c)


def test_mote2_hc2_of_the_angle_is_two_fold(mote2_angles):
    """Fourier harmonics of Hc2(phi) (angular_harmonics, 12 angles over 2 pi): V -> -V makes
    Hc2(phi + pi) = Hc2(phi), so the odd harmonics vanish; the broken C3 gives a two-fold component that
    dominates the four- and six-fold ones.  The isotropic variant (C3 restored) has period 60 deg: only
    multiples of six survive."""
    aniso, iso = mote2_angles
    orders = (1, 2, 3, 4, 6)
    hm = angular_harmonics(aniso, orders=orders)
    assert hm[1] < 1e-5 and hm[3] < 1e-5
    assert hm[2] > 0.1 and hm[2] > 3 * max(hm[4], hm[6])
    hi = angular_harmonics(iso, orders=orders)
    assert max(hi[1], hi[2], hi[3], hi[4]) < 1e-5


# ------------------------------------------------------------------------------ multi-pocket
@pytest.fixture(scope="module")
def ws2_curve():
    mf = MeanField(k_only_model(), delta0=DELTA0)
    return mf, mf.hc2(t_over_tc=(0.2, 0.5, 0.8))


def test_k_pocket_model_follows_the_clean_ising_formula(ws2_curve):
    """K pockets only: the Ising field 2 beta_SO |S(k)| is nearly constant (3 sqrt3 beta_SO at K); with beta
    its DOS-weighted Fermi-surface mean the clean formula holds to 1.5 % (the field varies by +-8 % around
    the pockets; measured deviation 0.7 %).  K pockets are integrated on disks around K (partition of unity)."""
    mf, ds = ws2_curve
    beta, spread = k_pocket_ising_field(NBSE2)
    assert spread < 0.2 * beta
    assert "K-disks" in mf.problem_for(0.5 * ds.attrs["Tc"]).mesh.group
    np.testing.assert_allclose(ds.Hc2_over_HP.values, clean_ising(ds, beta), rtol=0.015)


def test_nodal_gamma_pocket_limits_hc2(ws2_curve):
    """Review Sec. 2.1: a spin-degenerate Gamma point weakens the Ising protection of NbSe2/TaS2 compared with
    WS2.  The Gamma pocket's Ising field 2 beta S(k) vanishes on Gamma-M (spin-degenerate crossings there), so
    with the same K pockets Hc2/HP is lower at every T."""
    _, ds = ws2_curve
    m = multipocket_model()
    k_gm = np.array([[np.cos(np.pi / 6), np.sin(np.pi / 6)]]) * np.linspace(0.1, 3.5, 50)[:, None]
    e = np.linalg.eigvalsh(m.hamiltonian(k_gm))
    assert np.allclose(e[:, 0::2], e[:, 1::2], atol=1e-12)  # Gamma-M: every band spin-degenerate
    h, _ = v2_over_hp(m, [0.2, 0.5])  # second order there, as for the K-only model (checked)
    assert set(ds.transition_order.values[:2]) == {"second"}
    ws2 = ds.Hc2_over_HP.values[:2]
    assert np.all(h < 0.85 * ws2)
    assert np.all(h > 1.0)


# ------------------------------------------------------------------------------ quadratures
@pytest.mark.parametrize("model, zone, group", [
    (type_ii_model(), "auto", "D6-rays"), (rashba_model(), "auto", "C2-rays"), (rashba_model(), "full", "C1-rays"),
    (k_only_model(), "auto", "D6-rays+K-disks"), (anisotropic_model(), "auto", "C2-rays"),
], ids=["wedge", "half", "full", "k-disks", "half-anisotropic"])
def test_quadratures_integrate_lattice_harmonics(model, zone, group):
    """BZ averages (Parseval): <1> = 1, <C> = 0, <C^2> = 3/2 (C = sum of 3 cosines), and for the
    half/full zones also the non-D6 even functions <cos(k.R_1)> = 0, <cos^2(k.R_1)> = 1/2.  Smooth
    functions are integrated to ~1e-8 by the ray quadratures and to ~1e-7 with the K-disk cut-off, at the
    resolution of the first refinement of the default start (every converged result uses it or finer; the
    coarse start itself, 4 angular and 5 radial nodes per panel, is good to ~3e-6)."""
    mesh = quadrature_for(model, default_spec(DELTA0).refined(), zone=zone).mesh()
    assert mesh.group == group
    c = structure_factors(mesh.k)[0]
    assert mesh.weights.sum() == pytest.approx(1.0, abs=1e-6)
    assert mesh.average(c) == pytest.approx(0.0, abs=1e-6)
    assert mesh.average(c * c) == pytest.approx(1.5, abs=1e-6)
    if not mesh.group.startswith("D6"):
        c1 = np.cos(mesh.k @ NN_VECTORS[0])
        assert mesh.average(c1) == pytest.approx(0.0, abs=1e-6)
        assert mesh.average(c1 * c1) == pytest.approx(0.5, abs=1e-6)


def test_half_zone_thermodynamics_equal_the_full_zone():
    """Particle-hole symmetry: spec H_BdG(-k) = -spec H_BdG(k), so Omega and the pair curvature are even in k
    and half of the zone suffices, also for Rashba SOC and a field at an angle (the full zone uses no
    symmetry)."""
    model = rashba_model(RashbaParams(alpha_r=0.2))
    spec = default_spec(DELTA0)
    half = PairingProblem(model, quadrature_for(model, spec, angles=(0.3,), zone="half").mesh(), 1.0)
    full = PairingProblem(model, quadrature_for(model, spec, angles=(0.3,), zone="full").mesh(), 1.0)
    fv = Field.in_plane(0.04, 0.3)
    assert half.curvature([0.01], fv)[0] == pytest.approx(full.curvature([0.01], fv)[0], rel=1e-10)
    assert half.landscape([0.03], [0.01], fv)[0, 0] == pytest.approx(full.landscape([0.03], [0.01], fv)[0, 0], rel=1e-9)


def test_quadrature_choices_are_validated():
    with pytest.raises(ParameterError, match="zone"):
        quadrature_for(rashba_model(), default_spec(DELTA0), zone="wedge")
    with pytest.raises(ParameterError, match="zone"):
        quadrature_for(type_ii_model(), default_spec(DELTA0), zone="quarter")
    with pytest.raises(ParameterError, match="k_disks"):
        quadrature_for(type_ii_model(), default_spec(DELTA0), k_disks=True)
    assert "K-disks" in quadrature_for(k_only_model(), default_spec(DELTA0), k_disks=True).group
    assert "K-disks" not in quadrature_for(k_only_model(), default_spec(DELTA0), k_disks=False).group
    with pytest.raises(ParameterError, match="t_over_tc"):
        MeanField(type_ii_model()).hc2(t_over_tc=(-0.1,))


def test_parameters_are_validated():
    with pytest.raises(ParameterError, match="t "):
        TypeIIParams(t=0.0)
    with pytest.raises(ParameterError, match="alpha_x"):
        AnisotropicParams(alpha_x=float("nan"))
    with pytest.raises(ParameterError, match="alpha_r"):
        RashbaParams(alpha_r="x")


# ------------------------------------------------------------------------------ slow: convergence
@pytest.mark.slow
def test_k_disk_quadrature_converges():
    """Refining the K-disk quadrature changes V2(0.2 Tc) of the K-only model by < 0.1 %."""
    spec = default_spec(DELTA0)
    a, _ = v2_over_hp(k_only_model(), 0.2, spec=spec)
    b, _ = v2_over_hp(k_only_model(), 0.2, spec=spec.refined().refined())
    assert a == pytest.approx(b, rel=1e-3)


@pytest.mark.slow
def test_rashba_family_is_monotonic_at_all_temperatures():
    """Fig. 7c family: at T/Tc = 0.2, 0.5, 0.8 every step in alpha_R lowers Hc2/HP."""
    curves = [MeanField(rashba_model(RashbaParams(alpha_r=a)), delta0=DELTA0).hc2(t_over_tc=(0.2, 0.5, 0.8))
              .Hc2_over_HP.values for a in (0.0, 0.05, 0.1, 0.2, 0.4)]
    assert np.all(np.diff(np.array(curves), axis=0) < 0)


def test_family_plots_are_written(tmp_path):
    """Hc2(T) curves and the Hc2(phi) polar plot from result-shaped datasets (drawing only)."""
    import xarray as xr

    from isingsc.plotting.families import clean_ising_over_hp, plot_hc2_curves, plot_hc2_polar
    from isingsc.plotting.style import save_figure

    t = np.array([0.2, 0.5, 0.8])
    curve = xr.Dataset({"Hc2_over_HP": ("T", [3.0, 2.0, 1.2]),
                        "transition_order": ("T", ["first", "second", "second"])},
                       coords={"T": ("T", 0.017 * t), "T_over_Tc": ("T", t), "T_over_Tc_reference": ("T", t)})
    phi = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    polar = xr.Dataset({"Hc2_over_HP": ("angle", 2 + np.cos(2 * phi))}, coords={"angle": phi})
    a = save_figure(plot_hc2_curves([(curve, "c")], [(t, clean_ising_over_hp(t, 5.0), "Ising")]), tmp_path / "a.png")
    b = save_figure(plot_hc2_polar([(polar, "p")], title="polar"), tmp_path / "b.png")
    assert a[0].stat().st_size > 1000 and b[0].stat().st_size > 1000
    # BCS weak coupling: HP = pi e^-gamma / sqrt2 Tc, and the clean formula at beta = 0 is Pauli-like (< 1 HP at 0.8 Tc)
    assert clean_ising_over_hp(0.8, 0.0) < 1.0
