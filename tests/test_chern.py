"""Chern numbers, Berry curvature and chiral edge modes of chiral superconductors against known results.

The reference for every Chern number here is the zero counting of a two-band BdG Hamiltonian
(Volovik; Sato, Takahashi & Fujimoto, Phys. Rev. B 82, 134521 (2010)).  A 2 x 2 block

    H(k) = [[xi(k), D(k)], [D(k)^*, -xi(k)]] = d(k).tau,        d = (Re D, -Im D, xi),

has a lower band whose Chern number, in the convention of isingsc.topology.chern (Omega = i<d1 u|d2 u> - c.c.,
k1, k2 along b1, b2; Berry's monopole of charge -1/2 for the lower state of d.sigma), is C = -deg(d^), and
counting the preimages of the poles of the sphere,

    C = (1/2) sum_{D(k_j) = 0} w_j sign xi(k_j),                                          (*)

w_j the winding number of the phase of D around its zero k_j (counter-clockwise in kx, ky).  The zeros and
windings of a channel's form factor are found on a grid (:func:`form_factor_zeros`) from
``PairingChannel.form_factor`` alone, xi from the normal-state Hamiltonian alone: (*) uses neither the BdG
eigenvectors nor the Chern solver.  The local form behind (*), Omega(k) = -(1/2) d^.(dx d^ x dy d^), is
checked against the solver's Berry curvature.  Models whose normal state conserves S_z and whose pairing is
singlet or triplet-z split into two such blocks (up particle with down hole, down particle with up hole),
each with its own xi; equal-spin (triplet-up) pairing of a spin species whose partner band is empty is one
block.
"""

import itertools

import numpy as np
import pytest

import isingsc
from isingsc.core.errors import ParameterError
from isingsc.lattice.triangular import LATTICE, SQUARE_LATTICE, structure_factors
from isingsc.models.base import TightBindingModel
from isingsc.models.channels import PairingChannel, with_pairing
from isingsc.topology.chern import Chern

T = -1.0
EMPTY = 20.0  # on-site energy of the unpaired spin-down band: far above the Fermi level


# ------------------------------------------------------------------ models
def spinless_square(mus, t=T):
    """One orbital per entry of ``mus``: spin up xi = 2 t (cos kx + cos ky) - mu, spin down an empty band."""
    mus = np.atleast_1d(mus)
    n = len(mus)
    onsite = np.diag(np.ravel([[-mu, EMPTY] for mu in mus])).astype(complex)
    hop = np.kron(np.eye(n), t * np.diag([1.0, 0.0])).astype(complex)
    names = tuple(f"o{i}" for i in range(n))
    return TightBindingModel("spinless-square", names, {(0, 0): onsite, (1, 0): hop, (0, 1): hop},
                             lattice=SQUARE_LATTICE, pairing_orbitals=names)


def spinless_triangular(mu, t=T):
    """Spin up xi = 2 t C(k) - mu on the triangular lattice (C: the paper's structure factor), spin down empty."""
    hop = t * np.diag([1.0, 0.0]).astype(complex)
    return TightBindingModel("spinless-triangular", ("o",),
                             {(0, 0): np.diag([-mu, EMPTY]).astype(complex), (1, 0): hop, (-1, 1): hop, (0, -1): hop},
                             pairing_orbitals=("o",))


def p_wave(model, channel="p+ip", spin="triplet-up"):
    return with_pairing(model, channel, spin=spin)


def chern(model, delta=0.5, **kw) -> int:
    return int(Chern(model, delta, **kw).chern_number()["chern_number"])


# ------------------------------------------------------------------ the reference (*)
def form_factor_zeros(channel, lattice, n=96):
    """Zeros of ``channel``'s form factor in the reciprocal cell and their windings: the phase of f summed
    around every plaquette of an n x n grid (shifted off the high-symmetry lines), nonzero only on plaquettes
    holding a zero.  Returns [(k of the plaquette centre, fractional coordinates, winding)]."""
    ch = PairingChannel(channel, "singlet" if channel in ("s", "extended-s", "d+id", "d-id") else "triplet-up")
    shift = np.array([0.1234567, 0.3141593]) / n
    f = (np.arange(n + 1)[:, None, None] * np.array([1.0, 0.0]) + np.arange(n + 1)[None, :, None]
         * np.array([0.0, 1.0])) / n + shift
    phase = np.angle(ch.form_factor(lattice.fractional_to_cartesian(f), lattice))

    def step(a, b):
        return np.angle(np.exp(1j * (b - a)))

    w = (step(phase[:-1, :-1], phase[1:, :-1]) + step(phase[1:, :-1], phase[1:, 1:])
         + step(phase[1:, 1:], phase[:-1, 1:]) + step(phase[:-1, 1:], phase[:-1, :-1])) / (2 * np.pi)
    w = np.rint(w).astype(int)
    out = []
    for i, j in zip(*np.nonzero(w)):
        frac = (np.array([i, j]) + 0.5) / n + shift
        out.append((lattice.fractional_to_cartesian(frac), frac, int(w[i, j])))
    return out


