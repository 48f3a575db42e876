"""TOML model files: the shipped files reproduce the built-in models; validation names the key."""

import textwrap

import numpy as np
import pytest

from isingsc.models import catalogue as registry
from isingsc.core.errors import DataFileError, IsingscError, ParameterError
from isingsc.models.families import TYPE_II, k_only_model, type_ii_model
from isingsc.lattice.triangular import SQRT3, structure_factors
from isingsc.models.modelfile import load_model, load_model_file, loads_model, packaged_model_files, packaged_model_path
from isingsc.models.paper import PAPER, sc_model


def assert_same_model(a, b, rng):
    """Same orbitals, couplings and Nambu matrices (random k, a field with x, y, z parts, a gap)."""
    assert a.orbitals == b.orbitals
    assert a.pairing_orbitals == b.pairing_orbitals
    assert a.zeeman_coupling == pytest.approx(b.zeeman_coupling)
    assert a.pairing_scale == pytest.approx(b.pairing_scale)
    k = rng.uniform(-5, 5, (25, 2))
    for fv in (0.0, (0.07, -0.03, 0.02)):
        np.testing.assert_allclose(a.bdg_hamiltonian(k, 0.3, fv), b.bdg_hamiltonian(k, 0.3, fv), atol=1e-12)


@pytest.mark.parametrize("name", [n for n, e in registry.entries().items() if e.file])
def test_shipped_file_is_the_builtin_model(name, rng):
    entry = registry.get(name)
    mf = load_model_file(packaged_model_path(entry.file))
    built = registry.resolve(name)
    model, reference = built.model, built.reference
    assert mf.name == name
    assert mf.delta0 == pytest.approx(entry.delta0)
    assert_same_model(mf.model, model, rng)
    assert_same_model(mf.reference, reference, rng)


def test_every_shipped_file_is_listed():
    files = {p.name for p in packaged_model_files()}
    assert files == {e.file for e in registry.entries().values() if e.file}


def test_heterostructure_file_reference_is_the_isolated_sc_layer(rng):
    mf = load_model_file(packaged_model_path("heterostructure.toml"))
    assert_same_model(mf.reference, sc_model(PAPER), rng)


def test_parameter_overrides(rng):
    """pdte2 with alpha_r = 0 is the type-II model; ws2 with another beta_so is that k-only model."""
    assert_same_model(load_model(packaged_model_path("pdte2.toml"), {"alpha_r": 0.0}), type_ii_model(TYPE_II), rng)
    from isingsc.models.families import NBSE2

    assert_same_model(load_model(packaged_model_path("ws2.toml"), {"beta_so": 0.1}),
                      k_only_model(NBSE2.with_(beta_so=0.1)), rng)
    with pytest.raises(ParameterError, match="override beta"):
        load_model(packaged_model_path("type-ii.toml"), {"beta": 0.1})


SINGLE = """
[model]
name = "test"
[parameters]
t = -1.0
t2 = 0.3
mu = 0.4
beta = 0.1
[[orbitals]]
name = "a"
"""


def test_shells_and_expressions(rng):
    """shell 2 is the next-nearest neighbours (distance sqrt3): 2 t2 sum cos(k.R'), R' = (3/2, sqrt3/2),
    (-3/2, sqrt3/2), (0, -sqrt3); expressions evaluate with the parameters."""
    text = SINGLE + textwrap.dedent("""
        [[hoppings]]
        offset = [0, 0]
        value = "-mu * cos(pi/3) * 2"
        [[hoppings]]
        shell = 1
        value = "t"
        [[hoppings]]
        shell = 2
        value = "t2"
        [[soc]]
        type = "ising"
        beta = "beta"
    """)
    m = loads_model(text).model
    k = rng.uniform(-4, 4, (20, 2))
    rnnn = np.array([[1.5, SQRT3 / 2], [-1.5, SQRT3 / 2], [0.0, -SQRT3]])
    c, s = structure_factors(k)
    xi = 2 * -1.0 * c + 2 * 0.3 * np.cos(k @ rnnn.T).sum(-1) - 0.4
    h = m.hamiltonian(k)
    np.testing.assert_allclose(h[:, 0, 0], xi + 2 * 0.1 * s, atol=1e-12)
    np.testing.assert_allclose(h[:, 1, 1], xi - 2 * 0.1 * s, atol=1e-12)


