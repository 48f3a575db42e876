"""Pairing channels, pair momentum, supercells and the [pairing] table of model files.

Physics checked against its definition, not against the code's own output: Fermi statistics (D(-k) = -D(k)^T),
particle-hole symmetry of the Nambu doubling, the lattice form factors at K (Sigrist & Ueda, Rev. Mod. Phys.
63, 239 (1991); on-site s = the paper's Delta sigma_y tau_y), the Pauli principle, and Bloch's theorem for a
pair-density wave: a pairing of momentum Q commensurate with a supercell is an ordinary (Q = 0) pairing of the
supercell, whose spectrum at kappa is the model's at kappa + g - Q/2 for the folded reciprocal vectors g.
"""

import numpy as np
import pytest

import isingsc
from isingsc.core.errors import DataFileError, ParameterError
from isingsc.lattice.triangular import LATTICE, SQUARE_LATTICE, structure_factors
from isingsc.models.base import TightBindingModel
from isingsc.models.channels import (
    CHANNELS,
    SPIN_STRUCTURES,
    SQRT3_SUPERCELL,
    PairingChannel,
    channel_list,
    folded_momenta,
    pair_momentum,
    supercell,
    supercell_sites,
    with_pairing,
)
from isingsc.models.modelfile import loads_model, packaged_model_path

FIELD = (0.07, -0.04, 0.03)
K = LATTICE.high_symmetry_points["K"]
KP = LATTICE.high_symmetry_points["K'"]


@pytest.fixture
def ks():
    return np.random.default_rng(17).uniform(-5, 5, (12, 2))


def catalogue(name, **params):
    return isingsc.model(name, **params).model


MODELS = {"ws2": lambda: catalogue("ws2"), "intrinsic": lambda: catalogue("intrinsic", mu=1.0, beta_so=0.3),
          "heterostructure": lambda: catalogue("heterostructure"), "hole-tmd": lambda: catalogue("hole-tmd")}


def tau_x(n):
    return np.kron(np.array([[0, 1], [1, 0]]), np.eye(n))


# ------------------------------------------------------------------ Q = 0, s: the package's default pairing
@pytest.mark.parametrize("name", ["ws2", "intrinsic", "heterostructure"])
def test_s_channel_at_zero_momentum_is_the_default_pairing(name, ks):
    base = MODELS[name]()
    s = with_pairing(base, "s")
    assert s.onsite_pairing and base.onsite_pairing
    np.testing.assert_allclose(s.pairing_matrix(0.2), base.pairing_matrix(0.2), atol=1e-15)
    for field in (0.0, FIELD):
        np.testing.assert_allclose(s.bdg_hamiltonian(ks, 0.2, field), base.bdg_hamiltonian(ks, 0.2, field), atol=1e-13)
    # the paper's Delta sigma_y tau_y: D = Delta (-i sigma_y) on each pairing orbital
    for orbital in base.pairing_orbitals:
        up, dn = base.spin_indices(orbital)
        d = s.pairing_matrix(0.2)
        assert d[up, dn] == pytest.approx(-0.2) and d[dn, up] == pytest.approx(0.2)


def test_with_pairing_accepts_a_catalogue_model(ks):
    resolved = isingsc.model("hole-tmd")
    a, b = with_pairing(resolved, "p+ip", spin="triplet-up"), with_pairing(resolved.model, "p+ip", spin="triplet-up")
    np.testing.assert_allclose(a.bdg_hamiltonian(ks, 0.1, FIELD), b.bdg_hamiltonian(ks, 0.1, FIELD), atol=0)
    assert a.pairing_channel == "p+ip (triplet-up)"