def dirac_count(channel, lattice, dispersions) -> float:
    """(*) summed over the 2 x 2 blocks, one normal-state dispersion xi(k) each."""
    zeros = form_factor_zeros(channel, lattice)
    return sum(0.5 * w * np.sign(xi(k)) for xi in dispersions for k, _frac, w in zeros)


def spin_up_dispersion(model):
    return lambda k: float(model.hamiltonian(np.asarray(k))[0, 0].real)


# ------------------------------------------------------------------ square lattice, spinless p + ip
@pytest.mark.parametrize("channel, sign", [("p+ip", 1), ("p-ip", -1)])
@pytest.mark.parametrize("mu", [-5.0, -2.0, 2.0, 5.0])
def test_spinless_square_p_wave_phase_diagram(mu, channel, sign):
    """Zeros of sin kx + i sin ky: Gamma and M (winding +1), X and Y (winding -1); xi = -4 - mu, -mu, -mu, 4 - mu
    there, so (*) gives C = 0 for |mu| > 4, -1 for -4 < mu < 0 and +1 for 0 < mu < 4; p - ip (all windings
    reversed) the opposite."""
    expected = 0 if abs(mu) > 4 else (-1 if mu < 0 else 1)
    model = spinless_square(mu)
    assert dirac_count(channel, SQUARE_LATTICE, [spin_up_dispersion(model)]) == sign * expected
    assert chern(p_wave(model, channel)) == sign * expected


def test_square_form_factor_zeros_are_gamma_x_y_m():
    zeros = form_factor_zeros("p+ip", SQUARE_LATTICE)
    found = sorted((tuple(np.round(frac * 2) / 2 % 1), w) for _k, frac, w in zeros)
    assert found == [((0.0, 0.0), 1), ((0.0, 0.5), -1), ((0.5, 0.0), -1), ((0.5, 0.5), 1)]


@pytest.mark.parametrize("mu", [-2.0, 2.0])
def test_berry_curvature_is_the_d_vector_solid_angle_and_sums_to_2pi_c(mu):
    delta = 0.5
    model = p_wave(spinless_square(mu))
    solver = Chern(model, delta)
    c = int(solver.chern_number()["chern_number"])
    bc = solver.berry_curvature()
    omega = bc["berry_curvature"].values
    assert omega.sum() * bc.attrs["plaquette_area"] == pytest.approx(2 * np.pi * c, abs=1e-9)
    k = np.stack([bc["kx"].values, bc["ky"].values], axis=-1)

    def d_hat(k):
        xi = model.hamiltonian(k)[..., 0, 0].real
        d = model.pairing_function(k, delta)[..., 0, 0]
        v = np.stack([d.real, -d.imag, xi], axis=-1)
        return v / np.linalg.norm(v, axis=-1, keepdims=True)

    h = 1e-5
    dx = (d_hat(k + [h, 0]) - d_hat(k - [h, 0])) / (2 * h)
    dy = (d_hat(k + [0, h]) - d_hat(k - [0, h])) / (2 * h)
    analytic = -0.5 * np.einsum("...i,...i->...", d_hat(k), np.cross(dx, dy))
    # the plaquette flux / area is the curvature averaged over the plaquette: second order in its size
    assert np.abs(omega - analytic).max() < 0.03 * np.abs(analytic).max()


def test_gapless_p_wave_has_no_chern_number():
    # mu = 0: xi = 0 at X and Y, where sin kx + i sin ky vanishes
    with pytest.raises(ParameterError, match="gapless"):
        Chern(p_wave(spinless_square(0.0)), 0.5).chern_number()


