"""The model catalogue (isingsc.models.catalogue): names, parameters, files, symmetry facts, capabilities.

References: the symmetry facts each entry declares are measured on its Hamiltonian
(isingsc.models.symmetry.detect_facts: D6 invariance of the Nambu spectrum, the chiral operator
C = sigma_x tau_y, Fermi crossings on rays); the shipped TOML files are independent descriptions of the
built-in models, compared matrix element by matrix element; a chemical potential outside the band
(|mu| > the band edges of 2tC(k), C in [-3/2, 3]) leaves no Fermi surface.
"""

import numpy as np
import pytest

import isingsc
from isingsc.core.errors import ModelCapabilityError, ParameterError
from isingsc.meanfield import MeanField
from isingsc.models import catalogue
from isingsc.models.modelfile import packaged_model_path
from isingsc.models.paper import IsingParams, intrinsic_ising_model
from isingsc.models.symmetry import detect_facts

NAMES = catalogue.names()
WITH_PAIRING = ["heterostructure", "eq8-static", "effective-fit", "intrinsic", "sc", "type-ii", "stanene", "pdte2",
                "mote2", "nbse2", "ws2", "hole-tmd"]


def test_the_catalogue_lists_the_documented_models():
    assert set(NAMES) == set(WITH_PAIRING) | {"tmd"}
    assert isingsc.models_available() == NAMES and list(catalogue.entries()) == NAMES
    assert isingsc.model is catalogue.resolve
    for name in NAMES:
        assert catalogue.get(name).name == name


@pytest.mark.parametrize("name", NAMES)
def test_declared_facts_equal_the_detected_ones(name):
    """The solvers rely on the declared facts (wedge quadrature, K disks, winding numbers): they must be
    what the Hamiltonian at the default parameters actually has."""
    entry = catalogue.get(name)
    model = entry.build(entry.defaults)
    assert entry.facts == detect_facts(model)
    resolved = catalogue.resolve(name)
    assert resolved.facts == entry.facts  # at the defaults, the detected pockets are the declared ones
    assert resolved.facts.pairing == (name in WITH_PAIRING)


def test_effective_alone_is_ambiguous():
    for call in (lambda: catalogue.resolve("effective"), lambda: catalogue.get("effective"),
                 lambda: MeanField("effective")):
        with pytest.raises(ParameterError) as err:
            call()
        assert "eq8-static" in str(err.value) and "effective-fit" in str(err.value)


def test_unknown_model_name_lists_the_names():
    with pytest.raises(ParameterError) as err:
        catalogue.resolve("graphene")
    assert err.value.name == "model" and all(n in str(err.value) for n in NAMES)


@pytest.mark.parametrize("name, parameter", [("intrinsic", "gamma"), ("ws2", "gamma"), ("sc", "gamma"),
                                             ("ws2", "mu_gamma"), ("tmd", "t_sc")])
def test_unknown_or_inapplicable_parameter_names_it_and_lists_the_models_parameters(name, parameter):
    """``gamma`` is no parameter of the intrinsic layer; the sc layer's parameter set (the paper's) has a
    gamma but the layer does not use it; ws2 shares its parameter set with nbse2 but has no Gamma pocket."""
    entry = catalogue.get(name)
    for call in (lambda: catalogue.resolve(name, overrides={parameter: 0.1}),
                 lambda: catalogue.resolve(name, **{parameter: 0.1})):
        with pytest.raises(ParameterError) as err:
            call()
        assert err.value.name == parameter
        message = str(err.value)
        assert parameter in message and name in message
        for p in entry.parameter_names:
            assert p in message, p


def test_aliases_of_the_intrinsic_layer():
    """The command line's t_sc / mu_sc name the intrinsic layer's t / mu."""
    a = catalogue.resolve("intrinsic", overrides={"t_sc": -1.2, "mu_sc": 2.5, "beta_so": 0.02})
    b = catalogue.resolve("intrinsic", overrides={"t": -1.2, "mu": 2.5, "beta_so": 0.02})
    assert a.parameters == b.parameters == {"t": -1.2, "mu": 2.5, "beta_so": 0.02}
    k = np.random.default_rng(4).uniform(-4, 4, (20, 2))
    direct = intrinsic_ising_model(IsingParams(t=-1.2, mu=2.5, beta_so=0.02))
    for m in (a, b):
        np.testing.assert_allclose(m.model.bdg_hamiltonian(k, 0.03, (0.01, 0.02, 0.0)),
                                   direct.bdg_hamiltonian(k, 0.03, (0.01, 0.02, 0.0)), atol=1e-14)
    with pytest.raises(ParameterError, match="twice"):
        catalogue.resolve("intrinsic", overrides={"t": -1.0, "t_sc": -1.2})