# ------------------------------------------------------------------ Fermi statistics and particle-hole symmetry
@pytest.mark.parametrize("momentum", ["0", "2K"])
@pytest.mark.parametrize("channel", channel_list(), ids=lambda c: c.label.replace(" ", ""))
@pytest.mark.parametrize("name", ["heterostructure", "hole-tmd"])
def test_pauli_antisymmetry_and_particle_hole_symmetry(name, channel, momentum, ks):
    """D(-k) = -D(k)^T (the anomalous amplitude <c_{-k} c_k> of fermions); then tau_x H(k)^* tau_x = -H(-k)
    for H = [[h(k + Q/2), D(k)], [D(k)^dagger, -h(-k + Q/2)^*]] at any Q."""
    model = with_pairing(MODELS[name](), channel, momentum=momentum)
    assert model.pair_momentum == pytest.approx(tuple(pair_momentum(momentum)))
    d, d_minus = model.pairing_function(ks, 0.3), model.pairing_function(-ks, 0.3)
    assert np.abs(d).max() > 0.1
    np.testing.assert_allclose(d_minus, -np.swapaxes(d, -1, -2), atol=1e-13)
    h, h_minus = model.bdg_hamiltonian(ks, 0.3, FIELD), model.bdg_hamiltonian(-ks, 0.3, FIELD)
    tx = tau_x(model.dim)
    np.testing.assert_allclose(h, np.conj(np.swapaxes(h, -1, -2)), atol=1e-13)
    np.testing.assert_allclose(tx @ h.conj() @ tx, -h_minus, atol=1e-13)
    e = np.linalg.eigvalsh(h)
    np.testing.assert_allclose(e, -np.linalg.eigvalsh(h_minus)[:, ::-1], atol=1e-12)


def test_bond_pairing_is_not_an_onsite_matrix():
    model = with_pairing(MODELS["hole-tmd"](), "d+id")
    assert not model.onsite_pairing
    with pytest.raises(ParameterError, match="pairing_function"):
        model.pairing_matrix(0.1)
    q_only = with_pairing(MODELS["hole-tmd"](), "s", momentum="2K")
    assert not q_only.onsite_pairing


# ------------------------------------------------------------------ form factors
def test_form_factors_at_k():
    """On the six bonds delta_j (angles theta_j = j pi/3), f(k) = (1/2) sum_j g(theta_j) e^{ik.delta_j}:
    * chiral p and d: sum_j e^{i l theta_j} e^{iK.delta_j} = 0 at K and K' (the C3 eigenvalues of the bond star do
      not match l = +-1, +-2): they vanish there;
    * extended s: f = sum_{3 bonds} cos(k.R) = C(k), the paper's structure factor; K.R = 4 pi/3, -2 pi/3, -2 pi/3
      on the three bonds, so C(K) = 3 cos(2 pi/3) = -3/2;
    * f: cos 3 theta_j = (-1)^j, f = i sum_{3 bonds} sin(k.R) = i S(k), the Ising SOC's structure factor:
      S(K) = 3 sin(-2 pi/3) = -3 sqrt3 / 2, finite."""
    for name in ("p+ip", "p-ip", "d+id", "d-id"):
        for point in (K, KP):
            assert abs(PairingChannel(name).form_factor(point, LATTICE)) < 1e-12, name
    ext = PairingChannel("extended-s").form_factor(K, LATTICE)
    assert ext == pytest.approx(structure_factors(K)[0]) and ext == pytest.approx(3 * np.cos(2 * np.pi / 3))
    f_k = PairingChannel("f").form_factor(K, LATTICE)
    assert f_k == pytest.approx(1j * structure_factors(K)[1]) and abs(f_k) == pytest.approx(3 * np.sqrt(3) / 2)


def test_form_factors_are_the_structure_factors(ks):
    c, s = structure_factors(ks)
    np.testing.assert_allclose(PairingChannel("extended-s").form_factor(ks, LATTICE), c, atol=1e-13)
    np.testing.assert_allclose(PairingChannel("f").form_factor(ks, LATTICE), 1j * s, atol=1e-13)
    # on-site s: f = 1
    np.testing.assert_allclose(PairingChannel("s").form_factor(ks, LATTICE), 1.0)


def test_square_lattice_p_wave_form_factor(ks):
    """Bonds at theta = 0, pi/2, pi, 3 pi/2: (1/2)(e^{ikx} - e^{-ikx} + i e^{iky} - i e^{-iky})
    = i (sin kx + i sin ky)."""
    f = PairingChannel("p+ip").form_factor(ks, SQUARE_LATTICE)
    np.testing.assert_allclose(f, 1j * (np.sin(ks[:, 0]) + 1j * np.sin(ks[:, 1])), atol=1e-13)


