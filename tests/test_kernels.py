"""Compiled kernels (isingsc.backends.cpu) against LAPACK and direct NumPy formulas."""

import numpy as np
import pytest

import isingsc.backends.cpu as K
from isingsc.backends import LinearNambu
from isingsc.core import config
from isingsc.core.errors import ParameterError
from isingsc.lattice.triangular import uniform_mesh
from isingsc.meanfield.pairing import PairingProblem
from isingsc.models.paper import PAPER, effective_model, heterostructure_model, sc_model


@pytest.fixture(scope="module")
def hetero_operator():
    model = heterostructure_model(PAPER.with_(gamma=0.4))
    k = np.random.default_rng(3).uniform(-4.5, 4.5, (1500, 2))
    return model, k, LinearNambu.from_model(model, k)


def test_decomposition_reproduces_the_model(hetero_operator):
    model, k, op = hetero_operator
    assert np.isrealobj(op.h0)  # field-free heterostructure is real: the fast path applies
    delta, field = 0.013, np.array([0.021, 0.0, 0.0])
    direct = model.bdg_hamiltonian(k, delta, field)
    assert np.allclose(op.h0 + op.perturbation(delta, field), direct, atol=1e-13)


def test_nonlinear_model_has_no_decomposition():
    """The static effective model's self-energy depends on the field non-linearly."""
    k = uniform_mesh(6).k
    assert LinearNambu.from_model(effective_model(PAPER), k) is None


@pytest.mark.parametrize("delta, field", [(0.02, (0.01, 0, 0)), (0.0, (0.0, 0, 0)), (0.3, (0.2, 0, 0)),
                                          (0.02, (0.01, 0.007, 0.0))])
def test_eigenvalues_agree_with_lapack(hetero_operator, delta, field):
    """Real fast path (field along x) and complex fallback (field with a y component)."""
    _, _, op = hetero_operator
    field = np.array(field, dtype=float)
    ours = op.eigenvalues(delta, field)
    lapack = np.linalg.eigvalsh(op.h0 + op.perturbation(delta, field))
    assert np.max(np.abs(ours - lapack)) < 1e-13


def test_tridiagonal_solver_handles_degenerate_and_diagonal_matrices():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    spectrum = np.array([-1.0, -1.0, 0.0, 0.0, 1e-9, 2.0, 2.0, 2.0])
    mats = np.stack([q @ np.diag(spectrum) @ q.T, np.diag(spectrum[::-1]), np.zeros((8, 8))])
    op = LinearNambu(h0=np.ascontiguousarray(mats), pairing=np.zeros((8, 8)), zeeman=np.zeros((3, 8, 8)))
    out = op.eigenvalues(0.0, np.zeros(3))
    assert np.allclose(out[0], spectrum, atol=1e-14) and np.allclose(out[1], spectrum, atol=0)
    assert np.all(out[2] == 0)


@pytest.mark.parametrize("dtype", [float, complex])
def test_eigvalsh_of_block_diagonal_batches_agrees_with_lapack(dtype):
    """A batch sharing a permuted block-diagonal zero pattern (blocks of 1, 2 and 3) is solved block by block,
    2 x 2 blocks in closed form: LAPACK's eigenvalues of the whole matrices to 1e-14 of the norm, degenerate and
    zero blocks included; a batch with one nonzero entry linking two blocks is solved whole, as well."""
    from isingsc.backends import eigvalsh
    from isingsc.backends.dispatch import diagonal_blocks

    rng = np.random.default_rng(3)
    n, perm = 500, rng.permutation(6)
    h = np.zeros((n, 6, 6), dtype=dtype)
    for block in ([0], [1, 2], [3, 4, 5]):
        x = rng.normal(size=(n, len(block), len(block))) + (1j * rng.normal(size=(n, len(block), len(block)))
                                                             if dtype is complex else 0)
        h[:, block[0]:block[-1] + 1, block[0]:block[-1] + 1] = x + np.conj(np.swapaxes(x, -1, -2))
    h[:7] = 0.0  # zero matrices; degenerate 2 x 2 blocks (a = d, b = 0) below
    h[7:10, 1:3, 1:3] = np.eye(2)
    h = h[:, perm][:, :, perm]
    blocks = diagonal_blocks(h)
    assert sorted(map(len, blocks)) == [1, 2, 3] and sorted(np.concatenate(blocks)) == list(range(6))
    ours, lapack = eigvalsh(h), np.linalg.eigvalsh(h)
    assert np.max(np.abs(ours - lapack)) <= 1e-14 * np.abs(lapack).max()
    assert np.all(ours[:7] == 0) and np.all(np.diff(ours, axis=-1) >= 0)
    linked = h.copy()
    i, j = perm.tolist().index(0), perm.tolist().index(3)
    linked[11, i, j] = linked[11, j, i] = 0.5
    assert diagonal_blocks(linked) is None or len(diagonal_blocks(linked)) == 2
    assert np.max(np.abs(eigvalsh(linked) - np.linalg.eigvalsh(linked))) <= 1e-14 * np.abs(lapack).max() * 4