def test_value_and_matrix_forms_agree(rng):
    """A complex spin-dependent bond as [re, im] / "1j*..." values equals the same bond as a 4 x 4 matrix."""
    two = textwrap.dedent("""
        [model]
        name = "two"
        [parameters]
        g = 0.2
        [[orbitals]]
        name = "a"
        [[orbitals]]
        name = "b"
    """)
    blocks = two + textwrap.dedent("""
        [[hoppings]]
        offset = [1, 0]
        to = "a"
        from = "b"
        spin = "sy"
        value = [0.5, "g"]
        [[hoppings]]
        offset = [1, 0]
        to = "b"
        from = "b"
        spin = "sz"
        value = "-1j*g"
    """)
    # (0.5 + 0.2i) sigma_y in the (a, b) block and -0.2i sigma_z in (b, b)
    a = 0.5 + 0.2j
    matrix = two + textwrap.dedent(f"""
        [[hoppings]]
        offset = [1, 0]
        matrix = [[0, 0, 0, "-1j*({a})"], [0, 0, "1j*({a})", 0], [0, 0, "-0.2j", 0], [0, 0, 0, [0, 0.2]]]
    """)
    assert_same_model(loads_model(blocks).model, loads_model(matrix).model, rng)


BASE2 = """
[model]
name = "bad"
[parameters]
t = -1.0
[[orbitals]]
name = "a"
[[orbitals]]
name = "b"
"""


@pytest.mark.parametrize("extra, key, words", [
    ("[hopings]\n", "hopings", "unknown key"),
    ("[[hoppings]]\noffset = [1, 0]\nto = \"a\"\nfrom = \"a\"\nvlaue = 1.0\n", "hoppings[0].vlaue", "unknown key"),
    ("[[hoppings]]\noffset = [0, 0]\nto = \"a\"\nfrom = \"b\"\nvalue = 0.5\n", "hoppings[0]", "not Hermitian"),
    ("[[hoppings]]\noffset = [1, 0]\nto = \"a\"\nfrom = \"a\"\nvalue = 1.0\n"
     "[[hoppings]]\noffset = [-1, 0]\nto = \"a\"\nfrom = \"a\"\nvalue = 2.0\n", "hoppings[0], hoppings[1]", "T(-R) != T(R)^dagger"),
    ("[[hoppings]]\noffset = [1, 0]\nmatrix = [[1, 0], [0, 1]]\n", "hoppings[0].matrix", "4 x 4"),
    ("[[hoppings]]\noffset = [1, 0]\nmatrix = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]\n", "hoppings[0].matrix", "4 x 4"),
    ("[[hoppings]]\noffset = [1.5, 0]\nto = \"a\"\nfrom = \"a\"\nvalue = 1.0\n", "hoppings[0].offset", "two integers"),
    ("[[hoppings]]\noffset = [1, 0]\nto = \"a\"\nfrom = \"a\"\nvalue = true\n", "hoppings[0].value", "number"),
    ("[[hoppings]]\noffset = [1, 0]\nto = \"c\"\nfrom = \"a\"\nvalue = 1.0\n", "hoppings[0].to", "unknown orbital"),
    ("[[hoppings]]\noffset = [1, 0]\nto = \"a\"\nfrom = \"a\"\nvalue = \"tt\"\n", "hoppings[0].value", "unknown name 'tt'"),
    ("[[hoppings]]\noffset = [1, 0]\nshell = 1\nto = \"a\"\nfrom = \"a\"\nvalue = 1.0\n", "hoppings[0]", "exactly one"),
    ("[[hoppings]]\nshell = 4\nto = \"a\"\nfrom = \"a\"\nvalue = 1.0\n", "hoppings[0].shell", "1, 2 or 3"),
    ("[[hoppings]]\noffset = [1, 0]\nvalue = 1.0\n", "hoppings[0]", "to ="),
    ("[[hoppings]]\noffset = [1, 0]\nto = \"a\"\nfrom = \"a\"\nspin = \"sw\"\nvalue = 1.0\n", "hoppings[0].spin", "s0"),
    ("[[soc]]\ntype = \"dresselhaus\"\nbeta = 0.1\n", "soc[0].type", "unknown SOC type"),
    ("[[soc]]\ntype = \"ising\"\n", "soc[0].beta", "missing"),
    ("[[soc]]\ntype = \"ising\"\nbeta = 0.1\nalpha = 0.2\n", "soc[0].alpha", "unknown key"),
    ("[[soc]]\ntype = \"atomic-p\"\norbitals = [\"a\"]\nbeta = 0.1\n", "soc[0].orbitals", "two different"),
    ("[pairing]\norbitals = [\"c\"]\n", "pairing.orbitals[0]", "unknown orbital"),
    ("[pairing]\norbitals = [\"a\"]\nscale = -1\n", "pairing.scale", "> 0"),
    ("[lattice]\ntype = \"square\"\n", "lattice.type", "triangular"),
    ("[normalisation]\nreference_orbitals = [\"b\"]\n[pairing]\norbitals = [\"a\"]\n",
     "normalisation.reference_orbitals", "pairing orbital"),
    ("[[orbitals]]\nname = \"a\"\n", "orbitals[2].name", "duplicate"),
    ("[[orbitals]]\nname = \"c\"\nzeman = 1\n", "orbitals[2].zeman", "unknown key"),
])
def test_malformed_files_name_the_key(extra, key, words):
    with pytest.raises(DataFileError) as exc:
        loads_model(BASE2 + extra, "bad.toml")
    msg = str(exc.value)
    assert "\n" not in msg
    assert f"bad.toml: {key}" in msg and words in msg, msg