@pytest.mark.parametrize("lattice", [LATTICE, SQUARE_LATTICE], ids=["triangular", "square"])
def test_chiral_partners_are_mirror_images_and_conjugates(lattice, ks):
    """The mirror M: y -> -y maps the bond star to itself with theta -> -theta, so f_{l}(M k) = f_{-l}(k); and
    f_l(k)^* = (1/2) sum_j e^{-i l theta_j} e^{-ik.delta_j} = (-1)^l f_{-l}(k) (bond -delta_j has angle theta_j + pi):
    p - ip = -(p + ip)^*, d - id = (d + id)^*."""
    mk = ks * np.array([1.0, -1.0])
    for plus, minus, sign in (("p+ip", "p-ip", -1), ("d+id", "d-id", 1)):
        fp, fm = PairingChannel(plus).form_factor, PairingChannel(minus).form_factor
        np.testing.assert_allclose(fm(ks, lattice), fp(mk, lattice), atol=1e-13)
        np.testing.assert_allclose(fm(ks, lattice), sign * np.conj(fp(ks, lattice)), atol=1e-13)


@pytest.mark.parametrize("name, spin", [("p+ip", "singlet"), ("f", "singlet"), ("d+id", "triplet-z"),
                                        ("extended-s", "triplet-up"), ("s", "triplet-down")])
def test_pauli_principle_refuses_the_wrong_spin(name, spin):
    with pytest.raises(ParameterError, match="Pauli"):
        PairingChannel(name, spin)


def test_default_spin_by_parity_and_bad_names():
    for name, (_kind, parity) in CHANNELS.items():
        assert PairingChannel(name).spin == ("singlet" if parity == "even" else "triplet-z")
    assert len(channel_list()) == sum(1 if p == "even" else len(SPIN_STRUCTURES) - 1 for _k, p in CHANNELS.values())
    assert [c.label for c in channel_list("p+ip:triplet-up")] == ["p+ip (triplet-up)"]
    with pytest.raises(ParameterError, match="channel"):
        PairingChannel("g+ig")
    with pytest.raises(ParameterError, match="spin"):
        PairingChannel("p+ip", "quintet")


def test_f_wave_needs_six_neighbours(ks):
    square = TightBindingModel("square", ("o",), {(0, 0): np.zeros((2, 2)), (1, 0): -np.eye(2), (0, 1): -np.eye(2)},
                               lattice=SQUARE_LATTICE, pairing_orbitals=("o",))
    with pytest.raises(ParameterError, match="six nearest neighbours"):
        PairingChannel("f").form_factor(ks, SQUARE_LATTICE)
    with pytest.raises(ParameterError, match="six nearest neighbours"):
        with_pairing(square, "f")
    assert len(SQUARE_LATTICE.nearest_neighbours) == 4 and len(LATTICE.nearest_neighbours) == 6


def test_named_pair_momenta():
    assert np.allclose(pair_momentum("0"), 0)
    assert np.allclose(pair_momentum("2K"), 2 * K) and np.allclose(pair_momentum("2K'"), 2 * KP)
    assert np.allclose(pair_momentum("K"), K) and np.allclose(pair_momentum([0.1, -0.2]), [0.1, -0.2])
    with pytest.raises(ParameterError, match="pair_momentum"):
        pair_momentum("3K")


# ------------------------------------------------------------------ supercells
def union_spectrum(model, kappa, delta, field, cell):
    """Bloch: the spectrum of the model (pair momentum Q) at kappa + g - Q/2 over the folded momenta g."""
    q = np.asarray(model.pair_momentum)
    parts = [np.linalg.eigvalsh(model.bdg_hamiltonian(kappa + g - q / 2, delta, field))
             for g in folded_momenta(cell, model.lattice)]
    return np.sort(np.concatenate(parts, axis=-1), axis=-1)


