"""The Zeeman field value (isingsc.core.field) and the run-time settings (isingsc.core.config).

References: a field is the Zeeman energy vector V = strength x (unit direction); in-plane at angle phi
it is V (cos phi, sin phi, 0) and adds V.sigma to H (checked on a model against the Pauli matrices);
the settings are restored by ``using`` whatever happens inside, and the kernels' sums do not depend
on the thread count (fixed k blocks).
"""

import math

import numpy as np
import pytest

import isingsc
from isingsc.core import config
from isingsc.core.errors import ParameterError
from isingsc.core.field import ZERO_FIELD, Field, as_field
from isingsc.lattice.triangular import uniform_mesh
from isingsc.meanfield.pairing import PairingProblem
from isingsc.models.base import SIGMAX, SIGMAY, SIGMAZ
from isingsc.models.paper import PAPER, IsingParams, intrinsic_ising_model, sc_model


# ------------------------------------------------------------------ Field
@pytest.mark.parametrize("strength, angle", [(0.02, 0.0), (0.3, 0.5), (1.0, -2.0), (0.7, math.pi)])
def test_in_plane_constructor(strength, angle):
    f = Field.in_plane(strength, angle)
    assert f.strength == strength and f.is_in_plane
    np.testing.assert_allclose(f.vector, [strength * math.cos(angle), strength * math.sin(angle), 0.0], atol=1e-15)
    assert math.isclose(math.cos(f.angle), math.cos(angle), abs_tol=1e-12)
    assert math.isclose(math.sin(f.angle), math.sin(angle), abs_tol=1e-12)
    assert -math.pi < f.angle <= math.pi
    assert np.linalg.norm(f.direction) == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(np.asarray(f), f.vector)


def test_from_vector_and_as_field():
    f = Field.from_vector((0.03, 0.04, 0.0))
    assert f.strength == pytest.approx(0.05) and f.angle == pytest.approx(math.atan2(0.04, 0.03))
    np.testing.assert_allclose(f.vector, [0.03, 0.04, 0.0], atol=1e-16)
    g = Field.from_vector((0.0, 0.0, -0.2))
    assert g.strength == pytest.approx(0.2) and not g.is_in_plane and g.direction == (0.0, 0.0, -1.0)
    # as_field: a Field itself, a number Vx, a 2- or 3-vector, None (zero)
    assert as_field(f) is f
    np.testing.assert_allclose(as_field(0.02).vector, [0.02, 0.0, 0.0])
    np.testing.assert_allclose(as_field(-0.02).vector, [-0.02, 0.0, 0.0])
    assert as_field(-0.02).strength == 0.02 and as_field(-0.02).angle == pytest.approx(math.pi)
    np.testing.assert_allclose(as_field((0.01, -0.02)).vector, [0.01, -0.02, 0.0])
    np.testing.assert_allclose(as_field(np.array([0.01, 0.02, 0.03])).vector, [0.01, 0.02, 0.03])
    assert as_field(None) == ZERO_FIELD and ZERO_FIELD.strength == 0.0
    # the public facade exports them
    assert isingsc.Field is Field and isingsc.as_field is as_field


def test_zero_field_keeps_its_direction():
    """Critical-field searches scale a direction: a zero field must remember it."""
    f = Field.in_plane(0.0, 1.1)
    assert f.strength == 0.0 and f.angle == pytest.approx(1.1)
    np.testing.assert_array_equal(f.vector, np.zeros(3))
    g = f.with_strength(0.05)
    np.testing.assert_allclose(g.vector, 0.05 * np.array([math.cos(1.1), math.sin(1.1), 0.0]), atol=1e-16)
    assert Field().direction == (1.0, 0.0, 0.0) and Field.from_vector((0.0, 0.0)).direction == (1.0, 0.0, 0.0)
    attrs = f.attrs()
    assert attrs["field_strength"] == 0.0 and attrs["field_angle"] == pytest.approx(1.1)


def test_field_enters_the_hamiltonian_as_v_dot_sigma():
    """H(k; V) - H(k; 0) = V.sigma on a single-orbital layer (g = 2: V is the Zeeman energy)."""
    model = intrinsic_ising_model(IsingParams(t=-1.0, mu=0.3, beta_so=0.05))
    k = np.random.default_rng(2).uniform(-3, 3, (5, 2))
    f = Field.in_plane(0.07, 0.9)
    vx, vy, vz = f.vector
    expected = vx * SIGMAX + vy * SIGMAY + vz * SIGMAZ
    diff = model.hamiltonian(k, f) - model.hamiltonian(k, None)
    np.testing.assert_allclose(diff, np.broadcast_to(expected, diff.shape), atol=1e-14)
    # every accepted spelling gives the same matrices
    for same in (f, f.vector, tuple(f.vector), Field.from_vector(f.vector)):
        np.testing.assert_allclose(model.hamiltonian(k, same), model.hamiltonian(k, f), atol=1e-15)


@pytest.mark.parametrize("bad", [float("nan"), (1.0, float("inf")), (1, 2, 3, 4), [[1.0, 2.0]], "x", (), object(),
                                 (0.1, "y")])