@pytest.mark.parametrize("mus", [(2.0, 2.0), (-2.0, -2.0), (-1.5, 2.5)])
def test_decoupled_copies_add(mus):
    """Two decoupled copies: the occupied bands are a direct sum, the Berry connection adds."""
    assert chern(p_wave(spinless_square(mus))) == sum(chern(p_wave(spinless_square(mu))) for mu in mus)


@pytest.mark.parametrize("mu", [-2.0, 2.0])
def test_spinful_triplet_z_p_wave_is_two_spinless_copies(mu):
    """Triplet-z D = f sigma_x with a spin-independent xi: the blocks (up, hole down) and (down, hole up) are
    both [[xi, f], [f^*, -xi]], the spinless problem, so C = 2 C_spinless (|C| = 2)."""
    hop = T * np.eye(2, dtype=complex)
    model = TightBindingModel("spinful-square", ("o",), {(0, 0): -mu * np.eye(2, dtype=complex), (1, 0): hop,
                                                          (0, 1): hop}, lattice=SQUARE_LATTICE, pairing_orbitals=("o",))
    c = chern(with_pairing(model, "p+ip", spin="triplet-z"))
    assert c == 2 * chern(p_wave(spinless_square(mu)))
    assert abs(c) == 2


# ------------------------------------------------------------------ edge modes
@pytest.mark.parametrize("mus", [2.0, -2.0, (1.5, 2.5)])
def test_edge_modes_count_the_chern_number(mus):
    """Bulk-boundary correspondence: C chiral modes, net chirality -C on the first edge and +C on the last
    (the two copies have different mu, so their edge modes cross the in-gap energy at different k)."""
    solver = Chern(p_wave(spinless_square(mus)), 0.5)
    c = int(solver.chern_number()["chern_number"])
    assert abs(c) == np.size(mus)
    edges = solver.edge_modes()
    assert edges["net_chirality"].values.tolist() == [-c, c]
    assert edges.sizes["crossing"] == 2 * abs(c)


def test_degenerate_edge_modes_of_identical_copies_count_twice():
    solver = Chern(p_wave(spinless_square((2.0, 2.0))), 0.7)
    c = int(solver.chern_number()["chern_number"])
    assert c == 2
    assert solver.edge_modes()["net_chirality"].values.tolist() == [-c, c]


# ------------------------------------------------------------------ triangular lattice, spinless p + ip
def test_triangular_p_wave_zeros_are_gamma_k_kprime_and_the_three_m():
    """p + ip on the six bonds, f(k) = i sum_{j=0,1,2} e^{i theta_j} sin(k.delta_j), vanishes at Gamma, K, K' and
    the three M points (and nowhere else: the grid finds exactly six zeros)."""
    ch = PairingChannel("p+ip", "triplet-up")
    for name, point in LATTICE.high_symmetry_points.items():
        assert abs(ch.form_factor(point, LATTICE)) < 1e-12, name
    zeros = form_factor_zeros("p+ip", LATTICE)
    assert len(zeros) == 6
    points = {"Γ": [(0, 0)], "K": [], "K'": [], "M": [(0.5, 0), (0, 0.5), (0.5, 0.5)]}
    for name in ("K", "K'"):
        points[name] = [tuple(LATTICE.cartesian_to_fractional(LATTICE.high_symmetry_points[name]) % 1)]
    for _k, frac, w in zeros:
        near = [name for name, fs in points.items()
                if any(np.allclose((frac - np.array(f) + 0.5) % 1 - 0.5, 0, atol=0.02) for f in fs)]
        assert len(near) == 1, frac
        assert abs(w) == 1  # f vanishes linearly: each zero is a Dirac point of the BdG spectrum