def test_sqrt3_cell_makes_2k_commensurate():
    """A1 = a1 + a2, A2 = 2 a2 - a1: 2K.A1 = 4 pi, 2K.A2 = 0 (K = (4 pi/3, 0)); three sites, three folded momenta
    (Gamma, K, K' modulo the reciprocal lattice)."""
    cell = np.asarray(SQRT3_SUPERCELL) @ LATTICE.primitive
    w = cell @ pair_momentum("2K") / (2 * np.pi)
    assert np.allclose(w, np.round(w))
    assert len(supercell_sites(SQRT3_SUPERCELL)) == 3
    g = folded_momenta(SQRT3_SUPERCELL, LATTICE)
    assert len(g) == 3
    frac = LATTICE.cartesian_to_fractional(g) % 1
    targets = [np.zeros(2)] + [LATTICE.cartesian_to_fractional(p) % 1 for p in (K, KP)]
    for t in targets:
        assert any(np.allclose(((f - t + 0.5) % 1) - 0.5, 0, atol=1e-9) for f in frac)


@pytest.mark.parametrize("channel, spin", [("s", None), ("p+ip", "triplet-up"), ("d+id", None), ("f", "triplet-z"),
                                           ("p-ip", "triplet-z")])
@pytest.mark.parametrize("name", ["hole-tmd", "heterostructure"])
@pytest.mark.parametrize("momentum", ["2K", "2K'", "K"])
def test_supercell_spectrum_is_the_folded_pair_density_wave(name, channel, spin, momentum):
    """Q = 2K, 2K' and K are all commensurate with the sqrt3 x sqrt3 cell (K.A1 = 2 pi, K.A2 = 0); for Q = K the
    shift Q/2 is not itself a folded momentum, so the -Q/2 of Bloch's theorem is tested too."""
    model = with_pairing(MODELS[name](), channel, spin=spin, momentum=momentum)
    big = supercell(model, SQRT3_SUPERCELL)
    assert big.pair_momentum == (0.0, 0.0) and big.dim == 3 * model.dim
    kappa = np.random.default_rng(23).uniform(-4, 4, (6, 2))
    e_big = np.linalg.eigvalsh(big.bdg_hamiltonian(kappa, 0.2, FIELD))
    np.testing.assert_allclose(e_big, union_spectrum(model, kappa, 0.2, FIELD, SQRT3_SUPERCELL), atol=1e-10)


@pytest.mark.parametrize("channel", ["s", "extended-s", "p+ip"])
def test_zero_momentum_supercell_is_the_folded_spectrum(channel):
    model = with_pairing(MODELS["hole-tmd"](), channel)
    big = supercell(model, SQRT3_SUPERCELL)
    kappa = np.random.default_rng(29).uniform(-4, 4, (6, 2))
    e_big = np.linalg.eigvalsh(big.bdg_hamiltonian(kappa, 0.2, FIELD))
    np.testing.assert_allclose(e_big, union_spectrum(model, kappa, 0.2, FIELD, SQRT3_SUPERCELL), atol=1e-10)
    if channel == "s":  # on-site pairing stays on-site in the supercell
        assert big.onsite_pairing


def test_incommensurate_pair_momentum_is_refused():
    model = with_pairing(MODELS["hole-tmd"](), "p+ip", spin="triplet-up", momentum=(0.3, 0.1))
    with pytest.raises(ParameterError, match="pair_momentum") as exc:
        supercell(model, SQRT3_SUPERCELL)
    assert exc.value.name == "pair_momentum"


# ------------------------------------------------------------------ model files
HOLE_TMD = packaged_model_path("hole-tmd.toml").read_text(encoding="utf-8")


def with_pairing_keys(text, keys):
    assert text.count("[pairing]\n") == 1
    return text.replace("[pairing]\n", "[pairing]\n" + keys)


def assert_same_bdg(a, b, ks):
    assert a.pairing_channel == b.pairing_channel
    assert a.pair_momentum == pytest.approx(b.pair_momentum)
    for field in (0.0, FIELD):
        np.testing.assert_allclose(a.bdg_hamiltonian(ks, 0.2, field), b.bdg_hamiltonian(ks, 0.2, field), atol=1e-13)