def test_bad_field_input_names_field(bad):
    with pytest.raises(ParameterError) as err:
        as_field(bad)
    assert "field" in err.value.name


@pytest.mark.parametrize("call", [lambda: Field.in_plane(-0.1, 0.0), lambda: Field.in_plane(0.1, float("nan")),
                                  lambda: Field(0.1, (1.0, 1.0, 0.0)), lambda: Field(float("inf"))])
def test_bad_constructor_arguments_name_the_field(call):
    with pytest.raises(ParameterError) as err:
        call()
    assert err.value.name.startswith("field")


# ------------------------------------------------------------------ config
def test_using_restores_the_settings_also_after_an_error():
    before = config.current()
    with config.using(backend="cpu", threads=1, progress=False) as inside:
        assert inside == config.current()
        assert (inside.backend, inside.threads, inside.progress) == ("cpu", 1, False)
        assert config.threads() == 1
        with config.using(threads=2):
            assert config.threads() == 2 and config.current().backend == "cpu"
        assert config.threads() == 1
    assert config.current() == before
    with pytest.raises(RuntimeError, match="inside"):
        with config.using(threads=3):
            raise RuntimeError("inside")
    assert config.current() == before
    assert isingsc.config is config


def test_configure_changes_the_session_and_threads_defaults_to_the_cpus():
    before = config.current()
    try:
        config.configure(threads=2)
        assert config.threads() == 2
        config.configure(threads=None)
        assert config.threads() == config.cpu_count() >= 1
    finally:
        with config.using():
            pass
        config.configure(**{name: getattr(before, name) for name in ("backend", "threads", "progress")})
    assert config.current() == before


@pytest.mark.parametrize("setting, value", [("backend", "tpu"), ("backend", ""), ("threads", 0),
                                            ("threads", -2), ("threads", 2.5), ("threads", "two"),
                                            ("threads", True)])
def test_invalid_settings_name_the_setting(setting, value):
    before = config.current()
    with pytest.raises(ParameterError) as err:
        config.configure(**{setting: value})
    assert err.value.name == setting
    with pytest.raises(ParameterError) as err:
        with config.using(**{setting: value}):
            pass
    assert err.value.name == setting
    assert config.current() == before


def test_unknown_setting_is_refused():
    with pytest.raises(ParameterError, match="setting"):
        config.configure(colour="blue")


def test_environment_for_workers_carries_the_settings():
    with config.using(backend="cpu", threads=3):
        env = config.environment_for_workers()
    assert env == {"ISINGSC_BACKEND": "cpu", "ISINGSC_NUM_THREADS": "3"}


def test_kernel_sums_are_bit_identical_for_one_and_two_threads(monkeypatch):
    """Fixed k blocks (BLOCK_SIZE) whatever the thread count: Omega and Omega''(0) bit for bit equal."""
    import isingsc.backends.cpu as cpu
    from isingsc.backends import BLOCK_SIZE

    assert BLOCK_SIZE == cpu.BLOCK_SIZE
    monkeypatch.setattr(cpu, "BLOCK_SIZE", 64)  # several blocks on this small mesh
    problem = PairingProblem(sc_model(PAPER), uniform_mesh(48), 1.7)
    assert len(problem.mesh.k) > 8 * 64
    out = {}
    for threads in (1, 2):
        with config.using(backend="cpu", threads=threads):
            out[threads] = (problem.landscape([0.01, 0.02], [0.003, 0.01], Field.in_plane(0.004, 0.3)),
                            problem.curvature([0.003, 0.01], Field.in_plane(0.004, 0.3)),
                            problem.landscape([0.015], [0.0, 0.02], 0.004))
    for a, b in zip(out[1], out[2]):
        assert np.array_equal(a, b)


def test_single_threaded_blas_inside_and_restored_after():
    """The solvers run BLAS on one thread (the kernels' own threads fill the cores); the caller's limit comes back."""
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    with config.single_threaded_blas():
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before


def test_zeeman_matrix_is_kept_per_field_and_read_only():
    """One copy per field (root searches build H(k) at one field thousands of times), equal to sum_o g_o V.sigma,
    and not writable, so that no caller can change the next one's Hamiltonian."""
    model = intrinsic_ising_model(IsingParams())
    f = Field.in_plane(0.02, 0.3)
    m = model.zeeman_matrix(f)
    v = f.vector
    assert np.allclose(m, np.kron(np.diag(model.zeeman_coupling), v[0] * SIGMAX + v[1] * SIGMAY + v[2] * SIGMAZ),
                       atol=0)
    assert model.zeeman_matrix(Field.in_plane(0.02, 0.3)) is m  # an equal Field: the same matrix
    assert not m.flags.writeable
    with pytest.raises(ValueError):
        m[0, 0] = 1.0
    other = model.zeeman_matrix(Field.in_plane(0.02, 0.4))
    assert not np.allclose(other, m)
    # a vector and a Field of the same field agree (to the rounding of the direction's normalisation)
    assert np.allclose(model.zeeman_matrix(v), m, rtol=1e-14, atol=0)