def test_triangular_spinless_p_wave_phase_diagram():
    """Derivation.  Spinless xi(k) = 2 t C(k) - mu (t = -1, C(k) = sum_{bonds} cos(k.R) the paper's structure
    factor), D(k) = Delta f(k) with the p + ip form factor f.  E(k) = +-sqrt(xi^2 + Delta^2 |f|^2) (and the empty
    band), so the gap closes only where xi(k) = 0 at a zero of f: Gamma, K, K' and M (the previous test), i.e.
    at mu_c = 2 t C(P), P = Gamma (C = 3, the band bottom mu = -6), M (C = -1, the van Hove energy mu = 2) and
    K (C = -3/2, the band top mu = 3).  Between these values C is constant; outside the band it is 0 (xi has one
    sign, deform D to 0); a linear zero of f is a Dirac cone whose mass xi changes sign at mu_c, changing C by
    +-1, and the zeros at one mu_c are related by C3 (the three M) or by C2 (K and K' = -K), which keep the
    orientation and so contribute equally: |Delta C| = 1 (Gamma), 3 (M), 2 (K).  (*) gives every value."""
    critical = {name: 2 * T * float(structure_factors(LATTICE.high_symmetry_points[name])[0])
                for name in ("Γ", "M", "K")}
    multiplicity = {"Γ": 1, "M": 3, "K": 2}
    assert structure_factors(LATTICE.high_symmetry_points["K'"])[0] == pytest.approx(critical["K"] / (2 * T))
    edges = sorted(critical.values())
    assert edges == pytest.approx([-6.0, 2.0, 3.0])  # 6 t, -2 t, -3 t at t = -1
    bounds = [edges[0] - 1.0] + edges + [edges[-1] + 1.0]
    values = []
    for lo, hi in itertools.pairwise(bounds):
        pair = []
        for mu in (lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3):
            model = spinless_triangular(mu)
            c = chern(p_wave(model))
            assert c == dirac_count("p+ip", LATTICE, [spin_up_dispersion(model)])
            pair.append(c)
        assert pair[0] == pair[1], f"C not constant on ({lo}, {hi}): {pair}"
        values.append(pair[0])
    assert values[0] == 0 and values[-1] == 0
    for i, name in enumerate(sorted(critical, key=critical.get)):
        assert abs(values[i + 1] - values[i]) == multiplicity[name], (name, values)


# ------------------------------------------------------------------ hole-doped TMD
def hole_tmd_blocks(model):
    """The two S_z blocks of the hole-doped TMD (Ising SOC conserves S_z): (up particle, down hole) with xi_up(k)
    and (down particle, up hole) with xi_down(k); their hole blocks are -xi(k) because xi_down(-k) = xi_up(k)
    (time reversal), checked here."""
    k = np.random.default_rng(3).uniform(-4, 4, (16, 2))
    h, h_minus = model.hamiltonian(k), model.hamiltonian(-k)
    assert np.allclose(h[:, 0, 1], 0) and np.allclose(h_minus[:, 1, 1], h[:, 0, 0])
    return [lambda q: float(model.hamiltonian(np.asarray(q))[0, 0].real),
            lambda q: float(model.hamiltonian(np.asarray(q))[1, 1].real)]


def test_hole_tmd_inter_pocket_p_wave_has_chern_number_two():
    """Spin-polarised hole pockets, up at K and down at K'.  Triplet-z p + ip at Q = 0 pairs K + q (up) with
    K' - q (down); in each S_z block one pocket encloses a linear zero of f (K or K'), so (*) gives one unit per
    pocket, |C| = 2 (a spinless chiral superconductor per valley)."""
    base = isingsc.model("hole-tmd").model
    predicted = dirac_count("p+ip", LATTICE, hole_tmd_blocks(base))
    c = chern(with_pairing(base, "p+ip", spin="triplet-z"), delta=0.1)
    assert c == predicted
    assert abs(c) == 2


@pytest.mark.slow
@pytest.mark.parametrize("channel, spin", [("p-ip", "triplet-z"), ("d+id", "singlet"), ("d-id", "singlet")])
def test_hole_tmd_chiral_channels_follow_the_zero_counting(channel, spin):
    """d + id vanishes at Gamma (winding 2), K and K' (winding -1 each, test below): also |C| = 2, with the sign of
    p - ip."""
    base = isingsc.model("hole-tmd").model
    c = chern(with_pairing(base, channel, spin=spin), delta=0.1)
    assert c == dirac_count(channel, LATTICE, hole_tmd_blocks(base))
    assert abs(c) == 2


@pytest.mark.parametrize("channel, spin, part", [("extended-s", "singlet", "imag"), ("f", "triplet-z", "real"),
                                                 ("s", "singlet", "imag")])
def test_hole_tmd_non_chiral_channels_are_trivial(channel, spin, part):
    """Extended s (f = C(k), real) and f (f = i S(k), imaginary) have a constant phase: in each S_z block d(k)
    stays in a plane through the origin, d^ on a great circle, degree 0: C = 0 where gapped (their zeros are
    lines, which miss the pockets).  On-site s likewise."""
    base = isingsc.model("hole-tmd").model
    k = np.random.default_rng(6).uniform(-4, 4, (64, 2))
    assert np.allclose(getattr(PairingChannel(channel, spin).form_factor(k, LATTICE), part), 0, atol=1e-12)
    assert chern(with_pairing(base, channel, spin=spin), delta=0.1) == 0