def test_determinants_agree_with_lapack():
    """The compiled LU determinant against NumPy's (LAPACK getrf) on random complex matrices of sizes 1-6, a matrix
    needing row swaps (zero leading pivot), exactly singular ones (a zero and a repeated row) and real input."""
    from isingsc.backends import determinants

    rng = np.random.default_rng(6)
    for m in range(1, 7):
        a = rng.normal(size=(300, m, m)) + 1j * rng.normal(size=(300, m, m))
        ours, lapack = determinants(a), np.linalg.det(a)
        assert np.max(np.abs(ours - lapack) / np.abs(lapack)) < 1e-12
    swap = np.array([[[0.0, 1.0, 2.0], [3.0, 0.0, 1.0], [1.0, 2.0, 0.0]]])
    assert np.allclose(determinants(swap), np.linalg.det(swap), rtol=1e-15) and determinants(swap)[0] == 13.0
    singular = np.stack([np.zeros((3, 3)), np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.0, 1.0, 5.0]])])
    assert np.all(determinants(singular) == 0)
    assert determinants(np.zeros((2, 4, 3, 3))).shape == (2, 4)


def _numpy_pair_blocks(op, field):
    n = op.dim // 2
    h = op.h0 + op.perturbation(0.0, field)
    ep, up = np.linalg.eigh(h[:, :n, :n])
    eh, uh = np.linalg.eigh(h[:, n:, n:])
    p2 = np.abs(np.swapaxes(up.conj(), -1, -2) @ (op.pairing[:n, n:] @ uh)) ** 2
    return ep, eh, p2


@pytest.mark.parametrize("field", [(0.013, 0, 0), (0.0, 0, 0), (0.01, 0.004, 0)])
def test_pair_kernel_agrees_with_numpy(hetero_operator, field):
    """Eigenvalues and the pair-susceptibility curvature (invariant under degenerate rotations)."""
    _, k, op = hetero_operator
    field = np.array(field, dtype=float)
    ep, eh, p2 = op.pair_blocks(field)
    ep_np, eh_np, p2_np = _numpy_pair_blocks(op, field)
    assert np.max(np.abs(ep - ep_np)) < 1e-13 and np.max(np.abs(eh - eh_np)) < 1e-13
    w = np.full(len(k), 1.0 / len(k))
    temps = [1e-3, 5e-3, 0.05]
    assert np.allclose(K.pair_curvature(ep, eh, p2, w, temps), K.pair_curvature(ep_np, eh_np, p2_np, w, temps),
                       rtol=1e-12, atol=1e-14)


def test_hole_block_relation_is_detected_only_when_it_holds(hetero_operator):
    _, _, op = hetero_operator
    n = op.dim // 2
    along_x = op.perturbation(0.0, np.array([0.02, 0.0, 0.0])).real
    along_z = op.perturbation(0.0, np.array([0.0, 0.0, 0.02])).real
    assert op.hole_block_relation(along_x[:n, :n], along_x[n:, n:]) is not None
    assert op.hole_block_relation(along_z[:n, :n], along_z[n:, n:]) is None


def test_thermal_sums_against_direct_formula():
    rng = np.random.default_rng(1)
    e = np.sort(rng.normal(scale=0.05, size=(700, 4)), axis=1)
    e0 = np.sort(e + rng.normal(scale=1e-3, size=e.shape), axis=1)
    w = rng.uniform(size=700)
    temps = np.array([0.0, 1e-4, 0.01, 0.3])

    def direct(energies):
        out = []
        for t in temps:
            g = -np.abs(energies) / 4 if t == 0 else -(t / 2) * np.logaddexp(energies / (2 * t), -energies / (2 * t))
            out.append(g.sum(-1) @ w)
        return np.array(out)

    assert np.allclose(K.thermal_sum(e, w, temps), direct(e), rtol=1e-13)
    assert np.allclose(K.thermal_difference(e, e0, w, temps), direct(e) - direct(e0), rtol=1e-9, atol=1e-15)