def test_model_file_pairing_channel_is_with_pairing(tmp_path, ks):
    text = with_pairing_keys(HOLE_TMD, 'channel = "p+ip"\nspin = "triplet-up"\nmomentum = "2K"\n')
    expected = with_pairing(isingsc.model("hole-tmd"), "p+ip", spin="triplet-up", momentum="2K")
    assert_same_bdg(loads_model(text, "pdw.toml").model, expected, ks)
    path = tmp_path / "pdw.toml"
    path.write_text(text, encoding="utf-8")
    resolved = isingsc.model(file=path)
    assert_same_bdg(resolved.model, expected, ks)
    assert_same_bdg(resolved.reference, expected, ks)


def test_model_file_pairing_defaults_and_numeric_momentum(ks):
    base = isingsc.model("hole-tmd")
    plain = loads_model(HOLE_TMD, "plain.toml").model
    assert plain.onsite_pairing and plain.pairing_channel == "s"
    # spin by parity (triplet-z for p + ip), Q = 0 by default
    assert_same_bdg(loads_model(with_pairing_keys(HOLE_TMD, 'channel = "p+ip"\n'), "x.toml").model,
                    with_pairing(base, "p+ip"), ks)
    # momentum as [qx, qy], numbers or expressions of the parameters
    q = pair_momentum("2K'")
    text = with_pairing_keys(HOLE_TMD, f'channel = "d+id"\nmomentum = ["-8*pi/3 + 0*mu", {q[1]}]\n')
    assert_same_bdg(loads_model(text, "x.toml").model, with_pairing(base, "d+id", momentum=q), ks)


def test_model_file_reference_keeps_the_channel_on_its_orbitals(ks):
    """The heterostructure's reference is its SC layer; with a bond channel on the SC orbital it is the SC layer
    with that channel."""
    text = packaged_model_path("heterostructure.toml").read_text(encoding="utf-8")
    mf = loads_model(with_pairing_keys(text, 'channel = "d+id"\nmomentum = "2K"\n'), "het.toml")
    plain = loads_model(text, "het.toml")
    assert mf.reference.orbitals == ("sc",) and not mf.reference.onsite_pairing
    assert_same_bdg(mf.reference, with_pairing(plain.reference, "d+id", momentum="2K"), ks)
    assert_same_bdg(mf.model, with_pairing(plain.model, "d+id", momentum="2K"), ks)


@pytest.mark.parametrize("keys, key, words", [
    ('channel = "p+p"\n', "pairing.channel", "unknown channel"),
    ("channel = 1\n", "pairing.channel", "a string"),
    ('spin = "quintet"\n', "pairing.spin", "unknown spin structure"),
    ('channel = "p+ip"\nspin = "singlet"\n', "pairing.spin", "Pauli"),
    ('channel = "d+id"\nspin = "triplet-up"\n', "pairing.spin", "Pauli"),
    ('momentum = "M"\n', "pairing.momentum", "unknown pair momentum"),
    ("momentum = [1.0]\n", "pairing.momentum", "two numbers"),
    ('momentum = [1.0, "nope"]\n', "pairing.momentum[1]", "unknown name"),
    ("momentum = 2\n", "pairing.momentum", "[qx, qy]"),
])
def test_bad_pairing_tables_fail_in_one_line(keys, key, words):
    with pytest.raises(DataFileError) as exc:
        loads_model(with_pairing_keys(HOLE_TMD, keys), "bad.toml")
    msg = str(exc.value)
    assert "\n" not in msg
    assert f"bad.toml: {key}" in msg and words in msg, msg


def test_a_channel_needs_pairing_orbitals():
    text = HOLE_TMD.replace('[pairing]\norbitals = ["hole-tmd"]\n', '[pairing]\nchannel = "p+ip"\n')
    with pytest.raises(DataFileError, match=r"bad.toml: pairing.channel: needs pairing.orbitals"):
        loads_model(text, "bad.toml")