def test_d_wave_zeros_are_gamma_k_and_kprime():
    """d + id, f(k) = sum_{j=0,1,2} e^{2 i theta_j} cos(k.delta_j): quadratic zero at Gamma (winding 2), linear
    ones at K and K' (winding -1 each; the windings of a function on the torus sum to 0); nonzero at M."""
    ch = PairingChannel("d+id")
    points = LATTICE.high_symmetry_points
    for name in ("Γ", "K", "K'"):
        assert abs(ch.form_factor(points[name], LATTICE)) < 1e-12, name
    assert abs(ch.form_factor(points["M"], LATTICE)) > 1
    frac = {name: LATTICE.cartesian_to_fractional(points[name]) % 1 for name in ("K", "K'")}
    frac["Γ"] = np.zeros(2)
    found = {}
    for _k, f, w in form_factor_zeros("d+id", LATTICE):
        name = [n for n, g in frac.items() if np.allclose((f - g + 0.5) % 1 - 0.5, 0, atol=0.02)]
        assert len(name) == 1, f
        found[name[0]] = found.get(name[0], 0) + w
    assert found == {"Γ": 2, "K": -1, "K'": -1}


def test_hole_tmd_mirror_partner_has_the_opposite_chern_number_prediction():
    """p - ip(k) = p + ip(M_y k) and H(M_y k) = H(k) (C and S are even in k_y): the mirror reverses the
    orientation of the zone, so C(p - ip) = -C(p + ip); (*) respects it."""
    base = isingsc.model("hole-tmd").model
    blocks = hole_tmd_blocks(base)
    k = np.random.default_rng(4).uniform(-4, 4, (16, 2))
    mk = k * [1, -1]
    assert np.allclose(base.hamiltonian(mk), base.hamiltonian(k))
    assert np.allclose(PairingChannel("p-ip").form_factor(k, LATTICE), PairingChannel("p+ip").form_factor(mk, LATTICE))
    assert dirac_count("p-ip", LATTICE, blocks) == -dirac_count("p+ip", LATTICE, blocks) != 0


@pytest.mark.slow
@pytest.mark.parametrize("channel, spin", [("p+ip", "triplet-z"), ("d+id", "singlet")])
def test_hole_tmd_edge_modes_count_the_chern_number(channel, spin):
    """Two chiral edge modes per edge, one per valley (5-20 s: the gap is small, the ribbon wide)."""
    solver = Chern(with_pairing(isingsc.model("hole-tmd").model, channel, spin=spin), 0.1)
    c = int(solver.chern_number()["chern_number"])
    assert abs(c) == 2
    edges = solver.edge_modes()
    assert edges["net_chirality"].values.tolist() == [-c, c]
    assert edges.sizes["crossing"] == 4


@pytest.mark.slow
def test_pair_density_wave_of_the_hole_doped_tmd_is_chiral_when_both_pockets_turn_alike():
    """Intra-pocket pairing (Q = 2K in the spin-down K pocket, 2K' in the spin-up K' pocket, sqrt3 x sqrt3 cell):
    each pocket is a spinless p-wave superconductor around its own centre (relative form factor ~ q_x + i q_y),
    C = +-1 per pocket.  The same chirality in both pockets adds to |C| = 2; a time-reversal pair cancels; the
    f channel (form factor ~ S(q), zero on the Gamma-M lines through the pocket centre) leaves nodes: refused."""
    from isingsc.models.channels import SQRT3_SUPERCELL, pair_density_wave, superpose, supercell

    model = isingsc.model("hole-tmd")
    chiral = Chern(pair_density_wave(model, "p+ip", "triplet-down"), 0.1).chern_number()
    assert abs(int(chiral.chern_number)) == 2
    helical = superpose([supercell(with_pairing(model, "p+ip", spin="triplet-down", momentum="2K"), SQRT3_SUPERCELL),
                         supercell(with_pairing(model, "p-ip", spin="triplet-up", momentum="2K'"), SQRT3_SUPERCELL)])
    assert int(Chern(helical, 0.1).chern_number().chern_number) == 0
    with pytest.raises(ParameterError, match="gapless"):
        Chern(pair_density_wave(model, "f", "triplet-down"), 0.1).chern_number()