def test_pair_curvature_divided_difference_limits():
    """(G'(a) - G'(b))/(a - b) -> G''(a) = -1/(8T cosh^2(a/2T)) for a = b, and the direct quotient otherwise."""
    t, a = 0.01, 0.013
    w = np.array([1.0])
    same = K.pair_curvature(np.array([[a]]), np.array([[a]]), np.ones((1, 1, 1)), w, [t])[0]
    assert same == pytest.approx(2 * (-1 / (8 * t * np.cosh(a / (2 * t)) ** 2)), rel=1e-12)
    b = -0.021
    apart = K.pair_curvature(np.array([[a]]), np.array([[b]]), np.ones((1, 1, 1)), w, [t])[0]
    expect = 2 * (-0.25 * (np.tanh(a / (2 * t)) - np.tanh(b / (2 * t))) / (a - b))
    assert apart == pytest.approx(expect, rel=1e-12)


def test_threads_do_not_change_results(monkeypatch):
    """Fixed k blocks: sums are bit-for-bit identical for any thread count (sweeps rely on it)."""
    model = sc_model(PAPER)
    mesh = uniform_mesh(60)
    problem = PairingProblem(model, mesh, 1.7)
    values = {}
    monkeypatch.setattr(K, "BLOCK_SIZE", 64)  # several blocks on this small mesh
    assert len(mesh.k) > 4 * K.BLOCK_SIZE
    for threads in (1, 2, 3):
        with config.using(threads=threads):
            assert config.threads() == threads == K.n_threads()
            values[threads] = (problem.landscape([0.01, 0.02], [0.003, 0.01], (0.004, 0, 0)),
                               problem.curvature([0.003, 0.01], (0.004, 0, 0)))
    for threads in (2, 3):
        for one, other in zip(values[1], values[threads]):
            assert np.array_equal(one, other)


def test_thread_count_setting_is_validated():
    for bad in (0, -1, 1.5, "zero", True):
        with pytest.raises(ParameterError, match="threads"):
            config.configure(threads=bad)
    with pytest.raises(ParameterError, match="threads"):
        with config.using(threads=0):
            pass
    assert config.current().threads is None or config.current().threads >= 1


def test_thread_count_environment_variable_is_validated():
    """ISINGSC_NUM_THREADS gives the default of a fresh process (read once); a bad value names it."""
    import os
    import subprocess
    import sys

    code = "from isingsc.core import config; print(config.threads())"
    env = dict(os.environ, ISINGSC_NUM_THREADS="3")
    ok = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0 and ok.stdout.strip() == "3"
    env["ISINGSC_NUM_THREADS"] = "zero"
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode != 0 and "ParameterError" in bad.stderr and "ISINGSC_NUM_THREADS" in bad.stderr


# ----------------------------------------------------------------- chiral levels (the free energy's fast path)
def _exact_levels(op, delta, field):
    return np.linalg.eigvalsh(op.h0 + op.perturbation(delta, field))


@pytest.mark.parametrize("delta, field", [(0.02, (0.013, 0, 0)), (0.0, (0.0, 0, 0)), (0.3, (0.2, 0, 0)),
                                          (0.02, (0.01, 0.007, 0.0)), (0.0, (0.02, 0.0, 0.0))])