def test_parameter_values_are_validated_by_name():
    with pytest.raises(ParameterError) as err:
        catalogue.resolve("heterostructure", overrides={"gamma": -0.5})
    assert err.value.name == "gamma"
    with pytest.raises(ParameterError) as err:
        catalogue.resolve("intrinsic", mu=float("nan"))
    assert err.value.name == "mu"


@pytest.mark.parametrize("name", [n for n, e in catalogue.entries().items() if e.file])
def test_shipped_files_resolve_to_the_builtin_models(name, rng):
    """resolve(file=...) of entry.file: the same Bloch and Nambu Hamiltonians at random k, in a field with
    x, y and z parts and with a gap; the same reference model and suggested Delta0."""
    entry = catalogue.get(name)
    from_file = catalogue.resolve(file=packaged_model_path(entry.file))
    builtin = catalogue.resolve(name)
    assert from_file.name == name and from_file.delta0 == pytest.approx(builtin.delta0)
    k = rng.uniform(-5, 5, (30, 2))
    for field in (None, (0.07, -0.03, 0.02)):
        np.testing.assert_allclose(from_file.model.hamiltonian(k, field), builtin.model.hamiltonian(k, field),
                                   atol=1e-12)
    np.testing.assert_allclose(from_file.model.bdg_hamiltonian(k, 0.3, (0.07, -0.03, 0.02)),
                               builtin.model.bdg_hamiltonian(k, 0.3, (0.07, -0.03, 0.02)), atol=1e-12)
    np.testing.assert_allclose(from_file.reference.bdg_hamiltonian(k, 0.3, (0.05, 0.0, 0.0)),
                               builtin.reference.bdg_hamiltonian(k, 0.3, (0.05, 0.0, 0.0)), atol=1e-12)
    assert from_file.facts == builtin.facts
    assert from_file.file_text == packaged_model_path(entry.file).read_text(encoding="utf-8")
    # and a file's parameters are overridden by name, as the built-in model's are
    key = next(iter(from_file.parameters))
    value = from_file.parameters[key] * 1.1 + 0.01
    changed = catalogue.resolve(file=packaged_model_path(entry.file), overrides={key: value})
    assert changed.parameters[key] == pytest.approx(value)


def test_fitted_and_static_effective_models_have_no_file():
    assert catalogue.get("effective-fit").file is None and catalogue.get("eq8-static").file is None


@pytest.mark.parametrize("name, capability, words", [
    ("pdte2", "winding", "chiral"), ("mote2", "winding", "chiral"),
    ("eq8-static", "real-space", "k space only"), ("eq8-static", "winding", "poles"),
    ("tmd", "pairing", "pairing"), ("tmd", "winding", "pairing")])
def test_require_refuses_what_a_model_cannot_give(name, capability, words):
    m = catalogue.resolve(name)
    with pytest.raises(ModelCapabilityError) as err:
        m.require(capability)
    assert name in str(err.value) and words in str(err.value)
    assert isinstance(err.value, ParameterError)  # one-line errors of the command line


@pytest.mark.parametrize("name", ["heterostructure", "effective-fit", "intrinsic", "type-ii", "nbse2", "ws2"])
def test_require_accepts_what_a_model_can_give(name):
    m = catalogue.resolve(name)
    for capability in ("pairing", "winding", "real-space"):
        m.require(capability)
    with pytest.raises(ParameterError, match="capability"):
        m.require("teleportation")


def test_meanfield_refuses_models_it_cannot_solve():
    # mu = -7 is below the band bottom -6 |t| of 2tC(k) - mu (t = -1): no Fermi surface at all
    with pytest.raises(ModelCapabilityError, match="Fermi surface"):
        MeanField("intrinsic", mu=-7)
    with pytest.raises(ModelCapabilityError, match="pairing"):
        MeanField("tmd")


def test_as_resolved_accepts_names_resolved_models_and_bare_models():
    r = catalogue.resolve("ws2")
    assert catalogue.as_resolved(r) is r
    assert catalogue.as_resolved("ws2").parameters == r.parameters
    bare = catalogue.as_resolved(r.model)
    assert bare.reference is r.model and bare.facts == detect_facts(r.model)
    with pytest.raises(ParameterError, match="model"):
        catalogue.as_resolved(3.0)