@pytest.mark.parametrize("text, key", [
    ("[model]\nname = \"x\"\n", "orbitals"),
    ("[[orbitals]]\nname = \"a\"\n", "model"),
    ("[model]\ndescription = \"no name\"\n[[orbitals]]\nname = \"a\"\n", "model.name"),
    ("schema = 2\n[model]\nname = \"x\"\n[[orbitals]]\nname = \"a\"\n", "schema"),
    ("[model]\nname = \"x\"\n[parameters]\nbeta = \"big\"\n[[orbitals]]\nname = \"a\"\n", "parameters.beta"),
    ("[model]\nname = \"x\"\n[parameters]\nsqrt = 1.0\n[[orbitals]]\nname = \"a\"\n", "parameters.sqrt"),
    ("[model]\nname = \"x\"\ndelta0 = 0\n[[orbitals]]\nname = \"a\"\n", "model.delta0"),
    ("[model\nname = \"x\"\n", "not valid TOML"),
])
def test_structural_errors(text, key):
    with pytest.raises(DataFileError) as exc:
        loads_model(text, "bad.toml")
    assert (f"bad.toml: {key}" if key != "not valid TOML" else key) in str(exc.value)


def test_missing_file_is_a_data_file_error(tmp_path):
    with pytest.raises(IsingscError, match="no such file"):
        load_model(tmp_path / "nope.toml")


def test_single_bond_is_completed_hermitian(rng):
    """One direction of a bond is enough: H(k) Hermitian, and -i beta sigma_z on R gives 2 beta sin(k.R) sigma_z."""
    text = SINGLE + "[[hoppings]]\noffset = [1, 0]\nspin = \"sz\"\nvalue = \"-1j*beta\"\n"
    m = loads_model(text).model
    k = rng.uniform(-4, 4, (10, 2))
    h = m.hamiltonian(k)
    np.testing.assert_allclose(h, np.conj(np.swapaxes(h, -1, -2)), atol=1e-14)
    np.testing.assert_allclose(h[:, 0, 0].real, 2 * 0.1 * np.sin(k[:, 0]), atol=1e-12)