def test_chiral_levels_agree_with_lapack_within_the_squaring_bound(hetero_operator, delta, field):
    """In-plane fields at any angle anticommute with C = tau_y sigma_x: the levels come from A^dagger A.
    Squaring bounds the error of a level E by ~ m eps ||H||^2 / |E| (m = 4: the Gram matrix A^dagger A is formed
    with a backward error ~ m eps ||A||^2, and a level E of H is sqrt of its eigenvalue E^2), and by
    sqrt(m eps) ||H|| at E = 0; the constant 4 m is the usual slack of such bounds."""
    _, _, op = hetero_operator
    assert op.chiral_blocks is not None
    field = np.array(field, dtype=float)
    ours = op.thermal_levels(delta, field)
    exact = _exact_levels(op, delta, field)
    norm2 = np.max(np.linalg.norm(op.h0 + op.perturbation(delta, field), 2, axis=(-2, -1))) ** 2
    gram = 4 * (op.dim // 2) * np.finfo(float).eps * norm2  # 4 m eps ||H||^2
    bound = gram / np.maximum(np.abs(exact), np.sqrt(gram))
    assert np.all(np.abs(ours - exact) <= bound)
    assert np.all(np.abs(ours - exact) <= 1e-12 + 1e-9 * (np.abs(exact) < 1e-3))


@pytest.mark.parametrize("field", [(0.013, 0, 0), (0.01, 0.007, 0.0)])
def test_condensation_on_the_chiral_path_equals_the_direct_free_energy(hetero_operator, field):
    """sum_k w_k sum_n [G_T(E_n(Delta)) - G_T(E_n(0))] with LAPACK levels and the explicit G_T = -(T/2) ln 2cosh(E/2T)."""
    _, k, op = hetero_operator
    field = np.array(field, dtype=float)
    w = np.full(len(k), 1.0 / len(k))
    deltas, temps = np.array([4e-4, 0.01, 0.02]), np.array([1e-3, 0.01])

    def g(e, t):
        return (-(t / 2) * np.logaddexp(e / (2 * t), -e / (2 * t))).sum(-1) @ w

    e0 = _exact_levels(op, 0.0, field)
    direct = np.array([[g(_exact_levels(op, d, field), t) - g(e0, t) for d in deltas] for t in temps])
    ours = op.condensation(deltas, temps, field, w)
    # the free-energy differences are ~1e-7 - 1e-4 |t| per site; each level's thermal term moves by < 1e-13
    assert np.allclose(ours, direct, rtol=1e-9, atol=1e-13)


def test_chiral_path_only_where_the_symmetry_holds(hetero_operator):
    """An out-of-plane field breaks C (the exact eigenvalues are used); so does Rashba SOC (no chiral blocks)."""
    from isingsc.models.catalogue import resolve

    _, k, op = hetero_operator
    along_z = np.array([0.0, 0.0, 0.01])
    assert np.array_equal(op.thermal_levels(0.02, along_z), op.eigenvalues(0.02, along_z))
    rashba = LinearNambu.from_model(resolve("pdte2").model, k[:200])
    assert rashba.chiral_blocks is None
    assert np.array_equal(rashba.thermal_levels(0.02, np.array([0.01, 0, 0])),
                          rashba.eigenvalues(0.02, np.array([0.01, 0, 0])))


def test_pair_kernel_is_kept_per_field_and_equals_a_fresh_one():
    """A search in T at fixed field (Tc), or a root search in V returning to a field, reuses the Delta = 0
    diagonalisation: the kept kernel gives the curvature of a fresh problem bit for bit, and only the
    KERNELS_KEPT most recent fields are kept."""
    from isingsc.core.field import Field
    from isingsc.meanfield.pairing import KERNELS_KEPT

    model = heterostructure_model(PAPER.with_(gamma=0.4))
    mesh = uniform_mesh(24)
    problem, fresh = PairingProblem(model, mesh, 1.3), PairingProblem(model, mesh, 1.3)
    field, temperatures = Field.in_plane(0.01, 0.3), [0.002, 0.01, 0.05]
    kernel = problem.pair_kernel(field)
    assert problem.pair_kernel(Field.in_plane(0.01, 0.3)) is kernel
    assert np.array_equal(problem.curvature(temperatures, field), fresh.curvature(temperatures, field))
    for i in range(KERNELS_KEPT):
        problem.pair_kernel(Field.in_plane(0.02 + 0.001 * i))
    assert problem.pair_kernel(field) is not kernel  # the oldest field was dropped: diagonalised again
    assert np.array_equal(problem.curvature(temperatures, field), fresh.curvature(temperatures, field))


def test_compile_kernels_covers_what_the_commands_use(tmp_path):
    """``make install`` runs ``compile_kernels``: afterwards ``isingsc tc`` (real Hamiltonians, the chiral levels)
    and ``isingsc hc2`` (pair blocks, fields) only load kernels from Numba's cache, they compile none (a fresh
    copy of the package: an empty cache; NUMBA_DEBUG_CACHE reports every kernel saved or loaded)."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    src = Path(K.__file__).resolve().parents[2]
    shutil.copytree(src / "isingsc", tmp_path / "isingsc", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "NUMBA_DEBUG_CACHE": "1", "ISINGSC_BACKEND": "cpu"}

    def run(code):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                             cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout + out.stderr

    installed = run("from isingsc.backends.cpu import compile_kernels; compile_kernels()")
    assert "data saved" in installed  # (the cache was empty: compiled here)
    for argv in (["tc", "--model", "heterostructure"], ["hc2", "--model", "intrinsic", "--n-points", "3"]):
        log = run(f"import sys; sys.argv = ['isingsc'] + {argv!r}; from isingsc.cli import main; main()")
        assert "data loaded" in log and "data saved" not in log, (argv, log[-2000:])
